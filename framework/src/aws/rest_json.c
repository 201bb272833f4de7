/* The REST-JSON protocol: Lambda and API Gateway, each operation routed by a
 * table to its method, URL and query string. */
#include "client.h"

#include "strbuf.h"
#include "uri.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A REST-JSON operation: the URL template names input members in braces;
 * `query` lists the members that go in the query string; `rename` gives a
 * body member whose wire name differs from the SDKs' ("sdk=wire"). */
typedef struct route {
    const char *operation;
    const char *method;
    const char *path;
    const char *query;
    const char *rename;
} route;

static const route lambda_routes[] = {
    {"CreateFunction", "POST", "/2015-03-31/functions", NULL, NULL},
    {"GetFunction", "GET", "/2015-03-31/functions/{FunctionName}", "Qualifier", NULL},
    {"GetFunctionConfiguration", "GET", "/2015-03-31/functions/{FunctionName}/configuration",
     "Qualifier", NULL},
    {"UpdateFunctionCode", "PUT", "/2015-03-31/functions/{FunctionName}/code", NULL, NULL},
    {"UpdateFunctionConfiguration", "PUT", "/2015-03-31/functions/{FunctionName}/configuration",
     NULL, NULL},
    {"DeleteFunction", "DELETE", "/2015-03-31/functions/{FunctionName}", "Qualifier", NULL},
    {"AddPermission", "POST", "/2015-03-31/functions/{FunctionName}/policy", "Qualifier", NULL},
    {"RemovePermission", "DELETE", "/2015-03-31/functions/{FunctionName}/policy/{StatementId}",
     "Qualifier,RevisionId", NULL},
    {"GetPolicy", "GET", "/2015-03-31/functions/{FunctionName}/policy", "Qualifier", NULL},
    {"TagResource", "POST", "/2017-03-31/tags/{Resource}", NULL, NULL},
    {"ListTags", "GET", "/2017-03-31/tags/{Resource}", NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static const route apigateway_routes[] = {
    {"CreateRestApi", "POST", "/restapis", NULL, NULL},
    {"GetRestApi", "GET", "/restapis/{restApiId}", NULL, NULL},
    {"GetRestApis", "GET", "/restapis", "position,limit", NULL},
    {"DeleteRestApi", "DELETE", "/restapis/{restApiId}", NULL, NULL},
    {"GetResources", "GET", "/restapis/{restApiId}/resources", "position,limit,embed", NULL},
    {"CreateResource", "POST", "/restapis/{restApiId}/resources/{parentId}", NULL, NULL},
    {"DeleteResource", "DELETE", "/restapis/{restApiId}/resources/{resourceId}", NULL, NULL},
    {"PutMethod", "PUT", "/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}", NULL,
     NULL},
    {"DeleteMethod", "DELETE", "/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}",
     NULL, NULL},
    /* Its body calls the integration's method "httpMethod", like the URL's. */
    {"PutIntegration", "PUT",
     "/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration", NULL,
     "integrationHttpMethod=httpMethod"},
    {"CreateDeployment", "POST", "/restapis/{restApiId}/deployments", NULL, NULL},
    {"GetStage", "GET", "/restapis/{restApiId}/stages/{stageName}", NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL}};

/* A member's value as text: strings as they are, numbers and booleans
 * printed. Caller frees. */
static char *member_text(const cJSON *v)
{
    if (cJSON_IsString(v))
        return cfn__strdup(v->valuestring);
    if (cJSON_IsNumber(v)) {
        char *s = NULL;
        return asprintf(&s, "%.17g", v->valuedouble) < 0 ? NULL : s;
    }
    if (cJSON_IsBool(v))
        return cfn__strdup(cJSON_IsTrue(v) ? "true" : "false");
    return NULL;
}

static bool listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        size_t l = strcspn(p, ",");
        if (l == n && strncmp(p, name, n) == 0)
            return true;
        p += l + (p[l] == ',');
    }
    return false;
}

static int rest_json(cfn_aws *aws, const aws_service *svc, const route *routes,
                     const char *operation, const cJSON *input, cJSON **output)
{
    const route *r = routes;
    strbuf path = {0}, query = {0};
    cJSON *body = NULL;
    char *text = NULL;
    int rc = CFN_EINVAL;
    if (output)
        *output = NULL;
    while (r->operation && strcmp(r->operation, operation) != 0)
        r++;
    if (!r->operation)
        return cfn_error_set(CFN_EINVAL, "%s: unknown operation %s", svc->name, operation);
    if (input && !cJSON_IsObject(input))
        return cfn_error_set(CFN_EINVAL, "%s %s: the input must be a JSON object", svc->name,
                             operation);
    body = input ? cJSON_Duplicate(input, 1) : cJSON_CreateObject();
    if (!body)
        goto oom;
    for (const char *p = r->path; *p;) {
        if (*p != '{') {
            size_t n = strcspn(p, "{");
            if (cfn__sb_append(&path, p, n) < 0)
                goto oom;
            p += n;
            continue;
        }
        size_t n = strcspn(p + 1, "}");
        char name[64];
        snprintf(name, sizeof(name), "%.*s", (int)n, p + 1);
        cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(body, name);
        char *t = member_text(v);
        cJSON_Delete(v);
        if (!t || !*t) {
            free(t);
            rc = cfn_error_set(CFN_EINVAL, "%s %s: %s is required", svc->name, operation, name);
            goto done;
        }
        /* Encoding keeps dots: "." and ".." would name another route. */
        if (strcmp(t, ".") == 0 || strcmp(t, "..") == 0) {
            rc = cfn_error_set(CFN_EINVAL, "%s %s: %s cannot be \"%s\"", svc->name, operation, name,
                               t);
            free(t);
            goto done;
        }
        char *enc = cfn__uri_encode(t, strlen(t), false);
        free(t);
        if (!enc || cfn__sb_append(&path, enc, strlen(enc)) < 0) {
            free(enc);
            goto oom;
        }
        free(enc);
        p += n + 2;
    }
    cJSON *item = body->child;
    while (item) {
        cJSON *next = item->next;
        if (r->query && listed(r->query, item->string)) {
            cJSON *v = cJSON_DetachItemViaPointer(body, item);
            const cJSON *each = cJSON_IsArray(v) ? v->child : v;
            for (; each; each = cJSON_IsArray(v) ? each->next : NULL) {
                char *t = member_text(each);
                char *k = cfn__uri_encode(item->string, strlen(item->string), false);
                char *e = t ? cfn__uri_encode(t, strlen(t), false) : NULL;
                int bad = !t || !k || !e ||
                          cfn__sb_printf(&query, "%s%s=%s", query.len ? "&" : "", k, e) < 0;
                free(t);
                free(k);
                free(e);
                if (bad) {
                    cJSON_Delete(v);
                    goto oom;
                }
            }
            cJSON_Delete(v);
        }
        item = next;
    }
    if (r->rename) {
        char sdk[64];
        const char *wire = strchr(r->rename, '=') + 1;
        snprintf(sdk, sizeof(sdk), "%.*s", (int)(wire - r->rename - 1), r->rename);
        cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(body, sdk);
        if (v && !cJSON_AddItemToObject(body, wire, v)) {
            cJSON_Delete(v);
            goto oom;
        }
    }
    bool send_body = strcmp(r->method, "POST") == 0 || strcmp(r->method, "PUT") == 0;
    if (send_body && !(text = cJSON_PrintUnformatted(body)))
        goto oom;
    aws_call call = {.svc = svc,
                     .operation = operation,
                     .method = r->method,
                     .path = path.data,
                     .query = query.len ? query.data : NULL,
                     .headers = {{"Content-Type", "application/json"}},
                     .nheaders = send_body ? 1 : 0,
                     .body = text,
                     .body_len = text ? strlen(text) : 0};
    http_response res;
    rc = cfn__aws_send(aws, &call, &res);
    if (rc == 0 && output) {
        *output =
            res.body_len ? cJSON_ParseWithLength(res.body, res.body_len) : cJSON_CreateObject();
        if (!*output)
            rc = cfn_error_set(CFN_ERROR, "%s %s: the answer is not JSON", svc->name, operation);
    }
    cfn__http_response_free(&res);
    goto done;
oom:
    rc = cfn_error_set(CFN_ENOMEM, "out of memory");
done:
    cJSON_Delete(body);
    free(text);
    free(path.data);
    free(query.data);
    return rc;
}

int cfn_lambda(cfn_aws *aws, const char *operation, const cJSON *input, cJSON **output)
{
    return rest_json(aws, &cfn__svc_lambda, lambda_routes, operation, input, output);
}

int cfn_apigateway(cfn_aws *aws, const char *operation, const cJSON *input, cJSON **output)
{
    return rest_json(aws, &cfn__svc_apigateway, apigateway_routes, operation, input, output);
}
