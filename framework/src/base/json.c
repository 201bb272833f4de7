/* Reading cJSON values: the accessors every layer and module needs. */
#include <cfnkit/json.h>

const char *cfn_json_string(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;
    return cJSON_IsString(v) ? v->valuestring : NULL;
}
