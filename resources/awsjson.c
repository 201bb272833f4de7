/* Building the modules' AWS inputs: every member added, or no input. */
#include "awsjson.h"

#include <stdarg.h>

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
