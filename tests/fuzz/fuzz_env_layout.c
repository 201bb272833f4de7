/* Fuzzes the remote .env rewrite's reader of an archive's end records and
 * central directory (env_remote.c): any bytes as the source object. It must
 * refuse what is not a zip with a reason, never read outside the object, and
 * describe a new archive whose segments lie inside the source. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env_remote.h"

typedef struct source {
    const uint8_t *data;
    size_t size;
} source;

static int read_range(void *arg, long long from, size_t len, char **data, char *why,
                      size_t why_size)
{
    const source *s = arg;
    if (from < 0 || (unsigned long long)from > s->size || len > s->size - (size_t)from) {
        /* The reader asked for bytes the object does not have: S3 would
         * answer 416; the layout must turn that into a reason. */
        snprintf(why, why_size, "range %lld+%zu outside %zu bytes", from, len, s->size);
        return -1;
    }
    *data = malloc(len ? len : 1);
    if (!*data) {
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    memcpy(*data, s->data + from, len);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    source s = {data, size};
    cJSON *env = cJSON_CreateObject();
    cJSON_AddStringToObject(env, "TABLE", "hits");
    env_layout l;
    char why[512] = "";
    memset(&l, 0, sizeof(l));
    if (env_layout_build((long long)size, read_range, &s, ".env", env, &l, why, sizeof(why)) == 0) {
        long long total = 0;
        for (size_t i = 0; i < l.nsegs; i++) {
            long long limit = l.segs[i].literal ? (long long)l.literal_len : (long long)size;
            if (l.segs[i].from < 0 || l.segs[i].len < 0 || l.segs[i].from + l.segs[i].len > limit)
                abort(); /* a copy from outside the source or the literal */
            total += l.segs[i].len;
        }
        if (total != l.size)
            abort(); /* the new archive's size is not its parts' */
        env_layout_free(&l);
    } else if (!why[0]) {
        abort(); /* refused without a reason */
    }
    cJSON_Delete(env);
    return 0;
}
