/* Whole-template validation (validate.h): every resource, output and
 * condition evaluated with resources' values unknown, so that each
 * function's shape and references are checked where it is used. */
#include "validate.h"

#include "graph.h"
#include "quotas.h"

#include <cfnkit/error.h>

#include <stdio.h>
#include <string.h>

static void problem(strbuf *p, int *n)
{
    cfn__sb_printf(p, "%s\n", cfn_error_last());
    (*n)++;
}

int cfn_validate_created(void *arg, const cfn_node *resource)
{
    int c;
    return cfn_eval_resource_condition(arg, resource, &c) < 0 || c != 0;
}

static void check_policy(const cfn_template *t, const cfn_node *r, const char *attr,
                         const char *const *allowed, strbuf *p, int *n)
{
    const cfn_node *v = cfn_node_get(r, attr);
    if (!v)
        return;
    for (const char *const *a = allowed; *a; a++)
        if (v->kind == CFN_NODE_STRING && strcmp(v->text, *a) == 0)
            return;
    cfn__sb_printf(p,
                   "%s:%u:%u: Template format error: [/Resources/%s/%s] %s is not one of the "
                   "values CloudFormation accepts\n",
                   t->file, v->line, v->column, r->key, attr, v->text ? v->text : "the value");
    (*n)++;
}

static void check_resource(const cfn_template *t, cfn_eval *e, const cfn_node *r, strbuf *p, int *n)
{
    static const char *const deletion[] = {"Delete", "Retain", "RetainExceptOnCreate", "Snapshot",
                                           NULL};
    static const char *const replace[] = {"Delete", "Retain", "Snapshot", NULL};
    static const char *const evaluated[] = {"Properties", "Metadata", "UpdatePolicy",
                                            "CreationPolicy"};
    const cfn_node *d = cfn_node_get(r, "DependsOn");
    int c;
    size_t nd = d && d->kind == CFN_NODE_LIST ? d->count : d ? 1 : 0;
    for (size_t j = 0; j < nd; j++) {
        const cfn_node *x = d->kind == CFN_NODE_LIST ? d->items[j] : d;
        if (x->kind != CFN_NODE_STRING) {
            cfn__sb_printf(p,
                           "%s:%u:%u: Template format error: DependsOn of %s takes logical "
                           "ids\n",
                           t->file, x->line, x->column, r->key);
            (*n)++;
        } else if (!cfn_template_resource(t, x->text)) {
            cfn__sb_printf(p,
                           "%s:%u:%u: Template format error: Unresolved resource dependencies "
                           "[%s] in the Resources block of the template\n",
                           t->file, x->line, x->column, x->text);
            (*n)++;
        }
    }
    check_policy(t, r, "DeletionPolicy", deletion, p, n);
    check_policy(t, r, "UpdateReplacePolicy", replace, p, n);
    if (cfn_eval_resource_condition(e, r, &c) < 0) {
        problem(p, n);
        return;
    }
    if (c == 0)
        return; /* not created: CloudFormation does not resolve it */
    /* Property by property, so that each wrong one is reported. */
    for (size_t i = 0; i < sizeof(evaluated) / sizeof(evaluated[0]); i++) {
        const cfn_node *v = cfn_node_get(r, evaluated[i]);
        int each = v && v->kind == CFN_NODE_MAP && !cfn_node_single(v);
        for (size_t j = 0; v && j < (each ? v->count : 1); j++) {
            char path[512];
            cJSON *out = NULL;
            if (each)
                snprintf(path, sizeof(path), "Resources/%s/%s/%s", r->key, evaluated[i],
                         v->items[j]->key);
            else
                snprintf(path, sizeof(path), "Resources/%s/%s", r->key, evaluated[i]);
            if (cfn_eval_value(e, each ? v->items[j] : v, path, &out) < 0)
                problem(p, n);
            cJSON_Delete(out);
        }
    }
}

static void check_output(const cfn_template *t, cfn_eval *e, const cfn_node *o, strbuf *p, int *n)
{
    const cfn_node *value = cfn_node_get(o, "Value"), *cond = cfn_node_get(o, "Condition");
    const cfn_node *export = cfn_node_get(o, "Export");
    char path[512];
    cJSON *out = NULL;
    int c = 1;
    if (!value) {
        cfn__sb_printf(p,
                       "%s:%u:%u: Template format error: Every Outputs member must contain a "
                       "Value object (%s)\n",
                       t->file, o->line, o->column, o->key);
        (*n)++;
        return;
    }
    if (cond && (cond->kind != CFN_NODE_STRING || cfn_eval_condition(e, cond->text, &c) < 0)) {
        cfn__sb_printf(p,
                       "%s:%u:%u: Template format error: Unresolved condition dependency %s "
                       "in Outputs/%s\n",
                       t->file, cond->line, cond->column, cond->text ? cond->text : "", o->key);
        (*n)++;
        return;
    }
    if (c == 0)
        return;
    snprintf(path, sizeof(path), "Outputs/%s/Value", o->key);
    if (cfn_eval_output(e, value, path, &out) < 0)
        problem(p, n);
    cJSON_Delete(out);
    out = NULL;
    if (export) {
        const cfn_node *name = cfn_node_get(export, "Name");
        snprintf(path, sizeof(path), "Outputs/%s/Export/Name", o->key);
        if (!name) {
            cfn__sb_printf(p, "%s:%u:%u: Template format error: Export of %s needs a Name\n",
                           t->file, export->line, export->column, o->key);
            (*n)++;
        } else if (cfn_eval_export_name(e, name, path, &out) < 0) {
            problem(p, n);
        }
        cJSON_Delete(out);
    }
}

/* Mappings hold literal values: a map of maps of strings or lists, no
 * functions (UserGuide/mappings-section-structure.html); a parameter's
 * Default is a literal too. */
static void check_literals(const cfn_template *t, strbuf *p, int *n)
{
    for (size_t i = 0; t->mappings && i < t->mappings->count; i++) {
        const cfn_node *m = t->mappings->items[i];
        for (size_t j = 0; j < (m->kind == CFN_NODE_MAP ? m->count : 1); j++) {
            const cfn_node *top = m->kind == CFN_NODE_MAP ? m->items[j] : m;
            int bad = top->kind != CFN_NODE_MAP;
            for (size_t k = 0; !bad && k < top->count; k++) {
                const cfn_node *v = top->items[k];
                bad = v->kind == CFN_NODE_MAP || v->kind == CFN_NODE_NULL;
                for (size_t x = 0; !bad && v->kind == CFN_NODE_LIST && x < v->count; x++)
                    bad = !cfn_node_scalar(v->items[x]);
            }
            if (bad) {
                cfn__sb_printf(p,
                               "%s:%u:%u: Template format error: Every Mappings attribute "
                               "must be a String or a List (in mapping %s)\n",
                               t->file, top->line, top->column, m->key);
                (*n)++;
                break;
            }
        }
    }
    for (size_t i = 0; t->parameters && i < t->parameters->count; i++) {
        const cfn_node *d = cfn_node_get(t->parameters->items[i], "Default");
        if (d && (d->kind == CFN_NODE_MAP || d->kind == CFN_NODE_NULL)) {
            cfn__sb_printf(p,
                           "%s:%u:%u: Template format error: the Default of parameter %s must "
                           "be a literal value, not a function\n",
                           t->file, d->line, d->column, t->parameters->items[i]->key);
            (*n)++;
        }
    }
}

int cfn_validate(const cfn_template *t, cfn_eval *e, strbuf *p)
{
    int n = 0, c;
    cfn_graph *g = NULL;
    if (cfn_template_check_attributes(t) < 0)
        problem(p, &n);
    check_literals(t, p, &n);
    for (size_t i = 0; t->conditions && i < t->conditions->count; i++)
        if (cfn_eval_condition(e, t->conditions->items[i]->key, &c) < 0)
            problem(p, &n);
    n += cfn_eval_rules(e, p);
    for (size_t i = 0; i < t->resources->count; i++)
        check_resource(t, e, t->resources->items[i], p, &n);
    for (size_t i = 0; t->outputs && i < t->outputs->count; i++)
        if (t->outputs->items[i]->kind == CFN_NODE_MAP)
            check_output(t, e, t->outputs->items[i], p, &n);
    if (cfn_graph_build(t, cfn_validate_created, e, &g) < 0) {
        if (cfn_error_last()[0] && strstr(cfn_error_last(), "memory"))
            return CFN_ENOMEM;
        problem(p, &n);
    } else if (cfn_graph_check_cycles(g) < 0) {
        cfn__sb_printf(p, "%s: %s\n", t->file, cfn_error_last());
        n++;
    }
    cfn_graph_free(g);
    n += cfn_quotas_check(t, p);
    return n;
}
