/* The JSON protocols: DynamoDB (JSON 1.0) and SSM (JSON 1.1), the operation
 * named in X-Amz-Target. */
#include "client.h"

#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int json_call(cfn_aws *aws, const aws_service *svc, const char *prefix,
                     const char *content_type, const char *operation, const cJSON *input,
                     cJSON **output)
{
    char target[128];
    if (output)
        *output = NULL;
    if (!operation ||
        strspn(operation, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") !=
            strlen(operation) ||
        strlen(operation) > 64)
        return cfn_error_set(CFN_EINVAL, "%s: invalid operation name", svc->name);
    snprintf(target, sizeof(target), "%s.%s", prefix, operation);
    char *text = input ? cJSON_PrintUnformatted(input) : cfn__strdup("{}");
    if (!text)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    aws_call call = {.svc = svc,
                     .operation = operation,
                     .method = "POST",
                     .path = "/",
                     .headers = {{"Content-Type", content_type}, {"X-Amz-Target", target}},
                     .nheaders = 2,
                     .body = text,
                     .body_len = strlen(text)};
    http_response res;
    int rc = cfn__aws_send(aws, &call, &res);
    if (rc == 0 && output && !(*output = cJSON_ParseWithLength(res.body, res.body_len)))
        rc = cfn_error_set(CFN_ERROR, "%s %s: the answer is not JSON", svc->name, operation);
    cfn__http_response_free(&res);
    free(text);
    return rc;
}

int cfn_dynamodb(cfn_aws *aws, const char *operation, const cJSON *input, cJSON **output)
{
    return json_call(aws, &cfn__svc_dynamodb, "DynamoDB_20120810", "application/x-amz-json-1.0",
                     operation, input, output);
}

int cfn_ssm(cfn_aws *aws, const char *operation, const cJSON *input, cJSON **output)
{
    return json_call(aws, &cfn__svc_ssm, "AmazonSSM", "application/x-amz-json-1.1", operation,
                     input, output);
}
