/* The dispatcher (dispatch.h): one process per request, run as Lambda runs a
 * provider, answering on the ResponseURL server of respond.c; one poll loop
 * over that server and the processes' pidfds. */
#include "dispatch.h"

#include "clock.h"
#include "function_env.h"
#include "request.h"
#include "respond.h"

#include <cfnkit/cfnkit.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434 /* the same on every architecture (Linux 5.3) */
#endif

#define TYPES_WAIT_MS   15000 /* for `PROGRAM types` */
#define EXIT_GRACE_MS   200   /* an answer in flight when its program exits */
#define DRAIN_MS        10000 /* a program still running after its answer */
#define LAMBDA_MAX_S    900   /* Lambda's longest function timeout */
#define STDERR_TAIL     600   /* bytes of a dead program's stderr in its reason */
#define SIGNATURE_BYTES 32

typedef struct served {
    char *type;
    const char *program; /* cfg's string or d->self */
    bool native;         /* `cfnkit native-provider invoke` */
} served;

typedef struct job {
    stk_result r; /* user, request_id, started_ms until finished */
    char *path, *stack_id, *logical_id, *type, *physical_id;
    const char *program;
    char signature[2 * SIGNATURE_BYTES + 1];
    pid_t pid;
    int pidfd, errfd;
    int timeout_s;
    int64_t deadline, exit_by, drain_by; /* monotonic ms; 0 = none */
    bool finished, exited;
    int status;
} job;

struct stk_dispatch {
    char *self, *region, *account, *bucket;
    char **programs; /* copies of the --provider programs */
    size_t n_programs;
    int default_timeout_s;
    served *types;
    size_t n_types;
    stk_respond *srv;
    job **jobs;
    size_t n_jobs, cap_jobs, running;
    stk_result *done; /* finished, not yet waited for: a FIFO */
    size_t n_done, cap_done, head_done;
    bool function_env;
    stk_function_env *functions; /* the ServiceTokens' environments */
};

void stk_result_clear(stk_result *r)
{
    if (!r)
        return;
    free(r->request_id);
    free(r->physical_id);
    cJSON_Delete(r->data);
    free(r->reason);
    memset(r, 0, sizeof(*r));
}

static int oom(void)
{
    return cfn_error_set(CFN_ENOMEM, "out of memory");
}

/* Processes. */

static int pidfd_of(pid_t pid)
{
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* Whether `var` ("NAME=VALUE") is one the provider's environment sets itself. */
static bool replaced_var(const char *var)
{
    static const char *const replaced[] = {
        "AWS_LAMBDA_RUNTIME_API=",
        "CFNKIT_RESPONSE_URL_ALLOW=",
        "AWS_REGION=",
        "AWS_DEFAULT_REGION=",
        "AWS_LAMBDA_FUNCTION_NAME=",
        "AWS_LAMBDA_FUNCTION_VERSION=",
        "TZ=",
    };
    for (size_t j = 0; j < sizeof(replaced) / sizeof(replaced[0]); j++)
        if (strncmp(var, replaced[j], strlen(replaced[j])) == 0)
            return true;
    return false;
}

/* Whether `var` ("NAME=VALUE") sets a name that `vars` sets too. */
static bool set_by(const char *var, const char *const *vars)
{
    size_t len = strcspn(var, "=");
    for (size_t i = 0; vars && vars[i]; i++)
        if (strncmp(vars[i], var, len) == 0 && vars[i][len] == '=')
            return true;
    return false;
}

/* The environment a provider runs in, as Lambda's provided runtimes have it
 * where it matters: the engine's own (the AWS settings of the target: the
 * endpoint, credentials, profile), the variables of the function the
 * ServiceToken names (`vars`, NULL when none; they win over the engine's),
 * the target's region, the function's name (`function`, or the program's)
 * and version, UTC, our server allowed as a ResponseURL host, and no
 * AWS_LAMBDA_RUNTIME_API (cfn_main would become a runtime loop). */
static char **provider_env(const stk_dispatch *d, const char *program, const char *const *vars,
                           const char *function)
{
    size_t n = 0, nvars = 0;
    while (environ[n])
        n++;
    while (vars && vars[nvars])
        nvars++;
    char **env = calloc(n + nvars + 8, sizeof(*env));
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!set_by(environ[i], vars) && !replaced_var(environ[i]) &&
            !(env[k++] = strdup(environ[i])))
            goto fail;
    }
    for (size_t i = 0; i < nvars; i++)
        if (!replaced_var(vars[i]) && !(env[k++] = strdup(vars[i])))
            goto fail;
    const char *allow = getenv("CFNKIT_RESPONSE_URL_ALLOW");
    const char *slash = strrchr(program, '/');
    char *add[7] = {NULL};
    if (asprintf(&add[0], "CFNKIT_RESPONSE_URL_ALLOW=%s%s127.0.0.1:%d", allow ? allow : "",
                 allow && *allow ? "," : "", stk_respond_port(d->srv)) < 0 ||
        asprintf(&add[1], "AWS_REGION=%s", d->region) < 0 ||
        asprintf(&add[2], "AWS_DEFAULT_REGION=%s", d->region) < 0 ||
        asprintf(&add[3], "AWS_LAMBDA_FUNCTION_NAME=%s",
                 function ? function
                 : slash  ? slash + 1
                          : program) < 0 ||
        !(add[4] = strdup("AWS_LAMBDA_FUNCTION_VERSION=$LATEST")) ||
        !(add[5] = strdup("TZ=:UTC"))) {
        for (int i = 0; i < 6; i++)
            free(add[i]);
        goto fail;
    }
    for (int i = 0; i < 6; i++)
        env[k++] = add[i];
    return env;
fail:
    for (size_t i = 0; i < k; i++)
        free(env[i]);
    free(env);
    return NULL;
}

static void env_free(char **env)
{
    for (size_t i = 0; env && env[i]; i++)
        free(env[i]);
    free(env);
}

/* Starts `argv` in a process group of its own, standard input from `in`
 * (or /dev/null), output to `out` (or /dev/null), errors to `err`. */
static int spawn(const char *const argv[], char **env, int in, int out, int err, pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    if (in >= 0)
        posix_spawn_file_actions_adddup2(&fa, in, 0);
    else
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (out >= 0)
        posix_spawn_file_actions_adddup2(&fa, out, 1);
    else
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, err, 2);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &all);
    int rc = posix_spawnp(pid, argv[0], &fa, &at, (char *const *)argv, env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (rc != 0)
        return cfn_error_set(CFN_EIO, "cannot run %s: %s", argv[0], strerror(rc));
    return 0;
}

/* `plain` percent-encoded, but for letters, digits and the bytes of `keep`. */
static int url_key(const char *plain, const char *keep, char **out)
{
    size_t len = strlen(plain), k = 0;
    char *key = malloc(3 * len + 1);
    if (!key)
        return oom();
    for (const unsigned char *p = (const unsigned char *)plain; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr(keep, *p))
            key[k++] = (char)*p;
        else
            k += (size_t)sprintf(key + k, "%%%02X", *p);
    }
    key[k] = '\0';
    *out = key;
    return 0;
}

/* The last bytes a program wrote to `fd` (a memfd), one line, without
 * control characters or the secrets it might echo: the ResponseURL's
 * signature and the engine's AWS credentials. */
static void stderr_tail(int fd, const char *signature, char *out, size_t size)
{
    struct stat st;
    char buf[STDERR_TAIL + 1];
    off_t from = fstat(fd, &st) == 0 && st.st_size > STDERR_TAIL ? st.st_size - STDERR_TAIL : 0;
    ssize_t n = pread(fd, buf, STDERR_TAIL, from);
    size_t len = n > 0 ? (size_t)n : 0, start = 0;
    buf[len] = '\0';
    if (from > 0)
        while (start < len && buf[start] != '\n')
            start++;
    const char *secrets[] = {signature, getenv("AWS_SECRET_ACCESS_KEY"),
                             getenv("AWS_SESSION_TOKEN")};
    for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
        /* As written, and URL-encoded as a presigned URL's query holds it. */
        char *encoded = NULL;
        const char *forms[] = {
            secrets[i], secrets[i] && url_key(secrets[i], "-_.~", &encoded) == 0 ? encoded : NULL};
        for (size_t f = 0; f < 2; f++) {
            size_t slen = forms[f] ? strlen(forms[f]) : 0;
            for (char *p; slen >= 8 && (p = strstr(buf + start, forms[f]));)
                memset(p, '*', slen);
        }
        free(encoded);
    }
    size_t k = 0;
    bool space = true;
    for (size_t i = start; i < len && k + 1 < size; i++) {
        unsigned char c = (unsigned char)buf[i];
        bool blank = c < 0x20 || c == 0x7f || c == ' ';
        if (blank && space)
            continue;
        out[k++] = blank ? ' ' : (char)c;
        space = blank;
    }
    while (k && out[k - 1] == ' ')
        k--;
    out[k] = '\0';
}

/* `PROGRAM [native-provider] types`, one type a line. */
static int ask_types(stk_dispatch *d, const char *program, bool native)
{
    const char *argv[] = {program, native ? "native-provider" : "types", native ? "types" : NULL,
                          NULL};
    int out[2] = {-1, -1}, err = memfd_create("types-stderr", MFD_CLOEXEC), rc = -1, status = 0;
    char *text = NULL;
    size_t len = 0, cap = 0;
    pid_t pid = -1;
    char **env = provider_env(d, program, NULL, NULL);
    if (err < 0 || !env || pipe2(out, O_CLOEXEC) < 0) {
        cfn_error_set(CFN_EIO, "cannot ask %s for its types: %s", program, strerror(errno));
        goto done;
    }
    if (spawn(argv, env, -1, out[1], err, &pid) < 0)
        goto done;
    close(out[1]);
    out[1] = -1;
    int64_t until = cfn__clock_mono_ms() + TYPES_WAIT_MS;
    for (;;) {
        struct pollfd p = {.fd = out[0], .events = POLLIN};
        int64_t left = until - cfn__clock_mono_ms();
        if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
            kill(-pid, SIGKILL);
            cfn_error_set(CFN_EIO, "%s types: no answer in %d s", program, TYPES_WAIT_MS / 1000);
            goto reap;
        }
        if (len + 4096 > cap) {
            char *grown = cap < (1u << 20) ? realloc(text, cap + 8192) : NULL;
            if (!grown) {
                kill(-pid, SIGKILL);
                cfn_error_set(CFN_ENOMEM, "%s types: too much output", program);
                goto reap;
            }
            text = grown;
            cap += 8192;
        }
        ssize_t n = read(out[0], text + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    rc = 0;
reap:
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (rc == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
        char tail[STDERR_TAIL];
        stderr_tail(err, NULL, tail, sizeof(tail));
        rc = cfn_error_set(CFN_EIO, "%s %stypes failed (status %d): %s", program,
                           native ? "native-provider " : "",
                           WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), tail);
    }
    for (char *line = text, *nl; rc == 0 && line && line < text + len; line = nl + 1) {
        text[len] = '\0';
        nl = strchr(line, '\n');
        if (!nl)
            nl = text + len;
        *nl = '\0';
        if (!*line)
            continue;
        if (stk_dispatch_provider_for(d, line)) {
            rc = cfn_error_set(CFN_EEXISTS, "%s is served by both %s and %s", line,
                               stk_dispatch_provider_for(d, line), program);
            break;
        }
        served *grown = realloc(d->types, (d->n_types + 1) * sizeof(*grown));
        if (!grown || !(grown[d->n_types].type = strdup(line))) {
            if (grown)
                d->types = grown;
            rc = oom();
            break;
        }
        d->types = grown;
        grown[d->n_types].program = program;
        grown[d->n_types].native = native && strncmp(line, "AWS::", 5) == 0;
        d->n_types++;
    }
done:
    if (out[0] >= 0)
        close(out[0]);
    if (out[1] >= 0)
        close(out[1]);
    if (err >= 0)
        close(err);
    free(text);
    env_free(env);
    return rc;
}

/* Jobs. */

static job *job_by_path(stk_dispatch *d, const char *path, size_t len)
{
    for (size_t i = 0; i < d->n_jobs; i++)
        if (strlen(d->jobs[i]->path) == len && memcmp(d->jobs[i]->path, path, len) == 0)
            return d->jobs[i];
    return NULL;
}

static void job_free(job *j)
{
    if (!j)
        return;
    if (j->pidfd >= 0)
        close(j->pidfd);
    if (j->errfd >= 0)
        close(j->errfd);
    stk_result_clear(&j->r);
    free(j->path);
    free(j->stack_id);
    free(j->logical_id);
    free(j->type);
    free(j->physical_id);
    free(j);
}

/* Moves the job's result to the finished queue. */
static int finish(stk_dispatch *d, job *j)
{
    if (d->head_done + d->n_done == d->cap_done) {
        if (d->head_done > 0) {
            memmove(d->done, d->done + d->head_done, d->n_done * sizeof(*d->done));
            d->head_done = 0;
        } else {
            size_t cap = d->cap_done ? d->cap_done * 2 : 16;
            stk_result *grown = realloc(d->done, cap * sizeof(*grown));
            if (!grown)
                return oom();
            d->done = grown;
            d->cap_done = cap;
        }
    }
    j->r.ended_ms = cfn__clock_epoch_ms();
    d->done[d->head_done + d->n_done++] = j->r;
    memset(&j->r, 0, sizeof(j->r));
    j->finished = true;
    j->drain_by = cfn__clock_mono_ms() + DRAIN_MS;
    return 0;
}

static int fail(stk_dispatch *d, job *j, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(stk_dispatch *d, job *j, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *reason = NULL;
    if (vasprintf(&reason, fmt, ap) < 0)
        reason = NULL;
    va_end(ap);
    j->r.success = false;
    free(j->r.reason);
    j->r.reason = reason;
    return reason ? finish(d, j) : oom();
}

static bool same(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    unsigned diff = alen != blen;
    for (size_t i = 0; i < alen && i < blen; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

/* The X-Amz-Signature of a query. */
static bool signed_by(const stk_http_req *req, const char *signature)
{
    static const char key[] = "X-Amz-Signature=";
    const char *q = req->query, *end = q ? q + req->query_len : NULL;
    while (q && q < end) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        const char *e = amp ? amp : end;
        if ((size_t)(e - q) > sizeof(key) - 1 && memcmp(q, key, sizeof(key) - 1) == 0)
            return same(q + sizeof(key) - 1, (size_t)(e - q) - (sizeof(key) - 1), signature);
        q = e + 1;
    }
    return false;
}

static int on_put(void *arg, const stk_http_req *req, const char *body, size_t len,
                  const char **code, const char **message)
{
    stk_dispatch *d = arg;
    size_t blen = strlen(d->bucket);
    if (req->path_len < blen + 2 || memcmp(req->path, d->bucket, blen) != 0 ||
        req->path[blen] != '/') {
        *code = "NoSuchBucket";
        *message = "The specified bucket does not exist";
        return 404;
    }
    job *j = job_by_path(d, req->path, req->path_len);
    if (!j || !signed_by(req, j->signature) || req->content_type) {
        /* A presigned PUT signs its path, and no Content-Type: S3 answers
         * anything else as a signature that does not match. */
        *code = "SignatureDoesNotMatch";
        *message = "The request signature we calculated does not match the signature you "
                   "provided. Check your key and signing method.";
        return 403;
    }
    if (j->finished) {
        /* CloudFormation reads the first answer only; the URL is retired. */
        *code = "AccessDenied";
        *message = "Request has expired";
        return 403;
    }
    stk_expect want = {j->r.request_id, j->stack_id, j->logical_id};
    if (stk_response_check(body, len, &want, &j->r) < 0)
        fail(d, j, "out of memory reading the answer");
    else
        finish(d, j);
    return 200;
}

/* ServiceTimeout of a custom resource's properties: 0 when none. */
static int service_timeout(const cJSON *props, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(props, "ServiceTimeout");
    *out = 0;
    if (!v)
        return 0;
    char *end = NULL;
    /* A number as the template wrote it is a raw value (the evaluator keeps
     * its text, as CloudFormation passes it on). */
    double s = cJSON_IsNumber(v)                     ? v->valuedouble
               : cJSON_IsString(v) || cJSON_IsRaw(v) ? strtod(v->valuestring, &end)
                                                     : -1;
    if ((end && (end == v->valuestring || *end)) || !(s >= 1 && s <= 3600) || s != (int)s)
        return cfn_error_set(CFN_EINVAL, "ServiceTimeout must be a whole number of seconds from 1 "
                                         "to 3600");
    *out = (int)s;
    return 0;
}

/* Like a presigned S3 URL of CloudFormation's: the object is named by stack,
 * resource and request, the query carries a fresh 256-bit signature. */
static int response_url(stk_dispatch *d, job *j, char **url)
{
    unsigned char sig[SIGNATURE_BYTES];
    char *plain = NULL, *key = NULL, stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
    if (stk_random(sig, sizeof(sig)) < 0)
        return -1;
    for (size_t i = 0; i < sizeof(sig); i++)
        sprintf(j->signature + 2 * i, "%02x", sig[i]);
    if (asprintf(&plain, "%s|%s|%s", j->stack_id, j->logical_id, j->r.request_id) < 0)
        return oom();
    int rc = url_key(plain, "-_.~/", &key);
    free(plain);
    if (rc < 0)
        return rc;
    if (asprintf(&j->path, "%s/%s", d->bucket, key) < 0) {
        j->path = NULL;
        rc = oom();
    } else if (asprintf(
                   url,
                   "http://127.0.0.1:%d%s?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=%s"
                   "&X-Amz-SignedHeaders=host&X-Amz-Expires=7200&X-Amz-Credential=cfnkit%%2F%.8s"
                   "%%2F%s%%2Fs3%%2Faws4_request&X-Amz-Signature=%s",
                   stk_respond_port(d->srv), j->path, stamp, stamp, d->region, j->signature) < 0) {
        *url = NULL;
        rc = oom();
    }
    free(key);
    return rc;
}

static int push_job(stk_dispatch *d, job *j)
{
    if (d->n_jobs == d->cap_jobs) {
        size_t cap = d->cap_jobs ? d->cap_jobs * 2 : 16;
        job **grown = realloc(d->jobs, cap * sizeof(*grown));
        if (!grown)
            return oom();
        d->jobs = grown;
        d->cap_jobs = cap;
    }
    d->jobs[d->n_jobs++] = j;
    return 0;
}

int stk_dispatch_start(stk_dispatch *d, const stk_request *req)
{
    const served *s = NULL;
    char id[37], *url = NULL, *text = NULL, limit[16];
    cJSON *ev = NULL;
    char **env = NULL;
    int in = -1, rc = -1;
    for (size_t i = 0; i < d->n_types && !s; i++)
        if (strcmp(d->types[i].type, req->resource_type) == 0)
            s = &d->types[i];
    if (!s)
        return cfn_error_set(CFN_ENOTFOUND,
                             "no provider serves %s (cfnkit serves its built-in types; "
                             "--provider PROGRAM adds the types `PROGRAM types` lists)",
                             req->resource_type);
    bool custom = stk_type_is_custom(req->resource_type);
    int timeout = req->timeout_s;
    if (timeout == 0 && custom && service_timeout(req->properties, &timeout) < 0)
        return -1;
    if (timeout == 0)
        timeout = d->default_timeout_s;
    if (timeout < 1 || timeout > 3600)
        return cfn_error_set(CFN_EINVAL, "a request's timeout is 1 to 3600 s, not %d", timeout);
    const cJSON *token = cJSON_GetObjectItemCaseSensitive(req->properties, "ServiceToken");
    if (custom && (!cJSON_IsString(token) || !*token->valuestring))
        return cfn_error_set(CFN_EINVAL,
                             "%s (%s) has no ServiceToken, which CloudFormation "
                             "requires of a custom resource",
                             req->logical_id, req->resource_type);

    job *j = calloc(1, sizeof(*j));
    if (!j)
        return oom();
    j->pidfd = j->errfd = -1;
    j->pid = -1;
    j->program = s->program;
    j->timeout_s = timeout;
    j->r.user = req->user;
    if (req->request_id)
        snprintf(id, sizeof(id), "%s", req->request_id);
    else
        stk_uuid(id);
    if (!(j->r.request_id = strdup(id)) || !(j->stack_id = strdup(req->stack_id)) ||
        !(j->logical_id = strdup(req->logical_id)) || !(j->type = strdup(req->resource_type)) ||
        (req->physical_id && !(j->physical_id = strdup(req->physical_id)))) {
        oom();
        goto done;
    }
    if (response_url(d, j, &url) < 0)
        goto done;
    stk_event e = {.request_type = req->request_type,
                   .stack_id = req->stack_id,
                   .logical_id = req->logical_id,
                   .resource_type = req->resource_type,
                   .physical_id = req->physical_id,
                   .request_id = id,
                   .response_url = url,
                   .properties = req->properties,
                   .old_properties = req->old_properties,
                   .as_given = !custom};
    if (stk_event_build(&e, &ev) < 0)
        goto done;
    text = cJSON_PrintUnformatted(ev);
    in = memfd_create("event", MFD_CLOEXEC);
    j->errfd = memfd_create("stderr", MFD_CLOEXEC);
    const char *const *vars = NULL;
    const char *function = NULL;
    if (custom && d->function_env &&
        stk_function_env_get(&d->functions, token->valuestring, &vars, &function) < 0)
        goto done;
    env = provider_env(d, s->program, vars, function);
    if (!text || !env) {
        oom();
        goto done;
    }
    size_t len = strlen(text);
    if (in < 0 || j->errfd < 0 || write(in, text, len) != (ssize_t)len || lseek(in, 0, SEEK_SET)) {
        cfn_error_set(CFN_EIO, "cannot hand %s its request: %s", s->program, strerror(errno));
        goto done;
    }
    /* Lambda's time limit for the provider: ServiceTimeout, at most Lambda's
     * own maximum; cfn_main stops the handler before it and answers FAILED. */
    snprintf(limit, sizeof(limit), "%d", timeout < LAMBDA_MAX_S ? timeout : LAMBDA_MAX_S);
    const char *argv[8] = {s->program};
    size_t a = 1;
    if (s->native)
        argv[a++] = "native-provider";
    argv[a++] = "invoke";
    argv[a++] = "--event";
    argv[a++] = "-";
    argv[a++] = "--timeout";
    argv[a++] = limit;
    if (push_job(d, j) < 0)
        goto done;
    j->r.started_ms = cfn__clock_epoch_ms();
    if (spawn(argv, env, in, -1, j->errfd, &j->pid) < 0 || (j->pidfd = pidfd_of(j->pid)) < 0) {
        if (j->pid > 0) {
            cfn_error_set(CFN_EIO, "pidfd_open: %s", strerror(errno));
            kill(-j->pid, SIGKILL);
            waitpid(j->pid, NULL, 0);
        }
        d->n_jobs--;
        goto done;
    }
    j->deadline = cfn__clock_mono_ms() + (int64_t)timeout * 1000;
    d->running++;
    j = NULL;
    rc = 0;
done:
    job_free(j);
    if (in >= 0)
        close(in);
    env_free(env);
    cJSON_Delete(ev);
    free(text);
    free(url);
    return rc;
}

size_t stk_dispatch_running(const stk_dispatch *d)
{
    return d->running;
}

static const char *signal_name(int sig)
{
    const char *name = sigabbrev_np(sig);
    return name ? name : "?";
}

/* Deadlines: requests out of time, programs gone without answering,
 * programs lingering after their answer. */
static int expire(stk_dispatch *d, int64_t now)
{
    for (size_t i = 0; i < d->n_jobs; i++) {
        job *j = d->jobs[i];
        const char *name = strrchr(j->program, '/') ? strrchr(j->program, '/') + 1 : j->program;
        if (!j->finished && !j->exited && now >= j->deadline) {
            kill(-j->pid, SIGKILL);
            int rc = stk_type_is_custom(j->type)
                         ? fail(d, j,
                                "Custom Resource failed to stabilize in expected time "
                                "(ServiceTimeout %d s: %s never answered and was stopped)",
                                j->timeout_s, name)
                         : fail(d, j,
                                "Resource of type '%s' with identifier '%s' did not stabilize "
                                "(no answer in %d s: %s was stopped)",
                                j->type, j->physical_id ? j->physical_id : j->logical_id,
                                j->timeout_s, name);
            if (rc < 0)
                return rc;
        } else if (!j->finished && j->exited && now >= j->exit_by) {
            char tail[STDERR_TAIL], how[64];
            stderr_tail(j->errfd, j->signature, tail, sizeof(tail));
            if (j->status == -1)
                snprintf(how, sizeof(how), "ended (its status was not kept)");
            else if (WIFSIGNALED(j->status))
                snprintf(how, sizeof(how), "was killed by signal %d (SIG%s)", WTERMSIG(j->status),
                         signal_name(WTERMSIG(j->status)));
            else
                snprintf(how, sizeof(how), "exited with status %d", WEXITSTATUS(j->status));
            if (fail(d, j,
                     "CloudFormation did not receive a response from your Custom Resource. "
                     "Please check your logs for requestId [%s]. (%s %s without answering%s%s)",
                     j->r.request_id, name, how, *tail ? "; its stderr ends: " : "", tail) < 0)
                return -1;
        } else if (j->finished && !j->exited && now >= j->drain_by) {
            kill(-j->pid, SIGKILL);
            j->drain_by = INT64_MAX;
        }
    }
    return 0;
}

/* Forgets the jobs that are finished and reaped. */
static void sweep(stk_dispatch *d)
{
    for (size_t i = d->n_jobs; i-- > 0;) {
        job *j = d->jobs[i];
        if (j->finished && j->exited) {
            job_free(j);
            d->jobs[i] = d->jobs[--d->n_jobs];
        }
    }
}

int stk_dispatch_wait(stk_dispatch *d, int timeout_ms, stk_result *out)
{
    int64_t end = cfn__clock_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    struct pollfd *fds = NULL;
    size_t cap = 0;
    int rc = 0;
    bool polled = false; /* even with no time to wait, look once at the sockets */
    memset(out, 0, sizeof(*out));
    for (;;) {
        int64_t now = cfn__clock_mono_ms();
        if (expire(d, now) < 0) {
            rc = -1;
            break;
        }
        sweep(d);
        if (d->n_done) {
            *out = d->done[d->head_done++];
            d->n_done--;
            d->running--;
            rc = 1;
            break;
        }
        if (now >= end && polled)
            break;
        size_t want = 1 + 256 + d->n_jobs;
        if (want > cap) {
            struct pollfd *grown = realloc(fds, want * sizeof(*grown));
            if (!grown) {
                rc = oom();
                break;
            }
            fds = grown;
            cap = want;
        }
        int64_t next = end;
        size_t n_srv = stk_respond_pollfds(d->srv, fds, 1 + 256, &next), n = n_srv;
        for (size_t i = 0; i < d->n_jobs; i++) {
            job *j = d->jobs[i];
            if (!j->exited)
                fds[n++] = (struct pollfd){.fd = j->pidfd, .events = POLLIN};
            int64_t due = j->finished ? j->drain_by : j->exited ? j->exit_by : j->deadline;
            if (!(j->finished && j->exited) && due < next)
                next = due;
        }
        int wait = next > now ? (int)(next - now) : 0;
        if (poll(fds, n, wait) < 0 && errno != EINTR) {
            rc = cfn_error_set(CFN_EIO, "poll: %s", strerror(errno));
            break;
        }
        polled = true;
        stk_respond_step(d->srv, fds, n_srv);
        for (size_t k = n_srv; k < n; k++) {
            if (!fds[k].revents)
                continue;
            for (size_t i = 0; i < d->n_jobs; i++) {
                job *j = d->jobs[i];
                if (j->pidfd != fds[k].fd || j->exited)
                    continue;
                siginfo_t info = {0};
                int got = waitid(P_PID, (id_t)j->pid, &info, WEXITED | WNOHANG | WNOWAIT);
                if ((got == 0 && info.si_pid == j->pid) || (got < 0 && errno == ECHILD)) {
                    /* Whatever it left in its group goes with it, killed
                     * before the reap so that the group id is still its.
                     * ECHILD: the engine ignores SIGCHLD and the kernel
                     * reaped it; its status is lost. */
                    kill(-j->pid, SIGKILL);
                    if (got == 0)
                        waitpid(j->pid, &j->status, 0);
                    else
                        j->status = -1;
                    j->exited = true;
                    j->exit_by = cfn__clock_mono_ms() + EXIT_GRACE_MS;
                    close(j->pidfd);
                    j->pidfd = -1;
                }
            }
        }
    }
    free(fds);
    return rc;
}

const char *stk_dispatch_provider_for(const stk_dispatch *d, const char *type)
{
    for (size_t i = 0; i < d->n_types; i++)
        if (strcmp(d->types[i].type, type) == 0)
            return d->types[i].program;
    return NULL;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int stk_dispatch_types(const stk_dispatch *d, cJSON **out)
{
    const char **names = calloc(d->n_types + 1, sizeof(*names));
    if (!names || !(*out = cJSON_CreateArray())) {
        free(names);
        return oom();
    }
    for (size_t i = 0; i < d->n_types; i++)
        names[i] = d->types[i].type;
    qsort(names, d->n_types, sizeof(*names), by_text);
    for (size_t i = 0; i < d->n_types; i++)
        cJSON_AddItemToArray(*out, cJSON_CreateString(names[i]));
    free(names);
    return 0;
}

int stk_dispatch_new(const stk_dispatch_config *cfg, stk_dispatch **out)
{
    *out = NULL;
    if (!cfg->region || !cfg->account)
        return cfn_error_set(CFN_EINVAL, "the dispatcher needs the target's region and account");
    stk_dispatch *d = calloc(1, sizeof(*d));
    if (!d)
        return oom();
    char region[64];
    size_t r = 0;
    for (const char *p = cfg->region; *p && r + 1 < sizeof(region); p++)
        if (*p != '-')
            region[r++] = *p;
    region[r] = '\0';
    d->default_timeout_s =
        cfg->default_timeout_s > 0 ? cfg->default_timeout_s : STK_DISPATCH_DEFAULT_TIMEOUT_S;
    d->function_env = cfg->function_env;
    if (!(d->region = strdup(cfg->region)) || !(d->account = strdup(cfg->account)) ||
        asprintf(&d->bucket, "/cloudformation-custom-resource-response-%s", region) < 0 ||
        (cfg->self && !(d->self = strdup(cfg->self)))) {
        d->bucket = NULL;
        stk_dispatch_free(d);
        return oom();
    }
    if (stk_respond_open(on_put, d, &d->srv) < 0 || (d->self && ask_types(d, d->self, true) < 0)) {
        stk_dispatch_free(d);
        return -1;
    }
    d->programs = calloc(cfg->n_providers + 1, sizeof(*d->programs));
    if (!d->programs) {
        stk_dispatch_free(d);
        return oom();
    }
    for (size_t i = 0; i < cfg->n_providers; i++) {
        if (!(d->programs[i] = strdup(cfg->providers[i]))) {
            stk_dispatch_free(d);
            return oom();
        }
        d->n_programs++;
        if (ask_types(d, d->programs[i], false) < 0) {
            stk_dispatch_free(d);
            return -1;
        }
    }
    *out = d;
    return 0;
}

void stk_dispatch_free(stk_dispatch *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n_jobs; i++) {
        job *j = d->jobs[i];
        if (!j->exited && j->pid > 0) {
            kill(-j->pid, SIGKILL);
            while (waitpid(j->pid, NULL, 0) < 0 && errno == EINTR)
                ;
        }
        job_free(j);
    }
    for (size_t i = 0; i < d->n_done; i++)
        stk_result_clear(&d->done[d->head_done + i]);
    for (size_t i = 0; i < d->n_types; i++)
        free(d->types[i].type);
    free(d->types);
    for (size_t i = 0; i < d->n_programs; i++)
        free(d->programs[i]);
    free(d->programs);
    stk_function_env_free(d->functions);
    free(d->jobs);
    free(d->done);
    stk_respond_free(d->srv);
    free(d->self);
    free(d->region);
    free(d->account);
    free(d->bucket);
    free(d);
}
