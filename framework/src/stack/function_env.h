/* The environment of the Lambda function a custom resource's ServiceToken
 * names: in CloudFormation the provider runs as that function, with its
 * Environment.Variables (the provider stack's CFNKIT_UNIQUE_PORT_TABLE, say),
 * so the local engine runs the provider program with them too. */
#ifndef CFNKIT_STACK_FUNCTION_ENV_H
#define CFNKIT_STACK_FUNCTION_ENV_H

#include <cfnkit/aws.h>

typedef struct stk_function_env stk_function_env;

/* A cache of the functions' environments, one AWS client for all; made on
 * first use. Free with stk_function_env_free (NULL is fine). */
void stk_function_env_free(stk_function_env *f);

/* The "NAME=VALUE" strings of the Lambda function `service_token` names
 * (arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]), NULL
 * terminated and borrowed from the cache, and its name in *function; an
 * empty list when the token names no Lambda function or the function does
 * not exist in the target AWS (an SNS topic, a provider not deployed there).
 * Returns 0, or -1 with the reason in cfn_error_last() when AWS could not
 * say (the engine then fails the resource rather than run it without). */
int stk_function_env_get(stk_function_env **f, const char *service_token, const char *const **vars,
                         const char **function);

#endif
