/* Prints every native AWS:: descriptor (cfnkit_native_types) as one JSON
 * object, type name -> {version, replaces, replaces_conditional, write_only,
 * attributes}, for test_schemas.py to compare with CloudFormation's schemas. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#include "resources.h"

static cJSON *names(const char *const *list)
{
    cJSON *arr = cJSON_CreateArray();
    for (; arr && list && *list; list++)
        if (!cJSON_AddItemToArray(arr, cJSON_CreateString(*list))) {
            cJSON_Delete(arr);
            return NULL;
        }
    return arr;
}

static cJSON *describe(const cfn_resource_type *t)
{
    cJSON *obj = cJSON_CreateObject();
    if (!obj || !cJSON_AddNumberToObject(obj, "version", t->version) ||
        !cJSON_AddItemToObject(obj, "replaces", names(t->replaces)) ||
        !cJSON_AddItemToObject(obj, "replaces_conditional", names(t->replaces_conditional)) ||
        !cJSON_AddItemToObject(obj, "write_only", names(t->write_only)) ||
        !cJSON_AddItemToObject(obj, "attributes", names(t->attributes)) ||
        !cJSON_AddBoolToObject(obj, "update", t->update != NULL)) {
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

int main(void)
{
    cJSON *all = cJSON_CreateObject();
    for (const cfn_resource_type *const *const *s = cfnkit_native_types; all && *s; s++)
        for (const cfn_resource_type *const *t = *s; *t; t++) {
            if (cJSON_GetObjectItemCaseSensitive(all, (*t)->type)) {
                fprintf(stderr, "native_descriptors: %s is listed twice\n", (*t)->type);
                cJSON_Delete(all);
                return 1;
            }
            if (!cJSON_AddItemToObject(all, (*t)->type, describe(*t))) {
                cJSON_Delete(all);
                all = NULL;
                break;
            }
        }
    char *text = all ? cJSON_Print(all) : NULL;
    cJSON_Delete(all);
    if (!text) {
        fprintf(stderr, "native_descriptors: out of memory\n");
        return 1;
    }
    puts(text);
    free(text);
    return 0;
}
