/* Runs a module callback in a child process, so that a crash, a hang or an
 * exit() inside a module still ends in exactly one response; as a job with
 * one fd to poll, so that a loop can watch many at once. */
#include "isolate.h"

#include "clock.h"
#include "ctx.h"
#include "http.h"
#include "strbuf.h"

#include <cfnkit/error.h>
#include <cfnkit/response.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RESULT_BYTES (8u * 1024 * 1024)

static void write_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static void child(cfn_ctx *ctx, cfn_callback cb, int fd)
{
    /* The host program's handlers (a test framework's, a sanitizer's) must not
     * turn a crash into something else: a crash here is reported as a signal. */
    static const int defaults[] = {SIGSEGV, SIGBUS,  SIGFPE, SIGILL, SIGABRT,
                                   SIGTRAP, SIGTERM, SIGINT, SIGPIPE};
    setpgid(0, 0);
    for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
        signal(defaults[i], SIG_DFL);
    cfn__http_after_fork();
    /* A failure the callback returns without a reason is explained by the
     * last cfnkit call that failed inside it (an AWS error, typically), never
     * by one left over from before the callback ran. */
    cfn_error_set(CFN_OK, "%s", "");
    int rc = cb(ctx);
    if (rc < 0 && !ctx->reason && *cfn_error_last())
        cfn__ctx_set_reason(ctx, cfn_error_last());
    fflush(stdout);
    fflush(stderr);
    cJSON *o = cJSON_CreateObject();
    if (!o)
        _exit(3);
    cJSON_AddNumberToObject(o, "rc", rc);
    if (ctx->reason)
        cJSON_AddStringToObject(o, "reason", ctx->reason);
    if (ctx->physical_id)
        cJSON_AddStringToObject(o, "physicalId", ctx->physical_id);
    if (ctx->data)
        cJSON_AddItemReferenceToObject(o, "data", ctx->data);
    cJSON_AddBoolToObject(o, "noecho", ctx->noecho);
    char *s = cJSON_PrintUnformatted(o);
    if (!s)
        _exit(3);
    write_all(fd, s, strlen(s));
    _exit(0);
}

/* Without pidfd (old kernels) the fd does not tell the child's exit: look
 * at the child every few ms instead. */
#define EXIT_CHECK_MS 5

typedef enum { JOB_RUNNING, JOB_EXITED, JOB_TIMED_OUT, JOB_LOST } job_state;

struct cfn__job {
    cfn_ctx *ctx;
    pid_t pid;
    int fd;    /* the report pipe's read end; -1 once at EOF */
    int pidfd; /* readable when the child exits; -1 without pidfd */
    int ep;    /* epoll over fd and pidfd: the one fd a loop polls */
    int64_t start;
    strbuf report;
    int status; /* waitpid status, once JOB_EXITED */
    job_state state;
    int lost_errno;
};

/* Reads once from the pipe: 0 when something was read, 1 at EOF, 2 when
 * nothing is there yet, -1 on error. */
static int read_some(int fd, strbuf *out)
{
    char buf[65536];
    ssize_t r = read(fd, buf, sizeof(buf));
    if (r < 0)
        return errno == EINTR || errno == EAGAIN ? 2 : -1;
    if (r == 0)
        return 1;
    if (out->len + (size_t)r <= MAX_RESULT_BYTES && cfn__sb_append(out, buf, (size_t)r) < 0)
        return -1;
    return 0;
}

/* Reads all the pipe holds now. Returns -1 on error. */
static int drain(cfn__job *job)
{
    while (job->fd >= 0) {
        int r = read_some(job->fd, &job->report);
        if (r < 0)
            return -1;
        if (r == 2)
            break;
        if (r == 1) {
            /* At EOF the pipe stays readable: stop watching it. */
            epoll_ctl(job->ep, EPOLL_CTL_DEL, job->fd, NULL);
            close(job->fd);
            job->fd = -1;
        }
    }
    return 0;
}

static int watch(int ep, int fd)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

int cfn__job_start(cfn_ctx *ctx, cfn_callback cb, cfn__job **out)
{
    int fds[2] = {-1, -1};
    int rc = -1;
    cfn__job *job = calloc(1, sizeof(*job));

    *out = NULL;
    if (!job)
        return cfn_fail(ctx, "cannot start the handler: out of memory");
    job->ctx = ctx;
    job->start = cfn__clock_mono_ms();
    job->fd = job->pidfd = -1;
    job->ep = epoll_create1(EPOLL_CLOEXEC);
    if (job->ep < 0 || pipe2(fds, O_CLOEXEC) < 0) {
        cfn_fail(ctx, "cannot start the handler: %s", strerror(errno));
        goto done;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        cfn_fail(ctx, "cannot start the handler: fork: %s", strerror(errno));
        goto done;
    }
    if (pid == 0) {
        close(fds[0]);
        child(ctx, cb, fds[1]);
    }
    /* Both sides set the group, whichever runs first. */
    setpgid(pid, pid);
    job->pid = pid;
    job->fd = fds[0];
    fds[0] = -1;
    fcntl(job->fd, F_SETFL, fcntl(job->fd, F_GETFL) | O_NONBLOCK);
    job->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (watch(job->ep, job->fd) < 0 || (job->pidfd >= 0 && watch(job->ep, job->pidfd) < 0)) {
        job->state = JOB_LOST;
        job->lost_errno = errno;
    }
    *out = job;
    job = NULL;
    rc = 0;
done:
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    if (job && job->ep >= 0)
        close(job->ep);
    free(job);
    return rc;
}

int cfn__job_fd(const cfn__job *job)
{
    return job->ep;
}

int cfn__job_wait_ms(const cfn__job *job)
{
    if (job->state != JOB_RUNNING)
        return 0;
    int64_t left = job->ctx->deadline - cfn__clock_mono_ms();
    if (left <= 0)
        return 0;
    int64_t cap = job->pidfd >= 0 ? 60000 : EXIT_CHECK_MS;
    return (int)(left < cap ? left : cap);
}

bool cfn__job_step(cfn__job *job)
{
    if (job->state != JOB_RUNNING)
        return true;
    if (drain(job) < 0) {
        job->state = JOB_LOST;
        job->lost_errno = errno;
        return true;
    }
    /* The end is the child's exit, not EOF: a process the handler left
     * behind may hold the pipe open. */
    pid_t w = waitpid(job->pid, &job->status, WNOHANG);
    if (w == job->pid) {
        /* It wrote everything before exiting: take what is left. */
        if (drain(job) < 0) {
            job->state = JOB_LOST;
            job->lost_errno = errno;
        } else {
            job->state = JOB_EXITED;
        }
        return true;
    }
    if (w < 0 && errno != EINTR) {
        job->state = JOB_LOST;
        job->lost_errno = errno;
        return true;
    }
    if (job->ctx->deadline - cfn__clock_mono_ms() <= 0) {
        job->state = JOB_TIMED_OUT;
        return true;
    }
    return false;
}

static int apply_report(cfn_ctx *ctx, const strbuf *report)
{
    cJSON *o = report->data ? cJSON_ParseWithLength(report->data, report->len) : NULL;
    const cJSON *rc = cJSON_GetObjectItemCaseSensitive(o, "rc");
    if (!cJSON_IsNumber(rc)) {
        cJSON_Delete(o);
        return cfn_fail(ctx, "handler for %s ended without reporting a result",
                        ctx->req->resource_type);
    }
    const cJSON *reason = cJSON_GetObjectItemCaseSensitive(o, "reason");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "physicalId");
    cJSON *data = cJSON_DetachItemFromObjectCaseSensitive(o, "data");
    cfn__ctx_clear(ctx);
    ctx->reason = cJSON_IsString(reason) ? cfn__strdup(reason->valuestring) : NULL;
    ctx->physical_id = cJSON_IsString(id) ? cfn__strdup(id->valuestring) : NULL;
    ctx->data = cJSON_IsObject(data) ? data : (cJSON_Delete(data), NULL);
    ctx->noecho = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "noecho"));
    int result = rc->valueint;
    cJSON_Delete(o);
    return result;
}

int cfn__job_finish(cfn__job *job)
{
    cfn_ctx *ctx = job->ctx;
    const char *type = ctx->req->resource_type;
    int rc;

    if (job->state == JOB_RUNNING)
        job->state = JOB_TIMED_OUT;
    /* Whatever the handler left behind (its own children included) goes too. */
    kill(-job->pid, SIGKILL);
    if (job->state != JOB_EXITED) {
        kill(job->pid, SIGKILL);
        waitpid(job->pid, &job->status, 0);
    }
    double secs = (double)(ctx->deadline - job->start) / 1000.0;
    if (job->state == JOB_TIMED_OUT)
        rc = cfn_fail(ctx,
                      "handler for %s timed out after %.1f s (the rest of the time limit is "
                      "kept for sending this response)",
                      type, secs);
    else if (job->state == JOB_LOST)
        rc = cfn_fail(ctx, "lost contact with the handler for %s: %s", type,
                      strerror(job->lost_errno));
    else if (WIFSIGNALED(job->status))
        rc = cfn_fail(ctx, "handler for %s crashed: signal %d (SIG%s)", type, WTERMSIG(job->status),
                      sigabbrev_np(WTERMSIG(job->status)) ? sigabbrev_np(WTERMSIG(job->status))
                                                          : "?");
    else if (WIFEXITED(job->status) && WEXITSTATUS(job->status) != 0)
        rc = cfn_fail(ctx, "handler for %s exited with status %d before reporting a result", type,
                      WEXITSTATUS(job->status));
    else
        rc = apply_report(ctx, &job->report);
    if (job->fd >= 0)
        close(job->fd);
    if (job->pidfd >= 0)
        close(job->pidfd);
    close(job->ep);
    free(job->report.data);
    free(job);
    return rc;
}

void cfn__job_wait(cfn__job *job)
{
    while (!cfn__job_step(job)) {
        struct pollfd p = {.fd = cfn__job_fd(job), .events = POLLIN};
        if (poll(&p, 1, cfn__job_wait_ms(job)) < 0 && errno != EINTR) {
            job->state = JOB_LOST;
            job->lost_errno = errno;
            return;
        }
    }
}

int cfn__isolate_run(cfn_ctx *ctx, cfn_callback cb)
{
    cfn__job *job;
    if (cfn__job_start(ctx, cb, &job) < 0)
        return -1;
    cfn__job_wait(job);
    return cfn__job_finish(job);
}
