/* AWS's XML answers: element text and repeated elements found by scanning
 * (S3's own calls, error answers), and a small tree parser for reading a
 * whole answer against an API model (xml_json.c). */
#include "xml.h"

#include "strbuf.h"

#include <cfnkit/error.h>

#include <stdbool.h>
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

/* Decodes n bytes of XML character data into out (at least n bytes);
 * returns the decoded length. Unknown entities are kept as written. */
static size_t decode(const char *inner, size_t n, char *out)
{
    size_t j = 0;
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
        if (rest > 1 && e[0] == '#' && semi && semi - e < 12) {
            char num[16], *end;
            snprintf(num, sizeof(num), "%.*s", (int)(semi - e - 1), e + 1);
            unsigned long cp = num[0] == 'x' ? strtoul(num + 1, &end, 16) : strtoul(num, &end, 10);
            /* Every code point takes at least as many bytes as its reference. */
            if (*end == '\0' && end != num + (num[0] == 'x') && cp > 0 && cp <= 0x10ffff) {
                j += put_utf8(out + j, cp);
                i += (size_t)(semi - e) + 1;
                continue;
            }
        }
        out[j++] = '&';
    }
    return j;
}

char *cfn__xml_text(const char *xml, size_t len, const char *tag)
{
    size_t pos = 0, n;
    const char *inner;
    if (!xml || cfn__xml_next(xml, len, tag, &pos, &inner, &n) < 0)
        return NULL;
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    out[decode(inner, n, out)] = '\0';
    return out;
}

#define DEPTH_MAX 200
#define ATTRS_MAX 64 /* AWS's answers have one or two on an element */

typedef struct parser {
    const char *s;
    size_t len, pos;
    xml_node *stack[DEPTH_MAX];
    strbuf text[DEPTH_MAX];
    size_t depth;
} parser;

static int fail(const parser *p, const char *what)
{
    return cfn_error_set(CFN_EINVAL, "malformed XML answer: %s at byte %zu", what, p->pos);
}

static bool starts(const parser *p, const char *lit)
{
    size_t n = strlen(lit);
    return p->len - p->pos >= n && memcmp(p->s + p->pos, lit, n) == 0;
}

/* Moves past the next `end`; -1 when there is none. */
static int skip_past(parser *p, const char *end)
{
    size_t n = strlen(end);
    for (size_t i = p->pos; i + n <= p->len; i++) {
        if (memcmp(p->s + i, end, n) == 0) {
            p->pos = i + n;
            return 0;
        }
    }
    return -1;
}

static bool space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void skip_space(parser *p)
{
    while (p->pos < p->len && space(p->s[p->pos]))
        p->pos++;
}

static size_t name_len(const parser *p)
{
    size_t n = 0;
    while (p->pos + n < p->len) {
        char c = p->s[p->pos + n];
        if (space(c) || c == '/' || c == '>' || c == '=' || c == '<' || c == '"' || c == '\'')
            break;
        n++;
    }
    return n;
}

static char *decoded(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    if (out)
        out[decode(s, n, out)] = '\0';
    return out;
}

static const char *local(const char *name, size_t *n)
{
    const char *colon = memchr(name, ':', *n);
    if (colon) {
        *n -= (size_t)(colon + 1 - name);
        return colon + 1;
    }
    return name;
}

void cfn__xml_free(xml_node *node)
{
    while (node) {
        xml_node *next = node->next;
        cfn__xml_free(node->child);
        for (size_t i = 0; i < node->nattrs; i++) {
            free(node->attrs[i].name);
            free(node->attrs[i].value);
        }
        free(node->attrs);
        free(node->name);
        free(node->text);
        free(node);
        node = next;
    }
}

static int attribute(parser *p, xml_node *node)
{
    size_t n = name_len(p);
    if (n == 0)
        return fail(p, "bad attribute");
    const char *name = p->s + p->pos;
    p->pos += n;
    skip_space(p);
    if (p->pos >= p->len || p->s[p->pos] != '=')
        return fail(p, "attribute without a value");
    p->pos++;
    skip_space(p);
    if (p->pos >= p->len || (p->s[p->pos] != '"' && p->s[p->pos] != '\''))
        return fail(p, "unquoted attribute value");
    char quote = p->s[p->pos++];
    const char *v = p->s + p->pos, *end = memchr(v, quote, p->len - p->pos);
    if (!end || memchr(v, '<', (size_t)(end - v)))
        return fail(p, "unterminated attribute value");
    if (node->nattrs == ATTRS_MAX)
        return fail(p, "too many attributes");
    for (size_t i = 0; i < node->nattrs; i++)
        if (strlen(node->attrs[i].name) == n && memcmp(node->attrs[i].name, name, n) == 0)
            return fail(p, "repeated attribute");
    xml_attr *a = realloc(node->attrs, (node->nattrs + 1) * sizeof(*a));
    if (!a)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    node->attrs = a;
    a[node->nattrs].name = strndup(name, n);
    a[node->nattrs].value = decoded(v, (size_t)(end - v));
    node->nattrs++;
    p->pos = (size_t)(end + 1 - p->s);
    if (!a[node->nattrs - 1].name || !a[node->nattrs - 1].value)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    return 0;
}

/* An opening tag at p->pos ('<' seen); attaches the element. */
static int open_tag(parser *p, xml_node **root)
{
    p->pos++;
    size_t n = name_len(p);
    if (n == 0)
        return fail(p, "bad element name");
    size_t ln = n;
    const char *name = local(p->s + p->pos, &ln);
    xml_node *node = calloc(1, sizeof(*node));
    if (!node || !(node->name = strndup(name, ln))) {
        free(node);
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    if (p->depth == 0) {
        if (*root) {
            cfn__xml_free(node);
            return fail(p, "more than one root element");
        }
        *root = node;
    } else {
        xml_node *parent = p->stack[p->depth - 1];
        if (parent->last)
            parent->last->next = node;
        else
            parent->child = node;
        parent->last = node;
    }
    p->pos += n;
    for (;;) {
        skip_space(p);
        if (p->pos >= p->len)
            return fail(p, "unterminated tag");
        if (p->s[p->pos] == '>') {
            p->pos++;
            break;
        }
        if (p->s[p->pos] == '/') {
            if (p->pos + 1 >= p->len || p->s[p->pos + 1] != '>')
                return fail(p, "bad '/' in a tag");
            p->pos += 2;
            return (node->text = cfn__strdup("")) ? 0 : cfn_error_set(CFN_ENOMEM, "out of memory");
        }
        int rc = attribute(p, node);
        if (rc < 0)
            return rc;
    }
    if (p->depth >= DEPTH_MAX)
        return fail(p, "elements nested too deeply");
    p->stack[p->depth] = node;
    p->text[p->depth] = (strbuf){0};
    p->depth++;
    return 0;
}

static int close_tag(parser *p)
{
    p->pos += 2;
    size_t n = name_len(p), ln = n;
    const char *name = local(p->s + p->pos, &ln);
    if (p->depth == 0)
        return fail(p, "closing tag without an opening one");
    xml_node *node = p->stack[p->depth - 1];
    if (strlen(node->name) != ln || memcmp(node->name, name, ln) != 0)
        return fail(p, "mismatched closing tag");
    p->pos += n;
    skip_space(p);
    if (p->pos >= p->len || p->s[p->pos] != '>')
        return fail(p, "unterminated closing tag");
    p->pos++;
    p->depth--;
    strbuf *t = &p->text[p->depth];
    node->text = t->data ? t->data : cfn__strdup("");
    *t = (strbuf){0};
    return node->text ? 0 : cfn_error_set(CFN_ENOMEM, "out of memory");
}

static int text(parser *p)
{
    const char *start = p->s + p->pos, *lt = memchr(start, '<', p->len - p->pos);
    size_t n = lt ? (size_t)(lt - start) : p->len - p->pos;
    if (p->depth == 0) {
        for (size_t i = 0; i < n; i++)
            if (!space(start[i]))
                return fail(p, "text outside the root element");
        p->pos += n;
        return 0;
    }
    char *d = decoded(start, n);
    int rc = d ? cfn__sb_append(&p->text[p->depth - 1], d, strlen(d)) : CFN_ENOMEM;
    free(d);
    p->pos += n;
    return rc < 0 ? cfn_error_set(CFN_ENOMEM, "out of memory") : 0;
}

static int cdata(parser *p)
{
    if (p->depth == 0)
        return fail(p, "CDATA outside the root element");
    p->pos += 9;
    size_t start = p->pos;
    if (skip_past(p, "]]>") < 0)
        return fail(p, "unterminated CDATA");
    if (cfn__sb_append(&p->text[p->depth - 1], p->s + start, p->pos - 3 - start) < 0)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    return 0;
}

int cfn__xml_parse(const char *xml, size_t len, xml_node **root)
{
    parser *p = calloc(1, sizeof(*p));
    int rc = 0;
    *root = NULL;
    if (!p)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    p->s = xml;
    p->len = xml ? len : 0;
    while (rc == 0 && p->pos < p->len) {
        if (p->s[p->pos] != '<')
            rc = text(p);
        else if (starts(p, "<!--"))
            rc = skip_past(p, "-->") < 0 ? fail(p, "unterminated comment") : 0;
        else if (starts(p, "<![CDATA["))
            rc = cdata(p);
        else if (starts(p, "<?"))
            rc = skip_past(p, "?>") < 0 ? fail(p, "unterminated declaration") : 0;
        else if (starts(p, "<!"))
            rc = fail(p, "DTDs are not accepted");
        else if (starts(p, "</"))
            rc = close_tag(p);
        else if (*root && p->depth == 0)
            rc = fail(p, "more than one root element");
        else
            rc = open_tag(p, root);
    }
    if (rc == 0 && p->depth > 0)
        rc = fail(p, "unclosed element");
    if (rc == 0 && !*root)
        rc = fail(p, "no element");
    for (size_t i = 0; i < p->depth; i++)
        free(p->text[i].data);
    free(p);
    if (rc < 0) {
        cfn__xml_free(*root);
        *root = NULL;
    }
    return rc;
}
