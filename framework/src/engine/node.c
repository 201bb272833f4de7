/* The template's in-memory form (node.h): building, looking up, freeing,
 * and converting to JSON. */
#include "node.h"

#include <cfnkit/error.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cfn_node *cfn__node_new(cfn_node_kind kind, unsigned line, unsigned column)
{
    cfn_node *n = calloc(1, sizeof(*n));
    if (n) {
        n->kind = kind;
        n->line = line;
        n->column = column;
    }
    return n;
}

int cfn__node_append(cfn_node *parent, cfn_node *item)
{
    if ((parent->count & (parent->count - 1)) == 0) {
        size_t cap = parent->count ? parent->count * 2 : 4;
        cfn_node **items = realloc(parent->items, cap * sizeof(*items));
        if (!items)
            return cfn_error_set(CFN_ENOMEM, "out of memory");
        parent->items = items;
    }
    parent->items[parent->count++] = item;
    return 0;
}

void cfn_node_free(cfn_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->count; i++)
        cfn_node_free(n->items[i]);
    free(n->items);
    free(n->key);
    free(n->text);
    free(n);
}

const cfn_node *cfn_node_get(const cfn_node *n, const char *key)
{
    if (!n || n->kind != CFN_NODE_MAP)
        return NULL;
    for (size_t i = 0; i < n->count; i++)
        if (strcmp(n->items[i]->key, key) == 0)
            return n->items[i];
    return NULL;
}

const cfn_node *cfn_node_single(const cfn_node *n)
{
    return n && n->kind == CFN_NODE_MAP && n->count == 1 ? n->items[0] : NULL;
}

const char *cfn_node_scalar(const cfn_node *n)
{
    return n && n->kind != CFN_NODE_LIST && n->kind != CFN_NODE_MAP ? n->text : NULL;
}

cJSON *cfn_node_to_json(const cfn_node *n)
{
    cJSON *j = NULL;
    switch (n->kind) {
    case CFN_NODE_NULL:
        return cJSON_CreateNull();
    case CFN_NODE_BOOL:
        return cJSON_CreateBool(strcmp(n->text, "true") == 0);
    case CFN_NODE_NUMBER:
        return cJSON_CreateRaw(n->text);
    case CFN_NODE_STRING:
        return cJSON_CreateString(n->text);
    case CFN_NODE_LIST:
        j = cJSON_CreateArray();
        break;
    case CFN_NODE_MAP:
        j = cJSON_CreateObject();
        break;
    }
    for (size_t i = 0; j && i < n->count; i++) {
        cJSON *item = cfn_node_to_json(n->items[i]);
        if (!item) {
            cJSON_Delete(j);
            return NULL;
        }
        if (n->kind == CFN_NODE_LIST)
            cJSON_AddItemToArray(j, item);
        else
            cJSON_AddItemToObject(j, n->items[i]->key, item);
    }
    return j;
}

int cfn_node_read_file(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int rc = CFN_EIO;
    if (!f)
        return cfn_error_set(CFN_EIO, "%s: %s", path, strerror(errno));
    for (;;) {
        if (cap - n < 4096) {
            cap = cap ? cap * 2 : 65536;
            char *b = realloc(buf, cap);
            if (!b) {
                rc = cfn_error_set(CFN_ENOMEM, "out of memory reading %s", path);
                goto done;
            }
            buf = b;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        rc = cfn_error_set(CFN_EIO, "%s: read failed", path);
        goto done;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    buf = NULL;
    rc = 0;
done:
    free(buf);
    fclose(f);
    return rc;
}

int cfn_node_parse(const char *text, size_t len, const char *file, cfn_node **out)
{
    size_t i = 0;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    while (i < len && strchr(" \t\r\n", text[i]))
        i++;
    if (i < len && text[i] == '{')
        return cfn_node_parse_json(text, len, file, out);
    return cfn_node_parse_yaml(text, len, file, out);
}
