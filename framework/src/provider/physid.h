/* Physical id rules: generated ids and the marker of a failed Create. */
#ifndef CFNKIT_PROVIDER_PHYSID_H
#define CFNKIT_PROVIDER_PHYSID_H

#include <stdbool.h>

#include "request.h"

/* Physical id answered for a failed Create; a Delete carrying it succeeds
 * without calling the module, since the failed Create made nothing. */
#define CFN_FAILED_CREATE_PREFIX "cfnkit-failed-create-"

/* The generated physical id "<stack>-<logical id>-<suffix>", stable for the
 * same request (a duplicate delivery gets the same id). Caller frees. */
char *cfn__physid_generate(const request *req);
char *cfn__physid_failed_create(const request *req);
bool cfn__physid_is_failed_create(const char *id);

#endif
