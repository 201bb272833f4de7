/* The native AWS::Lambda:: types of the local engine, one file each. */
#ifndef CFNKIT_NATIVE_LAMBDA_H
#define CFNKIT_NATIVE_LAMBDA_H

#include <cfnkit/cfnkit.h>

extern const cfn_resource_type native_lambda_function;
extern const cfn_resource_type native_lambda_permission;
extern const cfn_resource_type native_lambda_layer_version;
extern const cfn_resource_type native_lambda_event_source_mapping;
extern const cfn_resource_type native_lambda_version;

/* A Delete: Lambda `operation` with `in` (taken; NULL is out of memory). An
 * answer ResourceNotFoundException (already gone) is a success, logged as
 * "<what> <id> is already gone" when `what` is not NULL. Returns 0, or -1
 * with the reason set to the AWS error. */
int lambda_delete(cfn_ctx *ctx, const char *operation, cJSON *in, const char *what, const char *id);

#endif
