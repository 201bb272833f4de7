/* The template commands' environment (template_env.h): SSM GetParameters
 * through the same AWS client, credentials and endpoint settings as the
 * modules use (AWS_ENDPOINT_URL[_SSM], AWS_REGION, ...). */
#include "template_env.h"

#include <cfnkit/cfnkit.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ssm_value(void *arg, const char *name, char **out)
{
    cfn_aws **aws = arg;
    cJSON *in = NULL, *res = NULL;
    int rc;
    if (!*aws && (rc = cfn_aws_new(aws, NULL)) < 0)
        return rc;
    in = cJSON_CreateObject();
    cJSON *names = cJSON_AddArrayToObject(in, "Names");
    cJSON_AddItemToArray(names, cJSON_CreateString(name));
    cJSON_AddBoolToObject(in, "WithDecryption", 1);
    if ((rc = cfn_ssm(*aws, "GetParameters", in, &res)) < 0)
        goto done;
    const cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItem(res, "Parameters"), 0);
    const cJSON *v = cJSON_GetObjectItem(p, "Value");
    if (!cJSON_IsString(v)) {
        rc = cfn_error_set(CFN_ENOTFOUND, "not found in Parameter Store");
        goto done;
    }
    *out = strdup(v->valuestring);
    rc = *out ? 0 : cfn_error_set(CFN_ENOMEM, "out of memory");
done:
    cJSON_Delete(in);
    cJSON_Delete(res);
    return rc;
}

void template_env_init(cfn_eval_ops *ops)
{
    memset(ops, 0, sizeof(*ops));
    ops->ssm = ssm_value;
    ops->arg = calloc(1, sizeof(cfn_aws *));
    if (!ops->arg)
        ops->ssm = NULL;
}

void template_env_done(cfn_eval_ops *ops)
{
    cfn_aws **aws = ops->arg;
    if (aws)
        cfn_aws_free(*aws);
    free(aws);
}

int template_overrides_is_arg(const char *arg)
{
    return strncmp(arg, "file://", 7) == 0 || (arg[0] != '-' && strchr(arg, '=') != NULL);
}

static int push(template_overrides *o, const char *key, const char *value)
{
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 8;
        char **items = realloc(o->items, cap * sizeof(*items));
        if (!items)
            return cfn_error_set(CFN_ENOMEM, "out of memory");
        o->items = items;
        o->cap = cap;
    }
    char *s = NULL;
    if (value ? asprintf(&s, "%s=%s", key, value) < 0 : !(s = strdup(key)))
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    o->items[o->n++] = s;
    return 0;
}

/* A JSON value as a parameter's text: strings as they are, numbers and
 * booleans as their text; NULL for anything else. The caller frees. */
static char *value_text(const cJSON *v)
{
    if (cJSON_IsString(v))
        return strdup(v->valuestring);
    if (cJSON_IsBool(v))
        return strdup(cJSON_IsTrue(v) ? "true" : "false");
    if (cJSON_IsNumber(v))
        return cJSON_PrintUnformatted(v);
    return NULL;
}

static int add_pair(template_overrides *o, const char *file, const char *key, const cJSON *v)
{
    char *text = value_text(v);
    if (!key || !*key || !text) {
        free(text);
        return cfn_error_set(CFN_EINVAL,
                             "%s: parameter %s: a value must be a string, number or boolean", file,
                             key && *key ? key : "(no ParameterKey)");
    }
    int rc = push(o, key, text);
    free(text);
    return rc;
}

static int add_file(template_overrides *o, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cfn_error_set(CFN_EIO, "--parameter-overrides file://%s: %s", path, strerror(errno));
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            char *more = realloc(text, cap = cap ? cap * 2 : 8192);
            if (!more) {
                free(text);
                fclose(f);
                return cfn_error_set(CFN_ENOMEM, "out of memory");
            }
            text = more;
        }
        size_t got = fread(text + len, 1, 4096, f);
        len += got;
        if (got < 4096)
            break;
    }
    fclose(f);
    cJSON *doc = text ? cJSON_ParseWithLength(text, len) : NULL;
    free(text);
    if (!doc)
        return cfn_error_set(CFN_EINVAL, "--parameter-overrides file://%s is not JSON", path);
    int rc = 0;
    const cJSON *params = cJSON_GetObjectItem(doc, "Parameters"), *item;
    if (cJSON_IsObject(doc) && cJSON_IsObject(params)) {
        /* CodePipeline's form: {"Parameters": {"Key": "Value"}}. */
        cJSON_ArrayForEach(item, params) if (rc == 0) rc = add_pair(o, path, item->string, item);
    } else if (cJSON_IsArray(doc)) {
        cJSON_ArrayForEach(item, doc)
        {
            if (rc < 0)
                break;
            if (cJSON_IsString(item) && strchr(item->valuestring, '='))
                rc = push(o, item->valuestring, NULL); /* "Key=Value" */
            else if (cJSON_IsObject(item))
                rc = add_pair(o, path,
                              cJSON_GetStringValue(cJSON_GetObjectItem(item, "ParameterKey")),
                              cJSON_GetObjectItem(item, "ParameterValue"));
            else
                rc = cfn_error_set(CFN_EINVAL,
                                   "%s: every entry is \"Key=Value\" or {\"ParameterKey\", "
                                   "\"ParameterValue\"}",
                                   path);
        }
    } else {
        rc = cfn_error_set(CFN_EINVAL,
                           "%s: expected [\"Key=Value\", ...], [{\"ParameterKey\": ..., "
                           "\"ParameterValue\": ...}] or {\"Parameters\": {...}}",
                           path);
    }
    cJSON_Delete(doc);
    return rc;
}

int template_overrides_add(template_overrides *o, const char *arg)
{
    if (strncmp(arg, "file://", 7) == 0)
        return add_file(o, arg + 7);
    if (!strchr(arg, '='))
        return cfn_error_set(CFN_EINVAL, "--parameter-overrides: %s is not Key=Value", arg);
    return push(o, arg, NULL);
}

void template_overrides_free(template_overrides *o)
{
    for (size_t i = 0; i < o->n; i++)
        free(o->items[i]);
    free(o->items);
    memset(o, 0, sizeof(*o));
}
