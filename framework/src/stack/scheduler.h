/* The scheduler: a counter per node (as samurai's build.c). A node starts
 * when every node it waits for has finished well; at most `max_running` run
 * at once; one single-threaded loop starts jobs and collects the next one to
 * finish. The same loop runs creates and updates in dependency order and
 * deletes in reverse order (given the reversed graph). Knows nothing of
 * resources: the lifecycle (stack.c) gives the callbacks. */
#ifndef CFNKIT_STACK_SCHEDULER_H
#define CFNKIT_STACK_SCHEDULER_H

#include <stdbool.h>
#include <stddef.h>

/* What happened to a node. */
typedef enum stk_sched_state {
    STK_NODE_WAITING,   /* not started (yet) */
    STK_NODE_RUNNING,   /* started, not finished */
    STK_NODE_DONE,      /* finished well */
    STK_NODE_FAILED,    /* finished badly */
    STK_NODE_CANCELLED, /* never started: work stopped after a failure */
    STK_NODE_BLOCKED    /* never started: something it waits for failed */
} stk_sched_state;

typedef struct stk_sched_ops {
    /* Starts node i: 1 when it runs asynchronously (wait will report it), 0
     * when it finished well at once (nothing to do), negative when it failed
     * at once. */
    int (*start)(void *arg, size_t i);
    /* Waits for the next asynchronous node to finish: 0 with *i and *ok set,
     * negative on an internal error (the run stops). */
    int (*wait)(void *arg, size_t *i, bool *ok);
    void *arg;
} stk_sched_ops;

typedef struct stk_sched_graph {
    size_t count;
    const size_t *ndeps;             /* per node: how many nodes it waits for */
    const size_t *const *dependents; /* per node: the nodes waiting for it */
    const size_t *ndependents;
} stk_sched_graph;

/* Runs every node of g. With stop_on_failure, the first failure stops new
 * work everywhere (creates and updates, as CloudFormation then rolls back):
 * the nodes not started are CANCELLED and the running ones finish. Without
 * it (deletes), a failure blocks only the nodes that wait for it (BLOCKED).
 * state (count entries) receives each node's outcome. Returns the number of
 * nodes that did not finish well (0: all done), or negative when wait
 * failed (cfn_error_last() says why). */
int stk_sched_run(const stk_sched_graph *g, size_t max_running, bool stop_on_failure,
                  const stk_sched_ops *ops, stk_sched_state *state);

/* The reverse of g (dependents become dependencies), for deletes. The
 * arrays are allocated in *out, freed with stk_sched_graph_free(). */
int stk_sched_graph_reverse(const stk_sched_graph *g, stk_sched_graph *out);
void stk_sched_graph_free(stk_sched_graph *g);

#endif
