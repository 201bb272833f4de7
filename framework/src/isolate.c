/* Runs a module callback in a child process, so that a crash, a hang or an
 * exit() inside a module still ends in exactly one response. */
#include "http.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    setpgid(0, 0);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    http_after_fork();
    int rc = cb(ctx);
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

/* Reads the child's report until EOF or the deadline; 1 on timeout. */
static int read_report(int fd, int64_t deadline, strbuf *out)
{
    char buf[65536];
    for (;;) {
        int64_t left = deadline - clock_mono_ms();
        if (left <= 0)
            return 1;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int n = poll(&p, 1, left > 60000 ? 60000 : (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            continue;
        ssize_t r = read(fd, buf, sizeof(buf));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r < 0 ? -1 : 0;
        if (out->len + (size_t)r <= MAX_RESULT_BYTES && sb_append(out, buf, (size_t)r) < 0)
            return -1;
    }
}

/* Waits for the child to exit, until the deadline; 1 on timeout. */
static int reap(pid_t pid, int64_t deadline, int *status)
{
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
        if (clock_mono_ms() >= deadline)
            return 1;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
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
    ctx_clear(ctx);
    ctx->reason = cJSON_IsString(reason) ? xstrdup(reason->valuestring) : NULL;
    ctx->physical_id = cJSON_IsString(id) ? xstrdup(id->valuestring) : NULL;
    ctx->data = cJSON_IsObject(data) ? data : (cJSON_Delete(data), NULL);
    ctx->noecho = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "noecho"));
    int result = rc->valueint;
    cJSON_Delete(o);
    return result;
}

int isolate_run(cfn_ctx *ctx, cfn_callback cb)
{
    int fds[2];
    int status = 0;
    strbuf report = {0};
    int64_t start = clock_mono_ms();
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

    int timed_out = read_report(fds[0], ctx->deadline, &report);
    close(fds[0]);
    if (timed_out == 0)
        timed_out = reap(pid, ctx->deadline, &status);
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
