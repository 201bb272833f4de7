/* The describe views (stack.h): the stored documents in the shapes the AWS
 * CLI prints, the engine's own fields left out. */
#include <cfnkit/cfnkit.h>

#include <string.h>

#include "stack.h"

static const char *str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The stack as describe-stacks shows it (internal fields left out). */
cJSON *stk__stack_view(const cJSON *sdoc)
{
    static const char *const fields[] = {"StackId",
                                         "StackName",
                                         "ChangeSetId",
                                         "Description",
                                         "Parameters",
                                         "CreationTime",
                                         "LastUpdatedTime",
                                         "StackStatus",
                                         "StackStatusReason",
                                         "DisableRollback",
                                         "NotificationARNs",
                                         "Capabilities",
                                         "Outputs",
                                         "Tags",
                                         "EnableTerminationProtection"};
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; o && sdoc && i < sizeof(fields) / sizeof(fields[0]); i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(sdoc, fields[i]);
        if (v)
            cJSON_AddItemToObject(o, fields[i], cJSON_Duplicate(v, 1));
    }
    return o;
}

static int no_stack(const char *name)
{
    return cfn_error_set(CFN_ENOTFOUND, "Stack with id %s does not exist", name);
}

int stk_describe_stacks(stk_store *s, const char *stack_name, cJSON **out)
{
    cJSON *list = NULL, *stacks = cJSON_CreateArray();
    int rc;
    *out = NULL;
    if (stack_name) {
        cJSON *doc = NULL;
        if ((rc = stk_store_get_stack(s, stack_name, &doc)) < 0)
            goto fail;
        if (!doc) {
            rc = no_stack(stack_name);
            goto fail;
        }
        cJSON_AddItemToArray(stacks, stk__stack_view(doc));
        cJSON_Delete(doc);
    } else {
        if ((rc = stk_store_list_stacks(s, &list)) < 0)
            goto fail;
        for (const cJSON *d = list ? list->child : NULL; d; d = d->next)
            cJSON_AddItemToArray(stacks, stk__stack_view(d));
        cJSON_Delete(list);
    }
    *out = cJSON_CreateObject();
    cJSON_AddItemToObject(*out, "Stacks", stacks);
    return 0;
fail:
    cJSON_Delete(stacks);
    return rc;
}

int stk_describe_resources(stk_store *s, const char *stack_name, cJSON **out)
{
    cJSON *doc = NULL, *res = NULL, *list = cJSON_CreateArray();
    int rc;
    *out = NULL;
    if ((rc = stk_store_get_stack(s, stack_name, &doc)) < 0 ||
        (!doc && (rc = no_stack(stack_name)) < 0) ||
        (rc = stk_store_list_resources(s, stack_name, &res)) < 0) {
        cJSON_Delete(doc);
        cJSON_Delete(list);
        return rc;
    }
    for (const cJSON *d = res ? res->child : NULL; d; d = d->next) {
        if (strchr(d->string, '#'))
            continue; /* the old one of a replacement, until cleanup */
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "StackName", stack_name);
        cJSON_AddStringToObject(x, "StackId", str(doc, "StackId"));
        static const char *const fields[] = {"LogicalResourceId", "PhysicalResourceId",
                                             "ResourceType",      "Timestamp",
                                             "ResourceStatus",    "ResourceStatusReason"};
        for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
            if (str(d, fields[k]))
                cJSON_AddStringToObject(x, fields[k], str(d, fields[k]));
        cJSON_AddItemToArray(list, x);
    }
    cJSON_Delete(doc);
    cJSON_Delete(res);
    *out = cJSON_CreateObject();
    cJSON_AddItemToObject(*out, "StackResources", list);
    return 0;
}

int stk_describe_events(stk_store *s, const char *stack_name, cJSON **out)
{
    cJSON *doc = NULL, *events = NULL;
    int rc;
    *out = NULL;
    if ((rc = stk_store_get_stack(s, stack_name, &doc)) < 0)
        return rc;
    cJSON_Delete(doc);
    if (!doc)
        return no_stack(stack_name);
    if ((rc = stk_store_list_events(s, stack_name, &events)) < 0)
        return rc;
    *out = cJSON_CreateObject();
    cJSON_AddItemToObject(*out, "StackEvents", events ? events : cJSON_CreateArray());
    return 0;
}

int stk_list_exports(stk_store *s, cJSON **out)
{
    cJSON *list = NULL;
    int rc = stk_store_list_exports(s, &list);
    *out = NULL;
    if (rc < 0)
        return rc;
    *out = cJSON_CreateObject();
    cJSON_AddItemToObject(*out, "Exports", list ? list : cJSON_CreateArray());
    return 0;
}
