/* AWS::Lambda::LayerVersion: one published version of a layer. Every
 * property is create-only (a new version is a replacement), so an Update has
 * nothing to change. Ref and GetAtt LayerVersionArn. */
#include "lambda.h"

#include "aws/native.h"
#include "awsjson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const known[] = {"CompatibleArchitectures",
                                    "CompatibleRuntimes",
                                    "Content",
                                    "Description",
                                    "LayerName",
                                    "LicenseInfo",
                                    NULL};
static const char *const content_members[] = {"S3Bucket", "S3Key", "S3ObjectVersion", NULL};

static int create(cfn_ctx *ctx)
{
    const char *given, *description, *license, *bucket, *key, *version;
    const cJSON *content, *m, *list;
    char *name = NULL;
    cfn_aws *aws = NULL;
    cJSON *in = NULL, *out = NULL;
    int rc = -1;
    if (native_check_props(ctx, known) < 0 ||
        cfn_prop_string_or(ctx, "LayerName", NULL, &given) < 0 ||
        cfn_prop_string_or(ctx, "Description", NULL, &description) < 0 ||
        cfn_prop_string_or(ctx, "LicenseInfo", NULL, &license) < 0 ||
        cfn_prop_map(ctx, "Content", &content) < 0)
        goto done;
    cJSON_ArrayForEach(m, content)
    {
        if (!cfnkit_listed(content_members, m->string)) {
            rc = cfn_fail(ctx, "AWS::Lambda::LayerVersion property Content.%.100s is not supported",
                          m->string);
            goto done;
        }
    }
    if (cfn_prop_string(ctx, "Content.S3Bucket", &bucket) < 0 ||
        cfn_prop_string(ctx, "Content.S3Key", &key) < 0 ||
        cfn_prop_string_or(ctx, "Content.S3ObjectVersion", NULL, &version) < 0)
        goto done;
    if (given ? !(name = strdup(given)) : native_name(ctx, 140, 0, &name) < 0)
        goto done;
    in =
        cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "LayerName", name, "Description",
                                             description, "LicenseInfo", license, NULL),
                         "Content",
                         cfnkit_json_strings(cJSON_CreateObject(), "S3Bucket", bucket, "S3Key", key,
                                             "S3ObjectVersion", version, NULL));
    static const char *const lists[] = {"CompatibleRuntimes", "CompatibleArchitectures", NULL};
    for (const char *const *l = lists; in && *l; l++) {
        if (!cfn_prop_has(ctx, *l))
            continue;
        if (cfn_prop_list(ctx, *l, &list) < 0)
            goto done;
        in = cfnkit_json_item(in, *l, cJSON_Duplicate(list, 1));
    }
    if (!in || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cfn_aws_call(aws, "lambda", "PublishLayerVersion", in, &out) < 0) {
        rc = cfn_fail(ctx, "%s", cfn_error_last());
        goto done;
    }
    const char *arn = cfn_json_string(out, "LayerVersionArn");
    if (!arn) {
        rc = cfn_fail(ctx, "Lambda PublishLayerVersion: the answer has no LayerVersionArn");
        goto done;
    }
    rc = cfn_set_data(ctx, "LayerVersionArn", arn);
    if (rc == 0)
        rc = cfn_set_physical_id(ctx, arn);
done:
    if (rc < 0 && !cfn_reason(ctx))
        cfn_fail(ctx, "out of memory");
    cJSON_Delete(in);
    cJSON_Delete(out);
    free(name);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : 0;
}

/* "arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION": the name and the
 * version, or -1 when the id is not such an ARN. */
static int parse_arn(const char *arn, char *name, size_t size, long *version)
{
    const char *layer = strstr(arn, ":layer:"), *colon;
    char *end;
    if (strncmp(arn, "arn:", 4) != 0 || !layer || !(colon = strrchr(arn, ':')) ||
        colon <= layer + 7 || (size_t)(colon - layer - 7) >= size)
        return -1;
    *version = strtol(colon + 1, &end, 10);
    if (*end || *version < 1)
        return -1;
    snprintf(name, size, "%.*s", (int)(colon - layer - 7), layer + 7);
    return 0;
}

static int update(cfn_ctx *ctx)
{
    const char *arn = cfn_request_physical_id(ctx);
    if (native_check_props(ctx, known) < 0 || cfn_set_data(ctx, "LayerVersionArn", arn) < 0)
        return -1;
    return cfn_set_physical_id(ctx, arn);
}

static int remove_layer(cfn_ctx *ctx)
{
    const char *arn = cfn_request_physical_id(ctx);
    char name[256];
    long version;
    if (parse_arn(arn, name, sizeof(name), &version) < 0) {
        cfn_log(CFN_LOG_INFO, "%.100s is not a layer version ARN: nothing to delete", arn);
        return 0;
    }
    /* Lambda answers the delete of a version that is gone with success. */
    return lambda_delete(
        ctx, "DeleteLayerVersion",
        cfnkit_json_number(cfnkit_json_strings(cJSON_CreateObject(), "LayerName", name, NULL),
                           "VersionNumber", (double)version),
        NULL, NULL);
}

static const char *const replaces[] = {"CompatibleRuntimes",
                                       "LicenseInfo",
                                       "CompatibleArchitectures",
                                       "LayerName",
                                       "Description",
                                       "Content",
                                       NULL};
static const char *const write_only[] = {"Content", NULL};
static const char *const attributes[] = {"LayerVersionArn", NULL};

const cfn_resource_type native_lambda_layer_version = {
    .type = "AWS::Lambda::LayerVersion",
    .create = create,
    .update = update,
    .remove = remove_layer,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = replaces,
    .attributes = attributes,
    .write_only = write_only,
};
