/* Helpers shared by the native AWS:: types of the local engine
 * (resources/aws/SERVICE): the names CloudFormation generates. */
#ifndef CFNKIT_NATIVE_H
#define CFNKIT_NATIVE_H

#include <cfnkit/cfnkit.h>
#include <stdbool.h>
#include <stddef.h>

/* The generated name in lowercase (S3 bucket names). */
#define NATIVE_NAME_LOWER 0x1u
/* No dashes: the parts are joined without separators and dashes inside the
 * stack name are dropped (names of letters and digits only). */
#define NATIVE_NAME_NO_DASH 0x2u

/* The length of the random part. */
#define NATIVE_NAME_SUFFIX_LEN 12

/* A physical name as CloudFormation generates it when the template gives
 * none: "<stack name>-<logical id>-<suffix>" ("MyStack-MyBucket-ABCDEFGHIJK1"),
 * the suffix NATIVE_NAME_SUFFIX_LEN uppercase letters and digits. When the
 * whole is longer than `max_len`, the suffix stays whole and the stack name and
 * logical id are cut from their ends, each keeping at least half of the room
 * left (a short part gives what it does not use to the other); a dash left at
 * the end of a cut part is dropped, so the name never holds two dashes in a
 * row. The suffix is drawn from a hash of the stack id, logical id and request
 * id: the same request delivered twice gets the same name, the next Create
 * (a replacement) a new one. `max_len` must leave room for the suffix and at
 * least one character of each part. On success `*out` is the caller's (free);
 * on failure it sets the request's reason and returns -1. */
int native_name(cfn_ctx *ctx, size_t max_len, unsigned flags, char **out);

/* Refuses a property the type does not implement: every top-level property
 * must be in `supported` (NULL-terminated; ServiceToken is always allowed).
 * Returns 0, or sets the reason "AWS::X::Y property Z is not supported by
 * cfnkit's local engine" (naming the first such property) and returns -1. */
int native_check_props(cfn_ctx *ctx, const char *const *supported);

/* cfn_aws_call of `service` (the AWS CLI's name) taking `in`, which it frees
 * (NULL means building the input failed: "out of memory"). Returns 0, or -1
 * with cfn_aws_error_code(aws) saying why (the framework reports
 * cfn_error_last() as the reason when the callback sets none). `out` may be
 * NULL. */
int native_call(cfn_ctx *ctx, cfn_aws *aws, const char *service, const char *operation, cJSON *in,
                cJSON **out);

/* cfn_aws_call of `service` taking `in`, which it frees, for code without a
 * request at hand: a NULL `in` (building it failed) fails with CFN_ENOMEM and
 * "<label> <operation>: out of memory" ("ECS CreateCluster: ..."). Returns 0,
 * or a negative code (CFN_ENOMEM, or cfn_aws_call's) with cfn_error_last()
 * saying why. `out` may be NULL. */
int native_take_call(cfn_aws *aws, const char *service, const char *label, const char *operation,
                     cJSON *in, cJSON **out);

/* Pauses half a second before the next read of a wait, when the time left
 * holds the pause and a second for the read; false (without pausing) when it
 * does not: the caller fails saying what it waited for, before its deadline. */
bool native_poll_again(cfn_ctx *ctx);

/* A Delete: native_call of `service` with `in` (taken) on the request's
 * AWS client; an answer with the error code `gone` (native_error_is: the
 * resource is already gone) is a success. Returns 0, or -1 (the reason set,
 * or the AWS error in cfn_error_last()). */
int native_delete(cfn_ctx *ctx, const char *service, const char *operation, cJSON *in,
                  const char *gone);

/* Whether the last call of `aws` failed with `code`, with or without the
 * namespace some JSON protocol answers put before it
 * ("com.amazonaws.sqs#QueueDoesNotExist"). */
bool native_error_is(const cfn_aws *aws, const char *code);

/* The changes of a tag list property ([{"Key", "Value"}], as CloudFormation
 * types give tags) between OldResourceProperties and ResourceProperties:
 * `*untag` the keys to remove (gone, or whose value changed: removing first
 * works alike with services that overwrite a key and those that add it
 * again), `*tag` the {Key, Value} objects to add (new or changed). Both are
 * arrays, possibly empty, that the caller deletes. On Create every tag is
 * new. Returns 0, or -1 with the reason set. */
int native_tag_changes(cfn_ctx *ctx, const char *property, cJSON **untag, cJSON **tag);

/* Tags of a resource follow the Tags property (native_tag_changes): the
 * service's UntagResource with {id_member: id, "TagKeys": [...]}, then its
 * TagResource with {id_member: id, "Tags": [{"Key", "Value"}]}, as
 * CloudWatch, EventBridge, SNS and Secrets Manager take them; a call only
 * when there is something to change. Returns 0, or -1 (the reason set, or
 * the AWS error in cfn_error_last()). */
int native_update_tags(cfn_ctx *ctx, cfn_aws *aws, const char *service, const char *id_member,
                       const char *id);
/* A JSON document property (a policy) as the API takes it: an object
 * serialized, a string as given. Absent: *out NULL, or with `required` the
 * reason "TYPE property P is required". Another JSON type: "TYPE property P
 * must be a JSON object or string". Returns 0 (*out the caller's) or -1. */
int native_json_text(cfn_ctx *ctx, const char *property, bool required, char **out);
/* Puts `policy` on one resource (`target`: an ARN, a URL), or with NULL puts
 * back the service's default; resetting a resource already gone succeeds.
 * Returns 0, or -1 with the reason set (or the AWS error in cfn_error_last()). */
typedef int (*native_set_policy)(cfn_ctx *ctx, cfn_aws *aws, const char *target,
                                 const char *policy);

/* A policy type that puts its PolicyDocument on every resource of a list
 * property (AWS::SNS::TopicPolicy's Topics, AWS::SQS::QueuePolicy's Queues).
 * Its physical id and attribute Id are a generated name (native_name). */
typedef struct native_policy_type {
    const char *const *supported; /* its properties (native_check_props) */
    const char *list;             /* the list property: "Topics" */
    const char *items;            /* what it lists, for its error: "topic ARNs" */
    native_set_policy set;
} native_policy_type;

/* Create, Update (the resources no longer listed get their default back
 * first) and Delete (every listed resource gets its default back) of such a
 * type. Return 0 or -1 with the reason set. */
int native_policy_create(cfn_ctx *ctx, const native_policy_type *type);
int native_policy_update(cfn_ctx *ctx, const native_policy_type *type);
int native_policy_remove(cfn_ctx *ctx, const native_policy_type *type);

/* The inline variant (AWS::SNS::TopicInlinePolicy, AWS::SQS::QueueInlinePolicy):
 * the PolicyDocument of the one resource the string property `target` names,
 * which is also the physical id. Put serves Create and Update; remove puts
 * back the default of the physical id. Return 0 or -1 with the reason set. */
int native_inline_policy_put(cfn_ctx *ctx, const char *const *supported, const char *target,
                             native_set_policy set);
int native_inline_policy_remove(cfn_ctx *ctx, native_set_policy set);

/* The same name from its parts, for tests: `seed` stands for the request. */
int native_name_from(const char *stack, const char *logical, const char *seed, size_t max_len,
                     unsigned flags, char **out);

#endif
