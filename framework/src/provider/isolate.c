/* Runs a module callback in a worker under a supervisor process, so that a
 * crash, a hang or an exit() inside a module still ends in exactly one
 * response and nothing it started outlives the request; as a job with one fd
 * to poll, so that a loop can watch many at once. */
#include "isolate.h"

#include "sanitizer.h"

#include "clock.h"
#include "ctx.h"
#include "http.h"
#include "strbuf.h"

#include <cfnkit/error.h>
#include <cfnkit/response.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RESULT_BYTES (8u * 1024 * 1024)

/* Rounds of killing a handler's descendants, each killing every process that
 * has become the supervisor's child, and the time the provider gives the
 * supervisor to do it when stopping it. */
#define KILL_ROUNDS  1000
#define STOP_WAIT_MS 300

/* Lambda's memory sizes (MB), and the least headroom kept below one. */
#define LAMBDA_MIN_MB   128
#define LAMBDA_MAX_MB   10240
#define MIN_HEADROOM_MB 32

/* The kept supervisor (cfn__jobs_keep_supervisor): one process across jobs,
 * talking with the provider over a SOCK_SEQPACKET pair. The provider sends
 * JOB (the callback, the deadline, the trace id and the request's JSON) and
 * KILL; the supervisor sends REPORT chunks of what the worker wrote and DONE
 * with the worker's wait status once it has killed what the worker left. */
#define KEPT_MSG_MAX (64 * 1024)

enum { MSG_JOB = 'J', MSG_KILL = 'K', MSG_REPORT = 'R', MSG_DONE = 'D' };

typedef struct job_msg {
    char kind;
    cfn_callback cb;
    int64_t deadline;
    uint32_t trace_len; /* then the trace id, then the request's JSON */
} job_msg;

static bool keep_supervisor;

static struct kept {
    pid_t pid; /* 0 when there is none */
    int ctl;   /* the provider's end */
    int pidfd;
    bool busy;
} kept = {0, -1, -1, false};

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

/* Makes the worker the OOM killer's first choice, and bounds its memory by
 * the function's (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, MB) less a headroom for
 * the provider and the supervisor, so that a greedy handler fails alone.
 * Under AddressSanitizer no bound is set: its allocator's reservations count
 * against RLIMIT_DATA, and no allocation would succeed. */
static void bound_memory(void)
{
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        write_all(fd, "1000", 4);
        close(fd);
    }
#ifdef CFN_ADDRESS_SANITIZER
    return;
#endif
    const char *env = getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE");
    char *end = NULL;
    long mb = env ? strtol(env, &end, 10) : 0;
    if (!env || *end || mb < LAMBDA_MIN_MB || mb > LAMBDA_MAX_MB)
        return;
    long headroom = mb / 8 > MIN_HEADROOM_MB ? mb / 8 : MIN_HEADROOM_MB;
    rlim_t bytes = (rlim_t)(mb - headroom) << 20;
    struct rlimit lim = {bytes, bytes};
    setrlimit(RLIMIT_DATA, &lim);
}

/* The worker: runs the callback and writes its report. */
static void child(cfn_ctx *ctx, cfn_callback cb, int fd)
{
    /* The host program's handlers (a test framework's, a sanitizer's) must not
     * turn a crash into something else: a crash here is reported as a signal. */
    static const int defaults[] = {SIGSEGV, SIGBUS,  SIGFPE, SIGILL, SIGABRT,
                                   SIGTRAP, SIGTERM, SIGINT, SIGPIPE};
    for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
        signal(defaults[i], SIG_DFL);
    cfn__http_after_fork();
    bound_memory();
    /* A failure the callback returns without a reason is explained by the
     * last cfnkit call that failed inside it (an AWS error, typically), never
     * by one left over from before the callback ran. */
    cfn_error_set(CFN_OK, "%s", "");
    int rc = cb(ctx);
    if (rc < 0 && !ctx->reason && *cfn_error_last())
        cfn__ctx_set_reason(ctx, cfn_error_last());
    fflush(stdout);
    fflush(stderr);
    /* A member dropped for want of memory (the reason, the id) would change
     * the answer: then no report at all, which the provider explains. */
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddNumberToObject(o, "rc", rc) ||
        (ctx->reason && !cJSON_AddStringToObject(o, "reason", ctx->reason)) ||
        (ctx->physical_id && !cJSON_AddStringToObject(o, "physicalId", ctx->physical_id)) ||
        (ctx->data && !cJSON_AddItemReferenceToObject(o, "data", ctx->data)) ||
        !cJSON_AddBoolToObject(o, "noecho", ctx->noecho))
        _exit(3);
    char *s = cJSON_PrintUnformatted(o);
    if (!s)
        _exit(3);
    write_all(fd, s, strlen(s));
    _exit(0);
}

/* Sends SIGKILL to every child of this process: every process whose parent
 * it is in /proc/<pid>/stat, which every kernel has (unlike the children
 * list, a build option). */
static void kill_children(void)
{
    pid_t self = getpid();
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        char path[64], stat[512];
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%.20s/stat", e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t len = read(fd, stat, sizeof(stat) - 1);
        close(fd);
        if (len <= 0)
            continue;
        stat[len] = '\0';
        /* "pid (comm) state ppid ...": comm may hold anything, even ")". */
        const char *end = strrchr(stat, ')');
        int ppid = 0;
        if (end && sscanf(end + 1, " %*c %d", &ppid) == 1 && ppid == self)
            kill((pid_t)atoi(e->d_name), SIGKILL);
    }
    if (d)
        closedir(d);
}

/* Kills every descendant: this process is their subreaper, so the children
 * of a killed child become its own, and the next round kills them. The usual
 * case, nothing left, costs one waitpid. */
static void kill_descendants(void)
{
    for (int round = 0; round < KILL_ROUNDS; round++) {
        pid_t w;
        while ((w = waitpid(-1, NULL, WNOHANG)) > 0)
            ;
        if (w < 0)
            return; /* no children left */
        kill_children();
        usleep(1000);
    }
}

/* Moves what the worker wrote on `sock` to the provider's pipe `out`, only
 * the bytes the kernel says the worker itself sent: a process the handler
 * started inherits the socket, but cannot forge or spoil the report through
 * it. Returns 0 at EOF, -1 when nothing more is there for now. */
static int relay(int sock, int out, pid_t worker)
{
    char buf[65536];
    union {
        struct cmsghdr h;
        char space[CMSG_SPACE(sizeof(struct ucred))];
    } c;
    for (;;) {
        struct iovec iov = {buf, sizeof(buf)};
        struct msghdr m = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &c, .msg_controllen = sizeof(c)};
        ssize_t n = recvmsg(sock, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n == 0 ? 0 : -1;
        struct cmsghdr *h = CMSG_FIRSTHDR(&m);
        struct ucred cred = {0};
        if (h && h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_CREDENTIALS)
            memcpy(&cred, CMSG_DATA(h), sizeof(cred));
        if (cred.pid == worker)
            write_all(out, buf, (size_t)n);
    }
}

/* The supervisor, the job's child process. It never runs module code, so a
 * module cannot crash it: the callback runs in a worker of its own, whose
 * report it relays. When the worker ends, or when the supervisor is told to
 * stop (SIGTERM from the provider, or the provider's death), it kills every
 * process the worker left behind, those that left its process group or
 * session included, and exits as the worker did. */
static void supervise(cfn_ctx *ctx, cfn_callback cb, int fd, pid_t provider,
                      const sigset_t *unblocked)
{
    sigset_t set;
    int sock[2];
    int on = 1;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGCHLD);
    setpgid(0, 0);
    signal(SIGPIPE, SIG_IGN);
    if (kept.ctl >= 0)
        close(kept.ctl); /* the kept supervisor's: not for this job's handler */
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != provider)
        _exit(1);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock) < 0 ||
        setsockopt(sock[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) < 0)
        _exit(4);
    pid_t self = getpid();
    pid_t worker = fork();
    if (worker < 0)
        _exit(4);
    if (worker == 0) {
        close(fd);
        close(sock[0]);
        close(sfd);
        sigprocmask(SIG_SETMASK, unblocked, NULL);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != self)
            _exit(1);
        child(ctx, cb, sock[1]);
    }
    close(sock[1]);
    int status = 0;
    bool reading = true;
    for (;;) {
        struct pollfd p[2] = {{.fd = sfd, .events = POLLIN},
                              {.fd = reading ? sock[0] : -1, .events = POLLIN}};
        if (poll(p, 2, -1) < 0 && errno != EINTR) {
            kill(worker, SIGKILL);
            waitpid(worker, &status, 0);
            break;
        }
        if (reading && p[1].revents && relay(sock[0], fd, worker) == 0)
            reading = false;
        struct signalfd_siginfo si;
        bool term = false, done = false;
        while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
            term |= si.ssi_signo == SIGTERM;
        if (term) {
            kill(worker, SIGKILL);
            waitpid(worker, &status, 0);
            break;
        }
        pid_t w;
        int st;
        while ((w = waitpid(-1, &st, WNOHANG)) > 0)
            if (w == worker) {
                status = st;
                done = true;
            }
        if (done) {
            /* It wrote everything before exiting: relay what is left. */
            if (reading)
                relay(sock[0], fd, worker);
            break;
        }
    }
    close(fd);
    kill_descendants();
    if (WIFSIGNALED(status)) {
        /* Dies of the worker's signal, so the provider reads the same. */
        struct rlimit none = {0, 0};
        setrlimit(RLIMIT_CORE, &none);
        int sig = WTERMSIG(status);
        signal(sig, SIG_DFL);
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, sig);
        sigprocmask(SIG_UNBLOCK, &one, NULL);
        raise(sig);
        _exit(128 + sig);
    }
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 4);
}

/* Without pidfd (old kernels) the fd does not tell the child's exit: look
 * at the child every few ms instead. */
#define EXIT_CHECK_MS 5

typedef enum { JOB_RUNNING, JOB_EXITED, JOB_TIMED_OUT, JOB_STOPPED, JOB_LOST } job_state;

static volatile sig_atomic_t stopping;

void cfn__jobs_stop(void)
{
    stopping = 1;
}

bool cfn__jobs_stopping(void)
{
    return stopping;
}

struct cfn__job {
    cfn_ctx *ctx;
    pid_t pid;
    int fd;    /* the report pipe's read end; -1 once at EOF */
    int pidfd; /* readable when the child exits; -1 without pidfd */
    int ep;    /* epoll over fd and pidfd: the one fd a loop polls */
    int64_t start;
    strbuf report;
    bool overflow; /* the report was longer than MAX_RESULT_BYTES */
    int status;    /* waitpid status, once JOB_EXITED */
    job_state state;
    int lost_errno;
    bool kept;     /* run by the kept supervisor: pid is the supervisor's */
    bool reported; /* the kept supervisor said DONE: status is the worker's */
};

/* Reads once from the pipe: 0 when something was read, 1 at EOF, 2 when
 * nothing is there yet, -1 on error. */
static int read_some(cfn__job *job)
{
    char buf[65536];
    ssize_t r = read(job->fd, buf, sizeof(buf));
    if (r < 0)
        return errno == EINTR || errno == EAGAIN ? 2 : -1;
    if (r == 0)
        return 1;
    /* Past the bound the rest is read and dropped, and the job fails. */
    if (job->report.len + (size_t)r > MAX_RESULT_BYTES)
        job->overflow = true;
    else if (cfn__sb_append(&job->report, buf, (size_t)r) < 0)
        return -1;
    return 0;
}

/* Reads all the pipe holds now. Returns -1 on error. */
static int drain(cfn__job *job)
{
    while (job->fd >= 0) {
        int r = read_some(job);
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

/* Like relay, each chunk sent on `ctl` as a REPORT message. */
static int relay_msgs(int sock, int ctl, pid_t worker)
{
    char buf[65536];
    union {
        struct cmsghdr h;
        char space[CMSG_SPACE(sizeof(struct ucred))];
    } c;
    buf[0] = MSG_REPORT;
    for (;;) {
        struct iovec iov = {buf + 1, sizeof(buf) - 1};
        struct msghdr m = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &c, .msg_controllen = sizeof(c)};
        ssize_t n = recvmsg(sock, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n == 0 ? 0 : -1;
        struct cmsghdr *h = CMSG_FIRSTHDR(&m);
        struct ucred cred = {0};
        if (h && h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_CREDENTIALS)
            memcpy(&cred, CMSG_DATA(h), sizeof(cred));
        if (cred.pid == worker)
            send(ctl, buf, (size_t)n + 1, MSG_NOSIGNAL);
    }
}

/* The worker of a JOB message: parses the request as the provider had it
 * and runs the callback (child). */
static void kept_worker(const char *msg, size_t len, int fd)
{
    job_msg h;
    memcpy(&h, msg, sizeof(h));
    if (h.trace_len > len - sizeof(h))
        _exit(3);
    const char *trace = msg + sizeof(h), *text = trace + h.trace_len;
    request req;
    cfn_ctx ctx;
    if (h.trace_len) {
        char *t = strndup(trace, h.trace_len);
        if (!t)
            _exit(3);
        setenv("_X_AMZN_TRACE_ID", t, 1);
        free(t);
    } else {
        unsetenv("_X_AMZN_TRACE_ID");
    }
    cJSON *obj = cJSON_ParseWithLength(text, len - (size_t)(text - msg));
    if (!obj || cfn__request_init(&req, obj) < 0)
        _exit(3);
    cfn__ctx_init(&ctx, &req, h.deadline);
    child(&ctx, h.cb, fd);
}

/* A worker forked ahead of its job: it waits for the JOB message on *job
 * (so that the fork is off the request's path: done while the provider
 * delivers the previous answer and waits for the next invocation); its
 * report comes on *sock. */
static pid_t kept_prefork(int ctl, int sfd, const sigset_t *unblocked, int *job, int *sock)
{
    int rep[2], in[2];
    int on = 1;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, rep) < 0)
        return -1;
    if (setsockopt(rep[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) < 0 ||
        socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, in) < 0) {
        close(rep[0]);
        close(rep[1]);
        return -1;
    }
    pid_t self = getpid();
    pid_t worker = fork();
    if (worker == 0) {
        close(ctl);
        close(sfd);
        close(rep[0]);
        close(in[0]);
        sigprocmask(SIG_SETMASK, unblocked, NULL);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != self)
            _exit(1);
        char *msg = malloc(KEPT_MSG_MAX);
        ssize_t n;
        while (msg && (n = recv(in[1], msg, KEPT_MSG_MAX, 0)) < 0 && errno == EINTR)
            ;
        if (!msg || n < (ssize_t)sizeof(job_msg))
            _exit(0); /* no job: the supervisor is ending */
        close(in[1]);
        kept_worker(msg, (size_t)n, rep[1]);
    }
    close(rep[1]);
    close(in[1]);
    if (worker < 0) {
        close(rep[0]);
        close(in[0]);
        return -1;
    }
    *sock = rep[0];
    *job = in[0];
    return worker;
}

static void kept_done(int ctl, int status)
{
    char out[1 + sizeof(int)] = {MSG_DONE};
    memcpy(out + 1, &status, sizeof(status));
    send(ctl, out, sizeof(out), MSG_NOSIGNAL);
}

/* The kept supervisor's loop: one worker at a time, the next one forked
 * once the last has ended and what it left is killed. It ends with the
 * provider (its socket closed, or SIGTERM on the provider's death), killing
 * the worker and what it left. */
static void kept_main(int ctl, pid_t provider, const sigset_t *unblocked)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGCHLD);
    setpgid(0, 0);
    signal(SIGPIPE, SIG_IGN);
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != provider)
        _exit(1);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    cfn__http_after_fork();
    int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    char *msg = malloc(KEPT_MSG_MAX);
    if (sfd < 0 || !msg)
        _exit(4);
    pid_t worker = 0;
    int sock = -1, job = -1, status = 0;
    bool busy = false, reading = false, ending = false;
    while (!ending) {
        if (worker == 0 && (worker = kept_prefork(ctl, sfd, unblocked, &job, &sock)) < 0)
            worker = 0;
        struct pollfd p[3] = {{.fd = sfd, .events = POLLIN},
                              {.fd = ctl, .events = POLLIN},
                              {.fd = reading ? sock : -1, .events = POLLIN}};
        if (poll(p, 3, -1) < 0 && errno != EINTR)
            break;
        if (reading && p[2].revents && relay_msgs(sock, ctl, worker) == 0)
            reading = false;
        struct signalfd_siginfo si;
        while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
            ending |= si.ssi_signo == SIGTERM;
        if (p[1].revents) {
            ssize_t n = recv(ctl, msg, KEPT_MSG_MAX, MSG_DONTWAIT);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
                ending = true; /* the provider is gone */
            else if (n > 0 && msg[0] == MSG_KILL && busy)
                kill(worker, SIGKILL);
            else if (n > 0 && msg[0] == MSG_JOB && !busy) {
                if (worker > 0 && send(job, msg, (size_t)n, MSG_NOSIGNAL) == n)
                    busy = reading = true;
                else
                    kept_done(ctl, 4 << 8); /* exited 4: the worker could not start */
            }
        }
        pid_t w;
        int st;
        bool done = false;
        while ((w = waitpid(-1, &st, WNOHANG)) > 0)
            if (w == worker) {
                status = st;
                done = true;
            }
        if (ending && worker > 0 && !done) {
            kill(worker, SIGKILL);
            waitpid(worker, &status, 0);
            done = true;
        }
        if (done) {
            /* It wrote everything before exiting: relay what is left, then
             * kill what it left behind before saying it is done. A worker
             * that ended before its job (killed from outside) is replaced. */
            if (reading)
                relay_msgs(sock, ctl, worker);
            close(sock);
            close(job);
            reading = false;
            kill_descendants();
            if (busy)
                kept_done(ctl, status);
            busy = false;
            worker = 0;
        }
    }
    kill_descendants();
    _exit(0);
}

/* The kept supervisor dead or gone: forget it (a new one starts with the
 * next job). */
static void kept_drop(void)
{
    if (kept.pid > 0) {
        kill(-kept.pid, SIGKILL);
        kill(kept.pid, SIGKILL);
        waitpid(kept.pid, NULL, 0);
    }
    if (kept.ctl >= 0)
        close(kept.ctl);
    if (kept.pidfd >= 0)
        close(kept.pidfd);
    kept = (struct kept){0, -1, -1, false};
}

void cfn__jobs_keep_supervisor(bool on)
{
    keep_supervisor = on;
    if (on || kept.pid == 0)
        return;
    /* It ends at EOF on its socket; waited for, so that its time counts as
     * the caller's children's. */
    close(kept.ctl);
    kept.ctl = -1;
    int64_t until = cfn__clock_mono_ms() + STOP_WAIT_MS;
    while (waitpid(kept.pid, NULL, WNOHANG) == 0) {
        if (cfn__clock_mono_ms() >= until) {
            kept_drop();
            return;
        }
        usleep(1000);
    }
    kept.pid = 0;
    kept_drop();
}

static int kept_spawn(void)
{
    int ctl[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) < 0)
        return -1;
    fflush(stdout);
    fflush(stderr);
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    pid_t provider = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        close(ctl[0]);
        kept_main(ctl[1], provider, &old);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(ctl[1]);
    if (pid < 0) {
        close(ctl[0]);
        return -1;
    }
    setpgid(pid, pid);
    kept = (struct kept){pid, ctl[0], (int)syscall(SYS_pidfd_open, pid, 0), false};
    return 0;
}

/* Hands the job to the kept supervisor (started if need be). -1 when it
 * cannot take it: the caller starts a supervisor of the job's own. */
static int kept_job(cfn__job *job, cfn_callback cb)
{
    const char *trace = getenv("_X_AMZN_TRACE_ID");
    job_msg h = {.kind = MSG_JOB,
                 .cb = cb,
                 .deadline = job->ctx->deadline,
                 .trace_len = trace ? (uint32_t)strnlen(trace, 1024) : 0};
    char *text = job->ctx->req->root ? cJSON_PrintUnformatted(job->ctx->req->root) : NULL;
    size_t len = text ? strlen(text) : 0;
    char *msg = NULL;
    int rc = -1;
    if (!text || sizeof(h) + h.trace_len + len > KEPT_MSG_MAX ||
        !(msg = malloc(sizeof(h) + h.trace_len + len)))
        goto done;
    memcpy(msg, &h, sizeof(h));
    if (h.trace_len)
        memcpy(msg + sizeof(h), trace, h.trace_len);
    memcpy(msg + sizeof(h) + h.trace_len, text, len);
    for (int attempt = 0; attempt < 2 && rc < 0; attempt++) {
        if (kept.pid == 0 && kept_spawn() < 0)
            break;
        if (send(kept.ctl, msg, sizeof(h) + h.trace_len + len, MSG_NOSIGNAL) < 0)
            kept_drop(); /* it died since the last job: once more with a new one */
        else
            rc = 0;
    }
    if (rc == 0 &&
        (watch(job->ep, kept.ctl) < 0 || (kept.pidfd >= 0 && watch(job->ep, kept.pidfd) < 0))) {
        job->state = JOB_LOST;
        job->lost_errno = errno;
    }
    if (rc == 0) {
        kept.busy = true;
        job->kept = true;
        job->pid = kept.pid;
    }
done:
    free(text);
    free(msg);
    return rc;
}

/* Reads the kept supervisor's messages: 0, or -1 when it is gone. */
static int kept_read(cfn__job *job)
{
    char buf[65536];
    for (;;) {
        ssize_t n = recv(kept.ctl, buf, sizeof(buf), MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return 0;
        if (n <= 0) {
            job->lost_errno = n == 0 ? ECONNRESET : errno;
            return -1;
        }
        if (buf[0] == MSG_REPORT) {
            if (job->report.len + (size_t)n - 1 > MAX_RESULT_BYTES)
                job->overflow = true;
            else if (cfn__sb_append(&job->report, buf + 1, (size_t)n - 1) < 0)
                return -1;
        } else if (buf[0] == MSG_DONE && n == 1 + (ssize_t)sizeof(int)) {
            memcpy(&job->status, buf + 1, sizeof(int));
            job->reported = true;
        }
    }
}

/* A kept supervisor's job that is not done: the worker killed (by the
 * supervisor, with what it left), or the supervisor itself when it does not
 * answer in time. */
static void kept_stop(cfn__job *job)
{
    if (!job->reported && send(kept.ctl, (char[]){MSG_KILL}, 1, MSG_NOSIGNAL) == 1) {
        int64_t until = cfn__clock_mono_ms() + STOP_WAIT_MS;
        while (!job->reported && kept_read(job) == 0 && cfn__clock_mono_ms() < until) {
            struct pollfd p = {.fd = kept.ctl, .events = POLLIN};
            poll(&p, 1, (int)(until - cfn__clock_mono_ms()));
        }
    }
    if (!job->reported)
        kept_drop();
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
    /* The kept supervisor is forked at the second job, from a provider that
     * has served one request: its workers inherit what that set up once, as
     * workers forked from the provider did (OpenSSL's algorithm tables, built
     * at the first digest, cost about 3 million instructions). */
    static bool served_one;
    bool kept_ok = keep_supervisor && served_one && !kept.busy;
    served_one = served_one || keep_supervisor;
    if (job->ep >= 0 && kept_ok && kept_job(job, cb) == 0) {
        *out = job;
        return 0;
    }
    if (job->ep < 0 || pipe2(fds, O_CLOEXEC) < 0) {
        cfn_fail(ctx, "cannot start the handler: %s", strerror(errno));
        goto done;
    }
    fflush(stdout);
    fflush(stderr);
    /* The supervisor starts with SIGTERM and SIGCHLD blocked, so that it
     * takes them with sigwaitinfo and a stop cannot come before it can. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    pid_t provider = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        supervise(ctx, cb, fds[1], provider, &old);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) {
        cfn_fail(ctx, "cannot start the handler: fork: %s", strerror(errno));
        goto done;
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
    int64_t cap = job->pidfd >= 0 || job->kept ? 60000 : EXIT_CHECK_MS;
    return (int)(left < cap ? left : cap);
}

bool cfn__job_step(cfn__job *job)
{
    if (job->state != JOB_RUNNING)
        return true;
    if (job->kept) {
        if (kept_read(job) < 0) {
            job->state = JOB_LOST;
            return true;
        }
        if (job->reported) {
            job->state = JOB_EXITED;
            return true;
        }
    } else if (drain(job) < 0) {
        job->state = JOB_LOST;
        job->lost_errno = errno;
        return true;
    }
    /* The end is the child's exit, not EOF: a process the handler left
     * behind may hold the pipe open. */
    pid_t w = job->kept ? 0 : waitpid(job->pid, &job->status, WNOHANG);
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
    if (stopping) {
        job->state = JOB_STOPPED;
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
    /* A supervisor that exited has killed everything the handler left; one
     * still running is told to, and killed with its group if it does not. */
    if (job->kept) {
        if (job->state != JOB_EXITED)
            kept_stop(job);
        kept.busy = false;
    } else if (job->state != JOB_EXITED) {
        kill(job->pid, SIGTERM);
        int64_t until = cfn__clock_mono_ms() + STOP_WAIT_MS;
        while (waitpid(job->pid, &job->status, WNOHANG) == 0) {
            if (cfn__clock_mono_ms() >= until) {
                kill(-job->pid, SIGKILL);
                kill(job->pid, SIGKILL);
                waitpid(job->pid, &job->status, 0);
                break;
            }
            usleep(1000);
        }
    }
    double secs = (double)(ctx->deadline - job->start) / 1000.0;
    if (job->state == JOB_TIMED_OUT)
        rc = cfn_fail(ctx,
                      "handler for %s timed out after %.1f s (the rest of the time limit is "
                      "kept for sending this response)",
                      type, secs);
    else if (job->state == JOB_STOPPED)
        rc = cfn_fail(ctx, "handler for %s was stopped: the provider is shutting down (SIGTERM)",
                      type);
    else if (job->state == JOB_LOST)
        rc = cfn_fail(ctx, "lost contact with the handler for %s: %s", type,
                      strerror(job->lost_errno));
    else if (job->overflow)
        rc = cfn_fail(ctx,
                      "handler for %s reported more than %u MB (Data, id and reason together); "
                      "CloudFormation accepts %d bytes in all",
                      type, MAX_RESULT_BYTES >> 20, CFN_MAX_RESPONSE_BYTES);
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
