/* `cfnkit aws`: calls AWS through the same client, credentials and endpoint
 * settings the modules use, printing JSON. For checking a configuration and
 * for scripts and tests. */
#include "aws_cmd.h"

#include <cfnkit/cfnkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "Usage: cfnkit aws dynamodb|lambda|apigateway|ssm OPERATION [JSON | @FILE | -]\n"
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
    "Operations take the API's own names and JSON shapes (\"PutItem\", \"GetFunction\").\n"
    "put-object prints {\"ETag\": ...}, head-object the object's metadata as JSON.\n"
    "Settings as in the AWS SDKs: AWS_REGION, AWS_PROFILE, AWS_ACCESS_KEY_ID, ...,\n"
    "AWS_ENDPOINT_URL[_<SERVICE>], AWS_MAX_ATTEMPTS. Exit 0 on success, 1 when AWS\n"
    "refused or could not be reached, 2 on a usage error.\n";

void aws_cmd_usage(FILE *out)
{
    fputs(usage_text, out);
}

static int usage_error(const char *what)
{
    fprintf(stderr, "cfnkit aws: %s\n\n%s", what, usage_text);
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

static int json_service(cfn_aws *aws, const char *svc, int argc, char **argv)
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
    int (*call)(cfn_aws *, const char *, const cJSON *, cJSON **) =
        strcmp(svc, "dynamodb") == 0 ? cfn_dynamodb
        : strcmp(svc, "lambda") == 0 ? cfn_lambda
        : strcmp(svc, "ssm") == 0    ? cfn_ssm
                                     : cfn_apigateway;
    int rc = call(aws, argv[0], in, &out);
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
    if (strcmp(svc, "dynamodb") == 0 || strcmp(svc, "lambda") == 0 ||
        strcmp(svc, "apigateway") == 0 || strcmp(svc, "ssm") == 0)
        rc = json_service(aws, svc, argc - 1, argv + 1);
    else if (strcmp(svc, "s3") == 0)
        rc = s3(aws, argc - 1, argv + 1);
    else if (strcmp(svc, "iam") == 0)
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
    } else
        rc = usage_error("unknown service or command");
    cfn_aws_free(aws);
    return rc;
}
