/* The JSON input of the modules' AWS calls, built so that a member that
 * cannot be added (out of memory) fails the whole input instead of being
 * left out silently (a dropped condition or owner tag changes the call). */
#ifndef CFNKIT_AWSJSON_H
#define CFNKIT_AWSJSON_H

#include <cfnkit/cfnkit.h>
#include <cjson/cJSON.h>

/* Adds string members to `obj`: name, value pairs ending with a NULL name; a
 * pair whose value is NULL is left out. Returns `obj`, or NULL (and `obj`
 * freed) when `obj` is NULL or a member could not be added. */
__attribute__((sentinel)) cJSON *cfnkit_json_strings(cJSON *obj, ...);

/* Adds `item` to `obj` under `name`, taking it (freed on failure; a NULL
 * item is a failure). Returns `obj`, or NULL with `obj` freed. */
cJSON *cfnkit_json_item(cJSON *obj, const char *name, cJSON *item);

/* Adds a number member. Returns `obj`, or NULL with `obj` freed. */
cJSON *cfnkit_json_number(cJSON *obj, const char *name, double value);

/* A CloudFormation Tags property (a list of {Key, Value}) as a JSON object
 * of key: value, empty when the property is absent. The reason is set, naming
 * the entry, when an entry is not a Key and a Value. Caller frees *out. */
int cfnkit_tags_map(cfn_ctx *ctx, const char *name, cJSON **out);

/* On Update, the keys (a JSON list of strings) of the tags in
 * OldResourceProperties that ResourceProperties no longer has: those to
 * remove. Empty on other requests. Caller frees *out. */
int cfnkit_tags_dropped(cfn_ctx *ctx, const char *name, cJSON **out);

/* Whether `name` is in the NULL-terminated list `names`. */
bool cfnkit_listed(const char *const *names, const char *name);

#endif
