/* The native AWS::IAM:: types of the local engine, and what they share. */
#ifndef CFNKIT_NATIVE_IAM_H
#define CFNKIT_NATIVE_IAM_H

#include <cfnkit/cfnkit.h>

extern const cfn_resource_type native_iam_role;
extern const cfn_resource_type native_iam_role_policy;
extern const cfn_resource_type native_iam_policy;
extern const cfn_resource_type native_iam_managed_policy;
extern const cfn_resource_type native_iam_instance_profile;
extern const cfn_resource_type native_iam_user;
extern const cfn_resource_type native_iam_group;
extern const cfn_resource_type native_iam_user_to_group_addition;
extern const cfn_resource_type native_iam_access_key;

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

/* A role, user or group: the noun of its IAM operations ("Role" for
 * PutRolePolicy, TagRole...), the input member naming it ("RoleName") and
 * its name. */
typedef struct iam_principal {
    const char *noun, *member, *name;
} iam_principal;

/* Detaches every managed policy and deletes every inline one, as IAM
 * requires before the principal is deleted. Returns 0, 1 when the principal
 * is gone, or -1 with the reason set. */
int iam_principal_clear(cfn_ctx *ctx, cfn_aws *aws, const iam_principal *p);

/* Policies: PutXPolicy for each inline policy of the template, and on
 * Update DeleteXPolicy for those whose name went away. */
int iam_sync_inline(cfn_ctx *ctx, cfn_aws *aws, const iam_principal *p, bool update);

/* ManagedPolicyArns: attach the new, and on Update detach the dropped. */
int iam_sync_managed(cfn_ctx *ctx, cfn_aws *aws, const iam_principal *p, bool update);

/* The template's Tags as a list IAM takes; NULL with the reason set. */
cJSON *iam_tag_list(cfn_ctx *ctx);

/* On Update: TagX with the template's tags, UntagX for those it dropped. */
int iam_sync_tags(cfn_ctx *ctx, cfn_aws *aws, const iam_principal *p);

/* Whether `name` is an IAM name of at most `max` characters (letters,
 * digits and +=,.@_-): a physical id that is not names nothing to delete. */
bool iam_valid_name(const char *name, size_t max);

/* Deletes what a failed Create made (`id`: its name, or ARN), since the
 * Delete after a failed Create does not know it: `undo` (the type's own
 * delete) is called and the reason it leaves replaced by the Create's. */
void iam_undo(cfn_ctx *ctx, cfn_aws *aws, const char *id,
              int (*undo)(cfn_ctx *ctx, cfn_aws *aws, const char *id));

/* Whether the list of strings holds `s`. */
bool iam_has(const cJSON *list, const char *s);

#endif
