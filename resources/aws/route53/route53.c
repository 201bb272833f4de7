/* AWS::Route53::RecordSet for the local engine: one record set of a hosted
 * zone (HostedZoneId, or HostedZoneName looked up), written with
 * ChangeResourceRecordSets and waited on until the change is INSYNC. Ref is
 * the record's domain name, as CloudFormation documents it. */
#include <cfnkit/cfnkit.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "aws/native.h"
#include "awsjson.h"

#define RECORD_SET "AWS::Route53::RecordSet"

static const char *const supported[] = {
    "Name",    "Type", "HostedZoneId", "HostedZoneName", "AliasTarget", "TTL", "ResourceRecords",
    "Comment", NULL,
};

/* Whether two DNS names are the same: case aside, with or without the final
 * dot. */
static bool same_name(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la && a[la - 1] == '.')
        la--;
    if (lb && b[lb - 1] == '.')
        lb--;
    return la == lb && strncasecmp(a, b, la) == 0;
}

/* The hosted zone's id: HostedZoneId as given, or the zone ListHostedZonesByName
 * finds by HostedZoneName (CloudFormation takes exactly one of them). `props`
 * is ResourceProperties; with `missing_ok`, a zone name that names none
 * gives *out NULL and 0 (a Delete: the record is gone with its zone). */
static int zone_id(cfn_ctx *ctx, cfn_aws *aws, const cJSON *props, bool missing_ok, char **out)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(props, "HostedZoneId");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(props, "HostedZoneName");
    if ((id != NULL) == (name != NULL))
        return cfn_fail(ctx, RECORD_SET " needs exactly one of HostedZoneId and HostedZoneName");
    if (id) {
        if (!cJSON_IsString(id))
            return cfn_fail(ctx, RECORD_SET " property HostedZoneId must be a string");
        *out = strdup(id->valuestring);
        return *out ? 0 : cfn_fail(ctx, "out of memory");
    }
    if (!cJSON_IsString(name))
        return cfn_fail(ctx, RECORD_SET " property HostedZoneName must be a string");
    cJSON *found = NULL;
    if (native_call(ctx, aws, "route53", "ListHostedZonesByName",
                    cfnkit_json_strings(cJSON_CreateObject(), "DNSName", name->valuestring, NULL),
                    &found) < 0)
        return -1;
    const cJSON *z;
    *out = NULL;
    cJSON_ArrayForEach(z, cJSON_GetObjectItemCaseSensitive(found, "HostedZones"))
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(z, "Name");
        const cJSON *i = cJSON_GetObjectItemCaseSensitive(z, "Id");
        if (cJSON_IsString(n) && cJSON_IsString(i) &&
            same_name(n->valuestring, name->valuestring)) {
            *out = strdup(i->valuestring);
            break;
        }
    }
    cJSON_Delete(found);
    if (!*out && !missing_ok)
        return cfn_fail(ctx, RECORD_SET ": no hosted zone is named %s", name->valuestring);
    return 0;
}

/* The ResourceRecordSet of the API from the properties. */
static cJSON *record_set(cfn_ctx *ctx, const cJSON *props)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(props, "Name");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(props, "Type");
    const cJSON *ttl = cJSON_GetObjectItemCaseSensitive(props, "TTL");
    const cJSON *records = cJSON_GetObjectItemCaseSensitive(props, "ResourceRecords");
    const cJSON *alias = cJSON_GetObjectItemCaseSensitive(props, "AliasTarget");
    if (!cJSON_IsString(name) || !cJSON_IsString(type)) {
        cfn_fail(ctx, RECORD_SET " properties Name and Type are required strings");
        return NULL;
    }
    if ((records != NULL) == (alias != NULL)) {
        cfn_fail(ctx, RECORD_SET " needs exactly one of ResourceRecords and AliasTarget");
        return NULL;
    }
    cJSON *rs = cfnkit_json_strings(cJSON_CreateObject(), "Name", name->valuestring, "Type",
                                    type->valuestring, NULL);
    if (ttl) {
        char *end = NULL;
        double v = cJSON_IsNumber(ttl)   ? ttl->valuedouble
                   : cJSON_IsString(ttl) ? strtod(ttl->valuestring, &end)
                                         : -1;
        if (v < 0 || (end && (*end || end == ttl->valuestring))) {
            cJSON_Delete(rs);
            cfn_fail(ctx, RECORD_SET " property TTL must be a number of seconds");
            return NULL;
        }
        rs = cfnkit_json_number(rs, "TTL", v);
    }
    if (records) {
        cJSON *list = cJSON_CreateArray();
        const cJSON *r;
        if (!cJSON_IsArray(records)) {
            cJSON_Delete(rs);
            cJSON_Delete(list);
            cfn_fail(ctx, RECORD_SET " property ResourceRecords must be a list of strings");
            return NULL;
        }
        cJSON_ArrayForEach(r, records)
        {
            if (!cJSON_IsString(r)) {
                cJSON_Delete(rs);
                cJSON_Delete(list);
                cfn_fail(ctx, RECORD_SET " property ResourceRecords must be a list of strings");
                return NULL;
            }
            cJSON *one = cfnkit_json_strings(cJSON_CreateObject(), "Value", r->valuestring, NULL);
            if (!one || !list || !cJSON_AddItemToArray(list, one)) {
                cJSON_Delete(one);
                cJSON_Delete(list);
                list = NULL;
                break;
            }
        }
        rs = cfnkit_json_item(rs, "ResourceRecords", list);
    } else {
        const cJSON *zone = cJSON_GetObjectItemCaseSensitive(alias, "HostedZoneId");
        const cJSON *dns = cJSON_GetObjectItemCaseSensitive(alias, "DNSName");
        bool health = false;
        const cJSON *eval = cJSON_GetObjectItemCaseSensitive(alias, "EvaluateTargetHealth");
        if (cJSON_IsBool(eval))
            health = cJSON_IsTrue(eval);
        else if (cJSON_IsString(eval))
            health = strcmp(eval->valuestring, "true") == 0;
        if (!cJSON_IsString(zone) || !cJSON_IsString(dns) ||
            (eval && !cJSON_IsBool(eval) && !cJSON_IsString(eval))) {
            cJSON_Delete(rs);
            cfn_fail(ctx, RECORD_SET " property AliasTarget must be {DNSName, HostedZoneId, "
                                     "EvaluateTargetHealth}");
            return NULL;
        }
        cJSON *target = cfnkit_json_strings(cJSON_CreateObject(), "HostedZoneId", zone->valuestring,
                                            "DNSName", dns->valuestring, NULL);
        if (target && !cJSON_AddBoolToObject(target, "EvaluateTargetHealth", health)) {
            cJSON_Delete(target);
            target = NULL;
        }
        rs = cfnkit_json_item(rs, "AliasTarget", target);
    }
    if (!rs)
        cfn_fail(ctx, "out of memory");
    return rs;
}

/* The record set of `zone` named `name` of `type` as Route 53 has it
 * (*out NULL when there is none). Returns 0 or -1. */
static int find_record(cfn_ctx *ctx, cfn_aws *aws, const char *zone, const char *name,
                       const char *type, cJSON **out)
{
    cJSON *list = NULL;
    *out = NULL;
    cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "HostedZoneId", zone, "StartRecordName",
                                    name, "StartRecordType", type, NULL);
    if (native_call(ctx, aws, "route53", "ListResourceRecordSets", in, &list) < 0)
        return -1;
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(list, "ResourceRecordSets"))
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(r, "Name");
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(r, "Type");
        if (cJSON_IsString(n) && cJSON_IsString(t) && same_name(n->valuestring, name) &&
            strcmp(t->valuestring, type) == 0) {
            *out = cJSON_Duplicate(r, true);
            break;
        }
    }
    cJSON_Delete(list);
    return 0;
}

static cJSON *change(const char *action, cJSON *rs)
{
    return cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "Action", action, NULL),
                            "ResourceRecordSet", rs);
}

/* ChangeResourceRecordSets of `changes` (taken), then waits until the change
 * is INSYNC (CloudFormation's create completes when the record is
 * propagated). */
static int apply(cfn_ctx *ctx, cfn_aws *aws, const char *zone, cJSON *changes)
{
    const char *comment;
    if (cfn_prop_string_or(ctx, "Comment", NULL, &comment) < 0) {
        cJSON_Delete(changes);
        return -1;
    }
    cJSON *batch = cfnkit_json_item(
        cfnkit_json_strings(cJSON_CreateObject(), "Comment", comment, NULL), "Changes", changes);
    cJSON *in =
        cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "HostedZoneId", zone, NULL),
                         "ChangeBatch", batch);
    cJSON *out = NULL;
    if (native_call(ctx, aws, "route53", "ChangeResourceRecordSets", in, &out) < 0)
        return -1;
    const cJSON *info = cJSON_GetObjectItemCaseSensitive(out, "ChangeInfo");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(info, "Id");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(info, "Status");
    char *change_id = cJSON_IsString(id) ? strdup(id->valuestring) : NULL;
    bool insync = cJSON_IsString(status) && strcmp(status->valuestring, "INSYNC") == 0;
    cJSON_Delete(out);
    int rc = 0;
    while (!insync && rc == 0) {
        if (!change_id) {
            rc = cfn_fail(ctx, "ChangeResourceRecordSets gave no change id");
            break;
        }
        if (!native_poll_again(ctx)) {
            rc = cfn_fail(ctx, RECORD_SET ": change %s was not INSYNC in time", change_id);
            break;
        }
        rc = native_call(ctx, aws, "route53", "GetChange",
                         cfnkit_json_strings(cJSON_CreateObject(), "Id", change_id, NULL), &out);
        status = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(out, "ChangeInfo"), "Status");
        insync = cJSON_IsString(status) && strcmp(status->valuestring, "INSYNC") == 0;
        cJSON_Delete(out);
        out = NULL;
    }
    free(change_id);
    return rc;
}

static int answer(cfn_ctx *ctx)
{
    const char *name;
    if (cfn_prop_string(ctx, "Name", &name) < 0 || cfn_set_data(ctx, "Id", name) < 0)
        return -1;
    return cfn_set_physical_id(ctx, name);
}

/* Create (CREATE: a record already there fails, as in CloudFormation) and
 * Update (UPSERT; a changed Type is a DELETE of the old record and a CREATE
 * of the new one in the same batch). Name and the zone are create-only: the
 * engine replaces the resource when they change. */
static int write_record(cfn_ctx *ctx)
{
    bool updating = cfn_request_action(ctx) == CFN_UPDATE;
    bool retype = updating && cfn_prop_changed(ctx, "Type");
    bool upsert = updating && !retype;
    cfn_aws *aws = NULL;
    char *zone = NULL;
    cJSON *old = NULL;
    int rc = -1;
    if (native_check_props(ctx, supported) < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    if (zone_id(ctx, aws, cfn_request_props(ctx), false, &zone) < 0)
        goto done;
    cJSON *rs = record_set(ctx, cfn_request_props(ctx));
    if (!rs)
        goto done;
    cJSON *changes = cJSON_CreateArray();
    if (retype) {
        const cJSON *was = cfn_request_old_props(ctx);
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(was, "Name");
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(was, "Type");
        if (cJSON_IsString(n) && cJSON_IsString(t) &&
            find_record(ctx, aws, zone, n->valuestring, t->valuestring, &old) < 0) {
            cJSON_Delete(rs);
            cJSON_Delete(changes);
            goto done;
        }
        if (old) {
            cJSON *del = change("DELETE", old);
            old = NULL;
            if (!del || !changes || !cJSON_AddItemToArray(changes, del)) {
                cJSON_Delete(del);
                cJSON_Delete(changes);
                changes = NULL;
            }
        }
    }
    cJSON *c = change(upsert ? "UPSERT" : "CREATE", rs);
    if (!changes || !c || !cJSON_AddItemToArray(changes, c)) {
        cJSON_Delete(c);
        cJSON_Delete(changes);
        cfn_fail(ctx, "out of memory");
        goto done;
    }
    if (apply(ctx, aws, zone, changes) == 0)
        rc = answer(ctx);
done:
    cJSON_Delete(old);
    free(zone);
    cfn_aws_free(aws);
    return rc;
}

/* DELETE of the record set as Route 53 has it (the request may not match it
 * exactly); a record or zone already gone is success. */
static int remove_record(cfn_ctx *ctx)
{
    const char *name, *type;
    cfn_aws *aws = NULL;
    char *zone = NULL;
    cJSON *found = NULL;
    int rc = -1;
    if (cfn_prop_string(ctx, "Name", &name) < 0 || cfn_prop_string(ctx, "Type", &type) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    if (zone_id(ctx, aws, cfn_request_props(ctx), true, &zone) < 0)
        goto done;
    if (!zone) {
        rc = 0;
        goto done;
    }
    if (find_record(ctx, aws, zone, name, type, &found) < 0) {
        rc = native_error_is(aws, "NoSuchHostedZone") ? 0 : -1;
        goto done;
    }
    if (!found) {
        rc = 0;
        goto done;
    }
    cJSON *changes = cJSON_CreateArray();
    cJSON *c = change("DELETE", found);
    found = NULL;
    if (!changes || !c || !cJSON_AddItemToArray(changes, c)) {
        cJSON_Delete(c);
        cJSON_Delete(changes);
        cfn_fail(ctx, "out of memory");
        goto done;
    }
    rc = apply(ctx, aws, zone, changes);
done:
    cJSON_Delete(found);
    free(zone);
    cfn_aws_free(aws);
    return rc;
}

static const char *const replaces[] = {"HostedZoneName", "Name", "HostedZoneId", NULL};
static const char *const attributes[] = {"Id", NULL};

static const cfn_resource_type record_set_type = {
    .type = RECORD_SET,
    .create = write_record,
    .update = write_record,
    .remove = remove_record,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = replaces,
    .attributes = attributes,
};

const cfn_resource_type *const cfnkit_native_route53[] = {&record_set_type, NULL};
