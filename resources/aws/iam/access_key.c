/* AWS::IAM::AccessKey: an access key of a user. Ref: the access key id;
 * GetAtt SecretAccessKey, a secret: the response's Data is NoEcho, so the
 * secret never reaches a log or an output unmasked. Status is updated in
 * place; a new Serial or UserName is a new key (a replacement). */
#include "iam.h"

#include "aws/native.h"
#include "awsjson.h"

#include <string.h>

static const char *const known[] = {"Serial", "Status", "UserName", NULL};

static int set_status(cfn_ctx *ctx, cfn_aws *aws, const char *user, const char *id,
                      const char *status)
{
    return iam_call(ctx, aws, "UpdateAccessKey",
                    cfnkit_json_strings(cJSON_CreateObject(), "UserName", user, "AccessKeyId", id,
                                        "Status", status, NULL),
                    NULL, NULL) < 0
               ? -1
               : 0;
}

static int create(cfn_ctx *ctx)
{
    const char *user, *status;
    long long serial;
    cfn_aws *aws = NULL;
    cJSON *out = NULL;
    int rc = -1;
    if (native_check_props(ctx, known) < 0 || cfn_prop_string(ctx, "UserName", &user) < 0 ||
        cfn_prop_string_or(ctx, "Status", "Active", &status) < 0 ||
        cfn_prop_int_or(ctx, "Serial", 0, &serial) < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (iam_call(ctx, aws, "CreateAccessKey",
                 cfnkit_json_strings(cJSON_CreateObject(), "UserName", user, NULL), &out, NULL) < 0)
        goto done;
    const cJSON *key = cJSON_GetObjectItem(out, "AccessKey");
    const char *id = cfn_json_string(key, "AccessKeyId"),
               *secret = cfn_json_string(key, "SecretAccessKey");
    if (!id || !secret) {
        rc = cfn_fail(ctx, "IAM CreateAccessKey: the answer has no AccessKeyId or SecretAccessKey");
        goto done;
    }
    cfn_set_noecho(ctx, true);
    rc = strcmp(status, "Active") != 0 ? set_status(ctx, aws, user, id, status) : 0;
    if (rc == 0)
        rc = cfn_set_data(ctx, "SecretAccessKey", secret);
    if (rc == 0)
        rc = cfn_set_data(ctx, "Id", id);
    if (rc == 0)
        rc = cfn_set_physical_id(ctx, id);
    if (rc < 0)
        /* The Delete after a failed Create does not know this key. */
        iam_call(
            ctx, aws, "DeleteAccessKey",
            cfnkit_json_strings(cJSON_CreateObject(), "UserName", user, "AccessKeyId", id, NULL),
            NULL, "NoSuchEntity");
done:
    if (rc < 0 && !cfn_reason(ctx))
        cfn_fail(ctx, "out of memory");
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : 0;
}

/* Only Status changes in place. IAM never gives the secret again, so this
 * answer's Data has Id only: GetAtt SecretAccessKey after an Update needs
 * the engine to keep the Create's value (stack.c replaces Data instead). */
static int update(cfn_ctx *ctx)
{
    const char *user, *status, *id = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    if (native_check_props(ctx, known) < 0 || cfn_prop_string(ctx, "UserName", &user) < 0 ||
        cfn_prop_string_or(ctx, "Status", "Active", &status) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = cfn_prop_changed(ctx, "Status") ? set_status(ctx, aws, user, id, status) : 0;
    cfn_aws_free(aws);
    if (rc == 0)
        rc = cfn_set_data(ctx, "Id", id);
    return rc < 0 ? -1 : cfn_set_physical_id(ctx, id);
}

/* The user is read from the Delete's properties. */
static int remove_key(cfn_ctx *ctx)
{
    const char *user, *id = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    if (cfn_prop_string_or(ctx, "UserName", NULL, &user) < 0)
        return -1;
    if (!user || strlen(id) < 16 || strlen(id) > 128 ||
        strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(id)) {
        cfn_log(CFN_LOG_INFO, "%.100s is not an access key id: nothing to delete", id);
        return 0;
    }
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = iam_call(
        ctx, aws, "DeleteAccessKey",
        cfnkit_json_strings(cJSON_CreateObject(), "UserName", user, "AccessKeyId", id, NULL), NULL,
        "NoSuchEntity");
    cfn_aws_free(aws);
    return rc < 0 ? -1 : 0;
}

static const char *const replaces[] = {"UserName", "Serial", NULL};
static const char *const attributes[] = {"SecretAccessKey", "Id", NULL};

const cfn_resource_type native_iam_access_key = {
    .type = "AWS::IAM::AccessKey",
    .create = create,
    .update = update,
    .remove = remove_key,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = replaces,
    .attributes = attributes,
};
