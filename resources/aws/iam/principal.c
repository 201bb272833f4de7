/* What roles, users and groups share: their inline policies, managed
 * policies and tags, set as the template gives them and cleared before the
 * principal is deleted. */
#include "iam.h"

#include "awsjson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every name of a listing operation's answer (all pages): `list` is the
 * answer's member holding the items, `member` the item's name member, or
 * NULL when the items are the names. *out is the caller's. */
static int list_all(cfn_ctx *ctx, cfn_aws *aws, const iam_principal *p, const char *operation,
                    const char *list, const char *member, cJSON **out)
{
    char marker[1024] = "";
    cJSON *names = cJSON_CreateArray();
    *out = NULL;
    if (!names)
        return cfn_fail(ctx, "out of memory");
    for (int page = 0; page < 100; page++) {
        cJSON *ans, *in = cfnkit_json_strings(cJSON_CreateObject(), p->member, p->name, "Marker",
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

int iam_principal_clear(cfn_ctx *ctx, cfn_aws *aws, const iam_principal *p)
{
    char op[64];
    cJSON *names = NULL;
    const cJSON *n;
    snprintf(op, sizeof(op), "ListAttached%sPolicies", p->noun);
    int rc = list_all(ctx, aws, p, op, "AttachedPolicies", "PolicyArn", &names);
    snprintf(op, sizeof(op), "Detach%sPolicy", p->noun);
    cJSON_ArrayForEach(n, (rc == 0 ? names : NULL))
    {
        if (iam_call(ctx, aws, op,
                     cfnkit_json_strings(cJSON_CreateObject(), p->member, p->name, "PolicyArn",
                                         n->valuestring, NULL),
                     NULL, "NoSuchEntity") < 0)
            rc = -1;
    }
    cJSON_Delete(names);
    names = NULL;
    snprintf(op, sizeof(op), "List%sPolicies", p->noun);
    if (rc == 0)
        rc = list_all(ctx, aws, p, op, "PolicyNames", NULL, &names);
    snprintf(op, sizeof(op), "Delete%sPolicy", p->noun);
    cJSON_ArrayForEach(n, (rc == 0 ? names : NULL))
    {
        if (iam_call(ctx, aws, op,
                     cfnkit_json_strings(cJSON_CreateObject(), p->member, p->name, "PolicyName",
                                         n->valuestring, NULL),
                     NULL, "NoSuchEntity") < 0)
            rc = -1;
    }
    cJSON_Delete(names);
    return rc;
}

int iam_sync_inline(cfn_ctx *ctx, cfn_aws *aws, const iam_principal *p, bool update)
{
    char put[64], del[64];
    snprintf(put, sizeof(put), "Put%sPolicy", p->noun);
    snprintf(del, sizeof(del), "Delete%sPolicy", p->noun);
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
        int rc = iam_call(ctx, aws, put,
                          cfnkit_json_strings(cJSON_CreateObject(), p->member, p->name,
                                              "PolicyName", name, "PolicyDocument", doc, NULL),
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
            iam_call(ctx, aws, del,
                     cfnkit_json_strings(cJSON_CreateObject(), p->member, p->name, "PolicyName",
                                         name, NULL),
                     NULL, "NoSuchEntity") < 0)
            return -1;
    }
    return 0;
}

int iam_sync_managed(cfn_ctx *ctx, cfn_aws *aws, const iam_principal *p, bool update)
{
    char attach[64], detach[64];
    snprintf(attach, sizeof(attach), "Attach%sPolicy", p->noun);
    snprintf(detach, sizeof(detach), "Detach%sPolicy", p->noun);
    const cJSON *now, *old = NULL, *a;
    if (iam_names(ctx, "ManagedPolicyArns", false, &now) < 0 ||
        (update && iam_names(ctx, "ManagedPolicyArns", true, &old) < 0))
        return -1;
    cJSON_ArrayForEach(a, now)
    {
        if (!iam_has(old, a->valuestring) &&
            iam_call(ctx, aws, attach,
                     cfnkit_json_strings(cJSON_CreateObject(), p->member, p->name, "PolicyArn",
                                         a->valuestring, NULL),
                     NULL, NULL) < 0)
            return -1;
    }
    cJSON_ArrayForEach(a, old)
    {
        if (!iam_has(now, a->valuestring) &&
            iam_call(ctx, aws, detach,
                     cfnkit_json_strings(cJSON_CreateObject(), p->member, p->name, "PolicyArn",
                                         a->valuestring, NULL),
                     NULL, "NoSuchEntity") < 0)
            return -1;
    }
    return 0;
}

cJSON *iam_tag_list(cfn_ctx *ctx)
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

int iam_sync_tags(cfn_ctx *ctx, cfn_aws *aws, const iam_principal *p)
{
    char tag[64], untag[64];
    cJSON *tags = iam_tag_list(ctx), *drop = NULL;
    snprintf(tag, sizeof(tag), "Tag%s", p->noun);
    snprintf(untag, sizeof(untag), "Untag%s", p->noun);
    if (!tags || cfnkit_tags_dropped(ctx, "Tags", &drop) < 0) {
        cJSON_Delete(tags);
        return -1;
    }
    int rc = 0;
    if (cJSON_GetArraySize(drop))
        rc = iam_call(
            ctx, aws, untag,
            cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), p->member, p->name, NULL),
                             "TagKeys", drop),
            NULL, NULL);
    else
        cJSON_Delete(drop);
    if (rc == 0 && cJSON_GetArraySize(tags))
        rc = iam_call(
            ctx, aws, tag,
            cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), p->member, p->name, NULL),
                             "Tags", tags),
            NULL, NULL);
    else
        cJSON_Delete(tags);
    return rc < 0 ? -1 : 0;
}
