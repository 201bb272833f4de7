/* Reads a template's sections and checks its shape as CloudFormation does
 * (UserGuide/template-anatomy.html, resources-section-structure.html,
 * transform-section-structure.html). */
#include "template.h"

#include "foreach.h"

#include <cfnkit/error.h>

#include <stdlib.h>
#include <string.h>

static const char *const sections[] = {"AWSTemplateFormatVersion",
                                       "Description",
                                       "Metadata",
                                       "Parameters",
                                       "Rules",
                                       "Mappings",
                                       "Conditions",
                                       "Transform",
                                       "Resources",
                                       "Outputs",
                                       "Hooks"};

static const char *const resource_attributes[] = {
    "Type",           "Properties",   "DependsOn",
    "Metadata",       "Condition",    "CreationPolicy",
    "DeletionPolicy", "UpdatePolicy", "UpdateReplacePolicy",
    "Version" /* legacy attribute of custom resources, still accepted */};

static int in(const char *s, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, set[i]) == 0)
            return 1;
    return 0;
}

static int shape_error(const cfn_template *t, const cfn_node *at, const char *what, const char *arg)
{
    return cfn_error_set(CFN_EINVAL, "%s:%u:%u: Template format error: %s%s", t->file, at->line,
                         at->column, what, arg ? arg : "");
}

static int check_transform(cfn_template *t)
{
    const cfn_node *tr = t->transform;
    size_t n = tr->kind == CFN_NODE_LIST ? tr->count : 1;
    for (size_t i = 0; i < n; i++) {
        const cfn_node *x = tr->kind == CFN_NODE_LIST ? tr->items[i] : tr;
        if (x->kind != CFN_NODE_STRING)
            return cfn_error_set(CFN_EINVAL,
                                 "%s:%u:%u: Transform %s is not supported by the local engine "
                                 "(only AWS::LanguageExtensions is)",
                                 t->file, x->line, x->column,
                                 x->kind == CFN_NODE_MAP ? "with parameters (a macro)" : "");
        if (strcmp(x->text, "AWS::LanguageExtensions") != 0)
            return cfn_error_set(CFN_EINVAL,
                                 "%s:%u:%u: Transform %s is not supported by the local engine "
                                 "(only AWS::LanguageExtensions is)",
                                 t->file, x->line, x->column, x->text);
        t->language_extensions = 1;
    }
    return 0;
}

static int check_resources(const cfn_template *t)
{
    const cfn_node *rs = t->resources;
    if (!rs)
        return cfn_error_set(CFN_EINVAL,
                             "%s:1:1: Template format error: At least one Resources "
                             "member must be defined.",
                             t->file);
    if (rs->kind != CFN_NODE_MAP || rs->count == 0)
        return shape_error(t, rs, "At least one Resources member must be defined.", NULL);
    for (size_t i = 0; i < rs->count; i++) {
        const cfn_node *r = rs->items[i];
        if (r->kind != CFN_NODE_MAP)
            return cfn_error_set(CFN_EINVAL,
                                 "%s:%u:%u: Template format error: [/Resources/%s] Every "
                                 "Resources object must be a map with a Type member.",
                                 t->file, r->line, r->column, r->key);
        const cfn_node *type = cfn_node_get(r, "Type");
        if (!type || type->kind != CFN_NODE_STRING)
            return cfn_error_set(CFN_EINVAL,
                                 "%s:%u:%u: Template format error: [/Resources/%s] Every "
                                 "Resources object must contain a Type member.",
                                 t->file, r->line, r->column, r->key);
    }
    return 0;
}

int cfn_template_check_attributes(const cfn_template *t)
{
    for (size_t i = 0; i < t->resources->count; i++) {
        const cfn_node *r = t->resources->items[i];
        for (size_t j = 0; j < r->count; j++)
            if (!in(r->items[j]->key, resource_attributes,
                    sizeof(resource_attributes) / sizeof(resource_attributes[0])))
                return cfn_error_set(CFN_EINVAL,
                                     "%s:%u:%u: Template format error: Invalid template "
                                     "resource property '%s' in %s",
                                     t->file, r->items[j]->key_line, r->items[j]->key_column,
                                     r->items[j]->key, r->key);
    }
    return 0;
}

int cfn_template_parse(const char *text, size_t len, const char *file, cfn_template **out)
{
    cfn_template *t = calloc(1, sizeof(*t));
    int rc;
    if (!t || !(t->file = strdup(file))) {
        free(t);
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    t->size = len;
    if ((rc = cfn_node_parse(text, len, file, &t->root)) < 0)
        goto done;
    for (size_t i = 0; i < t->root->count; i++) {
        const cfn_node *s = t->root->items[i];
        if (!in(s->key, sections, sizeof(sections) / sizeof(sections[0]))) {
            rc = cfn_error_set(CFN_EINVAL,
                               "%s:%u:%u: Template format error: Invalid template property or "
                               "properties [%s]",
                               t->file, s->key_line, s->key_column, s->key);
            goto done;
        }
        int want_map = strcmp(s->key, "Description") != 0 && strcmp(s->key, "Transform") != 0 &&
                       strcmp(s->key, "AWSTemplateFormatVersion") != 0;
        if (want_map && s->kind != CFN_NODE_MAP && s->kind != CFN_NODE_NULL) {
            rc = shape_error(t, s, "every member of the section must be a map: ", s->key);
            goto done;
        }
    }
    const cfn_node *v = cfn_node_get(t->root, "AWSTemplateFormatVersion");
    if (v && !(v->kind == CFN_NODE_STRING && strcmp(v->text, "2010-09-09") == 0)) {
        rc =
            shape_error(t, v, "AWSTemplateFormatVersion is 2010-09-09, the only valid value", NULL);
        goto done;
    }
    t->description = cfn_node_get(t->root, "Description");
    if (t->description && t->description->kind != CFN_NODE_STRING) {
        rc = shape_error(t, t->description, "Description must be a string", NULL);
        goto done;
    }
    t->metadata = cfn_node_get(t->root, "Metadata");
    t->parameters = cfn_node_get(t->root, "Parameters");
    t->rules = cfn_node_get(t->root, "Rules");
    t->mappings = cfn_node_get(t->root, "Mappings");
    t->conditions = cfn_node_get(t->root, "Conditions");
    t->resources = cfn_node_get(t->root, "Resources");
    t->outputs = cfn_node_get(t->root, "Outputs");
    t->transform = cfn_node_get(t->root, "Transform");
    if (t->transform && (rc = check_transform(t)) < 0)
        goto done;
    if (t->language_extensions && (rc = cfn__foreach_expand(t)) < 0)
        goto done;
    if ((rc = check_resources(t)) < 0)
        goto done;
    *out = t;
    return 0;
done:
    cfn_template_free(t);
    return rc;
}

int cfn_template_load(const char *path, cfn_template **out)
{
    char *text;
    size_t len;
    int rc = cfn_node_read_file(path, &text, &len);
    if (rc < 0)
        return rc;
    rc = cfn_template_parse(text, len, path, out);
    free(text);
    return rc;
}

void cfn_template_free(cfn_template *t)
{
    if (!t)
        return;
    cfn_node_free(t->root);
    free(t->file);
    free(t);
}

const cfn_node *cfn_template_resource(const cfn_template *t, const char *logical_id)
{
    return cfn_node_get(t->resources, logical_id);
}
