/* The scheduler (scheduler.h): ready nodes in a FIFO, a counter of unfinished
 * dependencies per node. */
#include "scheduler.h"

#include <cfnkit/cfnkit.h>

#include <stdlib.h>
#include <string.h>

/* Marks node i finished (ok or not) and queues the dependents it unblocks. */
static void finish(const stk_sched_graph *g, size_t i, bool ok, size_t *left, size_t *ready,
                   size_t *nready, stk_sched_state *state)
{
    state[i] = ok ? STK_NODE_DONE : STK_NODE_FAILED;
    for (size_t k = 0; k < g->ndependents[i]; k++) {
        size_t d = g->dependents[i][k];
        if (!ok) {
            if (state[d] == STK_NODE_WAITING) {
                state[d] = STK_NODE_BLOCKED;
                /* Its own dependents are blocked too. */
                finish(g, d, false, left, ready, nready, state);
                state[d] = STK_NODE_BLOCKED;
            }
            continue;
        }
        if (--left[d] == 0 && state[d] == STK_NODE_WAITING)
            ready[(*nready)++] = d;
    }
}

int stk_sched_run(const stk_sched_graph *g, size_t max_running, bool stop_on_failure,
                  const stk_sched_ops *ops, stk_sched_state *state)
{
    size_t n = g->count, nready = 0, head = 0, running = 0;
    size_t *left = calloc(n ? n : 1, sizeof(*left)), *ready = calloc(n ? n : 1, sizeof(*ready));
    bool stopped = false;
    int rc = 0;
    if (!left || !ready) {
        rc = cfn_error_set(CFN_ENOMEM, "out of memory");
        goto done;
    }
    if (max_running == 0)
        max_running = 1;
    for (size_t i = 0; i < n; i++) {
        state[i] = STK_NODE_WAITING;
        left[i] = g->ndeps[i];
        if (left[i] == 0)
            ready[nready++] = i;
    }
    for (;;) {
        while (!stopped && head < nready && running < max_running) {
            size_t i = ready[head++];
            if (state[i] != STK_NODE_WAITING)
                continue;
            state[i] = STK_NODE_RUNNING;
            int s = ops->start(ops->arg, i);
            if (s > 0) {
                running++;
                continue;
            }
            finish(g, i, s == 0, left, ready, &nready, state);
            if (s < 0 && stop_on_failure)
                stopped = true;
        }
        if (running == 0)
            break;
        size_t i;
        bool ok;
        if ((rc = ops->wait(ops->arg, &i, &ok)) < 0)
            goto done;
        running--;
        finish(g, i, ok, left, ready, &nready, state);
        if (!ok && stop_on_failure)
            stopped = true;
    }
    for (size_t i = 0; i < n; i++) {
        if (state[i] == STK_NODE_WAITING)
            state[i] = stopped ? STK_NODE_CANCELLED : STK_NODE_BLOCKED;
        if (state[i] != STK_NODE_DONE)
            rc++;
    }
done:
    free(left);
    free(ready);
    return rc;
}

int stk_sched_graph_reverse(const stk_sched_graph *g, stk_sched_graph *out)
{
    size_t n = g->count;
    size_t *ndeps = calloc(n ? n : 1, sizeof(*ndeps));
    size_t *ndependents = calloc(n ? n : 1, sizeof(*ndependents));
    size_t **dependents = calloc(n ? n : 1, sizeof(*dependents));
    memset(out, 0, sizeof(*out));
    if (!ndeps || !ndependents || !dependents)
        goto oom;
    /* Reversed: i now waits for every node that waited for i. */
    for (size_t i = 0; i < n; i++) {
        ndeps[i] = g->ndependents[i];
        for (size_t k = 0; k < g->ndependents[i]; k++)
            ndependents[g->dependents[i][k]]++;
    }
    for (size_t i = 0; i < n; i++)
        if (!(dependents[i] = calloc(ndependents[i] ? ndependents[i] : 1, sizeof(size_t))))
            goto oom;
    memset(ndependents, 0, n * sizeof(*ndependents));
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < g->ndependents[i]; k++) {
            size_t d = g->dependents[i][k];
            dependents[d][ndependents[d]++] = i;
        }
    out->count = n;
    out->ndeps = ndeps;
    out->dependents = (const size_t *const *)dependents;
    out->ndependents = ndependents;
    return 0;
oom:
    for (size_t i = 0; dependents && i < n; i++)
        free(dependents[i]);
    free(dependents);
    free(ndeps);
    free(ndependents);
    return cfn_error_set(CFN_ENOMEM, "out of memory");
}

void stk_sched_graph_free(stk_sched_graph *g)
{
    for (size_t i = 0; g->dependents && i < g->count; i++)
        free((void *)g->dependents[i]);
    free((void *)g->dependents);
    free((void *)g->ndeps);
    free((void *)g->ndependents);
    memset(g, 0, sizeof(*g));
}
