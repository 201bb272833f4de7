/* Building the modules' AWS inputs: every member added, or no input. */
#include "awsjson.h"

#include <stdarg.h>
#include <stdio.h>
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
