/* AWS::ECS::Cluster, AWS::ECS::TaskDefinition and AWS::ECS::Service for the
 * local engine: the template's properties in ECS's own JSON (camelCase). */
#include "awsjson.h"
#include "aws/native.h"
#include "resources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One ECS call that consumes its input (native_take_call). */
static int call(cfn_aws *aws, const char *op, cJSON *in, cJSON **out)
{
    return native_take_call(aws, "ecs", "ECS", op, in, out);
}

static cJSON *with_arn(const char *member, const char *arn)
{
    return cfnkit_json_strings(cJSON_CreateObject(), member, arn, NULL);
}

/* The request's properties in ECS's shape, without those in `skip`. */
static cJSON *shape(cfn_ctx *ctx, const char *const *renames, const char *const *verbatim,
                    const char *const *skip)
{
    cJSON *in = cfnkit_json_camel(cfn_request_props(ctx), renames, verbatim);
    for (; in && skip && *skip; skip++)
        cJSON_DeleteItemFromObjectCaseSensitive(in, *skip);
    cJSON_DeleteItemFromObjectCaseSensitive(in, "serviceToken");
    return in;
}

/* A name from the template's `prop`, or generated as CloudFormation does. */
static int name_of(cfn_ctx *ctx, const char *prop, size_t max, char **out)
{
    const char *given;
    if (cfn_prop_string_or(ctx, prop, NULL, &given) < 0)
        return -1;
    if (!given)
        return native_name(ctx, max, 0, out);
    if (!(*out = strdup(given)))
        return cfn_fail(ctx, "out of memory");
    return 0;
}

/* Tags of an ECS resource follow the template (ECS spells them key, value). */
static int retag(cfn_ctx *ctx, cfn_aws *aws, const char *arn)
{
    cJSON *untag = NULL, *tag = NULL;
    if (native_tag_changes(ctx, "Tags", &untag, &tag) < 0)
        return -1;
    int rc = 0;
    if (cJSON_GetArraySize(untag) > 0)
        rc = call(aws, "UntagResource",
                  cfnkit_json_item(with_arn("resourceArn", arn), "tagKeys", untag), NULL);
    else
        cJSON_Delete(untag);
    if (rc == 0 && cJSON_GetArraySize(tag) > 0)
        rc = call(aws, "TagResource",
                  cfnkit_json_item(with_arn("resourceArn", arn), "tags",
                                   cfnkit_json_camel(tag, NULL, NULL)),
                  NULL);
    cJSON_Delete(tag);
    return rc;
}

/* ---- AWS::ECS::Cluster ------------------------------------------------- */

static const char *const cluster_props[] = {"ClusterName",
                                            "ClusterSettings",
                                            "Configuration",
                                            "CapacityProviders",
                                            "DefaultCapacityProviderStrategy",
                                            "ServiceConnectDefaults",
                                            "Tags",
                                            NULL};

static const char *const cluster_renames[] = {"ClusterSettings=settings", NULL};

static int cluster_answer(cfn_ctx *ctx, const cJSON *cluster)
{
    const char *name = cfn_json_string(cluster, "clusterName"),
               *arn = cfn_json_string(cluster, "clusterArn");
    if (!name || !arn)
        return cfn_fail(ctx, "ECS answered a cluster without its name or ARN");
    if (cfn_set_data(ctx, "Arn", arn) < 0)
        return -1;
    return cfn_set_physical_id(ctx, name);
}

static int cluster_create(cfn_ctx *ctx)
{
    static const char *const skip[] = {"clusterName", NULL};
    char *name = NULL;
    cfn_aws *aws = NULL;
    cJSON *out = NULL;
    int rc = -1;
    if (native_check_props(ctx, cluster_props) < 0 || name_of(ctx, "ClusterName", 255, &name) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    cJSON *in = shape(ctx, cluster_renames, NULL, skip);
    /* Failing without a reason answers with the AWS error. */
    if (call(aws, "CreateCluster", cfnkit_json_strings(in, "clusterName", name, NULL), &out) < 0)
        goto done;
    rc = cluster_answer(ctx, cJSON_GetObjectItem(out, "cluster"));
done:
    cJSON_Delete(out);
    cfn_aws_free(aws);
    free(name);
    return rc;
}

static int cluster_update(cfn_ctx *ctx)
{
    const char *name = cfn_request_physical_id(ctx);
    const cJSON *props = cfn_request_props(ctx);
    cfn_aws *aws = NULL;
    cJSON *out = NULL;
    int rc = -1;
    if (native_check_props(ctx, cluster_props) < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cfn_prop_changed(ctx, "ClusterSettings") || cfn_prop_changed(ctx, "Configuration") ||
        cfn_prop_changed(ctx, "ServiceConnectDefaults")) {
        cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "cluster", name, NULL);
        static const char *const parts[][2] = {
            {"ClusterSettings", "settings"},
            {"Configuration", "configuration"},
            {"ServiceConnectDefaults", "serviceConnectDefaults"}};
        for (size_t i = 0; i < 3; i++) {
            const cJSON *v = cJSON_GetObjectItem(props, parts[i][0]);
            if (v && in)
                in = cfnkit_json_item(in, parts[i][1], cfnkit_json_camel(v, NULL, NULL));
        }
        if (cJSON_GetObjectItem(props, "ClusterSettings") == NULL && in)
            in = cfnkit_json_item(in, "settings", cJSON_CreateArray());
        if (call(aws, "UpdateCluster", in, NULL) < 0)
            goto done;
    }
    if (cfn_prop_changed(ctx, "CapacityProviders") ||
        cfn_prop_changed(ctx, "DefaultCapacityProviderStrategy")) {
        const cJSON *cp = cJSON_GetObjectItem(props, "CapacityProviders"),
                    *st = cJSON_GetObjectItem(props, "DefaultCapacityProviderStrategy");
        cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "cluster", name, NULL);
        in = cfnkit_json_item(in, "capacityProviders",
                              cp ? cJSON_Duplicate(cp, 1) : cJSON_CreateArray());
        in = cfnkit_json_item(in, "defaultCapacityProviderStrategy",
                              st ? cfnkit_json_camel(st, NULL, NULL) : cJSON_CreateArray());
        if (call(aws, "PutClusterCapacityProviders", in, NULL) < 0)
            goto done;
    }
    if (call(aws, "DescribeClusters",
             cfnkit_json_item(cJSON_CreateObject(), "clusters", cJSON_CreateStringArray(&name, 1)),
             &out) < 0)
        goto done;
    const cJSON *cluster = cJSON_GetArrayItem(cJSON_GetObjectItem(out, "clusters"), 0);
    if (!cluster) {
        rc = cfn_fail(ctx, "ECS cluster %s is gone", name);
        goto done;
    }
    if (cfn_prop_changed(ctx, "Tags") &&
        retag(ctx, aws, cfn_json_string(cluster, "clusterArn")) < 0)
        goto done;
    rc = cluster_answer(ctx, cluster);
done:
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

static int cluster_remove(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = call(
        aws, "DeleteCluster",
        cfnkit_json_strings(cJSON_CreateObject(), "cluster", cfn_request_physical_id(ctx), NULL),
        NULL);
    if (rc < 0 && native_error_is(aws, "ClusterNotFoundException"))
        rc = 0; /* gone already */
    cfn_aws_free(aws);
    return rc;
}

static const char *const cluster_replaces[] = {"ClusterName", NULL};
static const char *const cluster_attributes[] = {"Arn", NULL};
static const char *const cluster_write_only[] = {"ServiceConnectDefaults", NULL};

static const cfn_resource_type cluster_type = {
    .type = "AWS::ECS::Cluster",
    .create = cluster_create,
    .update = cluster_update,
    .remove = cluster_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = cluster_replaces,
    .attributes = cluster_attributes,
    .write_only = cluster_write_only,
};

/* ---- AWS::ECS::TaskDefinition ------------------------------------------ */

static const char *const taskdef_props[] = {"ContainerDefinitions",
                                            "Cpu",
                                            "EnableFaultInjection",
                                            "EphemeralStorage",
                                            "ExecutionRoleArn",
                                            "Family",
                                            "InferenceAccelerators",
                                            "IpcMode",
                                            "Memory",
                                            "NetworkMode",
                                            "PidMode",
                                            "PlacementConstraints",
                                            "ProxyConfiguration",
                                            "RequiresCompatibilities",
                                            "RuntimePlatform",
                                            "Tags",
                                            "TaskRoleArn",
                                            "Volumes",
                                            NULL};

/* Where the template's names and ECS's differ beyond the first letter. */
static const char *const taskdef_renames[] = {
    "EFSVolumeConfiguration=efsVolumeConfiguration",
    "FSxWindowsFileServerVolumeConfiguration=fsxWindowsFileServerVolumeConfiguration", "IAM=iam",
    NULL};
/* The user's own maps: keys kept as written. */
static const char *const taskdef_verbatim[] = {"DockerLabels", "Options", "DriverOpts", "Labels",
                                               NULL};
/* The API's integers and booleans in container definitions and volumes. */
static const char *const taskdef_ints[] = {"cpu",
                                           "memory",
                                           "memoryReservation",
                                           "containerPort",
                                           "hostPort",
                                           "startTimeout",
                                           "stopTimeout",
                                           "softLimit",
                                           "hardLimit",
                                           "interval",
                                           "timeout",
                                           "retries",
                                           "startPeriod",
                                           "sharedMemorySize",
                                           "maxSwap",
                                           "swappiness",
                                           "sizeInGiB",
                                           "transitEncryptionPort",
                                           "deviceSize",
                                           NULL};
static const char *const taskdef_bools[] = {"essential",
                                            "privileged",
                                            "readonlyRootFilesystem",
                                            "disableNetworking",
                                            "interactive",
                                            "pseudoTerminal",
                                            "initProcessEnabled",
                                            "readOnly",
                                            "autoprovision",
                                            NULL};
static const char *const taskdef_strings[] = {"value", NULL};

static int taskdef_create(cfn_ctx *ctx)
{
    static const char *const skip[] = {"family", NULL};
    char *family = NULL;
    cfn_aws *aws = NULL;
    cJSON *in = NULL, *out = NULL;
    const char *bad = NULL;
    int rc = -1;
    if (native_check_props(ctx, taskdef_props) < 0 || name_of(ctx, "Family", 255, &family) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    in = cfnkit_json_strings(shape(ctx, taskdef_renames, taskdef_verbatim, skip), "family", family,
                             NULL);
    if (!in) {
        rc = cfn_fail(ctx, "out of memory");
        goto done;
    }
    /* The task's Cpu and Memory are strings ("256", "1 vCPU"); a container's
     * are integers. */
    static const char *const task_strings[] = {"cpu", "memory", NULL};
    cJSON *top = cJSON_CreateObject();
    for (size_t i = 0; task_strings[i]; i++) {
        cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(in, task_strings[i]);
        if (v)
            cJSON_AddItemToObject(top, task_strings[i], v);
    }
    if (!top || cfnkit_json_coerce(top, NULL, NULL, task_strings, &bad) < 0 ||
        cfnkit_json_coerce(in, taskdef_ints, taskdef_bools, taskdef_strings, &bad) < 0) {
        cJSON_Delete(top);
        rc = cfn_fail(ctx, "AWS::ECS::TaskDefinition: %s has a value of the wrong type",
                      bad ? bad : "a property");
        goto done;
    }
    for (cJSON *v = top->child; v; v = top->child)
        cJSON_AddItemToObject(in, v->string, cJSON_DetachItemViaPointer(top, v));
    cJSON_Delete(top);
    /* Failing without a reason answers with the AWS error. */
    if (cfn_aws_call(aws, "ecs", "RegisterTaskDefinition", in, &out) < 0)
        goto done;
    const char *arn =
        cfn_json_string(cJSON_GetObjectItem(out, "taskDefinition"), "taskDefinitionArn");
    if (!arn) {
        rc = cfn_fail(ctx, "ECS answered RegisterTaskDefinition without an ARN");
        goto done;
    }
    if (cfn_set_data(ctx, "TaskDefinitionArn", arn) == 0)
        rc = cfn_set_physical_id(ctx, arn);
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    free(family);
    return rc;
}

/* Every property but Tags is create-only: a change of any other registers a
 * new revision (the engine's replacement), and the old one is deregistered. */
static int taskdef_update(cfn_ctx *ctx)
{
    const char *arn = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    if (native_check_props(ctx, taskdef_props) < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = cfn_prop_changed(ctx, "Tags") ? retag(ctx, aws, arn) : 0;
    cfn_aws_free(aws);
    if (rc < 0 || cfn_set_data(ctx, "TaskDefinitionArn", arn) < 0)
        return -1;
    return cfn_set_physical_id(ctx, arn);
}

static int taskdef_remove(cfn_ctx *ctx)
{
    const char *arn = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    if (strncmp(arn, "arn:", 4) != 0) {
        cfn_log(CFN_LOG_INFO, "%.100s is not a task definition ARN: nothing to delete", arn);
        return 0;
    }
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = call(aws, "DeregisterTaskDefinition",
                  cfnkit_json_strings(cJSON_CreateObject(), "taskDefinition", arn, NULL), NULL);
    /* Gone, or deregistered already (ECS answers ClientException). */
    if (rc < 0 && (native_error_is(aws, "ClientException") ||
                   native_error_is(aws, "ResourceNotFoundException")))
        rc = 0;
    cfn_aws_free(aws);
    return rc;
}

static const char *const taskdef_replaces[] = {"ContainerDefinitions",
                                               "Cpu",
                                               "EnableFaultInjection",
                                               "EphemeralStorage",
                                               "ExecutionRoleArn",
                                               "Family",
                                               "InferenceAccelerators",
                                               "IpcMode",
                                               "Memory",
                                               "NetworkMode",
                                               "PidMode",
                                               "PlacementConstraints",
                                               "ProxyConfiguration",
                                               "RequiresCompatibilities",
                                               "RuntimePlatform",
                                               "TaskRoleArn",
                                               "Volumes",
                                               NULL};
static const char *const taskdef_attributes[] = {"TaskDefinitionArn", NULL};

static const cfn_resource_type taskdef_type = {
    .type = "AWS::ECS::TaskDefinition",
    .create = taskdef_create,
    .update = taskdef_update,
    .remove = taskdef_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = taskdef_replaces,
    .attributes = taskdef_attributes,
};

/* ---- AWS::ECS::Service ------------------------------------------------- */

static const char *const service_props[] = {"AvailabilityZoneRebalancing",
                                            "CapacityProviderStrategy",
                                            "Cluster",
                                            "DeploymentConfiguration",
                                            "DeploymentController",
                                            "DesiredCount",
                                            "EnableECSManagedTags",
                                            "EnableExecuteCommand",
                                            "HealthCheckGracePeriodSeconds",
                                            "LaunchType",
                                            "LoadBalancers",
                                            "NetworkConfiguration",
                                            "PlacementConstraints",
                                            "PlacementStrategies",
                                            "PlatformVersion",
                                            "PropagateTags",
                                            "Role",
                                            "SchedulingStrategy",
                                            "ServiceName",
                                            "ServiceRegistries",
                                            "Tags",
                                            "TaskDefinition",
                                            NULL};
static const char *const service_renames[] = {"PlacementStrategies=placementStrategy", NULL};
static const char *const service_ints[] = {"desiredCount",
                                           "containerPort",
                                           "port",
                                           "healthCheckGracePeriodSeconds",
                                           "maximumPercent",
                                           "minimumHealthyPercent",
                                           "weight",
                                           "base",
                                           NULL};
static const char *const service_bools[] = {"enableECSManagedTags", "enableExecuteCommand",
                                            "enable", "rollback", NULL};
/* UpdateService takes these; the others are create-only or tags. */
static const char *const service_updatable[] = {"availabilityZoneRebalancing",
                                                "capacityProviderStrategy",
                                                "deploymentConfiguration",
                                                "deploymentController",
                                                "desiredCount",
                                                "enableECSManagedTags",
                                                "enableExecuteCommand",
                                                "healthCheckGracePeriodSeconds",
                                                "loadBalancers",
                                                "networkConfiguration",
                                                "placementConstraints",
                                                "placementStrategy",
                                                "platformVersion",
                                                "propagateTags",
                                                "serviceRegistries",
                                                "taskDefinition",
                                                NULL};

/* The request's service properties in ECS's shape. */
static cJSON *service_input(cfn_ctx *ctx)
{
    static const char *const skip[] = {"serviceName", "cluster", NULL};
    const char *bad = NULL;
    cJSON *in = shape(ctx, service_renames, NULL, skip);
    if (!in) {
        cfn_fail(ctx, "out of memory");
        return NULL;
    }
    if (cfnkit_json_coerce(in, service_ints, service_bools, NULL, &bad) < 0) {
        cJSON_Delete(in);
        cfn_fail(ctx, "AWS::ECS::Service: %s has a value of the wrong type",
                 bad ? bad : "a property");
        return NULL;
    }
    return in;
}

static const char *cluster_of(cfn_ctx *ctx)
{
    const char *c = NULL;
    cfn_prop_string_or(ctx, "Cluster", "default", &c);
    return c;
}

/* Waits until the service is stable as CloudFormation waits for it: ACTIVE,
 * one deployment left, rolled out (as many tasks running as desired). */
static int service_wait(cfn_ctx *ctx, cfn_aws *aws, const char *cluster, const char *arn)
{
    char why[300] = "";
    for (int attempt = 0;; attempt++) {
        cJSON *out = NULL;
        if (call(aws, "DescribeServices",
                 cfnkit_json_item(
                     cfnkit_json_strings(cJSON_CreateObject(), "cluster", cluster, NULL),
                     "services", cJSON_CreateStringArray(&arn, 1)),
                 &out) < 0)
            return cfn_fail(ctx, "%s", cfn_error_last());
        const cJSON *s = cJSON_GetArrayItem(cJSON_GetObjectItem(out, "services"), 0),
                    *deps = cJSON_GetObjectItem(s, "deployments");
        const char *status = cfn_json_string(s, "status");
        double running = cJSON_GetNumberValue(cJSON_GetObjectItem(s, "runningCount")),
               desired = cJSON_GetNumberValue(cJSON_GetObjectItem(s, "desiredCount"));
        /* The one deployment left has finished rolling out: ECS says so in
         * its rolloutState (COMPLETED) when it reports one, otherwise its
         * tasks are all running. */
        const char *rollout = cfn_json_string(cJSON_GetArrayItem(deps, 0), "rolloutState");
        bool stable = status && strcmp(status, "ACTIVE") == 0 && cJSON_GetArraySize(deps) <= 1 &&
                      (rollout ? strcmp(rollout, "COMPLETED") == 0 : running == desired);
        snprintf(why, sizeof(why), "status %s, %d deployment(s)%s%s, %.0f of %.0f tasks running",
                 status ? status : "unknown", cJSON_GetArraySize(deps),
                 rollout ? " rolling out " : "", rollout ? rollout : "", running, desired);
        cJSON_Delete(out);
        if (stable)
            return 0;
        if (attempt == 0)
            cfn_log(CFN_LOG_INFO, "service %s: %s; waiting until it is stable", arn, why);
        if (!native_poll_again(ctx))
            return cfn_fail(ctx,
                            "ECS service %s did not become stable in time (%s); a local AWS "
                            "that runs no containers (moto) reports MOTO_ECS_SERVICE_RUNNING "
                            "tasks running",
                            arn, why);
    }
}

static int service_answer(cfn_ctx *ctx, const cJSON *service)
{
    const char *arn = cfn_json_string(service, "serviceArn"),
               *name = cfn_json_string(service, "serviceName");
    if (!arn || !name)
        return cfn_fail(ctx, "ECS answered a service without its ARN or name");
    if (cfn_set_data(ctx, "ServiceArn", arn) < 0 || cfn_set_data(ctx, "Name", name) < 0)
        return -1;
    return cfn_set_physical_id(ctx, arn);
}

static int service_create(cfn_ctx *ctx)
{
    char *name = NULL;
    cfn_aws *aws = NULL;
    cJSON *in = NULL, *out = NULL;
    int rc = -1;
    if (native_check_props(ctx, service_props) < 0 || name_of(ctx, "ServiceName", 255, &name) < 0 ||
        !(in = service_input(ctx)) || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    const char *cluster = cluster_of(ctx);
    /* The RequestId as ECS's idempotency token: a Create delivered twice
     * gets the same service instead of "not idempotent". */
    char token[37];
    snprintf(token, sizeof(token), "%s", cfn_request_id(ctx));
    if (!cfnkit_json_strings(in, "serviceName", name, "cluster", cluster, "clientToken", token,
                             NULL)) {
        in = NULL;
        rc = cfn_fail(ctx, "out of memory");
        goto done;
    }
    /* Failing without a reason answers with the AWS error. */
    if (cfn_aws_call(aws, "ecs", "CreateService", in, &out) < 0)
        goto done;
    const cJSON *service = cJSON_GetObjectItem(out, "service");
    const char *arn = cfn_json_string(service, "serviceArn");
    if (!arn) {
        rc = cfn_fail(ctx, "ECS answered CreateService without the service's ARN");
        goto done;
    }
    if (service_wait(ctx, aws, cluster, arn) == 0 && service_answer(ctx, service) == 0) {
        rc = 0;
        goto done;
    }
    /* A failed Create gets no Delete: the service goes, its reason stays. */
    cJSON *del =
        cfnkit_json_strings(cJSON_CreateObject(), "cluster", cluster, "service", arn, NULL);
    if (del && !cJSON_AddBoolToObject(del, "force", 1)) {
        cJSON_Delete(del);
        del = NULL;
    }
    call(aws, "DeleteService", del, NULL);
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    free(name);
    return rc;
}

static int service_update(cfn_ctx *ctx)
{
    const char *arn = cfn_request_physical_id(ctx), *cluster = cluster_of(ctx);
    cfn_aws *aws = NULL;
    cJSON *in = NULL, *out = NULL;
    int rc = -1;
    if (native_check_props(ctx, service_props) < 0 || !(in = service_input(ctx)) ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    for (cJSON *m = in->child, *next; m; m = next) {
        next = m->next;
        bool keep = false;
        for (size_t i = 0; service_updatable[i]; i++)
            keep |= strcmp(service_updatable[i], m->string) == 0;
        if (!keep)
            cJSON_Delete(cJSON_DetachItemViaPointer(in, m));
    }
    if (!cfnkit_json_strings(in, "cluster", cluster, "service", arn, NULL)) {
        in = NULL;
        rc = cfn_fail(ctx, "out of memory");
        goto done;
    }
    if (cfn_aws_call(aws, "ecs", "UpdateService", in, &out) < 0)
        goto done;
    if (cfn_prop_changed(ctx, "Tags") && retag(ctx, aws, arn) < 0)
        goto done;
    if (service_wait(ctx, aws, cluster, arn) < 0)
        goto done;
    rc = service_answer(ctx, cJSON_GetObjectItem(out, "service"));
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

/* Scaled to zero, then deleted, then waited for until INACTIVE or gone, as
 * CloudFormation does. */
static int service_remove(cfn_ctx *ctx)
{
    const char *arn = cfn_request_physical_id(ctx), *cluster = cluster_of(ctx);
    cfn_aws *aws = NULL;
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = call(aws, "UpdateService",
                  cfnkit_json_number(cfnkit_json_strings(cJSON_CreateObject(), "cluster", cluster,
                                                         "service", arn, NULL),
                                     "desiredCount", 0),
                  NULL);
    if (rc == 0)
        rc = call(
            aws, "DeleteService",
            cfnkit_json_strings(cJSON_CreateObject(), "cluster", cluster, "service", arn, NULL),
            NULL);
    /* Gone already, with its cluster or alone; or inactive (ECS's ServiceNotActiveException). */
    if (rc < 0 && (native_error_is(aws, "ServiceNotFoundException") ||
                   native_error_is(aws, "ClusterNotFoundException") ||
                   native_error_is(aws, "ServiceNotActiveException")))
        rc = 0;
    for (int attempt = 0; rc == 0; attempt++) {
        cJSON *out = NULL;
        if (call(aws, "DescribeServices",
                 cfnkit_json_item(
                     cfnkit_json_strings(cJSON_CreateObject(), "cluster", cluster, NULL),
                     "services", cJSON_CreateStringArray(&arn, 1)),
                 &out) < 0) {
            rc = native_error_is(aws, "ClusterNotFoundException") ? 0 : -1;
            break;
        }
        const char *status =
            cfn_json_string(cJSON_GetArrayItem(cJSON_GetObjectItem(out, "services"), 0), "status");
        bool done = !status || strcmp(status, "INACTIVE") == 0;
        cJSON_Delete(out);
        if (done)
            break;
        if (!native_poll_again(ctx))
            rc = cfn_fail(ctx, "ECS service %s is still draining", arn);
    }
    cfn_aws_free(aws);
    return rc;
}

static const char *const service_replaces[] = {"Cluster", "Role", "SchedulingStrategy",
                                               "ServiceName", NULL};
static const char *const service_conditional[] = {"LaunchType", NULL};
static const char *const service_attributes[] = {"ServiceArn", "Name", NULL};
static const char *const service_write_only[] = {
    "ForceNewDeployment", "ServiceConnectConfiguration", "VolumeConfigurations", NULL};

static const cfn_resource_type service_type = {
    .type = "AWS::ECS::Service",
    .create = service_create,
    .update = service_update,
    .remove = service_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = service_replaces,
    .attributes = service_attributes,
    .replaces_conditional = service_conditional,
    .write_only = service_write_only,
};

const cfn_resource_type *const cfnkit_native_ecs[] = {&cluster_type, &taskdef_type, &service_type,
                                                      NULL};
