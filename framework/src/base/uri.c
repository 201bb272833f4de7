/* Percent-encoding of URL paths and query parameters. */
#include "uri.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

static int unreserved(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

char *cfn__uri_encode(const char *s, size_t len, bool keep_slash)
{
    char *out = malloc(len * 3 + 1);
    size_t j = 0;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved(c) || (keep_slash && c == '/')) {
            out[j++] = (char)c;
        } else {
            snprintf(out + j, 4, "%%%02X", c);
            j += 3;
        }
    }
    out[j] = '\0';
    return out;
}
