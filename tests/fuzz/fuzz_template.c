/* Fuzzes the template engine: reading (JSON and YAML), then the whole
 * validation (parameters, conditions, every intrinsic function, the graph). */
#include <stdint.h>
#include <stdlib.h>

#include <cfnkit/error.h>

#include "graph.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cfn_template *t = NULL;
    cfn_eval *e = NULL;
    cfn_graph *g = NULL;
    strbuf problems = {0};
    if (cfn_template_parse((const char *)data, size, "fuzz", &t) == 0) {
        if (!t->root || t->root->kind != CFN_NODE_MAP || !t->resources)
            abort();
        if (cfn_graph_build(t, NULL, NULL, &g) == 0)
            cfn_graph_check_cycles(g);
        if (cfn_eval_new(t, NULL, NULL, NULL, 0, 0, &e) == 0)
            cfn_validate(t, e, &problems);
    }
    free(problems.data);
    cfn_graph_free(g);
    cfn_eval_free(e);
    cfn_template_free(t);
    return 0;
}
