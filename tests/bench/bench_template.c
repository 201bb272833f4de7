/* Times the template engine on each file given: read, parameters and every
 * intrinsic function evaluated (validate), graph built and checked for
 * cycles. Prints one JSON line per file: {"file", "bytes", "us", "problems"}. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cfnkit/error.h>

#include "graph.h"
#include "validate.h"

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        double start = now_us();
        cfn_template *t = NULL;
        cfn_eval *e = NULL;
        cfn_graph *g = NULL;
        strbuf problems = {0};
        int n = -1;
        size_t bytes = 0;
        if (cfn_template_load(argv[i], &t) == 0) {
            bytes = t->size;
            if (cfn_eval_new(t, NULL, NULL, NULL, 0, 0, &e) == 0)
                n = cfn_validate(t, e, &problems);
            if (cfn_graph_build(t, NULL, NULL, &g) == 0)
                cfn_graph_check_cycles(g);
        }
        double us = now_us() - start;
        printf("{\"file\": \"%s\", \"bytes\": %zu, \"us\": %.1f, \"problems\": %d}\n", argv[i],
               bytes, us, n);
        free(problems.data);
        cfn_graph_free(g);
        cfn_eval_free(e);
        cfn_template_free(t);
    }
    return 0;
}
