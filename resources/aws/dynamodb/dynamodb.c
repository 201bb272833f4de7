/* AWS::DynamoDB::Table for the local engine: CreateTable and wait until the
 * table and its indexes are ACTIVE; in place: billing mode, throughput,
 * global secondary indexes, streams, TTL and tags; Ref is the table name. */
#include <cfnkit/cfnkit.h>

#include <stdlib.h>
#include <string.h>

#include "aws/native.h"
#include "awsjson.h"

#define TYPE "AWS::DynamoDB::Table"
/* DynamoDB's limit on a table's name. */
#define MAX_NAME 255
/* Between two looks at a table that is not ACTIVE yet. */
#define POLL_MS 1000

static const char *const supported[] = {
    "TableName",
    "AttributeDefinitions",
    "KeySchema",
    "BillingMode",
    "ProvisionedThroughput",
    "GlobalSecondaryIndexes",
    "SSESpecification",
    "PointInTimeRecoverySpecification",
    "DeletionProtectionEnabled",
    "LocalSecondaryIndexes",
    "StreamSpecification",
    "TimeToLiveSpecification",
    "Tags",
    NULL,
};
static const char *const gsi_fields[] = {"IndexName", "KeySchema", "Projection",
                                         "ProvisionedThroughput", NULL};

/* A property value that must be a whole number: JSON numbers and the strings
 * JSON templates often give ("5"). */
static int whole(cfn_ctx *ctx, const cJSON *v, const char *where, double *out)
{
    if (cJSON_IsNumber(v)) {
        *out = v->valuedouble;
        return 0;
    }
    if (cJSON_IsString(v) && *v->valuestring) {
        char *end;
        long long n = strtoll(v->valuestring, &end, 10);
        if (*end == '\0') {
            *out = (double)n;
            return 0;
        }
    }
    return cfn_fail(ctx, TYPE " property %s must be a number", where);
}

/* ProvisionedThroughput as the API takes it (numbers). */
static cJSON *throughput(cfn_ctx *ctx, const cJSON *pt, const char *where)
{
    double r, w;
    const char *names[] = {"ReadCapacityUnits", "WriteCapacityUnits"};
    double *vals[] = {&r, &w};
    if (!cJSON_IsObject(pt)) {
        cfn_fail(ctx, TYPE " property %s must be an object", where);
        return NULL;
    }
    for (int i = 0; i < 2; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(pt, names[i]);
        if (!v) {
            cfn_fail(ctx, TYPE " property %s.%s is required", where, names[i]);
            return NULL;
        }
        if (whole(ctx, v, names[i], vals[i]) < 0)
            return NULL;
    }
    cJSON *out = cJSON_CreateObject();
    if (!cJSON_AddNumberToObject(out, "ReadCapacityUnits", r) ||
        !cJSON_AddNumberToObject(out, "WriteCapacityUnits", w)) {
        cJSON_Delete(out);
        cfn_fail(ctx, "out of memory");
        return NULL;
    }
    return out;
}

static bool add(cJSON *obj, const char *name, cJSON *item)
{
    if (!item)
        return false;
    if (!cJSON_AddItemToObject(obj, name, item)) {
        cJSON_Delete(item);
        return false;
    }
    return true;
}

static bool add_copy(cJSON *obj, const char *name, const cJSON *item)
{
    return !item || add(obj, name, cJSON_Duplicate(item, true));
}

/* One global secondary index as the API takes it, for CreateTable and for
 * an UpdateTable Create. */
static cJSON *gsi(cfn_ctx *ctx, const cJSON *index)
{
    const cJSON *f;
    if (!cJSON_IsObject(index)) {
        cfn_fail(ctx, TYPE " property GlobalSecondaryIndexes must be a list of objects");
        return NULL;
    }
    cJSON_ArrayForEach(f, index)
    {
        const char *const *s = gsi_fields;
        while (*s && strcmp(*s, f->string) != 0)
            s++;
        if (!*s) {
            cfn_fail(ctx,
                     TYPE " property GlobalSecondaryIndexes.%s is not supported by cfnkit's "
                          "local engine",
                     f->string);
            return NULL;
        }
    }
    cJSON *out = cJSON_CreateObject();
    const cJSON *pt = cJSON_GetObjectItemCaseSensitive(index, "ProvisionedThroughput");
    cJSON *t = pt ? throughput(ctx, pt, "GlobalSecondaryIndexes.ProvisionedThroughput") : NULL;
    if (out && (!pt || t) &&
        add_copy(out, "IndexName", cJSON_GetObjectItemCaseSensitive(index, "IndexName")) &&
        add_copy(out, "KeySchema", cJSON_GetObjectItemCaseSensitive(index, "KeySchema")) &&
        add_copy(out, "Projection", cJSON_GetObjectItemCaseSensitive(index, "Projection")) &&
        (!t || add(out, "ProvisionedThroughput", t)))
        return out;
    if (!pt || t)
        cfn_fail(ctx, "out of memory");
    cJSON_Delete(out);
    return NULL;
}

static const char *index_name(const cJSON *index)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(index, "IndexName");
    return cJSON_IsString(n) ? n->valuestring : "";
}

static const cJSON *find_index(const cJSON *list, const char *name)
{
    const cJSON *i;
    cJSON_ArrayForEach(i, list)
    {
        if (strcmp(index_name(i), name) == 0)
            return i;
    }
    return NULL;
}

static int call(cfn_ctx *ctx, cfn_aws *aws, const char *op, cJSON *in, cJSON **out)
{
    return native_call(ctx, aws, "dynamodb", op, in, out);
}

static cJSON *named(const char *table)
{
    cJSON *in = cJSON_CreateObject();
    if (in && !cJSON_AddStringToObject(in, "TableName", table)) {
        cJSON_Delete(in);
        return NULL;
    }
    return in;
}

/* Waits until the table and every index are ACTIVE; returns its
 * description (the caller's), or NULL with the reason set. */
static cJSON *wait_active(cfn_ctx *ctx, cfn_aws *aws, const char *table)
{
    for (;;) {
        cJSON *out = NULL;
        if (call(ctx, aws, "DescribeTable", named(table), &out) < 0)
            return NULL;
        cJSON *t = cJSON_DetachItemFromObjectCaseSensitive(out, "Table");
        cJSON_Delete(out);
        const cJSON *status = cJSON_GetObjectItemCaseSensitive(t, "TableStatus"), *i;
        bool ready = cJSON_IsString(status) && strcmp(status->valuestring, "ACTIVE") == 0;
        cJSON_ArrayForEach(i, cJSON_GetObjectItemCaseSensitive(t, "GlobalSecondaryIndexes"))
        {
            const cJSON *s = cJSON_GetObjectItemCaseSensitive(i, "IndexStatus");
            ready = ready && cJSON_IsString(s) && strcmp(s->valuestring, "ACTIVE") == 0;
        }
        if (ready)
            return t;
        cJSON_Delete(t);
        if (cfn_sleep(ctx, POLL_MS) < 0) {
            cfn_fail(ctx, "table %s did not become ACTIVE in time", table);
            return NULL;
        }
    }
}

/* Ref and Fn::GetAtt from a description: Arn, and StreamArn when the table
 * has an enabled stream (CloudFormation has no StreamArn without one). */
static int answer(cfn_ctx *ctx, const char *table, const cJSON *t)
{
    const cJSON *arn = cJSON_GetObjectItemCaseSensitive(t, "TableArn");
    const cJSON *stream = cJSON_GetObjectItemCaseSensitive(t, "LatestStreamArn");
    /* A disabled stream stays readable (and described) for a day. */
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(t, "StreamSpecification");
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(spec, "StreamEnabled")))
        stream = NULL;
    if (!cJSON_IsString(arn))
        return cfn_fail(ctx, "DescribeTable gave no TableArn for %s", table);
    if (cfn_set_data(ctx, "Arn", arn->valuestring) < 0 ||
        (cJSON_IsString(stream) && cfn_set_data(ctx, "StreamArn", stream->valuestring) < 0))
        return -1;
    return cfn_set_physical_id(ctx, table);
}

static cJSON *stream_spec(cfn_ctx *ctx, bool enabled)
{
    cJSON *s = cJSON_CreateObject();
    const char *view = NULL;
    if (enabled && cfn_prop_string(ctx, "StreamSpecification.StreamViewType", &view) < 0) {
        cJSON_Delete(s);
        return NULL;
    }
    if (s && cJSON_AddBoolToObject(s, "StreamEnabled", enabled) &&
        (!view || cJSON_AddStringToObject(s, "StreamViewType", view)))
        return s;
    cJSON_Delete(s);
    cfn_fail(ctx, "out of memory");
    return NULL;
}

static int set_ttl(cfn_ctx *ctx, cfn_aws *aws, const char *table, const char *attribute,
                   bool enabled)
{
    cJSON *in = named(table), *spec = cJSON_CreateObject();
    if (!spec || !cJSON_AddStringToObject(spec, "AttributeName", attribute) ||
        !cJSON_AddBoolToObject(spec, "Enabled", enabled) ||
        !add(in, "TimeToLiveSpecification", spec)) {
        cJSON_Delete(in);
        return cfn_fail(ctx, "out of memory");
    }
    return call(ctx, aws, "UpdateTimeToLive", in, NULL);
}

/* The TTL the template asks for: `*attribute` NULL when none is enabled. */
static int ttl_of(cfn_ctx *ctx, bool old, const char **attribute)
{
    bool on = false;
    *attribute = NULL;
    if (old) {
        if (!cfn_old_prop_has(ctx, "TimeToLiveSpecification"))
            return 0;
        if (cfn_old_prop_bool(ctx, "TimeToLiveSpecification.Enabled", &on) < 0 ||
            (on &&
             cfn_old_prop_string(ctx, "TimeToLiveSpecification.AttributeName", attribute) < 0))
            return -1;
    } else {
        if (!cfn_prop_has(ctx, "TimeToLiveSpecification"))
            return 0;
        if (cfn_prop_bool(ctx, "TimeToLiveSpecification.Enabled", &on) < 0 ||
            (on && cfn_prop_string(ctx, "TimeToLiveSpecification.AttributeName", attribute) < 0))
            return -1;
    }
    if (!on)
        *attribute = NULL;
    return 0;
}

/* SSESpecification as the API takes it: SSEEnabled is Enabled there. */
static cJSON *sse_spec(cfn_ctx *ctx)
{
    bool on;
    const char *type, *key;
    if (cfn_prop_bool_or(ctx, "SSESpecification.SSEEnabled", false, &on) < 0 ||
        cfn_prop_string_or(ctx, "SSESpecification.SSEType", NULL, &type) < 0 ||
        cfn_prop_string_or(ctx, "SSESpecification.KMSMasterKeyId", NULL, &key) < 0)
        return NULL;
    cJSON *s = cfnkit_json_strings(cJSON_CreateObject(), "SSEType", on ? type : NULL,
                                   "KMSMasterKeyId", on ? key : NULL, NULL);
    if (!s || !cJSON_AddBoolToObject(s, "Enabled", on)) {
        cJSON_Delete(s);
        cfn_fail(ctx, "out of memory");
        return NULL;
    }
    return s;
}

/* Point-in-time recovery as the template asks (off when not given). */
static int set_recovery(cfn_ctx *ctx, cfn_aws *aws, const char *table)
{
    bool on;
    long long days;
    if (cfn_prop_bool_or(ctx, "PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled", false,
                         &on) < 0 ||
        cfn_prop_int_or(ctx, "PointInTimeRecoverySpecification.RecoveryPeriodInDays", 0, &days) < 0)
        return -1;
    cJSON *spec = cJSON_CreateObject();
    if (spec && !cJSON_AddBoolToObject(spec, "PointInTimeRecoveryEnabled", on)) {
        cJSON_Delete(spec);
        spec = NULL;
    }
    if (on && days > 0)
        spec = cfnkit_json_number(spec, "RecoveryPeriodInDays", (double)days);
    return call(ctx, aws, "UpdateContinuousBackups",
                cfnkit_json_item(named(table), "PointInTimeRecoverySpecification", spec), NULL);
}

static int create(cfn_ctx *ctx)
{
    if (native_check_props(ctx, supported) < 0)
        return -1;
    const char *given, *billing;
    const char *ttl = NULL;
    char *generated = NULL;
    const cJSON *keys, *attrs = NULL, *gsis = NULL, *lsis = NULL, *tags = NULL, *v;
    if (cfn_prop_string_or(ctx, "TableName", NULL, &given) < 0 ||
        cfn_prop_list(ctx, "KeySchema", &keys) < 0 ||
        (cfn_prop_has(ctx, "AttributeDefinitions") &&
         cfn_prop_list(ctx, "AttributeDefinitions", &attrs) < 0) ||
        cfn_prop_string_or(ctx, "BillingMode", "PROVISIONED", &billing) < 0 ||
        (cfn_prop_has(ctx, "GlobalSecondaryIndexes") &&
         cfn_prop_list(ctx, "GlobalSecondaryIndexes", &gsis) < 0) ||
        (cfn_prop_has(ctx, "LocalSecondaryIndexes") &&
         cfn_prop_list(ctx, "LocalSecondaryIndexes", &lsis) < 0) ||
        (cfn_prop_has(ctx, "Tags") && cfn_prop_list(ctx, "Tags", &tags) < 0) ||
        ttl_of(ctx, false, &ttl) < 0)
        return -1;
    if (!given && native_name(ctx, MAX_NAME, 0, &generated) < 0)
        return -1;
    const char *table = given ? given : generated;

    int rc = -1;
    cfn_aws *aws = NULL;
    cJSON *t = NULL, *in = named(table), *list;
    if (!in || !add_copy(in, "KeySchema", keys) || !add_copy(in, "AttributeDefinitions", attrs) ||
        !cJSON_AddStringToObject(in, "BillingMode", billing) || !add_copy(in, "Tags", tags) ||
        !add_copy(in, "LocalSecondaryIndexes", lsis)) {
        cfn_fail(ctx, "out of memory");
        goto done;
    }
    v = cJSON_GetObjectItemCaseSensitive(cfn_request_props(ctx), "ProvisionedThroughput");
    if (v && !add(in, "ProvisionedThroughput", throughput(ctx, v, "ProvisionedThroughput")))
        goto done;
    if (gsis) {
        if (!add(in, "GlobalSecondaryIndexes", list = cJSON_CreateArray()))
            goto done;
        cJSON_ArrayForEach(v, gsis)
        {
            cJSON *g = gsi(ctx, v);
            if (!g || !cJSON_AddItemToArray(list, g)) {
                cJSON_Delete(g);
                goto done;
            }
        }
    }
    if (cfn_prop_has(ctx, "StreamSpecification") &&
        !add(in, "StreamSpecification", stream_spec(ctx, true)))
        goto done;
    if (cfn_prop_has(ctx, "SSESpecification") && !add(in, "SSESpecification", sse_spec(ctx)))
        goto done;
    if (cfn_prop_has(ctx, "DeletionProtectionEnabled")) {
        bool protect;
        if (cfn_prop_bool(ctx, "DeletionProtectionEnabled", &protect) < 0 ||
            !add(in, "DeletionProtectionEnabled", cJSON_CreateBool(protect)))
            goto done;
    }
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    rc = call(ctx, aws, "CreateTable", in, NULL);
    in = NULL;
    /* A generated name is this request's own: the table is there because the
     * same Create was delivered before. */
    if (rc < 0 && generated && native_error_is(aws, "ResourceInUseException"))
        rc = 0;
    /* The id first: a failure from here on still leaves CloudFormation a
     * table to delete. */
    if (rc < 0 || (rc = cfn_set_physical_id(ctx, table)) < 0)
        goto done;
    rc = -1;
    if (!(t = wait_active(ctx, aws, table)))
        goto done;
    if (ttl && set_ttl(ctx, aws, table, ttl, true) < 0)
        goto done;
    if (cfn_prop_has(ctx, "PointInTimeRecoverySpecification") && set_recovery(ctx, aws, table) < 0)
        goto done;
    rc = answer(ctx, table, t);
done:
    cJSON_Delete(in);
    cJSON_Delete(t);
    cfn_aws_free(aws);
    free(generated);
    return rc;
}

/* One UpdateTable call, then the wait for ACTIVE it starts. */
static int update_table(cfn_ctx *ctx, cfn_aws *aws, const char *table, cJSON *in)
{
    if (call(ctx, aws, "UpdateTable", in, NULL) < 0)
        return -1;
    cJSON *t = wait_active(ctx, aws, table);
    cJSON_Delete(t);
    return t ? 0 : -1;
}

/* An UpdateTable setting one member to `item` (taken; NULL: its reason is
 * set, or out of memory). */
static int update_member(cfn_ctx *ctx, cfn_aws *aws, const char *table, const char *member,
                         cJSON *item)
{
    if (!item)
        return cfn_reason(ctx) ? -1 : cfn_fail(ctx, "out of memory");
    cJSON *in = named(table);
    if (!add(in, member, item)) {
        cJSON_Delete(in);
        return cfn_fail(ctx, "out of memory");
    }
    return update_table(ctx, aws, table, in);
}

/* An UpdateTable with one GlobalSecondaryIndexUpdates entry {action: body}. */
static int index_update(cfn_ctx *ctx, cfn_aws *aws, const char *table, const char *action,
                        cJSON *body, const cJSON *attrs)
{
    cJSON *in = named(table), *updates = cJSON_CreateArray(), *u = cJSON_CreateObject();
    if (!body) {
        cJSON_Delete(in);
        cJSON_Delete(updates);
        cJSON_Delete(u);
        return -1;
    }
    if (!add(u, action, body) || !cJSON_AddItemToArray(updates, u) ||
        !add(in, "GlobalSecondaryIndexUpdates", updates) ||
        !add_copy(in, "AttributeDefinitions", attrs)) {
        cJSON_Delete(in);
        return cfn_fail(ctx, "out of memory");
    }
    return update_table(ctx, aws, table, in);
}

static cJSON *index_named(const char *name)
{
    cJSON *o = cJSON_CreateObject();
    if (o && !cJSON_AddStringToObject(o, "IndexName", name)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static bool same(const cJSON *a, const cJSON *b)
{
    return (!a && !b) || (a && b && cJSON_Compare(a, b, true));
}

/* Global secondary indexes: removed ones deleted, new ones created, one whose
 * key or projection changed deleted and created again, throughput updated.
 * DynamoDB takes one index change per UpdateTable. */
static int update_indexes(cfn_ctx *ctx, cfn_aws *aws, const char *table, bool provisioned)
{
    const cJSON *props = cfn_request_props(ctx), *old = cfn_request_old_props(ctx), *i;
    const cJSON *now = cJSON_GetObjectItemCaseSensitive(props, "GlobalSecondaryIndexes");
    const cJSON *was = cJSON_GetObjectItemCaseSensitive(old, "GlobalSecondaryIndexes");
    const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(props, "AttributeDefinitions");
    cJSON_ArrayForEach(i, was)
    {
        const cJSON *n = find_index(now, index_name(i));
        if (n &&
            same(cJSON_GetObjectItemCaseSensitive(n, "KeySchema"),
                 cJSON_GetObjectItemCaseSensitive(i, "KeySchema")) &&
            same(cJSON_GetObjectItemCaseSensitive(n, "Projection"),
                 cJSON_GetObjectItemCaseSensitive(i, "Projection")))
            continue;
        if (index_update(ctx, aws, table, "Delete", index_named(index_name(i)), NULL) < 0)
            return -1;
    }
    cJSON_ArrayForEach(i, now)
    {
        const cJSON *o = find_index(was, index_name(i));
        bool kept = o &&
                    same(cJSON_GetObjectItemCaseSensitive(o, "KeySchema"),
                         cJSON_GetObjectItemCaseSensitive(i, "KeySchema")) &&
                    same(cJSON_GetObjectItemCaseSensitive(o, "Projection"),
                         cJSON_GetObjectItemCaseSensitive(i, "Projection"));
        if (!kept) {
            if (index_update(ctx, aws, table, "Create", gsi(ctx, i), attrs) < 0)
                return -1;
            continue;
        }
        const cJSON *pt = cJSON_GetObjectItemCaseSensitive(i, "ProvisionedThroughput");
        if (!provisioned || !pt ||
            same(pt, cJSON_GetObjectItemCaseSensitive(o, "ProvisionedThroughput")))
            continue;
        cJSON *body = index_named(index_name(i));
        if (!body || !add(body, "ProvisionedThroughput",
                          throughput(ctx, pt, "GlobalSecondaryIndexes.ProvisionedThroughput"))) {
            cJSON_Delete(body);
            return cfn_reason(ctx) ? -1 : cfn_fail(ctx, "out of memory");
        }
        if (index_update(ctx, aws, table, "Update", body, NULL) < 0)
            return -1;
    }
    return 0;
}

/* TagResource or UntagResource with `list` (taken) as `member`; nothing to
 * do for an empty list. */
static int tag_call(cfn_ctx *ctx, cfn_aws *aws, const char *op, const char *arn, const char *member,
                    cJSON *list)
{
    if (cJSON_GetArraySize(list) == 0) {
        cJSON_Delete(list);
        return 0;
    }
    cJSON *in = cJSON_CreateObject();
    if (!in || !cJSON_AddStringToObject(in, "ResourceArn", arn)) {
        cJSON_Delete(in);
        cJSON_Delete(list);
        return cfn_fail(ctx, "out of memory");
    }
    if (!add(in, member, list)) {
        cJSON_Delete(in);
        return cfn_fail(ctx, "out of memory");
    }
    return call(ctx, aws, op, in, NULL);
}

static int update_tags(cfn_ctx *ctx, cfn_aws *aws, const char *arn)
{
    cJSON *untag, *tag;
    if (native_tag_changes(ctx, "Tags", &untag, &tag) < 0)
        return -1;
    if (tag_call(ctx, aws, "UntagResource", arn, "TagKeys", untag) < 0) {
        cJSON_Delete(tag);
        return -1;
    }
    return tag_call(ctx, aws, "TagResource", arn, "Tags", tag);
}

static int update(cfn_ctx *ctx)
{
    if (native_check_props(ctx, supported) < 0)
        return -1;
    const char *table = cfn_request_physical_id(ctx);
    const char *billing, *ttl_now, *ttl_was;
    if (cfn_prop_changed(ctx, "KeySchema") || cfn_prop_changed(ctx, "LocalSecondaryIndexes"))
        return cfn_fail(ctx,
                        TYPE " %s: %s cannot change in place; CloudFormation replaces the "
                             "table",
                        table,
                        cfn_prop_changed(ctx, "KeySchema") ? "KeySchema" : "LocalSecondaryIndexes");
    if (cfn_prop_string_or(ctx, "BillingMode", "PROVISIONED", &billing) < 0 ||
        ttl_of(ctx, false, &ttl_now) < 0 || ttl_of(ctx, true, &ttl_was) < 0)
        return -1;
    bool provisioned = strcmp(billing, "PROVISIONED") == 0;
    cfn_aws *aws = NULL;
    cJSON *t = NULL;
    int rc = -1;
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    if (cfn_prop_changed(ctx, "BillingMode") || cfn_prop_changed(ctx, "ProvisionedThroughput")) {
        cJSON *in = named(table);
        const cJSON *pt =
            cJSON_GetObjectItemCaseSensitive(cfn_request_props(ctx), "ProvisionedThroughput");
        if (!in || !cJSON_AddStringToObject(in, "BillingMode", billing) ||
            (provisioned && pt &&
             !add(in, "ProvisionedThroughput", throughput(ctx, pt, "ProvisionedThroughput")))) {
            cJSON_Delete(in);
            if (!cfn_reason(ctx))
                cfn_fail(ctx, "out of memory");
            goto done;
        }
        if (update_table(ctx, aws, table, in) < 0)
            goto done;
    }
    if (cfn_prop_changed(ctx, "GlobalSecondaryIndexes") &&
        update_indexes(ctx, aws, table, provisioned) < 0)
        goto done;
    if (cfn_prop_changed(ctx, "StreamSpecification")) {
        if (cfn_old_prop_has(ctx, "StreamSpecification") &&
            update_member(ctx, aws, table, "StreamSpecification", stream_spec(ctx, false)) < 0)
            goto done;
        if (cfn_prop_has(ctx, "StreamSpecification") &&
            update_member(ctx, aws, table, "StreamSpecification", stream_spec(ctx, true)) < 0)
            goto done;
    }
    if (cfn_prop_changed(ctx, "SSESpecification") &&
        update_member(ctx, aws, table, "SSESpecification", sse_spec(ctx)) < 0)
        goto done;
    if (cfn_prop_changed(ctx, "DeletionProtectionEnabled")) {
        bool protect;
        if (cfn_prop_bool_or(ctx, "DeletionProtectionEnabled", false, &protect) < 0 ||
            update_member(ctx, aws, table, "DeletionProtectionEnabled", cJSON_CreateBool(protect)) <
                0)
            goto done;
    }
    if (cfn_prop_changed(ctx, "PointInTimeRecoverySpecification") &&
        set_recovery(ctx, aws, table) < 0)
        goto done;
    if (ttl_was && (!ttl_now || strcmp(ttl_was, ttl_now) != 0) &&
        set_ttl(ctx, aws, table, ttl_was, false) < 0)
        goto done;
    if (ttl_now && (!ttl_was || strcmp(ttl_was, ttl_now) != 0) &&
        set_ttl(ctx, aws, table, ttl_now, true) < 0)
        goto done;
    if (!(t = wait_active(ctx, aws, table)))
        goto done;
    const cJSON *arn = cJSON_GetObjectItemCaseSensitive(t, "TableArn");
    if (cfn_prop_changed(ctx, "Tags") && cJSON_IsString(arn) &&
        update_tags(ctx, aws, arn->valuestring) < 0)
        goto done;
    rc = answer(ctx, table, t);
done:
    cJSON_Delete(t);
    cfn_aws_free(aws);
    return rc;
}

static int remove_table(cfn_ctx *ctx)
{
    const char *table = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    int rc = -1;
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    for (int attempt = 0;; attempt++) {
        cJSON *in = named(table);
        if (call(ctx, aws, "DeleteTable", in, NULL) == 0)
            break;
        if (native_error_is(aws, "ResourceNotFoundException")) {
            rc = 0;
            goto done;
        }
        /* Still being created or updated: DynamoDB deletes it once ACTIVE. */
        if (!native_error_is(aws, "ResourceInUseException"))
            goto done;
        if (cfn_sleep(ctx, cfn_backoff_ms(attempt, POLL_MS, 5 * POLL_MS)) < 0) {
            cfn_fail(ctx, "table %s stayed in use", table);
            goto done;
        }
    }
    for (;;) {
        if (call(ctx, aws, "DescribeTable", named(table), NULL) < 0) {
            if (native_error_is(aws, "ResourceNotFoundException"))
                rc = 0;
            goto done;
        }
        if (cfn_sleep(ctx, POLL_MS) < 0) {
            cfn_fail(ctx, "table %s was not deleted in time", table);
            goto done;
        }
    }
done:
    cfn_aws_free(aws);
    return rc;
}

static const char *const replaces[] = {"TableName", "ImportSourceSpecification", NULL};
static const char *const replaces_conditional[] = {"KeySchema", NULL};
static const char *const write_only[] = {"ImportSourceSpecification", NULL};
static const char *const attributes[] = {"Arn", "StreamArn", NULL};

static const cfn_resource_type table_type = {
    .type = TYPE,
    .create = create,
    .update = update,
    .remove = remove_table,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = replaces,
    .replaces_conditional = replaces_conditional,
    .write_only = write_only,
    .attributes = attributes,
};

const cfn_resource_type *const cfnkit_native_dynamodb[] = {&table_type, NULL};
