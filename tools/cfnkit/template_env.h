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

#endif
