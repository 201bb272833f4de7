/* `cfnkit graph`: the resource dependency graph of templates, as JSON in the
 * form of cfn-lint's graphs ({"nodes": [...], "edges": [[from, to, kind,
 * count], ...]}) or as Graphviz dot. */
#include "graph_cmd.h"

#include <cfnkit/cfnkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "graph.h"
#include "template.h"
#include "template_env.h"
#include "validate.h"

static const char usage_text[] =
    "Usage: cfnkit graph --template-file FILE [FILE ...] [--format json|dot]\n"
    "                    [--parameter-overrides K=V ... | file://PARAMS.json]\n"
    "\n"
    "Prints the resource dependency graph: `from` depends on `to` through a Ref,\n"
    "an Fn::GetAtt, a ${X} or ${X.Attr} in an Fn::Sub, or DependsOn, counted per\n"
    "kind. json (the default) prints {\"nodes\": [...], \"edges\": [[from, to, kind,\n"
    "count], ...]}; with several files, one line per file with its \"file\" added.\n"
    "dot prints a Graphviz digraph. Without parameters every reference is shown, as\n"
    "cfn-lint shows it; with --parameter-overrides (each parameter then needs a value\n"
    "or a Default), only the resources that would be created, as CloudFormation\n"
    "would order them.\n"
    "Exit 0, 1 when a template cannot be read or has a dependency cycle, 2 on a\n"
    "usage error.\n";

static cJSON *graph_json(const cfn_graph *g, const char *file)
{
    cJSON *o = cJSON_CreateObject(), *nodes = cJSON_CreateArray(), *edges = cJSON_CreateArray();
    if (file)
        cJSON_AddStringToObject(o, "file", file);
    cJSON_AddItemToObject(o, "nodes", nodes);
    cJSON_AddItemToObject(o, "edges", edges);
    for (size_t i = 0; i < g->count; i++)
        cJSON_AddItemToArray(nodes, cJSON_CreateString(g->ids[i]));
    for (size_t i = 0; i < g->nedges; i++) {
        const cfn_edge *e = &g->edges[i];
        cJSON *x = cJSON_CreateArray();
        cJSON_AddItemToArray(x, cJSON_CreateString(g->ids[e->from]));
        cJSON_AddItemToArray(x, cJSON_CreateString(g->ids[e->to]));
        cJSON_AddItemToArray(x, cJSON_CreateString(cfn_edge_kind_name(e->kind)));
        cJSON_AddItemToArray(x, cJSON_CreateNumber(e->count));
        cJSON_AddItemToArray(edges, x);
    }
    return o;
}

static void print_dot(const cfn_graph *g)
{
    printf("digraph template {\n  rankdir=BT;\n");
    for (size_t i = 0; i < g->count; i++) {
        const char *type = cfn_node_scalar(cfn_node_get(g->resources[i], "Type"));
        printf("  \"%s\" [label=\"%s\\n<%s>\"];\n", g->ids[i], g->ids[i], type ? type : "");
    }
    for (size_t i = 0; i < g->nedges; i++) {
        const cfn_edge *e = &g->edges[i];
        if (e->count > 1)
            printf("  \"%s\" -> \"%s\" [label=\"%s x%u\"];\n", g->ids[e->from], g->ids[e->to],
                   cfn_edge_kind_name(e->kind), e->count);
        else
            printf("  \"%s\" -> \"%s\" [label=\"%s\"];\n", g->ids[e->from], g->ids[e->to],
                   cfn_edge_kind_name(e->kind));
    }
    printf("}\n");
}

static int one(const char *file, int dot, int several, const char *const *overrides,
               size_t noverrides)
{
    cfn_template *t = NULL;
    cfn_graph *g = NULL;
    cfn_eval *e = NULL;
    cfn_eval_ops ops;
    int rc = 1;
    template_env_init(&ops);
    if (cfn_template_load(file, &t) < 0 ||
        (noverrides && cfn_eval_new(t, NULL, &ops, overrides, noverrides, 1, &e) < 0) ||
        cfn_graph_build(t, e ? cfn_validate_created : NULL, e, &g) < 0 ||
        cfn_graph_check_cycles(g) < 0) {
        const char *msg = cfn_error_last();
        if (several && !dot) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "file", file);
            cJSON_AddStringToObject(o, "error", msg);
            char *s = cJSON_PrintUnformatted(o);
            printf("%s\n", s);
            free(s);
            cJSON_Delete(o);
        }
        fprintf(stderr, "cfnkit graph: %s%s%s\n", strncmp(msg, file, strlen(file)) ? file : "",
                strncmp(msg, file, strlen(file)) ? ": " : "", msg);
        goto done;
    }
    if (dot) {
        print_dot(g);
    } else {
        cJSON *o = graph_json(g, several ? file : NULL);
        char *s = cJSON_PrintUnformatted(o);
        printf("%s\n", s);
        free(s);
        cJSON_Delete(o);
    }
    rc = 0;
done:
    cfn_graph_free(g);
    cfn_eval_free(e);
    cfn_template_free(t);
    template_env_done(&ops);
    return rc;
}

int graph_cmd(int argc, char **argv)
{
    const char **files = calloc((size_t)argc + 1, sizeof(*files));
    template_overrides given = {0};
    size_t nfiles = 0;
    int dot = 0, rc = 0, in_overrides = 0;
    if (!files)
        return 2;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage_text, stdout);
            rc = 0;
            goto done;
        } else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            const char *f = argv[++i];
            if (strcmp(f, "dot") != 0 && strcmp(f, "json") != 0) {
                fprintf(stderr, "cfnkit graph: --format is json or dot, not %s\n\n%s", f,
                        usage_text);
                rc = 2;
                goto done;
            }
            dot = strcmp(f, "dot") == 0;
        } else if (strcmp(argv[i], "--template-file") == 0 && i + 1 < argc) {
            files[nfiles++] = argv[++i];
            in_overrides = 0;
        } else if (strcmp(argv[i], "--parameter-overrides") == 0) {
            in_overrides = 1;
        } else if (in_overrides && template_overrides_is_arg(argv[i])) {
            if (template_overrides_add(&given, argv[i]) < 0) {
                fprintf(stderr, "cfnkit %s: %s\n", "graph", cfn_error_last());
                rc = 2;
                goto done;
            }
        } else if (argv[i][0] != '-') {
            files[nfiles++] = argv[i];
        } else {
            fprintf(stderr, "cfnkit graph: unknown option or missing value: %s\n\n%s", argv[i],
                    usage_text);
            rc = 2;
            goto done;
        }
    }
    if (nfiles == 0) {
        fprintf(stderr, "cfnkit graph: --template-file is required\n\n%s", usage_text);
        rc = 2;
        goto done;
    }
    for (size_t i = 0; i < nfiles; i++)
        if (one(files[i], dot, nfiles > 1, (const char *const *)given.items, given.n) != 0)
            rc = 1;
done:
    free(files);
    template_overrides_free(&given);
    return rc;
}
