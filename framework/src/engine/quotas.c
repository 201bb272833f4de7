/* The template quotas (quotas.h), each exceeded one a line in
 * CloudFormation's words ("Number of resources, 501, is greater than maximum
 * allowed, 500"). */
#include "quotas.h"

#include <ctype.h>
#include <string.h>

static int count(const cfn_template *t, const cfn_node *s, const char *what, size_t max, strbuf *p)
{
    if (!s || s->kind != CFN_NODE_MAP || s->count <= max)
        return 0;
    cfn__sb_printf(p,
                   "%s:%u:%u: Template format error: Number of %s, %zu, is greater than "
                   "maximum allowed, %zu\n",
                   t->file, s->line, s->column, what, s->count, max);
    return 1;
}

/* Logical ids: alphanumeric, at most 255 characters. */
static int names(const cfn_template *t, const cfn_node *s, const char *what, strbuf *p)
{
    int n = 0;
    for (size_t i = 0; s && s->kind == CFN_NODE_MAP && i < s->count; i++) {
        const cfn_node *m = s->items[i];
        const char *k = m->key;
        int alnum = *k != '\0';
        for (const char *c = k; *c; c++)
            alnum &= isalnum((unsigned char)*c) != 0;
        if (!alnum) {
            cfn__sb_printf(p, "%s:%u:%u: Template format error: %s name %s is non alphanumeric.\n",
                           t->file, m->key_line, m->key_column, what, k);
            n++;
        } else if (strlen(k) > CFN_QUOTA_NAME) {
            cfn__sb_printf(p,
                           "%s:%u:%u: Template format error: %s name %.40s... is longer than "
                           "%d characters\n",
                           t->file, m->key_line, m->key_column, what, k, CFN_QUOTA_NAME);
            n++;
        }
    }
    return n;
}

int cfn_quotas_check(const cfn_template *t, strbuf *p)
{
    int n = 0;
    if (t->size > CFN_QUOTA_TEMPLATE_BYTES) {
        cfn__sb_printf(p, "%s: Template may not exceed %d bytes in size (it has %zu)\n", t->file,
                       CFN_QUOTA_TEMPLATE_BYTES, t->size);
        n++;
    }
    if (t->description && t->description->text &&
        strlen(t->description->text) > CFN_QUOTA_DESCRIPTION) {
        cfn__sb_printf(p,
                       "%s:%u:%u: Template format error: the Description is longer than %d "
                       "bytes\n",
                       t->file, t->description->line, t->description->column,
                       CFN_QUOTA_DESCRIPTION);
        n++;
    }
    n += count(t, t->resources, "resources", CFN_QUOTA_RESOURCES, p);
    n += count(t, t->parameters, "parameters", CFN_QUOTA_PARAMETERS, p);
    n += count(t, t->outputs, "outputs", CFN_QUOTA_OUTPUTS, p);
    n += count(t, t->mappings, "mappings", CFN_QUOTA_MAPPINGS, p);
    for (size_t i = 0; t->mappings && i < t->mappings->count; i++) {
        const cfn_node *m = t->mappings->items[i];
        if (m->kind == CFN_NODE_MAP && m->count > CFN_QUOTA_MAPPING_ATTRS) {
            cfn__sb_printf(p,
                           "%s:%u:%u: Template format error: Number of mapping attributes in "
                           "%s, %zu, is greater than maximum allowed, %d\n",
                           t->file, m->line, m->column, m->key, m->count, CFN_QUOTA_MAPPING_ATTRS);
            n++;
        }
        for (size_t j = 0; m->kind == CFN_NODE_MAP && j < m->count; j++)
            if (strlen(m->items[j]->key) > CFN_QUOTA_NAME) {
                cfn__sb_printf(p,
                               "%s:%u:%u: Template format error: mapping attribute name in %s "
                               "is longer than %d characters\n",
                               t->file, m->items[j]->line, m->items[j]->column, m->key,
                               CFN_QUOTA_NAME);
                n++;
            }
    }
    n += names(t, t->resources, "Resource", p);
    n += names(t, t->parameters, "Parameter", p);
    n += names(t, t->outputs, "Output", p);
    n += names(t, t->mappings, "Mapping", p);
    return n;
}
