/* `cfnkit event create|update|delete`: prints a custom-resource request as
 * CloudFormation sends it, ready for `invoke --event -`. */
#include "event_cmd.h"

#include <cfnkit/cfnkit.h>

#include "request.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_INPUT_BYTES (16u * 1024 * 1024)

static const char usage_text[] =
    "Usage: cfnkit event create|update|delete --type Custom::X [options]\n"
    "\n"
    "Prints a custom-resource request exactly as CloudFormation sends it, ready for\n"
    "`invoke --event -` or `lambda-run --event -`: every property a string (\"8080\",\n"
    "\"true\", nested too; null members dropped), a fresh RequestId, a StackId ARN in the\n"
    "region and account of the standard AWS settings (the same for every request of\n"
    "one stack name), ServiceToken in the properties and beside them.\n"
    "\n"
    "Options:\n"
    "  --type TYPE                  the ResourceType (required)\n"
    "  --properties JSON|@FILE|-    ResourceProperties (default {})\n"
    "  --old-properties JSON|@FILE|-\n"
    "                               OldResourceProperties of an update (default: the\n"
    "                               properties, an update that changes nothing)\n"
    "  --physical-id ID             PhysicalResourceId (required by update and delete)\n"
    "  --stack-name NAME            the stack (default my-stack)\n"
    "  --logical-id ID              LogicalResourceId (default MyResource)\n"
    "  --response-url URL           where the response goes (default: CloudFormation's\n"
    "                               form of URL, unsigned; give a presigned URL to deliver)\n"
    "  --service-token ARN          default "
    "arn:aws:lambda:REGION:ACCOUNT:function:cfnkit-provider\n"
    "  --account ID                 the account in the ARNs (default: asked of STS)\n"
    "\n"
    "Exit 0 with the request on standard output, 2 on a usage error.\n";

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "cfnkit event: %s%s\n\n%s", what, arg, usage_text);
    return 2;
}

static char *read_text(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        cfn_error_set(CFN_EIO, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, len = 0, n;
    char *buf = malloc(cap);
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 < cap)
            continue;
        char *grown = cap < MAX_INPUT_BYTES ? realloc(buf, cap * 2) : NULL;
        if (!grown) {
            free(buf);
            buf = NULL;
        } else {
            buf = grown;
            cap *= 2;
        }
    }
    if (f != stdin)
        fclose(f);
    if (!buf) {
        cfn_error_set(CFN_ENOMEM, "%s is too large", path);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

int event_read_json(const char *arg, cJSON **out)
{
    char *text = NULL;
    *out = NULL;
    if (arg[0] == '@' || strcmp(arg, "-") == 0) {
        text = read_text(arg[0] == '@' ? arg + 1 : arg);
        if (!text)
            return -1;
    }
    const char *end = NULL;
    *out = cJSON_ParseWithOpts(text ? text : arg, &end, 1);
    int rc = 0;
    if (!*out)
        rc = cfn_error_set(CFN_EINVAL, "%s is not JSON (near \"%.20s\")", text ? arg : "the value",
                           end ? end : "");
    free(text);
    return rc;
}

int event_origin_init(event_origin *o, const char *account)
{
    cfn_aws *aws = NULL;
    char *arn = NULL;
    int rc = -1;
    if (!o->stack_name)
        o->stack_name = "my-stack";
    if (!o->logical_id)
        o->logical_id = "MyResource";
    if (cfn_aws_new(&aws, NULL) < 0)
        goto done;
    o->region = strdup(cfn_aws_region(aws));
    if (account) {
        o->account = strdup(account);
    } else {
        cfn_aws_set_deadline(aws, 0);
        if (cfn_sts_get_caller_identity(aws, &o->account, &arn) < 0) {
            fprintf(stderr,
                    "cfnkit event: the account is 123456789012: STS did not say (%s); "
                    "--account sets it\n",
                    cfn_error_last());
            o->account = strdup("123456789012");
        }
    }
    if (!o->region || !o->account) {
        cfn_error_set(CFN_ENOMEM, "out of memory");
        goto done;
    }
    if (stk_stack_arn(o->region, o->account, o->stack_name, &o->stack_id) < 0)
        goto done;
    rc = 0;
done:
    free(arn);
    cfn_aws_free(aws);
    return rc;
}

void event_origin_free(event_origin *o)
{
    free(o->stack_id);
    free(o->region);
    free(o->account);
    o->stack_id = o->region = o->account = NULL;
}

/* CloudFormation's ResponseURL: an S3 object named by stack, resource and
 * request, presigned; without the signature, it shows the form only. */
static char *default_response_url(const event_origin *o, const char *request_id)
{
    char region[64], key[2048];
    size_t r = 0, k = 0;
    for (const char *p = o->region; *p && r + 1 < sizeof(region); p++)
        if (*p != '-')
            region[r++] = *p;
    region[r] = '\0';
    char plain[1536];
    snprintf(plain, sizeof(plain), "%s|%s|%s", o->stack_id, o->logical_id, request_id);
    for (const unsigned char *p = (const unsigned char *)plain; *p && k + 4 < sizeof(key); p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("-_.~/", *p))
            key[k++] = (char)*p;
        else
            k += (size_t)snprintf(key + k, 4, "%%%02X", *p);
    }
    key[k] = '\0';
    size_t len = strlen(key) + strlen(region) + 80;
    char *url = malloc(len);
    if (url)
        snprintf(url, len, "https://cloudformation-custom-resource-response-%s.s3.amazonaws.com/%s",
                 region, key);
    return url;
}

int event_build(const event_origin *o, const char *action, const char *type, const cJSON *props,
                const cJSON *old_props, const char *physical_id, cJSON **out)
{
    char request_id[37], token[512];
    snprintf(token, sizeof(token), "arn:%s:lambda:%s:%s:function:cfnkit-provider",
             stk_partition(o->region), o->region, o->account);
    stk_uuid(request_id);
    char *url = o->response_url ? strdup(o->response_url) : default_response_url(o, request_id);
    if (!url)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    stk_event e = {.request_type = action,
                   .stack_id = o->stack_id,
                   .logical_id = o->logical_id,
                   .resource_type = type,
                   .physical_id = physical_id,
                   .request_id = request_id,
                   .response_url = url,
                   .service_token = o->service_token ? o->service_token : token,
                   .properties = props,
                   .old_properties = old_props};
    int rc = stk_event_build(&e, out);
    free(url);
    return rc;
}

int event_cmd(int argc, char **argv)
{
    static const char *const actions[][2] = {
        {"create", "Create"}, {"update", "Update"}, {"delete", "Delete"}};
    const char *action = NULL, *type = NULL, *props_arg = NULL, *old_arg = NULL;
    const char *physical_id = NULL, *account = NULL;
    event_origin o = {0};
    cJSON *props = NULL, *old = NULL, *ev = NULL;
    int rc = 2;

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
    }
    if (argc < 1)
        return usage_error("which request: create, update or delete?", "");
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
        if (strcmp(argv[0], actions[i][0]) == 0)
            action = actions[i][1];
    if (!action)
        return usage_error("create, update or delete, not ", argv[0]);
    for (int i = 1; i < argc; i++) {
        static const char *const names[] = {"--type",         "--properties",    "--old-properties",
                                            "--physical-id",  "--stack-name",    "--logical-id",
                                            "--response-url", "--service-token", "--account"};
        const char **slots[] = {&type,           &props_arg,       &old_arg,
                                &physical_id,    &o.stack_name,    &o.logical_id,
                                &o.response_url, &o.service_token, &account};
        size_t k = 0;
        while (k < sizeof(names) / sizeof(names[0]) && strcmp(argv[i], names[k]) != 0)
            k++;
        if (k == sizeof(names) / sizeof(names[0]))
            return usage_error("unknown option ", argv[i]);
        if (i + 1 >= argc)
            return usage_error("a value must follow ", argv[i]);
        *slots[k] = argv[++i];
    }
    if (!type)
        return usage_error("--type is required (the ResourceType, e.g. Custom::Thing)", "");
    if (strcmp(action, "Create") != 0 && !physical_id)
        return usage_error("--physical-id (the id the Create answered) is required by ", argv[0]);
    if (old_arg && strcmp(action, "Update") != 0)
        return usage_error("--old-properties belongs to an update", "");
    if (props_arg && event_read_json(props_arg, &props) < 0) {
        fprintf(stderr, "cfnkit event: --properties: %s\n", cfn_error_last());
        goto done;
    }
    if (old_arg && event_read_json(old_arg, &old) < 0) {
        fprintf(stderr, "cfnkit event: --old-properties: %s\n", cfn_error_last());
        goto done;
    }
    if (event_origin_init(&o, account) < 0 ||
        event_build(&o, action, type, props, old, physical_id, &ev) < 0) {
        fprintf(stderr, "cfnkit event: %s\n", cfn_error_last());
        goto done;
    }
    char *text = cJSON_Print(ev);
    if (!text) {
        fprintf(stderr, "cfnkit event: out of memory\n");
        goto done;
    }
    printf("%s\n", text);
    free(text);
    rc = 0;
done:
    cJSON_Delete(props);
    cJSON_Delete(old);
    cJSON_Delete(ev);
    event_origin_free(&o);
    return rc;
}
