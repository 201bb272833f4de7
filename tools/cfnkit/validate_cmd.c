/* `cfnkit validate-template`: reads a template, checks it as CloudFormation
 * would (and, given parameter values, as a create would), and prints the
 * summary `aws cloudformation validate-template` prints, or every problem.
 * NoEcho values are never printed. */
#include "validate_cmd.h"

#include <cfnkit/cfnkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "template_env.h"
#include "validate.h"

static const char usage_text[] =
    "Usage: cfnkit validate-template --template-file FILE\n"
    "                                [--parameter-overrides K=V ... | file://PARAMS.json]\n"
    "\n"
    "Checks the template as CloudFormation does: its YAML or JSON, sections, every\n"
    "reference and intrinsic function where it is used, conditions, dependency\n"
    "cycles and quotas; with --parameter-overrides, also the parameters' values\n"
    "(every parameter then needs a value or a Default), as a create would. As with\n"
    "`aws cloudformation deploy`, file://PARAMS.json holds [\"K=V\", ...],\n"
    "[{\"ParameterKey\": K, \"ParameterValue\": V}, ...] or {\"Parameters\": {K: V}}.\n"
    "Prints, as `aws cloudformation validate-template` does, {\"Parameters\": [...],\n"
    "\"Description\", \"Capabilities\", \"CapabilitiesReason\", \"DeclaredTransforms\"}\n"
    "(NoEcho defaults masked) and exits 0; or prints every problem, each naming\n"
    "file:line:column and where, and exits 1. Exit 2 on a usage error.\n";

/* IAM resources need CAPABILITY_IAM, or CAPABILITY_NAMED_IAM when named
 * (UserGuide/control-access-with-iam.html#using-iam-capabilities). */
static const char *const iam_types[][2] = {{"AWS::IAM::AccessKey", NULL},
                                           {"AWS::IAM::Group", "GroupName"},
                                           {"AWS::IAM::InstanceProfile", "InstanceProfileName"},
                                           {"AWS::IAM::ManagedPolicy", "ManagedPolicyName"},
                                           {"AWS::IAM::Policy", NULL},
                                           {"AWS::IAM::Role", "RoleName"},
                                           {"AWS::IAM::User", "UserName"},
                                           {"AWS::IAM::UserToGroupAddition", NULL},
                                           {"AWS::IAM::RolePolicy", NULL},
                                           {"AWS::IAM::UserPolicy", NULL},
                                           {"AWS::IAM::GroupPolicy", NULL}};

static void capabilities(const cfn_template *t, cJSON *o)
{
    cJSON *caps = cJSON_CreateArray(), *types = cJSON_CreateArray();
    int iam = 0, named = 0;
    for (size_t i = 0; i < t->resources->count; i++) {
        const cfn_node *r = t->resources->items[i];
        const char *type = cfn_node_scalar(cfn_node_get(r, "Type"));
        for (size_t k = 0; type && k < sizeof(iam_types) / sizeof(iam_types[0]); k++) {
            if (strcmp(type, iam_types[k][0]) != 0)
                continue;
            iam = 1;
            named |= iam_types[k][1] &&
                     cfn_node_get(cfn_node_get(r, "Properties"), iam_types[k][1]) != NULL;
            int listed = 0;
            for (const cJSON *x = types->child; x; x = x->next)
                listed |= strcmp(x->valuestring, type) == 0;
            if (!listed)
                cJSON_AddItemToArray(types, cJSON_CreateString(type));
        }
    }
    if (iam)
        cJSON_AddItemToArray(caps,
                             cJSON_CreateString(named ? "CAPABILITY_NAMED_IAM" : "CAPABILITY_IAM"));
    if (t->transform)
        cJSON_AddItemToArray(caps, cJSON_CreateString("CAPABILITY_AUTO_EXPAND"));
    cJSON_AddItemToObject(o, "Capabilities", caps);
    if (iam) {
        char *list = cJSON_PrintUnformatted(types);
        char reason[4096];
        /* The reason lists the types as [A, B], not as JSON. */
        size_t k = 0;
        for (const char *c = list ? list : ""; *c && k + 2 < sizeof(reason); c++)
            if (*c != '"')
                reason[k++] = *c == ',' ? ',' : *c;
        reason[k] = '\0';
        char text[4200];
        snprintf(text, sizeof(text), "The following resource(s) require capabilities: %s", reason);
        cJSON_AddStringToObject(o, "CapabilitiesReason", text);
        free(list);
    }
    cJSON_Delete(types);
}

static cJSON *summary(const cfn_template *t)
{
    cJSON *o = cJSON_CreateObject(), *ps = cJSON_CreateArray();
    cJSON_AddItemToObject(o, "Parameters", ps);
    for (size_t i = 0; t->parameters && i < t->parameters->count; i++) {
        const cfn_node *p = t->parameters->items[i];
        cJSON *x = cJSON_CreateObject();
        const char *def = cfn_node_scalar(cfn_node_get(p, "Default"));
        const char *desc = cfn_node_scalar(cfn_node_get(p, "Description"));
        int noecho = cfn_param_noecho(t, p->key);
        cJSON_AddStringToObject(x, "ParameterKey", p->key);
        if (def)
            cJSON_AddStringToObject(x, "DefaultValue", noecho ? "****" : def);
        cJSON_AddBoolToObject(x, "NoEcho", noecho);
        if (desc)
            cJSON_AddStringToObject(x, "Description", desc);
        cJSON_AddItemToArray(ps, x);
    }
    if (t->description && t->description->text)
        cJSON_AddStringToObject(o, "Description", t->description->text);
    capabilities(t, o);
    if (t->transform) {
        cJSON *tr = cJSON_CreateArray();
        const cfn_node *x = t->transform;
        for (size_t i = 0; i < (x->kind == CFN_NODE_LIST ? x->count : 1); i++) {
            const char *s = cfn_node_scalar(x->kind == CFN_NODE_LIST ? x->items[i] : x);
            if (s)
                cJSON_AddItemToArray(tr, cJSON_CreateString(s));
        }
        cJSON_AddItemToObject(o, "DeclaredTransforms", tr);
    }
    return o;
}

int validate_cmd(int argc, char **argv)
{
    const char *file = NULL;
    template_overrides given = {0};
    int in_overrides = 0, rc = 1;
    cfn_template *t = NULL;
    cfn_eval *e = NULL;
    cfn_eval_ops ops;
    strbuf problems = {0};
    template_env_init(&ops);
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage_text, stdout);
            rc = 0;
            goto done;
        } else if (strcmp(argv[i], "--template-file") == 0 && i + 1 < argc) {
            file = argv[++i];
            in_overrides = 0;
        } else if (strcmp(argv[i], "--parameter-overrides") == 0) {
            in_overrides = 1;
        } else if (in_overrides && template_overrides_is_arg(argv[i])) {
            if (template_overrides_add(&given, argv[i]) < 0) {
                fprintf(stderr, "cfnkit %s: %s\n", "validate-template", cfn_error_last());
                rc = 2;
                goto done;
            }
        } else {
            fprintf(stderr, "cfnkit validate-template: unexpected argument: %s\n\n%s", argv[i],
                    usage_text);
            rc = 2;
            goto done;
        }
    }
    if (!file) {
        fprintf(stderr, "cfnkit validate-template: --template-file is required\n\n%s", usage_text);
        rc = 2;
        goto done;
    }
    if (cfn_template_load(file, &t) < 0) {
        fprintf(stderr, "%s\n", cfn_error_last());
        goto done;
    }
    if (cfn_eval_new(t, NULL, &ops, (const char *const *)given.items, given.n, given.n > 0, &e) <
        0) {
        fprintf(stderr, "%s\n", cfn_error_last());
        goto done;
    }
    int n = cfn_validate(t, e, &problems);
    if (n != 0) {
        fprintf(stderr, "%s", n < 0 ? "out of memory\n" : problems.data);
        goto done;
    }
    cJSON *o = summary(t);
    char *s = cJSON_Print(o);
    printf("%s\n", s ? s : "{}");
    free(s);
    cJSON_Delete(o);
    rc = 0;
done:
    free(problems.data);
    cfn_eval_free(e);
    cfn_template_free(t);
    template_env_done(&ops);
    template_overrides_free(&given);
    return rc;
}
