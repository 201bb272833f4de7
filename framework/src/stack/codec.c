/* The state store's encoding: chunks, lease owners, sort keys (codec.h). */
#include "codec.h"

#include "clock.h"

#include <cfnkit/error.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

size_t stk__chunk_cut(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t cut = max;
    /* A UTF-8 sequence is at most 4 bytes: back off to its lead byte, unless
     * the text is not UTF-8 there (then any cut is as good). */
    for (int i = 0; i < 3 && cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80; i++)
        cut--;
    return cut > 0 && ((unsigned char)s[cut] & 0xC0) != 0x80 ? cut : max;
}

void stk__hostname(char *out, size_t n)
{
    if (gethostname(out, n) != 0 || !out[0] || memchr(out, '\0', n) == NULL) {
        snprintf(out, n, "localhost");
        return;
    }
    for (char *p = out; *p; p++)
        if (*p == '/')
            *p = '_';
}

int stk__owner_make(char *out, size_t n)
{
    char host[256];
    stk__hostname(host, sizeof(host));
    int w = snprintf(out, n, "%s/%ld/%08" PRIx32 "%08" PRIx32, host, (long)getpid(),
                     cfn__random_u32(), cfn__random_u32());
    if (w < 0 || (size_t)w >= n)
        return cfn_error_set(CFN_EINVAL, "lease owner does not fit in %zu bytes", n);
    return 0;
}

int stk__owner_parse(const char *owner, char *host, size_t host_size, long *pid)
{
    const char *last = strrchr(owner, '/');
    const char *mid = NULL;
    for (const char *p = owner; last && p < last; p++)
        if (*p == '/')
            mid = p;
    if (!last || !mid || mid == owner || !last[1] || mid + 1 == last)
        return cfn_error_set(CFN_EINVAL, "lease owner \"%s\" is not HOST/PID/RANDOM", owner);
    char *end;
    long v = strtol(mid + 1, &end, 10);
    if (end != last || v <= 0)
        return cfn_error_set(CFN_EINVAL, "lease owner \"%s\" has no process id", owner);
    size_t hl = (size_t)(mid - owner);
    if (hl >= host_size)
        return cfn_error_set(CFN_EINVAL, "lease owner \"%s\": host name too long", owner);
    memcpy(host, owner, hl);
    host[hl] = '\0';
    *pid = v;
    return 0;
}

int stk__event_sk(char *out, size_t n, int64_t epoch_ms, uint32_t seq, const char *id)
{
    if (epoch_ms < 0)
        epoch_ms = 0;
    int w = snprintf(out, n, "event#%013" PRId64 "#%010" PRIu32 "#%s", epoch_ms, seq, id);
    if (w < 0 || (size_t)w >= n)
        return cfn_error_set(CFN_EINVAL, "event id \"%.64s...\" is too long", id);
    return 0;
}

int stk__stack_name_of(const char *stack_id, char *out, size_t n)
{
    const char *p = strstr(stack_id, ":stack/");
    const char *end = p ? strchr(p + 7, '/') : NULL;
    if (strncmp(stack_id, "arn:", 4) != 0 || !p || !end || end == p + 7 ||
        (size_t)(end - p - 7) >= n)
        return cfn_error_set(CFN_EINVAL,
                             "\"%s\" is not a stack id (arn:aws:cloudformation:REGION:ACCOUNT:"
                             "stack/NAME/ID)",
                             stack_id);
    memcpy(out, p + 7, (size_t)(end - p - 7));
    out[end - p - 7] = '\0';
    return 0;
}

void stk__iso_time(int64_t epoch_ms, char out[32])
{
    time_t t = (time_t)(epoch_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char base[24];
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%s.%03dZ", base, (int)(epoch_ms % 1000));
}
