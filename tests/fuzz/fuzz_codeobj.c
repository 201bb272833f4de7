/* Fuzzes what the deployment engine reads from outside: a zip given to
 * `cfnkit package` (checked whole before upload; a zip that passes reads back
 * through libzip entry by entry), lease owners and stack ids read back from
 * the state table, and chunk cuts (never 0, never past the limit, never
 * inside a UTF-8 sequence of valid text). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "codeobj.h"

static void strings(const char *s, size_t size)
{
    char host[256], name[160];
    long pid = 0;
    if (stk__owner_parse(s, host, sizeof(host), &pid) == 0 && (pid <= 0 || strlen(host) == 0))
        abort();
    if (stk__stack_name_of(s, name, sizeof(name)) == 0 && (!name[0] || strchr(name, '/')))
        abort();
    for (size_t max = 1; max <= 8 && size > 0; max++) {
        size_t cut = stk__chunk_cut(s, size, max);
        if (cut == 0 || cut > max || cut > size)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = strndup((const char *)data, size);
    if (!s)
        return 0;
    strings(s, strlen(s));
    free(s);

    static char path[64];
    if (!path[0])
        snprintf(path, sizeof(path), "/tmp/fuzz-codeobj-%ld.zip", (long)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    size_t wrote = fwrite(data, 1, size, f);
    if (fclose(f) != 0 || wrote != size)
        return 0;
    long count = -1;
    if (stk_codeobj_check_zip(path, &count) == 0 && count <= 0)
        abort();
    unlink(path);
    return 0;
}
