/* The dependency graph (graph.h): references found anywhere in each
 * resource, counted per kind, with the counters the scheduler needs, and
 * cycles named as CloudFormation names them. */
#include "graph.h"

#include "strbuf.h"

#include <cfnkit/error.h>

#include <stdlib.h>
#include <string.h>

#define NONE ((size_t)-1)

typedef struct edges {
    cfn_edge *v;
    size_t n, cap;
} edges;

static int cmp_ids(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t cfn_graph_find(const cfn_graph *g, const char *id)
{
    const char **hit = bsearch(&id, g->ids, g->count, sizeof(*g->ids), cmp_ids);
    return hit ? (size_t)(hit - g->ids) : NONE;
}

const char *cfn_edge_kind_name(cfn_edge_kind kind)
{
    return kind == CFN_EDGE_REF ? "Ref" : kind == CFN_EDGE_GETATT ? "GetAtt" : "DependsOn";
}

static int add(const cfn_graph *g, edges *e, size_t from, const char *to, size_t tolen,
               cfn_edge_kind kind)
{
    char id[256];
    if (tolen >= sizeof(id))
        return 0;
    memcpy(id, to, tolen);
    id[tolen] = '\0';
    size_t t = cfn_graph_find(g, id);
    if (t == NONE)
        return 0;
    if (e->n == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 64;
        cfn_edge *v = realloc(e->v, cap * sizeof(*v));
        if (!v)
            return cfn_error_set(CFN_ENOMEM, "out of memory");
        e->v = v;
        e->cap = cap;
    }
    e->v[e->n++] = (cfn_edge){from, t, kind, 1};
    return 0;
}

static int in_varmap(const cfn_node *vars, const char *name, size_t len)
{
    if (!vars)
        return 0;
    for (size_t i = 0; i < vars->count; i++) {
        const char *k =
            vars->kind == CFN_NODE_MAP ? vars->items[i]->key : cfn_node_scalar(vars->items[i]);
        if (k && strlen(k) == len && strncmp(k, name, len) == 0)
            return 1;
    }
    return 0;
}

/* ${Name} and ${Name.Attr} in an Fn::Sub string: names of letters, digits
 * and dots, so ${!Literal} and ${AWS::Region} are not references. */
static int sub_refs(const cfn_graph *g, edges *e, size_t from, const char *s, const cfn_node *vars)
{
    for (const char *p = s; (p = strstr(p, "${"));) {
        const char *q = p + 2;
        while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
               *q == '.')
            q++;
        if (*q != '}') {
            p++;
            continue;
        }
        const char *name = p + 2, *dot = memchr(name, '.', (size_t)(q - name));
        size_t len = (size_t)(q - name);
        int rc = 0;
        if (!in_varmap(vars, name, len))
            rc = dot ? add(g, e, from, name, (size_t)(dot - name), CFN_EDGE_GETATT)
                     : add(g, e, from, name, len, CFN_EDGE_REF);
        if (rc < 0)
            return rc;
        p = q + 1;
    }
    return 0;
}

static int walk(const cfn_graph *g, edges *e, size_t from, const cfn_node *n)
{
    int rc = 0;
    for (size_t i = 0; i < n->count && rc == 0; i++) {
        const cfn_node *m = n->items[i];
        if (n->kind == CFN_NODE_MAP && strcmp(m->key, "Ref") == 0 && m->kind == CFN_NODE_STRING) {
            rc = add(g, e, from, m->text, strlen(m->text), CFN_EDGE_REF);
        } else if (n->kind == CFN_NODE_MAP && strcmp(m->key, "Fn::GetAtt") == 0) {
            if (m->kind == CFN_NODE_LIST && m->count == 2 && m->items[0]->kind == CFN_NODE_STRING)
                rc = add(g, e, from, m->items[0]->text, strlen(m->items[0]->text), CFN_EDGE_GETATT);
            else if (m->kind == CFN_NODE_STRING && strchr(m->text, '.'))
                rc = add(g, e, from, m->text, (size_t)(strchr(m->text, '.') - m->text),
                         CFN_EDGE_GETATT);
        } else if (n->kind == CFN_NODE_MAP && strcmp(m->key, "Fn::Sub") == 0) {
            if (m->kind == CFN_NODE_STRING)
                rc = sub_refs(g, e, from, m->text, NULL);
            else if (m->kind == CFN_NODE_LIST && m->count > 0 &&
                     m->items[0]->kind == CFN_NODE_STRING)
                rc = sub_refs(g, e, from, m->items[0]->text, m->count == 2 ? m->items[1] : NULL);
        }
        if (rc == 0)
            rc = walk(g, e, from, m);
    }
    return rc;
}

static int cmp_edges(const void *a, const void *b)
{
    const cfn_edge *x = a, *y = b;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    if (x->to != y->to)
        return x->to < y->to ? -1 : 1;
    return (int)x->kind - (int)y->kind;
}

static int index_edges(cfn_graph *g)
{
    g->ndeps = calloc(g->count + 1, sizeof(*g->ndeps));
    g->ndependents = calloc(g->count + 1, sizeof(*g->ndependents));
    g->dependents = calloc(g->count + 1, sizeof(*g->dependents));
    if (!g->ndeps || !g->ndependents || !g->dependents)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < g->nedges; i++) {
            const cfn_edge *x = &g->edges[i];
            if (i > 0 && x->from == x[-1].from && x->to == x[-1].to)
                continue; /* one dependency whatever its kinds */
            if (pass == 0) {
                g->ndeps[x->from]++;
                g->ndependents[x->to]++;
            } else {
                g->dependents[x->to][g->ndependents[x->to]++] = x->from;
            }
        }
        if (pass == 0) {
            for (size_t n = 0; n < g->count; n++) {
                g->dependents[n] = calloc(g->ndependents[n] + 1, sizeof(size_t));
                if (!g->dependents[n])
                    return cfn_error_set(CFN_ENOMEM, "out of memory");
                g->ndependents[n] = 0;
            }
        }
    }
    return 0;
}

int cfn_graph_build(const cfn_template *t, cfn_graph_filter filter, void *arg, cfn_graph **out)
{
    cfn_graph *g = calloc(1, sizeof(*g));
    edges e = {0};
    const cfn_node *rs = t->resources;
    int rc = CFN_ENOMEM;
    if (!g || !(g->ids = calloc(rs->count + 1, sizeof(*g->ids))) ||
        !(g->resources = calloc(rs->count + 1, sizeof(*g->resources)))) {
        rc = cfn_error_set(CFN_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < rs->count; i++)
        if (rs->items[i]->kind == CFN_NODE_MAP && (!filter || filter(arg, rs->items[i])))
            g->ids[g->count++] = rs->items[i]->key;
    qsort(g->ids, g->count, sizeof(*g->ids), cmp_ids);
    for (size_t i = 0; i < g->count; i++)
        g->resources[i] = cfn_node_get(rs, g->ids[i]);
    for (size_t i = 0; i < g->count; i++) {
        const cfn_node *r = g->resources[i], *d = cfn_node_get(r, "DependsOn");
        if ((rc = walk(g, &e, i, r)) < 0)
            goto done;
        size_t nd = d && d->kind == CFN_NODE_LIST ? d->count : d ? 1 : 0;
        for (size_t j = 0; j < nd; j++) {
            const cfn_node *x = d->kind == CFN_NODE_LIST ? d->items[j] : d;
            if (x->kind == CFN_NODE_STRING &&
                (rc = add(g, &e, i, x->text, strlen(x->text), CFN_EDGE_DEPENDSON)) < 0)
                goto done;
        }
    }
    if (e.n)
        qsort(e.v, e.n, sizeof(*e.v), cmp_edges);
    for (size_t i = 0; i < e.n; i++) {
        if (g->nedges > 0 && cmp_edges(&g->edges[g->nedges - 1], &e.v[i]) == 0) {
            g->edges[g->nedges - 1].count++;
        } else {
            if (!g->edges)
                g->edges = e.v;
            g->edges[g->nedges++] = e.v[i];
        }
    }
    e.v = NULL;
    if ((rc = index_edges(g)) < 0)
        goto done;
    *out = g;
    g = NULL;
    rc = 0;
done:
    free(e.v);
    cfn_graph_free(g);
    return rc;
}

void cfn_graph_free(cfn_graph *g)
{
    if (!g)
        return;
    for (size_t i = 0; g->dependents && i < g->count; i++)
        free(g->dependents[i]);
    free(g->dependents);
    free(g->ndependents);
    free(g->ndeps);
    free(g->edges);
    free(g->resources);
    free(g->ids);
    free(g);
}

/* Kahn's algorithm; what it cannot order holds a cycle, found by walking
 * dependencies among the unordered nodes until one repeats. */
int cfn_graph_check_cycles(const cfn_graph *g)
{
    size_t *left = malloc((g->count + 1) * sizeof(size_t));
    size_t *queue = malloc((g->count + 1) * sizeof(size_t));
    size_t *seen = malloc((g->count + 1) * sizeof(size_t));
    size_t head = 0, tail = 0;
    int rc = CFN_ENOMEM;
    if (!left || !queue || !seen) {
        rc = cfn_error_set(CFN_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < g->count; i++)
        if ((left[i] = g->ndeps[i]) == 0)
            queue[tail++] = i;
    while (head < tail) {
        size_t n = queue[head++];
        for (size_t j = 0; j < g->ndependents[n]; j++)
            if (--left[g->dependents[n][j]] == 0)
                queue[tail++] = g->dependents[n][j];
    }
    rc = 0;
    if (tail == g->count)
        goto done;
    size_t n = 0;
    while (left[n] == 0)
        n++;
    for (size_t i = 0; i < g->count; i++)
        seen[i] = NONE;
    /* Follow an unordered dependency from each node (there is one: the node
     * still waits); the first node met twice closes the cycle. */
    size_t len = 0;
    while (seen[n] == NONE) {
        seen[n] = len;
        queue[len++] = n;
        for (size_t i = 0; i < g->nedges; i++) {
            if (g->edges[i].from == n && left[g->edges[i].to] != 0) {
                n = g->edges[i].to;
                break;
            }
        }
    }
    strbuf sb = {0};
    for (size_t i = seen[n]; i < len; i++)
        cfn__sb_printf(&sb, "%s%s", i == seen[n] ? "" : ", ", g->ids[queue[i]]);
    rc = cfn_error_set(CFN_EINVAL,
                       "Template format error: Circular dependency between "
                       "resources: [%s]",
                       sb.data ? sb.data : "");
    free(sb.data);
done:
    free(left);
    free(queue);
    free(seen);
    return rc;
}
