/* A template: the node tree read from a file (node.h) and its sections.
 * Everything a template hands out is borrowed from it and lives as long as
 * the template. */
#ifndef CFNKIT_ENGINE_TEMPLATE_H
#define CFNKIT_ENGINE_TEMPLATE_H

#include "node.h"

typedef struct cfn_template {
    char *file; /* as given, for messages */
    cfn_node *root;
    size_t size; /* bytes of the source */
    /* The sections, borrowed from root; NULL when absent. */
    const cfn_node *description, *parameters, *mappings, *conditions, *resources, *outputs, *rules,
        *metadata, *transform;
    int language_extensions; /* Transform: AWS::LanguageExtensions */
} cfn_template;

/* Reads and checks the template's shape: a map whose top-level keys are
 * CloudFormation's sections, each the right kind, Resources present and not
 * empty, transforms other than AWS::LanguageExtensions refused as not
 * supported. Fn::ForEach (LanguageExtensions) is expanded in Resources,
 * Conditions and Outputs. On failure CFN_EINVAL with "file:line:column: ..."
 * in cfn_error_last(). *out is freed with cfn_template_free(). */
int cfn_template_load(const char *path, cfn_template **out);
int cfn_template_parse(const char *text, size_t len, const char *file, cfn_template **out);
void cfn_template_free(cfn_template *t);

/* CFN_EINVAL naming the first resource attribute CloudFormation does not
 * know ("Invalid template resource property 'X'"). cfn-lint and the graph
 * read such templates anyway; validate-template refuses them. */
int cfn_template_check_attributes(const cfn_template *t);

/* A resource by logical id (a map), or NULL. */
const cfn_node *cfn_template_resource(const cfn_template *t, const char *logical_id);

#endif
