/* Reads a JSON template with cJSON, then walks the text beside the parsed
 * tree to give each node its line and column (cJSON keeps none) and each
 * number the text it was written with. */
#include "node.h"

#include <cfnkit/error.h>

#include <stdlib.h>
#include <string.h>

typedef struct cursor {
    const char *text;
    size_t len, pos;
    unsigned line, column;
    unsigned key_line, key_column; /* where the last key skipped starts */
} cursor;

static void advance(cursor *c, size_t n)
{
    for (; n > 0 && c->pos < c->len; n--, c->pos++) {
        if (c->text[c->pos] == '\n') {
            c->line++;
            c->column = 1;
        } else {
            c->column++;
        }
    }
}

static size_t string_length(const cursor *c)
{
    size_t i = c->pos + 1;
    while (i < c->len && c->text[i] != '"')
        i += c->text[i] == '\\' ? 2 : 1;
    return i < c->len ? i + 1 - c->pos : c->len - c->pos;
}

/* Moves to the start of the next value, skipping blanks, separators and keys
 * (a string followed by ':'). */
static void next_value(cursor *c)
{
    while (c->pos < c->len) {
        char ch = c->text[c->pos];
        if (strchr(" \t\r\n,:]}", ch)) {
            advance(c, 1);
        } else if (ch == '"') {
            size_t n = string_length(c), j = c->pos + n;
            while (j < c->len && strchr(" \t\r\n", c->text[j]))
                j++;
            if (j < c->len && c->text[j] == ':') {
                c->key_line = c->line;
                c->key_column = c->column;
                advance(c, n);
            } else
                return;
        } else {
            return;
        }
    }
}

/* JSON's number grammar (RFC 8259), stricter than cJSON: no leading zeros. */
static int json_number(const char *s, size_t n)
{
    size_t i = s[0] == '-';
    if (i < n && s[i] == '0')
        i++;
    else if (i < n && s[i] >= '1' && s[i] <= '9')
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    else
        return 0;
    if (i < n && s[i] == '.') {
        size_t start = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start)
            return 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t start = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start)
            return 0;
    }
    return i == n;
}

static int convert(const cJSON *j, cursor *c, const char *file, cfn_node **out)
{
    next_value(c);
    cfn_node_kind kind = cJSON_IsArray(j)    ? CFN_NODE_LIST
                         : cJSON_IsObject(j) ? CFN_NODE_MAP
                         : cJSON_IsString(j) ? CFN_NODE_STRING
                         : cJSON_IsNumber(j) ? CFN_NODE_NUMBER
                         : cJSON_IsBool(j)   ? CFN_NODE_BOOL
                                             : CFN_NODE_NULL;
    cfn_node *n = cfn__node_new(kind, c->line, c->column);
    if (!n)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    n->key_line = c->key_line; /* kept by a map's members only */
    n->key_column = c->key_column;
    int rc = CFN_ENOMEM;
    if (kind == CFN_NODE_LIST || kind == CFN_NODE_MAP) {
        advance(c, 1);
        for (const cJSON *it = j->child; it; it = it->next) {
            cfn_node *item;
            if ((rc = convert(it, c, file, &item)) < 0)
                goto done;
            if (kind == CFN_NODE_LIST)
                item->key_line = item->key_column = 0;
            if (kind == CFN_NODE_MAP) {
                if (cfn_node_get(n, it->string)) {
                    rc = cfn_error_set(CFN_EINVAL, "%s:%u:%u: duplicate key \"%s\"", file,
                                       item->line, item->column, it->string);
                    cfn_node_free(item);
                    goto done;
                }
                item->key = strdup(it->string);
                if (!item->key) {
                    cfn_node_free(item);
                    rc = cfn_error_set(CFN_ENOMEM, "out of memory");
                    goto done;
                }
            }
            if ((rc = cfn__node_append(n, item)) < 0) {
                cfn_node_free(item);
                goto done;
            }
        }
    } else if (kind == CFN_NODE_STRING) {
        n->text = strdup(j->valuestring);
        advance(c, string_length(c));
        if (!n->text)
            goto done;
    } else {
        size_t start = c->pos;
        unsigned line = c->line, column = c->column;
        while (c->pos < c->len && !strchr(" \t\r\n,]}", c->text[c->pos]))
            advance(c, 1);
        if (kind == CFN_NODE_NUMBER && !json_number(c->text + start, c->pos - start)) {
            rc = cfn_error_set(CFN_EINVAL, "%s:%u:%u: JSON not well-formed: invalid number", file,
                               line, column);
            goto done;
        }
        if (kind != CFN_NODE_NULL) {
            n->text = kind == CFN_NODE_BOOL ? strdup(cJSON_IsTrue(j) ? "true" : "false")
                                            : strndup(c->text + start, c->pos - start);
            if (!n->text)
                goto done;
        }
    }
    *out = n;
    return 0;
done:
    if (rc == CFN_ENOMEM)
        cfn_error_set(CFN_ENOMEM, "out of memory");
    cfn_node_free(n);
    return rc;
}

static void position(const char *text, size_t off, unsigned *line, unsigned *column)
{
    *line = 1;
    *column = 1;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *column = 1;
        } else {
            (*column)++;
        }
    }
}

int cfn_node_parse_json(const char *text, size_t len, const char *file, cfn_node **out)
{
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    unsigned line, column;
    int rc;
    if (!j) {
        const char *at = cJSON_GetErrorPtr();
        size_t off = at && at >= text && at <= text + len ? (size_t)(at - text) : 0;
        position(text, off, &line, &column);
        return cfn_error_set(CFN_EINVAL, "%s:%u:%u: JSON not well-formed", file, line, column);
    }
    size_t off = end ? (size_t)(end - text) : len;
    while (off < len && strchr(" \t\r\n", text[off]))
        off++;
    if (off < len && text[off] != '\0') {
        position(text, off, &line, &column);
        cJSON_Delete(j);
        return cfn_error_set(CFN_EINVAL, "%s:%u:%u: JSON not well-formed: text after the template",
                             file, line, column);
    }
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return cfn_error_set(CFN_EINVAL,
                             "%s:1:1: Template format error: a template is a JSON object", file);
    }
    cursor c = {text, len, 0, 1, 1, 0, 0};
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        c.pos = 3;
    rc = convert(j, &c, file, out);
    cJSON_Delete(j);
    return rc;
}
