/* Building the modules' AWS inputs: every member added, or no input. */
#include "awsjson.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cJSON *cfnkit_json_strings(cJSON *obj, ...)
{
    va_list ap;
    const char *name;
    va_start(ap, obj);
    while (obj && (name = va_arg(ap, const char *)) != NULL) {
        const char *value = va_arg(ap, const char *);
        if (value && !cJSON_AddStringToObject(obj, name, value)) {
            cJSON_Delete(obj);
            obj = NULL;
        }
    }
    va_end(ap);
    return obj;
}

cJSON *cfnkit_json_item(cJSON *obj, const char *name, cJSON *item)
{
    if (!obj || !item || !cJSON_AddItemToObject(obj, name, item)) {
        cJSON_Delete(item);
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

cJSON *cfnkit_json_number(cJSON *obj, const char *name, double value)
{
    if (obj && !cJSON_AddNumberToObject(obj, name, value)) {
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

bool cfnkit_listed(const char *const *names, const char *name)
{
    for (; names && *names; names++)
        if (strcmp(*names, name) == 0)
            return true;
    return false;
}

int cfnkit_tags_map(cfn_ctx *ctx, const char *name, cJSON **out)
{
    const cJSON *list;
    *out = NULL;
    if (!cfn_prop_has(ctx, name))
        return (*out = cJSON_CreateObject()) ? 0 : cfn_fail(ctx, "out of memory");
    if (cfn_prop_list(ctx, name, &list) < 0)
        return -1;
    cJSON *map = cJSON_CreateObject();
    for (int i = 0; map && i < cJSON_GetArraySize(list); i++) {
        char path[128];
        const char *key, *value;
        snprintf(path, sizeof(path), "%s.%d.Key", name, i);
        if (cfn_prop_string(ctx, path, &key) < 0)
            goto fail;
        snprintf(path, sizeof(path), "%s.%d.Value", name, i);
        if (cfn_prop_string(ctx, path, &value) < 0)
            goto fail;
        cJSON_DeleteItemFromObjectCaseSensitive(map, key);
        map = cfnkit_json_strings(map, key, value, NULL);
    }
    if (!map)
        return cfn_fail(ctx, "out of memory");
    *out = map;
    return 0;
fail:
    cJSON_Delete(map);
    return -1;
}

cJSON *cfnkit_tag_object(const cJSON *list)
{
    cJSON *map = cJSON_CreateObject();
    const cJSON *t;
    cJSON_ArrayForEach(t, list)
    {
        const char *k = cfn_json_string(t, "Key"), *v = cfn_json_string(t, "Value");
        if (!map || !k || !v || !cJSON_AddStringToObject(map, k, v)) {
            cJSON_Delete(map);
            return NULL;
        }
    }
    return map;
}

int cfnkit_tags_dropped(cfn_ctx *ctx, const char *name, cJSON **out)
{
    const cJSON *old = NULL, *now = NULL, *t;
    cJSON *keys = cJSON_CreateArray();
    *out = NULL;
    if (!keys)
        return cfn_fail(ctx, "out of memory");
    if (cfn_old_prop_has(ctx, name) && cfn_old_prop_list(ctx, name, &old) < 0)
        goto fail;
    if (cfn_prop_has(ctx, name) && cfn_prop_list(ctx, name, &now) < 0)
        goto fail;
    cJSON_ArrayForEach(t, old)
    {
        const char *key = cfn_json_string(t, "Key");
        bool kept = false;
        const cJSON *n;
        cJSON_ArrayForEach(n, now)
        {
            const char *k = cfn_json_string(n, "Key");
            kept |= key && k && strcmp(k, key) == 0;
        }
        if (key && !kept && !cJSON_AddItemToArray(keys, cJSON_CreateString(key))) {
            cfn_fail(ctx, "out of memory");
            goto fail;
        }
    }
    *out = keys;
    return 0;
fail:
    cJSON_Delete(keys);
    return -1;
}

/* The API's name for `name`, into `out`. */
static void api_name(const char *name, const char *const *renames, char *out, size_t size)
{
    size_t n = strlen(name);
    for (; renames && *renames; renames++)
        if (strncmp(*renames, name, n) == 0 && (*renames)[n] == '=') {
            snprintf(out, size, "%s", *renames + n + 1);
            return;
        }
    snprintf(out, size, "%s", name);
    out[0] = (char)tolower((unsigned char)out[0]);
}

cJSON *cfnkit_json_camel(const cJSON *value, const char *const *renames,
                         const char *const *verbatim)
{
    if (!cJSON_IsObject(value) && !cJSON_IsArray(value))
        return cJSON_Duplicate(value, 1);
    cJSON *copy = cJSON_IsObject(value) ? cJSON_CreateObject() : cJSON_CreateArray();
    const cJSON *m;
    cJSON_ArrayForEach(m, value)
    {
        if (!copy)
            return NULL;
        bool member = cJSON_IsObject(value);
        cJSON *v = member && cfnkit_listed(verbatim, m->string)
                       ? cJSON_Duplicate(m, 1)
                       : cfnkit_json_camel(m, renames, verbatim);
        if (!member) {
            if (!v || !cJSON_AddItemToArray(copy, v)) {
                cJSON_Delete(v);
                cJSON_Delete(copy);
                copy = NULL;
            }
            continue;
        }
        char name[256];
        api_name(m->string, renames, name, sizeof(name));
        copy = cfnkit_json_item(copy, name, v);
    }
    return copy;
}

void cfnkit_number_text(double d, char *out, size_t size)
{
    if (d >= -9007199254740992.0 && d <= 9007199254740992.0 && d == (double)(long long)d) {
        snprintf(out, size, "%lld", (long long)d);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, size, "%.*g", prec, d);
        if (strtod(out, NULL) == d)
            return;
    }
}

/* Replaces the member `m` of `parent` with `by`, under the same name; false
 * when out of memory. */
static bool replace(cJSON *parent, cJSON *m, cJSON *by)
{
    /* cJSON frees the name with its own allocator's hooks. */
    size_t n = strlen(m->string) + 1;
    char *name = by ? cJSON_malloc(n) : NULL;
    if (!name) {
        cJSON_Delete(by);
        return false;
    }
    memcpy(name, m->string, n);
    by->string = name;
    return cJSON_ReplaceItemViaPointer(parent, m, by) != 0;
}

int cfnkit_json_coerce(cJSON *value, const char *const *ints, const char *const *bools,
                       const char *const *strings, const char **bad)
{
    cJSON *m, *next;
    if (!cJSON_IsObject(value) && !cJSON_IsArray(value))
        return 0;
    for (m = value->child; m; m = next) {
        next = m->next;
        const char *name = cJSON_IsObject(value) ? m->string : NULL;
        bool ok = true;
        if (name && cfnkit_listed(ints, name) && cJSON_IsString(m)) {
            char *end;
            double n = strtod(m->valuestring, &end);
            ok =
                *m->valuestring && !*end && isfinite(n) && replace(value, m, cJSON_CreateNumber(n));
        } else if (name && cfnkit_listed(ints, name)) {
            ok = cJSON_IsNumber(m);
        } else if (name && cfnkit_listed(bools, name) && cJSON_IsString(m)) {
            bool t = strcmp(m->valuestring, "true") == 0;
            ok = (t || strcmp(m->valuestring, "false") == 0) &&
                 replace(value, m, cJSON_CreateBool(t));
        } else if (name && cfnkit_listed(bools, name)) {
            ok = cJSON_IsBool(m);
        } else if (name && cfnkit_listed(strings, name) && (cJSON_IsNumber(m) || cJSON_IsBool(m))) {
            char text[32];
            if (cJSON_IsBool(m))
                snprintf(text, sizeof(text), "%s", cJSON_IsTrue(m) ? "true" : "false");
            else
                cfnkit_number_text(m->valuedouble, text, sizeof(text));
            ok = replace(value, m, cJSON_CreateString(text));
        } else if (cfnkit_json_coerce(m, ints, bools, strings, bad) < 0) {
            return -1;
        }
        if (!ok) {
            *bad = name;
            return -1;
        }
    }
    return 0;
}
