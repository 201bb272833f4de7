/* The native AWS::IAM:: types of the local engine, and what they share. */
#ifndef CFNKIT_NATIVE_IAM_H
#define CFNKIT_NATIVE_IAM_H

#include <cfnkit/cfnkit.h>

extern const cfn_resource_type native_iam_role;
extern const cfn_resource_type native_iam_role_policy;
extern const cfn_resource_type native_iam_policy;
extern const cfn_resource_type native_iam_managed_policy;
extern const cfn_resource_type native_iam_instance_profile;

/* Calls IAM `operation` with `input` (taken; NULL stands for out of memory).
 * `output` may be NULL. Returns 0, or 1 when IAM answered the error code
 * `tolerated` (NULL: none; "NoSuchEntity" for a delete of what is gone), or
 * -1 with the request's reason set to the AWS error. */
int iam_call(cfn_ctx *ctx, cfn_aws *aws, const char *operation, cJSON *input, cJSON **output,
             const char *tolerated);

/* A policy document property (a JSON object as templates give it, or its
 * text) as the text IAM takes. Caller frees *out. From OldResourceProperties
 * when `old`. */
int iam_document(cfn_ctx *ctx, const char *name, bool old, char **out);

/* A list-of-names property (Roles, Users, Groups, ManagedPolicyArns): *out
 * borrowed, NULL when absent. The reason is set when it is not a list of
 * strings. From OldResourceProperties when `old`. */
int iam_names(cfn_ctx *ctx, const char *name, bool old, const cJSON **out);

/* Whether `name` is an IAM name of at most `max` characters (letters,
 * digits and +=,.@_-): a physical id that is not names nothing to delete. */
bool iam_valid_name(const char *name, size_t max);

/* Whether the list of strings holds `s`. */
bool iam_has(const cJSON *list, const char *s);

#endif
