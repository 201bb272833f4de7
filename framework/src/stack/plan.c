/* The change set (plan.h): what CloudFormation's ResourceChange says of a
 * resource whose stored properties and new ones are compared. */
#include "plan.h"

#include <cfnkit/cfnkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "request.h"

/* A scalar's text: a raw number's own, a number's as CloudFormation writes
 * it, a string's. */
static bool scalar_text(const cJSON *v, char *buf, size_t size)
{
    if (cJSON_IsRaw(v) || cJSON_IsString(v)) {
        snprintf(buf, size, "%s", v->valuestring ? v->valuestring : "");
        return true;
    }
    if (cJSON_IsNumber(v)) {
        stk_number_text(v->valuedouble, buf, size);
        return true;
    }
    return false;
}

bool stk_json_same(const cJSON *a, const cJSON *b)
{
    if (!a || !b)
        return a == b;
    if (cJSON_IsRaw(a) || cJSON_IsRaw(b)) {
        char x[512], y[512], *ex, *ey;
        if (!scalar_text(a, x, sizeof(x)) || !scalar_text(b, y, sizeof(y)))
            return false;
        if (strcmp(x, y) == 0)
            return true;
        /* 600 written, 600.0 read back: the same number. */
        double dx = strtod(x, &ex), dy = strtod(y, &ey);
        return (cJSON_IsNumber(a) || cJSON_IsNumber(b)) && *x && *y && !*ex && !*ey && dx == dy;
    }
    if (cJSON_IsArray(a) && cJSON_IsArray(b)) {
        const cJSON *p = a->child, *q = b->child;
        for (; p && q; p = p->next, q = q->next)
            if (!stk_json_same(p, q))
                return false;
        return !p && !q;
    }
    if (cJSON_IsObject(a) && cJSON_IsObject(b)) {
        if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
            return false;
        for (const cJSON *p = a->child; p; p = p->next)
            if (!stk_json_same(p, cJSON_GetObjectItemCaseSensitive(b, p->string)))
                return false;
        return true;
    }
    return cJSON_Compare(a, b, 1);
}
static const char *str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Whether a change of `prop` replaces a resource of `type`: "Always",
 * "Conditionally" or "Never". A custom resource is replaced when its
 * provider answers a new physical id, which no change set can know. */
static const char *recreation(const char *type, const char *prop)
{
    if (stk_type_is_custom(type))
        return strcmp(prop, "ServiceToken") == 0 ? "Always" : "Conditionally";
    const cfn_resource_type *d = cfn_lookup(type);
    if (d && cfn_type_replaces(d, prop))
        return "Always";
    if (d && cfn_type_replaces_conditionally(d, prop))
        return "Conditionally";
    return "Never";
}

/* The change of one resource between its stored document and its new
 * properties; NULL when nothing changed. */
cJSON *stk_plan_change(const char *logical, const char *type, const cJSON *doc, const cJSON *props)
{
    cJSON *c = cJSON_CreateObject(), *rc = cJSON_AddObjectToObject(c, "ResourceChange");
    cJSON_AddStringToObject(c, "Type", "Resource");
    cJSON_AddStringToObject(rc, "LogicalResourceId", logical);
    cJSON_AddStringToObject(rc, "ResourceType", type);
    if (!doc) {
        cJSON_AddStringToObject(rc, "Action", "Add");
        return c;
    }
    cJSON_AddStringToObject(rc, "Action", "Modify");
    if (str(doc, "PhysicalResourceId"))
        cJSON_AddStringToObject(rc, "PhysicalResourceId", str(doc, "PhysicalResourceId"));
    const cJSON *old = cJSON_GetObjectItemCaseSensitive(doc, "Properties");
    cJSON *details = cJSON_CreateArray(), *scope = cJSON_CreateArray();
    int worst = 0; /* 0 Never, 1 Conditionally, 2 Always */
    if (!str(doc, "ResourceType") || strcmp(str(doc, "ResourceType"), type) != 0)
        worst = 2;
    /* Every top-level property added, changed or removed. */
    for (int pass = 0; pass < 2; pass++) {
        const cJSON *from = pass == 0 ? props : old, *other = pass == 0 ? old : props;
        for (const cJSON *p = from ? from->child : NULL; p; p = p->next) {
            const cJSON *q = cJSON_GetObjectItemCaseSensitive(other, p->string);
            if (pass == 1 && q)
                continue; /* seen in the first pass */
            if (q && stk_json_same(p, q) && !cfn_eval_is_unknown(p))
                continue;
            bool dynamic = pass == 0 && cfn_eval_is_unknown(p);
            const char *rec = recreation(type, p->string);
            int level = strcmp(rec, "Always") == 0          ? (dynamic ? 1 : 2)
                        : strcmp(rec, "Conditionally") == 0 ? 1
                                                            : 0;
            worst = level > worst ? level : worst;
            cJSON *d = cJSON_CreateObject(), *tgt = cJSON_AddObjectToObject(d, "Target");
            cJSON_AddStringToObject(tgt, "Attribute", "Properties");
            cJSON_AddStringToObject(tgt, "Name", p->string);
            cJSON_AddStringToObject(tgt, "RequiresRecreation", rec);
            cJSON_AddStringToObject(d, "Evaluation", dynamic ? "Dynamic" : "Static");
            cJSON_AddStringToObject(d, "ChangeSource",
                                    dynamic ? "ResourceReference" : "DirectModification");
            cJSON_AddItemToArray(details, d);
        }
    }
    if (cJSON_GetArraySize(details) == 0 && worst == 0) {
        cJSON_Delete(details);
        cJSON_Delete(scope);
        cJSON_Delete(c);
        return NULL;
    }
    cJSON_AddItemToArray(scope, cJSON_CreateString("Properties"));
    cJSON_AddStringToObject(rc, "Replacement",
                            worst == 2   ? "True"
                            : worst == 1 ? "Conditional"
                                         : "False");
    cJSON_AddItemToObject(rc, "Scope", scope);
    cJSON_AddItemToObject(rc, "Details", details);
    return c;
}

/* Whether an in-place update of `type` from old to new properties must be a
 * replacement (a createOnly property changed), naming the property. */
const char *stk_plan_replacing_property(const char *type, const cJSON *old, const cJSON *props)
{
    if (stk_type_is_custom(type))
        return NULL;
    const cfn_resource_type *d = cfn_lookup(type);
    for (int pass = 0; d && pass < 2; pass++) {
        const cJSON *from = pass == 0 ? props : old, *other = pass == 0 ? old : props;
        for (const cJSON *p = from ? from->child : NULL; p; p = p->next) {
            const cJSON *q = cJSON_GetObjectItemCaseSensitive(other, p->string);
            if ((!q || !stk_json_same(p, q)) && cfn_type_replaces(d, p->string))
                return p->string;
        }
    }
    return NULL;
}
