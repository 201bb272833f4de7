/* Fuzzes what cfnkit makes of DescribeChangeSet's changes from CloudFormation
 * (framework/src/stack/remote.c): any JSON, one change or a list of them,
 * gives NULL or a change with an Action and one detail per named target;
 * the reason and status checks take any text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "remote.h"

static const char *str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void check(const cJSON *in)
{
    cJSON *c = stk_remote_change(in);
    if (!c)
        return;
    const cJSON *rc = cJSON_GetObjectItemCaseSensitive(c, "ResourceChange");
    if (!str(rc, "Action") || !str(rc, "LogicalResourceId"))
        abort();
    const cJSON *d, *e;
    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(rc, "Details"))
    {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(d, "Target");
        if (!str(t, "Attribute") || !str(t, "Name") || !str(t, "RequiresRecreation"))
            abort();
        for (e = d->next; e; e = e->next) {
            const cJSON *u = cJSON_GetObjectItemCaseSensitive(e, "Target");
            if (strcmp(str(t, "Attribute"), str(u, "Attribute")) == 0 &&
                strcmp(str(t, "Name"), str(u, "Name")) == 0)
                abort();
        }
    }
    cJSON_Delete(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    (void)stk_remote_empty_reason(text);
    (void)stk_remote_status_final(text);
    cJSON *j = cJSON_ParseWithLength(text, size);
    free(text);
    if (!j)
        return 0;
    if (cJSON_IsArray(j)) {
        const cJSON *item;
        cJSON_ArrayForEach(item, j) check(item);
    } else {
        check(j);
    }
    cJSON_Delete(j);
    return 0;
}
