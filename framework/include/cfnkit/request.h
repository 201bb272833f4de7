/* The request a callback serves: its fields, its deadline, and typed getters
 * for ResourceProperties and OldResourceProperties. */
#ifndef CFNKIT_REQUEST_H
#define CFNKIT_REQUEST_H

#include <cfnkit/common.h>
#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include <cfnkit/resource.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { CFN_CREATE, CFN_UPDATE, CFN_DELETE } cfn_action;

/* Request fields. Strings are borrowed from the context and live as long as
 * the request. */
CFN_EXTERN cfn_action cfn_request_action(const cfn_ctx *ctx);
CFN_EXTERN const char *cfn_request_type_name(const cfn_ctx *ctx); /* "Create", "Update", "Delete" */
CFN_EXTERN const char *cfn_request_stack_id(const cfn_ctx *ctx);
CFN_EXTERN const char *cfn_request_stack_name(const cfn_ctx *ctx); /* from the StackId ARN */
CFN_EXTERN const char *
cfn_request_region(const cfn_ctx *ctx); /* from the StackId ARN, else AWS_REGION */
CFN_EXTERN const char *cfn_request_id(const cfn_ctx *ctx);
CFN_EXTERN const char *cfn_request_resource_type(const cfn_ctx *ctx);
CFN_EXTERN const char *cfn_request_logical_id(const cfn_ctx *ctx);
/* The id CloudFormation sent (Update, Delete); NULL on Create. */
CFN_EXTERN const char *cfn_request_physical_id(const cfn_ctx *ctx);
/* In a type's remove_failed_create: the RequestId of the Create that failed
 * (read from the failed-create marker); NULL in any other request. */
CFN_EXTERN const char *cfn_request_failed_create_id(const cfn_ctx *ctx);
/* ResourceProperties (always an object, ServiceToken included) and
 * OldResourceProperties (an object on Update, NULL otherwise). */
CFN_EXTERN const cJSON *cfn_request_props(const cfn_ctx *ctx);
CFN_EXTERN const cJSON *cfn_request_old_props(const cfn_ctx *ctx);

/* A SHA-256 (64 hex characters) of StackId and LogicalResourceId: the same
 * for every request of a resource, different between resources. For marking
 * what a resource owns (tags, owner attributes), never as a physical id. */
#define CFN_RESOURCE_HASH_SIZE 65
CFN_EXTERN void cfn_request_resource_hash(const cfn_ctx *ctx, char out[CFN_RESOURCE_HASH_SIZE]);

/* Milliseconds left before the callback is stopped (the Lambda deadline less
 * the margin the framework keeps for sending the response); never negative. */
CFN_EXTERN int64_t cfn_remaining_ms(const cfn_ctx *ctx);

/* Property getters. `name` is a property name or a dotted path into nested
 * maps and lists ("Code.S3Bucket", "Layers.0"). CloudFormation sends every
 * scalar as a string: the int and bool getters accept "8080" and "true" as
 * well as JSON numbers and booleans. On failure they set the request's reason,
 * naming the property and what was expected, and return CFN_EINVAL, so a
 * callback can simply `return -1`. Outputs are borrowed from the request.
 *
 * The plain getters require the property; the `_or` getters return
 * `fallback` when it is absent (a present but mistyped value still fails). */
CFN_EXTERN int cfn_prop_string(cfn_ctx *ctx, const char *name, const char **out);
CFN_EXTERN int cfn_prop_string_or(cfn_ctx *ctx, const char *name, const char *fallback,
                                  const char **out);
CFN_EXTERN int cfn_prop_int(cfn_ctx *ctx, const char *name, long long *out);
CFN_EXTERN int cfn_prop_int_or(cfn_ctx *ctx, const char *name, long long fallback, long long *out);
CFN_EXTERN int cfn_prop_bool(cfn_ctx *ctx, const char *name, bool *out);
CFN_EXTERN int cfn_prop_bool_or(cfn_ctx *ctx, const char *name, bool fallback, bool *out);
CFN_EXTERN int cfn_prop_list(cfn_ctx *ctx, const char *name, const cJSON **out);
CFN_EXTERN int cfn_prop_map(cfn_ctx *ctx, const char *name, const cJSON **out);
CFN_EXTERN bool cfn_prop_has(const cfn_ctx *ctx, const char *name);

/* On Update: whether property `name` (a dotted path) differs between
 * ResourceProperties and OldResourceProperties, including being added or
 * removed. False on other requests. */
CFN_EXTERN bool cfn_prop_changed(const cfn_ctx *ctx, const char *name);

/* The same getters for OldResourceProperties (Update only; on other requests
 * every property is absent). */
CFN_EXTERN int cfn_old_prop_string(cfn_ctx *ctx, const char *name, const char **out);
CFN_EXTERN int cfn_old_prop_string_or(cfn_ctx *ctx, const char *name, const char *fallback,
                                      const char **out);
CFN_EXTERN int cfn_old_prop_int(cfn_ctx *ctx, const char *name, long long *out);
CFN_EXTERN int cfn_old_prop_int_or(cfn_ctx *ctx, const char *name, long long fallback,
                                   long long *out);
CFN_EXTERN int cfn_old_prop_bool(cfn_ctx *ctx, const char *name, bool *out);
CFN_EXTERN int cfn_old_prop_bool_or(cfn_ctx *ctx, const char *name, bool fallback, bool *out);
CFN_EXTERN int cfn_old_prop_list(cfn_ctx *ctx, const char *name, const cJSON **out);
CFN_EXTERN int cfn_old_prop_map(cfn_ctx *ctx, const char *name, const cJSON **out);
CFN_EXTERN bool cfn_old_prop_has(const cfn_ctx *ctx, const char *name);

#ifdef __cplusplus
}
#endif
#endif
