/* `cfnkit lambda-run`: runs a provider as Lambda (provided.al2023) runs its
 * bootstrap, under a Runtime API of the tool's own on 127.0.0.1, with Lambda's
 * environment and time limit, and prints what each request was answered. */
#include "lambda_run.h"

#include "event_cmd.h"
#include "request.h"
#include "loopback.h"

#include <cfnkit/cfnkit.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#define MAX_EVENTS     256
#define MAX_ENV        256
#define INIT_LIMIT_MS  10000
#define DRAIN_MS       200
#define POLL_MS        20
#define RUNTIME_PREFIX "/2018-06-01/runtime/"

extern char **environ;

static const char usage_text[] =
    "Usage: cfnkit lambda-run PROGRAM|PACKAGE.zip --event FILE|- [--event ...] [options]\n"
    "\n"
    "Runs a provider built on cfn_main (or its package zip, whose `bootstrap` is run)\n"
    "as Lambda's provided.al2023 runtime runs it: started in its task root with\n"
    "Lambda's environment, fed each request through a Lambda Runtime API served on\n"
    "127.0.0.1 by this command (no Docker), stopped when a request outlives the time\n"
    "limit and started again for the next, as Lambda does after a crash or a\n"
    "timeout. Each request's ResponseURL is pointed at this command (and the\n"
    "provider's CFNKIT_RESPONSE_URL_ALLOW names its address), which prints,\n"
    "one JSON line per request: the request, the invocation's outcome (response,\n"
    "error, timeout, exit) and the CloudFormation response the provider PUT.\n"
    "\n"
    "Options:\n"
    "  --event FILE|-        a request (or a JSON array of requests), as from\n"
    "                        `cfnkit event`; repeat for several, run in order\n"
    "  --timeout SECONDS     the function's time limit (default 300, the provider\n"
    "                        template's; Lambda allows 1 to 900)\n"
    "  --memory MB           AWS_LAMBDA_FUNCTION_MEMORY_SIZE (default 256; told, not\n"
    "                        enforced)\n"
    "  --function-name NAME  AWS_LAMBDA_FUNCTION_NAME (default: the program's name)\n"
    "  --handler NAME        _HANDLER (default bootstrap)\n"
    "  --env NAME=VALUE      a variable of the function's configuration; repeatable\n"
    "\n"
    "The provider's environment is Lambda's (AWS_LAMBDA_FUNCTION_NAME, _VERSION,\n"
    "_MEMORY_SIZE, AWS_LAMBDA_LOG_GROUP_NAME, _LOG_STREAM_NAME, AWS_LAMBDA_RUNTIME_API,\n"
    "LAMBDA_TASK_ROOT, LAMBDA_RUNTIME_DIR, _HANDLER, TZ, LANG, PATH, LD_LIBRARY_PATH),\n"
    "this shell's AWS_* settings (credentials, region, endpoints, as Lambda gives the\n"
    "function's role and region) and --env; nothing else. The time limit reaches\n"
    "the provider as Lambda-Runtime-Deadline-Ms (epoch milliseconds).\n"
    "\n"
    "Exit 0 when every request was answered SUCCESS, 1 when every request was\n"
    "answered and some FAILED, 2 when a request got no answer (crash, timeout) or on\n"
    "a usage error.\n";

typedef struct invocation {
    cJSON *event;
    char id[37];
    const char *outcome; /* response, error, init-error, timeout, exit */
    char *payload;       /* the body the runtime posted */
    char error_type[128];
    char detail[256];
    char *cfn; /* the CloudFormation response PUT to the ResponseURL */
    int64_t ms;
} invocation;

typedef struct runner {
    lo_server *srv;
    char bootstrap[PATH_MAX];
    char task_root[PATH_MAX];
    char *unpacked; /* the package's temporary task root */
    char *env[MAX_ENV];
    size_t n_env;
    const char *name;
    char arn[512];
    double timeout;
    pid_t pid;
    lo_request pending; /* a `next` asked for before the current one ended */
    invocation inv[MAX_EVENTS];
    size_t n_inv;
} runner;

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "cfnkit lambda-run: %s%s\n\n%s", what, arg, usage_text);
    return 2;
}

static int add_env(runner *r, const char *name, const char *value)
{
    size_t n = strlen(name);
    char *kv = malloc(n + strlen(value) + 2);
    if (!kv)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    sprintf(kv, "%s=%s", name, value);
    for (size_t i = 0; i < r->n_env; i++)
        if (strncmp(r->env[i], kv, n + 1) == 0) {
            free(r->env[i]);
            r->env[i] = kv;
            return 0;
        }
    if (r->n_env + 1 >= MAX_ENV) {
        free(kv);
        return cfn_error_set(CFN_EINVAL, "more than %d environment variables", MAX_ENV - 1);
    }
    r->env[r->n_env++] = kv;
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* The package's entries under `dir`, refusing names that leave it. */
static int unpack(const char *zip_path, const char *dir)
{
    int err = 0, rc = -1;
    zip_t *z = zip_open(zip_path, ZIP_RDONLY, &err);
    if (!z)
        return cfn_error_set(CFN_EINVAL, "%s is not a zip archive (libzip error %d)", zip_path,
                             err);
    zip_int64_t n = zip_get_num_entries(z, 0);
    char path[PATH_MAX], buf[65536];
    for (zip_int64_t i = 0; i < n; i++) {
        const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
        if (!name || name[0] == '/' || strstr(name, "..")) {
            cfn_error_set(CFN_EINVAL, "%s: entry \"%s\" would land outside the task root", zip_path,
                          name ? name : "?");
            goto done;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
            *p = '\0';
            mkdir(path, 0755);
            *p = '/';
        }
        if (name[strlen(name) - 1] == '/')
            continue;
        zip_uint8_t os;
        zip_uint32_t attr = 0;
        zip_file_get_external_attributes(z, (zip_uint64_t)i, 0, &os, &attr);
        mode_t mode = os == ZIP_OPSYS_UNIX && (attr >> 16) ? (attr >> 16) & 0777 : 0644;
        zip_file_t *f = zip_fopen_index(z, (zip_uint64_t)i, 0);
        int fd = f ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode) : -1;
        zip_int64_t got = 0;
        while (fd >= 0 && (got = zip_fread(f, buf, sizeof(buf))) > 0)
            if (write(fd, buf, (size_t)got) != got)
                got = -1;
        if (fd >= 0)
            close(fd);
        if (f)
            zip_fclose(f);
        if (fd < 0 || got < 0) {
            cfn_error_set(CFN_EIO, "cannot unpack %s of %s", name, zip_path);
            goto done;
        }
    }
    rc = 0;
done:
    zip_discard(z);
    return rc;
}

static int locate(runner *r, const char *program)
{
    size_t len = strlen(program);
    if (len > 4 && strcmp(program + len - 4, ".zip") == 0) {
        char tmpl[] = "/tmp/cfnkit-task-XXXXXX";
        if (!mkdtemp(tmpl))
            return cfn_error_set(CFN_EIO, "cannot make a task root: %s", strerror(errno));
        r->unpacked = strdup(tmpl);
        if (!r->unpacked)
            return cfn_error_set(CFN_ENOMEM, "out of memory");
        if (unpack(program, tmpl) < 0)
            return -1;
        snprintf(r->task_root, sizeof(r->task_root), "%s", tmpl);
        snprintf(r->bootstrap, sizeof(r->bootstrap), "%s/bootstrap", tmpl);
        if (access(r->bootstrap, X_OK) < 0)
            return cfn_error_set(CFN_EINVAL,
                                 "%s has no executable bootstrap at its top (Lambda runs "
                                 "/var/task/bootstrap)",
                                 program);
        return 0;
    }
    if (!realpath(program, r->bootstrap) || access(r->bootstrap, X_OK) < 0)
        return cfn_error_set(CFN_EINVAL, "%s is not an executable program", program);
    snprintf(r->task_root, sizeof(r->task_root), "%s", r->bootstrap);
    *strrchr(r->task_root, '/') = '\0';
    return 0;
}

/* Lambda's variables, the caller's AWS settings, then the configuration. */
static int build_env(runner *r, int memory, const char *handler, const cJSON *first, char **config,
                     size_t n_config)
{
    char value[PATH_MAX * 2 + 128], stream[128], hex[37];
    const cJSON *stack = cJSON_GetObjectItemCaseSensitive(first, "StackId");
    char region[64] = "us-east-1", account[32] = "123456789012";
    if (cJSON_IsString(stack))
        sscanf(stack->valuestring, "arn:%*[^:]:cloudformation:%63[^:]:%31[^:]:", region, account);
    for (char **e = environ; *e; e++) {
        if (strncmp(*e, "AWS_", 4) != 0 || strncmp(*e, "AWS_LAMBDA_", 11) == 0)
            continue;
        char *eq = strchr(*e, '=');
        char name[256];
        if (!eq || (size_t)(eq - *e) >= sizeof(name))
            continue;
        snprintf(name, sizeof(name), "%.*s", (int)(eq - *e), *e);
        if (add_env(r, name, eq + 1) < 0)
            return -1;
    }
    const char *reg = getenv("AWS_REGION");
    if (!reg || !*reg)
        reg = getenv("AWS_DEFAULT_REGION");
    if (!reg || !*reg)
        reg = region;
    snprintf(r->arn, sizeof(r->arn), "arn:aws:lambda:%s:%s:function:%s", reg, account, r->name);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    stk_uuid(hex);
    snprintf(stream, sizeof(stream), "%04d/%02d/%02d/[$LATEST]%.8s%.4s%.4s%.4s%.12s",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, hex, hex + 9, hex + 14, hex + 19,
             hex + 24);
    char mem[16], api[32], group[300];
    snprintf(mem, sizeof(mem), "%d", memory);
    snprintf(api, sizeof(api), "127.0.0.1:%d", lo_port(r->srv));
    /* The responses come back here, an address the provider refuses unless listed. */
    if (add_env(r, "CFNKIT_RESPONSE_URL_ALLOW", api) < 0)
        return -1;
    snprintf(group, sizeof(group), "/aws/lambda/%s", r->name);
    snprintf(value, sizeof(value),
             "/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:%s:%s/lib:/opt/lib", r->task_root,
             r->task_root);
    if (add_env(r, "AWS_REGION", reg) < 0 || add_env(r, "AWS_DEFAULT_REGION", reg) < 0 ||
        add_env(r, "AWS_LAMBDA_FUNCTION_NAME", r->name) < 0 ||
        add_env(r, "AWS_LAMBDA_FUNCTION_VERSION", "$LATEST") < 0 ||
        add_env(r, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", mem) < 0 ||
        add_env(r, "AWS_LAMBDA_LOG_GROUP_NAME", group) < 0 ||
        add_env(r, "AWS_LAMBDA_LOG_STREAM_NAME", stream) < 0 ||
        add_env(r, "AWS_LAMBDA_RUNTIME_API", api) < 0 ||
        add_env(r, "AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand") < 0 ||
        add_env(r, "LAMBDA_TASK_ROOT", r->task_root) < 0 ||
        add_env(r, "LAMBDA_RUNTIME_DIR", "/var/runtime") < 0 ||
        add_env(r, "_HANDLER", handler) < 0 || add_env(r, "TZ", ":UTC") < 0 ||
        add_env(r, "LANG", "en_US.UTF-8") < 0 ||
        add_env(r, "PATH", "/usr/local/bin:/usr/bin/:/bin:/opt/bin") < 0 ||
        add_env(r, "LD_LIBRARY_PATH", value) < 0)
        return -1;
    for (size_t i = 0; i < n_config; i++) {
        char *eq = strchr(config[i], '=');
        char name[256];
        if (!eq || eq == config[i] || (size_t)(eq - config[i]) >= sizeof(name))
            return cfn_error_set(CFN_EINVAL, "--env takes NAME=VALUE, not \"%s\"", config[i]);
        snprintf(name, sizeof(name), "%.*s", (int)(eq - config[i]), config[i]);
        if (add_env(r, name, eq + 1) < 0)
            return -1;
    }
    return 0;
}

static int start(runner *r)
{
    pid_t pid = fork();
    if (pid < 0)
        return cfn_error_set(CFN_EIO, "fork: %s", strerror(errno));
    if (pid == 0) {
        setsid();
        if (chdir(r->task_root) == 0) {
            char *argv[] = {r->bootstrap, NULL};
            execve(r->bootstrap, argv, r->env);
        }
        fprintf(stderr, "cfnkit lambda-run: cannot run %s: %s\n", r->bootstrap, strerror(errno));
        _exit(127);
    }
    r->pid = pid;
    return 0;
}

/* Every process of the bootstrap's session, which its children keep even in
 * process groups of their own (the framework isolates handlers so): Lambda
 * ends them all with the sandbox. Orphans come back to this process (a
 * subreaper) to be collected. */
static void kill_session(pid_t sid)
{
    if (sid <= 1 || sid == getsid(0))
        return;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char path[300], buf[1024];
        pid_t pid = (pid_t)atoi(e->d_name);
        if (pid <= 0)
            continue;
        snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
        if (f)
            fclose(f);
        buf[n] = '\0';
        char *rp = strrchr(buf, ')');
        int ppid, pgrp, session;
        if (rp && sscanf(rp + 2, "%*c %d %d %d", &ppid, &pgrp, &session) == 3 && session == sid)
            kill(pid, SIGKILL);
    }
    if (d)
        closedir(d);
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
}

/* Ends the bootstrap and everything it started, as Lambda ends a sandbox. */
static int stop(runner *r, int sig)
{
    int status = 0;
    pid_t pid = r->pid;
    if (pid <= 0)
        return 0;
    r->pid = 0;
    kill(pid, sig);
    for (int i = 0; i < 100 && waitpid(pid, &status, WNOHANG) != pid; i++)
        usleep(20000);
    kill_session(pid);
    if (waitpid(pid, &status, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    return status;
}

static void describe_exit(int status, char *out, size_t size)
{
    if (WIFSIGNALED(status))
        snprintf(out, size, "Runtime exited with error: signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(out, size, "Runtime exited with error: exit status %d", WEXITSTATUS(status));
}

/* The event as the provider gets it: ResponseURL pointed at this command. */
static char *payload_for(runner *r, size_t i)
{
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/cfn-response/%zu?X-Amz-Signature=local",
             lo_port(r->srv), i);
    cJSON *ev = r->inv[i].event;
    if (cJSON_IsObject(ev)) {
        cJSON *u = cJSON_CreateString(url);
        if (cJSON_GetObjectItemCaseSensitive(ev, "ResponseURL"))
            cJSON_ReplaceItemInObjectCaseSensitive(ev, "ResponseURL", u);
        else
            cJSON_AddItemToObject(ev, "ResponseURL", u);
    }
    return cJSON_PrintUnformatted(ev);
}

static void take_put(runner *r, lo_request *req)
{
    char *end;
    unsigned long n = strtoul(req->path + strlen("/cfn-response/"), &end, 10);
    if (n < r->n_inv && !r->inv[n].cfn) {
        r->inv[n].cfn = req->body;
        req->body = NULL;
        lo_reply(req, 200, NULL, NULL, 0);
        return;
    }
    lo_reply(req, 400, NULL, NULL, 0);
}

/* Answers one request to the Runtime API; returns 1 when the invocation
 * `cur` has ended. */
static int handle(runner *r, size_t cur, lo_request *req, int *running, int64_t *deadline)
{
    invocation *inv = &r->inv[cur];
    if (strcmp(req->method, "PUT") == 0 && strncmp(req->path, "/cfn-response/", 14) == 0) {
        take_put(r, req);
        return 0;
    }
    if (strcmp(req->method, "GET") == 0 &&
        strcmp(req->path, RUNTIME_PREFIX "invocation/next") == 0) {
        if (*running && r->pending.fd <= 0) {
            r->pending = *req;
            return 0;
        }
        char *body = payload_for(r, cur);
        char headers[1024], trace[37];
        stk_uuid(trace);
        *deadline = lo_mono_ms() + (int64_t)(r->timeout * 1000);
        snprintf(headers, sizeof(headers),
                 "Content-Type: application/json\r\n"
                 "Lambda-Runtime-Aws-Request-Id: %s\r\n"
                 "Lambda-Runtime-Deadline-Ms: %lld\r\n"
                 "Lambda-Runtime-Invoked-Function-Arn: %s\r\n"
                 "Lambda-Runtime-Trace-Id: Root=1-%08llx-%.24s;Parent=%.16s;Sampled=0\r\n",
                 inv->id, (long long)(lo_epoch_ms() + (int64_t)(r->timeout * 1000)), r->arn,
                 (unsigned long long)(lo_epoch_ms() / 1000), trace, trace + 19);
        lo_reply(req, 200, headers, body, body ? strlen(body) : 0);
        free(body);
        inv->ms = lo_mono_ms();
        *running = 1;
        return 0;
    }
    if (strcmp(req->method, "POST") == 0 && strcmp(req->path, RUNTIME_PREFIX "init/error") == 0) {
        inv->outcome = "init-error";
        lo_header(req, "Lambda-Runtime-Function-Error-Type", inv->error_type,
                  sizeof(inv->error_type));
        inv->payload = req->body;
        req->body = NULL;
        lo_reply(req, 202, NULL, "{}", 2);
        return 1;
    }
    char prefix[128];
    snprintf(prefix, sizeof(prefix), RUNTIME_PREFIX "invocation/%s/", inv->id);
    if (strcmp(req->method, "POST") == 0 && *running &&
        strncmp(req->path, prefix, strlen(prefix)) == 0) {
        const char *what = req->path + strlen(prefix);
        if (strcmp(what, "response") == 0 || strcmp(what, "error") == 0) {
            inv->outcome = what[0] == 'r' ? "response" : "error";
            lo_header(req, "Lambda-Runtime-Function-Error-Type", inv->error_type,
                      sizeof(inv->error_type));
            inv->payload = req->body;
            req->body = NULL;
            lo_reply(req, 202, NULL, "{\"status\":\"OK\"}", 15);
            return 1;
        }
    }
    lo_reply(req, strncmp(req->path, RUNTIME_PREFIX, strlen(RUNTIME_PREFIX)) == 0 ? 400 : 404, NULL,
             "{\"errorType\":\"InvalidRequestID\"}", 32);
    return 0;
}

static int invoke_one(runner *r, size_t cur)
{
    invocation *inv = &r->inv[cur];
    int running = 0, status;
    int64_t deadline = lo_mono_ms() + INIT_LIMIT_MS;
    stk_uuid(inv->id);
    if (r->pid == 0 && start(r) < 0)
        return -1;
    for (;;) {
        lo_request req;
        int got = 0;
        if (!running && r->pending.fd > 0) {
            req = r->pending;
            memset(&r->pending, 0, sizeof(r->pending));
            got = 1;
        } else {
            got = lo_next(r->srv, POLL_MS, &req);
        }
        if (got < 0)
            return -1;
        if (got && handle(r, cur, &req, &running, &deadline))
            break;
        if (waitpid(r->pid, &status, WNOHANG) == r->pid) {
            kill_session(r->pid);
            r->pid = 0;
            inv->outcome = "exit";
            describe_exit(status, inv->detail, sizeof(inv->detail));
            break;
        }
        if (lo_mono_ms() >= deadline) {
            stop(r, SIGKILL);
            inv->outcome = "timeout";
            if (running)
                snprintf(inv->detail, sizeof(inv->detail), "Task timed out after %.2f seconds",
                         r->timeout);
            else
                snprintf(inv->detail, sizeof(inv->detail),
                         "the bootstrap did not ask for an invocation within %d s of starting",
                         INIT_LIMIT_MS / 1000);
            break;
        }
    }
    inv->ms = running ? lo_mono_ms() - inv->ms : 0;
    if (strcmp(inv->outcome, "init-error") == 0)
        stop(r, SIGKILL);
    /* A response PUT still in flight when the runtime answered. */
    for (int64_t end = lo_mono_ms() + DRAIN_MS; !inv->cfn && lo_mono_ms() < end;) {
        lo_request req;
        if (lo_next(r->srv, POLL_MS, &req) == 1) {
            if (strcmp(req.method, "PUT") == 0 && strncmp(req.path, "/cfn-response/", 14) == 0)
                take_put(r, &req);
            else if (r->pending.fd <= 0 && strcmp(req.method, "GET") == 0)
                r->pending = req;
            else
                lo_reply(&req, 400, NULL, NULL, 0);
        }
    }
    return 0;
}

static int report(const invocation *inv)
{
    cJSON *o = cJSON_CreateObject(), *cfn = inv->cfn ? cJSON_Parse(inv->cfn) : NULL;
    const cJSON *ev = inv->event;
    int code = 2;
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(cfn, "Status");
    if (cJSON_IsString(status))
        code = strcmp(status->valuestring, "SUCCESS") == 0 ? 0 : 1;
    cJSON_AddItemToObject(o, "RequestType",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(ev, "RequestType"), 1));
    cJSON_AddItemToObject(o, "RequestId",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(ev, "RequestId"), 1));
    cJSON_AddStringToObject(o, "Invocation", inv->outcome);
    cJSON_AddNumberToObject(o, "DurationMs", (double)inv->ms);
    if (inv->error_type[0])
        cJSON_AddStringToObject(o, "ErrorType", inv->error_type);
    if (inv->detail[0])
        cJSON_AddStringToObject(o, "Detail", inv->detail);
    if (inv->payload) {
        cJSON *p = cJSON_Parse(inv->payload);
        cJSON_AddItemToObject(o, "Payload", p ? p : cJSON_CreateString(inv->payload));
    }
    if (cfn)
        cJSON_AddItemToObject(o, "Response", cfn);
    else
        cJSON_AddNullToObject(o, "Response");
    char *text = cJSON_PrintUnformatted(o);
    if (text)
        printf("%s\n", text);
    fflush(stdout);
    free(text);
    cJSON_Delete(o);
    return code;
}

static int add_events(runner *r, const char *arg)
{
    cJSON *doc;
    char file[PATH_MAX + 1];
    snprintf(file, sizeof(file), "%s%s", strcmp(arg, "-") == 0 ? "" : "@", arg);
    if (event_read_json(file, &doc) < 0)
        return -1;
    cJSON *list = cJSON_IsArray(doc) ? doc : NULL;
    cJSON *item = list ? list->child : doc;
    while (item) {
        cJSON *next = list ? item->next : NULL;
        if (!cJSON_IsObject(item)) {
            cJSON_Delete(doc);
            return cfn_error_set(CFN_EINVAL, "%s: a request is a JSON object", arg);
        }
        if (r->n_inv == MAX_EVENTS) {
            cJSON_Delete(doc);
            return cfn_error_set(CFN_EINVAL, "more than %d requests", MAX_EVENTS);
        }
        r->inv[r->n_inv++].event = list ? cJSON_DetachItemViaPointer(list, item) : item;
        item = next;
    }
    if (list)
        cJSON_Delete(list);
    return 0;
}

int lambda_run(int argc, char **argv)
{
    static runner r;
    const char *program = NULL, *handler = "bootstrap";
    char *config[MAX_ENV];
    size_t n_config = 0;
    int memory = 256, worst = 0;
    char name[256];
    r.timeout = 300;
    r.pending.fd = -1;

    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            if (program)
                return usage_error("one program only; a second: ", a);
            program = a;
            continue;
        }
        if (i + 1 >= argc)
            return usage_error("a value must follow ", a);
        const char *v = argv[++i];
        char *end;
        if (strcmp(a, "--event") == 0) {
            if (add_events(&r, v) < 0) {
                fprintf(stderr, "cfnkit lambda-run: --event %s: %s\n", v, cfn_error_last());
                return 2;
            }
        } else if (strcmp(a, "--timeout") == 0) {
            r.timeout = strtod(v, &end);
            if (*end || !(r.timeout >= 1 && r.timeout <= 900))
                return usage_error("--timeout takes seconds from 1 to 900, not ", v);
        } else if (strcmp(a, "--memory") == 0) {
            long m = strtol(v, &end, 10);
            if (*end || m < 128 || m > 10240)
                return usage_error("--memory takes MB from 128 to 10240, not ", v);
            memory = (int)m;
        } else if (strcmp(a, "--function-name") == 0) {
            r.name = v;
        } else if (strcmp(a, "--handler") == 0) {
            handler = v;
        } else if (strcmp(a, "--env") == 0) {
            if (n_config == MAX_ENV)
                return usage_error("too many --env", "");
            config[n_config++] = argv[i];
        } else {
            return usage_error("unknown option ", a);
        }
    }
    if (!program)
        return usage_error("which program? (a provider built on cfn_main, or its package zip)", "");
    if (r.n_inv == 0)
        return usage_error("no requests: give --event FILE (or - for standard input)", "");
    if (!r.name) {
        const char *base = strrchr(program, '/') ? strrchr(program, '/') + 1 : program;
        snprintf(name, sizeof(name), "%.*s", (int)strcspn(base, "."), base);
        r.name = name;
    }
    if (lo_open(&r.srv) < 0 || locate(&r, program) < 0 ||
        build_env(&r, memory, handler, r.inv[0].event, config, n_config) < 0) {
        fprintf(stderr, "cfnkit lambda-run: %s\n", cfn_error_last());
        worst = 2;
        goto done;
    }
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    for (size_t i = 0; i < r.n_inv; i++) {
        if (invoke_one(&r, i) < 0) {
            fprintf(stderr, "cfnkit lambda-run: %s\n", cfn_error_last());
            worst = 2;
            goto done;
        }
        int code = report(&r.inv[i]);
        worst = code > worst ? code : worst;
    }
done:
    if (r.pending.fd > 0)
        lo_reply(&r.pending, 410, NULL, NULL, 0);
    stop(&r, SIGTERM);
    lo_close(r.srv);
    if (r.unpacked) {
        nftw(r.unpacked, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(r.unpacked);
    }
    for (size_t i = 0; i < r.n_inv; i++) {
        cJSON_Delete(r.inv[i].event);
        free(r.inv[i].payload);
        free(r.inv[i].cfn);
    }
    for (size_t i = 0; i < r.n_env; i++)
        free(r.env[i]);
    return worst;
}
