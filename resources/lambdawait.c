/* Waiting for a Lambda function to be usable. */
#include "lambdawait.h"

#include "awsjson.h"

#include <string.h>

int cfnkit_lambda_wait_ready(cfn_ctx *ctx, cfn_aws *aws, const char *name)
{
    int64_t pause_ms = 200;
    int rc = 0;
    cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "FunctionName", name, NULL), *out = NULL;
    if (!in)
        return cfn_fail(ctx, "out of memory");
    for (;;) {
        if (cfn_lambda(aws, "GetFunctionConfiguration", in, &out) < 0) {
            rc = cfn_fail(ctx, "waiting for function %s: %s", name, cfn_error_last());
            goto done;
        }
        const char *state = cfn_json_string(out, "State"),
                   *update = cfn_json_string(out, "LastUpdateStatus");
        if ((state && strcmp(state, "Failed") == 0) || (update && strcmp(update, "Failed") == 0)) {
            const char *why = cfn_json_string(out, state && strcmp(state, "Failed") == 0
                                                       ? "StateReason"
                                                       : "LastUpdateStatusReason");
            rc = cfn_fail(ctx, "function %s failed to deploy: %s", name,
                          why ? why : "no reason given");
            goto done;
        }
        if ((!state || strcmp(state, "Active") == 0) &&
            (!update || strcmp(update, "InProgress") != 0))
            goto done;
        if (cfn_remaining_ms(ctx) < pause_ms + 1000 || cfn_sleep(ctx, pause_ms) < 0) {
            rc = cfn_fail(ctx,
                          "function %s is not Active yet (State %s, LastUpdateStatus %s) and "
                          "the time is up",
                          name, state ? state : "-", update ? update : "-");
            goto done;
        }
        cJSON_Delete(out);
        out = NULL;
        if (pause_ms < 2000)
            pause_ms *= 2;
    }
done:
    cJSON_Delete(out);
    cJSON_Delete(in);
    return rc;
}
