/* The growable string of strbuf.h. */
#include "strbuf.h"

#include <cfnkit/error.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sb_reserve(strbuf *sb, size_t extra)
{
    if (sb->len + extra + 1 <= sb->cap)
        return 0;
    size_t cap = sb->cap ? sb->cap : 256;
    while (cap < sb->len + extra + 1)
        cap *= 2;
    char *p = realloc(sb->data, cap);
    if (!p)
        return CFN_ENOMEM;
    sb->data = p;
    sb->cap = cap;
    return 0;
}

int cfn__sb_append(strbuf *sb, const char *s, size_t n)
{
    if (sb_reserve(sb, n) < 0)
        return CFN_ENOMEM;
    if (n)
        memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
    return 0;
}

int cfn__sb_vprintf(strbuf *sb, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return CFN_EINVAL;
    if (sb_reserve(sb, (size_t)n) < 0)
        return CFN_ENOMEM;
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
    return 0;
}

int cfn__sb_printf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = cfn__sb_vprintf(sb, fmt, ap);
    va_end(ap);
    return rc;
}

char *cfn__strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}
