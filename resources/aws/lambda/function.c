/* AWS::Lambda::Function: a function from an S3 object, an image or inline
 * ZipFile code, waited for until Active. Ref: the function name; GetAtt Arn
 * and SnapStartResponse. */
#include "lambda.h"

#include "aws/native.h"
#include "awsjson.h"
#include "lambdawait.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

static const char *const known[] = {"Architectures",
                                    "Code",
                                    "DeadLetterConfig",
                                    "Description",
                                    "Environment",
                                    "EphemeralStorage",
                                    "FileSystemConfigs",
                                    "FunctionName",
                                    "Handler",
                                    "ImageConfig",
                                    "KmsKeyArn",
                                    "Layers",
                                    "LoggingConfig",
                                    "MemorySize",
                                    "PackageType",
                                    "Role",
                                    "Runtime",
                                    "SnapStart",
                                    "Tags",
                                    "Timeout",
                                    "TracingConfig",
                                    "VpcConfig",
                                    NULL};
static const char *const code_members[] = {
    "S3Bucket", "S3Key", "S3ObjectVersion", "ZipFile", "ImageUri", "SourceKMSKeyArn", NULL};

/* The configuration UpdateFunctionConfiguration takes, with the value that
 * restores Lambda's default when the template drops the property (NULL: the
 * property cannot be dropped in place). `kind`: s string, i integer, o
 * object, l list. */
typedef struct config_prop {
    const char *name, *api_name;
    char kind;
    const char *reset;
} config_prop;

static const config_prop config_props[] = {
    {"Role", "Role", 's', NULL},
    {"Handler", "Handler", 's', NULL},
    {"Runtime", "Runtime", 's', NULL},
    {"Description", "Description", 's', "\"\""},
    {"KmsKeyArn", "KMSKeyArn", 's', "\"\""},
    {"MemorySize", "MemorySize", 'i', "128"},
    {"Timeout", "Timeout", 'i', "3"},
    {"Environment", "Environment", 'o', "{\"Variables\":{}}"},
    {"TracingConfig", "TracingConfig", 'o', "{\"Mode\":\"PassThrough\"}"},
    {"VpcConfig", "VpcConfig", 'o', "{\"SubnetIds\":[],\"SecurityGroupIds\":[]}"},
    {"DeadLetterConfig", "DeadLetterConfig", 'o', "{\"TargetArn\":\"\"}"},
    {"EphemeralStorage", "EphemeralStorage", 'o', "{\"Size\":512}"},
    {"SnapStart", "SnapStart", 'o', "{\"ApplyOn\":\"None\"}"},
    {"LoggingConfig", "LoggingConfig", 'o', NULL},
    {"ImageConfig", "ImageConfig", 'o', NULL},
    {"Layers", "Layers", 'l', "[]"},
    {"FileSystemConfigs", "FileSystemConfigs", 'l', "[]"},
    {NULL, NULL, 0, NULL}};

static bool valid_function_name(const char *n)
{
    size_t len = strlen(n);
    return len >= 1 && len <= 64 &&
           strspn(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == len;
}

/* The value of one configuration property as the Lambda API takes it; NULL
 * with the reason set when it is mistyped or memory runs out. */
static cJSON *config_value(cfn_ctx *ctx, const config_prop *p)
{
    const char *s;
    long long n;
    const cJSON *v;
    cJSON *copy;
    switch (p->kind) {
    case 's':
        return cfn_prop_string(ctx, p->name, &s) < 0 ? NULL : cJSON_CreateString(s);
    case 'i':
        return cfn_prop_int(ctx, p->name, &n) < 0 ? NULL : cJSON_CreateNumber((double)n);
    case 'l':
        return cfn_prop_list(ctx, p->name, &v) < 0 ? NULL : cJSON_Duplicate(v, 1);
    default:
        if (cfn_prop_map(ctx, p->name, &v) < 0)
            return NULL;
        copy = cJSON_Duplicate(v, 1);
        /* The one nested number, which a parameter gives as a string. */
        if (copy && strcmp(p->name, "EphemeralStorage") == 0) {
            if (cfn_prop_int(ctx, "EphemeralStorage.Size", &n) < 0 ||
                !cJSON_ReplaceItemInObject(copy, "Size", cJSON_CreateNumber((double)n))) {
                cJSON_Delete(copy);
                return NULL;
            }
        }
        return copy;
    }
}

/* The configuration members of CreateFunction and UpdateFunctionConfiguration.
 * On Update, a property the template dropped is reset to Lambda's default.
 * NULL with the reason set on failure. */
static cJSON *config_of(cfn_ctx *ctx, bool update)
{
    cJSON *config = cJSON_CreateObject();
    for (const config_prop *p = config_props; config && p->name; p++) {
        if (cfn_prop_has(ctx, p->name)) {
            cJSON *v = config_value(ctx, p);
            if (!v) {
                cJSON_Delete(config);
                if (!cfn_reason(ctx))
                    cfn_fail(ctx, "out of memory");
                return NULL;
            }
            config = cfnkit_json_item(config, p->api_name, v);
        } else if (update && cfn_old_prop_has(ctx, p->name)) {
            if (!p->reset) {
                cJSON_Delete(config);
                cfn_fail(ctx,
                         "AWS::Lambda::Function property %s cannot be removed in place by "
                         "cfnkit's local engine: give its value instead",
                         p->name);
                return NULL;
            }
            config = cfnkit_json_item(config, p->api_name, cJSON_Parse(p->reset));
        }
    }
    if (!config)
        cfn_fail(ctx, "out of memory");
    return config;
}

/* "index.js" or "index.py": the file CloudFormation writes inline code to. */
static const char *inline_file(cfn_ctx *ctx)
{
    const char *runtime;
    if (cfn_prop_string_or(ctx, "Runtime", "", &runtime) < 0)
        return NULL;
    if (strncmp(runtime, "nodejs", 6) == 0)
        return "index.js";
    if (strncmp(runtime, "python", 6) == 0)
        return "index.py";
    cfn_fail(ctx,
             "AWS::Lambda::Function Code.ZipFile is for Node.js and Python runtimes only, "
             "not Runtime \"%.40s\": give Code.S3Bucket and Code.S3Key",
             runtime);
    return NULL;
}

/* The inline code zipped as CloudFormation does (one file, index.js or
 * index.py), base64-encoded for the API. NULL with the reason set. */
static cJSON *zip_inline(cfn_ctx *ctx, const char *file, const char *code)
{
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t *buf = zip_source_buffer_create(NULL, 0, 0, &error), *src = NULL;
    zip_t *za = buf ? zip_open_from_source(buf, ZIP_TRUNCATE, &error) : NULL;
    zip_stat_t st;
    unsigned char *raw = NULL, *b64 = NULL;
    cJSON *out = NULL;
    zip_int64_t at;
    if (!za) {
        zip_source_free(buf);
        cfn_fail(ctx, "cannot zip Code.ZipFile: %s", zip_error_strerror(&error));
        zip_error_fini(&error);
        return NULL;
    }
    zip_source_keep(buf);
    if (!(src = zip_source_buffer(za, code, strlen(code), 0)) ||
        (at = zip_file_add(za, file, src, ZIP_FL_ENC_UTF_8)) < 0 ||
        zip_file_set_external_attributes(za, (zip_uint64_t)at, 0, ZIP_OPSYS_UNIX,
                                         (zip_uint32_t)0100644 << 16) < 0) {
        if (src && !zip_get_num_entries(za, 0))
            zip_source_free(src);
        cfn_fail(ctx, "cannot zip Code.ZipFile: %s", zip_strerror(za));
        zip_discard(za);
        goto done;
    }
    if (zip_close(za) < 0) {
        cfn_fail(ctx, "cannot zip Code.ZipFile: %s", zip_strerror(za));
        zip_discard(za);
        goto done;
    }
    if (zip_source_stat(buf, &st) < 0 || zip_source_open(buf) < 0) {
        cfn_fail(ctx, "cannot read the zipped Code.ZipFile");
        goto done;
    }
    raw = malloc(st.size ? st.size : 1);
    b64 = malloc(4 * ((st.size + 2) / 3) + 1);
    if (raw && b64 && zip_source_read(buf, raw, st.size) == (zip_int64_t)st.size) {
        EVP_EncodeBlock(b64, raw, (int)st.size);
        out = cJSON_CreateString((const char *)b64);
    }
    zip_source_close(buf);
    if (!out)
        cfn_fail(ctx, "cannot read the zipped Code.ZipFile");
done:
    zip_source_free(buf);
    zip_error_fini(&error);
    free(raw);
    free(b64);
    return out;
}

/* The code members of CreateFunction's Code or of UpdateFunctionCode, added
 * to `obj` (taken). NULL with the reason set. */
static cJSON *code_of(cfn_ctx *ctx, cJSON *obj)
{
    const cJSON *code, *m;
    if (cfn_prop_map(ctx, "Code", &code) < 0) {
        cJSON_Delete(obj);
        return NULL;
    }
    cJSON_ArrayForEach(m, code)
    {
        if (!cfnkit_listed(code_members, m->string)) {
            cJSON_Delete(obj);
            cfn_fail(ctx, "AWS::Lambda::Function property Code.%.100s is not supported", m->string);
            return NULL;
        }
    }
    if (cJSON_GetObjectItem(code, "ZipFile")) {
        const char *text, *file;
        if (cfn_prop_string(ctx, "Code.ZipFile", &text) < 0 || !(file = inline_file(ctx))) {
            cJSON_Delete(obj);
            return NULL;
        }
        cJSON *zip = zip_inline(ctx, file, text);
        if (!zip) {
            cJSON_Delete(obj);
            return NULL;
        }
        obj = cfnkit_json_item(obj, "ZipFile", zip);
    } else {
        const char *bucket = NULL, *key = NULL, *version = NULL, *image = NULL, *kms = NULL;
        if (cfn_prop_string_or(ctx, "Code.S3Bucket", NULL, &bucket) < 0 ||
            cfn_prop_string_or(ctx, "Code.S3Key", NULL, &key) < 0 ||
            cfn_prop_string_or(ctx, "Code.S3ObjectVersion", NULL, &version) < 0 ||
            cfn_prop_string_or(ctx, "Code.ImageUri", NULL, &image) < 0 ||
            cfn_prop_string_or(ctx, "Code.SourceKMSKeyArn", NULL, &kms) < 0) {
            cJSON_Delete(obj);
            return NULL;
        }
        if (!image && (!bucket || !key)) {
            cJSON_Delete(obj);
            cfn_fail(ctx, "AWS::Lambda::Function Code needs S3Bucket and S3Key, ZipFile, or "
                          "ImageUri");
            return NULL;
        }
        obj = cfnkit_json_strings(obj, "S3Bucket", bucket, "S3Key", key, "S3ObjectVersion", version,
                                  "ImageUri", image, "SourceKMSKeyArn", kms, NULL);
    }
    if (obj && cfn_prop_has(ctx, "Architectures")) {
        const cJSON *arch;
        if (cfn_prop_list(ctx, "Architectures", &arch) < 0) {
            cJSON_Delete(obj);
            return NULL;
        }
        obj = cfnkit_json_item(obj, "Architectures", cJSON_Duplicate(arch, 1));
    }
    if (!obj && !cfn_reason(ctx))
        cfn_fail(ctx, "out of memory");
    return obj;
}

static int answer(cfn_ctx *ctx, cfn_aws *aws, const char *name)
{
    cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "FunctionName", name, NULL), *out = NULL;
    if (!in)
        return cfn_fail(ctx, "out of memory");
    int rc = cfn_lambda(aws, "GetFunctionConfiguration", in, &out);
    cJSON_Delete(in);
    if (rc < 0)
        return cfn_fail(ctx, "reading function %s: %s", name, cfn_error_last());
    const char *arn = cfn_json_string(out, "FunctionArn");
    const cJSON *snap = cJSON_GetObjectItem(out, "SnapStart");
    /* Lambda's defaults when the answer has no SnapStart. */
    const char *apply = cfn_json_string(snap, "ApplyOn"),
               *status = cfn_json_string(snap, "OptimizationStatus");
    cJSON *response = cfnkit_json_strings(cJSON_CreateObject(), "ApplyOn", apply ? apply : "None",
                                          "OptimizationStatus", status ? status : "Off", NULL);
    if (!arn) {
        cJSON_Delete(response);
        cJSON_Delete(out);
        return cfn_fail(ctx, "function %s: the answer has no FunctionArn", name);
    }
    rc = cfn_set_data(ctx, "Arn", arn);
    cJSON_Delete(out);
    /* Fn::GetAtt reads the object and each member. */
    if (rc == 0 && response)
        rc = cfn_set_data(ctx, "SnapStartResponse.ApplyOn", cfn_json_string(response, "ApplyOn"));
    if (rc == 0 && response)
        rc = cfn_set_data(ctx, "SnapStartResponse.OptimizationStatus",
                          cfn_json_string(response, "OptimizationStatus"));
    if (rc == 0)
        rc = response ? cfn_set_data_json(ctx, "SnapStartResponse", response)
                      : cfn_fail(ctx, "out of memory");
    return rc < 0 ? rc : cfn_set_physical_id(ctx, name);
}

/* Sets the function's tags to the template's: TagResource for the new and
 * changed, UntagResource for those the template dropped. */
static int apply_tags(cfn_ctx *ctx, cfn_aws *aws, const char *arn, bool update)
{
    cJSON *want = NULL, *drop = NULL, *in = NULL;
    int rc = cfnkit_tags_map(ctx, "Tags", &want);
    if (rc == 0 && update)
        rc = cfnkit_tags_dropped(ctx, "Tags", &drop);
    if (rc < 0)
        goto done;
    if (cJSON_GetArraySize(want)) {
        in = cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "Resource", arn, NULL),
                              "Tags", want);
        want = NULL;
        if (!in || cfn_lambda(aws, "TagResource", in, NULL) < 0) {
            rc = in ? cfn_fail(ctx, "tagging %s: %s", arn, cfn_error_last())
                    : cfn_fail(ctx, "out of memory");
            goto done;
        }
        cJSON_Delete(in);
        in = NULL;
    }
    if (cJSON_GetArraySize(drop)) {
        in = cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "Resource", arn, NULL),
                              "TagKeys", drop);
        drop = NULL;
        if (!in || cfn_aws_call(aws, "lambda", "UntagResource", in, NULL) < 0)
            rc = in ? cfn_fail(ctx, "untagging %s: %s", arn, cfn_error_last())
                    : cfn_fail(ctx, "out of memory");
    }
done:
    cJSON_Delete(want);
    cJSON_Delete(drop);
    cJSON_Delete(in);
    return rc;
}

/* Brings an existing function to the template: code, then configuration,
 * then tags, waiting for each update to settle. */
static int bring_up_to_date(cfn_ctx *ctx, cfn_aws *aws, const char *name, bool code, bool tags)
{
    cJSON *in, *out = NULL;
    int rc;
    if (code) {
        in = code_of(ctx, cfnkit_json_strings(cJSON_CreateObject(), "FunctionName", name, NULL));
        if (!in)
            return -1;
        rc = cfn_lambda(aws, "UpdateFunctionCode", in, NULL);
        cJSON_Delete(in);
        if (rc < 0)
            return cfn_fail(ctx, "updating the code of %s: %s", name, cfn_error_last());
        if (cfnkit_lambda_wait_ready(ctx, aws, name) < 0)
            return -1;
    }
    if (!(in = config_of(ctx, cfn_request_action(ctx) == CFN_UPDATE)))
        return -1;
    if (!(in = cfnkit_json_strings(in, "FunctionName", name, NULL)))
        return cfn_fail(ctx, "out of memory");
    rc = cfn_lambda(aws, "UpdateFunctionConfiguration", in, &out);
    cJSON_Delete(in);
    if (rc < 0) {
        cJSON_Delete(out);
        return cfn_fail(ctx, "updating the configuration of %s: %s", name, cfn_error_last());
    }
    char arn[512];
    snprintf(arn, sizeof(arn), "%s",
             cfn_json_string(out, "FunctionArn") ? cfn_json_string(out, "FunctionArn") : "");
    cJSON_Delete(out);
    if (cfnkit_lambda_wait_ready(ctx, aws, name) < 0)
        return -1;
    return tags ? apply_tags(ctx, aws, arn, cfn_request_action(ctx) == CFN_UPDATE) : 0;
}

static void delete_function(cfn_aws *aws, const char *name)
{
    cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "FunctionName", name, NULL);
    if (in)
        cfn_lambda(aws, "DeleteFunction", in, NULL);
    cJSON_Delete(in);
}

static int create(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    char *name = NULL;
    const char *given, *package;
    cJSON *in = NULL, *tags = NULL;
    int rc = -1;
    if (native_check_props(ctx, known) < 0 ||
        cfn_prop_string_or(ctx, "FunctionName", NULL, &given) < 0 ||
        cfn_prop_string_or(ctx, "PackageType", NULL, &package) < 0 ||
        cfnkit_tags_map(ctx, "Tags", &tags) < 0)
        goto done;
    if (!cfn_prop_has(ctx, "Role") || !cfn_prop_has(ctx, "Code")) {
        rc = cfn_fail(ctx, "AWS::Lambda::Function property %s is required",
                      cfn_prop_has(ctx, "Role") ? "Code" : "Role");
        goto done;
    }
    if (given && !valid_function_name(given)) {
        rc = cfn_fail(ctx,
                      "AWS::Lambda::Function FunctionName \"%.80s\" is invalid: 1 to 64 "
                      "letters, digits, - or _",
                      given);
        goto done;
    }
    /* A failed native_name has set the reason; a failed strdup is out of
     * memory, said at done. */
    if (given ? !(name = strdup(given)) : native_name(ctx, 64, 0, &name) < 0)
        goto done;
    in = cfnkit_json_strings(config_of(ctx, false), "FunctionName", name, "PackageType", package,
                             NULL);
    if (!in || !(in = cfnkit_json_item(in, "Code", code_of(ctx, cJSON_CreateObject()))))
        goto done;
    /* Architectures goes beside Code in CreateFunction. */
    cJSON *arch = cJSON_DetachItemFromObject(cJSON_GetObjectItem(in, "Code"), "Architectures");
    if (arch && !(in = cfnkit_json_item(in, "Architectures", arch)))
        goto done;
    if (cJSON_GetArraySize(tags)) {
        in = cfnkit_json_item(in, "Tags", tags);
        tags = NULL;
        if (!in)
            goto done;
    }
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    rc = cfn_lambda(aws, "CreateFunction", in, NULL);
    if (rc < 0 && cfn_aws_error_is(aws, "ResourceConflictException")) {
        /* A generated name is drawn from the request: the same Create
         * delivered twice finds the function it made. A given name belongs
         * to someone else. */
        if (given) {
            rc = cfn_fail(ctx,
                          "Resource of type 'AWS::Lambda::Function' with identifier '%s' "
                          "already exists.",
                          name);
            goto done;
        }
        rc = bring_up_to_date(ctx, aws, name, true, true);
    } else if (rc < 0) {
        rc = cfn_fail(ctx, "%s", cfn_error_last());
        goto done;
    } else if ((rc = cfnkit_lambda_wait_ready(ctx, aws, name)) < 0) {
        /* The Delete after a failed Create does not know this name. */
        delete_function(aws, name);
        goto done;
    }
    if (rc == 0)
        rc = answer(ctx, aws, name);
done:
    if (rc < 0 && !cfn_reason(ctx))
        cfn_fail(ctx, "out of memory");
    cJSON_Delete(in);
    cJSON_Delete(tags);
    free(name);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : 0;
}

static int update(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    const char *name = cfn_request_physical_id(ctx);
    int rc;
    if (native_check_props(ctx, known) < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    bool code = cfn_prop_changed(ctx, "Code") || cfn_prop_changed(ctx, "Architectures") ||
                (cfn_prop_has(ctx, "Code.ZipFile") && cfn_prop_changed(ctx, "Runtime"));
    rc = bring_up_to_date(ctx, aws, name, code, true);
    if (rc == 0)
        rc = answer(ctx, aws, name);
    cfn_aws_free(aws);
    return rc;
}

static int remove_function(cfn_ctx *ctx)
{
    const char *name = cfn_request_physical_id(ctx);
    if (!valid_function_name(name)) {
        cfn_log(CFN_LOG_INFO, "%.80s is not a function name: nothing to delete", name);
        return 0;
    }
    return lambda_delete(ctx, "DeleteFunction",
                         cfnkit_json_strings(cJSON_CreateObject(), "FunctionName", name, NULL),
                         "function", name);
}

static const char *const replaces[] = {"FunctionName", "PackageType", "TenancyConfig", NULL};
static const char *const replaces_conditional[] = {"DurableConfig", NULL};
/* Code's members are all write-only: Code as a whole is compared from the
 * template (the schema check's rule for nested write-only paths). */
static const char *const write_only[] = {"Code", "PublishToLatestPublished", "SnapStart", NULL};
static const char *const attributes[] = {"Arn", "SnapStartResponse", "SnapStartResponse.ApplyOn",
                                         "SnapStartResponse.OptimizationStatus", NULL};

const cfn_resource_type native_lambda_function = {
    .type = "AWS::Lambda::Function",
    .create = create,
    .update = update,
    .remove = remove_function,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = replaces,
    .attributes = attributes,
    .replaces_conditional = replaces_conditional,
    .write_only = write_only,
};
