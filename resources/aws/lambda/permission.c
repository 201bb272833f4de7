/* AWS::Lambda::Permission: one statement of a function's resource-based
 * policy. Every property is create-only, so an Update has nothing to change.
 * Ref: "<function ARN>|<statement id>" (the type's primary identifier,
 * FunctionName and Id); GetAtt Id: the statement id. */
#include "lambda.h"

#include "aws/native.h"
#include "awsjson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const known[] = {"Action",
                                    "EventSourceToken",
                                    "FunctionName",
                                    "FunctionUrlAuthType",
                                    "InvokedViaFunctionUrl",
                                    "Principal",
                                    "PrincipalOrgID",
                                    "SourceAccount",
                                    "SourceArn",
                                    NULL};
static const char *const optional[] = {"EventSourceToken", "FunctionUrlAuthType", "PrincipalOrgID",
                                       "SourceAccount",    "SourceArn",           NULL};

static int answer(cfn_ctx *ctx, const char *function_arn, const char *sid)
{
    char id[CFN_MAX_PHYSICAL_ID_BYTES + 1];
    if ((size_t)snprintf(id, sizeof(id), "%s|%s", function_arn, sid) >= sizeof(id))
        return cfn_fail(ctx, "the permission's id is longer than %d bytes",
                        CFN_MAX_PHYSICAL_ID_BYTES);
    if (cfn_set_data(ctx, "Id", sid) < 0)
        return -1;
    return cfn_set_physical_id(ctx, id);
}

/* The function's ARN from AddPermission's statement (its Resource), or the
 * FunctionName given when the answer lacks it. */
static void function_arn_of(const cJSON *out, const char *function, char *arn, size_t size)
{
    const char *text = cfn_json_string(out, "Statement");
    cJSON *st = text ? cJSON_Parse(text) : NULL;
    const char *res = cfn_json_string(st, "Resource");
    snprintf(arn, size, "%s", res ? res : function);
    cJSON_Delete(st);
}

static int create(cfn_ctx *ctx)
{
    const char *function, *action, *principal, *v;
    char *sid = NULL, arn[512];
    cfn_aws *aws = NULL;
    cJSON *in = NULL, *out = NULL;
    int rc = -1;
    if (native_check_props(ctx, known) < 0 || cfn_prop_string(ctx, "FunctionName", &function) < 0 ||
        cfn_prop_string(ctx, "Action", &action) < 0 ||
        cfn_prop_string(ctx, "Principal", &principal) < 0 || native_name(ctx, 100, 0, &sid) < 0)
        goto done;
    in = cfnkit_json_strings(cJSON_CreateObject(), "FunctionName", function, "StatementId", sid,
                             "Action", action, "Principal", principal, NULL);
    for (const char *const *p = optional; in && *p; p++) {
        if (cfn_prop_string_or(ctx, *p, NULL, &v) < 0)
            goto done;
        in = cfnkit_json_strings(in, *p, v, NULL);
    }
    if (in && cfn_prop_has(ctx, "InvokedViaFunctionUrl")) {
        bool via;
        if (cfn_prop_bool(ctx, "InvokedViaFunctionUrl", &via) < 0)
            goto done;
        if (!cJSON_AddBoolToObject(in, "InvokedViaFunctionUrl", via)) {
            cJSON_Delete(in);
            in = NULL;
        }
    }
    if (!in) {
        rc = cfn_fail(ctx, "out of memory");
        goto done;
    }
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    rc = cfn_lambda(aws, "AddPermission", in, &out);
    /* The statement id is drawn from the request: the same Create delivered
     * twice finds the statement it added. */
    if (rc < 0 && cfn_aws_error_is(aws, "ResourceConflictException")) {
        rc = 0;
        snprintf(arn, sizeof(arn), "%s", function);
        cJSON *get = cfnkit_json_strings(cJSON_CreateObject(), "FunctionName", function, NULL),
              *fn = NULL;
        if (get && cfn_lambda(aws, "GetFunctionConfiguration", get, &fn) == 0 &&
            cfn_json_string(fn, "FunctionArn"))
            snprintf(arn, sizeof(arn), "%s", cfn_json_string(fn, "FunctionArn"));
        cJSON_Delete(get);
        cJSON_Delete(fn);
    } else if (rc < 0) {
        rc = cfn_fail(ctx, "%s", cfn_error_last());
        goto done;
    } else {
        function_arn_of(out, function, arn, sizeof(arn));
    }
    rc = answer(ctx, arn, sid);
done:
    if (rc < 0 && !cfn_reason(ctx))
        cfn_fail(ctx, "out of memory");
    cJSON_Delete(in);
    cJSON_Delete(out);
    free(sid);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : 0;
}

/* Only a change of a create-only property would change the statement, and
 * that is a replacement: the same statement stays. */
static int update(cfn_ctx *ctx)
{
    const char *id = cfn_request_physical_id(ctx), *bar = strrchr(id, '|');
    if (native_check_props(ctx, known) < 0)
        return -1;
    if (!bar)
        return cfn_fail(ctx, "%.100s is not an AWS::Lambda::Permission id", id);
    if (cfn_set_data(ctx, "Id", bar + 1) < 0)
        return -1;
    return cfn_set_physical_id(ctx, id);
}

static int remove_permission(cfn_ctx *ctx)
{
    const char *id = cfn_request_physical_id(ctx), *bar = strrchr(id, '|');
    char function[CFN_MAX_PHYSICAL_ID_BYTES + 1];
    if (!bar || bar == id || !bar[1]) {
        cfn_log(CFN_LOG_INFO, "%.100s is not a permission id: nothing to delete", id);
        return 0;
    }
    snprintf(function, sizeof(function), "%.*s", (int)(bar - id), id);
    /* The function or the statement is gone: so is the permission. */
    return lambda_delete(ctx, "RemovePermission",
                         cfnkit_json_strings(cJSON_CreateObject(), "FunctionName", function,
                                             "StatementId", bar + 1, NULL),
                         "permission", bar + 1);
}

static const char *const replaces[] = {"FunctionName",
                                       "FunctionUrlAuthType",
                                       "InvokedViaFunctionUrl",
                                       "SourceAccount",
                                       "SourceArn",
                                       "Principal",
                                       "PrincipalOrgID",
                                       "Action",
                                       "EventSourceToken",
                                       NULL};
static const char *const attributes[] = {"Id", NULL};

const cfn_resource_type native_lambda_permission = {
    .type = "AWS::Lambda::Permission",
    .create = create,
    .update = update,
    .remove = remove_permission,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = replaces,
    .attributes = attributes,
};
