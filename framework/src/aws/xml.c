/* Element text and repeated elements of AWS's XML answers, with entity
 * decoding; AWS answers are flat and well formed, so no tree is built. */
#include "xml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The start of "<tag>" or "<tag attr...>" at or after from; sets *content. */
static const char *find_open(const char *xml, size_t len, size_t from, const char *tag,
                             const char **content)
{
    size_t tl = strlen(tag);
    for (size_t i = from; i + tl + 2 <= len; i++) {
        if (xml[i] != '<' || strncmp(xml + i + 1, tag, tl) != 0)
            continue;
        char after = xml[i + 1 + tl];
        if (after != '>' && after != ' ' && after != '/')
            continue;
        const char *gt = memchr(xml + i, '>', len - i);
        if (!gt)
            return NULL;
        *content = gt[-1] == '/' ? NULL : gt + 1; /* <tag/> is empty */
        return xml + i;
    }
    return NULL;
}

int cfn__xml_next(const char *xml, size_t len, const char *tag, size_t *pos, const char **inner,
                  size_t *inner_len)
{
    const char *content;
    const char *open = find_open(xml, len, *pos, tag, &content);
    if (!open)
        return -1;
    if (!content) {
        const char *gt = memchr(open, '>', len - (size_t)(open - xml));
        *inner = gt;
        *inner_len = 0;
        *pos = (size_t)(gt + 1 - xml);
        return 0;
    }
    char close[128];
    snprintf(close, sizeof(close), "</%s>", tag);
    size_t cl = strlen(close);
    for (const char *p = content; p + cl <= xml + len; p++) {
        if (*p == '<' && strncmp(p, close, cl) == 0) {
            *inner = content;
            *inner_len = (size_t)(p - content);
            *pos = (size_t)(p + cl - xml);
            return 0;
        }
    }
    return -1;
}

static size_t put_utf8(char *out, unsigned long cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18);
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

char *cfn__xml_text(const char *xml, size_t len, const char *tag)
{
    size_t pos = 0, n;
    const char *inner;
    if (!xml || cfn__xml_next(xml, len, tag, &pos, &inner, &n) < 0)
        return NULL;
    char *out = malloc(n + 1);
    size_t j = 0;
    if (!out)
        return NULL;
    static const struct {
        const char *name;
        char c;
    } named[] = {{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}};
    for (size_t i = 0; i < n; i++) {
        if (inner[i] != '&') {
            out[j++] = inner[i];
            continue;
        }
        const char *e = inner + i + 1;
        size_t rest = n - i - 1;
        size_t k;
        for (k = 0; k < 5; k++) {
            size_t l = strlen(named[k].name);
            if (rest >= l && strncmp(e, named[k].name, l) == 0) {
                out[j++] = named[k].c;
                i += l;
                break;
            }
        }
        if (k < 5)
            continue;
        const char *semi = memchr(e, ';', rest);
        if (rest > 1 && e[0] == '#' && semi) {
            char *end;
            unsigned long cp = e[1] == 'x' ? strtoul(e + 2, &end, 16) : strtoul(e + 1, &end, 10);
            /* Every code point takes at least as many bytes as its reference. */
            if (end == semi && cp > 0 && cp <= 0x10ffff) {
                j += put_utf8(out + j, cp);
                i += (size_t)(semi - e) + 1;
                continue;
            }
        }
        out[j++] = '&';
    }
    out[j] = '\0';
    return out;
}
