/* The native AWS::Lambda:: types, as the build lists them, and what they
 * share. */
#include "lambda.h"

const cfn_resource_type *const cfnkit_native_lambda[] = {
    &native_lambda_function,      &native_lambda_permission,
    &native_lambda_layer_version, &native_lambda_event_source_mapping,
    &native_lambda_version,       NULL,
};

int lambda_delete(cfn_ctx *ctx, const char *operation, cJSON *in, const char *what, const char *id)
{
    cfn_aws *aws = NULL;
    if (!in)
        return cfn_fail(ctx, "out of memory");
    int rc = cfn_aws_for(ctx, NULL, &aws);
    if (rc == 0 && (rc = cfn_lambda(aws, operation, in, NULL)) < 0) {
        if (cfn_aws_error_is(aws, "ResourceNotFoundException")) {
            if (what)
                cfn_log(CFN_LOG_INFO, "%s %s is already gone", what, id);
            rc = 0;
        } else {
            rc = cfn_fail(ctx, "%s", cfn_error_last());
        }
    }
    cJSON_Delete(in);
    cfn_aws_free(aws);
    return rc;
}
