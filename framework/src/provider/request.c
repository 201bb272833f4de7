/* Request parsing and validation: direct requests and SNS-wrapped ones. */
#include "request.h"

#include "env.h"
#include "strbuf.h"

#include <cfnkit/error.h>
#include <cfnkit/json.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_URL_BYTES 16384

static int add_problem(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int add_problem(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    if (sb->len && cfn__sb_append(sb, "; ", 2) < 0)
        return CFN_ENOMEM;
    va_start(ap, fmt);
    int rc = cfn__sb_vprintf(sb, fmt, ap);
    va_end(ap);
    return rc;
}

static bool usable_url(const char *url)
{
    if (!url || strlen(url) > MAX_URL_BYTES)
        return false;
    if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
        return false;
    const char *host = strstr(url, "://") + 3;
    if (*host == '\0' || *host == '/' || *host == '?')
        return false;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return false;
    return true;
}

/* "arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/UUID" */
static void parse_stack_id(request *req)
{
    const char *id = req->stack_id;
    const char *env = cfn__env_region();
    snprintf(req->region, sizeof(req->region), "%s", env ? env : "");
    req->stack_name[0] = '\0';
    if (!id)
        return;
    if (strncmp(id, "arn:", 4) == 0) {
        const char *f = id;
        for (int i = 0; i < 3 && f; i++)
            f = strchr(f + 1, ':');
        const char *rend = f ? strchr(f + 1, ':') : NULL;
        const char *name = strstr(id, ":stack/");
        if (f && rend && rend > f + 1)
            snprintf(req->region, sizeof(req->region), "%.*s", (int)(rend - f - 1), f + 1);
        if (name) {
            name += 7;
            size_t n = strcspn(name, "/");
            snprintf(req->stack_name, sizeof(req->stack_name), "%.*s", (int)n, name);
            return;
        }
    }
    /* Not an ARN (a local engine, a hand-written event): keep what a stack
     * name may hold. */
    size_t j = 0;
    for (const char *p = id; *p && j < 128; p++)
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-')
            req->stack_name[j++] = *p;
    req->stack_name[j] = '\0';
}

int cfn__request_init(request *req, cJSON *obj)
{
    strbuf why = {0};
    memset(req, 0, sizeof(*req));
    req->root = obj;
    if (!cJSON_IsObject(obj)) {
        req->invalid = cfn__strdup("request is not a JSON object");
        return req->invalid ? 0 : CFN_ENOMEM;
    }
    const char *url = cfn_json_string(obj, "ResponseURL");
    if (usable_url(url))
        req->response_url = url;

    req->type_name = cfn_json_string(obj, "RequestType");
    req->stack_id = cfn_json_string(obj, "StackId");
    req->request_id = cfn_json_string(obj, "RequestId");
    req->resource_type = cfn_json_string(obj, "ResourceType");
    req->logical_id = cfn_json_string(obj, "LogicalResourceId");
    req->physical_id = cfn_json_string(obj, "PhysicalResourceId");
    req->props = cJSON_GetObjectItemCaseSensitive(obj, "ResourceProperties");
    req->old_props = cJSON_GetObjectItemCaseSensitive(obj, "OldResourceProperties");
    parse_stack_id(req);

    /* Where the answer goes is the delivery's concern, not the decision's:
     * a request without a ResponseURL (from a local engine) is still valid. */
    if (!url)
        req->url_problem = "request has no ResponseURL string";
    else if (!req->response_url)
        req->url_problem = "ResponseURL is not a usable http(s) URL";
    int rc = 0;
    if (!req->type_name)
        rc |= add_problem(&why, "%s", "request has no RequestType string");
    else if (strcmp(req->type_name, "Create") == 0)
        req->action = CFN_CREATE;
    else if (strcmp(req->type_name, "Update") == 0)
        req->action = CFN_UPDATE;
    else if (strcmp(req->type_name, "Delete") == 0)
        req->action = CFN_DELETE;
    else
        rc |= add_problem(&why, "unknown RequestType \"%.64s\" (expected Create, Update or Delete)",
                          req->type_name);
    static const char *required[] = {"StackId", "RequestId", "ResourceType", "LogicalResourceId"};
    const char *values[] = {req->stack_id, req->request_id, req->resource_type, req->logical_id};
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
        if (!values[i] || !*values[i])
            rc |= add_problem(&why, "request has no %s string", required[i]);
    if (!cJSON_IsObject(req->props))
        rc |= add_problem(&why, "%s", "request has no ResourceProperties object");
    if (req->type_name && req->action != CFN_CREATE && (!req->physical_id || !*req->physical_id))
        rc |= add_problem(&why, "%s request has no PhysicalResourceId string", req->type_name);
    if (req->action == CFN_UPDATE && !cJSON_IsObject(req->old_props))
        rc |= add_problem(&why, "%s", "Update request has no OldResourceProperties object");
    if (req->action != CFN_UPDATE || !cJSON_IsObject(req->old_props))
        req->old_props = NULL;
    if (!cJSON_IsObject(req->props))
        req->props = NULL;
    if (req->physical_id && !*req->physical_id)
        req->physical_id = NULL;
    if (rc < 0) {
        free(why.data);
        return CFN_ENOMEM;
    }
    req->invalid = why.data;
    return 0;
}

void cfn__request_clear(request *req)
{
    cJSON_Delete(req->root);
    free(req->invalid);
    memset(req, 0, sizeof(*req));
}

static int push(payload_item **items, size_t *count, cJSON *obj, const char *error)
{
    payload_item *n = realloc(*items, (*count + 1) * sizeof(**items));
    if (!n)
        return CFN_ENOMEM;
    *items = n;
    n[*count].obj = obj;
    n[*count].error = error ? cfn__strdup(error) : NULL;
    if (error && !n[*count].error)
        return CFN_ENOMEM;
    (*count)++;
    return 0;
}

static int split_sns(const cJSON *records, payload_item **items, size_t *count)
{
    const cJSON *rec;
    int i = 0;
    cJSON_ArrayForEach(rec, records)
    {
        char why[160];
        const cJSON *sns = cJSON_GetObjectItemCaseSensitive(rec, "Sns");
        const char *msg = cfn_json_string(sns, "Message");
        cJSON *obj = msg ? cJSON_Parse(msg) : NULL;
        if (!msg)
            snprintf(why, sizeof(why), "SNS record %d has no Sns.Message string", i);
        else if (!obj)
            snprintf(why, sizeof(why), "SNS record %d: Message is not valid JSON", i);
        int rc = push(items, count, obj, obj ? NULL : why);
        if (rc < 0) {
            cJSON_Delete(obj);
            return rc;
        }
        i++;
    }
    return 0;
}

int cfn__payload_split(const char *text, size_t len, payload_item **out, size_t *count)
{
    const char *end = NULL;
    *out = NULL;
    *count = 0;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        size_t at = end && end >= text ? (size_t)(end - text) : 0;
        return cfn_error_set(CFN_EINVAL,
                             "request is not valid JSON (parse error at byte %zu of %zu)", at, len);
    }
    const cJSON *records = cJSON_GetObjectItemCaseSensitive(root, "Records");
    int rc;
    if (cJSON_IsObject(root) && cJSON_IsArray(records)) {
        rc = split_sns(records, out, count);
        cJSON_Delete(root);
        if (rc == 0 && *count == 0)
            rc = cfn_error_set(CFN_EINVAL, "SNS notification has no records");
    } else if (cJSON_IsObject(root)) {
        rc = push(out, count, root, NULL);
        if (rc < 0)
            cJSON_Delete(root);
    } else {
        cJSON_Delete(root);
        rc = cfn_error_set(CFN_EINVAL, "request is not a JSON object");
    }
    if (rc == CFN_ENOMEM)
        cfn_error_set(rc, "out of memory reading the request");
    if (rc < 0) {
        cfn__payload_free(*out, *count);
        *out = NULL;
        *count = 0;
    }
    return rc;
}

void cfn__payload_free(payload_item *items, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        cJSON_Delete(items[i].obj);
        free(items[i].error);
    }
    free(items);
}
