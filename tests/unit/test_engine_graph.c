/* The dependency graph: which references make edges (UserGuide/
 * aws-attribute-dependson.html, intrinsic-function-reference-sub.html),
 * the scheduler's counters, cycles named as CloudFormation names them, and
 * Fn::ForEach expansion (intrinsic-function-reference-foreach.html). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cfnkit/error.h>

#include "graph.h"

/* "from>to:Kind*count" edges joined by spaces, or "ERROR: message". */
static char *edges_of(const char *yaml)
{
    cfn_template *t = NULL;
    cfn_graph *g = NULL;
    char *out = calloc(1, 4096);
    if (cfn_template_parse(yaml, strlen(yaml), "t.yaml", &t) < 0 ||
        cfn_graph_build(t, NULL, NULL, &g) < 0 || cfn_graph_check_cycles(g) < 0) {
        snprintf(out, 4096, "ERROR: %s", cfn_error_last());
    } else {
        for (size_t i = 0; i < g->nedges; i++)
            snprintf(out + strlen(out), 4096 - strlen(out), "%s%s>%s:%s*%u", i ? " " : "",
                     g->ids[g->edges[i].from], g->ids[g->edges[i].to],
                     cfn_edge_kind_name(g->edges[i].kind), g->edges[i].count);
    }
    cfn_graph_free(g);
    cfn_template_free(t);
    return out;
}

static void expect(const char *yaml, const char *edges)
{
    char *got = edges_of(yaml);
    if (strcmp(got, edges) != 0)
        fail_msg("%s\n  edges: %s\n  expected: %s", yaml, got, edges);
    free(got);
}

#define R(name, props) "  " name ":\n    Type: AWS::SNS::Topic\n" props

static void references_make_edges(void **state)
{
    (void)state;
    /* Ref, GetAtt both forms, Sub ${X} and ${X.Attr}, DependsOn, counted. */
    expect("Resources:\n" R("A", "") R("B", "    DependsOn: A\n    Properties:\n      P: !Ref A\n"
                                            "      Q: [!Ref A, !GetAtt A.TopicArn]\n"
                                            "      S: !Sub '${A}-${A.TopicName}'\n"),
           "B>A:DependsOn*1 B>A:GetAtt*2 B>A:Ref*3");
    /* Metadata and UpdatePolicy count too. */
    expect("Resources:\n" R("A", "") R("B", "    Metadata:\n      X: !Ref A\n"), "B>A:Ref*1");
    /* No edge for parameters, pseudo parameters, ${!Literal}, ImportValue,
     * and for the keys of the Sub's own variable map. */
    expect("Parameters:\n  P: {Type: String}\nResources:\n" R("A", "")
               R("B", "    Properties:\n      P: !Ref P\n      R: !Ref AWS::Region\n"
                      "      L: !Sub '${!A} ${AWS::AccountId}'\n      I: !ImportValue A\n"
                      "      V: !Sub ['${A}', {A: x}]\n"),
           "");
    /* The variable map's own values do make edges. */
    expect("Resources:\n" R("A", "")
               R("B", "    Properties:\n      V: !Sub ['${X}', {X: !Ref A}]\n"),
           "B>A:Ref*1");
    /* Both branches of Fn::If count, as cfn-lint shows them. */
    expect("Conditions:\n  C: !Equals [a, b]\nResources:\n" R("A", "")
               R("B", "    Properties:\n      P: !If [C, !Ref A, !GetAtt A.TopicArn]\n"),
           "B>A:GetAtt*1 B>A:Ref*1");
}

static void scheduler_counters(void **state)
{
    (void)state;
    const char *y = "Resources:\n" R("A", "")
        R("B", "    DependsOn: A\n    Properties: {P: !Ref A}\n") R("C", "    DependsOn: [A, B]\n");
    cfn_template *t;
    cfn_graph *g;
    assert_int_equal(cfn_template_parse(y, strlen(y), "t.yaml", &t), 0);
    assert_int_equal(cfn_graph_build(t, NULL, NULL, &g), 0);
    size_t a = cfn_graph_find(g, "A"), b = cfn_graph_find(g, "B"), c = cfn_graph_find(g, "C");
    assert_int_equal(g->ndeps[a], 0);
    assert_int_equal(g->ndeps[b], 1); /* Ref and DependsOn on A: one dependency */
    assert_int_equal(g->ndeps[c], 2);
    assert_int_equal(g->ndependents[a], 2);
    assert_int_equal(g->ndependents[b], 1);
    assert_int_equal(g->dependents[b][0], c);
    cfn_graph_free(g);
    cfn_template_free(t);
}

static void cycles_are_named(void **state)
{
    (void)state;
    expect("Resources:\n" R("A", "    Properties: {P: !Ref C}\n") R("B", "    DependsOn: A\n")
               R("C", "    Properties: {P: !GetAtt B.TopicArn}\n") R("D", "    DependsOn: C\n"),
           "ERROR: Template format error: Circular dependency between resources: [A, C, B]");
    expect("Resources:\n" R("A", "    DependsOn: A\n"),
           "ERROR: Template format error: Circular dependency between resources: [A]");
}

static void foreach_expands(void **state)
{
    (void)state;
    expect("Transform: AWS::LanguageExtensions\nParameters:\n  L: {Type: CommaDelimitedList, "
           "Default: 'x, y'}\nResources:\n" R(
               "A",
               "") "  Fn::ForEach::Loop:\n    - N\n    - !Ref L\n    - T${N}:\n        Type: X::Y\n"
                   "        Properties: {P: !Ref N, Q: !Sub '${A}-${N}', R: !Ref A}\n",
           "Tx>A:Ref*2 Ty>A:Ref*2");
    expect("Transform: AWS::LanguageExtensions\nResources:\n"
           "  Fn::ForEach::Loop: [N, [a-b], {'T&{N}': {Type: X::Y}}]\n",
           "");
    expect("Transform: AWS::Serverless-2016-10-31\nResources:\n" R("A", ""),
           "ERROR: t.yaml:1:12: Transform AWS::Serverless-2016-10-31 is not supported by the "
           "local engine (only AWS::LanguageExtensions is)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(references_make_edges),
        cmocka_unit_test(scheduler_counters),
        cmocka_unit_test(cycles_are_named),
        cmocka_unit_test(foreach_expands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
