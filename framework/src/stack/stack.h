/* The stack lifecycle: deploy (create or update, with its change set),
 * delete, and the describe views, played as CloudFormation plays them
 * (UserGuide/using-cfn-updating-stacks.html, stack-failure-options.html,
 * aws-attribute-deletionpolicy.html, aws-attribute-updatereplacepolicy.html,
 * using-cfn-stack-exports.html, view-stack-events.html). Resources go through
 * the dispatcher (dispatch.h); the state is written ahead through the store
 * (store.h): a resource is recorded before its request is sent and when it
 * completes, so that the next deploy or delete after an engine killed at any
 * instant first finishes or rolls back what was in flight. */
#ifndef CFNKIT_STACK_STACK_H
#define CFNKIT_STACK_STACK_H

#include <cjson/cJSON.h>
#include <cfnkit/aws.h>
#include <stdbool.h>

#include "dispatch.h"
#include "store.h"

/* The default bound on resources in flight at once (--max-concurrency). */
#define STK_DEFAULT_CONCURRENCY 16

/* What every operation runs with; everything borrowed. */
typedef struct stk_env {
    stk_store *store;
    stk_dispatch *dispatch;
    cfn_aws *aws; /* SSM parameter values; NULL: SSM parameter types fail */
    const char *region, *account;
    size_t max_concurrency; /* 0: STK_DEFAULT_CONCURRENCY */
    int lease_seconds;      /* 0: 120; renewed as the operation goes */
    /* Called with each event as it is stored (masked), and with each change
     * of the change set before anything is executed. May be NULL. */
    void (*on_event)(void *arg, const cJSON *event);
    void (*on_change)(void *arg, const cJSON *change);
    /* Called about every `tick_ms` while requests are in flight (a live
     * view's clock); NULL or 0: never. */
    void (*on_tick)(void *arg);
    int tick_ms;
    void *arg;
} stk_env;

typedef struct stk_deploy_args {
    const char *stack_name, *template_file;
    const char *const *overrides; /* "Key=Value" */
    size_t noverrides;
    const char *const *capabilities;
    size_t ncapabilities;
    bool no_execute;       /* --no-execute-changeset: the change set only */
    bool disable_rollback; /* keep what worked after a failure */
} stk_deploy_args;

/* Creates or updates a stack. *report (always set when memory allows; the
 * caller frees it): {"Changes": [ResourceChange...], "NoChanges": bool,
 * "Failures": [{"LogicalResourceId", "ResourceType", "ResourceStatus",
 * "ResourceStatusReason"}], "Stack": the stack as describe-stacks shows
 * it; "ServedTypes", every type served, when one is not}. Returns 0 when the stack reached
 * CREATE_COMPLETE or UPDATE_COMPLETE (or the change set was only shown, or there was nothing to
 * update), else a negative code with cfn_error_last() saying why in CloudFormation's words. */
int stk_deploy(const stk_env *env, const stk_deploy_args *args, cJSON **report);

/* Deletes a stack (after finishing what a killed engine left in flight).
 * `retain`: logical ids kept, allowed only for a stack in DELETE_FAILED (as
 * CloudFormation). Refused while another stack imports one of its exports,
 * naming the importer. 0 when the stack is gone. */
int stk_delete(const stk_env *env, const char *stack_name, const char *const *retain,
               size_t nretain, cJSON **report);

/* The describe views, as the AWS CLI prints them: {"Stacks": [...]} (one
 * stack, or every stack with name NULL), {"StackResources": [...]},
 * {"StackEvents": [...]} newest first, {"Exports": [...]}. A stack that
 * does not exist is CFN_ENOTFOUND: "Stack with id NAME does not exist". */
int stk_describe_stacks(stk_store *s, const char *stack_name, cJSON **out);
int stk_describe_resources(stk_store *s, const char *stack_name, cJSON **out);
int stk_describe_events(stk_store *s, const char *stack_name, cJSON **out);
int stk_list_exports(stk_store *s, cJSON **out);

/* Internal (stack.c, describe.c): a stack document as describe-stacks
 * shows it, a new object. */
cJSON *stk__stack_view(const cJSON *sdoc);

#endif
