/* AWS::IAM::Role: a role with its inline Policies, ManagedPolicyArns,
 * permissions boundary and tags. Ref: the role name; GetAtt Arn, RoleId.
 * A delete detaches the managed policies and deletes the inline ones first,
 * as IAM requires. */
#include "iam.h"

#include "aws/native.h"
#include "awsjson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const known[] = {"AssumeRolePolicyDocument",
                                    "Description",
                                    "ManagedPolicyArns",
                                    "MaxSessionDuration",
                                    "Path",
                                    "PermissionsBoundary",
                                    "Policies",
                                    "RoleName",
                                    "Tags",
                                    NULL};

#define ROLE(n) ((iam_principal){"Role", "RoleName", (n)})

/* Its policies first, then the role. A role already gone is deleted. */
static int delete_role(cfn_ctx *ctx, cfn_aws *aws, const char *name)
{
    int rc = iam_principal_clear(ctx, aws, &ROLE(name));
    if (rc == 0 && iam_call(ctx, aws, "DeleteRole",
                            cfnkit_json_strings(cJSON_CreateObject(), "RoleName", name, NULL), NULL,
                            "NoSuchEntity") < 0)
        rc = -1;
    return rc < 0 ? -1 : 0;
}

/* Ref and GetAtt, read back from IAM. */
static int answer(cfn_ctx *ctx, cfn_aws *aws, const char *name)
{
    cJSON *out;
    if (iam_call(ctx, aws, "GetRole",
                 cfnkit_json_strings(cJSON_CreateObject(), "RoleName", name, NULL), &out, NULL) < 0)
        return -1;
    const cJSON *role = cJSON_GetObjectItem(out, "Role");
    const char *arn = cfn_json_string(role, "Arn"), *id = cfn_json_string(role, "RoleId");
    int rc = arn && id ? 0 : cfn_fail(ctx, "IAM GetRole: the answer has no Arn or RoleId");
    if (rc == 0)
        rc = cfn_set_data(ctx, "Arn", arn);
    if (rc == 0)
        rc = cfn_set_data(ctx, "RoleId", id);
    cJSON_Delete(out);
    return rc < 0 ? -1 : cfn_set_physical_id(ctx, name);
}

/* The settings UpdateRole and CreateRole share; on Update a dropped
 * Description or MaxSessionDuration goes back to IAM's default. */
static cJSON *settings(cfn_ctx *ctx, cJSON *in)
{
    const char *description;
    long long max;
    if (!in || cfn_prop_string_or(ctx, "Description", "", &description) < 0 ||
        cfn_prop_int_or(ctx, "MaxSessionDuration", 3600, &max) < 0) {
        cJSON_Delete(in);
        return NULL;
    }
    return cfnkit_json_number(cfnkit_json_strings(in, "Description", description, NULL),
                              "MaxSessionDuration", (double)max);
}

static int create(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    char *name = NULL, *doc = NULL;
    const char *given, *path, *boundary;
    cJSON *in = NULL, *tags = NULL;
    int rc = -1;
    if (native_check_props(ctx, known) < 0 ||
        cfn_prop_string_or(ctx, "RoleName", NULL, &given) < 0 ||
        cfn_prop_string_or(ctx, "Path", "/", &path) < 0 ||
        cfn_prop_string_or(ctx, "PermissionsBoundary", NULL, &boundary) < 0 ||
        iam_document(ctx, "AssumeRolePolicyDocument", false, &doc) < 0 ||
        !(tags = iam_tag_list(ctx)))
        goto done;
    if (given ? !(name = strdup(given)) : native_name(ctx, 64, 0, &name) < 0)
        goto done;
    in = settings(ctx, cfnkit_json_strings(cJSON_CreateObject(), "RoleName", name, "Path", path,
                                           "AssumeRolePolicyDocument", doc, "PermissionsBoundary",
                                           boundary, NULL));
    if (in && cJSON_GetArraySize(tags)) {
        in = cfnkit_json_item(in, "Tags", tags);
        tags = NULL;
    }
    if (!in || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    rc = iam_call(ctx, aws, "CreateRole", in, NULL, "EntityAlreadyExists");
    in = NULL;
    if (rc == 1 && given) {
        rc = cfn_fail(ctx, "Resource of type 'AWS::IAM::Role' with identifier '%s' already exists.",
                      name);
        goto done;
    }
    /* 1: a generated name is drawn from the request, so the role is the one
     * this Create made when it was delivered before; it is brought up to
     * date like a new one. */
    rc = rc < 0 ? -1 : 0;
    if (rc == 0)
        rc = iam_sync_inline(ctx, aws, &ROLE(name), false);
    if (rc == 0)
        rc = iam_sync_managed(ctx, aws, &ROLE(name), false);
    if (rc == 0)
        rc = answer(ctx, aws, name);
    if (rc < 0)
        iam_undo(ctx, aws, name, delete_role);
done:
    if (rc < 0 && !cfn_reason(ctx))
        cfn_fail(ctx, "out of memory");
    cJSON_Delete(in);
    cJSON_Delete(tags);
    free(name);
    free(doc);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : 0;
}

static int update(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    const char *name = cfn_request_physical_id(ctx), *boundary;
    char *doc = NULL;
    int rc = -1;
    if (native_check_props(ctx, known) < 0 ||
        cfn_prop_string_or(ctx, "PermissionsBoundary", NULL, &boundary) < 0 ||
        iam_document(ctx, "AssumeRolePolicyDocument", false, &doc) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cfn_prop_changed(ctx, "AssumeRolePolicyDocument") &&
        iam_call(ctx, aws, "UpdateAssumeRolePolicy",
                 cfnkit_json_strings(cJSON_CreateObject(), "RoleName", name, "PolicyDocument", doc,
                                     NULL),
                 NULL, NULL) < 0)
        goto done;
    if ((cfn_prop_changed(ctx, "Description") || cfn_prop_changed(ctx, "MaxSessionDuration")) &&
        iam_call(ctx, aws, "UpdateRole",
                 settings(ctx, cfnkit_json_strings(cJSON_CreateObject(), "RoleName", name, NULL)),
                 NULL, NULL) < 0)
        goto done;
    if (cfn_prop_changed(ctx, "PermissionsBoundary") &&
        iam_call(ctx, aws,
                 boundary ? "PutRolePermissionsBoundary" : "DeleteRolePermissionsBoundary",
                 cfnkit_json_strings(cJSON_CreateObject(), "RoleName", name, "PermissionsBoundary",
                                     boundary, NULL),
                 NULL, NULL) < 0)
        goto done;
    if (iam_sync_inline(ctx, aws, &ROLE(name), true) < 0 ||
        iam_sync_managed(ctx, aws, &ROLE(name), true) < 0 ||
        (cfn_prop_changed(ctx, "Tags") && iam_sync_tags(ctx, aws, &ROLE(name)) < 0))
        goto done;
    rc = answer(ctx, aws, name);
done:
    free(doc);
    cfn_aws_free(aws);
    return rc;
}

static int remove_role(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    const char *name = cfn_request_physical_id(ctx);
    if (!iam_valid_name(name, 64)) {
        cfn_log(CFN_LOG_INFO, "%.100s is not a role name: nothing to delete", name);
        return 0;
    }
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = delete_role(ctx, aws, cfn_request_physical_id(ctx));
    cfn_aws_free(aws);
    return rc;
}

static const char *const replaces[] = {"Path", "RoleName", NULL};
static const char *const attributes[] = {"Arn", "RoleId", NULL};

const cfn_resource_type native_iam_role = {
    .type = "AWS::IAM::Role",
    .create = create,
    .update = update,
    .remove = remove_role,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = replaces,
    .attributes = attributes,
};
