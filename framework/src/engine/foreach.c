/* Fn::ForEach expansion (foreach.h): each value of the collection gives a
 * copy of the output map with ${Identifier} and &{Identifier} replaced in its
 * keys and in Fn::Sub strings, and Ref: Identifier replaced by the value. */
#include "foreach.h"

#include "strbuf.h"

#include <cfnkit/error.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "Fn::ForEach::"

typedef struct subst {
    const char *id, *value;
    char alnum[256]; /* &{id}: the value without its non-alphanumeric characters */
} subst;

static char *replace(const char *s, const subst *x, int keys)
{
    strbuf sb = {0};
    size_t idlen = strlen(x->id);
    while (*s) {
        if ((s[0] == '$' || (keys && s[0] == '&')) && s[1] == '{' &&
            strncmp(s + 2, x->id, idlen) == 0 && s[2 + idlen] == '}') {
            const char *v = s[0] == '$' ? x->value : x->alnum;
            if (cfn__sb_append(&sb, v, strlen(v)) < 0)
                goto fail;
            s += 3 + idlen;
        } else {
            if (cfn__sb_append(&sb, s, 1) < 0)
                goto fail;
            s++;
        }
    }
    if (!sb.data && cfn__sb_append(&sb, "", 0) < 0)
        goto fail;
    return sb.data;
fail:
    free(sb.data);
    return NULL;
}

static cfn_node *copy(const cfn_node *n, const subst *x, int sub_string)
{
    cfn_node *c = cfn__node_new(n->kind, n->line, n->column);
    if (!c)
        return NULL;
    const cfn_node *ref = cfn_node_single(n);
    if (ref && strcmp(ref->key, "Ref") == 0 && ref->kind == CFN_NODE_STRING &&
        strcmp(ref->text, x->id) == 0) {
        c->kind = CFN_NODE_STRING;
        if (!(c->text = strdup(x->value)))
            goto fail;
        return c;
    }
    if (n->text && !(c->text = sub_string && n->kind == CFN_NODE_STRING ? replace(n->text, x, 0)
                                                                        : strdup(n->text)))
        goto fail;
    for (size_t i = 0; i < n->count; i++) {
        const cfn_node *it = n->items[i];
        int is_sub = n->kind == CFN_NODE_MAP && strcmp(it->key, "Fn::Sub") == 0;
        cfn_node *ci = NULL;
        if (is_sub && it->kind == CFN_NODE_LIST && it->count > 0) {
            ci = copy(it, x, 0);
            if (ci && ci->items[0]->kind == CFN_NODE_STRING) {
                char *r = replace(it->items[0]->text, x, 0);
                free(ci->items[0]->text);
                ci->items[0]->text = r;
                if (!r) {
                    cfn_node_free(ci);
                    ci = NULL;
                }
            }
        } else {
            ci = copy(it, x, is_sub);
        }
        if (!ci)
            goto fail;
        if (it->key && !(ci->key = replace(it->key, x, 1))) {
            cfn_node_free(ci);
            goto fail;
        }
        if (cfn__node_append(c, ci) < 0) {
            cfn_node_free(ci);
            goto fail;
        }
    }
    return c;
fail:
    cfn_node_free(c);
    return NULL;
}

static int loop_error(const cfn_template *t, const cfn_node *at, const char *what)
{
    return cfn_error_set(CFN_EINVAL, "%s:%u:%u: Template format error: %s %s", t->file, at->line,
                         at->column, at->key ? at->key : "Fn::ForEach", what);
}

/* The collection's values as strings: a list, or a Ref to a list parameter's Default. */
static int collection(const cfn_template *t, const cfn_node *loop, const cfn_node *c,
                      cfn_node **owned, const cfn_node **list)
{
    const cfn_node *ref = cfn_node_single(c);
    *owned = NULL;
    if (c->kind == CFN_NODE_LIST) {
        *list = c;
        return 0;
    }
    if (!ref || strcmp(ref->key, "Ref") != 0 || ref->kind != CFN_NODE_STRING)
        return loop_error(t, loop, "needs a list or a Ref to a list parameter as its collection");
    const cfn_node *p = cfn_node_get(t->parameters, ref->text);
    const char *def = cfn_node_scalar(cfn_node_get(p, "Default"));
    if (!def)
        return loop_error(t, loop,
                          "refers to a parameter without a Default: the local engine "
                          "expands Fn::ForEach before parameters are given");
    cfn_node *l = cfn__node_new(CFN_NODE_LIST, c->line, c->column);
    if (!l)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    for (const char *s = def; l;) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        while (n && isspace((unsigned char)*s)) {
            s++;
            n--;
        }
        while (n && isspace((unsigned char)s[n - 1]))
            n--;
        cfn_node *v = cfn__node_new(CFN_NODE_STRING, c->line, c->column);
        if (!v || !(v->text = strndup(s, n)) || cfn__node_append(l, v) < 0) {
            cfn_node_free(v);
            cfn_node_free(l);
            return cfn_error_set(CFN_ENOMEM, "out of memory");
        }
        if (!e)
            break;
        s = e + 1;
    }
    *owned = l;
    *list = l;
    return 0;
}

static int expand(const cfn_template *t, cfn_node *map, int depth);

static int expand_loop(const cfn_template *t, const cfn_node *loop, cfn_node *into, int depth)
{
    const cfn_node *list = NULL, *id, *out;
    cfn_node *owned = NULL;
    int rc;
    if (loop->kind != CFN_NODE_LIST || loop->count != 3 ||
        (id = loop->items[0])->kind != CFN_NODE_STRING ||
        (out = loop->items[2])->kind != CFN_NODE_MAP)
        return loop_error(t, loop, "takes [Identifier, Collection, {OutputKey: OutputValue}]");
    if ((rc = collection(t, loop, loop->items[1], &owned, &list)) < 0)
        return rc;
    for (size_t i = 0; i < list->count; i++) {
        const char *v = cfn_node_scalar(list->items[i]);
        if (!v) {
            rc = loop_error(t, loop, "collection items must be strings");
            goto done;
        }
        subst x = {id->text, v, ""};
        size_t k = 0;
        for (const char *p = v; *p && k + 1 < sizeof(x.alnum); p++)
            if (isalnum((unsigned char)*p))
                x.alnum[k++] = *p;
        cfn_node *gen = copy(out, &x, 0);
        if (!gen) {
            rc = cfn_error_set(CFN_ENOMEM, "out of memory");
            goto done;
        }
        if ((rc = expand(t, gen, depth + 1)) < 0) {
            cfn_node_free(gen);
            goto done;
        }
        for (size_t j = 0; j < gen->count; j++) {
            if (cfn_node_get(into, gen->items[j]->key)) {
                rc = cfn_error_set(
                    CFN_EINVAL, "%s:%u:%u: Template format error: %s generates %s twice", t->file,
                    loop->line, loop->column, loop->key, gen->items[j]->key);
                cfn_node_free(gen);
                goto done;
            }
            if ((rc = cfn__node_append(into, gen->items[j])) < 0) {
                cfn_node_free(gen);
                goto done;
            }
            gen->items[j] = NULL;
        }
        gen->count = 0;
        cfn_node_free(gen);
    }
done:
    cfn_node_free(owned);
    return rc;
}

static int expand(const cfn_template *t, cfn_node *map, int depth)
{
    int rc = 0, any = 0;
    if (map->kind != CFN_NODE_MAP)
        return 0;
    for (size_t i = 0; i < map->count; i++)
        any |= strncmp(map->items[i]->key, PREFIX, strlen(PREFIX)) == 0;
    if (!any)
        return 0;
    if (depth > 5)
        return loop_error(t, map, "nests loops more than 5 deep");
    cfn_node *into = cfn__node_new(CFN_NODE_MAP, map->line, map->column);
    if (!into)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    for (size_t i = 0; i < map->count && rc == 0; i++) {
        cfn_node *m = map->items[i];
        if (strncmp(m->key, PREFIX, strlen(PREFIX)) == 0) {
            rc = expand_loop(t, m, into, depth);
        } else if ((rc = cfn__node_append(into, m)) == 0) {
            map->items[i] = NULL;
        }
    }
    if (rc == 0) {
        cfn_node **items = map->items;
        size_t count = map->count;
        map->items = into->items;
        map->count = into->count;
        into->items = items;
        into->count = count;
    }
    cfn_node_free(into);
    return rc;
}

/* Loops inside a resource's properties: every map at any depth, after the
 * loops that made the map itself were expanded. */
static int expand_tree(const cfn_template *t, cfn_node *n, int depth)
{
    int rc = 0;
    if (depth > 64)
        return 0; /* deeper than any property CloudFormation takes */
    if (n->kind == CFN_NODE_MAP && (rc = expand(t, n, 0)) < 0)
        return rc;
    if (n->kind == CFN_NODE_MAP || n->kind == CFN_NODE_LIST)
        for (size_t i = 0; i < n->count && rc == 0; i++)
            rc = expand_tree(t, n->items[i], depth + 1);
    return rc;
}

int cfn__foreach_expand(cfn_template *t)
{
    const char *names[] = {"Resources", "Conditions", "Outputs"};
    for (size_t i = 0; i < 3; i++) {
        cfn_node *s = (cfn_node *)cfn_node_get(t->root, names[i]);
        int rc = s ? expand(t, s, 0) : 0;
        if (rc < 0)
            return rc;
    }
    /* "and Resources (including the resource properties)":
     * intrinsic-function-reference-foreach.html. */
    cfn_node *resources = (cfn_node *)cfn_node_get(t->root, "Resources");
    for (size_t i = 0; resources && resources->kind == CFN_NODE_MAP && i < resources->count; i++) {
        cfn_node *props = (cfn_node *)cfn_node_get(resources->items[i], "Properties");
        int rc = props ? expand_tree(t, props, 0) : 0;
        if (rc < 0)
            return rc;
    }
    return 0;
}
