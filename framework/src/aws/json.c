/* The JSON 1.0 protocol: DynamoDB, the operation named in X-Amz-Target. */
#include "client.h"

#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cfn_dynamodb(cfn_aws *aws, const char *operation, const cJSON *input, cJSON **output)
{
    char target[128];
    if (output)
        *output = NULL;
    if (!operation ||
        strspn(operation, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") !=
            strlen(operation) ||
        strlen(operation) > 64)
        return cfn_error_set(CFN_EINVAL, "DynamoDB: invalid operation name");
    snprintf(target, sizeof(target), "DynamoDB_20120810.%s", operation);
    char *text = input ? cJSON_PrintUnformatted(input) : cfn__strdup("{}");
    if (!text)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    aws_call call = {
        .svc = &cfn__svc_dynamodb,
        .operation = operation,
        .method = "POST",
        .path = "/",
        .headers = {{"Content-Type", "application/x-amz-json-1.0"}, {"X-Amz-Target", target}},
        .nheaders = 2,
        .body = text,
        .body_len = strlen(text)};
    http_response res;
    int rc = cfn__aws_send(aws, &call, &res);
    if (rc == 0 && output && !(*output = cJSON_ParseWithLength(res.body, res.body_len)))
        rc = cfn_error_set(CFN_ERROR, "DynamoDB %s: the answer is not JSON", operation);
    cfn__http_response_free(&res);
    free(text);
    return rc;
}
