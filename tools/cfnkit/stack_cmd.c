/* The stack commands, named and shaped like the AWS CLI's: deploy,
 * delete-stack, describe-stacks, describe-stack-resources,
 * describe-stack-events, list-exports. They parse arguments and render; the
 * engine is framework/src/stack. */
#include "stack_cmd.h"

#include <cfnkit/cfnkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "clock.h"
#include "remote.h"
#include "remote_cmd.h"
#include "stack.h"

/* The wait for a resource that sets no ServiceTimeout: shorter than
 * CloudFormation's hour, since a local provider that does not answer in
 * five minutes will not. */
#define DEFAULT_SERVICE_TIMEOUT 300

/* A resource in the live view. */
typedef struct row {
    char *logical, *type, *status;
    int64_t start_ms, end_ms;
} row;

typedef struct args {
    const char *cmd;
    const char *stack, *template_file, *output;
    const char **overrides, **capabilities, **providers, **retain;
    size_t noverrides, ncapabilities, nproviders, nretain;
    bool no_execute, disable_rollback, json;
    long max_concurrency, service_timeout;
    /* The live view (a terminal, text output): one line per resource, redrawn. */
    bool live;
    row *rows;
    size_t nrows, drawn;
    char *stack_status;
} args;

static const char deploy_usage[] =
    "Usage: cfnkit deploy --template-file FILE --stack-name NAME\n"
    "                     [--parameter-overrides K=V ...] [--capabilities CAP ...]\n"
    "                     [--no-execute-changeset] [--disable-rollback]\n"
    "                     [--provider PROGRAM ...] [--max-concurrency N]\n"
    "                     [--service-timeout SECONDS] [--output text|json]\n"
    "                     [--engine local|cloudformation]\n"
    "\n"
    "Creates the stack, or updates it, against the AWS the standard settings name\n"
    "(AWS_ENDPOINT_URL, AWS_REGION, ...), playing CloudFormation's part: first the\n"
    "change set (Add, Modify with Replacement True/False/Conditional and the\n"
    "property, Remove; --no-execute-changeset stops there), then one event line per\n"
    "change, every failure's reason, and the outputs. Resources start as soon as\n"
    "what they depend on is complete, at most --max-concurrency at once (default\n"
    "16). A failure rolls back (ROLLBACK_COMPLETE after a create, UPDATE_ROLLBACK_\n"
    "COMPLETE after an update) unless --disable-rollback. Requests go to the types\n"
    "built into cfnkit and to each --provider PROGRAM (built on cfn_main; it serves\n"
    "the types `PROGRAM types` lists). A resource without ServiceTimeout waits\n"
    "300 s for its answer (--service-timeout). The state is kept in the DynamoDB\n"
    "table cfnkit-stacks (CFNKIT_STATE_TABLE); a deploy after an engine was killed\n"
    "first finishes or rolls back what it left. NoEcho values are masked.\n"
    "Exit 0 when the stack is CREATE_COMPLETE or UPDATE_COMPLETE (or nothing was to\n"
    "be done, or only the change set was asked), 1 otherwise, 2 on a usage error.\n"
    "\n"
    "--engine: local (this engine) or cloudformation (CloudFormation itself, through\n"
    "change sets: cfnkit cloudformation --help). Without it, every stack command\n"
    "uses the local engine when the CloudFormation endpoint the AWS settings name\n"
    "(AWS_ENDPOINT_URL_CLOUDFORMATION, AWS_ENDPOINT_URL, the profile's endpoint_url)\n"
    "is a local one, and CloudFormation when it is AWS's own or none is set.\n";

static const char delete_usage[] =
    "Usage: cfnkit delete-stack --stack-name NAME [--retain-resources ID ...]\n"
    "                           [--provider PROGRAM ...] [--max-concurrency N]\n"
    "                           [--output text|json] [--engine local|cloudformation]\n"
    "\n"
    "Deletes the stack's resources in reverse dependency order (DeletionPolicy\n"
    "Retain and RetainExceptOnCreate keep theirs: DELETE_SKIPPED), then the stack.\n"
    "Refused while another stack imports one of its exports. --retain-resources\n"
    "is for a stack in DELETE_FAILED, as CloudFormation. Exit 0 when the stack is\n"
    "gone, 1 otherwise, 2 on a usage error.\n";

static const char describe_usage[] =
    "Usage: cfnkit describe-stacks [--stack-name NAME] [--engine E]\n"
    "       cfnkit describe-stack-resources --stack-name NAME [--engine E]\n"
    "       cfnkit describe-stack-events --stack-name NAME [--engine E]\n"
    "       cfnkit list-exports [--engine E]\n"
    "\n"
    "Print the JSON the AWS CLI prints: {\"Stacks\": [...]}, {\"StackResources\": [...]},\n"
    "{\"StackEvents\": [...]} (newest first), {\"Exports\": [...]}. NoEcho values are\n"
    "masked. Exit 0, 1 when the stack does not exist or the state cannot be read,\n"
    "2 on a usage error.\n";

static const char *usage_of(const char *cmd)
{
    if (strcmp(cmd, "deploy") == 0)
        return deploy_usage;
    if (strcmp(cmd, "delete-stack") == 0)
        return delete_usage;
    return describe_usage;
}

static int usage_error(const args *a, const char *what, const char *arg)
{
    fprintf(stderr, "cfnkit %s: %s%s%s\n\n%s", a->cmd, what, arg ? ": " : "", arg ? arg : "",
            usage_of(a->cmd));
    return 2;
}

/* Parses the options every stack command shares; each command accepts only
 * its own (`allowed` lists them). */
static int parse(args *a, int argc, char **argv, const char *allowed)
{
    const char ***list = NULL;
    size_t *nlist = NULL;
    a->overrides = calloc((size_t)argc + 1, sizeof(char *));
    a->capabilities = calloc((size_t)argc + 1, sizeof(char *));
    a->providers = calloc((size_t)argc + 1, sizeof(char *));
    a->retain = calloc((size_t)argc + 1, sizeof(char *));
    if (!a->overrides || !a->capabilities || !a->providers || !a->retain)
        return usage_error(a, "out of memory", NULL);
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
            fputs(usage_of(a->cmd), stdout);
            return 1;
        }
        if (o[0] != '-' && list) {
            (*list)[(*nlist)++] = o;
            continue;
        }
        list = NULL;
        char opt[64];
        snprintf(opt, sizeof(opt), " %s ", o);
        if (strncmp(o, "--", 2) != 0 || !strstr(allowed, opt))
            return usage_error(a, "unknown option", o);
        bool flag =
            strcmp(o, "--no-execute-changeset") == 0 || strcmp(o, "--disable-rollback") == 0;
        if (flag) {
            if (o[2] == 'n')
                a->no_execute = true;
            else
                a->disable_rollback = true;
            continue;
        }
        if (strcmp(o, "--parameter-overrides") == 0) {
            list = &a->overrides, nlist = &a->noverrides;
            continue;
        }
        if (strcmp(o, "--capabilities") == 0) {
            list = &a->capabilities, nlist = &a->ncapabilities;
            continue;
        }
        if (strcmp(o, "--retain-resources") == 0) {
            list = &a->retain, nlist = &a->nretain;
            continue;
        }
        if (i + 1 >= argc)
            return usage_error(a, "missing value", o);
        const char *v = argv[++i];
        if (strcmp(o, "--stack-name") == 0)
            a->stack = v;
        else if (strcmp(o, "--template-file") == 0)
            a->template_file = v;
        else if (strcmp(o, "--provider") == 0)
            a->providers[a->nproviders++] = v;
        else if (strcmp(o, "--output") == 0) {
            if (strcmp(v, "json") != 0 && strcmp(v, "text") != 0) {
                char msg[300];
                snprintf(msg, sizeof(msg), "--output is text or json, not %.200s", v);
                return usage_error(a, msg, NULL);
            }
            a->json = strcmp(v, "json") == 0;
        } else {
            char *end;
            long n = strtol(v, &end, 10);
            bool timeout = strcmp(o, "--service-timeout") == 0;
            if (*end || n < 1 || n > (timeout ? 3600 : 1000)) {
                char msg[300];
                snprintf(msg, sizeof(msg), "%s, not %.200s",
                         timeout ? "--service-timeout is 1 to 3600 seconds"
                                 : "--max-concurrency is 1 to 1000",
                         v);
                return usage_error(a, msg, NULL);
            }
            if (timeout)
                a->service_timeout = n;
            else
                a->max_concurrency = n;
        }
    }
    return 0;
}

static void free_args(args *a)
{
    for (size_t i = 0; i < a->nrows; i++) {
        free(a->rows[i].logical);
        free(a->rows[i].type);
        free(a->rows[i].status);
    }
    free(a->rows);
    free(a->stack_status);
    free(a->overrides);
    free(a->capabilities);
    free(a->providers);
    free(a->retain);
}

static void print_json(const cJSON *v, bool pretty)
{
    char *s = pretty ? cJSON_Print(v) : cJSON_PrintUnformatted(v);
    if (s)
        printf("%s\n", s);
    free(s);
    fflush(stdout);
}

/* ---- progress ---- */

static row *row_of(args *a, const char *logical, const char *type)
{
    for (size_t i = 0; i < a->nrows; i++)
        if (strcmp(a->rows[i].logical, logical) == 0)
            return &a->rows[i];
    row *grown = realloc(a->rows, (a->nrows + 1) * sizeof(*grown));
    if (!grown)
        return NULL;
    a->rows = grown;
    row *r = &a->rows[a->nrows++];
    memset(r, 0, sizeof(*r));
    r->logical = strdup(logical);
    r->type = strdup(type ? type : "");
    r->status = strdup("waiting");
    return r;
}

/* Redraws the live view in place: waiting, in progress with the time so
 * far, done or failed with the time taken. */
static void redraw(args *a)
{
    int64_t now = cfn__clock_mono_ms();
    if (a->drawn)
        printf("\033[%zuA", a->drawn);
    printf("\033[2K%s: %s\n", a->stack, a->stack_status ? a->stack_status : "starting");
    for (size_t i = 0; i < a->nrows; i++) {
        const row *r = &a->rows[i];
        char when[32] = "";
        if (r->start_ms)
            snprintf(when, sizeof(when), "%.1f s",
                     (double)((r->end_ms ? r->end_ms : now) - r->start_ms) / 1000.0);
        const char *what = !r->start_ms                    ? "waiting"
                           : strstr(r->status, "PROGRESS") ? "in progress"
                           : strstr(r->status, "FAILED")   ? "failed"
                                                           : "done";
        printf("\033[2K  %-30s %-36s %-12s %-28s %s\n", r->logical, r->type, what, r->status, when);
    }
    a->drawn = a->nrows + 1;
    fflush(stdout);
}

static void on_tick(void *arg)
{
    args *a = arg;
    if (a->live && a->drawn)
        redraw(a);
}

static void on_change(void *arg, const cJSON *c)
{
    args *a = arg;
    if (a->json) {
        print_json(c, false);
        return;
    }
    const cJSON *rc = cJSON_GetObjectItem(c, "ResourceChange");
    const char *action = cJSON_GetStringValue(cJSON_GetObjectItem(rc, "Action"));
    printf("  %-7s %-30s %-36s", action,
           cJSON_GetStringValue(cJSON_GetObjectItem(rc, "LogicalResourceId")),
           cJSON_GetStringValue(cJSON_GetObjectItem(rc, "ResourceType")));
    const char *repl = cJSON_GetStringValue(cJSON_GetObjectItem(rc, "Replacement"));
    if (repl) {
        printf(" Replacement: %s", repl);
        const char *sep = " (";
        const cJSON *d;
        cJSON_ArrayForEach(d, cJSON_GetObjectItem(rc, "Details"))
        {
            const cJSON *t = cJSON_GetObjectItem(d, "Target");
            printf("%s%s: %s", sep, cJSON_GetStringValue(cJSON_GetObjectItem(t, "Name")),
                   cJSON_GetStringValue(cJSON_GetObjectItem(t, "RequiresRecreation")));
            sep = ", ";
        }
        if (strcmp(sep, ", ") == 0)
            printf(")");
    }
    printf("\n");
    fflush(stdout);
    if (a->live && strcmp(action, "Remove") != 0)
        row_of(a, cJSON_GetStringValue(cJSON_GetObjectItem(rc, "LogicalResourceId")),
               cJSON_GetStringValue(cJSON_GetObjectItem(rc, "ResourceType")));
}

static void on_event(void *arg, const cJSON *e)
{
    args *a = arg;
    if (a->json) {
        print_json(e, false);
        return;
    }
    if (a->live) {
        const char *logical = cJSON_GetStringValue(cJSON_GetObjectItem(e, "LogicalResourceId"));
        const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(e, "ResourceStatus"));
        if (strcmp(logical, a->stack) == 0) {
            free(a->stack_status);
            a->stack_status = strdup(status);
        } else {
            row *r =
                row_of(a, logical, cJSON_GetStringValue(cJSON_GetObjectItem(e, "ResourceType")));
            if (r) {
                free(r->status);
                r->status = strdup(status);
                if (strstr(status, "PROGRESS")) {
                    r->start_ms = cfn__clock_mono_ms();
                    r->end_ms = 0;
                } else {
                    if (!r->start_ms)
                        r->start_ms = cfn__clock_mono_ms();
                    r->end_ms = cfn__clock_mono_ms();
                }
            }
        }
        redraw(a);
        return;
    }
    const char *reason = cJSON_GetStringValue(cJSON_GetObjectItem(e, "ResourceStatusReason"));
    printf("%s  %-30s %-36s %-28s %s\n", cJSON_GetStringValue(cJSON_GetObjectItem(e, "Timestamp")),
           cJSON_GetStringValue(cJSON_GetObjectItem(e, "LogicalResourceId")),
           cJSON_GetStringValue(cJSON_GetObjectItem(e, "ResourceType")),
           cJSON_GetStringValue(cJSON_GetObjectItem(e, "ResourceStatus")), reason ? reason : "");
    fflush(stdout);
}

static void render_end(const args *a, const cJSON *report, int rc)
{
    const cJSON *failures = cJSON_GetObjectItem(report, "Failures");
    const cJSON *stack = cJSON_GetObjectItem(report, "Stack");
    if (a->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, "Failures", cJSON_Duplicate(failures, 1));
        if (stack)
            cJSON_AddItemToObject(o, "Stack", cJSON_Duplicate(stack, 1));
        if (rc < 0)
            cJSON_AddStringToObject(o, "Error", cfn_error_last());
        const cJSON *served = cJSON_GetObjectItem(report, "ServedTypes");
        if (served)
            cJSON_AddItemToObject(o, "ServedTypes", cJSON_Duplicate(served, 1));
        print_json(o, false);
        cJSON_Delete(o);
        return;
    }
    const cJSON *served = cJSON_GetObjectItem(report, "ServedTypes");
    if (served) {
        /* To stderr, beside the error that names the type not served. */
        fprintf(stderr, "Types served:");
        const cJSON *t;
        cJSON_ArrayForEach(t, served)
        {
            fprintf(stderr, " %s", cJSON_GetStringValue(t));
        }
        fprintf(stderr, "\n");
    }
    if (cJSON_GetArraySize(failures) > 0) {
        printf("\nFailures:\n");
        const cJSON *f;
        cJSON_ArrayForEach(f, failures)
        {
            printf("  %-30s %-16s %s\n",
                   cJSON_GetStringValue(cJSON_GetObjectItem(f, "LogicalResourceId")),
                   cJSON_GetStringValue(cJSON_GetObjectItem(f, "ResourceStatus")),
                   cJSON_GetStringValue(cJSON_GetObjectItem(f, "ResourceStatusReason")));
        }
    }
    const cJSON *outs = cJSON_GetObjectItem(stack, "Outputs");
    if (rc == 0 && strcmp(a->cmd, "deploy") == 0 && cJSON_GetArraySize(outs) > 0) {
        printf("\nOutputs:\n");
        const cJSON *x;
        cJSON_ArrayForEach(x, outs)
        {
            const char *exp = cJSON_GetStringValue(cJSON_GetObjectItem(x, "ExportName"));
            printf("  %s = %s%s%s%s\n", cJSON_GetStringValue(cJSON_GetObjectItem(x, "OutputKey")),
                   cJSON_GetStringValue(cJSON_GetObjectItem(x, "OutputValue")),
                   exp ? " (export " : "", exp ? exp : "", exp ? ")" : "");
        }
    }
    if (stack && cJSON_GetStringValue(cJSON_GetObjectItem(stack, "StackStatus")))
        printf("\nStack %s: %s\n", a->stack,
               cJSON_GetStringValue(cJSON_GetObjectItem(stack, "StackStatus")));
}

/* ---- the AWS, the store and the dispatcher ---- */

typedef struct world {
    cfn_aws *aws;
    stk_store *store;
    stk_dispatch *dispatch;
    char *account;
    char self[4096];
} world;

static int open_world(const args *a, world *w, bool dispatch)
{
    memset(w, 0, sizeof(*w));
    if (cfn_aws_new(&w->aws, NULL) < 0 || stk_store_open(w->aws, &w->store) < 0)
        return -1;
    if (!dispatch)
        return 0;
    if (cfn_sts_get_caller_identity(w->aws, &w->account, NULL) < 0)
        return -1;
    ssize_t n = readlink("/proc/self/exe", w->self, sizeof(w->self) - 1);
    if (n <= 0)
        return cfn_error_set(CFN_EIO, "cannot find the cfnkit executable (/proc/self/exe)");
    w->self[n] = '\0';
    stk_dispatch_config cfg = {
        .self = w->self,
        .providers = a->providers,
        .n_providers = a->nproviders,
        .region = cfn_aws_region(w->aws),
        .account = w->account,
        .default_timeout_s =
            (int)(a->service_timeout ? a->service_timeout : DEFAULT_SERVICE_TIMEOUT),
        .function_env = true};
    return stk_dispatch_new(&cfg, &w->dispatch);
}

static void close_world(world *w)
{
    stk_dispatch_free(w->dispatch);
    stk_store_free(w->store);
    cfn_aws_free(w->aws);
    free(w->account);
}

static int fail(const args *a, int code)
{
    fprintf(stderr, "cfnkit %s: %s\n", a->cmd, cfn_error_last());
    return code;
}

static int run(const char *cmd, int argc, char **argv)
{
    args a = {.cmd = cmd};
    world w;
    cJSON *report = NULL, *out = NULL;
    int rc, code = 1;
    bool deploy = strcmp(cmd, "deploy") == 0, del = strcmp(cmd, "delete-stack") == 0;
    const char *allowed =
        deploy ? " --template-file --stack-name --parameter-overrides --capabilities "
                 "--no-execute-changeset --disable-rollback --provider --max-concurrency "
                 "--service-timeout --output "
        : del  ? " --stack-name --retain-resources --provider --max-concurrency "
                 "--service-timeout --output "
        : strcmp(cmd, "list-exports") == 0 ? " --output "
                                           : " --stack-name --output ";
    if ((rc = parse(&a, argc, argv, allowed)) != 0) {
        free_args(&a);
        return rc == 1 ? 0 : rc;
    }
    if (deploy && !a.template_file) {
        code = usage_error(&a, "--template-file is required", NULL);
        goto done;
    }
    bool need_stack = deploy || del || strcmp(cmd, "describe-stack-resources") == 0 ||
                      strcmp(cmd, "describe-stack-events") == 0;
    if (need_stack && !a.stack) {
        code = usage_error(&a, "--stack-name is required", NULL);
        goto done;
    }
    if (open_world(&a, &w, deploy || del) < 0) {
        code = fail(&a, 1);
        close_world(&w);
        goto done;
    }
    if (deploy || del) {
        /* The native types' descriptors (replacement rules, attributes), as
         * the process that serves them (cfnkit native-provider) has them. */
        for (const cfn_resource_type *const *const *s = cfnkit_native_types; *s; s++)
            for (const cfn_resource_type *const *t = *s; *t; t++)
                if (!cfn_lookup((*t)->type))
                    cfn_register(*t);
        stk_env env = {.store = w.store,
                       .dispatch = w.dispatch,
                       .aws = w.aws,
                       .region = cfn_aws_region(w.aws),
                       .account = w.account,
                       .max_concurrency = (size_t)a.max_concurrency,
                       .on_event = on_event,
                       .on_change = on_change,
                       .on_tick = on_tick,
                       .tick_ms = 250,
                       .arg = &a};
        a.live = !a.json && isatty(STDOUT_FILENO);
        if (deploy) {
            stk_deploy_args d = {.stack_name = a.stack,
                                 .template_file = a.template_file,
                                 .overrides = a.overrides,
                                 .noverrides = a.noverrides,
                                 .capabilities = a.capabilities,
                                 .ncapabilities = a.ncapabilities,
                                 .no_execute = a.no_execute,
                                 .disable_rollback = a.disable_rollback};
            if (!a.json)
                printf("Stack %s: change set (resources without ServiceTimeout wait %ld s):\n",
                       a.stack, a.service_timeout ? a.service_timeout : DEFAULT_SERVICE_TIMEOUT);
            rc = stk_deploy(&env, &d, &report);
            if (rc == 0 && cJSON_IsTrue(cJSON_GetObjectItem(report, "NoChanges")) && !a.json)
                printf("No updates are to be performed.\n");
            else if (rc == 0 && a.no_execute && !a.json)
                printf("(--no-execute-changeset: nothing executed)\n");
        } else {
            rc = stk_delete(&env, a.stack, a.retain, a.nretain, &report);
        }
        render_end(&a, report, rc);
        code = rc < 0 ? fail(&a, 1) : 0;
    } else {
        if (strcmp(cmd, "describe-stacks") == 0)
            rc = stk_describe_stacks(w.store, a.stack, &out);
        else if (strcmp(cmd, "describe-stack-resources") == 0)
            rc = stk_describe_resources(w.store, a.stack, &out);
        else if (strcmp(cmd, "describe-stack-events") == 0)
            rc = stk_describe_events(w.store, a.stack, &out);
        else
            rc = stk_list_exports(w.store, &out);
        if (rc < 0)
            code = fail(&a, 1);
        else {
            print_json(out, true);
            code = 0;
        }
    }
    close_world(&w);
done:
    cJSON_Delete(report);
    cJSON_Delete(out);
    free_args(&a);
    return code;
}

/* Every stack command takes --engine local|cloudformation: without it, the
 * engine follows the endpoint (stk_engine_for_endpoint: a local AWS gets the
 * local engine, AWS's own gets CloudFormation itself). The option is taken
 * out before the chosen engine's command reads the rest. */
static int with_engine(const char *cmd, int argc, char **argv)
{
    stk_engine engine = stk_engine_for_endpoint();
    char **rest = calloc((size_t)argc + 1, sizeof(*rest));
    int n = 0, code;
    /* --help alone describes the command here (its text names both engines). */
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            engine = STK_ENGINE_LOCAL;
    if (!rest) {
        fprintf(stderr, "cfnkit %s: out of memory\n", cmd);
        return 2;
    }
    for (int i = 0; i < argc; i++) {
        const char *name = NULL;
        if (strcmp(argv[i], "--engine") == 0) {
            if (i + 1 == argc) {
                fprintf(stderr, "cfnkit %s: --engine needs a value: local or cloudformation\n",
                        cmd);
                free(rest);
                return 2;
            }
            name = argv[++i];
        } else if (strncmp(argv[i], "--engine=", 9) == 0) {
            name = argv[i] + 9;
        } else {
            rest[n++] = argv[i];
            continue;
        }
        if (stk_engine_parse(name, &engine) < 0) {
            fprintf(stderr, "cfnkit %s: %s\n", cmd, cfn_error_last());
            free(rest);
            return 2;
        }
    }
    code = engine == STK_ENGINE_CLOUDFORMATION ? remote_cmd_run(cmd, n, rest) : run(cmd, n, rest);
    free(rest);
    return code;
}

int stack_deploy_cmd(int argc, char **argv)
{
    return with_engine("deploy", argc, argv);
}

int stack_delete_cmd(int argc, char **argv)
{
    return with_engine("delete-stack", argc, argv);
}

int stack_describe_cmd(int argc, char **argv)
{
    return with_engine("describe-stacks", argc, argv);
}

int stack_resources_cmd(int argc, char **argv)
{
    return with_engine("describe-stack-resources", argc, argv);
}

int stack_events_cmd(int argc, char **argv)
{
    return with_engine("describe-stack-events", argc, argv);
}

int stack_exports_cmd(int argc, char **argv)
{
    return with_engine("list-exports", argc, argv);
}
