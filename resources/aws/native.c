/* Helpers shared by the native AWS:: types: generated physical names. */
#include "native.h"

#include <cfnkit/digest.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Uppercase letters and digits, as CloudFormation's suffixes. */
static void suffix(const char *seed, char out[NATIVE_NAME_SUFFIX_LEN + 1])
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    char hex[CFN_SHA256_HEX_SIZE];
    cfn_sha256_hex(seed, strlen(seed), hex);
    for (int i = 0; i < NATIVE_NAME_SUFFIX_LEN; i++) {
        unsigned v = 0;
        sscanf(hex + 4 * i, "%4x", &v);
        out[i] = alphabet[v % 36];
    }
    out[NATIVE_NAME_SUFFIX_LEN] = '\0';
}

/* Copies at most `room` characters of `part` to `dst`, dropping dashes with
 * NO_DASH and any dash the cut leaves at the end; returns the length. */
static size_t put_part(char *dst, const char *part, size_t room, unsigned flags)
{
    size_t n = 0;
    for (const char *p = part; *p && n < room; p++) {
        if (*p == '-' && (flags & NATIVE_NAME_NO_DASH))
            continue;
        dst[n++] = *p;
    }
    while (n > 0 && dst[n - 1] == '-')
        n--;
    return n;
}

static size_t part_len(const char *part, unsigned flags)
{
    char buf[256];
    return put_part(buf, part, sizeof(buf), flags);
}

int native_name_from(const char *stack, const char *logical, const char *seed, size_t max_len,
                     unsigned flags, char **out)
{
    *out = NULL;
    size_t seps = (flags & NATIVE_NAME_NO_DASH) ? 0 : 2;
    if (max_len < NATIVE_NAME_SUFFIX_LEN + seps + 2)
        return -1;
    size_t room = max_len - NATIVE_NAME_SUFFIX_LEN - seps;
    size_t ls = part_len(stack, flags), ll = part_len(logical, flags);
    size_t half = room / 2;
    size_t rs = ls, rl = ll;
    if (ls + ll > room) {
        if (ls <= half)
            rl = room - ls;
        else if (ll <= room - half)
            rs = room - ll;
        else
            rs = half, rl = room - half;
    }
    char *name = malloc(max_len + 1);
    if (!name)
        return -1;
    size_t n = put_part(name, stack, rs, flags);
    if (seps)
        name[n++] = '-';
    n += put_part(name + n, logical, rl, flags);
    if (seps)
        name[n++] = '-';
    suffix(seed, name + n);
    n += NATIVE_NAME_SUFFIX_LEN;
    name[n] = '\0';
    if (flags & NATIVE_NAME_LOWER)
        for (char *p = name; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    *out = name;
    return 0;
}

int native_name(cfn_ctx *ctx, size_t max_len, unsigned flags, char **out)
{
    const char *stack = cfn_request_stack_name(ctx);
    const char *logical = cfn_request_logical_id(ctx);
    const char *stack_id = cfn_request_stack_id(ctx), *request = cfn_request_id(ctx);
    char *seed = NULL;
    *out = NULL;
    if (asprintf(&seed, "%s\n%s\n%s", stack_id ? stack_id : "", logical ? logical : "",
                 request ? request : "") < 0)
        return cfn_fail(ctx, "out of memory generating a name");
    int rc =
        native_name_from(stack && *stack ? stack : "stack",
                         logical && *logical ? logical : "resource", seed, max_len, flags, out);
    free(seed);
    if (rc < 0)
        return cfn_fail(ctx, "cannot generate a name of at most %zu characters for %s", max_len,
                        logical ? logical : "the resource");
    return 0;
}
