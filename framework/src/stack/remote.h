/* CloudFormation itself as the engine: deploy through change sets
 * (CreateChangeSet, DescribeChangeSet, ExecuteChangeSet), progress from
 * DescribeStackEvents, delete and the describe views, through cfn_aws_call,
 * with the same callbacks, report and exit rule as the local engine
 * (stack.h), so that one command renders either. Sources: APIReference
 * API_CreateChangeSet.html, API_DescribeChangeSet.html, API_ResourceChange.html,
 * API_ResourceChangeDetail.html, API_DescribeStackEvents.html; UserGuide
 * using-cfn-updating-stacks-changesets.html; the AWS CLI's `cloudformation
 * deploy` (parameters, S3 upload, the empty change set). */
#ifndef CFNKIT_STACK_REMOTE_H
#define CFNKIT_STACK_REMOTE_H

#include <cjson/cJSON.h>
#include <cfnkit/aws.h>
#include <stdbool.h>
#include <stddef.h>

/* Templates larger than this go through S3 (TemplateURL): CloudFormation's
 * TemplateBody limit. */
#define STK_REMOTE_TEMPLATE_BODY_MAX 51200

/* ---- which engine ---- */

typedef enum stk_engine { STK_ENGINE_LOCAL, STK_ENGINE_CLOUDFORMATION } stk_engine;

/* The engine a command uses when --engine is not given, from the endpoint
 * the AWS settings give CloudFormation, in the SDKs' order: none when
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true (or the profile's
 * ignore_configured_endpoint_urls), else AWS_ENDPOINT_URL_CLOUDFORMATION,
 * then AWS_ENDPOINT_URL, then the profile's endpoint_url (AWS_PROFILE, or
 * "default", in AWS_CONFIG_FILE or ~/.aws/config; a `services` section is
 * not read). No endpoint, or one whose host is AWS's own (a name ending in
 * amazonaws.com, amazonaws.com.cn or api.aws): STK_ENGINE_CLOUDFORMATION.
 * Any other endpoint (a moto_server, a LocalStack) is a local AWS, which
 * cannot run custom resources: STK_ENGINE_LOCAL. */
stk_engine stk_engine_for_endpoint(void);

/* "local" or "cloudformation" (--engine); CFN_EINVAL naming both otherwise. */
int stk_engine_parse(const char *name, stk_engine *out);
const char *stk_engine_name(stk_engine e);

/* ---- the operations ---- */

/* What every operation runs with; everything borrowed. */
typedef struct stk_remote_env {
    cfn_aws *aws;
    int poll_max_ms; /* the longest pause between polls; 0: 5000 */
    int wait_s;      /* give up waiting after this; 0: 3600, as the AWS CLI's waiters */
    /* Called with each change of the change set before it is executed, in
     * the local engine's shape ({"Type": "Resource", "ResourceChange":
     * {...}}: stk_remote_change), and with each new stack event, oldest
     * first, as DescribeStackEvents gives it. May be NULL. */
    void (*on_change)(void *arg, const cJSON *change);
    void (*on_event)(void *arg, const cJSON *event);
    void *arg;
} stk_remote_env;

typedef struct stk_remote_deploy_args {
    const char *stack_name, *template_file;
    const char *const *overrides; /* "Key=Value" */
    size_t noverrides;
    const char *const *capabilities;
    size_t ncapabilities;
    const char *const *tags; /* "Key=Value" */
    size_t ntags;
    const char *role_arn;              /* NULL: none */
    const char *s3_bucket, *s3_prefix; /* for templates over 51,200 bytes */
    bool force_upload;                 /* upload even when the object is there */
    bool no_execute;                   /* --no-execute-changeset: the change set only */
    bool disable_rollback;
} stk_remote_deploy_args;

/* Creates or updates a stack through a change set of type CREATE (no such
 * stack, or one in REVIEW_IN_PROGRESS) or UPDATE. Parameters: each override,
 * and on UPDATE every other parameter of the template that the stack has
 * with UsePreviousValue. A template over 51,200 bytes is uploaded to
 * s3_bucket under [s3_prefix/]<md5>.template (as the AWS CLI) and passed
 * as TemplateURL; without a bucket it is refused. An empty change set ("No
 * updates are to be performed.") is deleted and reported as NoChanges.
 * *report (set when memory allows; the caller frees it), as the local
 * engine's: {"ChangeSetId", "Changes": [...], "NoChanges": bool,
 * "Failures": [{"LogicalResourceId", "ResourceType", "ResourceStatus",
 * "ResourceStatusReason"}], "Stack": the stack as describe-stacks shows it}.
 * 0 when the stack reached CREATE_COMPLETE or UPDATE_COMPLETE (or only the
 * change set was asked, or nothing was to be done); otherwise negative with
 * cfn_error_last() saying why, in CloudFormation's words. */
int stk_remote_deploy(const stk_remote_env *env, const stk_remote_deploy_args *args,
                      cJSON **report);

/* Deletes a stack (DeleteStack with RetainResources, which CloudFormation
 * accepts only for a stack in DELETE_FAILED) and follows its events. 0 when
 * it reached DELETE_COMPLETE; CFN_ENOTFOUND "Stack with id NAME does not
 * exist" when there is no such stack. *report as for deploy. */
int stk_remote_delete(const stk_remote_env *env, const char *stack_name, const char *const *retain,
                      size_t nretain, cJSON **report);

/* The describe views as the AWS CLI prints them, every page gathered:
 * {"Stacks": [...]} (one stack, or all with name NULL), {"StackResources":
 * [...]}, {"StackEvents": [...]} newest first, {"Exports": [...]}. */
int stk_remote_describe_stacks(cfn_aws *aws, const char *stack_name, cJSON **out);
int stk_remote_describe_resources(cfn_aws *aws, const char *stack_name, cJSON **out);
int stk_remote_describe_events(cfn_aws *aws, const char *stack_name, cJSON **out);
int stk_remote_list_exports(cfn_aws *aws, cJSON **out);

/* ---- pure pieces (unit tested) ---- */

/* One entry of DescribeChangeSet's Changes turned into the local engine's
 * change: Action, LogicalResourceId, PhysicalResourceId, ResourceType, and
 * for Modify Replacement (True, False, Conditional), Scope and Details with
 * one entry per changed target, the strongest RequiresRecreation kept
 * (Always over Conditionally over Never) and a Static evaluation preferred
 * to a Dynamic one; a target outside Properties (Tags, Metadata, ...) is
 * named by its Attribute. NULL for what is not a resource change. */
cJSON *stk_remote_change(const cJSON *change);

/* Whether a FAILED change set's reason says it is empty. */
bool stk_remote_empty_reason(const char *reason);

/* Whether a stack status is final (not ..._IN_PROGRESS). */
bool stk_remote_status_final(const char *status);

#endif
