/* cfn_aws_for: an AWS client for a callback, made over the client's public
 * calls, so that the AWS layer never sees a request context. */
#include "ctx.h"
#include "env.h"

#include <cfnkit/aws.h>
#include <cfnkit/error.h>
#include <cfnkit/response.h>

int cfn_aws_for(cfn_ctx *ctx, const char *region, cfn_aws **out)
{
    if (!region || !*region)
        region = cfn__env_region() ? cfn__env_region() : cfn_request_region(ctx);
    if (cfn_aws_new(out, region) < 0)
        return cfn_fail(ctx, "%s", cfn_error_last());
    cfn_aws_set_deadline(*out, ctx->deadline);
    return 0;
}
