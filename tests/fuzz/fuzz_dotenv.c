/* Fuzzes the .env merge: any existing file, merged twice, gives the same
 * result as merged once, and every value written reads back through the
 * quoting rules (no raw line break inside a written definition). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envzip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The first line is a value to set; the rest an existing .env. */
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    size_t vlen = nl ? (size_t)(nl - text) : size;
    char *value = strndup(text, vlen);
    if (!value || strlen(value) != vlen) {
        free(value);
        return 0;
    }
    cJSON *env = cJSON_CreateObject();
    cJSON_AddStringToObject(env, "TABLE", value);
    const char *rest = nl ? nl + 1 : text + size;
    size_t rlen = (size_t)(text + size - rest);
    size_t n1, n2;
    char why[200];
    char *once = dotenv_merge(rest, rlen, env, &n1, why, sizeof(why));
    if (once) {
        char *twice = dotenv_merge(once, n1, env, &n2, why, sizeof(why));
        if (!twice || n1 != n2 || memcmp(once, twice, n1) != 0)
            abort();
        free(twice);
    }
    char *q = dotenv_quote(value);
    if (!q || strchr(q, '\n') || strchr(q, '\r'))
        abort();
    free(q);
    free(once);
    free(value);
    cJSON_Delete(env);
    return 0;
}
