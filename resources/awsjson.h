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

/* A list of {"Key", "Value"} strings (a checked Tags value, or the tags of
 * native_tag_changes) as the JSON object {key: value} that SQS, CloudWatch
 * Logs and API Gateway take. NULL when an entry is not two strings or out of
 * memory. */
cJSON *cfnkit_tag_object(const cJSON *list);
/* On Update, the keys (a JSON list of strings) of the tags in
 * OldResourceProperties that ResourceProperties no longer has: those to
 * remove. Empty on other requests. Caller frees *out. */
int cfnkit_tags_dropped(cfn_ctx *ctx, const char *name, cJSON **out);

/* Whether `name` is in the NULL-terminated list `names`. */
bool cfnkit_listed(const char *const *names, const char *name);

/* The API shape of a CloudFormation property value: a deep copy whose member
 * names lose their leading capital ("ContainerDefinitions" becomes
 * "containerDefinitions"), as the JSON APIs of ECS and API Gateway spell
 * them. `renames` lists "Name=apiName" pairs for the names that differ
 * otherwise ("EFSVolumeConfiguration=efsVolumeConfiguration"); the values of
 * the members named in `verbatim` are the user's maps (labels, options),
 * copied as they are. Either list may be NULL. NULL when out of memory. */
cJSON *cfnkit_json_camel(const cJSON *value, const char *const *renames,
                         const char *const *verbatim);

/* A number as the template wrote it, for a property or attribute the API
 * takes as text: an integer without a fraction, any other in the fewest
 * digits that read back the same ("0.1", not "0.10000000000000001"), as
 * CloudFormation passes a YAML number on. `size` of 32 is always enough. */
void cfnkit_number_text(double d, char *out, size_t size);
/* Turns, anywhere in `value`, the members named in `ints` into numbers
 * (integers or not: the API checks its own ranges), in
 * `bools` into booleans and in `strings` into strings, when they hold the
 * same value in another JSON type (a template's !GetAtt gives "8080" where
 * the API wants 8080; "true", 80). Returns 0, or -1 with the name of the
 * member that holds something else in *bad. Lists may be NULL. */
int cfnkit_json_coerce(cJSON *value, const char *const *ints, const char *const *bools,
                       const char *const *strings, const char **bad);

#endif
