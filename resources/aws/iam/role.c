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

/* Every name of a listing operation's answer (all pages): `list` is the
 * answer's member holding the items, `member` the item's name member, or
 * NULL when the items are the names. *out is the caller's. */
static int list_all(cfn_ctx *ctx, cfn_aws *aws, const char *operation, const char *role,
                    const char *list, const char *member, cJSON **out)
{
    char marker[1024] = "";
    cJSON *names = cJSON_CreateArray();
    *out = NULL;
    if (!names)
        return cfn_fail(ctx, "out of memory");
    for (int page = 0; page < 100; page++) {
        cJSON *ans, *in = cfnkit_json_strings(cJSON_CreateObject(), "RoleName", role, "Marker",
                                              marker[0] ? marker : NULL, NULL);
        int rc = iam_call(ctx, aws, operation, in, &ans, "NoSuchEntity");
        if (rc != 0) {
            cJSON_Delete(names);
            return rc;
        }
        const cJSON *item;
        cJSON_ArrayForEach(item, cJSON_GetObjectItem(ans, list))
        {
            const char *name = member ? cfn_json_string(item, member)
                                      : (cJSON_IsString(item) ? item->valuestring : NULL);
            if (name && !cJSON_AddItemToArray(names, cJSON_CreateString(name))) {
                cJSON_Delete(ans);
                cJSON_Delete(names);
                return cfn_fail(ctx, "out of memory");
            }
        }
        const char *next = cJSON_IsTrue(cJSON_GetObjectItem(ans, "IsTruncated"))
                               ? cfn_json_string(ans, "Marker")
                               : NULL;
        snprintf(marker, sizeof(marker), "%s", next ? next : "");
        cJSON_Delete(ans);
        if (!marker[0])
            break;
    }
    *out = names;
    return 0;
}

/* Detaches every managed policy, deletes every inline one, then the role.
 * A role already gone is deleted. */
static int delete_role(cfn_ctx *ctx, cfn_aws *aws, const char *name)
{
    cJSON *names = NULL;
    const cJSON *n;
    int rc = list_all(ctx, aws, "ListAttachedRolePolicies", name, "AttachedPolicies", "PolicyArn",
                      &names);
    cJSON_ArrayForEach(n, (rc == 0 ? names : NULL))
    {
        if (iam_call(ctx, aws, "DetachRolePolicy",
                     cfnkit_json_strings(cJSON_CreateObject(), "RoleName", name, "PolicyArn",
                                         n->valuestring, NULL),
                     NULL, "NoSuchEntity") < 0)
            rc = -1;
    }
    cJSON_Delete(names);
    names = NULL;
    if (rc == 0)
        rc = list_all(ctx, aws, "ListRolePolicies", name, "PolicyNames", NULL, &names);
    cJSON_ArrayForEach(n, (rc == 0 ? names : NULL))
    {
        if (iam_call(ctx, aws, "DeleteRolePolicy",
                     cfnkit_json_strings(cJSON_CreateObject(), "RoleName", name, "PolicyName",
                                         n->valuestring, NULL),
                     NULL, "NoSuchEntity") < 0)
            rc = -1;
    }
    cJSON_Delete(names);
    if (rc < 0)
        return -1;
    if (rc == 0 && iam_call(ctx, aws, "DeleteRole",
                            cfnkit_json_strings(cJSON_CreateObject(), "RoleName", name, NULL), NULL,
                            "NoSuchEntity") < 0)
        return -1;
    return 0;
}

/* The inline policies as the template gives them: PutRolePolicy for each,
 * and on Update DeleteRolePolicy for those whose name went away. */
static int sync_inline(cfn_ctx *ctx, cfn_aws *aws, const char *role, bool update)
{
    const cJSON *now = NULL, *old = NULL;
    char path[64];
    if (cfn_prop_has(ctx, "Policies") && cfn_prop_list(ctx, "Policies", &now) < 0)
        return -1;
    if (update && cfn_old_prop_has(ctx, "Policies") && cfn_old_prop_list(ctx, "Policies", &old) < 0)
        return -1;
    for (int i = 0; i < cJSON_GetArraySize(now); i++) {
        const char *name;
        char *doc;
        snprintf(path, sizeof(path), "Policies.%d.PolicyName", i);
        if (cfn_prop_string(ctx, path, &name) < 0)
            return -1;
        snprintf(path, sizeof(path), "Policies.%d.PolicyDocument", i);
        if (iam_document(ctx, path, false, &doc) < 0)
            return -1;
        int rc = iam_call(ctx, aws, "PutRolePolicy",
                          cfnkit_json_strings(cJSON_CreateObject(), "RoleName", role, "PolicyName",
                                              name, "PolicyDocument", doc, NULL),
                          NULL, NULL);
        free(doc);
        if (rc < 0)
            return -1;
    }
    const cJSON *o;
    cJSON_ArrayForEach(o, old)
    {
        const char *name = cfn_json_string(o, "PolicyName");
        bool kept = false;
        const cJSON *n;
        cJSON_ArrayForEach(n, now)
        {
            const char *k = cfn_json_string(n, "PolicyName");
            kept |= name && k && strcmp(name, k) == 0;
        }
        if (name && !kept &&
            iam_call(ctx, aws, "DeleteRolePolicy",
                     cfnkit_json_strings(cJSON_CreateObject(), "RoleName", role, "PolicyName", name,
                                         NULL),
                     NULL, "NoSuchEntity") < 0)
            return -1;
    }
    return 0;
}

/* ManagedPolicyArns: attach the new, and on Update detach the dropped. */
static int sync_managed(cfn_ctx *ctx, cfn_aws *aws, const char *role, bool update)
{
    const cJSON *now, *old = NULL, *a;
    if (iam_names(ctx, "ManagedPolicyArns", false, &now) < 0 ||
        (update && iam_names(ctx, "ManagedPolicyArns", true, &old) < 0))
        return -1;
    cJSON_ArrayForEach(a, now)
    {
        if (!iam_has(old, a->valuestring) &&
            iam_call(ctx, aws, "AttachRolePolicy",
                     cfnkit_json_strings(cJSON_CreateObject(), "RoleName", role, "PolicyArn",
                                         a->valuestring, NULL),
                     NULL, NULL) < 0)
            return -1;
    }
    cJSON_ArrayForEach(a, old)
    {
        if (!iam_has(now, a->valuestring) &&
            iam_call(ctx, aws, "DetachRolePolicy",
                     cfnkit_json_strings(cJSON_CreateObject(), "RoleName", role, "PolicyArn",
                                         a->valuestring, NULL),
                     NULL, "NoSuchEntity") < 0)
            return -1;
    }
    return 0;
}

/* The template's tags, as a list IAM takes; NULL with the reason set. */
static cJSON *tag_list(cfn_ctx *ctx)
{
    cJSON *map, *list;
    const cJSON *t;
    if (cfnkit_tags_map(ctx, "Tags", &map) < 0)
        return NULL;
    if (!(list = cJSON_CreateArray()))
        goto oom;
    cJSON_ArrayForEach(t, map)
    {
        cJSON *tag = cfnkit_json_strings(cJSON_CreateObject(), "Key", t->string, "Value",
                                         t->valuestring, NULL);
        if (!tag || !cJSON_AddItemToArray(list, tag)) {
            cJSON_Delete(tag);
            goto oom;
        }
    }
    cJSON_Delete(map);
    return list;
oom:
    cJSON_Delete(map);
    cJSON_Delete(list);
    cfn_fail(ctx, "out of memory");
    return NULL;
}

static int sync_tags(cfn_ctx *ctx, cfn_aws *aws, const char *role)
{
    cJSON *tags = tag_list(ctx), *drop = NULL;
    if (!tags || cfnkit_tags_dropped(ctx, "Tags", &drop) < 0) {
        cJSON_Delete(tags);
        return -1;
    }
    int rc = 0;
    if (cJSON_GetArraySize(drop))
        rc = iam_call(
            ctx, aws, "UntagRole",
            cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "RoleName", role, NULL),
                             "TagKeys", drop),
            NULL, NULL);
    else
        cJSON_Delete(drop);
    if (rc == 0 && cJSON_GetArraySize(tags))
        rc = iam_call(
            ctx, aws, "TagRole",
            cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "RoleName", role, NULL),
                             "Tags", tags),
            NULL, NULL);
    else
        cJSON_Delete(tags);
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
        iam_document(ctx, "AssumeRolePolicyDocument", false, &doc) < 0 || !(tags = tag_list(ctx)))
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
        rc = sync_inline(ctx, aws, name, false);
    if (rc == 0)
        rc = sync_managed(ctx, aws, name, false);
    if (rc == 0)
        rc = answer(ctx, aws, name);
    if (rc < 0) {
        /* The Delete after a failed Create does not know this name. */
        char *why = strdup(cfn_reason(ctx) ? cfn_reason(ctx) : "");
        delete_role(ctx, aws, name);
        cfn_fail(ctx, "%s", why ? why : "out of memory");
        free(why);
    }
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
    if (sync_inline(ctx, aws, name, true) < 0 || sync_managed(ctx, aws, name, true) < 0 ||
        (cfn_prop_changed(ctx, "Tags") && sync_tags(ctx, aws, name) < 0))
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
