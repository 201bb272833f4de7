/* The first-call cost of cfn_aws_call: inflating, parsing and indexing each
 * service's built-in API model (then kept for the process), in milliseconds,
 * with the model's size deflated and inflated.
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
    double total = 0;
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
        total += ms;
        deflated += e->model_len;
        inflated += e->raw_len;
        printf("%-24s %7.2f ms %8zu bytes deflated %9zu inflated %5zu shapes\n", e->cli, ms,
               e->model_len, e->raw_len, m->nshapes);
    }
    printf("%-24s %7.2f ms %8zu bytes deflated %9zu inflated\n", "total", total, deflated,
           inflated);
    return 0;
}
