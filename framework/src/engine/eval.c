/* The evaluator (eval.h): conditions and intrinsic functions over the
 * template, the parameters, the pseudo parameters and the engine's table of
 * resource values. Each function checks its arguments' shape and fails in
 * CloudFormation's words, naming the place. */
#include "eval.h"

#include "params.h"
#include "strbuf.h"

#include <cfnkit/error.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNKNOWN   "\"{{unknown}}\""
#define MAX_DEPTH 64

struct cfn_eval {
    const cfn_template *t;
    const cfn_eval_ops *ops;
    cfn_eval_ops no_ops;
    cfn_pseudo pseudo;
    char stack_id[256], partition[16], url_suffix[32];
    cJSON *params;
    signed char *cond; /* per Conditions member: 0, 1, -1 unknown, 2 not yet, 3 evaluating */
    int in_conditions, depth;
    int pseudo_known;         /* without, the stack's pseudo parameters are unknown */
    const char *no_resources; /* set: what may not depend on a resource */
    char path[1024];
};

static int fail(cfn_eval *e, const cfn_node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(cfn_eval *e, const cfn_node *at, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return cfn_error_set(CFN_EINVAL, "%s:%u:%u: %s (at %s)", e->t->file, at->line, at->column, msg,
                         e->path);
}

static cJSON *unknown(void)
{
    return cJSON_CreateRaw(UNKNOWN);
}

cJSON *cfn_eval_unknown(void)
{
    return unknown();
}

int cfn_eval_is_unknown(const cJSON *v)
{
    return v && cJSON_IsRaw(v) && strcmp(v->valuestring, UNKNOWN) == 0;
}

const char *cfn_eval_string(const cJSON *v)
{
    if (!v || cfn_eval_is_unknown(v))
        return NULL;
    if (cJSON_IsString(v) || cJSON_IsRaw(v))
        return v->valuestring;
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v) ? "true" : "false";
    if (cJSON_IsNumber(v)) {
        static __thread char num[32];
        snprintf(num, sizeof(num), "%.17g", v->valuedouble);
        return num;
    }
    return NULL;
}

/* Does v contain an unknown anywhere? */
static int has_unknown(const cJSON *v)
{
    if (cfn_eval_is_unknown(v))
        return 1;
    for (const cJSON *c = v ? v->child : NULL; c; c = c->next)
        if (has_unknown(c))
            return 1;
    return 0;
}

static int oom(void)
{
    return cfn_error_set(CFN_ENOMEM, "out of memory");
}

static size_t path_push(cfn_eval *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static size_t path_push(cfn_eval *e, const char *fmt, ...)
{
    size_t len = strlen(e->path);
    va_list ap;
    va_start(ap, fmt);
    if (len < sizeof(e->path))
        vsnprintf(e->path + len, sizeof(e->path) - len, fmt, ap);
    va_end(ap);
    return len;
}

static int eval(cfn_eval *e, const cfn_node *n, cJSON **out);

/* Evaluates a function's argument list: exactly `min`..`max` items. */
static int arg_list(cfn_eval *e, const cfn_node *fn, size_t min, size_t max, const char *what)
{
    if (fn->kind != CFN_NODE_LIST || fn->count < min || fn->count > max)
        return fail(e, fn, "Template error: every %s object requires %s", fn->key, what);
    return 0;
}

/* An argument that must evaluate to a string (or unknown). */
static int eval_string(cfn_eval *e, const cfn_node *n, const char *fn, const char *what,
                       cJSON **out)
{
    int rc = eval(e, n, out);
    if (rc < 0)
        return rc;
    if (!*out || !(cfn_eval_is_unknown(*out) || cfn_eval_string(*out))) {
        cJSON_Delete(*out);
        *out = NULL;
        return fail(e, n, "Template error: %s %s must be a string", fn, what);
    }
    return 0;
}

static int is_resource(cfn_eval *e, const char *id)
{
    return cfn_template_resource(e->t, id) != NULL;
}

static const char *pseudo(cfn_eval *e, const char *name)
{
    if (!e->pseudo_known && strncmp(name, "AWS::", 5) == 0 && strcmp(name, "AWS::NoValue") != 0 &&
        strcmp(name, "AWS::NotificationARNs") != 0)
        return NULL;
    if (strcmp(name, "AWS::AccountId") == 0)
        return e->pseudo.account_id;
    if (strcmp(name, "AWS::Region") == 0)
        return e->pseudo.region;
    if (strcmp(name, "AWS::StackName") == 0)
        return e->pseudo.stack_name;
    if (strcmp(name, "AWS::StackId") == 0)
        return e->stack_id;
    if (strcmp(name, "AWS::Partition") == 0)
        return e->partition;
    if (strcmp(name, "AWS::URLSuffix") == 0)
        return e->url_suffix;
    return NULL;
}

static int is_pseudo(const char *name)
{
    static const char *const names[] = {"AWS::AccountId", "AWS::Region",    "AWS::StackName",
                                        "AWS::StackId",   "AWS::Partition", "AWS::URLSuffix"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(name, names[i]) == 0)
            return 1;
    return 0;
}

static int resource_excluded(cfn_eval *e, const char *id, const cfn_node *at)
{
    int c;
    int rc = cfn_eval_resource_condition(e, cfn_template_resource(e->t, id), &c);
    if (rc < 0)
        return rc;
    if (c == 0)
        return fail(e, at,
                    "Template format error: Unresolved resource dependencies [%s] in the "
                    "Resources block of the template (its Condition is false)",
                    id);
    return 0;
}

static int ref_name(cfn_eval *e, const cfn_node *at, const char *name, cJSON **out)
{
    const char *p = pseudo(e, name);
    if (p)
        return (*out = cJSON_CreateString(p)) ? 0 : oom();
    if (!e->pseudo_known && strncmp(name, "AWS::", 5) == 0 && strcmp(name, "AWS::NoValue") != 0 &&
        strcmp(name, "AWS::NotificationARNs") != 0 && is_pseudo(name))
        return (*out = unknown()) ? 0 : oom();
    if (strcmp(name, "AWS::NoValue") == 0) {
        *out = NULL;
        return 0;
    }
    if (strcmp(name, "AWS::NotificationARNs") == 0) {
        *out = cJSON_CreateArray();
        for (size_t i = 0; *out && i < e->pseudo.n_notification_arns; i++)
            cJSON_AddItemToArray(*out, cJSON_CreateString(e->pseudo.notification_arns[i]));
        return *out ? 0 : oom();
    }
    if (cfn_node_get(e->t->parameters, name)) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(e->params, name);
        *out = v ? cJSON_Duplicate(v, 1) : unknown();
        return *out ? 0 : oom();
    }
    if (is_resource(e, name)) {
        if (e->no_resources)
            return fail(e, at,
                        "Template error: %s can't include Ref or GetAtt functions that "
                        "depend on a resource (%s)",
                        e->no_resources, name);
        if (e->in_conditions)
            return fail(e, at,
                        "Template format error: Unresolved dependencies [%s]. Cannot reference "
                        "resources in the Conditions block of the template",
                        name);
        int rc = resource_excluded(e, name, at);
        if (rc < 0)
            return rc;
        if (!e->ops->ref)
            return (*out = unknown()) ? 0 : oom();
        return e->ops->ref(e->ops->arg, name, out);
    }
    return fail(e, at,
                "Template format error: Unresolved resource dependencies [%s] in the %s block of "
                "the template",
                name,
                e->in_conditions == 2 ? "Rules"
                : e->in_conditions    ? "Conditions"
                                      : "Resources");
}

static int fn_ref(cfn_eval *e, const cfn_node *fn, cJSON **out)
{
    if (fn->kind != CFN_NODE_STRING)
        return fail(e, fn,
                    "Template format error: Every Ref object must have a single String "
                    "value.");
    return ref_name(e, fn, fn->text, out);
}

static int getatt(cfn_eval *e, const cfn_node *at, const char *id, const char *attr, cJSON **out)
{
    if (!is_resource(e, id))
        return fail(e, at,
                    "Template error: instance of Fn::GetAtt references undefined resource %s", id);
    if (e->no_resources)
        return fail(e, at,
                    "Template error: %s can't include Ref or GetAtt functions that depend on a "
                    "resource (%s)",
                    e->no_resources, id);
    if (e->in_conditions)
        return fail(e, at,
                    "Template format error: Unresolved dependencies [%s]. Cannot reference "
                    "resources in the Conditions block of the template",
                    id);
    int rc = resource_excluded(e, id, at);
    if (rc < 0)
        return rc;
    if (!e->ops->getatt)
        return (*out = unknown()) ? 0 : oom();
    return e->ops->getatt(e->ops->arg, id, attr, out);
}

static int fn_getatt(cfn_eval *e, const cfn_node *fn, cJSON **out)
{
    if (fn->kind == CFN_NODE_STRING && strchr(fn->text, '.')) {
        char id[256];
        snprintf(id, sizeof(id), "%.*s", (int)(strchr(fn->text, '.') - fn->text), fn->text);
        return getatt(e, fn, id, strchr(fn->text, '.') + 1, out);
    }
    if (fn->kind != CFN_NODE_LIST || fn->count != 2 || fn->items[0]->kind != CFN_NODE_STRING)
        return fail(e, fn,
                    "Template error: every Fn::GetAtt object requires two non-empty "
                    "parameters, the resource name and the resource attribute");
    cJSON *attr = NULL;
    int rc = eval_string(e, fn->items[1], "Fn::GetAtt", "attribute name", &attr);
    if (rc < 0)
        return rc;
    if (cfn_eval_is_unknown(attr)) {
        cJSON_Delete(attr);
        return (*out = unknown()) ? 0 : oom();
    }
    rc = getatt(e, fn, fn->items[0]->text, cfn_eval_string(attr), out);
    cJSON_Delete(attr);
    return rc;
}

/* Fn::Sub: ${Name} from the variable map, a parameter, a pseudo parameter
 * or a resource's Ref; ${Res.Attr} a GetAtt; ${!Literal} the text ${Literal}. */
static int fn_sub(cfn_eval *e, const cfn_node *fn, cJSON **out)
{
    const cfn_node *str = fn, *vars = NULL;
    strbuf sb = {0};
    int rc = 0, unknown_seen = 0;
    if (fn->kind == CFN_NODE_LIST) {
        if (fn->count != 2 || fn->items[0]->kind != CFN_NODE_STRING ||
            fn->items[1]->kind != CFN_NODE_MAP)
            return fail(e, fn,
                        "Template error: One or more Fn::Sub intrinsic functions don't "
                        "specify expected arguments. Specify a string as first argument, "
                        "and an optional second argument to specify a mapping of values "
                        "to replace in the string");
        str = fn->items[0];
        vars = fn->items[1];
    } else if (fn->kind != CFN_NODE_STRING) {
        return fail(e, fn,
                    "Template error: One or more Fn::Sub intrinsic functions don't specify "
                    "expected arguments. Specify a string as first argument, and an "
                    "optional second argument to specify a mapping of values to replace "
                    "in the string");
    }
    const char *s = str->text;
    while (*s && rc == 0) {
        const char *open = strstr(s, "${");
        const char *close = open ? strchr(open, '}') : NULL;
        if (!open || !close) {
            rc = cfn__sb_append(&sb, s, strlen(s));
            break;
        }
        rc = cfn__sb_append(&sb, s, (size_t)(open - s));
        if (rc == 0 && open[2] == '!') {
            rc = cfn__sb_append(&sb, "${", 2);
            if (rc == 0)
                rc = cfn__sb_append(&sb, open + 3, (size_t)(close + 1 - (open + 3)));
            s = close + 1;
            continue;
        }
        char name[256];
        snprintf(name, sizeof(name), "%.*s", (int)(close - open - 2), open + 2);
        const cfn_node *var = cfn_node_get(vars, name);
        cJSON *v = NULL;
        if (rc < 0)
            break;
        if (var) {
            size_t mark = path_push(e, "/Fn::Sub/%s", name);
            rc = eval(e, var, &v);
            e->path[mark] = '\0';
        } else if (strchr(name, '.') && !pseudo(e, name)) {
            char id[256];
            snprintf(id, sizeof(id), "%.*s", (int)(strchr(name, '.') - name), name);
            rc = getatt(e, str, id, strchr(name, '.') + 1, &v);
        } else {
            rc = ref_name(e, str, name, &v);
        }
        if (rc == 0 && cfn_eval_is_unknown(v)) {
            unknown_seen = 1;
        } else if (rc == 0) {
            const char *text = cfn_eval_string(v);
            if (!text)
                rc = fail(e, str,
                          "Template error: variable %s in Fn::Sub expression does not resolve "
                          "to a string",
                          name);
            else
                rc = cfn__sb_append(&sb, text, strlen(text));
        }
        cJSON_Delete(v);
        s = close + 1;
    }
    if (rc == 0)
        *out = unknown_seen ? unknown() : cJSON_CreateString(sb.data ? sb.data : "");
    free(sb.data);
    return rc < 0 ? rc : *out ? 0 : oom();
}

static int fn_join(cfn_eval *e, const cfn_node *fn, cJSON **out)
{
    const char *what = "two parameters, (1) a string delimiter and (2) a list of strings to be "
                       "joined or a function that returns a list of strings (such as Fn::GetAZs) "
                       "to be joined.";
    int rc = arg_list(e, fn, 2, 2, what);
    cJSON *list = NULL;
    strbuf sb = {0};
    if (rc < 0)
        return rc;
    if (fn->items[0]->kind != CFN_NODE_STRING)
        return fail(e, fn, "Template error: every Fn::Join object requires %s", what);
    if ((rc = eval(e, fn->items[1], &list)) < 0)
        return rc;
    if (cfn_eval_is_unknown(list)) {
        *out = list;
        return 0;
    }
    if (!cJSON_IsArray(list)) {
        cJSON_Delete(list);
        return fail(e, fn, "Template error: every Fn::Join object requires %s", what);
    }
    int unknown_seen = 0;
    for (const cJSON *it = list->child; it && rc == 0; it = it->next) {
        const char *text = cfn_eval_string(it);
        if (cfn_eval_is_unknown(it))
            unknown_seen = 1;
        else if (!text)
            rc = fail(e, fn, "Template error: every Fn::Join object requires %s", what);
        else if (it != list->child)
            rc = cfn__sb_printf(&sb, "%s%s", fn->items[0]->text, text);
        else
            rc = cfn__sb_append(&sb, text, strlen(text));
    }
    cJSON_Delete(list);
    if (rc == 0 && !(*out = unknown_seen ? unknown() : cJSON_CreateString(sb.data ? sb.data : "")))
        rc = oom();
    free(sb.data);
    return rc;
}

static int fn_split(cfn_eval *e, const cfn_node *fn, cJSON **out)
{
    const char *what = "two parameters, (1) a string delimiter and (2) a string to be split or "
                       "a function that returns a string to be split.";
    int rc = arg_list(e, fn, 2, 2, what);
    cJSON *src = NULL;
    if (rc < 0)
        return rc;
    if (fn->items[0]->kind != CFN_NODE_STRING || !fn->items[0]->text[0])
        return fail(e, fn, "Template error: every Fn::Split object requires %s", what);
    if ((rc = eval_string(e, fn->items[1], "Fn::Split", "source", &src)) < 0)
        return rc;
    if (cfn_eval_is_unknown(src)) {
        *out = src;
        return 0;
    }
    const char *d = fn->items[0]->text, *s = cfn_eval_string(src);
    size_t dl = strlen(d);
    *out = cJSON_CreateArray();
    for (const char *p; *out; s = p + dl) {
        p = strstr(s, d);
        size_t n = p ? (size_t)(p - s) : strlen(s);
        char *piece = strndup(s, n);
        cJSON *item = piece ? cJSON_CreateString(piece) : NULL;
        free(piece);
        if (!item) {
            cJSON_Delete(*out);
            *out = NULL;
            break;
        }
        cJSON_AddItemToArray(*out, item);
        if (!p)
            break;
    }
    cJSON_Delete(src);
    return *out ? 0 : oom();
}

static int fn_select(cfn_eval *e, const cfn_node *fn, cJSON **out)
{
    int rc = arg_list(e, fn, 2, 2, "two parameters, an index and a list of objects");
    cJSON *idx = NULL, *list = NULL;
    if (rc < 0)
        return rc;
    if ((rc = eval(e, fn->items[0], &idx)) < 0)
        return rc;
    if ((rc = eval(e, fn->items[1], &list)) < 0)
        goto done;
    if (cfn_eval_is_unknown(idx) || cfn_eval_is_unknown(list)) {
        *out = unknown();
        goto done;
    }
    const char *is = cfn_eval_string(idx);
    char *end = NULL;
    long i = is ? strtol(is, &end, 10) : -1;
    if (!is || !*is || *end || i < 0) {
        rc = fail(e, fn,
                  "Template error: Fn::Select requires an index that is a non-negative "
                  "integer (a number or a string of digits)");
        goto done;
    }
    if (!cJSON_IsArray(list)) {
        rc = fail(e, fn, "Template error: Fn::Select requires a list of objects");
        goto done;
    }
    for (const cJSON *it = list->child; it; it = it->next)
        if (cJSON_IsNull(it)) {
            rc = fail(e, fn,
                      "Template error: Fn::Select requires a list whose values are not "
                      "null");
            goto done;
        }
    cJSON *pick = cJSON_GetArrayItem(list, (int)i);
    if (!pick || i >= cJSON_GetArraySize(list)) {
        rc = fail(e, fn, "Template error: Fn::Select cannot select nonexistent value at index %ld",
                  i);
        goto done;
    }
    *out = cJSON_DetachItemFromArray(list, (int)i);
done:
    cJSON_Delete(idx);
    cJSON_Delete(list);
    return rc;
}

static int condition_named(cfn_eval *e, const cfn_node *at, const char *name, int *out)
{
    const cfn_node *c = cfn_node_get(e->t->conditions, name);
    if (!c)
        return fail(e, at, "Template format error: Unresolved condition dependency %s", name);
    return cfn_eval_condition(e, name, out);
}

static int fn_if(cfn_eval *e, const cfn_node *fn, cJSON **out)
{
    int rc = arg_list(e, fn, 3, 3,
                      "a list of 3 parameters: a condition name, a value when true and a value "
                      "when false");
    int c;
    if (rc < 0)
        return rc;
    if (fn->items[0]->kind != CFN_NODE_STRING)
        return fail(e, fn,
                    "Template error: Fn::If requires a condition name as its first "
                    "parameter");
    if ((rc = condition_named(e, fn->items[0], fn->items[0]->text, &c)) < 0)
        return rc;
    if (c >= 0)
        return eval(e, fn->items[c ? 1 : 2], out);
    /* Unknown: both branches are checked, the value is unknown. */
    cJSON *a = NULL, *b = NULL;
    if ((rc = eval(e, fn->items[1], &a)) == 0 && (rc = eval(e, fn->items[2], &b)) == 0)
        *out = unknown();
    cJSON_Delete(a);
    cJSON_Delete(b);
    return rc < 0 ? rc : *out ? 0 : oom();
}

/* A condition function's operand: a condition function, {Condition: name},
 * or a literal "true"/"false" is not allowed; *out 1, 0 or -1. */
static int eval_bool(cfn_eval *e, const cfn_node *n, const char *fn, int *out)
{
    const cfn_node *m = cfn_node_single(n);
    cJSON *v = NULL;
    if (!m || (strncmp(m->key, "Fn::", 4) != 0 && strcmp(m->key, "Condition") != 0))
        return fail(e, n,
                    "Template error: every %s object requires boolean parameters (condition "
                    "functions or Condition names)",
                    fn);
    int rc = eval(e, n, &v);
    if (rc < 0)
        return rc;
    if (cfn_eval_is_unknown(v))
        *out = -1;
    else if (cJSON_IsBool(v))
        *out = cJSON_IsTrue(v);
    else
        rc = fail(e, n, "Template error: every %s object requires boolean parameters", fn);
    cJSON_Delete(v);
    return rc;
}

static int condition_only(cfn_eval *e, const cfn_node *fn)
{
    if (!e->in_conditions)
        return fail(e, fn,
                    "Template error: %s is a condition function: it is used in the "
                    "Conditions section and in the condition of Fn::If, not here",
                    fn->key);
    return 0;
}

static cJSON *tri(int v)
{
    return v < 0 ? unknown() : cJSON_CreateBool(v);
}

static int fn_equals(cfn_eval *e, const cfn_node *fn, cJSON **out)
{
    cJSON *a = NULL, *b = NULL;
    int rc = condition_only(e, fn);
    if (rc == 0)
        rc = arg_list(e, fn, 2, 2, "a list of 2 string parameters.");
    if (rc == 0 && (rc = eval(e, fn->items[0], &a)) == 0)
        rc = eval(e, fn->items[1], &b);
    if (rc == 0) {
        if (has_unknown(a) || has_unknown(b)) {
            *out = unknown();
        } else {
            const char *x = cfn_eval_string(a), *y = cfn_eval_string(b);
            int eq;
            if (x && y) {
                eq = strcmp(x, y) == 0;
            } else {
                char *p = a ? cJSON_PrintUnformatted(a) : NULL;
                char *q = b ? cJSON_PrintUnformatted(b) : NULL;
                eq = p && q && strcmp(p, q) == 0;
                free(p);
                free(q);
            }
            *out = cJSON_CreateBool(eq);
        }
        if (!*out)
            rc = oom();
    }
    cJSON_Delete(a);
    cJSON_Delete(b);
    return rc;
}

static int fn_and_or(cfn_eval *e, const cfn_node *fn, cJSON **out)
{
    int is_and = strcmp(fn->key, "Fn::And") == 0, acc = is_and, rc = condition_only(e, fn);
    if (rc == 0)
        rc = arg_list(e, fn, 2, 10, "a list of at least 2 and no more than 10 boolean parameters.");
    for (size_t i = 0; rc == 0 && i < fn->count; i++) {
        int v = -1;
        if ((rc = eval_bool(e, fn->items[i], fn->key, &v)) < 0)
            break;
        if (is_and)
            acc = (acc == 0 || v == 0) ? 0 : (acc < 0 || v < 0) ? -1 : 1;
        else
            acc = (acc == 1 || v == 1) ? 1 : (acc < 0 || v < 0) ? -1 : 0;
    }
    if (rc == 0 && !(*out = tri(acc)))
        rc = oom();
    return rc;
}

static int fn_not(cfn_eval *e, const cfn_node *fn, cJSON **out)
{
    int v, rc = condition_only(e, fn);
    if (rc == 0)
        rc = arg_list(e, fn, 1, 1, "a list of exactly 1 boolean parameter.");
    if (rc == 0)
        rc = eval_bool(e, fn->items[0], "Fn::Not", &v);
    if (rc == 0 && !(*out = tri(v < 0 ? -1 : !v)))
        rc = oom();
    return rc;
}

static int fn_condition(cfn_eval *e, const cfn_node *fn, cJSON **out)
{
    int v, rc = condition_only(e, fn);
    if (rc == 0 && fn->kind != CFN_NODE_STRING)
        rc = fail(e, fn, "Template error: Condition takes the name of a condition");
    if (rc == 0)
        rc = condition_named(e, fn, fn->text, &v);
    if (rc == 0 && !(*out = tri(v)))
        rc = oom();
    return rc;
}

static int fn_findinmap(cfn_eval *e, const cfn_node *fn, cJSON **out)
{
    size_t max = e->t->language_extensions ? 4 : 3;
    int rc = arg_list(e, fn, 3, max,
                      "a list of 3 parameters: the map name, the top-level key and the "
                      "second-level key (and, with AWS::LanguageExtensions, {DefaultValue: v})");
    cJSON *k[3] = {NULL, NULL, NULL};
    const cfn_node *def = NULL;
    if (rc < 0)
        return rc;
    if (fn->count == 4 && !(def = cfn_node_get(fn->items[3], "DefaultValue")))
        return fail(e, fn,
                    "Template error: the fourth parameter of Fn::FindInMap is "
                    "{DefaultValue: value}");
    for (int i = 0; i < 3 && rc == 0; i++)
        rc = eval_string(e, fn->items[i], "Fn::FindInMap", "key", &k[i]);
    if (rc < 0)
        goto done;
    if (cfn_eval_is_unknown(k[0]) || cfn_eval_is_unknown(k[1]) || cfn_eval_is_unknown(k[2])) {
        *out = unknown();
        goto done;
    }
    const char *m = cfn_eval_string(k[0]), *a = cfn_eval_string(k[1]), *b = cfn_eval_string(k[2]);
    const cfn_node *map = cfn_node_get(e->t->mappings, m);
    if (!map && !def) {
        rc = fail(e, fn,
                  "Template error: Mapping named '%s' is not present in the 'Mappings' "
                  "section of template",
                  m);
        goto done;
    }
    const cfn_node *v = cfn_node_get(cfn_node_get(map, a), b);
    if (!v && def) {
        rc = eval(e, def, out);
    } else if (!v) {
        rc = fail(e, fn, "Template error: Unable to get mapping for %s::%s::%s", m, a, b);
    } else {
        *out = cfn_node_to_json(v);
        rc = *out ? 0 : oom();
    }
done:
    for (int i = 0; i < 3; i++)
        cJSON_Delete(k[i]);
    return rc;
}

static int fn_getazs(cfn_eval *e, const cfn_node *fn, cJSON **out)
{
    cJSON *r = NULL;
    /* null, as "", is the stack's region (templates of AWS's own collection). */
    int rc = fn->kind == CFN_NODE_NULL ? ((r = cJSON_CreateString("")) ? 0 : oom())
                                       : eval_string(e, fn, "Fn::GetAZs", "region", &r);
    if (rc < 0)
        return rc;
    if (cfn_eval_is_unknown(r)) {
        *out = r;
        return 0;
    }
    const char *region = *cfn_eval_string(r) ? cfn_eval_string(r)
                         : e->pseudo_known   ? e->pseudo.region
                                             : NULL;
    if (!region) {
        cJSON_Delete(r);
        return (*out = unknown()) ? 0 : oom();
    }
    if (e->ops->azs) {
        rc = e->ops->azs(e->ops->arg, region, out);
    } else {
        /* us-east-1 has six zones (as moto has), other regions three or more. */
        *out = cJSON_CreateArray();
        for (const char *z = strcmp(region, "us-east-1") == 0 ? "abcdef" : "abc"; *out && *z; z++) {
            char az[64];
            snprintf(az, sizeof(az), "%s%c", region, *z);
            cJSON_AddItemToArray(*out, cJSON_CreateString(az));
        }
        rc = *out ? 0 : oom();
    }
    cJSON_Delete(r);
    return rc;
}

/* Fn::Cidr [ipBlock, count, cidrBits]: count blocks of cidrBits host bits. */
static int fn_cidr(cfn_eval *e, const cfn_node *fn, cJSON **out)
{
    int rc = arg_list(e, fn, 3, 3, "3 parameters: an address block, a count and a cidrBits");
    cJSON *v[3] = {NULL, NULL, NULL};
    for (int i = 0; i < 3 && rc == 0; i++)
        rc = eval_string(e, fn->items[i], "Fn::Cidr", "parameter", &v[i]);
    if (rc < 0)
        goto done;
    if (cfn_eval_is_unknown(v[0]) || cfn_eval_is_unknown(v[1]) || cfn_eval_is_unknown(v[2])) {
        *out = unknown();
        goto done;
    }
    char addr[64];
    const char *block = cfn_eval_string(v[0]), *slash = strchr(block, '/');
    char *end1, *end2;
    long count = strtol(cfn_eval_string(v[1]), &end1, 10);
    long bits = strtol(cfn_eval_string(v[2]), &end2, 10);
    int v6 = strchr(block, ':') != NULL, width = v6 ? 128 : 32;
    unsigned char raw[16] = {0};
    if (!slash || (size_t)(slash - block) >= sizeof(addr) || *end1 || *end2) {
        rc = fail(e, fn,
                  "Template error: Fn::Cidr requires an address block in CIDR notation "
                  "and integer count and cidrBits");
        goto done;
    }
    snprintf(addr, sizeof(addr), "%.*s", (int)(slash - block), block);
    long prefix = strtol(slash + 1, NULL, 10);
    if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, raw) != 1 || prefix < 0 || prefix > width) {
        rc = fail(e, fn, "Template error: Fn::Cidr: %s is not a valid CIDR block", block);
        goto done;
    }
    if (count < 1 || count > 256 || bits < 1 || bits > width - prefix) {
        rc = fail(e, fn,
                  "Template error: Fn::Cidr: count must be 1 to 256 and cidrBits 1 to %ld "
                  "for %s",
                  (long)width - prefix, block);
        goto done;
    }
    long sub = width - bits;
    if (sub - prefix < 9 && count > (1L << (sub - prefix))) {
        rc = fail(e, fn, "Template error: Fn::Cidr: %s holds %ld blocks of /%ld, not %ld", block,
                  1L << (sub - prefix), sub, count);
        goto done;
    }
    unsigned __int128 base = 0;
    for (int i = 0; i < width / 8; i++)
        base = (base << 8) | raw[i];
    if (prefix < width)
        base &= ~((((unsigned __int128)1) << (width - prefix)) - 1);
    *out = cJSON_CreateArray();
    for (long i = 0; *out && i < count; i++) {
        unsigned __int128 a = base + ((unsigned __int128)i << bits);
        unsigned char o[16];
        char text[INET6_ADDRSTRLEN + 8];
        for (int j = width / 8 - 1; j >= 0; j--, a >>= 8)
            o[j] = (unsigned char)(a & 0xff);
        inet_ntop(v6 ? AF_INET6 : AF_INET, o, text, sizeof(text));
        snprintf(text + strlen(text), sizeof(text) - strlen(text), "/%ld", sub);
        cJSON_AddItemToArray(*out, cJSON_CreateString(text));
    }
    rc = *out ? 0 : oom();
done:
    for (int i = 0; i < 3; i++)
        cJSON_Delete(v[i]);
    return rc;
}

static int fn_base64(cfn_eval *e, const cfn_node *fn, cJSON **out)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    cJSON *v = NULL;
    int rc = eval_string(e, fn, "Fn::Base64", "value", &v);
    if (rc < 0)
        return rc;
    if (cfn_eval_is_unknown(v)) {
        *out = v;
        return 0;
    }
    const unsigned char *s = (const unsigned char *)cfn_eval_string(v);
    size_t n = strlen((const char *)s);
    char *b = malloc(4 * ((n + 2) / 3) + 1), *p = b;
    for (size_t i = 0; b && i < n; i += 3) {
        unsigned x = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) |
                     (i + 2 < n ? s[i + 2] : 0);
        *p++ = abc[x >> 18 & 63];
        *p++ = abc[x >> 12 & 63];
        *p++ = i + 1 < n ? abc[x >> 6 & 63] : '=';
        *p++ = i + 2 < n ? abc[x & 63] : '=';
    }
    if (b)
        *p = '\0';
    *out = b ? cJSON_CreateString(b) : NULL;
    free(b);
    cJSON_Delete(v);
    return *out ? 0 : oom();
}

static int fn_importvalue(cfn_eval *e, const cfn_node *fn, cJSON **out)
{
    cJSON *v = NULL;
    const char *outer = e->no_resources;
    e->no_resources = "Fn::ImportValue";
    int rc = eval_string(e, fn, "Fn::ImportValue", "export name", &v);
    e->no_resources = outer;
    if (rc < 0)
        return rc;
    if (cfn_eval_is_unknown(v) || !e->ops->import_value) {
        cJSON_Delete(v);
        return (*out = unknown()) ? 0 : oom();
    }
    rc = e->ops->import_value(e->ops->arg, cfn_eval_string(v), out);
    cJSON_Delete(v);
    return rc;
}

static int language_extensions(cfn_eval *e, const cfn_node *fn)
{
    if (!e->t->language_extensions)
        return fail(e, fn, "Template format error: %s needs Transform: AWS::LanguageExtensions",
                    fn->key);
    return 0;
}

static int fn_length(cfn_eval *e, const cfn_node *fn, cJSON **out)
{
    cJSON *v = NULL;
    int rc = language_extensions(e, fn);
    if (rc == 0)
        rc = eval(e, fn, &v);
    if (rc == 0 && cfn_eval_is_unknown(v)) {
        *out = v;
        return 0;
    }
    if (rc == 0 && !cJSON_IsArray(v))
        rc = fail(e, fn,
                  "Template error: Fn::Length requires a list or a function returning a "
                  "list");
    if (rc == 0) {
        char n[24];
        snprintf(n, sizeof(n), "%d", cJSON_GetArraySize(v));
        if (!(*out = cJSON_CreateRaw(n)))
            rc = oom();
    }
    cJSON_Delete(v);
    return rc;
}

static int fn_tojsonstring(cfn_eval *e, const cfn_node *fn, cJSON **out)
{
    cJSON *v = NULL;
    int rc = language_extensions(e, fn);
    if (rc == 0 && fn->kind != CFN_NODE_MAP && fn->kind != CFN_NODE_LIST)
        rc = fail(e, fn, "Template error: Fn::ToJsonString requires a map or a list");
    if (rc == 0)
        rc = eval(e, fn, &v);
    if (rc == 0 && has_unknown(v)) {
        cJSON_Delete(v);
        return (*out = unknown()) ? 0 : oom();
    }
    if (rc == 0) {
        char *s = cJSON_PrintUnformatted(v);
        *out = s ? cJSON_CreateString(s) : NULL;
        free(s);
        if (!*out)
            rc = oom();
    }
    cJSON_Delete(v);
    return rc;
}

/* The Rules section's functions (UserGuide/rules-section-structure.html). */
static int rule_only(cfn_eval *e, const cfn_node *fn)
{
    if (e->in_conditions != 2)
        return fail(e, fn,
                    "Template error: %s is a rule function: it is used in the Rules "
                    "section only",
                    fn->key);
    return 0;
}

static int string_in(const cJSON *list, const char *s)
{
    for (const cJSON *it = list ? list->child : NULL; it; it = it->next)
        if (cfn_eval_string(it) && strcmp(cfn_eval_string(it), s) == 0)
            return 1;
    return 0;
}

/* Fn::Contains [list, string], Fn::EachMemberEquals [list, string],
 * Fn::EachMemberIn [list, list]. */
static int fn_members(cfn_eval *e, const cfn_node *fn, cJSON **out)
{
    cJSON *a = NULL, *b = NULL;
    int rc = rule_only(e, fn);
    if (rc == 0)
        rc = arg_list(e, fn, 2, 2, "a list of 2 parameters");
    if (rc == 0 && (rc = eval(e, fn->items[0], &a)) == 0)
        rc = eval(e, fn->items[1], &b);
    if (rc < 0)
        goto done;
    if (has_unknown(a) || has_unknown(b)) {
        *out = unknown();
        goto done;
    }
    int each_in = strcmp(fn->key, "Fn::EachMemberIn") == 0;
    if (!cJSON_IsArray(a) || (each_in ? !cJSON_IsArray(b) : !cfn_eval_string(b))) {
        rc = fail(e, fn, "Template error: %s requires a list and %s", fn->key,
                  each_in ? "a list" : "a string");
        goto done;
    }
    int v;
    if (strcmp(fn->key, "Fn::Contains") == 0) {
        v = string_in(a, cfn_eval_string(b));
    } else {
        v = 1;
        for (const cJSON *it = a->child; it && v; it = it->next) {
            const char *x = cfn_eval_string(it);
            v = x && (each_in ? string_in(b, x) : strcmp(x, cfn_eval_string(b)) == 0);
        }
    }
    *out = cJSON_CreateBool(v);
done:
    cJSON_Delete(a);
    cJSON_Delete(b);
    return rc < 0 ? rc : *out ? 0 : oom();
}

/* Fn::RefAll, Fn::ValueOf, Fn::ValueOfAll read the account's resources
 * (every VPC id, a subnet's VPC): unknown to the local engine. */
static int fn_account_lookup(cfn_eval *e, const cfn_node *fn, cJSON **out)
{
    int rc = rule_only(e, fn);
    if (rc == 0 && !(*out = unknown()))
        rc = oom();
    return rc;
}

static int fn_unsupported(cfn_eval *e, const cfn_node *fn, cJSON **out)
{
    (void)out;
    return fail(e, fn, "%s is not supported by the local engine (macros are not run)", fn->key);
}

static const struct {
    const char *name;
    int (*run)(cfn_eval *e, const cfn_node *fn, cJSON **out);
} functions[] = {
    {"Ref", fn_ref},
    {"Fn::GetAtt", fn_getatt},
    {"Fn::Sub", fn_sub},
    {"Fn::Join", fn_join},
    {"Fn::Split", fn_split},
    {"Fn::Select", fn_select},
    {"Fn::If", fn_if},
    {"Fn::Equals", fn_equals},
    {"Fn::And", fn_and_or},
    {"Fn::Or", fn_and_or},
    {"Fn::Not", fn_not},
    {"Condition", fn_condition},
    {"Fn::FindInMap", fn_findinmap},
    {"Fn::GetAZs", fn_getazs},
    {"Fn::Cidr", fn_cidr},
    {"Fn::Base64", fn_base64},
    {"Fn::ImportValue", fn_importvalue},
    {"Fn::Length", fn_length},
    {"Fn::ToJsonString", fn_tojsonstring},
    {"Fn::Transform", fn_unsupported},
    {"Fn::Contains", fn_members},
    {"Fn::EachMemberEquals", fn_members},
    {"Fn::EachMemberIn", fn_members},
    {"Fn::RefAll", fn_account_lookup},
    {"Fn::ValueOf", fn_account_lookup},
    {"Fn::ValueOfAll", fn_account_lookup},
};

static int eval(cfn_eval *e, const cfn_node *n, cJSON **out)
{
    const cfn_node *m = cfn_node_single(n);
    int rc = 0;
    *out = NULL;
    if (e->depth > MAX_DEPTH)
        return fail(e, n, "Template error: functions nest too deeply");
    if (m && !(strcmp(m->key, "Condition") == 0 && !e->in_conditions)) {
        for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++) {
            if (strcmp(m->key, functions[i].name) == 0) {
                size_t mark = path_push(e, "/%s", m->key);
                e->depth++;
                rc = functions[i].run(e, m, out);
                e->depth--;
                e->path[mark] = '\0';
                return rc;
            }
        }
        if (strncmp(m->key, "Fn::", 4) == 0)
            return fail(e, m, "Template format error: Encountered unsupported function: %s",
                        m->key);
    }
    switch (n->kind) {
    case CFN_NODE_LIST:
    case CFN_NODE_MAP:
        *out = n->kind == CFN_NODE_LIST ? cJSON_CreateArray() : cJSON_CreateObject();
        if (!*out)
            return oom();
        for (size_t i = 0; i < n->count && rc == 0; i++) {
            cJSON *v = NULL;
            size_t mark = n->kind == CFN_NODE_LIST ? path_push(e, "/%zu", i)
                                                   : path_push(e, "/%s", n->items[i]->key);
            if (n->kind == CFN_NODE_MAP && strncmp(n->items[i]->key, "Fn::ForEach::", 13) == 0)
                rc = fail(e, n->items[i],
                          "Template format error: Fn::ForEach is expanded only in Resources "
                          "(their properties included), Conditions and Outputs, and needs "
                          "AWS::LanguageExtensions");
            else
                rc = eval(e, n->items[i], &v);
            e->path[mark] = '\0';
            if (rc == 0 && v) /* AWS::NoValue removes the item */
                n->kind == CFN_NODE_LIST ? cJSON_AddItemToArray(*out, v)
                                         : cJSON_AddItemToObject(*out, n->items[i]->key, v);
        }
        if (rc < 0) {
            cJSON_Delete(*out);
            *out = NULL;
        }
        return rc;
    default:
        *out = cfn_node_to_json(n);
        return *out ? 0 : oom();
    }
}

int cfn_eval_value(cfn_eval *e, const cfn_node *n, const char *path, cJSON **out)
{
    snprintf(e->path, sizeof(e->path), "%s", path);
    e->in_conditions = 0;
    e->no_resources = NULL;
    e->depth = 0;
    return eval(e, n, out);
}

int cfn_eval_export_name(cfn_eval *e, const cfn_node *n, const char *path, cJSON **out)
{
    snprintf(e->path, sizeof(e->path), "%s", path);
    e->in_conditions = 0;
    e->no_resources = "the Name of an Export";
    e->depth = 0;
    int rc = eval(e, n, out);
    e->no_resources = NULL;
    if (rc == 0 && (!*out || !(cfn_eval_is_unknown(*out) || cfn_eval_string(*out)))) {
        cJSON_Delete(*out);
        *out = NULL;
        rc = fail(e, n, "Template error: the Name of an Export must be a string");
    }
    return rc;
}

int cfn_eval_output(cfn_eval *e, const cfn_node *n, const char *path, cJSON **out)
{
    int rc = cfn_eval_value(e, n, path, out);
    if (rc == 0 && *out && (cJSON_IsArray(*out) || cJSON_IsObject(*out)) &&
        !cfn_eval_is_unknown(*out)) {
        const char *what = cJSON_IsArray(*out) ? "List" : "Map";
        cJSON_Delete(*out);
        *out = NULL;
        rc = fail(e, n,
                  "Template format error: The Value field of every Outputs member must evaluate "
                  "to a String and not a %s.",
                  what);
    }
    return rc;
}

int cfn_eval_condition(cfn_eval *e, const char *name, int *out)
{
    const cfn_node *cs = e->t->conditions;
    size_t i;
    for (i = 0; cs && i < cs->count; i++)
        if (strcmp(cs->items[i]->key, name) == 0)
            break;
    if (!cs || i == cs->count)
        return cfn_error_set(CFN_EINVAL,
                             "%s: Template format error: Unresolved condition "
                             "dependency %s",
                             e->t->file, name);
    if (e->cond[i] == 3)
        return fail(e, cs->items[i], "Template format error: Circular condition dependency: %s",
                    name);
    if (e->cond[i] != 2) {
        *out = e->cond[i];
        return 0;
    }
    char saved[sizeof(e->path)];
    int saved_in = e->in_conditions, v = -1;
    memcpy(saved, e->path, sizeof(saved));
    snprintf(e->path, sizeof(e->path), "Conditions/%s", name);
    e->in_conditions = 1;
    e->cond[i] = 3;
    int rc = eval_bool(e, cs->items[i], "condition", &v);
    e->cond[i] = rc < 0 ? 2 : (signed char)v;
    e->in_conditions = saved_in;
    memcpy(e->path, saved, sizeof(saved));
    *out = v;
    return rc;
}

/* One rule: its RuleCondition, then each Assert (a false one fails with its
 * AssertDescription). */
static int rule(cfn_eval *e, const cfn_node *r)
{
    const cfn_node *cond = cfn_node_get(r, "RuleCondition");
    const cfn_node *asserts = cfn_node_get(r, "Assertions");
    int v = 1, rc = 0;
    snprintf(e->path, sizeof(e->path), "Rules/%s/RuleCondition", r->key);
    if (cond && (rc = eval_bool(e, cond, "RuleCondition", &v)) < 0)
        return rc;
    if (!asserts || asserts->kind != CFN_NODE_LIST)
        return fail(e, r, "Template format error: rule %s needs a list of Assertions", r->key);
    for (size_t i = 0; i < asserts->count && rc == 0; i++) {
        const cfn_node *a = cfn_node_get(asserts->items[i], "Assert");
        const char *desc = cfn_node_scalar(cfn_node_get(asserts->items[i], "AssertDescription"));
        int ok;
        snprintf(e->path, sizeof(e->path), "Rules/%s/Assertions/%zu", r->key, i);
        if (!a)
            rc = fail(e, asserts->items[i],
                      "Template format error: every assertion needs an "
                      "Assert");
        else if ((rc = eval_bool(e, a, "Assert", &ok)) == 0 && v == 1 && ok == 0)
            rc = fail(e, a, "Template error: rule %s failed: %s", r->key,
                      desc ? desc : "its assertion is false");
    }
    return rc;
}

int cfn_eval_rules(cfn_eval *e, strbuf *problems)
{
    const cfn_node *rs = e->t->rules;
    int n = 0;
    e->in_conditions = 2;
    for (size_t i = 0; rs && i < rs->count; i++) {
        e->depth = 0;
        if (rule(e, rs->items[i]) < 0) {
            cfn__sb_printf(problems, "%s\n", cfn_error_last());
            n++;
        }
    }
    e->in_conditions = 0;
    return n;
}

int cfn_eval_resource_condition(cfn_eval *e, const cfn_node *resource, int *out)
{
    const cfn_node *c = cfn_node_get(resource, "Condition");
    *out = 1;
    if (!c)
        return 0;
    if (c->kind != CFN_NODE_STRING || !cfn_node_get(e->t->conditions, c->text))
        return cfn_error_set(CFN_EINVAL,
                             "%s:%u:%u: Template format error: Unresolved condition dependency "
                             "%s in Resources/%s",
                             e->t->file, c->line, c->column, c->text ? c->text : "(not a name)",
                             resource->key);
    return cfn_eval_condition(e, c->text, out);
}

const cJSON *cfn_eval_parameter(const cfn_eval *e, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(e->params, name);
}

int cfn_eval_new(const cfn_template *t, const cfn_pseudo *pseudo, const cfn_eval_ops *ops,
                 const char *const *overrides, size_t noverrides, int strict, cfn_eval **out)
{
    cfn_eval *e = calloc(1, sizeof(*e));
    size_t nc = t->conditions ? t->conditions->count : 0;
    if (!e || !(e->cond = malloc(nc + 1))) {
        free(e);
        return oom();
    }
    memset(e->cond, 2, nc + 1);
    e->t = t;
    e->ops = ops ? ops : &e->no_ops;
    e->pseudo_known = pseudo || strict;
    if (pseudo)
        e->pseudo = *pseudo;
    if (!e->pseudo.account_id)
        e->pseudo.account_id = "123456789012";
    if (!e->pseudo.region)
        e->pseudo.region = "us-east-1";
    if (!e->pseudo.stack_name)
        e->pseudo.stack_name = "stack";
    const char *r = e->pseudo.region;
    snprintf(e->partition, sizeof(e->partition), "%s",
             strncmp(r, "cn-", 3) == 0        ? "aws-cn"
             : strncmp(r, "us-gov-", 7) == 0  ? "aws-us-gov"
             : strncmp(r, "us-iso-", 7) == 0  ? "aws-iso"
             : strncmp(r, "us-isob-", 8) == 0 ? "aws-iso-b"
                                              : "aws");
    snprintf(e->url_suffix, sizeof(e->url_suffix), "%s",
             strncmp(r, "cn-", 3) == 0 ? "amazonaws.com.cn" : "amazonaws.com");
    if (e->pseudo.stack_id)
        snprintf(e->stack_id, sizeof(e->stack_id), "%s", e->pseudo.stack_id);
    else
        snprintf(e->stack_id, sizeof(e->stack_id),
                 "arn:%s:cloudformation:%s:%s:stack/%s/00000000-0000-4000-8000-000000000000",
                 e->partition, r, e->pseudo.account_id, e->pseudo.stack_name);
    int rc = cfn__params_resolve(t, e->ops, overrides, noverrides, strict, &e->params);
    if (rc < 0) {
        cfn_eval_free(e);
        return rc;
    }
    *out = e;
    return 0;
}

void cfn_eval_free(cfn_eval *e)
{
    if (!e)
        return;
    cJSON_Delete(e->params);
    free(e->cond);
    free(e);
}
