/* Custom::APIGatewayResource: a path, a method and its integration on a REST
 * API (given, or created and owned), with the Lambda permission and a
 * deployment; removed cleanly, leaves first, sharing segments with others. */
#include "awsjson.h"
#include "resources.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TAG_OWNER   "cfnkit:resource"
#define TAG_REQUEST "cfnkit:request" /* the Create that made an owned API */
#define MAX_PATH    1024
#define MAX_DEPTH   32
#define ATTEMPTS    6 /* reads of the tree while converging with parallel requests */

typedef struct api_spec {
    const char *path; /* "users/{id}/orders", or "" for the parent itself */
    char method[8];
    const char *type; /* the API's integration type */
    const char *function_arn;
    const char *uri;
    const char *integration_method;
    const char *rest_api_id;
    const char *parent_id;
    const char *stage;
    const char *auth;
    const char *api_name;
} api_spec;

static const char *methods[] = {"GET",  "POST",    "PUT", "PATCH", "DELETE",
                                "HEAD", "OPTIONS", "ANY", NULL};

/* A path part as API Gateway takes it: letters, digits, -._~ and the like,
 * or {name} / {name+} (the greedy one last). */
static int check_path(cfn_ctx *ctx, const char *path)
{
    const char *p = path;
    if (strlen(path) > MAX_PATH)
        return cfn_fail(ctx, "Path is longer than %d characters", MAX_PATH);
    while (*p) {
        size_t n = strcspn(p, "/");
        if (n == 0)
            return cfn_fail(ctx, "Path \"%.100s\" has an empty segment", path);
        if (p[0] == '{') {
            size_t name = n - 2 - (n > 3 && p[n - 2] == '+');
            if (p[n - 1] != '}' || name == 0 ||
                strspn(p + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") !=
                    name)
                return cfn_fail(ctx, "Path \"%.100s\": \"%.*s\" is not a parameter like {name}",
                                path, (int)n, p);
            if (p[n - 2] == '+' && p[n] != '\0')
                return cfn_fail(ctx, "Path \"%.100s\": a greedy parameter {name+} must come last",
                                path);
        } else {
            for (size_t i = 0; i < n; i++)
                if (!isalnum((unsigned char)p[i]) && !strchr("-._~:@!$&'()*+,;=", p[i]))
                    return cfn_fail(ctx,
                                    "Path \"%.100s\" has an invalid character '%c' in \"%.*s\"",
                                    path, p[i], (int)n, p);
        }
        p += n + (p[n] == '/');
    }
    return 0;
}

/* arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER] */
static int check_function_arn(const char *arn)
{
    char part[16], region[32], account[16], name[65], rest[130];
    if (strlen(arn) > 200 ||
        sscanf(arn, "arn:%15[a-z-]:lambda:%31[a-z0-9-]:%15[0-9]:function:%129s", part, region,
               account, rest) != 4)
        return -1;
    if (strlen(account) != 12)
        return -1;
    char *colon = strchr(rest, ':');
    size_t n = colon ? (size_t)(colon - rest) : strlen(rest);
    if (n == 0 || n > 64)
        return -1;
    snprintf(name, sizeof(name), "%.*s", (int)n, rest);
    return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == n
               ? 0
               : -1;
}

static int read_spec(cfn_ctx *ctx, api_spec *s)
{
    const char *method, *type;
    memset(s, 0, sizeof(*s));
    if (cfn_prop_string(ctx, "Path", &s->path) < 0 || cfn_prop_string(ctx, "Method", &method) < 0 ||
        cfn_prop_map(ctx, "IntegrationRequest", &(const cJSON *){NULL}) < 0 ||
        cfn_prop_string(ctx, "IntegrationRequest.Type", &type) < 0 ||
        cfn_prop_string_or(ctx, "IntegrationRequest.FunctionArn", NULL, &s->function_arn) < 0 ||
        cfn_prop_string_or(ctx, "IntegrationRequest.Uri", NULL, &s->uri) < 0 ||
        cfn_prop_string_or(ctx, "IntegrationRequest.IntegrationHttpMethod", NULL,
                           &s->integration_method) < 0 ||
        cfn_prop_string_or(ctx, "RestApiId", NULL, &s->rest_api_id) < 0 ||
        cfn_prop_string_or(ctx, "ParentId", NULL, &s->parent_id) < 0 ||
        cfn_prop_string_or(ctx, "StageName", NULL, &s->stage) < 0 ||
        cfn_prop_string_or(ctx, "AuthorizationType", "NONE", &s->auth) < 0 ||
        cfn_prop_string_or(ctx, "ApiName", NULL, &s->api_name) < 0)
        return -1;
    while (*s->path == '/')
        s->path++;
    if (check_path(ctx, s->path) < 0)
        return -1;
    size_t i;
    for (i = 0; methods[i]; i++)
        if (strcasecmp(method, methods[i]) == 0)
            break;
    if (!methods[i])
        return cfn_fail(ctx,
                        "Method \"%.20s\" is unknown (GET, POST, PUT, PATCH, DELETE, HEAD, "
                        "OPTIONS or ANY)",
                        method);
    snprintf(s->method, sizeof(s->method), "%s", methods[i]);
    if (strcasecmp(type, "Lambda") == 0 || strcasecmp(type, "AWS_PROXY") == 0) {
        s->type = "AWS_PROXY";
        if (!s->function_arn)
            return cfn_fail(ctx, "IntegrationRequest.FunctionArn is required for a Lambda "
                                 "integration");
        if (check_function_arn(s->function_arn) < 0)
            return cfn_fail(ctx,
                            "IntegrationRequest.FunctionArn \"%.120s\" is not a Lambda "
                            "function ARN",
                            s->function_arn);
    } else if (strcasecmp(type, "AWS") == 0 || strcasecmp(type, "HTTP") == 0 ||
               strcasecmp(type, "HTTP_PROXY") == 0) {
        s->type = strcasecmp(type, "AWS") == 0    ? "AWS"
                  : strcasecmp(type, "HTTP") == 0 ? "HTTP"
                                                  : "HTTP_PROXY";
        if (!s->uri)
            return cfn_fail(ctx, "IntegrationRequest.Uri is required for a %s integration",
                            s->type);
    } else if (strcasecmp(type, "MOCK") == 0) {
        s->type = "MOCK";
    } else {
        return cfn_fail(ctx,
                        "IntegrationRequest.Type \"%.20s\" is unknown (Lambda, AWS, HTTP, "
                        "HTTP_PROXY or MOCK)",
                        type);
    }
    if (s->stage &&
        (!*s->stage || strspn(s->stage, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                                        "vwxyz0123456789_-") != strlen(s->stage)))
        return cfn_fail(ctx, "StageName \"%.60s\" is invalid: letters, digits, - and _", s->stage);
    return 0;
}

/* The permission's statement id: one per API, resource and method (the
 * SHA-256 of the three, each with its NUL). */
static void statement_id(const char *api, const char *rid, const char *method, char out[40])
{
    char parts[64 * 3], hex[CFN_SHA256_HEX_SIZE];
    size_t n = 0;
    const char *each[] = {api, rid, method};
    for (int i = 0; i < 3; i++) {
        size_t len = strnlen(each[i], 63) + 1;
        memcpy(parts + n, each[i], len - 1);
        parts[n + len - 1] = '\0';
        n += len;
    }
    cfn_sha256_hex(parts, n, hex);
    snprintf(out, 40, "cfnkit-%.24s", hex);
}

/* One call that consumes its input (NULL: it could not be built); the error
 * stays in cfn_error_last(). */
static int call(cfn_aws *aws, const char *op, cJSON *in, cJSON **out)
{
    if (!in)
        return cfn_error_set(CFN_ENOMEM, "API Gateway %s: out of memory", op);
    int rc = cfn_apigateway(aws, op, in, out);
    cJSON_Delete(in);
    return rc;
}

/* Every item of a listing (GetResources of `api`, or GetRestApis when
 * `api` is NULL), all pages, in the order listed. */
static cJSON *list_items(cfn_aws *aws, const char *op, const char *api)
{
    cJSON *all = cJSON_CreateArray();
    char *position = NULL;
    do {
        cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "restApiId", api, "position",
                                        position, NULL),
              *out = NULL;
        free(position);
        position = NULL;
        int rc = call(aws, op, cfnkit_json_number(in, "limit", 500), &out);
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

/* The API's resources. */
static cJSON *resources_of(cfn_aws *aws, const char *api)
{
    return list_items(aws, "GetResources", api);
}

static const cJSON *find_by(const cJSON *all, const char *field, const char *value)
{
    const cJSON *r;
    cJSON_ArrayForEach(r, all)
    {
        const char *v = cfn_json_string(r, field);
        if (v && value && strcmp(v, value) == 0)
            return r;
    }
    return NULL;
}

static bool has_methods(const cJSON *r)
{
    return cJSON_GetArraySize(cJSON_GetObjectItem(r, "resourceMethods")) > 0;
}

/* What Create made, to undo it when a later step fails. */
typedef struct made {
    char api[64];
    bool api_owned;
    char created[MAX_DEPTH][64]; /* segments, parents first */
    int ncreated;
    char chain[MAX_DEPTH + 1][64]; /* the parent, then each segment of the path */
    int depth;
    char resource[64];
    char root[64];
    char parent_path[MAX_PATH + 2];
    bool method;
    bool permission;
} made;

/* The ids of an API Gateway call; NULL ones are left out. NULL when out of
 * memory. */
static cJSON *ids(const char *api, const char *rid, const char *method)
{
    return cfnkit_json_strings(cJSON_CreateObject(), "restApiId", api, "resourceId", rid,
                               "httpMethod", method, NULL);
}

/* The child of `parent` named `part`. API Gateway keeps a parent's path parts
 * unique; moto lets parallel creators add copies, and lists in creation
 * order: the first listed was made first, so whoever sees a later copy sees
 * it too, and every creator settles on the same one. */
static const cJSON *child_of(const cJSON *all, const char *parent, const char *part)
{
    const cJSON *r;
    cJSON_ArrayForEach(r, all)
    {
        const char *p = cfn_json_string(r, "parentId"), *pp = cfn_json_string(r, "pathPart");
        if (p && pp && strcmp(p, parent) == 0 && strcmp(pp, part) == 0)
            return r;
    }
    return NULL;
}

/* Deletes the segment `id` when a fresh read shows no method and no child on
 * it, never the root or `stop_id`; `parent` gets its parent's id, or "" when
 * it is kept or was gone already. Each deleter reads after its own change,
 * so the last of several parallel deleters sees the segment empty. */
static int drop_if_empty(cfn_aws *aws, const char *api, const char *id, const char *stop_id,
                         char parent[64])
{
    cJSON *all = resources_of(aws, api);
    parent[0] = '\0';
    if (!all)
        return -1;
    const cJSON *r = find_by(all, "id", id);
    int rc = 0;
    if (r && cfn_json_string(r, "parentId") && !(stop_id && strcmp(id, stop_id) == 0) &&
        !has_methods(r) && !find_by(all, "parentId", id)) {
        rc = call(aws, "DeleteResource", ids(api, id, NULL), NULL);
        if (rc == 0 || cfn_aws_error_is(aws, "NotFoundException")) {
            snprintf(parent, 64, "%s", cfn_json_string(r, "parentId"));
            rc = 0;
        }
    }
    cJSON_Delete(all);
    return rc;
}

/* Removes empty segments from `rid` upwards, leaves first (a parent deleted
 * before its child breaks moto's API), stopping at the root, at `stop_id`,
 * and at any segment with methods or children. */
static void prune(cfn_aws *aws, const char *api, const char *rid, const char *stop_id)
{
    char id[64], parent[64];
    snprintf(id, sizeof(id), "%s", rid);
    for (int depth = 0; depth <= MAX_DEPTH; depth++) {
        if (drop_if_empty(aws, api, id, stop_id, parent) < 0 || !parent[0])
            break;
        snprintf(id, sizeof(id), "%s", parent);
    }
}

/* Finds or makes the segment `part` under `parent` into `id`, converging with
 * creators running at the same time: a conflict means another made it first,
 * and a copy moto let through is given up for the first one. `*all` is read
 * again after every change. Returns 1 when the parent is gone (a parallel
 * Delete pruned it): the caller starts again from a fresh tree. */
static int ensure_segment(cfn_ctx *ctx, cfn_aws *aws, made *m, cJSON **all, const char *parent,
                          const char *part, char id[64])
{
    char mine[64] = "", up[64];
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        const cJSON *c = child_of(*all, parent, part);
        if (c) {
            snprintf(id, 64, "%s", cfn_json_string(c, "id"));
            if (*mine && strcmp(id, mine) == 0 && m->ncreated < MAX_DEPTH)
                snprintf(m->created[m->ncreated++], 64, "%s", mine);
            return 0;
        }
        if (*mine || !find_by(*all, "id", parent))
            return 1; /* ours went again, or the parent did: start over */
        cJSON *out = NULL;
        int rc = call(aws, "CreateResource",
                      cfnkit_json_strings(ids(m->api, NULL, NULL), "parentId", parent, "pathPart",
                                          part, NULL),
                      &out);
        if (rc == 0)
            snprintf(mine, sizeof(mine), "%s",
                     cfn_json_string(out, "id") ? cfn_json_string(out, "id") : "");
        cJSON_Delete(out);
        if (rc < 0 && cfn_aws_error_is(aws, "NotFoundException"))
            return 1;
        if (rc < 0 && !cfn_aws_error_is(aws, "ConflictException"))
            return cfn_fail(ctx, "%s", cfn_error_last());
        cJSON_Delete(*all);
        if (!(*all = resources_of(aws, m->api)))
            return cfn_fail(ctx, "%s", cfn_error_last());
        c = child_of(*all, parent, part);
        if (*mine && c && strcmp(cfn_json_string(c, "id"), mine) != 0) {
            cfn_log(CFN_LOG_INFO, "segment %s duplicates %s, made in parallel: removed", mine,
                    cfn_json_string(c, "id"));
            drop_if_empty(aws, m->api, mine, NULL, up);
            mine[0] = '\0';
        }
    }
    return cfn_fail(ctx, "path part \"%s\" is still not there after %d attempts", part, ATTEMPTS);
}

/* Finds or creates each segment of the path under the parent, from a fresh
 * read of the tree. */
static int ensure_path(cfn_ctx *ctx, cfn_aws *aws, const api_spec *s, made *m)
{
    int nseg = 0;
    for (const char *p = s->path; *p; p += strcspn(p, "/") + (p[strcspn(p, "/")] == '/'))
        nseg++;
    if (nseg > MAX_DEPTH)
        return cfn_fail(ctx, "Path has more than %d segments", MAX_DEPTH);
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        cJSON *all = resources_of(aws, m->api);
        if (!all)
            return cfn_fail(ctx, "%s", cfn_error_last());
        const cJSON *root = find_by(all, "path", "/");
        const cJSON *parent = s->parent_id ? find_by(all, "id", s->parent_id) : root;
        if (!parent) {
            cJSON_Delete(all);
            return cfn_fail(ctx, "%s %s has no resource %s",
                            s->parent_id ? "ParentId: REST API" : "REST API", m->api,
                            s->parent_id ? s->parent_id : "/");
        }
        snprintf(m->root, sizeof(m->root), "%s",
                 cfn_json_string(root, "id") ? cfn_json_string(root, "id") : "");
        const char *ppath = cfn_json_string(parent, "path");
        snprintf(m->parent_path, sizeof(m->parent_path), "%s",
                 strcmp(ppath, "/") == 0 ? "" : ppath);
        snprintf(m->chain[0], sizeof(m->chain[0]), "%s", cfn_json_string(parent, "id"));
        m->depth = 0;
        int rc = 0;
        for (const char *p = s->path; *p && rc == 0;) {
            size_t n = strcspn(p, "/");
            char part[256];
            snprintf(part, sizeof(part), "%.*s", (int)n, p);
            rc =
                ensure_segment(ctx, aws, m, &all, m->chain[m->depth], part, m->chain[m->depth + 1]);
            if (rc == 0)
                m->depth++;
            p += n + (p[n] == '/');
        }
        cJSON_Delete(all);
        if (rc <= 0) {
            snprintf(m->resource, sizeof(m->resource), "%s", m->chain[m->depth]);
            return rc;
        }
        cfn_log(CFN_LOG_INFO, "a segment of %s went away while it was being made: again", s->path);
    }
    return cfn_fail(ctx,
                    "the segments of Path \"%.100s\" kept being deleted while this Create made "
                    "them (%d attempts)",
                    s->path, ATTEMPTS);
}

/* Whether the path is still whole and (unless NULL) the method on it: a
 * parallel Delete may have pruned a segment it found empty just before this
 * Create used it. 1 yes, 0 no, -1 when the tree cannot be read. */
static int path_intact(cfn_aws *aws, const made *m, const char *method)
{
    cJSON *all = resources_of(aws, m->api);
    if (!all)
        return -1;
    int ok = 1;
    for (int i = 0; i <= m->depth && ok; i++) {
        const cJSON *r = find_by(all, "id", m->chain[i]);
        const char *parent = r ? cfn_json_string(r, "parentId") : NULL;
        ok = r && (i == 0 || (parent && strcmp(parent, m->chain[i - 1]) == 0));
        if (ok && i == m->depth && method)
            ok = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "resourceMethods"), method) != NULL;
    }
    cJSON_Delete(all);
    return ok;
}

/* Path parameters become wildcards ("users/{id}" -> "users/<star>"): the
 * execute-api ARN of a call holds the actual path. */
static void arn_path(const char *path, char *out, size_t size)
{
    size_t j = 0;
    for (const char *p = path; *p && j + 2 < size;) {
        size_t n = strcspn(p, "/");
        if (p[0] == '{')
            out[j++] = '*';
        else
            j += (size_t)snprintf(out + j, size - j, "%.*s", (int)n, p);
        p += n;
        if (*p == '/' && j + 1 < size)
            out[j++] = *p++;
    }
    out[j < size ? j : size - 1] = '\0';
}

static int put_method(cfn_aws *aws, const api_spec *s, made *m)
{
    cJSON *in = cfnkit_json_strings(ids(m->api, m->resource, s->method), "authorizationType",
                                    s->auth, NULL);
    /* API Gateway refuses a second PutMethod: the method is there already,
     * made by another delivery of this request, which keeps it. */
    int rc = call(aws, "PutMethod", in, NULL);
    if (rc < 0 && !cfn_aws_error_is(aws, "ConflictException"))
        return -1;
    m->method = rc == 0;
    return 0;
}

/* PutIntegration replaces the method's integration as a whole. */
static int put_integration(cfn_aws *aws, const api_spec *s, const made *m, const char *region)
{
    cJSON *in = cfnkit_json_strings(ids(m->api, m->resource, s->method), "type", s->type, NULL);
    if (strcmp(s->type, "AWS_PROXY") == 0) {
        char uri[512];
        snprintf(uri, sizeof(uri),
                 "arn:aws:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations", region,
                 s->function_arn);
        in = cfnkit_json_strings(in, "uri", uri, "integrationHttpMethod", "POST", NULL);
    } else if (strcmp(s->type, "MOCK") == 0) {
        in = cfnkit_json_item(in, "requestTemplates",
                              cfnkit_json_strings(cJSON_CreateObject(), "application/json",
                                                  "{\"statusCode\": 200}", NULL));
    } else {
        in = cfnkit_json_strings(in, "uri", s->uri, "integrationHttpMethod",
                                 s->integration_method         ? s->integration_method
                                 : strcmp(s->type, "AWS") == 0 ? "POST"
                                                               : s->method,
                                 NULL);
    }
    return call(aws, "PutIntegration", in, NULL);
}

static int add_permission(cfn_aws *aws, const api_spec *s, made *m, const char *region)
{
    char sid[40], source[MAX_PATH * 2 + 400], resource_path[MAX_PATH * 2 + 4],
        full[MAX_PATH * 2 + 4];
    char account[16] = "";
    if (strcmp(s->type, "AWS_PROXY") != 0)
        return 0;
    sscanf(s->function_arn, "arn:%*[a-z-]:lambda:%*[a-z0-9-]:%15[0-9]", account);
    snprintf(full, sizeof(full), "%s%s%s", m->parent_path + (m->parent_path[0] == '/'),
             m->parent_path[0] && *s->path ? "/" : "", s->path);
    arn_path(full, resource_path, sizeof(resource_path));
    snprintf(source, sizeof(source), "arn:aws:execute-api:%s:%s:%s/*/%s/%s", region, account,
             m->api, strcmp(s->method, "ANY") == 0 ? "*" : s->method, resource_path);
    statement_id(m->api, m->resource, s->method, sid);
    cJSON *in =
        cfnkit_json_strings(cJSON_CreateObject(), "FunctionName", s->function_arn, "StatementId",
                            sid, "Action", "lambda:InvokeFunction", "Principal",
                            "apigateway.amazonaws.com", "SourceArn", source, NULL);
    if (!in)
        return cfn_error_set(CFN_ENOMEM, "Lambda AddPermission: out of memory");
    int rc = cfn_lambda(aws, "AddPermission", in, NULL);
    cJSON_Delete(in);
    /* Already there: a repeated delivery. */
    if (rc < 0 && !cfn_aws_error_is(aws, "ResourceConflictException"))
        return -1;
    m->permission = true;
    return 0;
}

static void remove_permission(cfn_aws *aws, const char *function_arn, const char *api,
                              const char *rid, const char *method)
{
    char sid[40];
    statement_id(api, rid, method, sid);
    cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "FunctionName", function_arn,
                                    "StatementId", sid, NULL);
    if (in)
        cfn_lambda(aws, "RemovePermission", in, NULL);
    cJSON_Delete(in);
}

static int deploy(cfn_aws *aws, const char *api, const char *stage)
{
    if (!stage)
        return 0;
    return call(aws, "CreateDeployment",
                cfnkit_json_strings(ids(api, NULL, NULL), "stageName", stage, "description",
                                    "cfnkit", NULL),
                NULL);
}

/* The integration, its permission and the deployment, on the method of
 * the resource in `m`. No reason is set: the caller may still try again. */
static int integrate(cfn_aws *aws, const api_spec *s, made *m, const char *region)
{
    if (put_integration(aws, s, m, region) < 0 || add_permission(aws, s, m, region) < 0)
        return -1;
    return deploy(aws, m->api, s->stage);
}

/* The method, then integrate(). */
static int attach(cfn_aws *aws, const api_spec *s, made *m, const char *region)
{
    if (put_method(aws, s, m) < 0)
        return -1;
    return integrate(aws, s, m, region);
}

static void delete_api(cfn_aws *aws, const char *api)
{
    call(aws, "DeleteRestApi", ids(api, NULL, NULL), NULL);
}

/* Deletes an API this resource created, once no method is left on it. */
static void drop_owned_api(cfn_ctx *ctx, cfn_aws *aws, const char *api)
{
    char owner[65];
    cJSON *out = NULL;
    int rc = call(aws, "GetRestApi", ids(api, NULL, NULL), &out);
    cfn_request_resource_hash(ctx, owner);
    const char *tag = rc == 0 ? cfn_json_string(cJSON_GetObjectItem(out, "tags"), TAG_OWNER) : NULL;
    bool ours = tag && strcmp(tag, owner) == 0;
    cJSON_Delete(out);
    if (!ours)
        return;
    cJSON *all = resources_of(aws, api);
    const cJSON *r;
    bool used = !all;
    cJSON_ArrayForEach(r, all)
    {
        used |= has_methods(r);
    }
    cJSON_Delete(all);
    if (used) {
        cfn_log(CFN_LOG_INFO, "REST API %s still has methods: kept", api);
        return;
    }
    delete_api(aws, api);
}

/* Takes back this Create's method, permission and the segments it made. */
static void undo_path(cfn_aws *aws, const api_spec *s, const made *m)
{
    if (m->permission)
        remove_permission(aws, s->function_arn, m->api, m->resource, s->method);
    if (m->method) {
        call(aws, "DeleteMethod", ids(m->api, m->resource, s->method), NULL);
    }
    if (m->ncreated)
        prune(aws, m->api, m->created[m->ncreated - 1], NULL);
}

/* Undoes a Create that failed half-way: a failed Create's Delete never
 * reaches the module. */
static void undo(cfn_ctx *ctx, cfn_aws *aws, const api_spec *s, const made *m)
{
    undo_path(aws, s, m);
    if (m->api_owned)
        drop_owned_api(ctx, aws, m->api);
}

static int answer(cfn_ctx *ctx, const api_spec *s, const made *m, const char *region)
{
    char id[200], url[MAX_PATH * 2 + 200], full[MAX_PATH * 2 + 4];
    snprintf(full, sizeof(full), "%s%s%s", m->parent_path + (m->parent_path[0] == '/'),
             m->parent_path[0] && *s->path ? "/" : "", s->path);
    snprintf(url, sizeof(url), "https://%s.execute-api.%s.amazonaws.com/%s%s%s", m->api, region,
             s->stage ? s->stage : "", s->stage ? "/" : "", full);
    snprintf(id, sizeof(id), "%s/%s/%s", m->api, m->resource, s->method);
    if (cfn_set_data(ctx, "RestApiId", m->api) < 0 ||
        cfn_set_data(ctx, "ResourceId", m->resource) < 0 ||
        cfn_set_data(ctx, "RootResourceId", m->root) < 0 || cfn_set_data(ctx, "Url", url) < 0)
        return -1;
    return cfn_set_physical_id(ctx, id);
}

/* The earliest made of the APIs tagged as this resource's for this request,
 * into `out` ("" when there is none). Listings come in creation order, so an
 * API made in the same second as another comes after it: every delivery
 * of the request settles on the same one. */
static int find_owned_api(cfn_aws *aws, const char *owner, const char *request, char out[64])
{
    cJSON *all = list_items(aws, "GetRestApis", NULL);
    const cJSON *api, *best = NULL;
    out[0] = '\0';
    if (!all)
        return -1;
    cJSON_ArrayForEach(api, all)
    {
        const cJSON *tags = cJSON_GetObjectItem(api, "tags");
        const char *o = cfn_json_string(tags, TAG_OWNER), *r = cfn_json_string(tags, TAG_REQUEST);
        if (!cfn_json_string(api, "id") || !o || !r || strcmp(o, owner) != 0 ||
            strcmp(r, request) != 0)
            continue;
        if (!best || cJSON_GetNumberValue(cJSON_GetObjectItem(api, "createdDate")) <
                         cJSON_GetNumberValue(cJSON_GetObjectItem(best, "createdDate")))
            best = api;
    }
    if (best)
        snprintf(out, 64, "%s", cfn_json_string(best, "id"));
    cJSON_Delete(all);
    return 0;
}

/* The API this resource owns, tagged with its owner and the Create's
 * RequestId: a Create delivered twice, even twice at once, makes one API.
 * An API made by another delivery is used but never removed on failure. */
static int owned_api(cfn_ctx *ctx, cfn_aws *aws, const api_spec *s, made *m)
{
    char owner[65], name[300], mine[64];
    const char *request = cfn_request_id(ctx);
    cfn_request_resource_hash(ctx, owner);
    /* Failing without a reason answers with the AWS error. */
    if (find_owned_api(aws, owner, request, m->api) < 0)
        return -1;
    if (m->api[0]) {
        cfn_log(CFN_LOG_INFO, "REST API %s was made by another delivery of this request", m->api);
        return 0;
    }
    if (s->api_name)
        snprintf(name, sizeof(name), "%s", s->api_name);
    else
        snprintf(name, sizeof(name), "%.128s-%.128s", cfn_request_stack_name(ctx),
                 cfn_request_logical_id(ctx));
    cJSON *out = NULL;
    if (call(aws, "CreateRestApi",
             cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "name", name, NULL), "tags",
                              cfnkit_json_strings(cJSON_CreateObject(), TAG_OWNER, owner,
                                                  TAG_REQUEST, request, NULL)),
             &out) < 0)
        return -1;
    snprintf(mine, sizeof(mine), "%s",
             cfn_json_string(out, "id") ? cfn_json_string(out, "id") : "");
    cJSON_Delete(out);
    if (find_owned_api(aws, owner, request, m->api) < 0) {
        cfn_fail(ctx, "%s", cfn_error_last()); /* before the clean-up's call */
        delete_api(aws, mine);
        return -1;
    }
    if (strcmp(m->api, mine) == 0) {
        m->api_owned = true;
        return 0;
    }
    cfn_log(CFN_LOG_INFO, "REST API %s duplicates %s, made by another delivery: removed", mine,
            m->api);
    delete_api(aws, mine);
    return 0;
}

/* Makes the path, method, integration, permission and deployment, in the
 * API of `api` (or a new one when NULL). */
static int build(cfn_ctx *ctx, cfn_aws *aws, const api_spec *s, const char *api)
{
    made m;
    const char *region = cfn_aws_region(aws);
    memset(&m, 0, sizeof(m));
    if (api)
        snprintf(m.api, sizeof(m.api), "%s", api);
    else if (owned_api(ctx, aws, s, &m) < 0)
        return -1;
    for (int round = 0; round < ATTEMPTS; round++) {
        if (ensure_path(ctx, aws, s, &m) < 0)
            break;
        /* A failure on a whole path is final; on a broken one (NotFound,
         * or a deployment without methods) it is the parallel Delete's. */
        char why[1024] = "";
        bool failed = attach(aws, s, &m, region) < 0;
        /* Another delivery of this request setting the same method at the
         * same moment: set it again. */
        bool raced = failed && (cfn_aws_error_is(aws, "NotFoundException") ||
                                cfn_aws_error_is(aws, "ConflictException"));
        if (failed)
            snprintf(why, sizeof(why), "%s", cfn_error_last());
        int intact = path_intact(aws, &m, failed ? NULL : s->method);
        if (intact < 0 || (intact && failed && (!raced || round == ATTEMPTS - 1))) {
            cfn_fail(ctx, "%s", failed ? why : cfn_error_last());
            break;
        }
        if (intact && !failed && answer(ctx, s, &m, region) == 0)
            return 0;
        if (intact && !failed)
            break;
        if (intact) {
            cfn_log(CFN_LOG_INFO, "%s changed while this Create set it (%s): again", s->path, why);
            continue;
        }
        cfn_log(CFN_LOG_WARN,
                "a parallel Delete removed a segment of %s as this Create used it: "
                "made again",
                s->path);
        undo_path(aws, s, &m);
        m.ncreated = 0;
        m.method = m.permission = false;
        if (round == ATTEMPTS - 1)
            cfn_fail(ctx, "Path \"%.100s\" kept being removed by parallel Deletes (%d attempts)",
                     s->path, ATTEMPTS);
    }
    undo(ctx, aws, s, &m);
    return -1;
}

static int create(cfn_ctx *ctx)
{
    api_spec s;
    cfn_aws *aws = NULL;
    if (read_spec(ctx, &s) < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = build(ctx, aws, &s, s.rest_api_id);
    cfn_aws_free(aws);
    return rc;
}

/* "<api>/<resource>/<METHOD>" */
static int parse_id(const char *id, char *api, char *rid, char *method)
{
    return id && sscanf(id, "%63[^/]/%63[^/]/%7[A-Z]", api, rid, method) == 3 ? 0 : -1;
}

static int update(cfn_ctx *ctx)
{
    api_spec s;
    cfn_aws *aws = NULL;
    cJSON *all = NULL;
    char api[64], rid[64], method[8];
    made m;
    if (read_spec(ctx, &s) < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc;
    bool parsed = parse_id(cfn_request_physical_id(ctx), api, rid, method) == 0;
    if (!parsed || cfn_prop_changed(ctx, "Path") || cfn_prop_changed(ctx, "RestApiId") ||
        cfn_prop_changed(ctx, "ParentId") || strcmp(method, s.method) != 0) {
        /* A replacement: made anew (in the API this resource already owns,
         * when it owns one); CloudFormation then deletes the old id. */
        rc = build(ctx, aws, &s, s.rest_api_id ? s.rest_api_id : parsed ? api : NULL);
        goto done;
    }
    /* Same method on the same path: authorization and integration in place. */
    const char *old_arn = NULL;
    cfn_old_prop_string_or(ctx, "IntegrationRequest.FunctionArn", NULL, &old_arn);
    memset(&m, 0, sizeof(m));
    snprintf(m.api, sizeof(m.api), "%s", api);
    /* Failing without a reason answers with the AWS error. */
    if (!(all = resources_of(aws, api))) {
        rc = -1;
        goto done;
    }
    const cJSON *r = find_by(all, "id", rid), *root = find_by(all, "path", "/");
    if (!r) {
        rc = cfn_fail(ctx, "resource %s of REST API %s is gone: recreate it by changing its Path",
                      rid, api);
        goto done;
    }
    snprintf(m.resource, sizeof(m.resource), "%s", rid);
    snprintf(m.root, sizeof(m.root), "%s",
             cfn_json_string(root, "id") ? cfn_json_string(root, "id") : "");
    /* The parent's path, from the resource's own. */
    const char *full = cfn_json_string(r, "path");
    size_t plen =
        strlen(full) > strlen(s.path) ? strlen(full) - strlen(s.path) - (*s.path ? 1 : 0) : 0;
    snprintf(m.parent_path, sizeof(m.parent_path), "%.*s", (int)plen, full);
    /* A new authorization needs the method written anew; an integration is
     * replaced on the method as it is, keeping what else is set on it
     * (method responses) and serving all along. */
    bool auth = cfn_prop_changed(ctx, "AuthorizationType");
    if (auth)
        call(aws, "DeleteMethod", ids(api, rid, s.method), NULL);
    /* The statement is written anew (its SourceArn may change too). */
    if (old_arn && check_function_arn(old_arn) == 0)
        remove_permission(aws, old_arn, api, rid, s.method);
    const char *region = cfn_aws_region(aws);
    rc = auth ? attach(aws, &s, &m, region) : integrate(aws, &s, &m, region);
    if (rc == 0)
        rc = answer(ctx, &s, &m, region);
done:
    cJSON_Delete(all);
    cfn_aws_free(aws);
    return rc;
}

static int remove_resource(cfn_ctx *ctx)
{
    char api[64], rid[64], method[8];
    const char *function_arn = NULL, *stage = NULL, *parent = NULL;
    cfn_aws *aws = NULL;
    if (parse_id(cfn_request_physical_id(ctx), api, rid, method) < 0) {
        cfn_log(CFN_LOG_INFO, "%.100s names no method: nothing to delete",
                cfn_request_physical_id(ctx));
        return 0;
    }
    cfn_prop_string_or(ctx, "IntegrationRequest.FunctionArn", NULL, &function_arn);
    cfn_prop_string_or(ctx, "StageName", NULL, &stage);
    cfn_prop_string_or(ctx, "ParentId", NULL, &parent);
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    /* Failing without a reason answers with the AWS error. */
    int rc = call(aws, "DeleteMethod", ids(api, rid, method), NULL);
    if (rc < 0 && !cfn_aws_error_is(aws, "NotFoundException"))
        goto done;
    rc = 0;
    if (function_arn && check_function_arn(function_arn) == 0)
        remove_permission(aws, function_arn, api, rid, method);
    if (call(aws, "GetRestApi", ids(api, NULL, NULL), NULL) < 0)
        goto done;
    prune(aws, api, rid, parent);
    drop_owned_api(ctx, aws, api);
    /* The stage must stop serving the method; a deployment of an API
     * without methods is refused, and then there is nothing to serve. */
    if (stage && call(aws, "GetRestApi", ids(api, NULL, NULL), NULL) == 0)
        deploy(aws, api, stage);
done:
    cfn_aws_free(aws);
    return rc;
}

/* Removes the function's permissions for `api` (their SourceArn names it). */
static void remove_api_permissions(cfn_aws *aws, const char *function_arn, const char *api)
{
    cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "FunctionName", function_arn, NULL);
    cJSON *out = NULL, *policy = NULL;
    char needle[80];
    snprintf(needle, sizeof(needle), ":%s/", api);
    if (in && cfn_lambda(aws, "GetPolicy", in, &out) == 0)
        policy = cJSON_Parse(cfn_json_string(out, "Policy") ? cfn_json_string(out, "Policy") : "");
    const cJSON *st;
    cJSON_ArrayForEach(st, cJSON_GetObjectItem(policy, "Statement"))
    {
        const char *sid = cfn_json_string(st, "Sid");
        char *text = cJSON_PrintUnformatted(cJSON_GetObjectItem(st, "Condition"));
        if (sid && text && strstr(text, needle)) {
            cJSON *rm = cfnkit_json_strings(cJSON_CreateObject(), "FunctionName", function_arn,
                                            "StatementId", sid, NULL);
            if (rm)
                cfn_lambda(aws, "RemovePermission", rm, NULL);
            cJSON_Delete(rm);
        }
        free(text);
    }
    cJSON_Delete(policy);
    cJSON_Delete(out);
    cJSON_Delete(in);
}

/* The Delete after a failed Create: the REST API that Create made for this
 * resource (tagged with its owner and that Create's RequestId), if a call of
 * it took effect after all, with the function's permissions for it. A path
 * the Create began in an existing API (RestApiId given) is that API's and
 * stays, as after any failed Create of the type. */
static int remove_failed_create(cfn_ctx *ctx)
{
    char owner[65], api[64];
    const char *function_arn = NULL;
    cfn_aws *aws = NULL;
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    cfn_request_resource_hash(ctx, owner);
    /* Failing without a reason answers with the AWS error. */
    int rc = find_owned_api(aws, owner, cfn_request_failed_create_id(ctx), api);
    if (rc == 0 && api[0]) {
        cfn_prop_string_or(ctx, "IntegrationRequest.FunctionArn", NULL, &function_arn);
        if (function_arn && check_function_arn(function_arn) == 0)
            remove_api_permissions(aws, function_arn, api);
        rc = call(aws, "DeleteRestApi", ids(api, NULL, NULL), NULL);
        if (rc < 0 && cfn_aws_error_is(aws, "NotFoundException"))
            rc = 0;
        if (rc == 0)
            cfn_log(CFN_LOG_INFO, "REST API %s, made by the failed Create %s, deleted", api,
                    cfn_request_failed_create_id(ctx));
    } else if (rc == 0) {
        cfn_log(CFN_LOG_INFO, "the failed Create %s made no REST API",
                cfn_request_failed_create_id(ctx));
    }
    cfn_aws_free(aws);
    return rc;
}

const cfn_resource_type cfnkit_apigateway_resource = {
    .type = "Custom::APIGatewayResource",
    .create = create,
    .update = update,
    .remove = remove_resource,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .remove_failed_create = remove_failed_create,
};
