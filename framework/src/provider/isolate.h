/* Running a module callback in a child process of its own. */
#ifndef CFNKIT_PROVIDER_ISOLATE_H
#define CFNKIT_PROVIDER_ISOLATE_H

#include <cfnkit/resource.h>

/* Runs `cb` in a child process, bounded by ctx->deadline, and copies what it
 * reported into ctx. Returns the callback's result, or -1 with the reason set
 * when it crashed, hung or exited without reporting. */
int cfn__isolate_run(cfn_ctx *ctx, cfn_callback cb);

#endif
