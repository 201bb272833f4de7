/* The query protocol: IAM and STS, form-encoded parameters and XML answers. */
#include "client.h"

#include "strbuf.h"
#include "uri.h"
#include "xml.h"

#include <stdlib.h>
#include <string.h>

/* Form-encoded Action, Version and parameters. */
static int query_call(cfn_aws *aws, const aws_service *svc, const char *version, const char *action,
                      const char *const *params, char **xml, size_t *xml_len)
{
    strbuf body = {0};
    int rc = cfn__sb_printf(&body, "Action=%s&Version=%s", action, version);
    for (size_t i = 0; rc == 0 && params && params[i]; i += 2) {
        char *v = cfn__uri_encode(params[i + 1], strlen(params[i + 1]), false);
        rc = v ? cfn__sb_printf(&body, "&%s=%s", params[i], v) : CFN_ENOMEM;
        free(v);
    }
    if (rc < 0) {
        free(body.data);
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    aws_call call = {
        .svc = svc,
        .operation = action,
        .method = "POST",
        .path = "/",
        .headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
        .nheaders = 1,
        .body = body.data,
        .body_len = body.len};
    http_response res;
    rc = cfn__aws_send(aws, &call, &res);
    if (rc == 0 && xml) {
        *xml = res.body;
        *xml_len = res.body_len;
        res.body = NULL;
    }
    cfn__http_response_free(&res);
    free(body.data);
    return rc;
}

static int query_value(cfn_aws *aws, const aws_service *svc, const char *version,
                       const char *action, const char *const *params, const char *tag, char **out)
{
    char *xml = NULL;
    size_t len = 0;
    int rc = query_call(aws, svc, version, action, params, out ? &xml : NULL, &len);
    if (rc == 0 && out && !(*out = cfn__xml_text(xml, len, tag)))
        rc = cfn_error_set(CFN_ERROR, "%s %s: the answer has no %s", svc->name, action, tag);
    free(xml);
    return rc;
}

#define IAM_VERSION "2010-05-08"

int cfn_iam_create_role(cfn_aws *aws, const char *name, const char *assume_policy, char **arn)
{
    const char *p[] = {"RoleName", name, "AssumeRolePolicyDocument", assume_policy, NULL};
    return query_value(aws, &cfn__svc_iam, IAM_VERSION, "CreateRole", p, "Arn", arn);
}

int cfn_iam_get_role(cfn_aws *aws, const char *name, char **arn)
{
    const char *p[] = {"RoleName", name, NULL};
    return query_value(aws, &cfn__svc_iam, IAM_VERSION, "GetRole", p, "Arn", arn);
}

int cfn_iam_put_role_policy(cfn_aws *aws, const char *role, const char *policy_name,
                            const char *document)
{
    const char *p[] = {"RoleName",       role,     "PolicyName", policy_name,
                       "PolicyDocument", document, NULL};
    return query_value(aws, &cfn__svc_iam, IAM_VERSION, "PutRolePolicy", p, NULL, NULL);
}

int cfn_iam_delete_role_policy(cfn_aws *aws, const char *role, const char *policy_name)
{
    const char *p[] = {"RoleName", role, "PolicyName", policy_name, NULL};
    return query_value(aws, &cfn__svc_iam, IAM_VERSION, "DeleteRolePolicy", p, NULL, NULL);
}

int cfn_iam_delete_role(cfn_aws *aws, const char *name)
{
    const char *p[] = {"RoleName", name, NULL};
    return query_value(aws, &cfn__svc_iam, IAM_VERSION, "DeleteRole", p, NULL, NULL);
}

int cfn_sts_get_caller_identity(cfn_aws *aws, char **account, char **arn)
{
    char *xml = NULL;
    size_t len = 0;
    int rc = query_call(aws, &cfn__svc_sts, "2011-06-15", "GetCallerIdentity", NULL, &xml, &len);
    if (rc == 0) {
        char *a = cfn__xml_text(xml, len, "Account"), *r = cfn__xml_text(xml, len, "Arn");
        if (!a || !r) {
            free(a);
            free(r);
            rc = cfn_error_set(CFN_ERROR, "STS GetCallerIdentity: the answer has no Account");
        } else {
            if (account)
                *account = a;
            else
                free(a);
            if (arn)
                *arn = r;
            else
                free(r);
        }
    }
    free(xml);
    return rc;
}
