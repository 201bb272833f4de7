/* The API Gateway REST types for the local engine: AWS::ApiGateway::RestApi,
 * ::Resource, ::Method (with its Integration), ::Deployment, ::Stage and
 * ::Authorizer. The template's properties go to API Gateway in its own JSON
 * (camelCase); changes in place are UpdateX patch operations. */
#include "apigw.h"
#include "awsjson.h"
#include "aws/native.h"
#include "resources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Maps of the user's (content types, parameter names, stage variables):
 * their keys are kept as written. */
static const char *const verbatim[] = {
    "RequestTemplates", "ResponseTemplates", "RequestParameters", "ResponseParameters",
    "RequestModels",    "ResponseModels",    "Variables",         NULL};
static const char *const ints[] = {"minimumCompressionSize", "timeoutInMillis",
                                   "authorizerResultTtlInSeconds", NULL};
static const char *const bools[] = {"apiKeyRequired", "disableExecuteApiEndpoint",
                                    "cacheClusterEnabled", "tracingEnabled", NULL};

/* The properties named in `names` (all when NULL) in API Gateway's shape, with
 * the ids of `api`, `resource` and `method` (those not NULL). NULL with the
 * reason set on failure. */
static cJSON *input_of(cfn_ctx *ctx, const char *const *names, const char *api,
                       const char *resource, const char *method)
{
    const cJSON *props = cfn_request_props(ctx), *m;
    cJSON *picked = cJSON_CreateObject();
    const char *bad = NULL;
    cJSON_ArrayForEach(m, props)
    {
        bool wanted = !names;
        for (const char *const *n = names; n && *n; n++)
            wanted |= strcmp(*n, m->string) == 0;
        if (wanted && strcmp(m->string, "ServiceToken") != 0 && picked)
            picked = cfnkit_json_item(picked, m->string, cJSON_Duplicate(m, 1));
    }
    cJSON *in = cfnkit_json_camel(picked, NULL, verbatim);
    cJSON_Delete(picked);
    in = cfnkit_json_strings(in, "restApiId", api, "resourceId", resource, "httpMethod", method,
                             NULL);
    if (!in) {
        cfn_fail(ctx, "out of memory");
        return NULL;
    }
    if (cfnkit_json_coerce(in, ints, bools, NULL, &bad) < 0) {
        cJSON_Delete(in);
        cfn_fail(ctx, "%s: %s has a value of the wrong type", cfn_request_resource_type(ctx),
                 bad ? bad : "a property");
        return NULL;
    }
    return in;
}

/* A string property, or a reason naming it when it is missing. */
static const char *required(cfn_ctx *ctx, const char *name)
{
    const char *v = NULL;
    if (cfn_prop_string(ctx, name, &v) < 0)
        return NULL;
    return v;
}

/* Tags follow the template on the resource `arn`. */
static int retag(cfn_ctx *ctx, cfn_aws *aws, const char *arn)
{
    cJSON *untag = NULL, *tag = NULL;
    if (!cfn_prop_changed(ctx, "Tags"))
        return 0;
    if (native_tag_changes(ctx, "Tags", &untag, &tag) < 0)
        return -1;
    int rc = 0;
    if (cJSON_GetArraySize(untag) > 0)
        rc = apigw_call(
            aws, "UntagResource",
            cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "resourceArn", arn, NULL),
                             "tagKeys", untag),
            NULL);
    else
        cJSON_Delete(untag);
    if (rc == 0 && cJSON_GetArraySize(tag) > 0)
        rc = apigw_call(
            aws, "TagResource",
            cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "resourceArn", arn, NULL),
                             "tags", cfnkit_tag_object(tag)),
            NULL);
    cJSON_Delete(tag);
    return rc;
}

/* One "replace" patch operation when `name` changed: to its new value as
 * text, or "remove" when it is gone. */
static cJSON *patch(cfn_ctx *ctx, cJSON *ops, const char *name, const char *path)
{
    if (!ops || !cfn_prop_changed(ctx, name))
        return ops;
    const cJSON *v = cJSON_GetObjectItem(cfn_request_props(ctx), name);
    char text[64];
    const char *value = NULL;
    if (cJSON_IsString(v))
        value = v->valuestring;
    else if (cJSON_IsBool(v))
        value = cJSON_IsTrue(v) ? "true" : "false";
    else if (cJSON_IsNumber(v)) {
        cfnkit_number_text(v->valuedouble, text, sizeof(text));
        value = text;
    }
    cJSON *op = cfnkit_json_strings(cJSON_CreateObject(), "op", v ? "replace" : "remove", "path",
                                    path, "value", value, NULL);
    if (!op || !cJSON_AddItemToArray(ops, op)) {
        cJSON_Delete(op);
        cJSON_Delete(ops);
        return NULL;
    }
    return ops;
}

/* UpdateX of `target` (the ids of a call) with the patch operations `ops`,
 * both consumed; nothing is called when there is no operation. */
static int patch_call(cfn_aws *aws, const char *op, cJSON *target, cJSON *ops)
{
    if (!ops || !target) {
        cJSON_Delete(ops);
        cJSON_Delete(target);
        return cfn_error_set(CFN_ENOMEM, "API Gateway %s: out of memory", op);
    }
    if (cJSON_GetArraySize(ops) == 0) {
        cJSON_Delete(ops);
        cJSON_Delete(target);
        return 0;
    }
    return apigw_call(aws, op, cfnkit_json_item(target, "patchOperations", ops), NULL);
}

static int gone_ok(cfn_aws *aws, int rc)
{
    return rc < 0 && native_error_is(aws, "NotFoundException") ? 0 : rc;
}

/* ---- AWS::ApiGateway::RestApi ------------------------------------------ */

static const char *const api_props[] = {"ApiKeySourceType",
                                        "BinaryMediaTypes",
                                        "Description",
                                        "DisableExecuteApiEndpoint",
                                        "EndpointConfiguration",
                                        "MinimumCompressionSize",
                                        "Name",
                                        "Policy",
                                        "Tags",
                                        NULL};

static void api_arn(cfn_aws *aws, const char *id, char *out, size_t size)
{
    snprintf(out, size, "arn:aws:apigateway:%s::/restapis/%s", cfn_aws_region(aws), id);
}

static int api_answer(cfn_ctx *ctx, cfn_aws *aws, const char *id)
{
    const char *root = NULL;
    cJSON *all = apigw_list(aws, "GetResources", id);
    if (!all)
        return -1;
    const cJSON *r;
    cJSON_ArrayForEach(r, all)
    {
        const char *path = cfn_json_string(r, "path");
        if (path && strcmp(path, "/") == 0)
            root = cfn_json_string(r, "id");
    }
    int rc =
        !root ? cfn_fail(ctx, "REST API %s has no root resource", id)
        : cfn_set_data(ctx, "RestApiId", id) < 0 || cfn_set_data(ctx, "RootResourceId", root) < 0
            ? -1
            : cfn_set_physical_id(ctx, id);
    cJSON_Delete(all);
    return rc;
}

/* Policy: a JSON object in the template, a string for the API. */
static cJSON *with_policy(cfn_ctx *ctx, cJSON *in)
{
    const cJSON *policy = cJSON_GetObjectItem(cfn_request_props(ctx), "Policy");
    if (!in || !cJSON_IsObject(policy))
        return in;
    char *text = cJSON_PrintUnformatted(policy);
    cJSON_DeleteItemFromObjectCaseSensitive(in, "policy");
    in = cfnkit_json_strings(in, "policy", text, NULL);
    cJSON_free(text);
    return text ? in : NULL;
}

static cJSON *op_of(cJSON *ops, const char *op, const char *path, const char *value)
{
    cJSON *o =
        cfnkit_json_strings(cJSON_CreateObject(), "op", op, "path", path, "value", value, NULL);
    if (!ops || !o || !cJSON_AddItemToArray(ops, o)) {
        cJSON_Delete(o);
        cJSON_Delete(ops);
        return NULL;
    }
    return ops;
}

static bool in_list(const cJSON *list, const char *s)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, list)
    {
        if (cJSON_IsString(m) && strcmp(m->valuestring, s) == 0)
            return true;
    }
    return false;
}

/* `prefix` then `value` as a patch path: "/" written "~1" and "~" "~0", as
 * JSON Pointer escapes them ("image/png" is "image~1png"). */
static void pointer(char *out, size_t size, const char *prefix, const char *value)
{
    size_t n = (size_t)snprintf(out, size, "%s", prefix);
    for (const char *c = value; *c && n + 3 < size; c++)
        n += (size_t)snprintf(out + n, size - n, "%s",
                              *c == '/'   ? "~1"
                              : *c == '~' ? "~0"
                                          : (char[]){*c, 0});
}

/* "add" and "remove" of each binary media type from `old` to `now` (lists). */
static cJSON *media_types(cJSON *ops, const cJSON *old, const cJSON *now)
{
    const cJSON *lists[2] = {old, now}, *m;
    for (int i = 0; i < 2 && ops; i++)
        cJSON_ArrayForEach(m, lists[i])
        {
            if (!cJSON_IsString(m) || in_list(lists[1 - i], m->valuestring))
                continue;
            char path[512];
            pointer(path, sizeof(path), "/binaryMediaTypes/", m->valuestring);
            ops = op_of(ops, i == 0 ? "remove" : "add", path, m->valuestring);
        }
    return ops;
}

static int api_create(cfn_ctx *ctx)
{
    static const char *const create_props[] = {"ApiKeySourceType",
                                               "BinaryMediaTypes",
                                               "Description",
                                               "DisableExecuteApiEndpoint",
                                               "EndpointConfiguration",
                                               "MinimumCompressionSize",
                                               "Name",
                                               "Policy",
                                               NULL};
    cfn_aws *aws = NULL;
    cJSON *in = NULL, *out = NULL;
    int rc = -1;
    if (native_check_props(ctx, api_props) < 0 || !required(ctx, "Name") ||
        !(in = input_of(ctx, create_props, NULL, NULL, NULL)) || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    /* ApiKeySourceType is the API's apiKeySource. */
    cJSON *source = cJSON_DetachItemFromObjectCaseSensitive(in, "apiKeySourceType");
    if (source)
        in = cfnkit_json_item(in, "apiKeySource", source);
    cJSON *tags = NULL;
    if (cfn_prop_has(ctx, "Tags") && in && cfnkit_tags_map(ctx, "Tags", &tags) < 0)
        goto done;
    if (tags)
        in = cfnkit_json_item(in, "tags", tags);
    /* Failing without a reason answers with the AWS error. */
    rc = apigw_call(aws, "CreateRestApi", with_policy(ctx, in), &out);
    in = NULL;
    const char *id = cfn_json_string(out, "id");
    if (rc < 0 || !id) {
        rc = rc < 0 ? -1 : cfn_fail(ctx, "CreateRestApi answered no id");
        goto done;
    }
    /* Binary media types the API did not keep (moto's CreateRestApi drops
     * them) are added; on AWS there are none to add. */
    cJSON *ops = media_types(cJSON_CreateArray(), cJSON_GetObjectItem(out, "binaryMediaTypes"),
                             cJSON_GetObjectItem(cfn_request_props(ctx), "BinaryMediaTypes"));
    if (patch_call(aws, "UpdateRestApi", apigw_ids(id, NULL, NULL), ops) < 0) {
        rc = cfn_fail(ctx, "%s", cfn_error_last());
        apigw_call(aws, "DeleteRestApi", apigw_ids(id, NULL, NULL), NULL);
        goto done;
    }
    rc = api_answer(ctx, aws, id);
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

static const char *first_type(const cJSON *props)
{
    const cJSON *t = cJSON_GetArrayItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(props, "EndpointConfiguration"), "Types"), 0);
    return cJSON_IsString(t) ? t->valuestring : "EDGE";
}

/* The endpoint type ("EDGE", "REGIONAL", "PRIVATE") replaced in place. */
static cJSON *endpoint_type(cfn_ctx *ctx, cJSON *ops)
{
    const char *now = first_type(cfn_request_props(ctx)),
               *old = first_type(cfn_request_old_props(ctx));
    char path[128];
    if (strcmp(now, old) == 0)
        return ops;
    snprintf(path, sizeof(path), "/endpointConfiguration/types/%s", old);
    return op_of(ops, "replace", path, now);
}

static int api_update(cfn_ctx *ctx)
{
    const char *id = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    char arn[256];
    int rc = -1;
    if (native_check_props(ctx, api_props) < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    const cJSON *vpce[2] = {
        cJSON_GetObjectItem(cJSON_GetObjectItem(cfn_request_props(ctx), "EndpointConfiguration"),
                            "VpcEndpointIds"),
        cJSON_GetObjectItem(
            cJSON_GetObjectItem(cfn_request_old_props(ctx), "EndpointConfiguration"),
            "VpcEndpointIds")};
    if (!cJSON_Compare(vpce[0], vpce[1], true) && (vpce[0] || vpce[1])) {
        rc = cfn_fail(ctx, "AWS::ApiGateway::RestApi: changing EndpointConfiguration."
                           "VpcEndpointIds in place is not supported by cfnkit's local engine");
        goto done;
    }
    cJSON *ops = cJSON_CreateArray();
    ops = patch(ctx, ops, "Name", "/name");
    ops = patch(ctx, ops, "Description", "/description");
    ops = patch(ctx, ops, "ApiKeySourceType", "/apiKeySource");
    ops = patch(ctx, ops, "MinimumCompressionSize", "/minimumCompressionSize");
    ops = patch(ctx, ops, "DisableExecuteApiEndpoint", "/disableExecuteApiEndpoint");
    ops = media_types(ops, cJSON_GetObjectItem(cfn_request_old_props(ctx), "BinaryMediaTypes"),
                      cJSON_GetObjectItem(cfn_request_props(ctx), "BinaryMediaTypes"));
    ops = endpoint_type(ctx, ops);
    if (ops && cfn_prop_changed(ctx, "Policy")) {
        cJSON *p = with_policy(
            ctx, input_of(ctx, (const char *const[]){"Policy", NULL}, NULL, NULL, NULL));
        const char *text = cfn_json_string(p, "policy");
        cJSON *op = cfnkit_json_strings(cJSON_CreateObject(), "op", "replace", "path", "/policy",
                                        "value", text ? text : "", NULL);
        cJSON_Delete(p);
        if (!op || !cJSON_AddItemToArray(ops, op)) {
            cJSON_Delete(op);
            cJSON_Delete(ops);
            ops = NULL;
        }
    }
    if (patch_call(aws, "UpdateRestApi", apigw_ids(id, NULL, NULL), ops) < 0)
        goto done;
    api_arn(aws, id, arn, sizeof(arn));
    if (retag(ctx, aws, arn) < 0) {
        rc = cfn_fail(ctx, "changing the tags of REST API %s failed: %s", id, cfn_error_last());
        goto done;
    }
    rc = api_answer(ctx, aws, id);
done:
    cfn_aws_free(aws);
    return rc;
}

static int api_remove(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    /* Gone already is success; moto answers a DeleteRestApi of an API it
     * does not have with HTTP 500 where AWS says NotFoundException, so look
     * first. */
    const char *id = cfn_request_physical_id(ctx);
    int rc = gone_ok(aws, apigw_call(aws, "GetRestApi", apigw_ids(id, NULL, NULL), NULL));
    if (rc == 0 && !native_error_is(aws, "NotFoundException"))
        rc = gone_ok(aws, apigw_call(aws, "DeleteRestApi", apigw_ids(id, NULL, NULL), NULL));
    cfn_aws_free(aws);
    return rc;
}

static const char *const api_attributes[] = {"RestApiId", "RootResourceId", NULL};
static const char *const api_write_only[] = {
    "Body", "BodyS3Location", "CloneFrom", "FailOnWarnings", "Mode", "Parameters", NULL};

static const cfn_resource_type rest_api_type = {
    .type = "AWS::ApiGateway::RestApi",
    .create = api_create,
    .update = api_update,
    .remove = api_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .attributes = api_attributes,
    .write_only = api_write_only,
};

/* ---- AWS::ApiGateway::Resource ----------------------------------------- */

static const char *const resource_props[] = {"ParentId", "PathPart", "RestApiId", NULL};

static int resource_create(cfn_ctx *ctx)
{
    const char *api, *parent, *part;
    cfn_aws *aws = NULL;
    cJSON *out = NULL;
    if (native_check_props(ctx, resource_props) < 0 || !(api = required(ctx, "RestApiId")) ||
        !(parent = required(ctx, "ParentId")) || !(part = required(ctx, "PathPart")) ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    /* Failing without a reason answers with the AWS error. */
    int rc = apigw_call(
        aws, "CreateResource",
        cfnkit_json_strings(apigw_ids(api, NULL, NULL), "parentId", parent, "pathPart", part, NULL),
        &out);
    const char *id = cfn_json_string(out, "id");
    if (rc == 0 && !id)
        rc = cfn_fail(ctx, "CreateResource answered no id");
    if (rc == 0 && cfn_set_data(ctx, "ResourceId", id) == 0)
        rc = cfn_set_physical_id(ctx, id);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

/* Every property is create-only: an Update changes nothing. */
static int resource_update(cfn_ctx *ctx)
{
    const char *id = cfn_request_physical_id(ctx);
    if (native_check_props(ctx, resource_props) < 0 || cfn_set_data(ctx, "ResourceId", id) < 0)
        return -1;
    return cfn_set_physical_id(ctx, id);
}

static int resource_remove(cfn_ctx *ctx)
{
    const char *api = NULL;
    cfn_aws *aws = NULL;
    if (cfn_prop_string_or(ctx, "RestApiId", NULL, &api) < 0 || !api)
        return 0; /* no API named: nothing of ours */
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    /* Gone already is success; moto answers a DeleteResource of a resource
     * it does not have with HTTP 500 where AWS says NotFoundException, so
     * look first. */
    const char *id = cfn_request_physical_id(ctx);
    int rc = gone_ok(aws, apigw_call(aws, "GetResource", apigw_ids(api, id, NULL), NULL));
    if (rc == 0 && !native_error_is(aws, "NotFoundException"))
        rc = gone_ok(aws, apigw_call(aws, "DeleteResource", apigw_ids(api, id, NULL), NULL));
    cfn_aws_free(aws);
    return rc;
}

static const char *const resource_replaces[] = {"ParentId", "PathPart", "RestApiId", NULL};
static const char *const resource_attributes[] = {"ResourceId", NULL};

static const cfn_resource_type resource_type = {
    .type = "AWS::ApiGateway::Resource",
    .create = resource_create,
    .update = resource_update,
    .remove = resource_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = resource_replaces,
    .attributes = resource_attributes,
};

/* ---- AWS::ApiGateway::Method ------------------------------------------- */

static const char *const method_props[] = {"ApiKeyRequired",     "AuthorizationScopes",
                                           "AuthorizationType",  "AuthorizerId",
                                           "HttpMethod",         "Integration",
                                           "MethodResponses",    "OperationName",
                                           "RequestModels",      "RequestParameters",
                                           "RequestValidatorId", "ResourceId",
                                           "RestApiId",          NULL};
static const char *const method_put[] = {
    "ApiKeyRequired",    "AuthorizationScopes", "AuthorizationType",
    "AuthorizerId",      "OperationName",       "RequestModels",
    "RequestParameters", "RequestValidatorId",  NULL};

typedef struct method_id {
    const char *api, *resource;
    char method[16];
} method_id;

/* The method's ids from the properties (HttpMethod in capitals). */
static int method_ids(cfn_ctx *ctx, method_id *m)
{
    const char *method;
    if (!(m->api = required(ctx, "RestApiId")) || !(m->resource = required(ctx, "ResourceId")) ||
        !(method = required(ctx, "HttpMethod")))
        return -1;
    size_t n = strlen(method);
    if (n == 0 || n >= sizeof(m->method))
        return cfn_fail(ctx, "HttpMethod \"%.20s\" is not an HTTP method", method);
    for (size_t i = 0; i <= n; i++)
        m->method[i] = (char)(method[i] >= 'a' && method[i] <= 'z' ? method[i] - 32 : method[i]);
    return 0;
}

/* Each entry of `list` (method or integration responses as the template
 * gives them), in API Gateway's shape, put with `op` on the method. */
static int put_each(cfn_aws *aws, const method_id *m, const cJSON *list, const char *op)
{
    const cJSON *item;
    const char *bad;
    cJSON_ArrayForEach(item, list)
    {
        cJSON *in = cfnkit_json_camel(item, NULL, verbatim);
        if (in)
            cfnkit_json_coerce(in, NULL, NULL, (const char *const[]){"statusCode", NULL}, &bad);
        if (apigw_call(aws, op,
                       cfnkit_json_strings(in, "restApiId", m->api, "resourceId", m->resource,
                                           "httpMethod", m->method, NULL),
                       NULL) < 0)
            return -1;
    }
    return 0;
}

/* The method, its responses, its integration and the integration's
 * responses, as the template gives them. No reason set on failure. */
static int method_put_all(cfn_ctx *ctx, cfn_aws *aws, const method_id *m)
{
    const cJSON *props = cfn_request_props(ctx),
                *integration = cJSON_GetObjectItem(props, "Integration");
    cJSON *in = input_of(ctx, method_put, m->api, m->resource, m->method);
    if (in && !cJSON_GetObjectItem(in, "authorizationType"))
        in = cfnkit_json_strings(in, "authorizationType", "NONE", NULL);
    if (!in || apigw_call(aws, "PutMethod", in, NULL) < 0 ||
        put_each(aws, m, cJSON_GetObjectItem(props, "MethodResponses"), "PutMethodResponse") < 0)
        return -1;
    if (!integration)
        return 0;
    cJSON *ig = cfnkit_json_camel(integration, NULL, verbatim);
    const char *bad;
    cJSON *responses = cJSON_DetachItemFromObjectCaseSensitive(ig, "integrationResponses");
    cJSON_Delete(responses);
    if (ig)
        cfnkit_json_coerce(ig, ints, NULL, NULL, &bad);
    if (apigw_call(aws, "PutIntegration",
                   cfnkit_json_strings(ig, "restApiId", m->api, "resourceId", m->resource,
                                       "httpMethod", m->method, NULL),
                   NULL) < 0)
        return -1;
    return put_each(aws, m, cJSON_GetObjectItem(integration, "IntegrationResponses"),
                    "PutIntegrationResponse");
}

/* "RestApiId|ResourceId|HttpMethod", CloudFormation's primary identifier. */
static int method_answer(cfn_ctx *ctx, const method_id *m)
{
    char id[300];
    snprintf(id, sizeof(id), "%s|%s|%s", m->api, m->resource, m->method);
    return cfn_set_physical_id(ctx, id);
}

static int method_create(cfn_ctx *ctx)
{
    method_id m;
    cfn_aws *aws = NULL;
    if (native_check_props(ctx, method_props) < 0 || method_ids(ctx, &m) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    /* Failing without a reason answers with the AWS error. */
    int rc = method_put_all(ctx, aws, &m);
    if (rc < 0 && !native_error_is(aws, "ConflictException")) {
        /* A failed Create gets no Delete: take back what was made. */
        char why[1024];
        snprintf(why, sizeof(why), "%s", cfn_error_last());
        apigw_call(aws, "DeleteMethod", apigw_ids(m.api, m.resource, m.method), NULL);
        rc = cfn_fail(ctx, "%s", why);
    }
    cfn_aws_free(aws);
    return rc < 0 ? -1 : method_answer(ctx, &m);
}

/* The method is written anew: API Gateway's UpdateMethod and
 * UpdateIntegration take patch operations, which moto does not implement;
 * putting the method again gives the same end state. */
static int method_update(cfn_ctx *ctx)
{
    method_id m;
    cfn_aws *aws = NULL;
    if (native_check_props(ctx, method_props) < 0 || method_ids(ctx, &m) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc =
        gone_ok(aws, apigw_call(aws, "DeleteMethod", apigw_ids(m.api, m.resource, m.method), NULL));
    if (rc == 0)
        rc = method_put_all(ctx, aws, &m);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : method_answer(ctx, &m);
}

static int method_remove(cfn_ctx *ctx)
{
    char api[64], resource[64], method[16];
    cfn_aws *aws = NULL;
    if (sscanf(cfn_request_physical_id(ctx), "%63[^|]|%63[^|]|%15s", api, resource, method) != 3)
        return 0; /* not an id this type gives: nothing of ours */
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = gone_ok(aws, apigw_call(aws, "DeleteMethod", apigw_ids(api, resource, method), NULL));
    cfn_aws_free(aws);
    return rc;
}

static const char *const method_replaces[] = {"HttpMethod", "ResourceId", "RestApiId", NULL};

static const cfn_resource_type method_type = {
    .type = "AWS::ApiGateway::Method",
    .create = method_create,
    .update = method_update,
    .remove = method_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = method_replaces,
};

/* ---- AWS::ApiGateway::Deployment --------------------------------------- */

static const char *const deployment_props[] = {"Description", "RestApiId", "StageName", NULL};

static int deployment_answer(cfn_ctx *ctx, const char *id)
{
    if (cfn_set_data(ctx, "DeploymentId", id) < 0)
        return -1;
    return cfn_set_physical_id(ctx, id);
}

static int deployment_create(cfn_ctx *ctx)
{
    const char *api, *description = NULL, *stage = NULL;
    cfn_aws *aws = NULL;
    cJSON *out = NULL;
    if (native_check_props(ctx, deployment_props) < 0 || !(api = required(ctx, "RestApiId")) ||
        cfn_prop_string_or(ctx, "Description", NULL, &description) < 0 ||
        cfn_prop_string_or(ctx, "StageName", NULL, &stage) < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    /* Failing without a reason answers with the AWS error. */
    int rc = apigw_call(aws, "CreateDeployment",
                        cfnkit_json_strings(apigw_ids(api, NULL, NULL), "description", description,
                                            "stageName", stage, NULL),
                        &out);
    const char *id = cfn_json_string(out, "id");
    if (rc == 0)
        rc = id ? deployment_answer(ctx, id) : cfn_fail(ctx, "CreateDeployment answered no id");
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

/* The stage named `stage` of `api` serves deployment `id`: made, or moved. */
static int point_stage(cfn_aws *aws, const char *api, const char *stage, const char *id)
{
    int rc = patch_call(aws, "UpdateStage",
                        cfnkit_json_strings(apigw_ids(api, NULL, NULL), "stageName", stage, NULL),
                        op_of(cJSON_CreateArray(), "replace", "/deploymentId", id));
    if (rc < 0 && native_error_is(aws, "NotFoundException"))
        rc = apigw_call(aws, "CreateStage",
                        cfnkit_json_strings(apigw_ids(api, NULL, NULL), "stageName", stage,
                                            "deploymentId", id, NULL),
                        NULL);
    return rc;
}

static int deployment_update(cfn_ctx *ctx)
{
    const char *id = cfn_request_physical_id(ctx), *api, *stage = NULL;
    cfn_aws *aws = NULL;
    if (native_check_props(ctx, deployment_props) < 0 || !(api = required(ctx, "RestApiId")) ||
        cfn_prop_string_or(ctx, "StageName", NULL, &stage) < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    /* moto has no UpdateDeployment: its error says so. */
    int rc = patch_call(aws, "UpdateDeployment",
                        cfnkit_json_strings(apigw_ids(api, NULL, NULL), "deploymentId", id, NULL),
                        patch(ctx, cJSON_CreateArray(), "Description", "/description"));
    if (rc == 0 && stage && cfn_prop_changed(ctx, "StageName"))
        rc = point_stage(aws, api, stage, id);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : deployment_answer(ctx, id);
}

/* The stage the deployment made (StageName) goes with it, when it still
 * serves this deployment; API Gateway refuses to delete a deployment a
 * stage serves. */
static int deployment_remove(cfn_ctx *ctx)
{
    const char *id = cfn_request_physical_id(ctx), *api = NULL, *stage = NULL;
    cfn_aws *aws = NULL;
    cJSON *out = NULL;
    if (cfn_prop_string_or(ctx, "RestApiId", NULL, &api) < 0 || !api)
        return 0; /* no API named: nothing of ours */
    if (cfn_prop_string_or(ctx, "StageName", NULL, &stage) < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    if (stage &&
        apigw_call(aws, "GetStage",
                   cfnkit_json_strings(apigw_ids(api, NULL, NULL), "stageName", stage, NULL),
                   &out) == 0) {
        const char *serves = cfn_json_string(out, "deploymentId");
        if (serves && strcmp(serves, id) == 0)
            apigw_call(aws, "DeleteStage",
                       cfnkit_json_strings(apigw_ids(api, NULL, NULL), "stageName", stage, NULL),
                       NULL);
    }
    cJSON_Delete(out);
    int rc = gone_ok(
        aws, apigw_call(aws, "DeleteDeployment",
                        cfnkit_json_strings(apigw_ids(api, NULL, NULL), "deploymentId", id, NULL),
                        NULL));
    cfn_aws_free(aws);
    return rc;
}

static const char *const deployment_replaces[] = {"DeploymentCanarySettings", "RestApiId", NULL};
static const char *const deployment_attributes[] = {"DeploymentId", NULL};
static const char *const deployment_write_only[] = {"DeploymentCanarySettings", "StageDescription",
                                                    "StageName", NULL};

static const cfn_resource_type deployment_type = {
    .type = "AWS::ApiGateway::Deployment",
    .create = deployment_create,
    .update = deployment_update,
    .remove = deployment_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = deployment_replaces,
    .attributes = deployment_attributes,
    .write_only = deployment_write_only,
};

/* ---- AWS::ApiGateway::Stage -------------------------------------------- */

static const char *const stage_props[] = {
    "CacheClusterEnabled", "CacheClusterSize", "ClientCertificateId",
    "DeploymentId",        "Description",      "DocumentationVersion",
    "RestApiId",           "StageName",        "Tags",
    "TracingEnabled",      "Variables",        NULL};
static const char *const stage_create_props[] = {
    "CacheClusterEnabled",  "CacheClusterSize", "DeploymentId", "Description",
    "DocumentationVersion", "TracingEnabled",   "Variables",    NULL};

static int stage_create(cfn_ctx *ctx)
{
    const char *api, *given = NULL;
    char *name = NULL;
    cfn_aws *aws = NULL;
    cJSON *in = NULL;
    int rc = -1;
    if (native_check_props(ctx, stage_props) < 0 || !(api = required(ctx, "RestApiId")))
        return -1;
    if (cfn_prop_string_or(ctx, "StageName", NULL, &given) < 0)
        return -1;
    if (given && !(name = strdup(given)))
        return cfn_fail(ctx, "out of memory");
    if ((!given && native_name(ctx, 128, 0, &name) < 0) ||
        !(in = input_of(ctx, stage_create_props, api, NULL, NULL)) ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    cJSON *tags = NULL;
    if (cfn_prop_has(ctx, "Tags") && cfnkit_tags_map(ctx, "Tags", &tags) < 0)
        goto done;
    if (tags)
        in = cfnkit_json_item(in, "tags", tags);
    /* Failing without a reason answers with the AWS error. */
    rc = apigw_call(aws, "CreateStage", cfnkit_json_strings(in, "stageName", name, NULL), NULL);
    in = NULL;
    const char *cert = NULL;
    cfn_prop_string_or(ctx, "ClientCertificateId", NULL, &cert);
    if (rc == 0 && cert)
        rc = patch_call(aws, "UpdateStage",
                        cfnkit_json_strings(apigw_ids(api, NULL, NULL), "stageName", name, NULL),
                        op_of(cJSON_CreateArray(), "replace", "/clientCertificateId", cert));
    if (rc == 0)
        rc = cfn_set_physical_id(ctx, name);
done:
    cJSON_Delete(in);
    cfn_aws_free(aws);
    free(name);
    return rc;
}

/* Stage variables: "/variables/NAME" replaced, or removed when gone. */
static cJSON *variables(cfn_ctx *ctx, cJSON *ops)
{
    const cJSON *now = cJSON_GetObjectItem(cfn_request_props(ctx), "Variables"),
                *old = cJSON_GetObjectItem(cfn_request_old_props(ctx), "Variables"), *v;
    char path[300];
    cJSON_ArrayForEach(v, old)
    {
        if (!cJSON_GetObjectItem(now, v->string)) {
            snprintf(path, sizeof(path), "/variables/%s", v->string);
            ops = op_of(ops, "remove", path, NULL);
        }
    }
    cJSON_ArrayForEach(v, now)
    {
        const cJSON *was = cJSON_GetObjectItem(old, v->string);
        if (cJSON_IsString(v) && !(was && cJSON_Compare(v, was, true))) {
            snprintf(path, sizeof(path), "/variables/%s", v->string);
            ops = op_of(ops, "replace", path, v->valuestring);
        }
    }
    return ops;
}

static int stage_update(cfn_ctx *ctx)
{
    const char *api, *name = cfn_request_physical_id(ctx);
    char arn[512];
    cfn_aws *aws = NULL;
    if (native_check_props(ctx, stage_props) < 0 || !(api = required(ctx, "RestApiId")) ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    cJSON *ops = cJSON_CreateArray();
    ops = patch(ctx, ops, "DeploymentId", "/deploymentId");
    ops = patch(ctx, ops, "Description", "/description");
    ops = patch(ctx, ops, "CacheClusterEnabled", "/cacheClusterEnabled");
    ops = patch(ctx, ops, "CacheClusterSize", "/cacheClusterSize");
    ops = patch(ctx, ops, "TracingEnabled", "/tracingEnabled");
    ops = patch(ctx, ops, "ClientCertificateId", "/clientCertificateId");
    ops = patch(ctx, ops, "DocumentationVersion", "/documentationVersion");
    ops = variables(ctx, ops);
    int rc =
        patch_call(aws, "UpdateStage",
                   cfnkit_json_strings(apigw_ids(api, NULL, NULL), "stageName", name, NULL), ops);
    snprintf(arn, sizeof(arn), "arn:aws:apigateway:%s::/restapis/%s/stages/%s", cfn_aws_region(aws),
             api, name);
    if (rc == 0)
        rc = retag(ctx, aws, arn);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : cfn_set_physical_id(ctx, name);
}

static int stage_remove(cfn_ctx *ctx)
{
    const char *api = NULL;
    cfn_aws *aws = NULL;
    if (cfn_prop_string_or(ctx, "RestApiId", NULL, &api) < 0 || !api)
        return 0; /* no API named: nothing of ours */
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = gone_ok(aws, apigw_call(aws, "DeleteStage",
                                     cfnkit_json_strings(apigw_ids(api, NULL, NULL), "stageName",
                                                         cfn_request_physical_id(ctx), NULL),
                                     NULL));
    cfn_aws_free(aws);
    return rc;
}

static const char *const stage_replaces[] = {"RestApiId", "StageName", NULL};

static const cfn_resource_type stage_type = {
    .type = "AWS::ApiGateway::Stage",
    .create = stage_create,
    .update = stage_update,
    .remove = stage_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = stage_replaces,
};

/* ---- AWS::ApiGateway::Authorizer -------------------------------------- */

static const char *const authorizer_props[] = {"AuthType",
                                               "AuthorizerCredentials",
                                               "AuthorizerResultTtlInSeconds",
                                               "AuthorizerUri",
                                               "IdentitySource",
                                               "IdentityValidationExpression",
                                               "Name",
                                               "ProviderARNs",
                                               "RestApiId",
                                               "Type",
                                               NULL};

static int authorizer_answer(cfn_ctx *ctx, const char *id)
{
    if (cfn_set_data(ctx, "AuthorizerId", id) < 0)
        return -1;
    return cfn_set_physical_id(ctx, id);
}

static int authorizer_create(cfn_ctx *ctx)
{
    const char *api;
    cfn_aws *aws = NULL;
    cJSON *in = NULL, *out = NULL;
    if (native_check_props(ctx, authorizer_props) < 0 || !(api = required(ctx, "RestApiId")) ||
        !required(ctx, "Name") || !required(ctx, "Type") ||
        !(in = input_of(ctx, authorizer_props, NULL, NULL, NULL)) ||
        cfn_aws_for(ctx, NULL, &aws) < 0) {
        cJSON_Delete(in);
        return -1;
    }
    /* Failing without a reason answers with the AWS error. */
    int rc = apigw_call(aws, "CreateAuthorizer", in, &out);
    const char *id = cfn_json_string(out, "id");
    if (rc == 0)
        rc = id ? authorizer_answer(ctx, id) : cfn_fail(ctx, "CreateAuthorizer answered no id");
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

static int authorizer_update(cfn_ctx *ctx)
{
    const char *id = cfn_request_physical_id(ctx), *api;
    cfn_aws *aws = NULL;
    if (native_check_props(ctx, authorizer_props) < 0 || !(api = required(ctx, "RestApiId")) ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    cJSON *ops = cJSON_CreateArray();
    ops = patch(ctx, ops, "Name", "/name");
    ops = patch(ctx, ops, "Type", "/type");
    ops = patch(ctx, ops, "AuthType", "/authType");
    ops = patch(ctx, ops, "AuthorizerUri", "/authorizerUri");
    ops = patch(ctx, ops, "AuthorizerCredentials", "/authorizerCredentials");
    ops = patch(ctx, ops, "IdentitySource", "/identitySource");
    ops = patch(ctx, ops, "IdentityValidationExpression", "/identityValidationExpression");
    ops = patch(ctx, ops, "AuthorizerResultTtlInSeconds", "/authorizerResultTtlInSeconds");
    /* Provider ARNs are added and removed one by one, as the API wants. */
    const cJSON *lists[2] = {cJSON_GetObjectItem(cfn_request_old_props(ctx), "ProviderARNs"),
                             cJSON_GetObjectItem(cfn_request_props(ctx), "ProviderARNs")},
                *m;
    for (int i = 0; i < 2 && ops; i++)
        cJSON_ArrayForEach(m, lists[i])
        {
            char path[600];
            if (!cJSON_IsString(m) || in_list(lists[1 - i], m->valuestring))
                continue;
            pointer(path, sizeof(path), "/providerARNs/", m->valuestring);
            ops = op_of(ops, i == 0 ? "remove" : "add", path, NULL);
        }
    int rc =
        patch_call(aws, "UpdateAuthorizer",
                   cfnkit_json_strings(apigw_ids(api, NULL, NULL), "authorizerId", id, NULL), ops);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : authorizer_answer(ctx, id);
}

static int authorizer_remove(cfn_ctx *ctx)
{
    const char *api = NULL;
    cfn_aws *aws = NULL;
    if (cfn_prop_string_or(ctx, "RestApiId", NULL, &api) < 0 || !api)
        return 0; /* no API named: nothing of ours */
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    /* Gone already is success (looked at first, as for the other types). */
    cJSON *id = cfnkit_json_strings(apigw_ids(api, NULL, NULL), "authorizerId",
                                    cfn_request_physical_id(ctx), NULL);
    int rc = gone_ok(aws, apigw_call(aws, "GetAuthorizer", cJSON_Duplicate(id, 1), NULL));
    if (rc == 0 && !native_error_is(aws, "NotFoundException")) {
        rc = gone_ok(aws, apigw_call(aws, "DeleteAuthorizer", id, NULL));
        id = NULL;
    }
    cJSON_Delete(id);
    cfn_aws_free(aws);
    return rc;
}

static const char *const authorizer_replaces[] = {"RestApiId", NULL};
static const char *const authorizer_attributes[] = {"AuthorizerId", NULL};

static const cfn_resource_type authorizer_type = {
    .type = "AWS::ApiGateway::Authorizer",
    .create = authorizer_create,
    .update = authorizer_update,
    .remove = authorizer_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = authorizer_replaces,
    .attributes = authorizer_attributes,
};

const cfn_resource_type *const cfnkit_native_apigateway[] = {
    &rest_api_type, &resource_type,   &method_type, &deployment_type,
    &stage_type,    &authorizer_type, NULL};
