/* Reading the cJSON values a module gets from AWS answers and properties. */
#ifndef CFNKIT_JSON_H
#define CFNKIT_JSON_H

#include <cfnkit/common.h>
#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The string member `name` of object `obj` (matched case-sensitively), or
 * NULL when `obj` is not an object, or the member is absent or not a string.
 * Borrowed from `obj`. */
CFN_EXTERN const char *cfn_json_string(const cJSON *obj, const char *name);

#ifdef __cplusplus
}
#endif
#endif
