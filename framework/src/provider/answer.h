/* Deciding the answer to one request: validation, dispatch to the module,
 * the physical id and failed-create rules. Nothing here knows where the
 * answer goes: the runtime delivers it to a ResponseURL, an engine reads it. */
#ifndef CFNKIT_PROVIDER_ANSWER_H
#define CFNKIT_PROVIDER_ANSWER_H

#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "isolate.h"
#include "request.h"

/* The decided answer. Owns its strings and data; free with cfn__answer_clear. */
typedef struct answer {
    bool success;
    char *reason;      /* why it failed; NULL on SUCCESS */
    char *physical_id; /* the id to answer; NULL only when out of memory */
    bool noecho;
    cJSON *data; /* Data for Fn::GetAtt on SUCCESS; NULL otherwise */
} answer;

/* A request whose answer is being decided: its context and, when a handler
 * runs, the handler's job. */
typedef struct cfn__pending cfn__pending;

/* Validates `req` and dispatches it: starts the module's callback as a job
 * bounded by `deadline` (monotonic ms), or decides at once (an invalid
 * request, an unknown type, the Delete of a failed Create). `req` is borrowed
 * until cfn__answer_finish. Returns 0 with *out set, or CFN_ENOMEM. */
int cfn__answer_start(const request *req, int64_t deadline, cfn__pending **out);

/* The handler's job to poll and step, or NULL when no handler runs. Borrowed;
 * do not finish it: cfn__answer_finish does. */
cfn__job *cfn__answer_job(const cfn__pending *p);

/* Collects the handler's result (a job not yet done is stopped as timed out),
 * applies the physical id rules into *out and frees `p`. */
void cfn__answer_finish(cfn__pending *p, answer *out);

/* The whole decision for one request, the handler run to its end: start,
 * wait, finish. */
void cfn__answer_decide(const request *req, int64_t deadline, answer *out);

void cfn__answer_clear(answer *a);

#endif
