/* The context a callback receives: the request it serves, its deadline, and
 * what it reports (physical id, Data, NoEcho, reason). */
#ifndef CFNKIT_PROVIDER_CTX_H
#define CFNKIT_PROVIDER_CTX_H

#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include <cfnkit/resource.h>

#include "request.h"

struct cfn_ctx {
    const request *req;
    int64_t deadline; /* monotonic ms at which the callback is stopped */
    char *physical_id;
    cJSON *data;
    bool noecho;
    char *reason;
};

void cfn__ctx_init(cfn_ctx *ctx, const request *req, int64_t deadline);
void cfn__ctx_clear(cfn_ctx *ctx);
int cfn__ctx_set_reason(cfn_ctx *ctx, const char *reason);

#endif
