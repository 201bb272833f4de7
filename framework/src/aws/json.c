/* The JSON protocols (JSON 1.0 and 1.1): a POST to "/" naming the operation
 * in X-Amz-Target, the input's JSON as the body, the answer's JSON back.
 * Services that spoke query before (SQS, CloudWatch) are told, as the SDKs
 * do, to answer errors with their query codes too (x-amzn-query-mode). */
#include "client.h"
#include "model.h"

#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cfn__aws_json_call(cfn_aws *aws, const aws_op *op, const cJSON *input, cJSON **output)
{
    const aws_model_entry *e = op->m->entry;
    char target[256], type[64];
    snprintf(target, sizeof(target), "%s.%s", e->target_prefix, op->name);
    snprintf(type, sizeof(type), "application/x-amz-json-%s", e->json_version);
    cJSON *wire = input ? cJSON_Duplicate(input, 1) : cJSON_CreateObject();
    char *text = NULL;
    if (!wire || cfn__aws_json_in(op->m, op->input, wire) < 0 ||
        !(text = cJSON_PrintUnformatted(wire))) {
        cJSON_Delete(wire);
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    cJSON_Delete(wire);
    aws_call call = {.svc = &e->svc,
                     .operation = op->name,
                     .method = "POST",
                     .path = "/",
                     .headers = {{"Content-Type", type},
                                 {"X-Amz-Target", target},
                                 {"x-amzn-query-mode", "true"}},
                     .nheaders = e->query_compatible ? 3 : 2,
                     .body = text,
                     .body_len = strlen(text)};
    http_response res;
    int rc = cfn__aws_send(aws, &call, &res);
    if (rc == 0 && output) {
        *output =
            res.body_len ? cJSON_ParseWithLength(res.body, res.body_len) : cJSON_CreateObject();
        if (!*output || !cJSON_IsObject(*output)) {
            cJSON_Delete(*output);
            *output = NULL;
            rc = cfn_error_set(CFN_ERROR, "%s %s: the answer is not a JSON object", e->svc.name,
                               op->name);
        } else if (cfn__aws_json_out(op->m, op->output, *output) < 0) {
            cJSON_Delete(*output);
            *output = NULL;
            rc = cfn_error_set(CFN_ENOMEM, "%s %s: out of memory reading the answer", e->svc.name,
                               op->name);
        }
    }
    cfn__http_response_free(&res);
    free(text);
    return rc;
}

int cfn_dynamodb(cfn_aws *aws, const char *operation, const cJSON *input, cJSON **output)
{
    return cfn_aws_call(aws, "dynamodb", operation, input, output);
}

int cfn_ssm(cfn_aws *aws, const char *operation, const cJSON *input, cJSON **output)
{
    return cfn_aws_call(aws, "ssm", operation, input, output);
}
