/* AWS::EC2::Instance, ::LaunchTemplate and ::KeyPair. */
#include "ec2.h"

#include "awsjson.h"
#include "aws/native.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int oom(cfn_ctx *ctx)
{
    return cfn_fail(ctx, "out of memory");
}

/* Adds the string property `path` as the blob member `name`: base64, as
 * cfn_aws_call takes blobs (the AWS CLI's JSON). */
static int blob(cfn_ctx *ctx, cJSON *in, const char *name, const char *path, size_t max)
{
    const char *text;
    if (cfn_prop_string(ctx, path, &text) < 0)
        return -1;
    size_t n = strlen(text);
    if (n > max)
        return cfn_fail(ctx, "property %s is longer than %zu bytes", path, max);
    unsigned char *b64 = malloc(4 * ((n + 2) / 3) + 1);
    if (!b64)
        return oom(ctx);
    EVP_EncodeBlock(b64, (const unsigned char *)text, (int)n);
    int rc = cJSON_AddStringToObject(in, name, (const char *)b64) ? 0 : oom(ctx);
    free(b64);
    return rc;
}

/* ---- AWS::EC2::Instance ---- */

static const char *const instance_props[] = {"AvailabilityZone",
                                             "BlockDeviceMappings",
                                             "DisableApiTermination",
                                             "EbsOptimized",
                                             "IamInstanceProfile",
                                             "ImageId",
                                             "InstanceInitiatedShutdownBehavior",
                                             "InstanceType",
                                             "KeyName",
                                             "LaunchTemplate",
                                             "MetadataOptions",
                                             "Monitoring",
                                             "NetworkInterfaces",
                                             "PrivateIpAddress",
                                             "SecurityGroupIds",
                                             "SecurityGroups",
                                             "SourceDestCheck",
                                             "SubnetId",
                                             "Tags",
                                             "Tenancy",
                                             "UserData",
                                             NULL};

/* The template's shapes where they differ from RunInstances': NoDevice is
 * {} in a template and "" in the API, GroupSet is Groups. */
static int instance_lists(cfn_ctx *ctx, cJSON *in)
{
    cJSON *e;
    if (cfnkit_ec2_json(ctx, in, "BlockDeviceMappings", "BlockDeviceMappings") < 0 ||
        cfnkit_ec2_json(ctx, in, "NetworkInterfaces", "NetworkInterfaces") < 0)
        return -1;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(in, "BlockDeviceMappings"))
    {
        if (cJSON_GetObjectItem(e, "NoDevice") &&
            !cJSON_ReplaceItemInObject(e, "NoDevice", cJSON_CreateString("")))
            return oom(ctx);
    }
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(in, "NetworkInterfaces"))
    {
        cJSON *groups = cJSON_DetachItemFromObject(e, "GroupSet");
        if (groups && !cJSON_AddItemToObject(e, "Groups", groups)) {
            cJSON_Delete(groups);
            return oom(ctx);
        }
    }
    return 0;
}

static cJSON *run_input(cfn_ctx *ctx)
{
    cJSON *in = cJSON_CreateObject(), *placement = cJSON_CreateObject();
    const char *profile;
    bool monitoring;
    if (!in || !placement || !cJSON_AddNumberToObject(in, "MinCount", 1) ||
        !cJSON_AddNumberToObject(in, "MaxCount", 1)) {
        oom(ctx);
        goto fail;
    }
    if (cfnkit_ec2_str(ctx, in, "ImageId", "ImageId", !cfn_prop_has(ctx, "LaunchTemplate")) < 0 ||
        cfnkit_ec2_str(ctx, in, "InstanceType", "InstanceType", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "KeyName", "KeyName", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "SubnetId", "SubnetId", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "PrivateIpAddress", "PrivateIpAddress", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "UserData", "UserData", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "InstanceInitiatedShutdownBehavior",
                       "InstanceInitiatedShutdownBehavior", false) < 0 ||
        cfnkit_ec2_strings(ctx, in, "SecurityGroupIds", "SecurityGroupIds") < 0 ||
        cfnkit_ec2_strings(ctx, in, "SecurityGroups", "SecurityGroups") < 0 ||
        cfnkit_ec2_bool(ctx, in, "EbsOptimized", "EbsOptimized") < 0 ||
        cfnkit_ec2_bool(ctx, in, "DisableApiTermination", "DisableApiTermination") < 0 ||
        cfnkit_ec2_json(ctx, in, "LaunchTemplate", "LaunchTemplate") < 0 ||
        cfnkit_ec2_json(ctx, in, "MetadataOptions", "MetadataOptions") < 0 ||
        instance_lists(ctx, in) < 0 ||
        cfnkit_ec2_str(ctx, placement, "AvailabilityZone", "AvailabilityZone", false) < 0 ||
        cfnkit_ec2_str(ctx, placement, "Tenancy", "Tenancy", false) < 0 ||
        cfn_prop_string_or(ctx, "IamInstanceProfile", NULL, &profile) < 0 ||
        cfn_prop_bool_or(ctx, "Monitoring", false, &monitoring) < 0 ||
        cfnkit_ec2_tag_spec(ctx, in, "instance") < 0)
        goto fail;
    if (profile &&
        !cfnkit_json_item(in, "IamInstanceProfile",
                          cfnkit_json_strings(cJSON_CreateObject(),
                                              strncmp(profile, "arn:", 4) == 0 ? "Arn" : "Name",
                                              profile, NULL))) {
        in = NULL;
        oom(ctx);
        goto fail;
    }
    if (cfn_prop_has(ctx, "Monitoring")) {
        cJSON *m = cJSON_CreateObject();
        if (!cJSON_AddBoolToObject(m, "Enabled", monitoring) ||
            !cJSON_AddItemToObject(in, "Monitoring", m)) {
            cJSON_Delete(m);
            oom(ctx);
            goto fail;
        }
    }
    if (cJSON_GetArraySize(placement) > 0) {
        if (!cJSON_AddItemToObject(in, "Placement", placement)) {
            oom(ctx);
            goto fail;
        }
        placement = NULL;
    }
    cJSON_Delete(placement);
    return in;
fail:
    cJSON_Delete(in);
    cJSON_Delete(placement);
    return NULL;
}

static int instance_read(cfn_ctx *ctx, const cJSON *instance)
{
    static const char *const data[] = {"InstanceId",
                                       "InstanceId",
                                       "PrivateDnsName",
                                       "PrivateDnsName",
                                       "PrivateIp",
                                       "PrivateIpAddress",
                                       "PublicDnsName",
                                       "PublicDnsName",
                                       "PublicIp",
                                       "PublicIpAddress",
                                       "VpcId",
                                       "VpcId",
                                       "AvailabilityZone",
                                       "Placement.AvailabilityZone",
                                       "State",
                                       "State",
                                       NULL};
    if (!instance)
        return cfn_fail(ctx, "EC2 DescribeInstances answered without the instance");
    return cfnkit_ec2_data(ctx, instance, data);
}

static int instance_wait(cfn_ctx *ctx, cfn_aws *aws, const char *id, const char *want, cJSON **out)
{
    static const char *const failed[] = {"shutting-down", "terminated", NULL};
    cJSON *ids = cfnkit_ec2_ids("InstanceIds", id);
    int rc = ids ? cfnkit_ec2_wait(ctx, aws, "the instance", "DescribeInstances", ids,
                                   "Reservations.0.Instances.0.State.Name", want,
                                   strcmp(want, "terminated") == 0 ? NULL : failed,
                                   "Reservations.0.Instances.0.StateReason.Message", out)
                 : oom(ctx);
    cJSON_Delete(ids);
    return rc;
}

/* ModifyInstanceAttribute of one attribute {Value: ...} when it changed. */
static int modify_attribute(cfn_ctx *ctx, cfn_aws *aws, const char *id, const char *name,
                            bool boolean)
{
    if (cfn_request_action(ctx) == CFN_UPDATE ? !cfn_prop_changed(ctx, name)
                                              : !cfn_prop_has(ctx, name))
        return 0;
    if (!cfn_prop_has(ctx, name))
        return 0; /* removed: EC2 keeps what it has, as CloudFormation does */
    cJSON *value = cJSON_CreateObject();
    if (!value || (boolean ? cfnkit_ec2_bool(ctx, value, "Value", name)
                           : cfnkit_ec2_str(ctx, value, "Value", name, true)) < 0) {
        cJSON_Delete(value);
        return cfn_reason(ctx) ? -1 : oom(ctx);
    }
    return cfnkit_ec2_call(
        aws, "ModifyInstanceAttribute",
        cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "InstanceId", id, NULL), name,
                         value),
        NULL);
}

static int instance_create(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    cJSON *in = NULL, *out = NULL, *state = NULL;
    int rc = -1;
    if (native_check_props(ctx, instance_props) < 0 || !(in = run_input(ctx)) ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cfnkit_ec2_token(ctx, in) < 0)
        goto done;
    rc = cfnkit_ec2_call(aws, "RunInstances", in, &out);
    in = NULL;
    if (rc < 0)
        goto done;
    rc = -1;
    const char *id = cfnkit_ec2_get_string(out, "Instances.0.InstanceId");
    if (!id) {
        rc = cfn_fail(ctx, "EC2 RunInstances answered without an instance");
        goto done;
    }
    /* moto runs no VM: "running" is its state, reached as EC2's would be. */
    if (cfn_set_physical_id(ctx, id) < 0 || instance_wait(ctx, aws, id, "running", &state) < 0 ||
        modify_attribute(ctx, aws, id, "SourceDestCheck", true) < 0 ||
        instance_read(ctx, cfnkit_ec2_get(state, "Reservations.0.Instances.0")) < 0)
        goto done;
    rc = 0;
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    cJSON_Delete(state);
    cfn_aws_free(aws);
    return rc;
}

/* ModifyInstanceAttribute's UserData is a blob of the base64 text (the
 * template's value), unlike RunInstances' string: EC2 wants it encoded
 * twice on the wire. */
static int user_data(cfn_ctx *ctx, cfn_aws *aws, const char *id)
{
    if (!cfn_prop_changed(ctx, "UserData"))
        return 0;
    cJSON *value = cJSON_CreateObject();
    if (!value || blob(ctx, value, "Value", "UserData", 65536) < 0) {
        cJSON_Delete(value);
        return cfn_reason(ctx) ? -1 : oom(ctx);
    }
    return cfnkit_ec2_call(
        aws, "ModifyInstanceAttribute",
        cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "InstanceId", id, NULL),
                         "UserData", value),
        NULL);
}

/* InstanceType, UserData and EbsOptimized change on a stopped instance:
 * stop, change, start again (CloudFormation's "some interruption"). */
static int instance_restart_changes(cfn_ctx *ctx, cfn_aws *aws, const char *id)
{
    static const char *const names[] = {"InstanceType", "UserData", "EbsOptimized", NULL};
    bool any = false;
    for (size_t i = 0; names[i]; i++)
        if (cfn_prop_changed(ctx, names[i])) {
            if (!cfn_prop_has(ctx, names[i]))
                return cfn_fail(ctx, "removing %s is not supported by cfnkit's local engine",
                                names[i]);
            any = true;
        }
    if (!any)
        return 0;
    if (cfnkit_ec2_call(aws, "StopInstances", cfnkit_ec2_ids("InstanceIds", id), NULL) < 0 ||
        instance_wait(ctx, aws, id, "stopped", NULL) < 0 ||
        modify_attribute(ctx, aws, id, "InstanceType", false) < 0 || user_data(ctx, aws, id) < 0 ||
        modify_attribute(ctx, aws, id, "EbsOptimized", true) < 0 ||
        cfnkit_ec2_call(aws, "StartInstances", cfnkit_ec2_ids("InstanceIds", id), NULL) < 0)
        return -1;
    return 0;
}

/* The {Attribute, Value} form: moto takes InstanceInitiatedShutdownBehavior
 * only so (its {Name: {Value}} form of it clears the security groups). */
static int shutdown_behavior(cfn_ctx *ctx, cfn_aws *aws, const char *id)
{
    if (!cfn_prop_changed(ctx, "InstanceInitiatedShutdownBehavior") ||
        !cfn_prop_has(ctx, "InstanceInitiatedShutdownBehavior"))
        return 0;
    cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "InstanceId", id, "Attribute",
                                    "instanceInitiatedShutdownBehavior", NULL);
    if (!in || cfnkit_ec2_str(ctx, in, "Value", "InstanceInitiatedShutdownBehavior", true) < 0) {
        cJSON_Delete(in);
        return cfn_reason(ctx) ? -1 : oom(ctx);
    }
    return cfnkit_ec2_call(aws, "ModifyInstanceAttribute", in, NULL);
}

static int instance_update(cfn_ctx *ctx)
{
    static const char *const fixed[] = {"BlockDeviceMappings", "IamInstanceProfile",
                                        "MetadataOptions", "Tenancy", NULL};
    const char *id = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    cJSON *state = NULL;
    bool monitoring;
    int rc = -1;
    if (native_check_props(ctx, instance_props) < 0 || cfnkit_ec2_unchanged(ctx, fixed) < 0 ||
        cfn_prop_bool_or(ctx, "Monitoring", false, &monitoring) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cfn_prop_changed(ctx, "SecurityGroupIds")) {
        cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "InstanceId", id, NULL);
        if (!in || cfnkit_ec2_strings(ctx, in, "Groups", "SecurityGroupIds") < 0) {
            cJSON_Delete(in);
            goto done;
        }
        if (cfnkit_ec2_call(aws, "ModifyInstanceAttribute", in, NULL) < 0)
            goto done;
    }
    if (cfn_prop_changed(ctx, "Monitoring") &&
        cfnkit_ec2_call(aws, monitoring ? "MonitorInstances" : "UnmonitorInstances",
                        cfnkit_ec2_ids("InstanceIds", id), NULL) < 0)
        goto done;
    if (modify_attribute(ctx, aws, id, "SourceDestCheck", true) < 0 ||
        modify_attribute(ctx, aws, id, "DisableApiTermination", true) < 0 ||
        shutdown_behavior(ctx, aws, id) < 0 || instance_restart_changes(ctx, aws, id) < 0 ||
        cfnkit_ec2_retag(ctx, aws, id) < 0 || instance_wait(ctx, aws, id, "running", &state) < 0 ||
        instance_read(ctx, cfnkit_ec2_get(state, "Reservations.0.Instances.0")) < 0)
        goto done;
    rc = 0;
done:
    cJSON_Delete(state);
    cfn_aws_free(aws);
    return rc;
}

static int instance_remove(cfn_ctx *ctx)
{
    const char *id = cfn_request_physical_id(ctx);
    cfn_aws *aws;
    if (strncmp(id, "i-", 2) != 0)
        return 0; /* not an id this type gives: its Create made nothing */
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = cfnkit_ec2_delete(ctx, aws, "TerminateInstances", cfnkit_ec2_ids("InstanceIds", id));
    if (rc == 0)
        rc = instance_wait(ctx, aws, id, "terminated", NULL);
    cfn_aws_free(aws);
    return rc;
}

static const char *const instance_replaces[] = {"AvailabilityZone",
                                                "CpuOptions",
                                                "ElasticGpuSpecifications",
                                                "ElasticInferenceAccelerators",
                                                "EnclaveOptions",
                                                "HibernationOptions",
                                                "HostResourceGroupArn",
                                                "ImageId",
                                                "Ipv6AddressCount",
                                                "Ipv6Addresses",
                                                "KeyName",
                                                "LaunchTemplate",
                                                "LicenseSpecifications",
                                                "NetworkInterfaces",
                                                "PlacementGroupName",
                                                "PrivateIpAddress",
                                                "SecurityGroups",
                                                "SubnetId",
                                                NULL};
static const char *const instance_conditional[] = {"AdditionalInfo",
                                                   "Affinity",
                                                   "EbsOptimized",
                                                   "HostId",
                                                   "InstanceType",
                                                   "KernelId",
                                                   "PrivateDnsNameOptions",
                                                   "RamdiskId",
                                                   "Tenancy",
                                                   "UserData",
                                                   "BlockDeviceMappings",
                                                   "SecurityGroupIds",
                                                   NULL};
static const char *const instance_write_only[] = {"BlockDeviceMappings",
                                                  "LicenseSpecifications",
                                                  "AdditionalInfo",
                                                  "Ipv6AddressCount",
                                                  "Ipv6Addresses",
                                                  "PropagateTagsToVolumeOnCreation",
                                                  NULL};
static const char *const instance_attrs[] = {
    "AvailabilityZone", "InstanceId", "PrivateDnsName", "PrivateIp", "PublicDnsName",
    "PublicIp",         "State",      "VpcId",          NULL};

const cfn_resource_type cfnkit_ec2_instance = {
    .type = "AWS::EC2::Instance",
    .create = instance_create,
    .update = instance_update,
    .remove = instance_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = instance_replaces,
    .attributes = instance_attrs,
    .replaces_conditional = instance_conditional,
    .write_only = instance_write_only,
};

/* ---- AWS::EC2::LaunchTemplate ---- */

static const char *const template_props[] = {"LaunchTemplateData", "LaunchTemplateName",
                                             "TagSpecifications", "VersionDescription", NULL};

static int template_read(cfn_ctx *ctx, cfn_aws *aws, const char *id)
{
    static const char *const data[] = {"LaunchTemplateId",
                                       "LaunchTemplates.0.LaunchTemplateId",
                                       "DefaultVersionNumber",
                                       "LaunchTemplates.0.DefaultVersionNumber",
                                       "LatestVersionNumber",
                                       "LaunchTemplates.0.LatestVersionNumber",
                                       NULL};
    cJSON *ans = NULL;
    if (cfnkit_ec2_call(aws, "DescribeLaunchTemplates", cfnkit_ec2_ids("LaunchTemplateIds", id),
                        &ans) < 0)
        return -1;
    int rc = cfnkit_ec2_data(ctx, ans, data);
    cJSON_Delete(ans);
    return rc;
}

static int template_create(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    cJSON *in = cJSON_CreateObject(), *out = NULL;
    char *name = NULL;
    int rc = -1;
    if (native_check_props(ctx, template_props) < 0 || !in ||
        cfnkit_ec2_str(ctx, in, "LaunchTemplateName", "LaunchTemplateName", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "VersionDescription", "VersionDescription", false) < 0 ||
        cfnkit_ec2_json(ctx, in, "TagSpecifications", "TagSpecifications") < 0)
        goto done;
    if (!cfn_prop_has(ctx, "LaunchTemplateData")) {
        rc = cfn_fail(ctx, "property LaunchTemplateData is required but missing");
        goto done;
    }
    if (cfnkit_ec2_json(ctx, in, "LaunchTemplateData", "LaunchTemplateData") < 0)
        goto done;
    if (!cJSON_GetObjectItem(in, "LaunchTemplateName") &&
        (native_name(ctx, 128, 0, &name) < 0 ||
         !cJSON_AddStringToObject(in, "LaunchTemplateName", name))) {
        rc = cfn_reason(ctx) ? -1 : oom(ctx);
        goto done;
    }
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cfnkit_ec2_token(ctx, in) < 0)
        goto done;
    rc = cfnkit_ec2_call(aws, "CreateLaunchTemplate", in, &out);
    in = NULL;
    if (rc < 0)
        goto done;
    rc = -1;
    const char *id = cfnkit_ec2_get_string(out, "LaunchTemplate.LaunchTemplateId");
    if (!id) {
        rc = cfn_fail(ctx, "EC2 CreateLaunchTemplate answered without its id");
        goto done;
    }
    if (cfn_set_physical_id(ctx, id) < 0 || template_read(ctx, aws, id) < 0)
        goto done;
    rc = 0;
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    free(name);
    cfn_aws_free(aws);
    return rc;
}

/* New data is a new version, made the default, as CloudFormation does. */
static int template_update(cfn_ctx *ctx)
{
    static const char *const fixed[] = {"TagSpecifications", NULL};
    const char *id = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    cJSON *in = NULL, *out = NULL;
    int rc = -1;
    if (native_check_props(ctx, template_props) < 0 || cfnkit_ec2_unchanged(ctx, fixed) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cfn_prop_changed(ctx, "LaunchTemplateData") ||
        cfn_prop_changed(ctx, "VersionDescription")) {
        in = cfnkit_json_strings(cJSON_CreateObject(), "LaunchTemplateId", id, NULL);
        if (!in || cfnkit_ec2_json(ctx, in, "LaunchTemplateData", "LaunchTemplateData") < 0 ||
            cfnkit_ec2_str(ctx, in, "VersionDescription", "VersionDescription", false) < 0)
            goto done;
        rc = cfnkit_ec2_call(aws, "CreateLaunchTemplateVersion", in, &out);
        in = NULL;
        if (rc < 0)
            goto done;
        rc = -1;
        char version[32];
        const cJSON *number = cfnkit_ec2_get(out, "LaunchTemplateVersion.VersionNumber");
        if (cJSON_IsNumber(number))
            snprintf(version, sizeof(version), "%lld", (long long)number->valuedouble);
        else if (cJSON_IsString(number))
            snprintf(version, sizeof(version), "%s", number->valuestring);
        else {
            rc = cfn_fail(ctx, "EC2 CreateLaunchTemplateVersion answered without VersionNumber");
            goto done;
        }
        if (cfnkit_ec2_call(aws, "ModifyLaunchTemplate",
                            cfnkit_json_strings(cJSON_CreateObject(), "LaunchTemplateId", id,
                                                "DefaultVersion", version, NULL),
                            NULL) < 0)
            goto done;
    }
    if (template_read(ctx, aws, id) < 0)
        goto done;
    rc = 0;
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

static int template_remove(cfn_ctx *ctx)
{
    return cfnkit_ec2_remove(ctx, "DeleteLaunchTemplate", "LaunchTemplateId", "lt-");
}

static const char *const template_replaces[] = {"LaunchTemplateName", NULL};
static const char *const template_write_only[] = {"LaunchTemplateData", "VersionDescription",
                                                  "TagSpecifications", NULL};
static const char *const template_attrs[] = {"DefaultVersionNumber", "LatestVersionNumber",
                                             "LaunchTemplateId", NULL};

const cfn_resource_type cfnkit_ec2_launch_template = {
    .type = "AWS::EC2::LaunchTemplate",
    .create = template_create,
    .update = template_update,
    .remove = template_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = template_replaces,
    .attributes = template_attrs,
    .write_only = template_write_only,
};

/* ---- AWS::EC2::KeyPair ---- */

/* A key pair that EC2 makes has its private key kept, as CloudFormation
 * keeps it, in the SSM SecureString parameter /ec2/keypair/<KeyPairId>;
 * never logged, never in Data. An imported one has no private key here. */
static const char *const key_props[] = {"KeyFormat",         "KeyName", "KeyType",
                                        "PublicKeyMaterial", "Tags",    NULL};

static int key_read(cfn_ctx *ctx, cfn_aws *aws, const char *name, cJSON **key)
{
    static const char *const data[] = {"KeyPairId", "KeyPairs.0.KeyPairId", "KeyFingerprint",
                                       "KeyPairs.0.KeyFingerprint", NULL};
    cJSON *ans = NULL;
    if (cfnkit_ec2_call(aws, "DescribeKeyPairs", cfnkit_ec2_ids("KeyNames", name), &ans) < 0)
        return -1;
    int rc = cfnkit_ec2_data(ctx, ans, data);
    if (key)
        *key = ans;
    else
        cJSON_Delete(ans);
    return rc;
}

static int key_store_private(cfn_ctx *ctx, cfn_aws *aws, const cJSON *made)
{
    const char *id = cfn_json_string(made, "KeyPairId");
    const char *material = cfn_json_string(made, "KeyMaterial");
    char param[128];
    if (!id || !material)
        return cfn_fail(ctx, "EC2 CreateKeyPair answered without KeyPairId and KeyMaterial");
    snprintf(param, sizeof(param), "/ec2/keypair/%s", id);
    cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "Name", param, "Value", material, "Type",
                                    "SecureString", NULL);
    if (!in || !cJSON_AddBoolToObject(in, "Overwrite", true)) {
        cJSON_Delete(in);
        return oom(ctx);
    }
    int rc = cfn_ssm(aws, "PutParameter", in, NULL);
    cJSON_Delete(in);
    return rc;
}

static int key_create(cfn_ctx *ctx)
{
    const char *name;
    cfn_aws *aws = NULL;
    cJSON *in = cJSON_CreateObject(), *out = NULL;
    bool import = cfn_prop_has(ctx, "PublicKeyMaterial");
    int rc = -1;
    if (native_check_props(ctx, key_props) < 0 || !in ||
        cfn_prop_string(ctx, "KeyName", &name) < 0 ||
        cfnkit_ec2_str(ctx, in, "KeyName", "KeyName", true) < 0 ||
        cfnkit_ec2_tag_spec(ctx, in, "key-pair") < 0)
        goto done;
    /* PublicKeyMaterial: the key's text in the template, a blob for the API. */
    if (import ? blob(ctx, in, "PublicKeyMaterial", "PublicKeyMaterial", 16384) < 0
               : (cfnkit_ec2_str(ctx, in, "KeyType", "KeyType", false) < 0 ||
                  cfnkit_ec2_str(ctx, in, "KeyFormat", "KeyFormat", false) < 0))
        goto done;
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    /* A key from an earlier delivery of this Create is this one (its private
     * key was stored then, or lost with the engine that made it). */
    char found[256];
    int made =
        cfnkit_ec2_made(ctx, aws, "DescribeKeyPairs", "KeyPairs.0.KeyName", found, sizeof(found));
    if (made < 0)
        goto done;
    if (!made) {
        rc = cfnkit_ec2_call(aws, import ? "ImportKeyPair" : "CreateKeyPair", in, &out);
        in = NULL;
        if (rc < 0)
            goto done;
        rc = -1;
    }
    if (cfn_set_physical_id(ctx, name) < 0 ||
        (!import && !made && key_store_private(ctx, aws, out) < 0) ||
        key_read(ctx, aws, name, NULL) < 0)
        goto done;
    rc = 0;
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

/* Every property is create-only: an Update reaching here changed nothing. */
static int key_update(cfn_ctx *ctx)
{
    cfn_aws *aws;
    if (native_check_props(ctx, key_props) < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = key_read(ctx, aws, cfn_request_physical_id(ctx), NULL);
    cfn_aws_free(aws);
    return rc;
}

static int key_remove(cfn_ctx *ctx)
{
    const char *name = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    cJSON *key = NULL;
    char param[128];
    int rc = -1;
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    if (key_read(ctx, aws, name, &key) < 0) {
        rc = cfnkit_ec2_gone(aws) ? 0 : -1;
        goto done;
    }
    const char *id = cfnkit_ec2_get_string(key, "KeyPairs.0.KeyPairId");
    if (cfnkit_ec2_delete(ctx, aws, "DeleteKeyPair",
                          cfnkit_json_strings(cJSON_CreateObject(), "KeyName", name, NULL)) < 0)
        goto done;
    if (id) {
        snprintf(param, sizeof(param), "/ec2/keypair/%s", id);
        cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "Name", param, NULL);
        rc = in ? cfn_ssm(aws, "DeleteParameter", in, NULL) : oom(ctx);
        cJSON_Delete(in);
        if (rc < 0 && !cfn_aws_error_is(aws, "ParameterNotFound"))
            goto done;
    }
    rc = 0;
done:
    cJSON_Delete(key);
    cfn_aws_free(aws);
    return rc;
}

static const char *const key_replaces[] = {"KeyName",           "KeyType", "KeyFormat",
                                           "PublicKeyMaterial", "Tags",    NULL};
static const char *const key_write_only[] = {"KeyFormat", NULL};
static const char *const key_attrs[] = {"KeyFingerprint", "KeyPairId", NULL};

const cfn_resource_type cfnkit_ec2_key_pair = {
    .type = "AWS::EC2::KeyPair",
    .create = key_create,
    .update = key_update,
    .remove = key_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = key_replaces,
    .attributes = key_attrs,
    .write_only = key_write_only,
};
