/* Runs a module callback in a child process, so that a crash, a hang or an
 * exit() inside a module still ends in exactly one response. */
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

/* Reads the child's report while waiting for it to exit. The end is the
 * child's exit, not EOF: a process the handler left behind may hold the pipe
 * open. Returns 0 with *status set, 1 on timeout, -1 on error. */
static int wait_child(pid_t pid, int fd, int64_t deadline, strbuf *out, int *status)
{
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    int rc = -1;
    bool eof = false;
    for (;;) {
        pid_t w = waitpid(pid, status, WNOHANG);
        if (w == pid) {
            /* It wrote everything before exiting: take what is left. */
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
            while (!eof && read_some(fd, out) == 0)
                ;
            rc = 0;
            break;
        }
        if (w < 0 && errno != EINTR)
            break;
        int64_t left = deadline - cfn__clock_mono_ms();
        if (left <= 0) {
            rc = 1;
            break;
        }
        /* Without pidfd (old kernels), look at the child every few ms. */
        int wait = pidfd >= 0 ? (left > 60000 ? 60000 : (int)left) : (left > 5 ? 5 : (int)left);
        struct pollfd p[2] = {{.fd = eof ? -1 : fd, .events = POLLIN},
                              {.fd = pidfd, .events = POLLIN}};
        int n = poll(p, 2, wait);
        if (n < 0 && errno != EINTR)
            break;
        if (n > 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            int r = read_some(fd, out);
            if (r < 0)
                break;
            eof = r == 1;
        }
    }
    if (pidfd >= 0)
        close(pidfd);
    return rc;
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

int cfn__isolate_run(cfn_ctx *ctx, cfn_callback cb)
{
    int fds[2];
    int status = 0;
    strbuf report = {0};
    int64_t start = cfn__clock_mono_ms();
    int rc;

    if (pipe2(fds, O_CLOEXEC) < 0)
        return cfn_fail(ctx, "cannot start the handler: pipe: %s", strerror(errno));
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        return cfn_fail(ctx, "cannot start the handler: fork: %s", strerror(e));
    }
    if (pid == 0) {
        close(fds[0]);
        child(ctx, cb, fds[1]);
    }
    /* Both sides set the group, whichever runs first. */
    setpgid(pid, pid);
    close(fds[1]);

    int timed_out = wait_child(pid, fds[0], ctx->deadline, &report, &status);
    close(fds[0]);
    /* Whatever the handler left behind (its own children included) goes too. */
    kill(-pid, SIGKILL);
    if (timed_out != 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    double secs = (double)(ctx->deadline - start) / 1000.0;
    if (timed_out == 1)
        rc = cfn_fail(ctx,
                      "handler for %s timed out after %.1f s (the rest of the time limit is "
                      "kept for sending this response)",
                      ctx->req->resource_type, secs);
    else if (timed_out < 0)
        rc = cfn_fail(ctx, "lost contact with the handler for %s: %s", ctx->req->resource_type,
                      strerror(errno));
    else if (WIFSIGNALED(status))
        rc = cfn_fail(ctx, "handler for %s crashed: signal %d (SIG%s)", ctx->req->resource_type,
                      WTERMSIG(status),
                      sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
    else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        rc = cfn_fail(ctx, "handler for %s exited with status %d before reporting a result",
                      ctx->req->resource_type, WEXITSTATUS(status));
    else
        rc = apply_report(ctx, &report);
    free(report.data);
    return rc;
}
