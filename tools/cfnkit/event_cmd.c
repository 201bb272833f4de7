/* `cfnkit event create|update|delete`: prints a custom-resource request as
 * CloudFormation sends it, ready for `invoke --event -`. */
#include "event_cmd.h"

#include <cfnkit/cfnkit.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
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

static void format_uuid(const unsigned char b[16], char out[37])
{
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

void event_uuid(char out[37])
{
    unsigned char b[16];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    size_t got = 0;
    while (fd >= 0 && got < sizeof(b)) {
        ssize_t n = read(fd, b + got, sizeof(b) - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (fd >= 0)
        close(fd);
    for (size_t i = got; i < sizeof(b); i++)
        b[i] = (unsigned char)(rand() ^ (getpid() << 3) ^ (int)i);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    format_uuid(b, out);
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

/* CloudFormation writes numbers as they read in the template; cJSON keeps a
 * double, so integers print without a fraction and others in shortest form. */
static cJSON *number_string(double d)
{
    char buf[64];
    if (d >= -9007199254740992.0 && d <= 9007199254740992.0 && d == (double)(long long)d)
        snprintf(buf, sizeof(buf), "%lld", (long long)d);
    else {
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(buf, sizeof(buf), "%.*g", prec, d);
            if (strtod(buf, NULL) == d)
                break;
        }
    }
    return cJSON_CreateString(buf);
}

cJSON *event_stringify(const cJSON *v)
{
    if (cJSON_IsString(v))
        return cJSON_CreateString(v->valuestring);
    if (cJSON_IsBool(v))
        return cJSON_CreateString(cJSON_IsTrue(v) ? "true" : "false");
    if (cJSON_IsNumber(v))
        return number_string(v->valuedouble);
    if (!cJSON_IsArray(v) && !cJSON_IsObject(v))
        return NULL;
    cJSON *out = cJSON_IsArray(v) ? cJSON_CreateArray() : cJSON_CreateObject();
    const cJSON *item;
    cJSON_ArrayForEach(item, v)
    {
        if (!out)
            return NULL;
        if (cJSON_IsNull(item))
            continue;
        cJSON *s = event_stringify(item);
        if (!s || (cJSON_IsArray(v) ? !cJSON_AddItemToArray(out, s)
                                    : !cJSON_AddItemToObject(out, item->string, s))) {
            cJSON_Delete(s);
            cJSON_Delete(out);
            return NULL;
        }
    }
    return out;
}

static const char *partition_of(const char *region)
{
    if (strncmp(region, "cn-", 3) == 0)
        return "aws-cn";
    if (strncmp(region, "us-gov-", 7) == 0)
        return "aws-us-gov";
    return "aws";
}

/* A stack's id is fixed when CloudFormation creates it; here it follows from
 * the region, account and name, so that every request generated for one
 * stack names the same stack (modules key ownership on it). */
static void stack_uuid(const event_origin *o, char out[37])
{
    uint64_t h[2] = {0xcbf29ce484222325ull, 0x84222325cbf29ce4ull};
    const char *parts[] = {o->region, o->account, o->stack_name};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
            for (const unsigned char *p = (const unsigned char *)parts[i];; p++) {
                h[k] = (h[k] ^ *p) * 0x100000001b3ull;
                if (!*p)
                    break;
            }
    unsigned char b[16];
    for (int i = 0; i < 16; i++)
        b[i] = (unsigned char)(h[i / 8] >> (8 * (i % 8)));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    format_uuid(b, out);
}

int event_origin_init(event_origin *o, const char *account)
{
    cfn_aws *aws = NULL;
    char uuid[37], *arn = NULL;
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
    stack_uuid(o, uuid);
    size_t len = strlen(o->region) + strlen(o->account) + strlen(o->stack_name) + 80;
    o->stack_id = malloc(len);
    if (!o->region || !o->account || !o->stack_id) {
        cfn_error_set(CFN_ENOMEM, "out of memory");
        goto done;
    }
    snprintf(o->stack_id, len, "arn:%s:cloudformation:%s:%s:stack/%s/%s", partition_of(o->region),
             o->region, o->account, o->stack_name, uuid);
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

static cJSON *with_token(const cJSON *props, const char *token)
{
    if (props && !cJSON_IsObject(props)) {
        cfn_error_set(CFN_EINVAL, "properties must be a JSON object");
        return NULL;
    }
    cJSON *s = props ? event_stringify(props) : cJSON_CreateObject();
    if (s && !cJSON_GetObjectItemCaseSensitive(s, "ServiceToken")) {
        /* CloudFormation lists ServiceToken first. */
        cJSON *t = cJSON_CreateString(token);
        if (t)
            t->string = strdup("ServiceToken");
        if (!t || !t->string || !cJSON_InsertItemInArray(s, 0, t)) {
            cJSON_Delete(t);
            cJSON_Delete(s);
            s = NULL;
        }
    }
    if (!s)
        cfn_error_set(CFN_ENOMEM, "out of memory");
    return s;
}

int event_build(const event_origin *o, const char *action, const char *type, const cJSON *props,
                const cJSON *old_props, const char *physical_id, cJSON **out)
{
    char request_id[37], token[512];
    char *url = NULL;
    cJSON *ev = NULL, *p = NULL, *old = NULL;
    int rc = -1;
    bool update = strcmp(action, "Update") == 0;
    *out = NULL;
    if (!update && strcmp(action, "Create") != 0 && strcmp(action, "Delete") != 0)
        return cfn_error_set(CFN_EINVAL, "no request type %s", action);
    if (strcmp(action, "Create") != 0 && (!physical_id || !*physical_id))
        return cfn_error_set(CFN_EINVAL, "a%s %s request needs a physical id", update ? "n" : "",
                             action);
    snprintf(token, sizeof(token), "arn:%s:lambda:%s:%s:function:cfnkit-provider",
             partition_of(o->region), o->region, o->account);
    const char *service_token = o->service_token ? o->service_token : token;
    event_uuid(request_id);
    url = o->response_url ? strdup(o->response_url) : default_response_url(o, request_id);
    p = with_token(props, service_token);
    if (update)
        old = with_token(old_props ? old_props : props, service_token);
    if (!url)
        cfn_error_set(CFN_ENOMEM, "out of memory");
    if (!url || !p || (update && !old))
        goto done;
    const cJSON *token_item = cJSON_GetObjectItemCaseSensitive(p, "ServiceToken");
    if (cJSON_IsString(token_item))
        service_token = token_item->valuestring;
    ev = cJSON_CreateObject();
    if (!ev || !cJSON_AddStringToObject(ev, "RequestType", action) ||
        !cJSON_AddStringToObject(ev, "ServiceToken", service_token) ||
        !cJSON_AddStringToObject(ev, "ResponseURL", url) ||
        !cJSON_AddStringToObject(ev, "StackId", o->stack_id) ||
        !cJSON_AddStringToObject(ev, "RequestId", request_id) ||
        !cJSON_AddStringToObject(ev, "LogicalResourceId", o->logical_id) ||
        (physical_id && strcmp(action, "Create") != 0 &&
         !cJSON_AddStringToObject(ev, "PhysicalResourceId", physical_id)) ||
        !cJSON_AddStringToObject(ev, "ResourceType", type)) {
        cfn_error_set(CFN_ENOMEM, "out of memory");
        goto done;
    }
    cJSON_AddItemToObject(ev, "ResourceProperties", p);
    p = NULL;
    if (old) {
        cJSON_AddItemToObject(ev, "OldResourceProperties", old);
        old = NULL;
    }
    *out = ev;
    ev = NULL;
    rc = 0;
done:
    free(url);
    cJSON_Delete(p);
    cJSON_Delete(old);
    cJSON_Delete(ev);
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
