/* The resource dependency graph as CloudFormation builds it: an edge for
 * every Ref, Fn::GetAtt, ${X} / ${X.Attr} in an Fn::Sub string (not for keys
 * of that Sub's variable map, never ${!Literal}) and DependsOn, anywhere in a
 * resource; none for parameters, mappings, conditions, Fn::ImportValue or
 * Outputs (UserGuide/aws-attribute-dependson.html,
 * intrinsic-function-reference-ref.html, -getatt.html, -sub.html).
 *
 * For the scheduler (a counter per node, as samurai's build.c): ndeps[i] is
 * the number of distinct resources node i waits for, dependents[i] the nodes
 * that wait for node i. */
#ifndef CFNKIT_ENGINE_GRAPH_H
#define CFNKIT_ENGINE_GRAPH_H

#include "template.h"

typedef enum cfn_edge_kind { CFN_EDGE_DEPENDSON, CFN_EDGE_GETATT, CFN_EDGE_REF } cfn_edge_kind;

typedef struct cfn_edge {
    size_t from, to;    /* node indexes: `from` depends on `to` */
    cfn_edge_kind kind; /* as the reference is written */
    unsigned count;     /* occurrences */
} cfn_edge;

typedef struct cfn_graph {
    size_t count;               /* nodes */
    const char **ids;           /* logical ids, sorted; borrowed from the template */
    const cfn_node **resources; /* the resource of each node, borrowed */
    cfn_edge *edges;            /* sorted by from, to, kind name */
    size_t nedges;
    size_t *ndeps;       /* distinct dependencies of each node */
    size_t **dependents; /* per node: the nodes depending on it, distinct */
    size_t *ndependents;
} cfn_graph;

/* Decides whether a resource is in the graph (its Condition holds); NULL
 * means every resource, as cfn-lint shows them. */
typedef int (*cfn_graph_filter)(void *arg, const cfn_node *resource);

/* Builds the graph of t's resources. References to what is not a resource
 * (parameters, pseudo parameters, undeclared names) make no edge here:
 * validate.h reports the undeclared ones. *out is freed with
 * cfn_graph_free(); it borrows from t. */
int cfn_graph_build(const cfn_template *t, cfn_graph_filter filter, void *arg, cfn_graph **out);
void cfn_graph_free(cfn_graph *g);

/* CFN_EINVAL when the graph has a cycle, with CloudFormation's message
 * naming its resources in order: "Circular dependency between resources:
 * [A, B, C]". */
int cfn_graph_check_cycles(const cfn_graph *g);

/* Index of a logical id in g, or (size_t)-1. */
size_t cfn_graph_find(const cfn_graph *g, const char *id);

const char *cfn_edge_kind_name(cfn_edge_kind kind);

#endif
