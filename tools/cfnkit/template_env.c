/* The template commands' environment (template_env.h): SSM GetParameters
 * through the same AWS client, credentials and endpoint settings as the
 * modules use (AWS_ENDPOINT_URL[_SSM], AWS_REGION, ...). */
#include "template_env.h"

#include <cfnkit/cfnkit.h>

#include <stdlib.h>
#include <string.h>

static int ssm_value(void *arg, const char *name, char **out)
{
    cfn_aws **aws = arg;
    cJSON *in = NULL, *res = NULL;
    int rc;
    if (!*aws && (rc = cfn_aws_new(aws, NULL)) < 0)
        return rc;
    in = cJSON_CreateObject();
    cJSON *names = cJSON_AddArrayToObject(in, "Names");
    cJSON_AddItemToArray(names, cJSON_CreateString(name));
    cJSON_AddBoolToObject(in, "WithDecryption", 1);
    if ((rc = cfn_ssm(*aws, "GetParameters", in, &res)) < 0)
        goto done;
    const cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItem(res, "Parameters"), 0);
    const cJSON *v = cJSON_GetObjectItem(p, "Value");
    if (!cJSON_IsString(v)) {
        rc = cfn_error_set(CFN_ENOTFOUND, "not found in Parameter Store");
        goto done;
    }
    *out = strdup(v->valuestring);
    rc = *out ? 0 : cfn_error_set(CFN_ENOMEM, "out of memory");
done:
    cJSON_Delete(in);
    cJSON_Delete(res);
    return rc;
}

void template_env_init(cfn_eval_ops *ops)
{
    memset(ops, 0, sizeof(*ops));
    ops->ssm = ssm_value;
    ops->arg = calloc(1, sizeof(cfn_aws *));
    if (!ops->arg)
        ops->ssm = NULL;
}

void template_env_done(cfn_eval_ops *ops)
{
    cfn_aws **aws = ops->arg;
    if (aws)
        cfn_aws_free(*aws);
    free(aws);
}
