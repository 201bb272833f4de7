/* Validation of a whole template as CloudFormation refuses templates: shape,
 * references, conditions, every intrinsic function where it is used,
 * parameters (when values are given), the graph's cycles and the quotas.
 * Every problem is reported, each naming where it is. */
#ifndef CFNKIT_ENGINE_VALIDATE_H
#define CFNKIT_ENGINE_VALIDATE_H

#include "eval.h"
#include "strbuf.h"

/* Checks t with the evaluator e (made for t). Appends one line per problem
 * to problems and returns how many (0: valid), or a negative code when
 * memory ran out. */
int cfn_validate(const cfn_template *t, cfn_eval *e, strbuf *problems);

/* The graph filter for cfn_graph_build() that keeps the resources whose
 * Condition is true or unknown (arg: the cfn_eval). */
int cfn_validate_created(void *arg, const cfn_node *resource);

#endif
