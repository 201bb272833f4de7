/* AWS::SecretsManager::Secret for the local engine: CreateSecret with the
 * template's SecretString or one generated as GenerateSecretString asks;
 * Ref and Fn::GetAtt Id are the secret's ARN. The secret value never reaches
 * a reason, a log or Data. */
#include <cfnkit/cfnkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/native.h"
#include "awsjson.h"

#define TYPE "AWS::SecretsManager::Secret"
/* Secrets Manager's limit on a secret's name. */
#define MAX_NAME 512

static const char *const supported[] = {
    "Name", "Description", "SecretString", "GenerateSecretString", "KmsKeyId", "Tags", NULL};
static const char *const flags[] = {"ExcludeLowercase",
                                    "ExcludeNumbers",
                                    "ExcludePunctuation",
                                    "ExcludeUppercase",
                                    "IncludeSpace",
                                    "RequireEachIncludedType",
                                    NULL};
static const char *const generate_fields[] = {
    "ExcludeCharacters",
    "ExcludeLowercase",
    "ExcludeNumbers",
    "ExcludePunctuation",
    "ExcludeUppercase",
    "GenerateStringKey",
    "IncludeSpace",
    "PasswordLength",
    "RequireEachIncludedType",
    "SecretStringTemplate",
    NULL,
};

/* A password from GetRandomPassword as GenerateSecretString asks; with
 * SecretStringTemplate and GenerateStringKey, the template's JSON object with
 * the password under that key, as CloudFormation builds it. */
static int generate(cfn_ctx *ctx, cfn_aws *aws, char **out)
{
    const cJSON *spec, *f;
    const char *exclude, *templ, *key;
    long long length;
    *out = NULL;
    if (cfn_prop_map(ctx, "GenerateSecretString", &spec) < 0)
        return -1;
    cJSON_ArrayForEach(f, spec)
    {
        const char *const *g = generate_fields;
        while (*g && strcmp(*g, f->string) != 0)
            g++;
        if (!*g)
            return cfn_fail(ctx,
                            TYPE " property GenerateSecretString.%s is not supported by cfnkit's "
                                 "local engine",
                            f->string);
    }
    if (cfn_prop_string_or(ctx, "GenerateSecretString.ExcludeCharacters", NULL, &exclude) < 0 ||
        cfn_prop_int_or(ctx, "GenerateSecretString.PasswordLength", 32, &length) < 0 ||
        cfn_prop_string_or(ctx, "GenerateSecretString.SecretStringTemplate", NULL, &templ) < 0 ||
        cfn_prop_string_or(ctx, "GenerateSecretString.GenerateStringKey", NULL, &key) < 0)
        return -1;
    if (!templ != !key)
        return cfn_fail(ctx, TYPE " properties GenerateSecretString.SecretStringTemplate and "
                                  "GenerateStringKey go together");
    cJSON *in = cfnkit_json_number(
        cfnkit_json_strings(cJSON_CreateObject(), "ExcludeCharacters", exclude, NULL),
        "PasswordLength", (double)length);
    for (const char *const *fl = flags; in && *fl; fl++) {
        char path[64];
        bool on;
        snprintf(path, sizeof(path), "GenerateSecretString.%s", *fl);
        if (!cfn_prop_has(ctx, path))
            continue;
        if (cfn_prop_bool(ctx, path, &on) < 0) {
            cJSON_Delete(in);
            return -1;
        }
        if (!cJSON_AddBoolToObject(in, *fl, on)) {
            cJSON_Delete(in);
            in = NULL;
        }
    }
    cJSON *answer = NULL;
    if (native_call(ctx, aws, "secretsmanager", "GetRandomPassword", in, &answer) < 0)
        return -1;
    const cJSON *pw = cJSON_GetObjectItemCaseSensitive(answer, "RandomPassword");
    int rc = 0;
    if (!cJSON_IsString(pw)) {
        rc = cfn_fail(ctx, "GetRandomPassword gave no password");
    } else if (!templ) {
        *out = strdup(pw->valuestring);
    } else {
        cJSON *doc = cJSON_Parse(templ);
        if (!cJSON_IsObject(doc)) {
            rc = cfn_fail(ctx, TYPE " property GenerateSecretString.SecretStringTemplate must be "
                                    "a JSON object");
        } else {
            cJSON_DeleteItemFromObjectCaseSensitive(doc, key);
            if (cJSON_AddStringToObject(doc, key, pw->valuestring))
                *out = cJSON_PrintUnformatted(doc);
        }
        cJSON_Delete(doc);
    }
    cJSON_Delete(answer);
    if (rc == 0 && !*out)
        rc = cfn_fail(ctx, "out of memory");
    return rc;
}

/* The secret value the template asks for: SecretString, or generated. */
static int secret_value(cfn_ctx *ctx, cfn_aws *aws, char **out)
{
    const char *given;
    *out = NULL;
    if (cfn_prop_has(ctx, "SecretString") && cfn_prop_has(ctx, "GenerateSecretString"))
        return cfn_fail(ctx, TYPE " properties SecretString and GenerateSecretString are "
                                  "mutually exclusive");
    if (cfn_prop_has(ctx, "GenerateSecretString"))
        return generate(ctx, aws, out);
    if (cfn_prop_string_or(ctx, "SecretString", NULL, &given) < 0)
        return -1;
    if (given && !(*out = strdup(given)))
        return cfn_fail(ctx, "out of memory");
    return 0;
}

/* The idempotency token of a new secret version (the SDKs fill one in on
 * every CreateSecret and UpdateSecret): the RequestId, so that a request
 * delivered twice makes one version. 32 to 64 characters; a shorter
 * hand-made id goes without. */
static const char *token(const cfn_ctx *ctx)
{
    const char *id = cfn_request_id(ctx);
    return id && strlen(id) >= 32 && strlen(id) <= 64 ? id : NULL;
}

static void wipe(char *secret)
{
    if (secret) {
        explicit_bzero(secret, strlen(secret));
        free(secret);
    }
}

static int create(cfn_ctx *ctx)
{
    const char *given, *description, *kms;
    const cJSON *tags = NULL;
    char *generated = NULL, *value = NULL;
    cfn_aws *aws = NULL;
    cJSON *out = NULL;
    int rc = -1;
    if (native_check_props(ctx, supported) < 0 ||
        cfn_prop_string_or(ctx, "Name", NULL, &given) < 0 ||
        cfn_prop_string_or(ctx, "Description", NULL, &description) < 0 ||
        cfn_prop_string_or(ctx, "KmsKeyId", NULL, &kms) < 0 ||
        (cfn_prop_has(ctx, "Tags") && cfn_prop_list(ctx, "Tags", &tags) < 0))
        return -1;
    if (!given && native_name(ctx, MAX_NAME, 0, &generated) < 0)
        return -1;
    if (cfn_aws_for(ctx, NULL, &aws) < 0 || secret_value(ctx, aws, &value) < 0)
        goto done;
    cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "Name", given ? given : generated,
                                    "Description", description, "KmsKeyId", kms, "SecretString",
                                    value, "ClientRequestToken", value ? token(ctx) : NULL, NULL);
    if (tags)
        in = cfnkit_json_item(in, "Tags", cJSON_Duplicate(tags, true));
    if (native_call(ctx, aws, "secretsmanager", "CreateSecret", in, &out) < 0) {
        /* A generated name is this request's own: delivered before (a
         * generated value differs each time, so the token alone does not
         * make the second CreateSecret succeed). */
        if (!generated || !native_error_is(aws, "ResourceExistsException") ||
            native_call(ctx, aws, "secretsmanager", "DescribeSecret",
                        cfnkit_json_strings(cJSON_CreateObject(), "SecretId", generated, NULL),
                        &out) < 0)
            goto done;
    }
    const cJSON *arn = cJSON_GetObjectItemCaseSensitive(out, "ARN");
    if (!cJSON_IsString(arn)) {
        cfn_fail(ctx, "CreateSecret gave no ARN");
        goto done;
    }
    if (cfn_set_data(ctx, "Id", arn->valuestring) == 0)
        rc = cfn_set_physical_id(ctx, arn->valuestring);
done:
    wipe(value);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    free(generated);
    return rc;
}

static int update(cfn_ctx *ctx)
{
    const char *arn = cfn_request_physical_id(ctx), *description, *kms;
    char *value = NULL;
    cfn_aws *aws = NULL;
    int rc = -1;
    if (native_check_props(ctx, supported) < 0 ||
        cfn_prop_string_or(ctx, "Description", "", &description) < 0 ||
        cfn_prop_string_or(ctx, "KmsKeyId", NULL, &kms) < 0)
        return -1;
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    /* A new value only when the template's value or generation changed: an
     * unchanged GenerateSecretString keeps the password it generated. */
    bool new_value =
        cfn_prop_changed(ctx, "SecretString") || cfn_prop_changed(ctx, "GenerateSecretString");
    if (new_value && secret_value(ctx, aws, &value) < 0)
        goto done;
    if (new_value || cfn_prop_changed(ctx, "Description") || cfn_prop_changed(ctx, "KmsKeyId")) {
        cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "SecretId", arn, "Description",
                                        description, "KmsKeyId", kms, "SecretString", value,
                                        "ClientRequestToken", token(ctx), NULL);
        if (native_call(ctx, aws, "secretsmanager", "UpdateSecret", in, NULL) < 0)
            goto done;
    }
    if (cfn_prop_changed(ctx, "Tags") &&
        native_update_tags(ctx, aws, "secretsmanager", "SecretId", arn) < 0)
        goto done;
    if (cfn_set_data(ctx, "Id", arn) == 0)
        rc = cfn_set_physical_id(ctx, arn);
done:
    wipe(value);
    cfn_aws_free(aws);
    return rc;
}

/* Deleted at once, without the recovery window, as CloudFormation does: a
 * stack created again may take the same name. */
static int remove_secret(cfn_ctx *ctx)
{
    cJSON *in =
        cfnkit_json_strings(cJSON_CreateObject(), "SecretId", cfn_request_physical_id(ctx), NULL);
    if (in && !cJSON_AddBoolToObject(in, "ForceDeleteWithoutRecovery", true)) {
        cJSON_Delete(in);
        in = NULL;
    }
    return native_delete(ctx, "secretsmanager", "DeleteSecret", in, "ResourceNotFoundException");
}

/* ---- AWS::SecretsManager::ResourcePolicy ---- */

static const char *const policy_supported[] = {"SecretId", "ResourcePolicy", "BlockPublicPolicy",
                                               NULL};

/* The secret's ARN (the caller frees it): Ref and Id of the policy. */
static int secret_arn(cfn_ctx *ctx, cfn_aws *aws, const char *secret, char **arn)
{
    cJSON *out = NULL;
    *arn = NULL;
    if (native_call(ctx, aws, "secretsmanager", "DescribeSecret",
                    cfnkit_json_strings(cJSON_CreateObject(), "SecretId", secret, NULL), &out) < 0)
        return -1;
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(out, "ARN");
    int rc = !cJSON_IsString(a)                 ? cfn_fail(ctx, "secret %s has no ARN", secret)
             : !(*arn = strdup(a->valuestring)) ? cfn_fail(ctx, "out of memory")
                                                : 0;
    cJSON_Delete(out);
    return rc;
}

static int put_policy(cfn_ctx *ctx)
{
    const char *secret, *given;
    bool block;
    cfn_aws *aws = NULL;
    char *arn = NULL;
    if (native_check_props(ctx, policy_supported) < 0 ||
        cfn_prop_string(ctx, "SecretId", &secret) < 0 ||
        cfn_prop_bool_or(ctx, "BlockPublicPolicy", false, &block) < 0)
        return -1;
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(cfn_request_props(ctx), "ResourcePolicy");
    char *text = cJSON_IsObject(p) ? cJSON_PrintUnformatted(p) : NULL;
    if (!text && cfn_prop_string(ctx, "ResourcePolicy", &given) < 0)
        return -1;
    cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "SecretId", secret, "ResourcePolicy",
                                    text ? text : given, NULL);
    free(text);
    if (in && block && !cJSON_AddBoolToObject(in, "BlockPublicPolicy", true)) {
        cJSON_Delete(in);
        in = NULL;
    }
    if (cfn_aws_for(ctx, NULL, &aws) < 0) {
        cJSON_Delete(in);
        return -1;
    }
    int rc = native_call(ctx, aws, "secretsmanager", "PutResourcePolicy", in, NULL);
    if (rc == 0)
        rc = secret_arn(ctx, aws, secret, &arn);
    if (rc == 0 && (rc = cfn_set_data(ctx, "Id", arn)) == 0)
        rc = cfn_set_physical_id(ctx, arn);
    free(arn);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : 0;
}

static int remove_policy(cfn_ctx *ctx)
{
    return native_delete(
        ctx, "secretsmanager", "DeleteResourcePolicy",
        cfnkit_json_strings(cJSON_CreateObject(), "SecretId", cfn_request_physical_id(ctx), NULL),
        "ResourceNotFoundException");
}

static const char *const replaces[] = {"Name", NULL};
static const char *const write_only[] = {"SecretString", "GenerateSecretString", NULL};
static const char *const attributes[] = {"Id", NULL};

static const cfn_resource_type secret_type = {
    .type = TYPE,
    .create = create,
    .update = update,
    .remove = remove_secret,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = replaces,
    .write_only = write_only,
    .attributes = attributes,
};

static const char *const policy_replaces[] = {"SecretId", NULL};
static const char *const policy_write_only[] = {"BlockPublicPolicy", NULL};

static const cfn_resource_type policy_type = {
    .type = "AWS::SecretsManager::ResourcePolicy",
    .create = put_policy,
    .update = put_policy,
    .remove = remove_policy,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = policy_replaces,
    .write_only = policy_write_only,
    .attributes = attributes,
};

const cfn_resource_type *const cfnkit_native_secretsmanager[] = {&secret_type, &policy_type, NULL};
