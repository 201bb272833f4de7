/* AWS::CloudWatch::Alarm for the local engine: PutMetricAlarm (the
 * properties are its parameters, same names), again for an update; Ref is
 * the alarm's name, Fn::GetAtt Arn. */
#include <cfnkit/cfnkit.h>

#include <stdlib.h>
#include <string.h>

#include "aws/native.h"
#include "awsjson.h"

#define TYPE "AWS::CloudWatch::Alarm"
/* CloudWatch's limit on an alarm's name. */
#define MAX_NAME 255

/* The properties PutMetricAlarm takes as they are, and how: 's' string,
 * 'n' number, 'b' boolean, 'j' JSON (lists of strings or objects). */
static const struct param {
    const char *name;
    char kind;
} params[] = {
    {"AlarmName", 's'},
    {"AlarmDescription", 's'},
    {"ActionsEnabled", 'b'},
    {"AlarmActions", 'j'},
    {"OKActions", 'j'},
    {"InsufficientDataActions", 'j'},
    {"ComparisonOperator", 's'},
    {"EvaluationPeriods", 'n'},
    {"DatapointsToAlarm", 'n'},
    {"MetricName", 's'},
    {"Namespace", 's'},
    {"Statistic", 's'},
    {"ExtendedStatistic", 's'},
    {"Period", 'n'},
    {"Threshold", 'n'},
    {"ThresholdMetricId", 's'},
    {"Unit", 's'},
    {"Dimensions", 'j'},
    {"TreatMissingData", 's'},
    {"EvaluateLowSampleCountPercentile", 's'},
    {"Metrics", 'j'},
    {NULL, 0},
};

static int check(cfn_ctx *ctx)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, cfn_request_props(ctx))
    {
        if (strcmp(p->string, "ServiceToken") == 0 || strcmp(p->string, "Tags") == 0)
            continue;
        const struct param *q = params;
        while (q->name && strcmp(q->name, p->string) != 0)
            q++;
        if (!q->name)
            return cfn_fail(ctx, TYPE " property %s is not supported by cfnkit's local engine",
                            p->string);
    }
    return 0;
}

/* PutMetricAlarm's input: numbers and booleans from a JSON template's
 * strings too; `name` the alarm's. */
static cJSON *put_input(cfn_ctx *ctx, const char *name, bool with_tags)
{
    const cJSON *props = cfn_request_props(ctx);
    cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "AlarmName", name, NULL);
    for (const struct param *q = params; in && q->name; q++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(props, q->name);
        if (!v || strcmp(q->name, "AlarmName") == 0)
            continue;
        if (q->kind == 's') {
            const char *s;
            if (cfn_prop_string(ctx, q->name, &s) < 0)
                goto fail;
            in = cfnkit_json_strings(in, q->name, s, NULL);
        } else if (q->kind == 'n') {
            double d;
            char *end = NULL;
            if (cJSON_IsNumber(v))
                d = v->valuedouble;
            else if (cJSON_IsString(v) && *v->valuestring &&
                     (d = strtod(v->valuestring, &end), *end == '\0'))
                ;
            else {
                cfn_fail(ctx, TYPE " property %s must be a number", q->name);
                goto fail;
            }
            in = cfnkit_json_number(in, q->name, d);
        } else if (q->kind == 'b') {
            bool b;
            if (cfn_prop_bool(ctx, q->name, &b) < 0)
                goto fail;
            in = cfnkit_json_item(in, q->name, cJSON_CreateBool(b));
        } else {
            in = cfnkit_json_item(in, q->name, cJSON_Duplicate(v, true));
        }
    }
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(props, "Tags");
    if (with_tags && tags)
        in = cfnkit_json_item(in, "Tags", cJSON_Duplicate(tags, true));
    if (!in)
        cfn_fail(ctx, "out of memory");
    return in;
fail:
    cJSON_Delete(in);
    return NULL;
}

/* The alarm's ARN (the caller frees it), from DescribeAlarms. */
static int alarm_arn(cfn_ctx *ctx, cfn_aws *aws, const char *name, char **arn)
{
    cJSON *out = NULL;
    const char *names[] = {name};
    *arn = NULL;
    if (native_call(
            ctx, aws, "cloudwatch", "DescribeAlarms",
            cfnkit_json_item(cJSON_CreateObject(), "AlarmNames", cJSON_CreateStringArray(names, 1)),
            &out) < 0)
        return -1;
    const cJSON *alarm =
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(out, "MetricAlarms"), 0);
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(alarm, "AlarmArn");
    int rc = cJSON_IsString(a)
                 ? ((*arn = strdup(a->valuestring)) ? 0 : cfn_fail(ctx, "out of memory"))
                 : cfn_fail(ctx, "alarm %s is not described", name);
    cJSON_Delete(out);
    return rc;
}

static int answer(cfn_ctx *ctx, const char *name, const char *arn)
{
    if (cfn_set_data(ctx, "Arn", arn) < 0)
        return -1;
    return cfn_set_physical_id(ctx, name);
}

static int create(cfn_ctx *ctx)
{
    const char *given;
    char *generated = NULL;
    cfn_aws *aws = NULL;
    int rc = -1;
    if (check(ctx) < 0 || cfn_prop_string_or(ctx, "AlarmName", NULL, &given) < 0)
        return -1;
    if (!given && native_name(ctx, MAX_NAME, 0, &generated) < 0)
        return -1;
    const char *name = given ? given : generated;
    cJSON *in = put_input(ctx, name, true);
    if (in && cfn_aws_for(ctx, NULL, &aws) == 0) {
        rc = native_call(ctx, aws, "cloudwatch", "PutMetricAlarm", in, NULL);
        in = NULL;
        char *arn = NULL;
        if (rc == 0 && (rc = alarm_arn(ctx, aws, name, &arn)) == 0)
            rc = answer(ctx, name, arn);
        free(arn);
    }
    cJSON_Delete(in);
    cfn_aws_free(aws);
    free(generated);
    return rc;
}

/* PutMetricAlarm replaces the whole definition: what the template no longer
 * sets goes back to CloudWatch's default, as CloudFormation's update does. */
static int update(cfn_ctx *ctx)
{
    const char *name = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    int rc = -1;
    if (check(ctx) < 0)
        return -1;
    cJSON *in = put_input(ctx, name, false);
    if (!in)
        return -1;
    if (cfn_aws_for(ctx, NULL, &aws) < 0) {
        cJSON_Delete(in);
        return -1;
    }
    char *arn = NULL;
    if (native_call(ctx, aws, "cloudwatch", "PutMetricAlarm", in, NULL) == 0 &&
        alarm_arn(ctx, aws, name, &arn) == 0 &&
        (!cfn_prop_changed(ctx, "Tags") ||
         native_update_tags(ctx, aws, "cloudwatch", "ResourceARN", arn) == 0))
        rc = answer(ctx, name, arn);
    free(arn);
    cfn_aws_free(aws);
    return rc;
}

/* DeleteAlarms succeeds for a name that is not an alarm: gone is success. */
static int remove_alarm(cfn_ctx *ctx)
{
    const char *names[] = {cfn_request_physical_id(ctx)};
    return native_delete(
        ctx, "cloudwatch", "DeleteAlarms",
        cfnkit_json_item(cJSON_CreateObject(), "AlarmNames", cJSON_CreateStringArray(names, 1)),
        "ResourceNotFound");
}

/* ---- AWS::CloudWatch::Dashboard ---- */

static const char *const dashboard_supported[] = {"DashboardName", "DashboardBody", NULL};

static int put_dashboard(cfn_ctx *ctx, const char *name)
{
    cfn_aws *aws = NULL;
    cJSON *out = NULL;
    if (native_check_props(ctx, dashboard_supported) < 0)
        return -1;
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(cfn_request_props(ctx), "DashboardBody");
    char *body = cJSON_IsObject(b)   ? cJSON_PrintUnformatted(b)
                 : cJSON_IsString(b) ? strdup(b->valuestring)
                                     : NULL;
    if (!body)
        return cfn_fail(ctx, b ? "AWS::CloudWatch::Dashboard property DashboardBody must be a "
                                 "JSON string"
                               : "AWS::CloudWatch::Dashboard property DashboardBody is required");
    int rc = cfn_aws_for(ctx, NULL, &aws);
    if (rc == 0)
        rc = native_call(ctx, aws, "cloudwatch", "PutDashboard",
                         cfnkit_json_strings(cJSON_CreateObject(), "DashboardName", name,
                                             "DashboardBody", body, NULL),
                         &out);
    /* Warnings come back as validation messages with the dashboard made. */
    const cJSON *m =
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(out, "DashboardValidationMessages"), 0);
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(m, "Message");
    if (rc == 0 && cJSON_IsString(text))
        cfn_log(CFN_LOG_WARN, "dashboard %s: %s", name, text->valuestring);
    cJSON_Delete(out);
    free(body);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : cfn_set_physical_id(ctx, name);
}

static int create_dashboard(cfn_ctx *ctx)
{
    const char *given;
    char *generated = NULL;
    if (cfn_prop_string_or(ctx, "DashboardName", NULL, &given) < 0 ||
        (!given && native_name(ctx, MAX_NAME, 0, &generated) < 0))
        return -1;
    int rc = put_dashboard(ctx, given ? given : generated);
    free(generated);
    return rc;
}

static int update_dashboard(cfn_ctx *ctx)
{
    return put_dashboard(ctx, cfn_request_physical_id(ctx));
}

static int remove_dashboard(cfn_ctx *ctx)
{
    const char *names[] = {cfn_request_physical_id(ctx)};
    return native_delete(
        ctx, "cloudwatch", "DeleteDashboards",
        cfnkit_json_item(cJSON_CreateObject(), "DashboardNames", cJSON_CreateStringArray(names, 1)),
        "ResourceNotFound");
}

static const char *const replaces[] = {"AlarmName", NULL};
static const char *const attributes[] = {"Arn", NULL};

static const cfn_resource_type alarm_type = {
    .type = TYPE,
    .create = create,
    .update = update,
    .remove = remove_alarm,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = replaces,
    .attributes = attributes,
};

static const char *const dashboard_replaces[] = {"DashboardName", NULL};

static const cfn_resource_type dashboard_type = {
    .type = "AWS::CloudWatch::Dashboard",
    .create = create_dashboard,
    .update = update_dashboard,
    .remove = remove_dashboard,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = dashboard_replaces,
};

const cfn_resource_type *const cfnkit_native_cloudwatch[] = {&alarm_type, &dashboard_type, NULL};
