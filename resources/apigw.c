/* API Gateway calls shared by the modules that make REST APIs. */
#include "apigw.h"

#include "awsjson.h"

#include <stdlib.h>
#include <string.h>

/* 500 items a page: more pages than any account's APIs or resources fill. */
#define MAX_PAGES 1000

int apigw_call(cfn_aws *aws, const char *op, cJSON *in, cJSON **out)
{
    if (!in)
        return cfn_error_set(CFN_ENOMEM, "API Gateway %s: out of memory", op);
    int rc = cfn_aws_call(aws, "apigateway", op, in, out);
    cJSON_Delete(in);
    return rc;
}

cJSON *apigw_ids(const char *api, const char *resource, const char *method)
{
    return cfnkit_json_strings(cJSON_CreateObject(), "restApiId", api, "resourceId", resource,
                               "httpMethod", method, NULL);
}

cJSON *apigw_list(cfn_aws *aws, const char *op, const char *api)
{
    cJSON *all = cJSON_CreateArray();
    char *position = NULL;
    int page = 0;
    do {
        if (++page > MAX_PAGES) {
            /* An answer that always gives another position never ends. */
            cfn_error_set(CFN_EIO, "API Gateway %s: still more after %d pages of 500", op,
                          MAX_PAGES);
            free(position);
            cJSON_Delete(all);
            return NULL;
        }
        cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "restApiId", api, "position",
                                        position, NULL),
              *out = NULL;
        free(position);
        position = NULL;
        int rc = apigw_call(aws, op, cfnkit_json_number(in, "limit", 500), &out);
        if (rc == 0 && !all)
            rc = cfn_error_set(CFN_ENOMEM, "API Gateway %s: out of memory", op);
        if (rc < 0) {
            cJSON_Delete(out);
            cJSON_Delete(all);
            return NULL;
        }
        cJSON *items = cJSON_DetachItemFromObject(out, "items"), *it;
        while (items && (it = cJSON_DetachItemViaPointer(items, items->child)) != NULL)
            cJSON_AddItemToArray(all, it);
        cJSON_Delete(items);
        const cJSON *pos = cJSON_GetObjectItem(out, "position");
        if (cJSON_IsString(pos) && *pos->valuestring)
            position = strdup(pos->valuestring);
        cJSON_Delete(out);
    } while (position);
    return all;
}
