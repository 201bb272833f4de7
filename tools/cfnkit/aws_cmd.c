/* `cfnkit aws`: calls AWS through the same client, credentials and endpoint
 * settings the modules use, printing JSON. For checking a configuration and
 * for scripts and tests. */
#include "aws_cmd.h"

#include <cfnkit/cfnkit.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "Usage: cfnkit aws SERVICE OPERATION [JSON | @FILE | -]\n"
    "       cfnkit aws s3 get-object BUCKET KEY [--version-id V] [--file PATH]\n"
    "       cfnkit aws s3 put-object BUCKET KEY (--file PATH | --body TEXT) [--content-type T]\n"
    "       cfnkit aws s3 head-object|delete-object BUCKET KEY\n"
    "       cfnkit aws s3 list-objects BUCKET [PREFIX]\n"
    "       cfnkit aws s3 create-bucket|delete-bucket BUCKET\n"
    "       cfnkit aws s3 presign GET|PUT BUCKET KEY [SECONDS]\n"
    "       cfnkit aws iam create-role NAME ASSUME_POLICY | get-role NAME | delete-role NAME\n"
    "       cfnkit aws iam put-role-policy ROLE NAME DOCUMENT | delete-role-policy ROLE NAME\n"
    "       cfnkit aws sts get-caller-identity\n"
    "\n"
    "SERVICE and OPERATION as the AWS CLI names them (\"sqs\", \"create-queue\" or\n"
    "\"CreateQueue\"); the input is what the CLI's --cli-input-json takes, and the answer\n"
    "is printed as `aws SERVICE OPERATION --output json` prints it. The s3, iam and sts\n"
    "commands below, with positional arguments, are kept for scripts.\n"
    "put-object prints {\"ETag\": ...}, head-object the object's metadata as JSON.\n"
    "Settings as in the AWS SDKs: AWS_REGION, AWS_PROFILE, AWS_ACCESS_KEY_ID, ...,\n"
    "AWS_ENDPOINT_URL[_<SERVICE>], AWS_MAX_ATTEMPTS. Exit 0 on success, 1 when AWS\n"
    "refused or could not be reached, 2 on a usage error.\n";

void aws_cmd_usage(FILE *out)
{
    fputs(usage_text, out);
    fputs("\nServices:", out);
    for (size_t i = 0; cfn_aws_service_name(i); i++)
        fprintf(out, " %s", cfn_aws_service_name(i));
    fputs("\n", out);
}

static int usage_error(const char *what)
{
    fprintf(stderr, "cfnkit aws: %s\n\n", what);
    aws_cmd_usage(stderr);
    return 2;
}

static char *read_input(const char *arg)
{
    if (!arg)
        return strdup("{}");
    if (strcmp(arg, "-") != 0 && arg[0] != '@')
        return strdup(arg);
    FILE *f = strcmp(arg, "-") == 0 ? stdin : fopen(arg + 1, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap) {
            char *b = realloc(buf, cap *= 2);
            if (!b) {
                free(buf);
                buf = NULL;
            } else {
                buf = b;
            }
        }
    }
    if (f != stdin)
        fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

static int print_json(cJSON *o)
{
    char *s = cJSON_Print(o);
    if (s)
        printf("%s\n", s);
    free(s);
    cJSON_Delete(o);
    return 0;
}

static int fail(void)
{
    fprintf(stderr, "cfnkit aws: %s\n", cfn_error_last());
    return 1;
}

static int call(cfn_aws *aws, const char *svc, int argc, char **argv)
{
    if (argc < 1 || argc > 2)
        return usage_error("give an operation and at most one input");
    char *text = read_input(argc == 2 ? argv[1] : NULL);
    if (!text)
        return usage_error("cannot read the input");
    cJSON *in = cJSON_Parse(text);
    free(text);
    if (!in)
        return usage_error("the input is not valid JSON");
    cJSON *out = NULL;
    int rc = cfn_aws_call(aws, svc, argv[0], in, &out);
    cJSON_Delete(in);
    return rc < 0 ? fail() : print_json(out);
}

static const char *option(int argc, char **argv, const char *name)
{
    for (int i = 0; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return NULL;
}

static int s3(cfn_aws *aws, int argc, char **argv)
{
    if (argc < 2)
        return usage_error("give an S3 command and a bucket");
    const char *cmd = argv[0], *bucket = argv[1], *key = argc > 2 ? argv[2] : NULL;
    int rc;
    if (strcmp(cmd, "get-object") == 0 && key) {
        const char *file = option(argc, argv, "--file");
        const char *version = option(argc, argv, "--version-id");
        if (file)
            return cfn_s3_get_object_to_file(aws, bucket, key, version, file) < 0 ? fail() : 0;
        char *data;
        size_t len;
        if (cfn_s3_get_object(aws, bucket, key, version, &data, &len) < 0)
            return fail();
        fwrite(data, 1, len, stdout);
        free(data);
        return 0;
    }
    if (strcmp(cmd, "put-object") == 0 && key) {
        const char *file = option(argc, argv, "--file"), *body = option(argc, argv, "--body");
        const char *type = option(argc, argv, "--content-type");
        if (!file == !body)
            return usage_error("put-object takes --file or --body");
        char etag[CFN_S3_ETAG_SIZE];
        rc = file ? cfn_s3_put_object_from_file(aws, bucket, key, file, type, NULL, etag)
                  : cfn_s3_put_object(aws, bucket, key, body, strlen(body), type, etag);
        if (rc < 0)
            return fail();
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "ETag", etag);
        return print_json(o);
    }
    if (strcmp(cmd, "head-object") == 0 && key) {
        cfn_s3_object_info info;
        if (cfn_s3_head_object(aws, bucket, key, NULL, &info) < 0)
            return fail();
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "ContentLength", (double)info.size);
        cJSON_AddStringToObject(o, "ETag", info.etag);
        cJSON_AddStringToObject(o, "VersionId", info.version_id);
        cJSON_AddStringToObject(o, "ContentType", info.content_type);
        return print_json(o);
    }
    if (strcmp(cmd, "delete-object") == 0 && key)
        return cfn_s3_delete_object(aws, bucket, key) < 0 ? fail() : 0;
    if (strcmp(cmd, "list-objects") == 0) {
        cJSON *list;
        return cfn_s3_list_objects(aws, bucket, key, &list) < 0 ? fail() : print_json(list);
    }
    if (strcmp(cmd, "create-bucket") == 0)
        return cfn_s3_create_bucket(aws, bucket) < 0 ? fail() : 0;
    if (strcmp(cmd, "delete-bucket") == 0)
        return cfn_s3_delete_bucket(aws, bucket) < 0 ? fail() : 0;
    if (strcmp(cmd, "presign") == 0 && argc >= 4) {
        char *url;
        long secs = argc > 4 ? atol(argv[4]) : 3600;
        if (cfn_s3_presign(aws, argv[1], argv[2], argv[3], secs, &url) < 0)
            return fail();
        printf("%s\n", url);
        free(url);
        return 0;
    }
    return usage_error("unknown S3 command or missing arguments");
}

static int print_value(const char *name, char *value)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, name, value);
    free(value);
    return print_json(o);
}

static int iam(cfn_aws *aws, int argc, char **argv)
{
    char *arn = NULL;
    const char *cmd = argc ? argv[0] : "";
    if (strcmp(cmd, "create-role") == 0 && argc == 3)
        return cfn_iam_create_role(aws, argv[1], argv[2], &arn) < 0 ? fail()
                                                                    : print_value("Arn", arn);
    if (strcmp(cmd, "get-role") == 0 && argc == 2)
        return cfn_iam_get_role(aws, argv[1], &arn) < 0 ? fail() : print_value("Arn", arn);
    if (strcmp(cmd, "delete-role") == 0 && argc == 2)
        return cfn_iam_delete_role(aws, argv[1]) < 0 ? fail() : 0;
    if (strcmp(cmd, "put-role-policy") == 0 && argc == 4)
        return cfn_iam_put_role_policy(aws, argv[1], argv[2], argv[3]) < 0 ? fail() : 0;
    if (strcmp(cmd, "delete-role-policy") == 0 && argc == 3)
        return cfn_iam_delete_role_policy(aws, argv[1], argv[2]) < 0 ? fail() : 0;
    return usage_error("unknown IAM command or wrong arguments");
}

static const char *const s3_commands[] = {"get-object",    "put-object",   "head-object",
                                          "delete-object", "list-objects", "create-bucket",
                                          "delete-bucket", "presign",      NULL};
static const char *const iam_commands[] = {"create-role",     "get-role",           "delete-role",
                                           "put-role-policy", "delete-role-policy", NULL};

/* One of the positional commands kept for scripts: named in `cmds`, with
 * arguments that are not a JSON input. */
static bool positional(int argc, char **argv, const char *const *cmds)
{
    if (argc < 1)
        return false;
    if (argc >= 2 && (argv[1][0] == '{' || argv[1][0] == '@' || strcmp(argv[1], "-") == 0))
        return false;
    for (size_t i = 0; cmds[i]; i++)
        if (strcmp(argv[0], cmds[i]) == 0)
            return argc >= 2;
    return false;
}

static bool known(const char *svc)
{
    for (size_t i = 0; cfn_aws_service_name(i); i++)
        if (strcmp(cfn_aws_service_name(i), svc) == 0)
            return true;
    return false;
}

int aws_cmd(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        aws_cmd_usage(argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    const char *svc = argv[0];
    cfn_aws *aws;
    if (cfn_aws_new(&aws, NULL) < 0)
        return fail();
    int rc;
    if (strcmp(svc, "s3") == 0 && positional(argc - 1, argv + 1, s3_commands))
        rc = s3(aws, argc - 1, argv + 1);
    else if (strcmp(svc, "iam") == 0 && positional(argc - 1, argv + 1, iam_commands))
        rc = iam(aws, argc - 1, argv + 1);
    else if (strcmp(svc, "sts") == 0 && argc == 2 && strcmp(argv[1], "get-caller-identity") == 0) {
        char *account, *arn;
        if (cfn_sts_get_caller_identity(aws, &account, &arn) < 0) {
            rc = fail();
        } else {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "Account", account);
            cJSON_AddStringToObject(o, "Arn", arn);
            free(account);
            free(arn);
            rc = print_json(o);
        }
    } else if (known(svc))
        rc = call(aws, svc, argc - 1, argv + 1);
    else
        rc = cfn_aws_call(aws, svc, NULL, NULL, NULL) < 0 ? usage_error(cfn_error_last()) : 2;
    cfn_aws_free(aws);
    return rc;
}
