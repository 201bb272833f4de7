/* Building the modules' AWS inputs: every member added, or no input. */
#include "awsjson.h"

#include <stdarg.h>
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

int cfnkit_props_known(cfn_ctx *ctx, const char *const *known)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, cfn_request_props(ctx))
    {
        if (strcmp(p->string, "ServiceToken") != 0 && !cfnkit_listed(known, p->string))
            return cfn_fail(ctx, "%s property %.100s is not supported by cfnkit's local engine",
                            cfn_request_resource_type(ctx), p->string);
    }
    return 0;
}
