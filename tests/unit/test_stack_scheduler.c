/* The stack engine's scheduler (framework/src/stack/scheduler.h): order,
 * the bound on running jobs, cancel after a failure (create, update) or
 * block only the dependents (delete), and the reversed graph. Jobs are
 * simulated: each finishes when the test's wait pops it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "scheduler.h"

#define N 8

typedef struct sim {
    int outcome[N]; /* 1 async ok, 2 async failing, 0 at once ok, -1 at once failing */
    size_t queue[N], head, tail, running, max_running;
    char order[64]; /* "s0 f0 s1 ..." */
} sim;

static void note(sim *s, char what, size_t i)
{
    size_t len = strlen(s->order);
    snprintf(s->order + len, sizeof(s->order) - len, "%s%c%zu", len ? " " : "", what, i);
}

static int start(void *arg, size_t i)
{
    sim *s = arg;
    note(s, 's', i);
    if (s->outcome[i] <= 0)
        return s->outcome[i];
    s->queue[s->tail++] = i;
    if (++s->running > s->max_running)
        s->max_running = s->running;
    return 1;
}

static int wait_next(void *arg, size_t *i, bool *ok)
{
    sim *s = arg;
    assert_true(s->head < s->tail);
    *i = s->queue[s->head++];
    *ok = s->outcome[*i] == 1;
    s->running--;
    note(s, 'f', *i);
    return 0;
}

/* A graph from "i<j" pairs: node i waits for node j. */
typedef struct graph {
    size_t ndeps[N], ndependents[N], deps_of[N][N];
    const size_t *dependents[N];
    stk_sched_graph g;
} graph;

static void make(graph *g, size_t count, const char *edges)
{
    memset(g, 0, sizeof(*g));
    for (const char *p = edges; p && *p;) {
        size_t from = (size_t)(p[0] - '0'), to = (size_t)(p[2] - '0');
        g->ndeps[from]++;
        g->deps_of[to][g->ndependents[to]++] = from;
        p += p[3] ? 4 : 3;
    }
    for (size_t i = 0; i < N; i++)
        g->dependents[i] = g->deps_of[i];
    g->g = (stk_sched_graph){.count = count,
                             .ndeps = g->ndeps,
                             .dependents = g->dependents,
                             .ndependents = g->ndependents};
}

static int run(graph *g, sim *s, size_t max, bool stop, stk_sched_state *state)
{
    stk_sched_ops ops = {.start = start, .wait = wait_next, .arg = s};
    return stk_sched_run(&g->g, max, stop, &ops, state);
}

static void test_dependencies_first(void **unused)
{
    (void)unused;
    graph g;
    sim s = {.outcome = {1, 1, 1, 1}};
    stk_sched_state st[N];
    make(&g, 4, "2<0 2<1 3<2"); /* 2 waits for 0 and 1, 3 for 2 */
    assert_int_equal(run(&g, &s, 4, true, st), 0);
    assert_string_equal(s.order, "s0 s1 f0 f1 s2 f2 s3 f3");
    assert_int_equal(s.max_running, 2);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(st[i], STK_NODE_DONE);
}

static void test_bound(void **unused)
{
    (void)unused;
    graph g;
    sim s = {.outcome = {1, 1, 1, 1, 1, 1}};
    stk_sched_state st[N];
    make(&g, 6, "");
    assert_int_equal(run(&g, &s, 2, true, st), 0);
    assert_int_equal(s.max_running, 2);
    assert_string_equal(s.order, "s0 s1 f0 s2 f1 s3 f2 s4 f3 s5 f4 f5");
}

static void test_nothing_to_do_finishes_at_once(void **unused)
{
    (void)unused;
    graph g;
    sim s = {.outcome = {0, 1, 0}};
    stk_sched_state st[N];
    make(&g, 3, "1<0 2<1");
    assert_int_equal(run(&g, &s, 4, true, st), 0);
    assert_string_equal(s.order, "s0 s1 f1 s2");
}

/* Create: a failure stops new work; what runs finishes; the rest is cancelled. */
static void test_failure_cancels_unstarted(void **unused)
{
    (void)unused;
    graph g;
    sim s = {.outcome = {2, 1, 1, 1}};
    stk_sched_state st[N];
    make(&g, 4, "2<1 3<0");
    assert_int_equal(run(&g, &s, 4, true, st), 3);
    assert_string_equal(s.order, "s0 s1 f0 f1");
    assert_int_equal(st[0], STK_NODE_FAILED);
    assert_int_equal(st[1], STK_NODE_DONE);
    assert_int_equal(st[2], STK_NODE_CANCELLED); /* ready, never started */
    assert_int_equal(st[3], STK_NODE_BLOCKED);   /* waited for the failed one */
}

static void test_failure_at_start(void **unused)
{
    (void)unused;
    graph g;
    sim s = {.outcome = {-1, 1}};
    stk_sched_state st[N];
    make(&g, 2, "");
    assert_int_equal(run(&g, &s, 4, true, st), 2);
    assert_string_equal(s.order, "s0");
    assert_int_equal(st[1], STK_NODE_CANCELLED);
}

/* Delete: a failure blocks only what waits for it (transitively). */
static void test_failure_blocks_dependents_only(void **unused)
{
    (void)unused;
    graph g;
    sim s = {.outcome = {2, 1, 1, 1, 1}};
    stk_sched_state st[N];
    make(&g, 5, "1<0 2<1 4<3");
    assert_int_equal(run(&g, &s, 4, false, st), 3);
    assert_int_equal(st[0], STK_NODE_FAILED);
    assert_int_equal(st[1], STK_NODE_BLOCKED);
    assert_int_equal(st[2], STK_NODE_BLOCKED);
    assert_int_equal(st[3], STK_NODE_DONE);
    assert_int_equal(st[4], STK_NODE_DONE);
}

static void test_reverse(void **unused)
{
    (void)unused;
    graph g;
    sim s = {.outcome = {1, 1, 1}};
    stk_sched_state st[N];
    stk_sched_graph r;
    make(&g, 3, "1<0 2<1");
    assert_int_equal(stk_sched_graph_reverse(&g.g, &r), 0);
    stk_sched_ops ops = {.start = start, .wait = wait_next, .arg = &s};
    assert_int_equal(stk_sched_run(&r, 4, false, &ops, st), 0);
    assert_string_equal(s.order, "s2 f2 s1 f1 s0 f0");
    stk_sched_graph_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dependencies_first),
        cmocka_unit_test(test_bound),
        cmocka_unit_test(test_nothing_to_do_finishes_at_once),
        cmocka_unit_test(test_failure_cancels_unstarted),
        cmocka_unit_test(test_failure_at_start),
        cmocka_unit_test(test_failure_blocks_dependents_only),
        cmocka_unit_test(test_reverse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
