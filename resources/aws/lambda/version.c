/* AWS::Lambda::Version: a published version of a function's current code
 * and configuration. Every property cfnkit takes is create-only, so an
 * Update has nothing to change. Ref and GetAtt FunctionArn: the version's
 * ARN; GetAtt Version: its number. */
#include "lambda.h"

#include "aws/native.h"
#include "awsjson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const known[] = {"CodeSha256", "Description", "FunctionName", NULL};

static int answer(cfn_ctx *ctx, const char *arn)
{
    const char *colon = strrchr(arn, ':');
    if (!colon || !colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1))
        return cfn_fail(ctx, "%.200s is not a function version ARN", arn);
    if (cfn_set_data(ctx, "FunctionArn", arn) < 0 || cfn_set_data(ctx, "Version", colon + 1) < 0)
        return -1;
    return cfn_set_physical_id(ctx, arn);
}

static int create(cfn_ctx *ctx)
{
    const char *function, *description, *sha;
    cfn_aws *aws = NULL;
    cJSON *in = NULL, *out = NULL;
    int rc = -1;
    if (native_check_props(ctx, known) < 0 || cfn_prop_string(ctx, "FunctionName", &function) < 0 ||
        cfn_prop_string_or(ctx, "Description", NULL, &description) < 0 ||
        cfn_prop_string_or(ctx, "CodeSha256", NULL, &sha) < 0)
        goto done;
    in = cfnkit_json_strings(cJSON_CreateObject(), "FunctionName", function, "Description",
                             description, "CodeSha256", sha, NULL);
    if (!in || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    /* Lambda publishes nothing new when nothing changed since the last
     * version: the same Create delivered twice gets the same version. */
    if (cfn_aws_call(aws, "lambda", "PublishVersion", in, &out) < 0) {
        rc = cfn_fail(ctx, "%s", cfn_error_last());
        goto done;
    }
    const char *arn = cfn_json_string(out, "FunctionArn");
    rc = arn ? answer(ctx, arn)
             : cfn_fail(ctx, "Lambda PublishVersion: the answer has no FunctionArn");
done:
    if (rc < 0 && !cfn_reason(ctx))
        cfn_fail(ctx, "out of memory");
    cJSON_Delete(in);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : 0;
}

static int update(cfn_ctx *ctx)
{
    if (native_check_props(ctx, known) < 0)
        return -1;
    return answer(ctx, cfn_request_physical_id(ctx));
}

static int remove_version(cfn_ctx *ctx)
{
    const char *arn = cfn_request_physical_id(ctx), *colon = strrchr(arn, ':');
    char function[CFN_MAX_PHYSICAL_ID_BYTES + 1];
    if (strncmp(arn, "arn:", 4) != 0 || !strstr(arn, ":function:") || !colon || !colon[1] ||
        strspn(colon + 1, "0123456789") != strlen(colon + 1)) {
        cfn_log(CFN_LOG_INFO, "%.100s is not a function version ARN: nothing to delete", arn);
        return 0;
    }
    snprintf(function, sizeof(function), "%.*s", (int)(colon - arn), arn);
    /* The function gone, so are its versions. */
    return lambda_delete(ctx, "DeleteFunction",
                         cfnkit_json_strings(cJSON_CreateObject(), "FunctionName", function,
                                             "Qualifier", colon + 1, NULL),
                         NULL, NULL);
}

static const char *const replaces[] = {"FunctionName",  "Description",
                                       "CodeSha256",    "ProvisionedConcurrencyConfig",
                                       "RuntimePolicy", NULL};
static const char *const attributes[] = {"FunctionArn", "Version", NULL};

const cfn_resource_type native_lambda_version = {
    .type = "AWS::Lambda::Version",
    .create = create,
    .update = update,
    .remove = remove_version,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = replaces,
    .attributes = attributes,
};
