/* Custom::LambdaFunction: a Lambda function from one shared S3 code object,
 * with per-stage settings written into the package's `.env` at deployment
 * time. The rewritten package is uploaded beside the original under a key
 * holding its content hash; the original is never written. */
#include "awsjson.h"
#include "env_remote.h"
#include "envzip.h"
#include "lambdawait.h"
#include "pkgfile.h"
#include "resources.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TAG_RESOURCE "cfnkit:resource"
#define TAG_ARTIFACT "cfnkit:artifact"

/* Properties that are not Lambda's own configuration: CloudFormation's
 * ServiceToken and ServiceTimeout, and this module's own. */
static const char *own_props[] = {
    "ServiceToken",   "ServiceTimeout", "Code",          "Env",  "EnvFile", "ArtifactBucket",
    "ArtifactPrefix", "FunctionName",   "Architectures", "Tags", NULL};
/* Lambda configuration, as CloudFormation names it: passed to
 * CreateFunction and UpdateFunctionConfiguration. */
static const char *config_strings[] = {"Handler",     "Runtime",   "Role",
                                       "Description", "KmsKeyArn", NULL};
static const char *config_ints[] = {"MemorySize", "Timeout", NULL};
static const char *config_objects[] = {
    "Environment",   "TracingConfig",    "VpcConfig", "DeadLetterConfig",
    "LoggingConfig", "EphemeralStorage", "SnapStart", NULL};
static const char *config_lists[] = {"Layers", "FileSystemConfigs", NULL};

typedef struct fn_spec {
    const char *bucket, *key, *version;
    const cJSON *env;
    const char *env_file;
    const char *artifact_bucket;
    char artifact_prefix[1100];
    char name[65];
    cJSON *config; /* the Lambda API's configuration members */
    const cJSON *architectures;
    const cJSON *tags;
} fn_spec;

static bool listed(const char *const *names, const char *name)
{
    for (; *names; names++)
        if (strcmp(*names, name) == 0)
            return true;
    return false;
}

static bool valid_function_name(const char *n)
{
    size_t len = strlen(n);
    return len >= 1 && len <= 64 &&
           strspn(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == len;
}

/* "<stack>-<logical id>-<12 characters>": at most 64 characters, the
 * characters Lambda allows, and the same for every request of a resource. */
static void generated_name(cfn_ctx *ctx, char out[65])
{
    char hash[CFN_RESOURCE_HASH_SIZE];
    cfn_request_resource_hash(ctx, hash);
    snprintf(out, 65, "%.25s-%.25s-%.12s", cfn_request_stack_name(ctx), cfn_request_logical_id(ctx),
             hash);
    for (char *p = out; *p; p++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *p))
            *p = '-';
}

static int read_config(cfn_ctx *ctx, fn_spec *s)
{
    const cJSON *props = cfn_request_props(ctx), *item;
    s->config = cJSON_CreateObject();
    cJSON_ArrayForEach(item, props)
    {
        const char *name = item->string;
        if (!s->config)
            break;
        if (listed(own_props, name))
            continue;
        if (listed(config_strings, name)) {
            const char *v;
            if (cfn_prop_string(ctx, name, &v) < 0)
                return -1;
            /* CloudFormation says KmsKeyArn, the Lambda API KMSKeyArn. */
            s->config = cfnkit_json_strings(
                s->config, strcmp(name, "KmsKeyArn") == 0 ? "KMSKeyArn" : name, v, NULL);
        } else if (listed(config_ints, name)) {
            long long v;
            if (cfn_prop_int(ctx, name, &v) < 0)
                return -1;
            s->config = cfnkit_json_number(s->config, name, (double)v);
        } else if (listed(config_objects, name)) {
            const cJSON *m;
            long long size;
            if (cfn_prop_map(ctx, name, &m) < 0)
                return -1;
            /* The one nested number: EphemeralStorage.Size. */
            if (strcmp(name, "EphemeralStorage") == 0 &&
                cfn_prop_int(ctx, "EphemeralStorage.Size", &size) < 0)
                return -1;
            cJSON *copy = cJSON_Duplicate(m, 1);
            if (copy && strcmp(name, "EphemeralStorage") == 0) {
                cJSON *n = cJSON_CreateNumber((double)size);
                if (!n || !cJSON_ReplaceItemInObject(copy, "Size", n)) {
                    cJSON_Delete(n);
                    cJSON_Delete(copy);
                    copy = NULL;
                }
            }
            s->config = cfnkit_json_item(s->config, name, copy);
        } else if (listed(config_lists, name)) {
            const cJSON *l;
            if (cfn_prop_list(ctx, name, &l) < 0)
                return -1;
            s->config = cfnkit_json_item(s->config, name, cJSON_Duplicate(l, 1));
        } else {
            return cfn_fail(ctx, "unknown property %s of Custom::LambdaFunction", name);
        }
    }
    if (!s->config)
        return cfn_fail(ctx, "out of memory");
    if (!cJSON_GetObjectItem(s->config, "Role"))
        return cfn_fail(ctx, "property Role is required but missing");
    return 0;
}

static int read_spec(cfn_ctx *ctx, fn_spec *s)
{
    const char *name, *prefix;
    memset(s, 0, sizeof(*s));
    if (!cfn_prop_has(ctx, "Code"))
        return cfn_fail(ctx, "property Code is required but missing: give Code.S3Bucket and "
                             "Code.S3Key");
    if (cfn_prop_map(ctx, "Code", &(const cJSON *){NULL}) < 0 ||
        cfn_prop_string(ctx, "Code.S3Bucket", &s->bucket) < 0 ||
        cfn_prop_string(ctx, "Code.S3Key", &s->key) < 0 ||
        cfn_prop_string_or(ctx, "Code.S3ObjectVersion", NULL, &s->version) < 0 ||
        cfn_prop_string_or(ctx, "EnvFile", ".env", &s->env_file) < 0 ||
        cfn_prop_string_or(ctx, "FunctionName", NULL, &name) < 0 ||
        cfn_prop_string_or(ctx, "ArtifactBucket", NULL, &s->artifact_bucket) < 0 ||
        cfn_prop_string_or(ctx, "ArtifactPrefix", NULL, &prefix) < 0)
        return -1;
    if (cfn_prop_has(ctx, "Env")) {
        if (cfn_prop_map(ctx, "Env", &s->env) < 0)
            return -1;
        const cJSON *v;
        cJSON_ArrayForEach(v, s->env)
        {
            if (!dotenv_valid_name(v->string))
                return cfn_fail(ctx,
                                "Env name \"%.64s\" is invalid: use letters, digits and _, not "
                                "starting with a digit",
                                v->string);
            if (!cJSON_IsString(v))
                return cfn_fail(ctx, "property Env.%s must be a string", v->string);
        }
    }
    if (!*s->env_file || s->env_file[0] == '/' || strstr(s->env_file, "..") ||
        strlen(s->env_file) > 255)
        return cfn_fail(ctx, "EnvFile \"%.80s\" must be a relative path inside the package",
                        s->env_file);
    if (cfn_prop_has(ctx, "Architectures") &&
        cfn_prop_list(ctx, "Architectures", &s->architectures) < 0)
        return -1;
    if (cfn_prop_has(ctx, "Tags") && cfn_prop_list(ctx, "Tags", &s->tags) < 0)
        return -1;
    if (name && !valid_function_name(name))
        return cfn_fail(ctx, "FunctionName \"%.80s\" is invalid: 1 to 64 letters, digits, - or _",
                        name);
    if (name)
        snprintf(s->name, sizeof(s->name), "%s", name);
    else
        generated_name(ctx, s->name);
    if (!s->artifact_bucket)
        s->artifact_bucket = s->bucket;
    if (prefix) {
        snprintf(s->artifact_prefix, sizeof(s->artifact_prefix), "%s", prefix);
    } else {
        const char *slash = strrchr(s->key, '/');
        snprintf(s->artifact_prefix, sizeof(s->artifact_prefix), "%.*s",
                 slash ? (int)(slash - s->key + 1) : 0, s->key);
    }
    return read_config(ctx, s);
}

typedef struct artifact {
    const char *bucket;
    char key[1200];
    bool uploaded; /* by this request: removed again if the request fails */
} artifact;

/* The package with Env in its .env, uploaded under a key holding its hash;
 * without Env, the original object itself. Both packages live in unlinked
 * files: killed at any moment, the request leaves no settings behind. */
static int build_artifact(cfn_ctx *ctx, cfn_aws *aws, const fn_spec *s, artifact *a)
{
    char why[512], hash[65], in_path[PKGFILE_PATH_SIZE], out_path[PKGFILE_PATH_SIZE];
    int in = -1, out = -1, rc;
    long long size;
    memset(a, 0, sizeof(*a));
    if (!s->env || !cJSON_GetArraySize(s->env)) {
        a->bucket = s->bucket;
        snprintf(a->key, sizeof(a->key), "%s", s->key);
        return 0;
    }
    /* A large code object: the package is built inside S3 (env_remote.c). */
    const env_remote_spec rs = {
        s->bucket, s->key, s->version, s->env_file, s->env, s->artifact_bucket, s->artifact_prefix};
    int remote = env_remote_apply(aws, &rs, ENV_REMOTE_MIN_SIZE, a->key, sizeof(a->key),
                                  &a->uploaded, NULL, why, sizeof(why));
    if (remote < 0)
        return cfn_fail(ctx, "%s", why);
    if (remote == 0) {
        a->bucket = s->artifact_bucket;
        cfn_log(CFN_LOG_INFO, "package s3://%s/%s ready (built in S3)", a->bucket, a->key);
        return 0;
    }
    if ((in = pkgfile_open()) < 0 || (out = pkgfile_open()) < 0) {
        rc = cfn_fail(ctx, "cannot make a temporary file: %s", strerror(errno));
        goto done;
    }
    pkgfile_path(in, in_path);
    pkgfile_path(out, out_path);
    rc = cfn_s3_get_object_to_file(aws, s->bucket, s->key, s->version, in_path);
    if (rc == CFN_ENOTFOUND) {
        rc = cfn_fail(ctx, "code object s3://%s/%s%s%s not found (%s)", s->bucket, s->key,
                      s->version ? " version " : "", s->version ? s->version : "",
                      cfn_aws_error_code(aws));
        goto done;
    }
    if (rc < 0) {
        rc = cfn_fail(ctx, "cannot read the code object: %s", cfn_error_last());
        goto done;
    }
    if (envzip_apply(in, out, s->env_file, s->env, why, sizeof(why)) < 0) {
        rc = cfn_fail(ctx, "s3://%s/%s: %s", s->bucket, s->key, why);
        goto done;
    }
    if (cfn_sha256_file(out_path, hash, &size) < 0) {
        rc = cfn_fail(ctx, "cannot read the rewritten package: %s", cfn_error_last());
        goto done;
    }
    const char *base = strrchr(s->key, '/') ? strrchr(s->key, '/') + 1 : s->key;
    size_t stem = strlen(base) > 4 && strcmp(base + strlen(base) - 4, ".zip") == 0
                      ? strlen(base) - 4
                      : strlen(base);
    a->bucket = s->artifact_bucket;
    snprintf(a->key, sizeof(a->key), "%s%.*s-%.16s.zip", s->artifact_prefix, (int)stem, base, hash);
    if (strcmp(a->bucket, s->bucket) == 0 && strcmp(a->key, s->key) == 0) {
        rc = cfn_fail(ctx, "the package key would overwrite the code object");
        goto done;
    }
    /* The same content has the same key: upload it only once. */
    cfn_s3_object_info info;
    rc = cfn_s3_head_object(aws, a->bucket, a->key, NULL, &info);
    if (rc == CFN_ENOTFOUND) {
        rc = cfn_s3_put_object_from_file(aws, a->bucket, a->key, out_path, "application/zip", hash,
                                         NULL);
        a->uploaded = rc == 0;
    }
    if (rc < 0) {
        rc = cfn_fail(ctx, "cannot upload the package: %s", cfn_error_last());
        goto done;
    }
    cfn_log(CFN_LOG_INFO, "package s3://%s/%s ready", a->bucket, a->key);
done:
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    return rc;
}

static void drop_artifact(cfn_aws *aws, const artifact *a)
{
    if (a->uploaded)
        cfn_s3_delete_object(aws, a->bucket, a->key);
}

/* The function's tags: the template's, the owner, and where its package is.
 * NULL when out of memory. */
static cJSON *tags_of(cfn_ctx *ctx, const fn_spec *s, const artifact *a)
{
    char owner[65], where[1400];
    cJSON *tags = cJSON_CreateObject();
    const cJSON *t;
    cJSON_ArrayForEach(t, s->tags)
    {
        const char *k = cfn_json_string(t, "Key"), *v = cfn_json_string(t, "Value");
        if (k && v)
            tags = cfnkit_json_strings(tags, k, v, NULL);
    }
    cfn_request_resource_hash(ctx, owner);
    snprintf(where, sizeof(where), "s3://%s/%s", a->bucket, a->key);
    return cfnkit_json_strings(tags, TAG_RESOURCE, owner, TAG_ARTIFACT, where, NULL);
}

static int answer(cfn_ctx *ctx, const char *name, const char *arn)
{
    if (cfn_set_data(ctx, "Arn", arn) < 0 || cfn_set_data(ctx, "FunctionName", name) < 0)
        return -1;
    return cfn_set_physical_id(ctx, name);
}

/* The function's tags: the owner, and where its package is. */
static int function_tags(cfn_aws *aws, const char *name, char *owner, size_t osize, char *where,
                         size_t wsize, char *arn, size_t asize)
{
    cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "FunctionName", name, NULL), *out = NULL;
    if (!in)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    int rc = cfn_lambda(aws, "GetFunction", in, &out);
    cJSON_Delete(in);
    if (rc < 0)
        return rc;
    const cJSON *tags = cJSON_GetObjectItem(out, "Tags");
    const char *o = cfn_json_string(tags, TAG_RESOURCE), *w = cfn_json_string(tags, TAG_ARTIFACT);
    const char *a = cfn_json_string(cJSON_GetObjectItem(out, "Configuration"), "FunctionArn");
    snprintf(owner, osize, "%s", o ? o : "");
    snprintf(where, wsize, "%s", w ? w : "");
    snprintf(arn, asize, "%s", a ? a : "");
    cJSON_Delete(out);
    return 0;
}

static int tag_artifact(cfn_aws *aws, const char *arn, const artifact *a)
{
    char where[1400];
    snprintf(where, sizeof(where), "s3://%s/%s", a->bucket, a->key);
    cJSON *in =
        cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "Resource", arn, NULL), "Tags",
                         cfnkit_json_strings(cJSON_CreateObject(), TAG_ARTIFACT, where, NULL));
    if (!in)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    int rc = cfn_lambda(aws, "TagResource", in, NULL);
    cJSON_Delete(in);
    return rc;
}

/* Splits "s3://bucket/key". */
static int parse_s3_url(const char *url, char *bucket, size_t bsize, const char **key)
{
    if (strncmp(url, "s3://", 5) != 0)
        return -1;
    const char *slash = strchr(url + 5, '/');
    if (!slash || slash == url + 5 || !slash[1] || (size_t)(slash - url - 5) >= bsize)
        return -1;
    snprintf(bucket, bsize, "%.*s", (int)(slash - url - 5), url + 5);
    *key = slash + 1;
    return 0;
}

/* The input of CreateFunction or UpdateFunctionCode: `base` (taken) with
 * the name, the package (under Code for CreateFunction) and the
 * architectures. NULL when out of memory. */
static cJSON *code_input(cJSON *base, const fn_spec *s, const artifact *a, bool nested)
{
    cJSON *code = nested ? cJSON_CreateObject() : base;
    code = cfnkit_json_strings(code, "S3Bucket", a->bucket, "S3Key", a->key, NULL);
    if (nested)
        base = cfnkit_json_item(base, "Code", code);
    else
        base = code;
    base = cfnkit_json_strings(base, "FunctionName", s->name, NULL);
    if (s->architectures)
        base = cfnkit_json_item(base, "Architectures", cJSON_Duplicate(s->architectures, 1));
    return base;
}

static int update_code(cfn_ctx *ctx, cfn_aws *aws, const fn_spec *s, const artifact *a)
{
    cJSON *in = code_input(cJSON_CreateObject(), s, a, false), *out = NULL;
    if (!in)
        return cfn_fail(ctx, "out of memory");
    int rc = cfn_lambda(aws, "UpdateFunctionCode", in, &out);
    cJSON_Delete(in);
    const char *arn = cfn_json_string(out, "FunctionArn");
    if (rc == 0 && arn)
        rc = tag_artifact(aws, arn, a);
    cJSON_Delete(out);
    /* Failing without a reason answers with the AWS error. */
    if (rc < 0)
        return -1;
    return cfnkit_lambda_wait_ready(ctx, aws, s->name);
}

static int update_config(cfn_ctx *ctx, cfn_aws *aws, const fn_spec *s)
{
    cJSON *in = cfnkit_json_strings(cJSON_Duplicate(s->config, 1), "FunctionName", s->name, NULL);
    if (!in)
        return cfn_fail(ctx, "out of memory");
    int rc = cfn_lambda(aws, "UpdateFunctionConfiguration", in, NULL);
    cJSON_Delete(in);
    if (rc < 0)
        return -1;
    return cfnkit_lambda_wait_ready(ctx, aws, s->name);
}

static void delete_function(cfn_aws *aws, const char *name)
{
    cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "FunctionName", name, NULL);
    if (in)
        cfn_lambda(aws, "DeleteFunction", in, NULL);
    cJSON_Delete(in);
}

static int create_function(cfn_ctx *ctx, cfn_aws *aws, const fn_spec *s)
{
    artifact a;
    char owner[65], their_owner[65], where[1400], arn[512];
    cJSON *in = NULL, *out = NULL;
    int rc = build_artifact(ctx, aws, s, &a);
    if (rc < 0)
        return rc;
    in = cfnkit_json_item(code_input(cJSON_Duplicate(s->config, 1), s, &a, true), "Tags",
                          tags_of(ctx, s, &a));
    if (!in) {
        rc = cfn_fail(ctx, "out of memory");
        goto done;
    }
    rc = cfn_lambda(aws, "CreateFunction", in, &out);
    if (rc < 0 && cfn_aws_error_is(aws, "ResourceConflictException")) {
        /* A repeated delivery finds the function it made: bring it up to date. */
        cfn_request_resource_hash(ctx, owner);
        if (function_tags(aws, s->name, their_owner, sizeof(their_owner), where, sizeof(where), arn,
                          sizeof(arn)) < 0 ||
            strcmp(owner, their_owner) != 0) {
            rc = cfn_fail(ctx, "a function named %s already exists and belongs to another resource",
                          s->name);
            goto done;
        }
        a.uploaded = false; /* the function uses it now */
        rc = update_code(ctx, aws, s, &a);
        if (rc == 0)
            rc = update_config(ctx, aws, s);
        if (rc == 0)
            rc = answer(ctx, s->name, arn);
        goto done;
    }
    if (rc < 0) {
        rc = cfn_fail(ctx, "%s", cfn_error_last()); /* before the clean-up's calls */
        goto done;
    }
    snprintf(arn, sizeof(arn), "%s",
             cfn_json_string(out, "FunctionArn") ? cfn_json_string(out, "FunctionArn") : "");
    /* Nothing half-made: the Delete after a failed Create will not come
     * here, so undo now. */
    if ((rc = cfnkit_lambda_wait_ready(ctx, aws, s->name)) < 0)
        delete_function(aws, s->name);
    else
        rc = answer(ctx, s->name, arn);
done:
    if (rc < 0)
        drop_artifact(aws, &a);
    cJSON_Delete(in);
    cJSON_Delete(out);
    return rc;
}

static void spec_clear(fn_spec *s)
{
    cJSON_Delete(s->config);
}

static int create(cfn_ctx *ctx)
{
    fn_spec s;
    cfn_aws *aws = NULL;
    int rc = read_spec(ctx, &s);
    if (rc == 0)
        rc = cfn_aws_for(ctx, NULL, &aws);
    if (rc == 0)
        rc = create_function(ctx, aws, &s);
    cfn_aws_free(aws);
    spec_clear(&s);
    return rc;
}

static int update(cfn_ctx *ctx)
{
    fn_spec s;
    cfn_aws *aws = NULL;
    char owner[65], where[1400], arn[512], old_bucket[256];
    const char *old_key;
    int rc = read_spec(ctx, &s);
    if (rc == 0)
        rc = cfn_aws_for(ctx, NULL, &aws);
    if (rc < 0)
        goto done;
    /* A new name is a new function (a replacement); CloudFormation then
     * deletes the old one. */
    if (strcmp(s.name, cfn_request_physical_id(ctx)) != 0) {
        rc = create_function(ctx, aws, &s);
        goto done;
    }
    /* Failing without a reason answers with the AWS error. */
    rc = function_tags(aws, s.name, owner, sizeof(owner), where, sizeof(where), arn, sizeof(arn));
    if (rc < 0)
        goto done;
    static const char *code_props[] = {
        "Code", "Env", "EnvFile", "ArtifactBucket", "ArtifactPrefix", "Architectures"};
    bool code = false;
    for (size_t i = 0; i < sizeof(code_props) / sizeof(code_props[0]); i++)
        code |= cfn_prop_changed(ctx, code_props[i]);
    if (code) {
        artifact a;
        if ((rc = build_artifact(ctx, aws, &s, &a)) < 0)
            goto done;
        if ((rc = update_code(ctx, aws, &s, &a)) < 0) {
            drop_artifact(aws, &a);
            goto done;
        }
        /* The old package, if it was one of ours and is now unused here. */
        char now[1400];
        snprintf(now, sizeof(now), "s3://%s/%s", a.bucket, a.key);
        if (where[0] && strcmp(where, now) != 0 &&
            parse_s3_url(where, old_bucket, sizeof(old_bucket), &old_key) == 0 &&
            strcmp(old_key, s.key) != 0)
            cfn_s3_delete_object(aws, old_bucket, old_key);
    }
    rc = update_config(ctx, aws, &s);
    if (rc == 0)
        rc = answer(ctx, s.name, arn);
done:
    cfn_aws_free(aws);
    spec_clear(&s);
    return rc;
}

/* Deletes function `name` and its package when this resource owns it. */
static int remove_named(cfn_ctx *ctx, const char *name)
{
    cfn_aws *aws = NULL;
    char owner[65], their_owner[65], where[1400], arn[512], bucket[256];
    const char *key, *code_key = NULL;
    cJSON *in = NULL;
    if (!valid_function_name(name)) {
        cfn_log(CFN_LOG_INFO, "%.80s is not a function name: nothing to delete", name);
        return 0;
    }
    int rc = cfn_aws_for(ctx, NULL, &aws);
    if (rc < 0)
        return rc;
    /* Failing without a reason answers with the AWS error. */
    rc = function_tags(aws, name, their_owner, sizeof(their_owner), where, sizeof(where), arn,
                       sizeof(arn));
    if (rc == CFN_ENOTFOUND || (rc < 0 && cfn_aws_error_is(aws, "ResourceNotFoundException"))) {
        cfn_log(CFN_LOG_INFO, "function %s is already gone", name);
        rc = 0;
        goto done;
    }
    if (rc < 0)
        goto done;
    cfn_request_resource_hash(ctx, owner);
    if (their_owner[0] && strcmp(owner, their_owner) != 0) {
        cfn_log(CFN_LOG_WARN, "function %s belongs to another resource: left in place", name);
        goto done;
    }
    if (!(in = cfnkit_json_strings(cJSON_CreateObject(), "FunctionName", name, NULL))) {
        rc = cfn_fail(ctx, "out of memory");
        goto done;
    }
    rc = cfn_lambda(aws, "DeleteFunction", in, NULL);
    if (rc < 0 && !cfn_aws_error_is(aws, "ResourceNotFoundException"))
        goto done;
    rc = 0;
    /* Its package, unless that is the shared code object itself. */
    cfn_prop_string_or(ctx, "Code.S3Key", NULL, &code_key);
    if (where[0] && parse_s3_url(where, bucket, sizeof(bucket), &key) == 0 &&
        (!code_key || strcmp(key, code_key) != 0))
        cfn_s3_delete_object(aws, bucket, key);
done:
    cJSON_Delete(in);
    cfn_aws_free(aws);
    return rc;
}

static int remove_function(cfn_ctx *ctx)
{
    return remove_named(ctx, cfn_request_physical_id(ctx));
}

/* The Delete after a failed Create: the function that Create may have made
 * after all (CreateFunction took effect, its answer came too late), found by
 * the name the Create would have used and deleted only when its owner tag
 * names this resource. */
static int remove_failed_create(cfn_ctx *ctx)
{
    fn_spec s;
    if (read_spec(ctx, &s) < 0) {
        /* Properties the Create refused: it made nothing. */
        cfn_log(CFN_LOG_INFO, "failed Create with invalid properties (%s): nothing to delete",
                cfn_reason(ctx));
        spec_clear(&s);
        return 0; /* a success: the reason set on the way is not read */
    }
    int rc = remove_named(ctx, s.name);
    spec_clear(&s);
    return rc;
}

const cfn_resource_type cfnkit_lambda_function = {
    .type = "Custom::LambdaFunction",
    .create = create,
    .update = update,
    .remove = remove_function,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .remove_failed_create = remove_failed_create,
};
