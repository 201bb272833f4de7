/* `cfnkit check`: runs `PROGRAM invoke` for each request of a lifecycle,
 * receives the responses on a loopback ResponseURL of its own, and checks the
 * promises CloudFormation relies on. */
#include "check_cmd.h"

#include "event_cmd.h"
#include "request.h"
#include "loopback.h"

#include <cfnkit/cfnkit.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define POLL_MS        20
#define DRAIN_MS       100
#define MAX_LOOK_BYTES (1024u * 1024)

static const char usage_text[] =
    "Usage: cfnkit check --provider PROGRAM --type TYPE --properties JSON|@FILE [options]\n"
    "\n"
    "Drives a provider built on cfn_main (`PROGRAM invoke`) through what CloudFormation\n"
    "can send it, against the AWS the standard settings name (AWS_REGION,\n"
    "AWS_ENDPOINT_URL, credentials...), receiving each response on a ResponseURL\n"
    "served by this command on 127.0.0.1, and reports every broken promise with the\n"
    "request that showed it:\n"
    "  - the Create is answered once, SUCCESS, within the time limit, with a\n"
    "    well-formed response (id, RequestId, StackId, LogicalResourceId)\n"
    "  - the same Create delivered twice gives the same physical id and Data\n"
    "  - an Update that changes nothing keeps the id\n"
    "  - an Update to --update-properties succeeds, keeping or changing the id as\n"
    "    --replacement says (a changed id is a replacement: the old id is then\n"
    "    deleted, as CloudFormation does)\n"
    "  - the rollback Update (old and new properties swapped) succeeds\n"
    "  - Delete succeeds, and succeeds again when delivered twice\n"
    "  - Delete of an id that never existed succeeds\n"
    "  - Delete after a failed Create (--failing-properties) succeeds\n"
    "  - nothing is left afterwards: --look prints the same as before the Create\n"
    "\n"
    "Options:\n"
    "  --provider PROGRAM            the provider (e.g. build/tools/cfnkit for the\n"
    "                                built-in types)\n"
    "  --type TYPE                   the resource type to check\n"
    "  --properties JSON|@FILE       properties of the Create\n"
    "  --update-properties JSON|@FILE  properties of an Update that changes something\n"
    "  --replacement yes|no          whether that Update replaces the resource\n"
    "  --failing-properties JSON|@FILE  properties whose Create fails (default {})\n"
    "  --look COMMAND                a shell command printing what the provider may\n"
    "                                leave behind, e.g. 'cfnkit aws s3 list-objects B'\n"
    "  --timeout SECONDS             each request's time limit (default 60)\n"
    "  --verbose                     show the provider's own output\n"
    "\n"
    "Exit 0 when every promise holds, 1 when one is broken, 2 on a usage error or\n"
    "when the checks could not run.\n";

typedef struct answer {
    int puts;      /* responses received */
    cJSON *body;   /* the first one */
    int64_t ms;    /* from the request to the first response */
    int status;    /* the provider's exit status */
    char why[512]; /* what is wrong with it, "" when well-formed */
} answer;

typedef struct checker {
    lo_server *srv;
    event_origin o;
    const char *provider, *type, *look;
    double timeout;
    int verbose;
    unsigned deliveries;
    int held, broken, skipped;
} checker;

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "cfnkit check: %s%s\n\n%s", what, arg, usage_text);
    return 2;
}

static void answer_free(answer *a)
{
    cJSON_Delete(a->body);
    memset(a, 0, sizeof(*a));
}

static const char *field(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool succeeded(const answer *a)
{
    return !a->why[0] && strcmp(field(a->body, "Status"), "SUCCESS") == 0;
}

static const char *answer_id(const answer *a)
{
    return a->body ? field(a->body, "PhysicalResourceId") : NULL;
}

/* What CloudFormation would refuse or miss in an answer. */
static void judge(const checker *c, const cJSON *ev, answer *a)
{
    static const char *const copied[] = {"RequestId", "StackId", "LogicalResourceId"};
    const char *status = field(a->body, "Status"), *id = field(a->body, "PhysicalResourceId");
    if (a->puts == 0) {
        snprintf(a->why, sizeof(a->why), "no response (the provider exited with status %d)",
                 a->status);
        return;
    }
    if (a->puts > 1) {
        snprintf(a->why, sizeof(a->why), "answered %d times", a->puts);
        return;
    }
    if (!status || (strcmp(status, "SUCCESS") != 0 && strcmp(status, "FAILED") != 0)) {
        snprintf(a->why, sizeof(a->why), "the response has no Status SUCCESS or FAILED");
        return;
    }
    if (!id || !*id || strlen(id) > 1024) {
        snprintf(a->why, sizeof(a->why), "the PhysicalResourceId is empty or over 1 KB");
        return;
    }
    for (size_t i = 0; i < sizeof(copied) / sizeof(copied[0]); i++) {
        const char *want = field(ev, copied[i]), *got = field(a->body, copied[i]);
        if (!got || strcmp(want, got) != 0) {
            snprintf(a->why, sizeof(a->why), "the response's %s is not the request's", copied[i]);
            return;
        }
    }
    if (a->ms > (int64_t)(c->timeout * 1000))
        snprintf(a->why, sizeof(a->why), "answered after %lld ms, past the %.0f s limit",
                 (long long)a->ms, c->timeout);
}

static void take_put(checker *c, unsigned delivery, answer *a, int64_t started)
{
    lo_request req;
    while (lo_next(c->srv, POLL_MS, &req) == 1) {
        unsigned n = 0;
        if (strcmp(req.method, "PUT") == 0 && sscanf(req.path, "/r/%u", &n) == 1 && n == delivery) {
            if (a->puts++ == 0) {
                a->body = cJSON_Parse(req.body);
                a->ms = lo_mono_ms() - started;
            }
            lo_reply(&req, 200, NULL, NULL, 0);
        } else {
            lo_reply(&req, 404, NULL, NULL, 0);
        }
    }
}

/* One delivery of `ev` to the provider, answered to a ResponseURL of its own. */
static int deliver(checker *c, cJSON *ev, answer *a)
{
    char url[96], limit[32];
    unsigned delivery = ++c->deliveries;
    int in[2];
    memset(a, 0, sizeof(*a));
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/r/%u?X-Amz-Signature=check", lo_port(c->srv),
             delivery);
    cJSON_ReplaceItemInObjectCaseSensitive(ev, "ResponseURL", cJSON_CreateString(url));
    char *text = cJSON_PrintUnformatted(ev);
    if (!text || pipe2(in, O_CLOEXEC) < 0) {
        free(text);
        return cfn_error_set(CFN_EIO, "cannot run the provider: %s", strerror(errno));
    }
    snprintf(limit, sizeof(limit), "%g", c->timeout);
    int64_t started = lo_mono_ms();
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        if (!c->verbose) {
            int null = open("/dev/null", O_WRONLY);
            dup2(null, 1);
            dup2(null, 2);
        }
        char *argv[] = {(char *)c->provider, "invoke", "--event", "-", "--timeout", limit, NULL};
        execv(c->provider, argv);
        _exit(127);
    }
    close(in[0]);
    size_t len = strlen(text), off = 0;
    while (pid > 0 && off < len) {
        ssize_t w = write(in[1], text + off, len - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    close(in[1]);
    free(text);
    if (pid < 0)
        return cfn_error_set(CFN_EIO, "fork: %s", strerror(errno));
    int64_t hard = started + (int64_t)(c->timeout * 1000) + 30000;
    while (waitpid(pid, &a->status, WNOHANG) == 0) {
        take_put(c, delivery, a, started);
        if (lo_mono_ms() > hard) {
            kill(pid, SIGKILL);
            waitpid(pid, &a->status, 0);
        }
    }
    a->status = WIFEXITED(a->status) ? WEXITSTATUS(a->status) : 128 + WTERMSIG(a->status);
    for (int64_t end = lo_mono_ms() + DRAIN_MS; lo_mono_ms() < end;)
        take_put(c, delivery, a, started);
    judge(c, ev, a);
    return 0;
}

static cJSON *request(checker *c, const char *action, const cJSON *props, const cJSON *old,
                      const char *id)
{
    cJSON *ev = NULL;
    c->o.response_url = "http://127.0.0.1/";
    if (event_build(&c->o, action, c->type, props, old, id, &ev) < 0)
        return NULL;
    return ev;
}

static void verdict(checker *c, bool ok, const cJSON *ev, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void verdict(checker *c, bool ok, const cJSON *ev, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%-5s ", ok ? "ok" : "FAIL");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    if (ok) {
        c->held++;
        return;
    }
    c->broken++;
    if (ev) {
        char *text = cJSON_PrintUnformatted(ev);
        printf("      request: %s\n", text ? text : "?");
        free(text);
    }
}

static void skip(checker *c, const char *what)
{
    printf("skip  %s\n", what);
    c->skipped++;
}

/* The answer in words, for a report line. */
static const char *said(const answer *a, char *buf, size_t size)
{
    if (a->why[0])
        snprintf(buf, size, "%s", a->why);
    else if (!succeeded(a))
        snprintf(buf, size, "FAILED: %.400s",
                 field(a->body, "Reason") ? field(a->body, "Reason") : "");
    else
        snprintf(buf, size, "SUCCESS, id %.400s", answer_id(a));
    return buf;
}

/* The lines of `after` that `before` lacks, a few at most. */
static void print_new_lines(const char *before, const char *after)
{
    int shown = 0;
    for (const char *line = after; *line && shown < 8;) {
        size_t n = strcspn(line, "\n");
        bool found = false;
        for (const char *b = before; *b && !found;) {
            size_t m = strcspn(b, "\n");
            found = m == n && strncmp(b, line, n) == 0;
            b += m + (b[m] == '\n');
        }
        if (!found) {
            printf("      %.*s\n", (int)n, line);
            shown++;
        }
        line += n + (line[n] == '\n');
    }
}

static int look(const checker *c, char **out)
{
    *out = NULL;
    if (!c->look)
        return 0;
    FILE *p = popen(c->look, "r");
    if (!p)
        return cfn_error_set(CFN_EIO, "cannot run --look: %s", strerror(errno));
    size_t cap = 4096, len = 0, n;
    char *buf = malloc(cap);
    while (buf && (n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (len + 1 == cap) {
            char *grown = cap < MAX_LOOK_BYTES ? realloc(buf, cap * 2) : NULL;
            if (!grown)
                break;
            buf = grown;
            cap *= 2;
        }
    }
    int status = pclose(p);
    if (!buf)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    buf[len] = '\0';
    if (status != 0) {
        free(buf);
        return cfn_error_set(CFN_EIO, "--look '%s' failed (exit status %d)", c->look,
                             WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    }
    *out = buf;
    return 0;
}

/* An id of the same form as `id` that no Create answered: the last digit of
 * its last path segment changed, or else its last lowercase letter or digit
 * (an upper-case part is often a fixed word such as a method). */
static char *never_made(const char *id)
{
    char *s = strdup(id), *pick = NULL;
    if (!s)
        return NULL;
    const char *seg = strrchr(s, '/') ? strrchr(s, '/') : s;
    for (char *p = s; *p; p++)
        if (*p >= '0' && *p <= '9' && p >= seg)
            pick = p;
    if (!pick)
        for (char *p = s; *p; p++)
            if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z'))
                pick = p;
    if (pick && *pick >= '0' && *pick <= '9')
        *pick = (char)('0' + (*pick - '0' + 1) % 10);
    else if (pick)
        *pick = *pick == 'z' ? 'a' : (char)(*pick + 1);
    return s;
}

/* Deletes `id` (delivered twice when `twice`); true when every delivery
 * succeeded. */
static int delete_id(checker *c, const cJSON *props, const char *id, const char *what, bool twice)
{
    answer a;
    char buf[600];
    cJSON *ev = request(c, "Delete", props, NULL, id);
    if (!ev || deliver(c, ev, &a) < 0) {
        cJSON_Delete(ev);
        return -1;
    }
    verdict(c, succeeded(&a), ev, "%s: %s", what, said(&a, buf, sizeof(buf)));
    if (twice) {
        answer_free(&a);
        if (deliver(c, ev, &a) < 0) {
            cJSON_Delete(ev);
            return -1;
        }
        verdict(c, succeeded(&a), ev, "the same Delete delivered again: %s",
                said(&a, buf, sizeof(buf)));
    }
    answer_free(&a);
    cJSON_Delete(ev);
    return 0;
}

static int run_checks(checker *c, const cJSON *props, const cJSON *update, int replacement,
                      const cJSON *failing)
{
    answer a = {0}, b = {0};
    char buf[600], buf2[600], *before = NULL, *after = NULL, *id = NULL, *ghost = NULL;
    cJSON *ev = NULL;
    int rc = -1;

    if (look(c, &before) < 0)
        goto done;
    /* Create, and the same Create again. */
    if (!(ev = request(c, "Create", props, NULL, NULL)) || deliver(c, ev, &a) < 0)
        goto done;
    verdict(c, succeeded(&a), ev, "Create answered once, SUCCESS, in %lld ms: %s", (long long)a.ms,
            said(&a, buf, sizeof(buf)));
    if (!succeeded(&a)) {
        skip(c, "the rest needs a successful Create");
        rc = 0;
        goto done;
    }
    id = strdup(answer_id(&a));
    if (deliver(c, ev, &b) < 0)
        goto done;
    const cJSON *da = cJSON_GetObjectItemCaseSensitive(a.body, "Data");
    const cJSON *db = cJSON_GetObjectItemCaseSensitive(b.body, "Data");
    bool same_data = (!da && !db) || cJSON_Compare(da, db, 1);
    bool same = succeeded(&b) && strcmp(answer_id(&b), id) == 0 && same_data;
    verdict(c, same, ev, "the same Create delivered twice gives the same id and Data: %s%s",
            said(&b, buf, sizeof(buf)),
            same || !succeeded(&b) ? ""
            : strcmp(answer_id(&b), id) != 0
                ? " (a second resource CloudFormation will never delete)"
                : " (other Data)");
    answer_free(&b);
    cJSON_Delete(ev);

    /* An Update that changes nothing. */
    if (!(ev = request(c, "Update", props, props, id)) || deliver(c, ev, &b) < 0)
        goto done;
    verdict(c, succeeded(&b) && strcmp(answer_id(&b), id) == 0, ev,
            "an Update that changes nothing keeps the id %s: %s", id, said(&b, buf, sizeof(buf)));
    if (succeeded(&b) && strcmp(answer_id(&b), id) != 0) {
        char *next = strdup(answer_id(&b));
        if (delete_id(c, props, id, "Delete of the id it replaced", false) < 0)
            goto done;
        free(id);
        id = next;
    }
    answer_free(&b);
    cJSON_Delete(ev);
    ev = NULL;

    /* An Update that changes properties, then its rollback. */
    if (update) {
        const cJSON *steps[2][2] = {{update, props}, {props, update}};
        for (int i = 0; i < 2; i++) {
            cJSON_Delete(ev);
            if (!(ev = request(c, "Update", steps[i][0], steps[i][1], id)) ||
                deliver(c, ev, &b) < 0)
                goto done;
            bool replaced = succeeded(&b) && strcmp(answer_id(&b), id) != 0;
            bool ok = succeeded(&b) && (i == 1 || replacement < 0 || replaced == replacement);
            verdict(c, ok, ev, "%s: %s%s",
                    i == 0 ? "an Update that changes properties"
                           : "the rollback Update (old and new swapped)",
                    said(&b, buf, sizeof(buf)),
                    !succeeded(&b) ? ""
                    : replaced     ? (i == 0 && replacement == 0 ? " (replaced; expected in place)"
                                                                 : " (replaced)")
                    : i == 0 && replacement == 1 ? " (in place; expected a replacement)"
                                                 : " (in place)");
            if (replaced) {
                char *next = strdup(answer_id(&b));
                snprintf(buf2, sizeof(buf2), "Delete of the id it replaced (%.400s)", id);
                if (delete_id(c, steps[i][1], id, buf2, false) < 0) {
                    free(next);
                    goto done;
                }
                free(id);
                id = next;
            }
            answer_free(&b);
        }
    } else {
        skip(c, "an Update that changes properties, and its rollback: no --update-properties");
    }

    /* Delete, twice; then an id never made. */
    if (delete_id(c, props, id, "Delete succeeds", true) < 0)
        goto done;
    if (!(ghost = never_made(id))) {
        cfn_error_set(CFN_ENOMEM, "out of memory");
        goto done;
    }
    snprintf(buf2, sizeof(buf2), "Delete of an id that never existed (%.400s)", ghost);
    if (delete_id(c, props, ghost, buf2, false) < 0)
        goto done;
    rc = 0;
done:
    if (rc == 0) {
        /* A failed Create, and the Delete CloudFormation sends after it. */
        answer f = {0};
        cJSON *fev = request(c, "Create", failing, NULL, NULL);
        if (!fev || deliver(c, fev, &f) < 0) {
            rc = -1;
        } else if (succeeded(&f)) {
            skip(c, "Delete after a failed Create: the Create with --failing-properties "
                    "succeeded (deleting what it made)");
            rc = delete_id(c, failing, answer_id(&f), "Delete of what it made", false);
        } else if (!f.why[0]) {
            snprintf(buf2, sizeof(buf2), "Delete after a failed Create (%.200s)", answer_id(&f));
            rc = delete_id(c, failing, answer_id(&f), buf2, false);
        } else {
            verdict(c, false, fev, "a Create that fails is answered: %s", f.why);
        }
        answer_free(&f);
        cJSON_Delete(fev);
    }
    if (rc == 0 && c->look) {
        if (look(c, &after) < 0) {
            rc = -1;
        } else {
            bool clean = strcmp(before, after) == 0;
            verdict(c, clean, NULL, "nothing left after the Deletes (--look)%s",
                    clean ? "" : "; new in its output:");
            print_new_lines(before, after);
        }
    }
    answer_free(&a);
    answer_free(&b);
    cJSON_Delete(ev);
    free(id);
    free(ghost);
    free(before);
    free(after);
    return rc;
}

int check_cmd(int argc, char **argv)
{
    checker c = {.timeout = 60};
    const char *props_arg = NULL, *update_arg = NULL, *failing_arg = NULL, *repl = NULL;
    cJSON *props = NULL, *update = NULL, *failing = NULL;
    char stack[64], suffix[37];
    int replacement = -1, rc = 2;

    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
    for (int i = 0; i < argc; i++) {
        static const char *const names[] = {"--provider",    "--type",
                                            "--properties",  "--update-properties",
                                            "--replacement", "--failing-properties",
                                            "--look",        "--timeout"};
        const char *slots[sizeof(names) / sizeof(names[0])] = {0};
        if (strcmp(argv[i], "--verbose") == 0) {
            c.verbose = 1;
            continue;
        }
        size_t k = 0;
        while (k < sizeof(names) / sizeof(names[0]) && strcmp(argv[i], names[k]) != 0)
            k++;
        if (k == sizeof(names) / sizeof(names[0]))
            return usage_error("unknown option ", argv[i]);
        if (i + 1 >= argc)
            return usage_error("a value must follow ", argv[i]);
        slots[k] = argv[++i];
        c.provider = slots[0] ? slots[0] : c.provider;
        c.type = slots[1] ? slots[1] : c.type;
        props_arg = slots[2] ? slots[2] : props_arg;
        update_arg = slots[3] ? slots[3] : update_arg;
        repl = slots[4] ? slots[4] : repl;
        failing_arg = slots[5] ? slots[5] : failing_arg;
        c.look = slots[6] ? slots[6] : c.look;
        if (slots[7]) {
            char *end;
            c.timeout = strtod(slots[7], &end);
            if (*end || !(c.timeout >= 1 && c.timeout <= 3600))
                return usage_error("--timeout takes seconds from 1 to 3600, not ", slots[7]);
        }
    }
    if (!c.provider || !c.type || !props_arg)
        return usage_error("--provider, --type and --properties are required", "");
    if (access(c.provider, X_OK) < 0)
        return usage_error("not an executable program: ", c.provider);
    if (repl && strcmp(repl, "yes") != 0 && strcmp(repl, "no") != 0)
        return usage_error("--replacement takes yes or no, not ", repl);
    if (repl && !update_arg)
        return usage_error("--replacement is about the Update of --update-properties", "");
    if (repl)
        replacement = strcmp(repl, "yes") == 0;
    if (event_read_json(props_arg, &props) < 0 ||
        (update_arg && event_read_json(update_arg, &update) < 0) ||
        event_read_json(failing_arg ? failing_arg : "{}", &failing) < 0) {
        fprintf(stderr, "cfnkit check: %s\n", cfn_error_last());
        goto done;
    }
    stk_uuid(suffix);
    snprintf(stack, sizeof(stack), "cfnkit-check-%.8s", suffix);
    c.o.stack_name = stack;
    c.o.logical_id = "Checked";
    signal(SIGPIPE, SIG_IGN);
    if (lo_open(&c.srv) < 0 || event_origin_init(&c.o, NULL) < 0) {
        fprintf(stderr, "cfnkit check: %s\n", cfn_error_last());
        goto done;
    }
    printf("checking %s of %s in stack %s\n", c.type, c.provider, stack);
    if (run_checks(&c, props, update, replacement, failing) < 0) {
        fprintf(stderr, "cfnkit check: %s\n", cfn_error_last());
        goto done;
    }
    printf("%d held, %d broken, %d skipped\n", c.held, c.broken, c.skipped);
    rc = c.broken ? 1 : 0;
done:
    fflush(stdout);
    cJSON_Delete(props);
    cJSON_Delete(update);
    cJSON_Delete(failing);
    event_origin_free(&c.o);
    lo_close(c.srv);
    return rc;
}
