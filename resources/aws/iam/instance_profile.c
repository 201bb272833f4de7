/* AWS::IAM::InstanceProfile: an instance profile holding its Roles (IAM
 * allows one). Ref: the profile name; GetAtt Arn. */
#include "iam.h"

#include "aws/native.h"
#include "awsjson.h"

#include <stdlib.h>
#include <string.h>

static const char *const known[] = {"InstanceProfileName", "Path", "Roles", NULL};

/* The profile's roles now (names), from IAM; 1 when the profile is gone. */
static int roles_of(cfn_ctx *ctx, cfn_aws *aws, const char *name, cJSON **roles, char **arn)
{
    cJSON *out;
    *roles = NULL;
    int rc = iam_call(ctx, aws, "GetInstanceProfile",
                      cfnkit_json_strings(cJSON_CreateObject(), "InstanceProfileName", name, NULL),
                      &out, "NoSuchEntity");
    if (rc != 0)
        return rc;
    const cJSON *profile = cJSON_GetObjectItem(out, "InstanceProfile"), *r;
    if (!(*roles = cJSON_CreateArray()))
        rc = cfn_fail(ctx, "out of memory");
    cJSON_ArrayForEach(r, (rc == 0 ? cJSON_GetObjectItem(profile, "Roles") : NULL))
    {
        const char *role = cfn_json_string(r, "RoleName");
        if (role && !cJSON_AddItemToArray(*roles, cJSON_CreateString(role)))
            rc = cfn_fail(ctx, "out of memory");
    }
    if (rc == 0 && arn) {
        const char *a = cfn_json_string(profile, "Arn");
        if (!a || !(*arn = strdup(a)))
            rc = cfn_fail(ctx, "IAM GetInstanceProfile: the answer has no Arn");
    }
    cJSON_Delete(out);
    return rc;
}

/* Adds the template's roles that the profile lacks and removes the others,
 * then answers with the profile's ARN. */
static int sync(cfn_ctx *ctx, cfn_aws *aws, const char *name)
{
    const cJSON *want, *r;
    cJSON *have = NULL;
    char *arn = NULL;
    if (iam_names(ctx, "Roles", false, &want) < 0)
        return -1;
    int rc = roles_of(ctx, aws, name, &have, &arn);
    if (rc == 1)
        rc = cfn_fail(ctx, "instance profile %s is gone", name);
    cJSON_ArrayForEach(r, (rc == 0 ? have : NULL))
    {
        if (!iam_has(want, r->valuestring) &&
            iam_call(ctx, aws, "RemoveRoleFromInstanceProfile",
                     cfnkit_json_strings(cJSON_CreateObject(), "InstanceProfileName", name,
                                         "RoleName", r->valuestring, NULL),
                     NULL, "NoSuchEntity") < 0)
            rc = -1;
    }
    cJSON_ArrayForEach(r, (rc == 0 ? want : NULL))
    {
        if (!iam_has(have, r->valuestring) &&
            iam_call(ctx, aws, "AddRoleToInstanceProfile",
                     cfnkit_json_strings(cJSON_CreateObject(), "InstanceProfileName", name,
                                         "RoleName", r->valuestring, NULL),
                     NULL, NULL) < 0)
            rc = -1;
    }
    if (rc == 0)
        rc = cfn_set_data(ctx, "Arn", arn);
    if (rc == 0)
        rc = cfn_set_physical_id(ctx, name);
    cJSON_Delete(have);
    free(arn);
    return rc < 0 ? -1 : 0;
}

static int delete_profile(cfn_ctx *ctx, cfn_aws *aws, const char *name)
{
    cJSON *have = NULL;
    const cJSON *r;
    int rc = roles_of(ctx, aws, name, &have, NULL);
    cJSON_ArrayForEach(r, (rc == 0 ? have : NULL))
    {
        if (iam_call(ctx, aws, "RemoveRoleFromInstanceProfile",
                     cfnkit_json_strings(cJSON_CreateObject(), "InstanceProfileName", name,
                                         "RoleName", r->valuestring, NULL),
                     NULL, "NoSuchEntity") < 0)
            rc = -1;
    }
    cJSON_Delete(have);
    if (rc == 0 &&
        iam_call(ctx, aws, "DeleteInstanceProfile",
                 cfnkit_json_strings(cJSON_CreateObject(), "InstanceProfileName", name, NULL), NULL,
                 "NoSuchEntity") < 0)
        rc = -1;
    return rc < 0 ? -1 : 0;
}

static int create(cfn_ctx *ctx)
{
    const char *given, *path;
    const cJSON *roles;
    char *name = NULL;
    cfn_aws *aws = NULL;
    int rc = -1;
    if (native_check_props(ctx, known) < 0 ||
        cfn_prop_string_or(ctx, "InstanceProfileName", NULL, &given) < 0 ||
        cfn_prop_string_or(ctx, "Path", "/", &path) < 0 ||
        iam_names(ctx, "Roles", false, &roles) < 0)
        goto done;
    if (!roles) {
        rc = cfn_fail(ctx, "AWS::IAM::InstanceProfile property Roles is required");
        goto done;
    }
    if (given ? !(name = strdup(given)) : native_name(ctx, 128, 0, &name) < 0)
        goto done;
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    rc = iam_call(
        ctx, aws, "CreateInstanceProfile",
        cfnkit_json_strings(cJSON_CreateObject(), "InstanceProfileName", name, "Path", path, NULL),
        NULL, "EntityAlreadyExists");
    if (rc == 1 && given) {
        rc = cfn_fail(ctx,
                      "Resource of type 'AWS::IAM::InstanceProfile' with identifier '%s' already "
                      "exists.",
                      name);
        goto done;
    }
    /* 1: a generated name is drawn from the request: the profile this Create
     * made when it was delivered before. */
    if (rc >= 0 && (rc = sync(ctx, aws, name)) < 0)
        iam_undo(ctx, aws, name, delete_profile);
done:
    if (rc < 0 && !cfn_reason(ctx))
        cfn_fail(ctx, "out of memory");
    free(name);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : 0;
}

static int update(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    if (native_check_props(ctx, known) < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = sync(ctx, aws, cfn_request_physical_id(ctx));
    cfn_aws_free(aws);
    return rc;
}

static int remove_profile(cfn_ctx *ctx)
{
    const char *name = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    if (!iam_valid_name(name, 128)) {
        cfn_log(CFN_LOG_INFO, "%.100s is not an instance profile name: nothing to delete", name);
        return 0;
    }
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = delete_profile(ctx, aws, name);
    cfn_aws_free(aws);
    return rc;
}

static const char *const replaces[] = {"InstanceProfileName", "Path", NULL};
static const char *const attributes[] = {"Arn", NULL};

const cfn_resource_type native_iam_instance_profile = {
    .type = "AWS::IAM::InstanceProfile",
    .create = create,
    .update = update,
    .remove = remove_profile,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = replaces,
    .attributes = attributes,
};
