/* Requests as CloudFormation builds them (request.h): strings where
 * CloudFormation writes strings, fresh RequestIds, deterministic StackIds. */
#include "request.h"

#include <cfnkit/cfnkit.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

int stk_random(unsigned char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(buf + got, n - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return cfn_error_set(CFN_EIO, "no random bytes from the kernel: %s", strerror(errno));
        got += (size_t)r;
    }
    return 0;
}

static void format_uuid(unsigned char b[16], char out[37])
{
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

void stk_uuid(char out[37])
{
    unsigned char b[16];
    /* getrandom only fails before the pool is ready or on a seccomp refusal;
     * a UUID is then still unique enough from the clock and the pid. */
    if (stk_random(b, sizeof(b)) < 0)
        for (size_t i = 0; i < sizeof(b); i++)
            b[i] = (unsigned char)(rand() ^ (getpid() << 3) ^ (int)i);
    format_uuid(b, out);
}

const char *stk_partition(const char *region)
{
    if (strncmp(region, "cn-", 3) == 0)
        return "aws-cn";
    if (strncmp(region, "us-gov-", 7) == 0)
        return "aws-us-gov";
    return "aws";
}

/* A stack's id is fixed when CloudFormation creates it; here it follows from
 * the region, account and name (FNV-1a, twice), so that every request built
 * for one stack names the same stack (modules key ownership on it). */
int stk_stack_arn(const char *region, const char *account, const char *name, char **out)
{
    uint64_t h[2] = {0xcbf29ce484222325ull, 0x84222325cbf29ce4ull};
    const char *parts[] = {region, account, name};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
            for (const unsigned char *p = (const unsigned char *)parts[i];; p++) {
                h[k] = (h[k] ^ *p) * 0x100000001b3ull;
                if (!*p)
                    break;
            }
    unsigned char b[16];
    char uuid[37];
    for (int i = 0; i < 16; i++)
        b[i] = (unsigned char)(h[i / 8] >> (8 * (i % 8)));
    format_uuid(b, uuid);
    size_t len = strlen(region) + strlen(account) + strlen(name) + 80;
    *out = malloc(len);
    if (!*out)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    snprintf(*out, len, "arn:%s:cloudformation:%s:%s:stack/%s/%s", stk_partition(region), region,
             account, name, uuid);
    return 0;
}

void stk_number_text(double d, char *buf, size_t size)
{
    if (d >= -9007199254740992.0 && d <= 9007199254740992.0 && d == (double)(long long)d) {
        snprintf(buf, size, "%lld", (long long)d);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            return;
    }
}

static cJSON *number_string(double d)
{
    char buf[64];
    stk_number_text(d, buf, sizeof(buf));
    return cJSON_CreateString(buf);
}

cJSON *stk_stringify(const cJSON *v)
{
    if (cJSON_IsString(v))
        return cJSON_CreateString(v->valuestring);
    if (cJSON_IsBool(v))
        return cJSON_CreateString(cJSON_IsTrue(v) ? "true" : "false");
    if (cJSON_IsNumber(v))
        return number_string(v->valuedouble);
    /* A number as the template wrote it (the evaluator keeps its text):
     * CloudFormation passes that text. */
    if (cJSON_IsRaw(v))
        return cJSON_CreateString(v->valuestring);
    if (!cJSON_IsArray(v) && !cJSON_IsObject(v))
        return NULL;
    cJSON *out = cJSON_IsArray(v) ? cJSON_CreateArray() : cJSON_CreateObject();
    const cJSON *item;
    cJSON_ArrayForEach(item, v)
    {
        if (!out)
            return NULL;
        if (cJSON_IsNull(item))
            continue;
        cJSON *s = stk_stringify(item);
        if (!s || (cJSON_IsArray(v) ? !cJSON_AddItemToArray(out, s)
                                    : !cJSON_AddItemToObject(out, item->string, s))) {
            cJSON_Delete(s);
            cJSON_Delete(out);
            return NULL;
        }
    }
    return out;
}

bool stk_type_is_custom(const char *type)
{
    return strncmp(type, "Custom::", 8) == 0 ||
           strcmp(type, "AWS::CloudFormation::CustomResource") == 0;
}

/* The properties as sent: strings with ServiceToken first (CloudFormation
 * lists it first), or as given. */
static cJSON *sent_properties(const cJSON *props, const stk_event *e)
{
    if (props && !cJSON_IsObject(props)) {
        cfn_error_set(CFN_EINVAL, "properties must be a JSON object");
        return NULL;
    }
    cJSON *s = !props        ? cJSON_CreateObject()
               : e->as_given ? cJSON_Duplicate(props, 1)
                             : stk_stringify(props);
    if (s && !e->as_given && e->service_token &&
        !cJSON_GetObjectItemCaseSensitive(s, "ServiceToken")) {
        cJSON *t = cJSON_CreateString(e->service_token);
        if (t)
            t->string = strdup("ServiceToken");
        if (!t || !t->string || !cJSON_InsertItemInArray(s, 0, t)) {
            cJSON_Delete(t);
            cJSON_Delete(s);
            s = NULL;
        }
    }
    if (!s)
        cfn_error_set(CFN_ENOMEM, "out of memory");
    return s;
}

int stk_event_build(const stk_event *e, cJSON **out)
{
    const char *action = e->request_type;
    char fresh[37];
    cJSON *ev = NULL, *p = NULL, *old = NULL;
    int rc = -1;
    *out = NULL;
    bool update = action && strcmp(action, "Update") == 0;
    bool create = action && strcmp(action, "Create") == 0;
    if (!action || (!update && !create && strcmp(action, "Delete") != 0))
        return cfn_error_set(CFN_EINVAL, "no request type %s", action ? action : "(none)");
    if (!create && (!e->physical_id || !*e->physical_id))
        return cfn_error_set(CFN_EINVAL, "a%s %s request needs a physical id", update ? "n" : "",
                             action);
    if (!e->stack_id || !e->logical_id || !e->resource_type || !e->response_url)
        return cfn_error_set(CFN_EINVAL, "a request needs a stack, a logical id, a type and a "
                                         "ResponseURL");
    if (!e->request_id)
        stk_uuid(fresh);
    p = sent_properties(e->properties, e);
    if (update)
        old = sent_properties(e->old_properties ? e->old_properties : e->properties, e);
    if (!p || (update && !old))
        goto done;
    const cJSON *token_item = cJSON_GetObjectItemCaseSensitive(p, "ServiceToken");
    const char *token = cJSON_IsString(token_item) ? token_item->valuestring : e->service_token;
    ev = cJSON_CreateObject();
    if (!ev || !cJSON_AddStringToObject(ev, "RequestType", action) ||
        (token && !cJSON_AddStringToObject(ev, "ServiceToken", token)) ||
        !cJSON_AddStringToObject(ev, "ResponseURL", e->response_url) ||
        !cJSON_AddStringToObject(ev, "StackId", e->stack_id) ||
        !cJSON_AddStringToObject(ev, "RequestId", e->request_id ? e->request_id : fresh) ||
        !cJSON_AddStringToObject(ev, "LogicalResourceId", e->logical_id) ||
        (!create && !cJSON_AddStringToObject(ev, "PhysicalResourceId", e->physical_id)) ||
        !cJSON_AddStringToObject(ev, "ResourceType", e->resource_type)) {
        cfn_error_set(CFN_ENOMEM, "out of memory");
        goto done;
    }
    cJSON_AddItemToObject(ev, "ResourceProperties", p);
    p = NULL;
    if (old) {
        cJSON_AddItemToObject(ev, "OldResourceProperties", old);
        old = NULL;
    }
    *out = ev;
    ev = NULL;
    rc = 0;
done:
    cJSON_Delete(p);
    cJSON_Delete(old);
    cJSON_Delete(ev);
    return rc;
}
