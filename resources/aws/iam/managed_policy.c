/* AWS::IAM::ManagedPolicy: a customer managed policy attached to its Roles,
 * Users and Groups. Ref: the policy ARN; GetAtt PolicyArn, PolicyId,
 * DefaultVersionId, AttachmentCount, PermissionsBoundaryUsageCount,
 * IsAttachable, CreateDate, UpdateDate. A new document is a new default
 * version (the oldest other version goes first when IAM's five are used). */
#include "iam.h"

#include "aws/native.h"
#include "awsjson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const known[] = {
    "Description", "Groups", "ManagedPolicyName", "Path", "PolicyDocument", "Roles", "Users", NULL};

typedef struct target_kind {
    const char *prop, *attach, *detach, *member, *listed, *listed_member;
} target_kind;

static const target_kind kinds[] = {
    {"Roles", "AttachRolePolicy", "DetachRolePolicy", "RoleName", "PolicyRoles", "RoleName"},
    {"Users", "AttachUserPolicy", "DetachUserPolicy", "UserName", "PolicyUsers", "UserName"},
    {"Groups", "AttachGroupPolicy", "DetachGroupPolicy", "GroupName", "PolicyGroups", "GroupName"},
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

/* Attaches the policy to the targets the template lists and, on Update,
 * detaches it from those it no longer lists. */
static int sync_targets(cfn_ctx *ctx, cfn_aws *aws, const char *arn)
{
    bool update = cfn_request_action(ctx) == CFN_UPDATE;
    for (size_t k = 0; k < NKINDS; k++) {
        const cJSON *now, *old = NULL, *t;
        if (iam_names(ctx, kinds[k].prop, false, &now) < 0 ||
            (update && iam_names(ctx, kinds[k].prop, true, &old) < 0))
            return -1;
        cJSON_ArrayForEach(t, now)
        {
            if (!iam_has(old, t->valuestring) &&
                iam_call(ctx, aws, kinds[k].attach,
                         cfnkit_json_strings(cJSON_CreateObject(), kinds[k].member, t->valuestring,
                                             "PolicyArn", arn, NULL),
                         NULL, NULL) < 0)
                return -1;
        }
        cJSON_ArrayForEach(t, old)
        {
            if (!iam_has(now, t->valuestring) &&
                iam_call(ctx, aws, kinds[k].detach,
                         cfnkit_json_strings(cJSON_CreateObject(), kinds[k].member, t->valuestring,
                                             "PolicyArn", arn, NULL),
                         NULL, "NoSuchEntity") < 0)
                return -1;
        }
    }
    return 0;
}

static int set_json(cfn_ctx *ctx, const cJSON *policy, const char *name)
{
    const cJSON *v = cJSON_GetObjectItem(policy, name);
    cJSON *copy = v ? cJSON_Duplicate(v, 1) : NULL;
    if (!copy)
        return cfn_fail(ctx, "IAM GetPolicy: the answer has no %s", name);
    return cfn_set_data_json(ctx, name, copy);
}

/* Adds PermissionsBoundaryUsageCount to `policy`, counted by IAM. */
static int boundary_count(cfn_ctx *ctx, cfn_aws *aws, const char *arn, cJSON *policy)
{
    cJSON *out;
    if (iam_call(ctx, aws, "ListEntitiesForPolicy",
                 cfnkit_json_strings(cJSON_CreateObject(), "PolicyArn", arn, "PolicyUsageFilter",
                                     "PermissionsBoundary", NULL),
                 &out, NULL) < 0)
        return -1;
    int n = cJSON_GetArraySize(cJSON_GetObjectItem(out, "PolicyUsers")) +
            cJSON_GetArraySize(cJSON_GetObjectItem(out, "PolicyRoles"));
    cJSON_Delete(out);
    if (!cJSON_AddNumberToObject(policy, "PermissionsBoundaryUsageCount", n))
        return cfn_fail(ctx, "out of memory");
    return 0;
}

/* Ref and every GetAtt, read back from IAM. */
static int answer(cfn_ctx *ctx, cfn_aws *aws, const char *arn)
{
    static const char *const strings[] = {"PolicyId", "DefaultVersionId", "CreateDate",
                                          "UpdateDate", NULL};
    static const char *const values[] = {"AttachmentCount", "PermissionsBoundaryUsageCount",
                                         "IsAttachable", NULL};
    cJSON *out;
    if (iam_call(ctx, aws, "GetPolicy",
                 cfnkit_json_strings(cJSON_CreateObject(), "PolicyArn", arn, NULL), &out, NULL) < 0)
        return -1;
    const cJSON *policy = cJSON_GetObjectItem(out, "Policy");
    int rc = cfn_set_data(ctx, "PolicyArn", arn);
    for (const char *const *s = strings; rc == 0 && *s; s++) {
        const char *v = cfn_json_string(policy, *s);
        rc =
            v ? cfn_set_data(ctx, *s, v) : cfn_fail(ctx, "IAM GetPolicy: the answer has no %s", *s);
    }
    /* moto's GetPolicy has no PermissionsBoundaryUsageCount: it is the
     * number of entities using the policy as their boundary, which
     * ListEntitiesForPolicy counts. */
    if (rc == 0 && !cJSON_GetObjectItem(policy, "PermissionsBoundaryUsageCount"))
        rc = boundary_count(ctx, aws, arn, cJSON_GetObjectItem(out, "Policy"));
    for (const char *const *s = values; rc == 0 && *s; s++)
        rc = set_json(ctx, policy, *s);
    cJSON_Delete(out);
    return rc < 0 ? -1 : cfn_set_physical_id(ctx, arn);
}

/* The ARN IAM gives a policy of this account: arn:aws:iam::ACCOUNT:policyPATHNAME. */
static int policy_arn(cfn_ctx *ctx, cfn_aws *aws, const char *path, const char *name, char **arn)
{
    char *account = NULL;
    if (cfn_sts_get_caller_identity(aws, &account, NULL) < 0)
        return cfn_fail(ctx, "%s", cfn_error_last());
    int n = asprintf(arn, "arn:aws:iam::%s:policy%s%s", account, path, name);
    free(account);
    return n < 0 ? cfn_fail(ctx, "out of memory") : 0;
}

static int delete_all(cfn_ctx *ctx, cfn_aws *aws, const char *arn);

static int create(cfn_ctx *ctx)
{
    const char *given, *path, *description;
    char *name = NULL, *doc = NULL, *arn = NULL;
    cfn_aws *aws = NULL;
    cJSON *out = NULL;
    int rc = -1;
    if (native_check_props(ctx, known) < 0 ||
        cfn_prop_string_or(ctx, "ManagedPolicyName", NULL, &given) < 0 ||
        cfn_prop_string_or(ctx, "Path", "/", &path) < 0 ||
        cfn_prop_string_or(ctx, "Description", NULL, &description) < 0 ||
        iam_document(ctx, "PolicyDocument", false, &doc) < 0)
        goto done;
    if (given ? !(name = strdup(given)) : native_name(ctx, 128, 0, &name) < 0)
        goto done;
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    rc = iam_call(ctx, aws, "CreatePolicy",
                  cfnkit_json_strings(cJSON_CreateObject(), "PolicyName", name, "Path", path,
                                      "PolicyDocument", doc, "Description", description, NULL),
                  &out, "EntityAlreadyExists");
    if (rc == 1 && given) {
        rc = cfn_fail(ctx,
                      "Resource of type 'AWS::IAM::ManagedPolicy' with identifier '%s' already "
                      "exists.",
                      name);
        goto done;
    }
    /* 1: a generated name is drawn from the request: the policy this Create
     * made when it was delivered before. */
    if (rc == 1)
        rc = policy_arn(ctx, aws, path, name, &arn);
    else if (rc == 0 &&
             !(arn = strdup(cfn_json_string(cJSON_GetObjectItem(out, "Policy"), "Arn")
                                ? cfn_json_string(cJSON_GetObjectItem(out, "Policy"), "Arn")
                                : "")))
        rc = cfn_fail(ctx, "out of memory");
    if (rc < 0)
        goto done;
    if (!*arn) {
        rc = cfn_fail(ctx, "IAM CreatePolicy: the answer has no Arn");
        goto done;
    }
    rc = sync_targets(ctx, aws, arn);
    if (rc == 0)
        rc = answer(ctx, aws, arn);
    if (rc < 0)
        iam_undo(ctx, aws, arn, delete_all);
done:
    if (rc < 0 && !cfn_reason(ctx))
        cfn_fail(ctx, "out of memory");
    cJSON_Delete(out);
    free(name);
    free(doc);
    free(arn);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : 0;
}

/* The versions other than the default, oldest first (IAM lists them newest
 * first). */
static int other_versions(cfn_ctx *ctx, cfn_aws *aws, const char *arn, cJSON **ids)
{
    cJSON *out;
    *ids = cJSON_CreateArray();
    if (!*ids)
        return cfn_fail(ctx, "out of memory");
    int rc = iam_call(ctx, aws, "ListPolicyVersions",
                      cfnkit_json_strings(cJSON_CreateObject(), "PolicyArn", arn, NULL), &out,
                      "NoSuchEntity");
    if (rc != 0)
        return rc;
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItem(out, "Versions"))
    {
        const char *id = cfn_json_string(v, "VersionId");
        if (id && !cJSON_IsTrue(cJSON_GetObjectItem(v, "IsDefaultVersion")))
            cJSON_InsertItemInArray(*ids, 0, cJSON_CreateString(id));
    }
    cJSON_Delete(out);
    return 0;
}

static int update(cfn_ctx *ctx)
{
    const char *arn = cfn_request_physical_id(ctx);
    char *doc = NULL;
    cfn_aws *aws = NULL;
    cJSON *versions = NULL;
    int rc = -1;
    if (native_check_props(ctx, known) < 0 ||
        iam_document(ctx, "PolicyDocument", false, &doc) < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cfn_prop_changed(ctx, "PolicyDocument")) {
        if (other_versions(ctx, aws, arn, &versions) != 0)
            goto done;
        /* IAM keeps five versions: make room for the new one. */
        if (cJSON_GetArraySize(versions) >= 4 &&
            iam_call(ctx, aws, "DeletePolicyVersion",
                     cfnkit_json_strings(cJSON_CreateObject(), "PolicyArn", arn, "VersionId",
                                         cJSON_GetArrayItem(versions, 0)->valuestring, NULL),
                     NULL, NULL) < 0)
            goto done;
        cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "PolicyArn", arn, "PolicyDocument",
                                        doc, NULL);
        if (in && !cJSON_AddBoolToObject(in, "SetAsDefault", 1)) {
            cJSON_Delete(in);
            in = NULL;
        }
        if (iam_call(ctx, aws, "CreatePolicyVersion", in, NULL, NULL) < 0)
            goto done;
    }
    if (sync_targets(ctx, aws, arn) == 0)
        rc = answer(ctx, aws, arn);
done:
    cJSON_Delete(versions);
    free(doc);
    cfn_aws_free(aws);
    return rc;
}

/* Detaches the policy from every entity, deletes its other versions, then
 * the policy. Gone is deleted. */
static int delete_all(cfn_ctx *ctx, cfn_aws *aws, const char *arn)
{
    cJSON *out = NULL, *versions = NULL;
    int rc = iam_call(ctx, aws, "ListEntitiesForPolicy",
                      cfnkit_json_strings(cJSON_CreateObject(), "PolicyArn", arn, NULL), &out,
                      "NoSuchEntity");
    for (size_t k = 0; rc == 0 && k < NKINDS; k++) {
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(out, kinds[k].listed))
        {
            const char *name = cfn_json_string(e, kinds[k].listed_member);
            if (name && iam_call(ctx, aws, kinds[k].detach,
                                 cfnkit_json_strings(cJSON_CreateObject(), kinds[k].member, name,
                                                     "PolicyArn", arn, NULL),
                                 NULL, "NoSuchEntity") < 0)
                rc = -1;
        }
    }
    cJSON_Delete(out);
    if (rc == 0)
        rc = other_versions(ctx, aws, arn, &versions);
    const cJSON *v;
    cJSON_ArrayForEach(v, (rc == 0 ? versions : NULL))
    {
        if (iam_call(ctx, aws, "DeletePolicyVersion",
                     cfnkit_json_strings(cJSON_CreateObject(), "PolicyArn", arn, "VersionId",
                                         v->valuestring, NULL),
                     NULL, "NoSuchEntity") < 0)
            rc = -1;
    }
    cJSON_Delete(versions);
    if (rc == 0 && iam_call(ctx, aws, "DeletePolicy",
                            cfnkit_json_strings(cJSON_CreateObject(), "PolicyArn", arn, NULL), NULL,
                            "NoSuchEntity") < 0)
        rc = -1;
    return rc < 0 ? -1 : 0;
}

static int remove_policy(cfn_ctx *ctx)
{
    const char *arn = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    if (strncmp(arn, "arn:", 4) != 0 || !strstr(arn, ":policy/")) {
        cfn_log(CFN_LOG_INFO, "%.100s is not a policy ARN: nothing to delete", arn);
        return 0;
    }
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = delete_all(ctx, aws, arn);
    cfn_aws_free(aws);
    return rc;
}

static const char *const replaces[] = {"ManagedPolicyName", "Description", "Path", NULL};
static const char *const attributes[] = {
    "PolicyArn",        "AttachmentCount", "CreateDate",
    "DefaultVersionId", "IsAttachable",    "PermissionsBoundaryUsageCount",
    "PolicyId",         "UpdateDate",      NULL};

const cfn_resource_type native_iam_managed_policy = {
    .type = "AWS::IAM::ManagedPolicy",
    .create = create,
    .update = update,
    .remove = remove_policy,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = replaces,
    .attributes = attributes,
};
