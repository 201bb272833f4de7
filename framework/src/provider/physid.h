/* Physical id rules: generated ids and the marker of a failed Create. */
#ifndef CFNKIT_PROVIDER_PHYSID_H
#define CFNKIT_PROVIDER_PHYSID_H

#include <stdbool.h>

#include "request.h"

/* Physical id answered for a failed Create,
 * "cfnkit-failed-create-<LogicalResourceId>-<RequestId>"; the Delete that
 * follows succeeds without calling the module, since the failed Create made
 * nothing. No module may set an id with this prefix, so none can be forged
 * through a property. */
#define CFN_FAILED_CREATE_PREFIX "cfnkit-failed-create-"

/* The generated physical id "<stack>-<logical id>-<suffix>", stable for the
 * same request (a duplicate delivery gets the same id). Caller frees. */
char *cfn__physid_generate(const request *req);
char *cfn__physid_failed_create(const request *req);

/* Whether `id`, sent with the Delete `req`, is the marker of a failed Create
 * of the same logical resource: the prefix, req's LogicalResourceId, and a
 * RequestId of the shape of req's own. */
bool cfn__physid_is_failed_create(const request *req, const char *id);

/* The RequestId of the failed Create that a marker `id` names (a pointer
 * into id), or NULL when id is not this request's marker. */
const char *cfn__physid_failed_create_request(const request *req, const char *id);

/* Whether a module's id starts with the marker's prefix (and is refused). */
bool cfn__physid_reserved(const char *id);

#endif
