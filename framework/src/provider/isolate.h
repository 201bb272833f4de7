/* Running a module callback in a child process of its own, as a job that a
 * poll loop can watch beside others (samurai's jobstart/jobdone). */
#ifndef CFNKIT_PROVIDER_ISOLATE_H
#define CFNKIT_PROVIDER_ISOLATE_H

#include <stdbool.h>
#include <stdint.h>
#include <cfnkit/resource.h>

/* A callback running in a child process. Owned by the caller of
 * cfn__job_start until cfn__job_finish frees it. */
typedef struct cfn__job cfn__job;

/* Starts `cb` for `ctx` in a child process, bounded by ctx->deadline. The
 * context is borrowed until cfn__job_finish and must not be used meanwhile.
 * Returns 0 with *out set, or -1 with the reason set in ctx (no job). */
int cfn__job_start(cfn_ctx *ctx, cfn_callback cb, cfn__job **out);

/* The fd to poll for POLLIN: it is readable when the job has something to
 * read or has ended. Borrowed from the job. */
int cfn__job_fd(const cfn__job *job);

/* How long (ms, at least 0) a poll may wait on the fd before cfn__job_step
 * must be called anyway: the time to the deadline, or a short interval on
 * kernels without pidfd, where the fd does not signal the child's exit. */
int cfn__job_wait_ms(const cfn__job *job);

/* Reads what the job wrote and looks whether it ended. Returns true when it
 * is done (exited, timed out, or the supervision failed): then call
 * cfn__job_finish. Never blocks. */
bool cfn__job_step(cfn__job *job);

/* Ends the job: kills whatever the callback left behind (the child on a
 * timeout), copies what it reported into its ctx and frees the job. Returns
 * the callback's result, or -1 with the reason set when it crashed, hung or
 * exited without reporting. A job not yet done is stopped as timed out. */
int cfn__job_finish(cfn__job *job);

/* Stops every job: each running one ends at its next step as stopped (its
 * handler and whatever it left killed, the answer FAILED saying so), and
 * cfn__jobs_stopping turns true for good. Async-signal-safe: a SIGTERM
 * handler calls it. */
void cfn__jobs_stop(void);
bool cfn__jobs_stopping(void);

/* With `on`, a process that starts one job at a time (the Lambda runtime
 * loop) keeps one supervisor across jobs: started at the second job (the
 * first has a supervisor of its own, and warms the provider up), it forks
 * each job's worker (one fork per job instead of two), relays its report and
 * kills what it left, as a job's own supervisor does. A job started while
 * the kept one is busy, or whose request is too large to hand over, gets a
 * supervisor of its own. The worker is forked from the kept supervisor, not
 * from the caller: it sees the process as it was at the second job (the
 * registered types, the environment), the request and the trace id (the
 * only state the runtime loop changes per invocation) being handed over.
 * Off, the kept supervisor (if any) is ended and waited for. */
void cfn__jobs_keep_supervisor(bool on);

/* Polls and steps the job until it is done. */
void cfn__job_wait(cfn__job *job);

/* Runs `cb` to the end: start, wait, finish. Returns what
 * cfn__job_finish returns. */
int cfn__isolate_run(cfn_ctx *ctx, cfn_callback cb);

#endif
