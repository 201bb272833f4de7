/* cfn_aws_for: an AWS client for a callback, made over the client's public
 * calls, so that the AWS layer never sees a request context. */
#include "clock.h"
#include "ctx.h"
#include "env.h"

#include <cfnkit/aws.h>
#include <cfnkit/error.h>
#include <cfnkit/response.h>

/* The time kept between the client's deadline and the handler's, for
 * undoing work that a late call left in an unknown state: a tenth of the
 * time left, at least 250 ms and at most 5 s, never more than half. */
static int64_t undo_margin(int64_t left)
{
    int64_t m = left / 10;
    if (m < 250)
        m = 250;
    if (m > 5000)
        m = 5000;
    return m > left / 2 ? left / 2 : m;
}

int cfn_aws_for(cfn_ctx *ctx, const char *region, cfn_aws **out)
{
    if (!region || !*region)
        region = cfn__env_region() ? cfn__env_region() : cfn_request_region(ctx);
    if (cfn_aws_new(out, region) < 0)
        return cfn_fail(ctx, "%s", cfn_error_last());
    int64_t left = ctx->deadline - cfn__clock_mono_ms();
    cfn_aws_set_deadline(*out, left > 0 ? ctx->deadline - undo_margin(left) : ctx->deadline);
    return 0;
}

void cfn_aws_for_undo(cfn_ctx *ctx, cfn_aws *aws)
{
    cfn_aws_set_deadline(aws, ctx->deadline);
}

bool cfn_aws_outcome_unknown(const cfn_aws *aws)
{
    long status = cfn_aws_error_status(aws);
    return status == 0 || status >= 500;
}
