/* The first-call cost of cfn_aws_call: inflating and indexing each service's
 * built-in API model (then kept for the process; shapes are parsed when a
 * call needs them), in milliseconds, with the model's size deflated and
 * inflated; then the cost of parsing every shape, as if calls needed them
 * all.
 * Usage: bench_aws_model [SERVICE...]   (default: every service) */
#include "model.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    double total = 0, all_total = 0;
    size_t deflated = 0, inflated = 0;
    for (const aws_model_entry *e = cfn__aws_models; e->cli; e++) {
        bool wanted = argc < 2;
        for (int i = 1; i < argc; i++)
            wanted |= strcmp(argv[i], e->cli) == 0;
        if (!wanted)
            continue;
        const aws_model *m;
        double t0 = now_ms();
        if (cfn__aws_model(e, &m) < 0) {
            fprintf(stderr, "%s: %s\n", e->cli, cfn_error_last());
            return 1;
        }
        double ms = now_ms() - t0;
        t0 = now_ms();
        for (size_t i = 0; i < m->nshapes; i++) {
            char name[256];
            snprintf(name, sizeof(name), "%.*s", (int)m->shapes[i].name_len, m->shapes[i].name);
            if (!cfn__aws_shape(m, name)) {
                fprintf(stderr, "%s: shape %s unreadable\n", e->cli, name);
                return 1;
            }
        }
        double all = now_ms() - t0;
        total += ms;
        all_total += all;
        deflated += e->model_len;
        inflated += e->raw_len;
        printf("%-24s %7.2f ms %8zu bytes deflated %9zu inflated %5zu shapes, all parsed in "
               "%7.2f ms\n",
               e->cli, ms, e->model_len, e->raw_len, m->nshapes, all);
    }
    printf("%-24s %7.2f ms %8zu bytes deflated %9zu inflated, all parsed in %7.2f ms\n", "total",
           total, deflated, inflated, all_total);
    return 0;
}
