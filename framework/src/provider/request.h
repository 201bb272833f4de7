/* One CloudFormation request as received, and the splitting of an invocation
 * payload (a direct request, or SNS records) into requests. */
#ifndef CFNKIT_PROVIDER_REQUEST_H
#define CFNKIT_PROVIDER_REQUEST_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include <cfnkit/request.h>

/* One request. Strings borrow from `root`. */
typedef struct request {
    cJSON *root;
    const char *response_url; /* NULL when absent or unusable */
    const char *url_problem;  /* why response_url is NULL (static text) */
    const char *type_name;
    const char *stack_id;
    const char *request_id;
    const char *resource_type;
    const char *logical_id;
    const char *physical_id;
    cfn_action action;
    const cJSON *props;
    const cJSON *old_props;
    char stack_name[256];
    char region[64];
    char *invalid; /* why the request cannot be served; NULL when valid (the
                    * ResponseURL is not part of it: see url_problem) */
} request;

/* Takes ownership of `obj` and validates it; a request that fails validation
 * still has `invalid` set and as many fields as could be read. */
int cfn__request_init(request *req, cJSON *obj);
void cfn__request_clear(request *req);

/* One request of an invocation payload: its object, or why it has none. */
typedef struct payload_item {
    cJSON *obj;
    char *error;
} payload_item;

/* Splits an invocation payload into requests: one direct request, or the
 * Message of every record of an SNS notification. Returns CFN_EINVAL (message
 * in cfn_error_last) when the payload is not JSON or holds no request; an SNS
 * record whose Message is unusable becomes an item with `error` set. */
int cfn__payload_split(const char *text, size_t len, payload_item **out, size_t *count);
void cfn__payload_free(payload_item *items, size_t count);

#endif
