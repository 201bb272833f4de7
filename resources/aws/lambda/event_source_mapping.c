/* AWS::Lambda::EventSourceMapping: a function reading from a queue or a
 * stream, waited for until it leaves Creating/Updating. Ref and GetAtt Id:
 * the mapping's UUID; GetAtt EventSourceMappingArn. */
#include "lambda.h"

#include "aws/native.h"
#include "awsjson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The properties, as CloudFormation and the Lambda API both name them, by
 * kind: s string, i integer, b boolean, j any JSON (objects and lists). */
typedef struct esm_prop {
    const char *name;
    char kind;
    bool update; /* UpdateEventSourceMapping takes it */
} esm_prop;

static const esm_prop props[] = {{"FunctionName", 's', true},
                                 {"EventSourceArn", 's', false},
                                 {"StartingPosition", 's', false},
                                 {"StartingPositionTimestamp", 'i', false},
                                 {"BatchSize", 'i', true},
                                 {"Enabled", 'b', true},
                                 {"MaximumBatchingWindowInSeconds", 'i', true},
                                 {"MaximumRetryAttempts", 'i', true},
                                 {"MaximumRecordAgeInSeconds", 'i', true},
                                 {"BisectBatchOnFunctionError", 'b', true},
                                 {"ParallelizationFactor", 'i', true},
                                 {"TumblingWindowInSeconds", 'i', true},
                                 {"FunctionResponseTypes", 'j', true},
                                 {"FilterCriteria", 'j', true},
                                 {"DestinationConfig", 'j', true},
                                 {"ScalingConfig", 'j', true},
                                 {NULL, 0, false}};

static int known_check(cfn_ctx *ctx)
{
    const char *names[sizeof(props) / sizeof(props[0])];
    size_t n = 0;
    for (const esm_prop *p = props; p->name; p++)
        names[n++] = p->name;
    names[n] = NULL;
    return native_check_props(ctx, names);
}

/* The API input of CreateEventSourceMapping, or of UpdateEventSourceMapping
 * (only what it takes). NULL with the reason set. */
static cJSON *input(cfn_ctx *ctx, bool update)
{
    cJSON *in = cJSON_CreateObject();
    for (const esm_prop *p = props; in && p->name; p++) {
        const char *s;
        long long i;
        bool b;
        const cJSON *j;
        if ((update && !p->update) || !cfn_prop_has(ctx, p->name))
            continue;
        switch (p->kind) {
        case 's':
            if (cfn_prop_string(ctx, p->name, &s) < 0)
                goto fail;
            in = cfnkit_json_strings(in, p->name, s, NULL);
            break;
        case 'i':
            if (cfn_prop_int(ctx, p->name, &i) < 0)
                goto fail;
            in = cfnkit_json_number(in, p->name, (double)i);
            break;
        case 'b':
            if (cfn_prop_bool(ctx, p->name, &b) < 0)
                goto fail;
            if (!cJSON_AddBoolToObject(in, p->name, b)) {
                cJSON_Delete(in);
                in = NULL;
            }
            break;
        default:
            j = cJSON_GetObjectItemCaseSensitive(cfn_request_props(ctx), p->name);
            in = cfnkit_json_item(in, p->name, cJSON_Duplicate(j, 1));
        }
    }
    if (!in)
        cfn_fail(ctx, "out of memory");
    return in;
fail:
    cJSON_Delete(in);
    return NULL;
}

/* Waits while the mapping is Creating, Enabling, Updating or Disabling,
 * then answers with its UUID and ARN. */
static int settle(cfn_ctx *ctx, cfn_aws *aws, const char *uuid)
{
    int64_t pause_ms = 200;
    for (;;) {
        cJSON *out = NULL, *in = cfnkit_json_strings(cJSON_CreateObject(), "UUID", uuid, NULL);
        if (!in)
            return cfn_fail(ctx, "out of memory");
        int rc = cfn_aws_call(aws, "lambda", "GetEventSourceMapping", in, &out);
        cJSON_Delete(in);
        if (rc < 0)
            return cfn_fail(ctx, "%s", cfn_error_last());
        const char *state = cfn_json_string(out, "State");
        if (!state || (strcmp(state, "Creating") != 0 && strcmp(state, "Enabling") != 0 &&
                       strcmp(state, "Updating") != 0 && strcmp(state, "Disabling") != 0)) {
            const char *arn = cfn_json_string(out, "EventSourceMappingArn");
            char fallback[512];
            /* Older answers have no ARN: it is the function's region and
             * account with the mapping's UUID. */
            if (!arn) {
                const char *fn = cfn_json_string(out, "FunctionArn");
                const char *at = fn ? strstr(fn, ":function:") : NULL;
                snprintf(fallback, sizeof(fallback), "%.*s:event-source-mapping:%s",
                         at ? (int)(at - fn) : 0, at ? fn : "", uuid);
                arn = fallback;
            }
            rc = cfn_set_data(ctx, "Id", uuid);
            if (rc == 0)
                rc = cfn_set_data(ctx, "EventSourceMappingArn", arn);
            cJSON_Delete(out);
            return rc < 0 ? -1 : cfn_set_physical_id(ctx, uuid);
        }
        cJSON_Delete(out);
        if (cfn_remaining_ms(ctx) < pause_ms + 1000 || cfn_sleep(ctx, pause_ms) < 0)
            return cfn_fail(ctx, "event source mapping %s is still %s and the time is up", uuid,
                            state);
        if (pause_ms < 2000)
            pause_ms *= 2;
    }
}

static int create(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    cJSON *in = NULL, *out = NULL;
    char uuid[64];
    int rc = -1;
    if (known_check(ctx) < 0 || !(in = input(ctx, false)) || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (!cJSON_GetObjectItem(in, "FunctionName")) {
        rc = cfn_fail(ctx, "AWS::Lambda::EventSourceMapping property FunctionName is required");
        goto done;
    }
    if (cfn_aws_call(aws, "lambda", "CreateEventSourceMapping", in, &out) < 0) {
        /* Lambda allows one mapping per function and source: the same
         * Create delivered twice finds the one it made. */
        if (cfn_aws_error_is(aws, "ResourceConflictException") &&
            cJSON_GetObjectItem(in, "EventSourceArn")) {
            cJSON *q = cfnkit_json_strings(cJSON_CreateObject(), "FunctionName",
                                           cfn_json_string(in, "FunctionName"), "EventSourceArn",
                                           cfn_json_string(in, "EventSourceArn"), NULL);
            cJSON *found = NULL;
            if (q && cfn_aws_call(aws, "lambda", "ListEventSourceMappings", q, &found) == 0) {
                cJSON_Delete(out);
                out =
                    cJSON_DetachItemFromArray(cJSON_GetObjectItem(found, "EventSourceMappings"), 0);
            }
            cJSON_Delete(q);
            cJSON_Delete(found);
        }
        if (!cfn_json_string(out, "UUID")) {
            rc = cfn_fail(ctx, "%s", cfn_error_last());
            goto done;
        }
    }
    snprintf(uuid, sizeof(uuid), "%s",
             cfn_json_string(out, "UUID") ? cfn_json_string(out, "UUID") : "");
    if (!uuid[0]) {
        rc = cfn_fail(ctx, "Lambda CreateEventSourceMapping: the answer has no UUID");
        goto done;
    }
    if ((rc = settle(ctx, aws, uuid)) < 0) {
        /* The Delete after a failed Create does not know this UUID. */
        cJSON *del = cfnkit_json_strings(cJSON_CreateObject(), "UUID", uuid, NULL);
        if (del)
            cfn_aws_call(aws, "lambda", "DeleteEventSourceMapping", del, NULL);
        cJSON_Delete(del);
    }
done:
    if (rc < 0 && !cfn_reason(ctx))
        cfn_fail(ctx, "out of memory");
    cJSON_Delete(in);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : 0;
}

static int update(cfn_ctx *ctx)
{
    const char *uuid = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    cJSON *in = NULL;
    int rc = -1;
    if (known_check(ctx) < 0 || !(in = input(ctx, true)) ||
        !(in = cfnkit_json_strings(in, "UUID", uuid, NULL)) || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cfn_aws_call(aws, "lambda", "UpdateEventSourceMapping", in, NULL) < 0)
        rc = cfn_fail(ctx, "%s", cfn_error_last());
    else
        rc = settle(ctx, aws, uuid);
done:
    if (rc < 0 && !cfn_reason(ctx))
        cfn_fail(ctx, "out of memory");
    cJSON_Delete(in);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : 0;
}

static int remove_mapping(cfn_ctx *ctx)
{
    const char *uuid = cfn_request_physical_id(ctx);
    /* A UUID: 36 hexadecimal digits and dashes. */
    if (strlen(uuid) != 36 || strspn(uuid, "0123456789abcdefABCDEF-") != 36) {
        cfn_log(CFN_LOG_INFO, "%.100s is not a mapping UUID: nothing to delete", uuid);
        return 0;
    }
    return lambda_delete(ctx, "DeleteEventSourceMapping",
                         cfnkit_json_strings(cJSON_CreateObject(), "UUID", uuid, NULL), NULL, NULL);
}

static const char *const replaces[] = {"EventSourceArn", "StartingPosition",
                                       "StartingPositionTimestamp", "SelfManagedEventSource", NULL};
static const char *const attributes[] = {"Id", "EventSourceMappingArn", NULL};

const cfn_resource_type native_lambda_event_source_mapping = {
    .type = "AWS::Lambda::EventSourceMapping",
    .create = create,
    .update = update,
    .remove = remove_mapping,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = replaces,
    .attributes = attributes,
};
