/* Waiting for a Lambda function to be usable, shared by Custom::LambdaFunction
 * and AWS::Lambda::Function. */
#ifndef CFNKIT_LAMBDAWAIT_H
#define CFNKIT_LAMBDAWAIT_H

#include <cfnkit/cfnkit.h>

/* Waits until function `name` is Active with no update in progress, within
 * the callback's time. A function whose State or LastUpdateStatus is Failed,
 * or the time running out, fails the request with a reason saying which. */
int cfnkit_lambda_wait_ready(cfn_ctx *ctx, cfn_aws *aws, const char *name);

#endif
