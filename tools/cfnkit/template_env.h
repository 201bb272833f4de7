/* What the template commands evaluate with beyond the template: the values
 * of SSM parameter types, read from the target AWS's Parameter Store. */
#ifndef CFNKIT_TOOL_TEMPLATE_ENV_H
#define CFNKIT_TOOL_TEMPLATE_ENV_H

#include "eval.h"

/* Fills ops with the tool's callbacks (the SSM lookup; the AWS client is
 * made on first use, with the standard settings). Release with
 * template_env_done(). */
void template_env_init(cfn_eval_ops *ops);
void template_env_done(cfn_eval_ops *ops);

/* The values of --parameter-overrides, as the AWS CLI's `cloudformation
 * deploy` takes them: "Key=Value" arguments, or file://PATH naming a JSON
 * file in any of its three forms: ["Key=Value", ...],
 * [{"ParameterKey": K, "ParameterValue": V}, ...] or {"Parameters": {K: V}}.
 * `items` holds "Key=Value" strings, owned. */
typedef struct template_overrides {
    char **items;
    size_t n, cap;
} template_overrides;

/* Whether arg is one: "Key=Value" or file://PATH. */
int template_overrides_is_arg(const char *arg);

/* Adds one argument. Returns 0, or -1 with the reason (the file, the entry
 * at fault) in cfn_error_last(). */
int template_overrides_add(template_overrides *o, const char *arg);
void template_overrides_free(template_overrides *o);

#endif
