/* cfn_main: the Lambda runtime when hosted, otherwise a small command line. */
#include "clock.h"
#include "registry.h"
#include "runtime.h"
#include "serve.h"
#include "strbuf.h"

#include <cfnkit/cfnkit.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EVENT_BYTES (16u * 1024 * 1024)
#define MAX_COMMANDS    32

static const cfn_command *added[MAX_COMMANDS];
static size_t n_added;

static const char *prog_name(const char *argv0)
{
    const char *slash = argv0 ? strrchr(argv0, '/') : NULL;
    return slash ? slash + 1 : argv0 ? argv0 : "cfnkit";
}

static void usage(FILE *out, const char *prog)
{
    fprintf(out,
            "Usage: %s invoke --event FILE|- [--timeout SECONDS] [--response-file FILE|-]\n"
            "       %s types\n"
            "       %s --help | --version\n"
            "\n"
            "Serves AWS CloudFormation custom-resource requests for the resource types built\n"
            "into this program. Run with AWS_LAMBDA_RUNTIME_API set and no arguments, it is a\n"
            "Lambda custom runtime (bootstrap).\n"
            "\n"
            "Commands:\n"
            "  invoke     run one request (or every record of an SNS notification) from FILE\n"
            "             or standard input, and PUT the response to its ResponseURL\n"
            "  types      list the resource types this program serves\n",
            prog, prog, prog);
    for (size_t i = 0; i < n_added; i++)
        fprintf(out, "  %-10s %s\n", added[i]->name, added[i]->summary ? added[i]->summary : "");
    fprintf(out,
            "\n"
            "Options of invoke:\n"
            "  --event FILE|-      the request as CloudFormation sends it\n"
            "  --timeout SECONDS   the simulated Lambda time limit (default %d); the handler\n"
            "                      is stopped before it, leaving time to send the response\n"
            "  --response-file FILE|-\n"
            "                      write the response instead of PUTting it: the same bytes\n"
            "                      (fitted into 4096), NoEcho Data included; several\n"
            "                      records' responses one a line; - is standard output\n"
            "\n"
            "Exit status of invoke: 0 SUCCESS delivered, 1 FAILED delivered, 2 nothing could\n"
            "be delivered (unreadable request, no usable ResponseURL, endpoint unreachable).\n"
            "\n"
            "Environment: AWS_LAMBDA_LOG_FORMAT=JSON for JSON log lines, AWS_LAMBDA_LOG_LEVEL,\n"
            "AWS_LAMBDA_FUNCTION_TIMEOUT (runtime: the time limit when the Runtime API gives\n"
            "no plausible deadline), CFNKIT_RESPONSE_URL_ALLOW: hosts (host or host:port,\n"
            "comma-separated, e.g. 127.0.0.1) that may receive responses besides\n"
            "CloudFormation's https S3 hosts of AWS, which alone are accepted by default.\n",
            CFN_DEFAULT_TIMEOUT_S);
}

static int read_all(FILE *f, strbuf *sb)
{
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        if (sb->len + n > MAX_EVENT_BYTES)
            return cfn_error_set(CFN_EINVAL, "request is larger than %u bytes", MAX_EVENT_BYTES);
        if (cfn__sb_append(sb, buf, n) < 0)
            return cfn_error_set(CFN_ENOMEM, "out of memory reading the request");
    }
    if (ferror(f))
        return cfn_error_set(CFN_EIO, "%s", strerror(errno));
    return cfn__sb_append(sb, "", 0);
}

/* The response file of `invoke --response-file`: bodies one a line. */
typedef struct response_file {
    FILE *f;
    const char *name;
    unsigned written;
} response_file;

static int write_response(void *arg, const char *body, size_t len)
{
    response_file *rf = arg;
    if ((rf->written++ > 0 && fputc('\n', rf->f) == EOF) || fwrite(body, 1, len, rf->f) != len ||
        fflush(rf->f) != 0)
        return cfn_error_set(CFN_EIO, "cannot write %s: %s", rf->name, strerror(errno));
    return 0;
}

static int invoke(const char *prog, int argc, char **argv)
{
    const char *event = NULL, *response_path = NULL;
    double timeout = CFN_DEFAULT_TIMEOUT_S;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout, prog);
            return 0;
        }
        if (strncmp(a, "--event=", 8) == 0 || strncmp(a, "--timeout=", 10) == 0 ||
            strncmp(a, "--response-file=", 16) == 0) {
            val = strchr(a, '=') + 1;
        } else if (strcmp(a, "--event") == 0 || strcmp(a, "--timeout") == 0 ||
                   strcmp(a, "--response-file") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "%s: %s needs a value\n", prog, a);
                return 2;
            }
            val = argv[++i];
        } else {
            fprintf(stderr, "%s: unknown option %s of invoke (see --help)\n", prog, a);
            return 2;
        }
        if (strncmp(a, "--event", 7) == 0) {
            event = val;
        } else if (strncmp(a, "--response-file", 15) == 0) {
            response_path = val;
        } else {
            char *end;
            timeout = strtod(val, &end);
            if (*val == '\0' || *end || !(timeout > 0 && timeout <= 3600)) {
                fprintf(stderr, "%s: --timeout takes seconds from 0 to 3600, not \"%s\"\n", prog,
                        val);
                return 2;
            }
        }
    }
    if (!event) {
        fprintf(stderr, "%s: invoke needs --event FILE (or - for standard input)\n", prog);
        return 2;
    }

    strbuf text = {0};
    FILE *f = strcmp(event, "-") == 0 ? stdin : fopen(event, "rb");
    int rc = f ? read_all(f, &text) : cfn_error_set(CFN_EIO, "%s", strerror(errno));
    if (f && f != stdin)
        fclose(f);
    if (rc < 0) {
        fprintf(stderr, "%s: cannot read %s: %s\n", prog, event, cfn_error_last());
        free(text.data);
        return 2;
    }

    response_file rf = {.name = response_path};
    if (response_path) {
        rf.f = strcmp(response_path, "-") == 0 ? stdout : fopen(response_path, "wb");
        if (!rf.f) {
            fprintf(stderr, "%s: cannot write %s: %s\n", prog, response_path, strerror(errno));
            free(text.data);
            return 2;
        }
    }
    /* With the response on standard output, the summary goes to stderr. */
    FILE *summary = rf.f == stdout ? stderr : stdout;
    served *s = NULL;
    size_t n = 0;
    cfn__host_serving(true);
    cfn__host_catch_term();
    int code =
        cfn__serve_payload_to(text.data, text.len, cfn__clock_mono_ms() + (int64_t)(timeout * 1000),
                              rf.f ? write_response : NULL, &rf, &s, &n);
    for (size_t i = 0; i < n; i++) {
        if (s[i].code == 2)
            fprintf(stderr, "%s: nothing %s: %s\n", prog, rf.f ? "written" : "delivered",
                    s[i].error ? s[i].error : "unknown error");
        if (s[i].code < 2)
            fprintf(summary, "%s %s %s\n%s\n", s[i].code == 0 ? "SUCCESS" : "FAILED",
                    rf.f ? "written to" : "delivered to", rf.f ? response_path : s[i].url,
                    s[i].body);
    }
    fflush(stdout);
    if (rf.f && rf.f != stdout && fclose(rf.f) != 0 && code < 2) {
        fprintf(stderr, "%s: cannot write %s: %s\n", prog, response_path, strerror(errno));
        code = 2;
    }
    cfn__served_free(s, n);
    free(text.data);
    return code;
}

static const cfn_command *find_added(const char *name)
{
    for (size_t i = 0; i < n_added; i++)
        if (strcmp(added[i]->name, name) == 0)
            return added[i];
    return NULL;
}

int cfn_command_add(const cfn_command *command)
{
    static const char *const reserved[] = {"invoke", "types", "help", "--help", "-h", "--version"};
    if (!command || !command->name || !*command->name || !command->run)
        return cfn_error_set(CFN_EINVAL, "a command needs a name and a run function");
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
        if (strcmp(command->name, reserved[i]) == 0)
            return cfn_error_set(CFN_EEXISTS, "command %s is cfn_main's own", command->name);
    if (find_added(command->name))
        return cfn_error_set(CFN_EEXISTS, "command %s is already added", command->name);
    if (n_added == MAX_COMMANDS)
        return cfn_error_set(CFN_ENOMEM, "more than %d commands", MAX_COMMANDS);
    added[n_added++] = command;
    return 0;
}

int cfn_main(int argc, char **argv)
{
    const char *prog = prog_name(argc > 0 ? argv[0] : NULL);
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (argc < 2 && api && *api)
        return cfn__runtime_run(api);
    if (argc < 2) {
        usage(stderr, prog);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout, prog);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("%s (cfnkit %s)\n", prog, CFNKIT_VERSION);
        return 0;
    }
    if (strcmp(cmd, "types") == 0) {
        for (size_t i = 0; i < cfn__registry_count(); i++)
            printf("%s\n", cfn__registry_at(i)->type);
        return 0;
    }
    if (strcmp(cmd, "invoke") == 0)
        return invoke(prog, argc - 2, argv + 2);
    const cfn_command *c = find_added(cmd);
    if (c)
        return c->run(argc - 2, argv + 2);
    fprintf(stderr, "%s: unknown command %s (see --help)\n", prog, cmd);
    return 2;
}
