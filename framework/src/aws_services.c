/* The calls: DynamoDB (JSON 1.0), Lambda and API Gateway (REST-JSON, routed
 * by a table), IAM and STS (query), S3 (REST-XML, streaming to and from
 * files). */
#include "aws_internal.h"
#include "sigv4.h"
#include "xml.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
        return xstrdup(v->valuestring);
    if (cJSON_IsNumber(v)) {
        char *s = NULL;
        return asprintf(&s, "%.17g", v->valuedouble) < 0 ? NULL : s;
    }
    if (cJSON_IsBool(v))
        return xstrdup(cJSON_IsTrue(v) ? "true" : "false");
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
            if (sb_append(&path, p, n) < 0)
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
        char *enc = sigv4_uri_encode(t, strlen(t), false);
        free(t);
        if (!enc || sb_append(&path, enc, strlen(enc)) < 0) {
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
                char *k = sigv4_uri_encode(item->string, strlen(item->string), false);
                char *e = t ? sigv4_uri_encode(t, strlen(t), false) : NULL;
                int bad =
                    !t || !k || !e || sb_printf(&query, "%s%s=%s", query.len ? "&" : "", k, e) < 0;
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
    rc = aws_send(aws, &call, &res);
    if (rc == 0 && output) {
        *output =
            res.body_len ? cJSON_ParseWithLength(res.body, res.body_len) : cJSON_CreateObject();
        if (!*output)
            rc = cfn_error_set(CFN_ERROR, "%s %s: the answer is not JSON", svc->name, operation);
    }
    http_response_free(&res);
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
    return rest_json(aws, &AWS_LAMBDA, lambda_routes, operation, input, output);
}

int cfn_apigateway(cfn_aws *aws, const char *operation, const cJSON *input, cJSON **output)
{
    return rest_json(aws, &AWS_APIGATEWAY, apigateway_routes, operation, input, output);
}

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
    char *text = input ? cJSON_PrintUnformatted(input) : xstrdup("{}");
    if (!text)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    aws_call call = {
        .svc = &AWS_DYNAMODB,
        .operation = operation,
        .method = "POST",
        .path = "/",
        .headers = {{"Content-Type", "application/x-amz-json-1.0"}, {"X-Amz-Target", target}},
        .nheaders = 2,
        .body = text,
        .body_len = strlen(text)};
    http_response res;
    int rc = aws_send(aws, &call, &res);
    if (rc == 0 && output && !(*output = cJSON_ParseWithLength(res.body, res.body_len)))
        rc = cfn_error_set(CFN_ERROR, "DynamoDB %s: the answer is not JSON", operation);
    http_response_free(&res);
    free(text);
    return rc;
}

/* IAM and STS: form-encoded Action, Version and parameters; XML answers. */
static int query_call(cfn_aws *aws, const aws_service *svc, const char *version, const char *action,
                      const char *const *params, char **xml, size_t *xml_len)
{
    strbuf body = {0};
    int rc = sb_printf(&body, "Action=%s&Version=%s", action, version);
    for (size_t i = 0; rc == 0 && params && params[i]; i += 2) {
        char *v = sigv4_uri_encode(params[i + 1], strlen(params[i + 1]), false);
        rc = v ? sb_printf(&body, "&%s=%s", params[i], v) : CFN_ENOMEM;
        free(v);
    }
    if (rc < 0) {
        free(body.data);
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    aws_call call = {
        .svc = svc,
        .operation = action,
        .method = "POST",
        .path = "/",
        .headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
        .nheaders = 1,
        .body = body.data,
        .body_len = body.len};
    http_response res;
    rc = aws_send(aws, &call, &res);
    if (rc == 0 && xml) {
        *xml = res.body;
        *xml_len = res.body_len;
        res.body = NULL;
    }
    http_response_free(&res);
    free(body.data);
    return rc;
}

static int query_value(cfn_aws *aws, const aws_service *svc, const char *version,
                       const char *action, const char *const *params, const char *tag, char **out)
{
    char *xml = NULL;
    size_t len = 0;
    int rc = query_call(aws, svc, version, action, params, out ? &xml : NULL, &len);
    if (rc == 0 && out && !(*out = xml_text(xml, len, tag)))
        rc = cfn_error_set(CFN_ERROR, "%s %s: the answer has no %s", svc->name, action, tag);
    free(xml);
    return rc;
}

#define IAM_VERSION "2010-05-08"

int cfn_iam_create_role(cfn_aws *aws, const char *name, const char *assume_policy, char **arn)
{
    const char *p[] = {"RoleName", name, "AssumeRolePolicyDocument", assume_policy, NULL};
    return query_value(aws, &AWS_IAM, IAM_VERSION, "CreateRole", p, "Arn", arn);
}

int cfn_iam_get_role(cfn_aws *aws, const char *name, char **arn)
{
    const char *p[] = {"RoleName", name, NULL};
    return query_value(aws, &AWS_IAM, IAM_VERSION, "GetRole", p, "Arn", arn);
}

int cfn_iam_put_role_policy(cfn_aws *aws, const char *role, const char *policy_name,
                            const char *document)
{
    const char *p[] = {"RoleName",       role,     "PolicyName", policy_name,
                       "PolicyDocument", document, NULL};
    return query_value(aws, &AWS_IAM, IAM_VERSION, "PutRolePolicy", p, NULL, NULL);
}

int cfn_iam_delete_role_policy(cfn_aws *aws, const char *role, const char *policy_name)
{
    const char *p[] = {"RoleName", role, "PolicyName", policy_name, NULL};
    return query_value(aws, &AWS_IAM, IAM_VERSION, "DeleteRolePolicy", p, NULL, NULL);
}

int cfn_iam_delete_role(cfn_aws *aws, const char *name)
{
    const char *p[] = {"RoleName", name, NULL};
    return query_value(aws, &AWS_IAM, IAM_VERSION, "DeleteRole", p, NULL, NULL);
}

int cfn_sts_get_caller_identity(cfn_aws *aws, char **account, char **arn)
{
    char *xml = NULL;
    size_t len = 0;
    int rc = query_call(aws, &AWS_STS, "2011-06-15", "GetCallerIdentity", NULL, &xml, &len);
    if (rc == 0) {
        char *a = xml_text(xml, len, "Account"), *r = xml_text(xml, len, "Arn");
        if (!a || !r) {
            free(a);
            free(r);
            rc = cfn_error_set(CFN_ERROR, "STS GetCallerIdentity: the answer has no Account");
        } else {
            if (account)
                *account = a;
            else
                free(a);
            if (arn)
                *arn = r;
            else
                free(r);
        }
    }
    free(xml);
    return rc;
}

/* S3 ------------------------------------------------------------------- */

static int s3_key_path(const char *bucket, const char *key, char **path)
{
    if (!bucket || !*bucket || strchr(bucket, '/'))
        return cfn_error_set(CFN_EINVAL, "S3: invalid bucket name \"%.100s\"",
                             bucket ? bucket : "");
    if (!key) {
        *path = xstrdup("/");
        return *path ? 0 : CFN_ENOMEM;
    }
    if (!*key)
        return cfn_error_set(CFN_EINVAL, "S3: empty object key");
    char *enc = sigv4_uri_encode(key, strlen(key), true);
    if (!enc || asprintf(path, "/%s", enc) < 0) {
        free(enc);
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    free(enc);
    return 0;
}

static char *version_query(const char *version_id)
{
    char *q = NULL, *enc;
    if (!version_id || !*version_id)
        return NULL;
    enc = sigv4_uri_encode(version_id, strlen(version_id), false);
    if (!enc || asprintf(&q, "versionId=%s", enc) < 0)
        q = NULL;
    free(enc);
    return q;
}

static int s3_simple(cfn_aws *aws, const char *op, const char *method, const char *bucket,
                     const char *key, const char *query, const char *body, size_t len,
                     const char *content_type, http_response *res)
{
    char *path = NULL;
    char hash[65];
    int rc = s3_key_path(bucket, key, &path);
    if (rc < 0)
        return rc;
    sigv4_sha256_hex(body ? body : "", len, hash);
    aws_call call = {.svc = &AWS_S3,
                     .operation = op,
                     .method = method,
                     .bucket = bucket,
                     .path = path,
                     .query = query,
                     .body = body,
                     .body_len = len,
                     .payload_hash = hash};
    if (content_type)
        call.headers[call.nheaders++] = (http_header){"Content-Type", content_type};
    rc = aws_send(aws, &call, res);
    free(path);
    return rc;
}

int cfn_s3_get_object(cfn_aws *aws, const char *bucket, const char *key, const char *version_id,
                      char **data, size_t *len)
{
    http_response res;
    char *q = version_query(version_id);
    int rc = s3_simple(aws, "GetObject", "GET", bucket, key, q, NULL, 0, NULL, &res);
    free(q);
    if (rc == 0) {
        *data = res.body;
        *len = res.body_len;
        res.body = NULL;
    }
    http_response_free(&res);
    return rc;
}

int cfn_s3_get_object_to_file(cfn_aws *aws, const char *bucket, const char *key,
                              const char *version_id, const char *path_out)
{
    char *path = NULL;
    int rc = s3_key_path(bucket, key, &path);
    if (rc < 0)
        return rc;
    FILE *f = fopen(path_out, "w+b");
    if (!f) {
        free(path);
        return cfn_error_set(CFN_EIO, "cannot write %s: %s", path_out, strerror(errno));
    }
    char *q = version_query(version_id);
    aws_call call = {.svc = &AWS_S3,
                     .operation = "GetObject",
                     .method = "GET",
                     .bucket = bucket,
                     .path = path,
                     .query = q,
                     .payload_hash = SIGV4_EMPTY_SHA256,
                     .download = f};
    http_response res;
    rc = aws_send(aws, &call, &res);
    http_response_free(&res);
    if (fclose(f) != 0 && rc == 0)
        rc = cfn_error_set(CFN_EIO, "cannot write %s: %s", path_out, strerror(errno));
    if (rc < 0)
        unlink(path_out);
    free(q);
    free(path);
    return rc;
}

int cfn_s3_put_object(cfn_aws *aws, const char *bucket, const char *key, const void *data,
                      size_t len, const char *content_type)
{
    http_response res;
    int rc = s3_simple(aws, "PutObject", "PUT", bucket, key, NULL, data, len,
                       content_type ? content_type : "application/octet-stream", &res);
    http_response_free(&res);
    return rc;
}

/* Hashes a file in chunks: a payload is signed without holding it. */
int cfn_sha256_file(const char *path, char out[65], long long *size)
{
    unsigned char buf[1 << 16], md[32];
    unsigned int mdlen = 0;
    size_t n;
    FILE *f = fopen(path, "rb");
    *size = 0;
    if (!f)
        return cfn_error_set(CFN_EIO, "cannot read %s: %s", path, strerror(errno));
    EVP_MD_CTX *h = EVP_MD_CTX_new();
    if (!h || !EVP_DigestInit_ex(h, EVP_sha256(), NULL)) {
        EVP_MD_CTX_free(h);
        fclose(f);
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        EVP_DigestUpdate(h, buf, n);
        *size += (long long)n;
    }
    EVP_DigestFinal_ex(h, md, &mdlen);
    EVP_MD_CTX_free(h);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return cfn_error_set(CFN_EIO, "cannot read %s", path);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    return 0;
}

int cfn_s3_put_object_from_file(cfn_aws *aws, const char *bucket, const char *key, const char *file,
                                const char *content_type, const char *sha256)
{
    char *path = NULL;
    char hash[65];
    long long size;
    int rc = s3_key_path(bucket, key, &path);
    if (rc < 0)
        return rc;
    if (sha256 && strlen(sha256) == 64) {
        snprintf(hash, sizeof(hash), "%s", sha256);
    } else if (cfn_sha256_file(file, hash, &size) < 0) {
        free(path);
        return CFN_EIO;
    }
    FILE *f = fopen(file, "rb");
    if (!f || fseeko(f, 0, SEEK_END) != 0 || (size = ftello(f)) < 0) {
        if (f)
            fclose(f);
        free(path);
        return cfn_error_set(CFN_EIO, "cannot read %s: %s", file, strerror(errno));
    }
    aws_call call = {
        .svc = &AWS_S3,
        .operation = "PutObject",
        .method = "PUT",
        .bucket = bucket,
        .path = path,
        .headers = {{"Content-Type", content_type ? content_type : "application/octet-stream"}},
        .nheaders = 1,
        .upload = f,
        .upload_len = size,
        .payload_hash = hash};
    http_response res;
    rc = aws_send(aws, &call, &res);
    http_response_free(&res);
    fclose(f);
    free(path);
    return rc;
}

int cfn_s3_head_object(cfn_aws *aws, const char *bucket, const char *key, const char *version_id,
                       cfn_s3_object_info *info)
{
    http_response res;
    char *q = version_query(version_id);
    int rc = s3_simple(aws, "HeadObject", "HEAD", bucket, key, q, NULL, 0, NULL, &res);
    free(q);
    if (rc == 0 && info) {
        char v[256];
        memset(info, 0, sizeof(*info));
        info->size = http_response_header(&res, "Content-Length", v, sizeof(v)) ? atoll(v) : -1;
        http_response_header(&res, "ETag", info->etag, sizeof(info->etag));
        http_response_header(&res, "x-amz-version-id", info->version_id, sizeof(info->version_id));
        http_response_header(&res, "Content-Type", info->content_type, sizeof(info->content_type));
    }
    http_response_free(&res);
    return rc;
}

int cfn_s3_delete_object(cfn_aws *aws, const char *bucket, const char *key)
{
    http_response res;
    int rc = s3_simple(aws, "DeleteObject", "DELETE", bucket, key, NULL, NULL, 0, NULL, &res);
    http_response_free(&res);
    return rc;
}

int cfn_s3_create_bucket(cfn_aws *aws, const char *bucket)
{
    http_response res;
    char *body = NULL;
    /* us-east-1 takes no location; every other region must be named. */
    if (strcmp(aws->region, "us-east-1") != 0 &&
        asprintf(&body,
                 "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                 "<LocationConstraint>%s</LocationConstraint></CreateBucketConfiguration>",
                 aws->region) < 0)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    int rc = s3_simple(aws, "CreateBucket", "PUT", bucket, NULL, NULL, body,
                       body ? strlen(body) : 0, body ? "application/xml" : NULL, &res);
    http_response_free(&res);
    free(body);
    return rc;
}

int cfn_s3_delete_bucket(cfn_aws *aws, const char *bucket)
{
    http_response res;
    int rc = s3_simple(aws, "DeleteBucket", "DELETE", bucket, NULL, NULL, NULL, 0, NULL, &res);
    http_response_free(&res);
    return rc;
}

static int add_objects(cJSON *list, const char *xml, size_t len)
{
    size_t pos = 0, n;
    const char *inner;
    while (xml_next(xml, len, "Contents", &pos, &inner, &n) == 0) {
        char *key = xml_text(inner, n, "Key"), *size = xml_text(inner, n, "Size");
        char *etag = xml_text(inner, n, "ETag");
        cJSON *o = cJSON_CreateObject();
        int ok = key && o && cJSON_AddStringToObject(o, "Key", key) &&
                 cJSON_AddNumberToObject(o, "Size", size ? atof(size) : 0) &&
                 cJSON_AddStringToObject(o, "ETag", etag ? etag : "") &&
                 cJSON_AddItemToArray(list, o);
        free(key);
        free(size);
        free(etag);
        if (!ok) {
            cJSON_Delete(o);
            return CFN_ENOMEM;
        }
    }
    return 0;
}

int cfn_s3_list_objects(cfn_aws *aws, const char *bucket, const char *prefix, cJSON **objects)
{
    char *token = NULL;
    int rc = 0;
    cJSON *list = cJSON_CreateArray();
    if (!list)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    do {
        strbuf q = {0};
        char *p = prefix ? sigv4_uri_encode(prefix, strlen(prefix), false) : NULL;
        char *t = token ? sigv4_uri_encode(token, strlen(token), false) : NULL;
        sb_printf(&q, "list-type=2%s%s%s%s", t ? "&continuation-token=" : "", t ? t : "",
                  p ? "&prefix=" : "", p ? p : "");
        free(p);
        free(t);
        free(token);
        token = NULL;
        http_response res;
        rc = q.data
                 ? s3_simple(aws, "ListObjectsV2", "GET", bucket, NULL, q.data, NULL, 0, NULL, &res)
                 : cfn_error_set(CFN_ENOMEM, "out of memory");
        free(q.data);
        if (rc == 0 && add_objects(list, res.body, res.body_len) < 0)
            rc = cfn_error_set(CFN_ENOMEM, "out of memory");
        if (rc == 0) {
            char *truncated = xml_text(res.body, res.body_len, "IsTruncated");
            if (truncated && strcmp(truncated, "true") == 0)
                token = xml_text(res.body, res.body_len, "NextContinuationToken");
            free(truncated);
        }
        http_response_free(&res);
    } while (rc == 0 && token);
    free(token);
    if (rc < 0) {
        cJSON_Delete(list);
        return rc;
    }
    *objects = list;
    return 0;
}

int cfn_s3_presign(cfn_aws *aws, const char *method, const char *bucket, const char *key,
                   long expires, char **url)
{
    char *keypath = NULL;
    aws_target t;
    int rc;
    *url = NULL;
    if (!method || (strcmp(method, "GET") != 0 && strcmp(method, "PUT") != 0))
        return cfn_error_set(CFN_EINVAL, "S3 presign: method must be GET or PUT");
    if (expires < 1 || expires > 604800)
        return cfn_error_set(CFN_EINVAL, "S3 presign: expiry must be 1 to 604800 seconds");
    if ((rc = s3_key_path(bucket, key, &keypath)) < 0)
        return rc;
    rc = aws_credentials_ready(aws);
    if (rc == 0)
        rc = aws_locate(aws, &AWS_S3, bucket, keypath, &t);
    free(keypath);
    if (rc < 0)
        return rc;
    sigv4_creds creds = {aws->creds.access_key, aws->creds.secret_key, aws->creds.token};
    sigv4_params params = {
        .region = aws->region, .service = "s3", .when = time(NULL), .expires = expires};
    http_header h = {"host", t.host};
    sigv4_request req = {method, t.path, NULL, &h, 1, SIGV4_UNSIGNED};
    sigv4_result sig;
    rc = sigv4_sign_query(&creds, &params, &req, &sig);
    if (rc == 0) {
        if (asprintf(url, "%s://%s%s?%s", t.scheme, t.host, t.path, sig.signed_query) < 0) {
            *url = NULL;
            rc = cfn_error_set(CFN_ENOMEM, "out of memory");
        }
        sigv4_result_free(&sig);
    }
    free(t.path);
    return rc;
}
