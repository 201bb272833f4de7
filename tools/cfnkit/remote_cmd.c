/* `cfnkit cloudformation deploy|delete-stack|describe-stacks|...`: the stack
 * commands with CloudFormation itself as the engine (framework/src/stack/
 * remote.h), options as the AWS CLI's, output as the local engine's. It
 * parses arguments and renders. */
#include "remote_cmd.h"

#include <cfnkit/cfnkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remote.h"

typedef struct args {
    const char *cmd;
    const char *stack, *template_file, *s3_bucket, *s3_prefix, *role_arn;
    const char **overrides, **capabilities, **tags, **retain;
    size_t noverrides, ncapabilities, ntags, nretain;
    bool no_execute, disable_rollback, force_upload, json;
} args;

static const char usage[] =
    "Usage: cfnkit cloudformation deploy --template-file FILE --stack-name NAME\n"
    "           [--parameter-overrides K=V ...] [--capabilities CAP ...]\n"
    "           [--s3-bucket BUCKET [--s3-prefix PREFIX] [--force-upload]]\n"
    "           [--tags K=V ...] [--role-arn ARN] [--no-execute-changeset]\n"
    "           [--disable-rollback] [--output text|json]\n"
    "       cfnkit cloudformation delete-stack --stack-name NAME [--retain-resources ID ...]\n"
    "       cfnkit cloudformation describe-stacks [--stack-name NAME]\n"
    "       cfnkit cloudformation describe-stack-resources --stack-name NAME\n"
    "       cfnkit cloudformation describe-stack-events --stack-name NAME\n"
    "       cfnkit cloudformation list-exports\n"
    "\n"
    "The stack commands with CloudFormation itself as the engine, at the endpoint\n"
    "the standard AWS settings name. deploy makes a change set (CREATE, or UPDATE\n"
    "when the stack exists; parameters not overridden keep their previous values),\n"
    "shows it (Add, Modify with Replacement and the property, Remove), executes it\n"
    "unless --no-execute-changeset, shows every stack event until the stack's\n"
    "status is final, each failure's reason, and the outputs. An empty change set\n"
    "is deleted: \"No updates are to be performed.\". A template over 51,200 bytes\n"
    "is uploaded to --s3-bucket as [PREFIX/]<md5>.template (as the AWS CLI).\n"
    "The describe commands print the AWS CLI's JSON, every page gathered.\n"
    "Exit 0 when the stack reached the state asked for (CREATE_COMPLETE,\n"
    "UPDATE_COMPLETE, DELETE_COMPLETE; or only the change set was asked, or\n"
    "nothing was to be done), 1 otherwise, 2 on a usage error.\n";

static int usage_error(const args *a, const char *what, const char *arg)
{
    fprintf(stderr, "cfnkit cloudformation%s%s: %s%s%s\n\n%s", a->cmd ? " " : "",
            a->cmd ? a->cmd : "", what, arg ? ": " : "", arg ? arg : "", usage);
    return 2;
}

/* Each command's options; lists take the values that follow them. */
static const struct command {
    const char *name, *options;
} commands[] = {
    {"deploy", " --template-file --stack-name --parameter-overrides --capabilities --s3-bucket "
               "--s3-prefix --force-upload --tags --role-arn --no-execute-changeset "
               "--disable-rollback --output "},
    {"delete-stack", " --stack-name --retain-resources --output "},
    {"describe-stacks", " --stack-name --output "},
    {"describe-stack-resources", " --stack-name --output "},
    {"describe-stack-events", " --stack-name --output "},
    {"list-exports", " --output "},
};

static int parse(args *a, const char *allowed, int argc, char **argv)
{
    const char ***list = NULL;
    size_t *nlist = NULL;
    a->overrides = calloc((size_t)argc + 1, sizeof(char *));
    a->capabilities = calloc((size_t)argc + 1, sizeof(char *));
    a->tags = calloc((size_t)argc + 1, sizeof(char *));
    a->retain = calloc((size_t)argc + 1, sizeof(char *));
    if (!a->overrides || !a->capabilities || !a->tags || !a->retain)
        return usage_error(a, "out of memory", NULL);
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
            fputs(usage, stdout);
            return 1;
        }
        if (o[0] != '-' && list) {
            (*list)[(*nlist)++] = o;
            continue;
        }
        list = NULL;
        char opt[64];
        snprintf(opt, sizeof(opt), " %s ", o);
        if (strstr(" --provider --max-concurrency --service-timeout ", opt))
            return usage_error(a, "an option of the local engine, not of CloudFormation", o);
        if (strncmp(o, "--", 2) != 0 || !strstr(allowed, opt))
            return usage_error(a, "unknown option", o);
        if (strcmp(o, "--no-execute-changeset") == 0)
            a->no_execute = true;
        else if (strcmp(o, "--disable-rollback") == 0)
            a->disable_rollback = true;
        else if (strcmp(o, "--force-upload") == 0)
            a->force_upload = true;
        else if (strcmp(o, "--parameter-overrides") == 0)
            list = &a->overrides, nlist = &a->noverrides;
        else if (strcmp(o, "--capabilities") == 0)
            list = &a->capabilities, nlist = &a->ncapabilities;
        else if (strcmp(o, "--tags") == 0)
            list = &a->tags, nlist = &a->ntags;
        else if (strcmp(o, "--retain-resources") == 0)
            list = &a->retain, nlist = &a->nretain;
        else if (i + 1 >= argc)
            return usage_error(a, "missing value", o);
        else {
            const char *v = argv[++i];
            if (strcmp(o, "--stack-name") == 0)
                a->stack = v;
            else if (strcmp(o, "--template-file") == 0)
                a->template_file = v;
            else if (strcmp(o, "--s3-bucket") == 0)
                a->s3_bucket = v;
            else if (strcmp(o, "--s3-prefix") == 0)
                a->s3_prefix = v;
            else if (strcmp(o, "--role-arn") == 0)
                a->role_arn = v;
            else if (strcmp(v, "json") == 0 || strcmp(v, "text") == 0)
                a->json = strcmp(v, "json") == 0;
            else
                return usage_error(a, "--output is text or json, not", v);
        }
    }
    return 0;
}

static void free_args(args *a)
{
    free(a->overrides);
    free(a->capabilities);
    free(a->tags);
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

static const char *field(const cJSON *o, const char *name)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
    return s ? s : "";
}

/* ---- progress, as the local engine shows it ---- */

static void on_change(void *arg, const cJSON *c)
{
    const args *a = arg;
    if (a->json) {
        print_json(c, false);
        return;
    }
    const cJSON *rc = cJSON_GetObjectItemCaseSensitive(c, "ResourceChange");
    printf("  %-7s %-30s %-36s", field(rc, "Action"), field(rc, "LogicalResourceId"),
           field(rc, "ResourceType"));
    if (*field(rc, "Replacement")) {
        printf(" Replacement: %s", field(rc, "Replacement"));
        const char *sep = " (";
        const cJSON *d;
        cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(rc, "Details"))
        {
            const cJSON *t = cJSON_GetObjectItemCaseSensitive(d, "Target");
            printf("%s%s: %s", sep, field(t, "Name"), field(t, "RequiresRecreation"));
            sep = ", ";
        }
        if (strcmp(sep, ", ") == 0)
            printf(")");
    }
    printf("\n");
    fflush(stdout);
}

static void on_event(void *arg, const cJSON *e)
{
    const args *a = arg;
    if (a->json) {
        print_json(e, false);
        return;
    }
    printf("%s  %-30s %-36s %-28s %s\n", field(e, "Timestamp"), field(e, "LogicalResourceId"),
           field(e, "ResourceType"), field(e, "ResourceStatus"), field(e, "ResourceStatusReason"));
    fflush(stdout);
}

static void render_end(const args *a, const cJSON *report, int rc)
{
    const cJSON *failures = cJSON_GetObjectItemCaseSensitive(report, "Failures");
    const cJSON *stack = cJSON_GetObjectItemCaseSensitive(report, "Stack");
    if (a->json) {
        cJSON *o = cJSON_CreateObject();
        const char *id = field(report, "ChangeSetId");
        if (*id)
            cJSON_AddStringToObject(o, "ChangeSetId", id);
        cJSON_AddItemToObject(o, "Failures",
                              failures ? cJSON_Duplicate(failures, 1) : cJSON_CreateArray());
        if (stack)
            cJSON_AddItemToObject(o, "Stack", cJSON_Duplicate(stack, 1));
        if (rc < 0)
            cJSON_AddStringToObject(o, "Error", cfn_error_last());
        print_json(o, false);
        cJSON_Delete(o);
        return;
    }
    if (cJSON_GetArraySize(failures) > 0) {
        printf("\nFailures:\n");
        const cJSON *f;
        cJSON_ArrayForEach(f, failures)
        {
            printf("  %-30s %-16s %s\n", field(f, "LogicalResourceId"), field(f, "ResourceStatus"),
                   field(f, "ResourceStatusReason"));
        }
    }
    const cJSON *outs = cJSON_GetObjectItemCaseSensitive(stack, "Outputs");
    if (rc == 0 && strcmp(a->cmd, "deploy") == 0 && cJSON_GetArraySize(outs) > 0) {
        printf("\nOutputs:\n");
        const cJSON *x;
        cJSON_ArrayForEach(x, outs)
        {
            const char *exp = field(x, "ExportName");
            printf("  %s = %s%s%s%s\n", field(x, "OutputKey"), field(x, "OutputValue"),
                   *exp ? " (export " : "", exp, *exp ? ")" : "");
        }
    }
    if (*field(stack, "StackStatus"))
        printf("\nStack %s: %s\n", a->stack, field(stack, "StackStatus"));
}

static int run(args *a, cfn_aws *aws)
{
    cJSON *report = NULL, *out = NULL;
    int rc;
    stk_remote_env env = {.aws = aws, .on_change = on_change, .on_event = on_event, .arg = a};
    if (strcmp(a->cmd, "deploy") == 0) {
        stk_remote_deploy_args d = {.stack_name = a->stack,
                                    .template_file = a->template_file,
                                    .overrides = a->overrides,
                                    .noverrides = a->noverrides,
                                    .capabilities = a->capabilities,
                                    .ncapabilities = a->ncapabilities,
                                    .tags = a->tags,
                                    .ntags = a->ntags,
                                    .role_arn = a->role_arn,
                                    .s3_bucket = a->s3_bucket,
                                    .s3_prefix = a->s3_prefix,
                                    .force_upload = a->force_upload,
                                    .no_execute = a->no_execute,
                                    .disable_rollback = a->disable_rollback};
        if (!a->json)
            printf("Stack %s: change set (CloudFormation):\n", a->stack);
        rc = stk_remote_deploy(&env, &d, &report);
        if (rc == 0 && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(report, "NoChanges")) &&
            !a->json)
            printf("No updates are to be performed.\n");
        else if (rc == 0 && a->no_execute && !a->json)
            printf("(--no-execute-changeset: change set %s not executed)\n",
                   field(report, "ChangeSetId"));
        render_end(a, report, rc);
    } else if (strcmp(a->cmd, "delete-stack") == 0) {
        rc = stk_remote_delete(&env, a->stack, a->retain, a->nretain, &report);
        render_end(a, report, rc);
    } else {
        if (strcmp(a->cmd, "describe-stacks") == 0)
            rc = stk_remote_describe_stacks(aws, a->stack, &out);
        else if (strcmp(a->cmd, "describe-stack-resources") == 0)
            rc = stk_remote_describe_resources(aws, a->stack, &out);
        else if (strcmp(a->cmd, "describe-stack-events") == 0)
            rc = stk_remote_describe_events(aws, a->stack, &out);
        else
            rc = stk_remote_list_exports(aws, &out);
        if (rc == 0)
            print_json(out, true);
    }
    if (rc < 0)
        fprintf(stderr, "cfnkit cloudformation %s: %s\n", a->cmd, cfn_error_last());
    cJSON_Delete(report);
    cJSON_Delete(out);
    return rc < 0 ? 1 : 0;
}

int remote_cmd_run(const char *cmd, int argc, char **argv)
{
    args a = {0};
    const struct command *c = NULL;
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(cmd, commands[i].name) == 0)
            c = &commands[i];
    if (!c)
        return usage_error(&a, "unknown command", cmd);
    a.cmd = c->name;
    int rc = parse(&a, c->options, argc, argv);
    if (rc != 0) {
        free_args(&a);
        return rc == 1 ? 0 : rc;
    }
    bool deploy = strcmp(a.cmd, "deploy") == 0;
    if (deploy && !a.template_file)
        rc = usage_error(&a, "--template-file is required", NULL);
    else if (!a.stack && strcmp(a.cmd, "describe-stacks") != 0 &&
             strcmp(a.cmd, "list-exports") != 0)
        rc = usage_error(&a, "--stack-name is required", NULL);
    else if (!a.s3_bucket && (a.s3_prefix || a.force_upload))
        rc = usage_error(&a, "--s3-prefix and --force-upload go with --s3-bucket", NULL);
    if (rc != 0) {
        free_args(&a);
        return rc;
    }
    cfn_aws *aws = NULL;
    if (cfn_aws_new(&aws, NULL) < 0) {
        fprintf(stderr, "cfnkit cloudformation %s: %s\n", a.cmd, cfn_error_last());
        free_args(&a);
        return 1;
    }
    rc = run(&a, aws);
    cfn_aws_free(aws);
    free_args(&a);
    return rc;
}

int remote_cmd(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        fputs(usage, argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    return remote_cmd_run(argv[0], argc - 1, argv + 1);
}
