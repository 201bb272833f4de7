/* The AWS::EC2:: types' shared pieces, and the service's list of types. */
#include "ec2.h"

#include "awsjson.h"
#include "aws/native.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cfn_resource_type *const cfnkit_native_ec2[] = {
    &cfnkit_ec2_security_group,
    &cfnkit_ec2_security_group_ingress,
    &cfnkit_ec2_security_group_egress,
    &cfnkit_ec2_vpc,
    &cfnkit_ec2_subnet,
    &cfnkit_ec2_internet_gateway,
    &cfnkit_ec2_gateway_attachment,
    &cfnkit_ec2_route_table,
    &cfnkit_ec2_route,
    &cfnkit_ec2_subnet_route_table_association,
    &cfnkit_ec2_eip,
    &cfnkit_ec2_nat_gateway,
    &cfnkit_ec2_vpc_endpoint,
    &cfnkit_ec2_launch_template,
    &cfnkit_ec2_instance,
    &cfnkit_ec2_key_pair,
    &cfnkit_ec2_dhcp_options,
    &cfnkit_ec2_dhcp_options_association,
    &cfnkit_ec2_network_acl,
    &cfnkit_ec2_network_acl_entry,
    &cfnkit_ec2_subnet_network_acl_association,
    &cfnkit_ec2_egress_only_internet_gateway,
    &cfnkit_ec2_vpc_cidr_block,
    &cfnkit_ec2_eip_association,
    &cfnkit_ec2_volume,
    &cfnkit_ec2_flow_log,
    &cfnkit_ec2_vpc_endpoint_service,
    &cfnkit_ec2_vpc_endpoint_service_permissions,
    &cfnkit_ec2_network_interface,
    &cfnkit_ec2_vpc_peering_connection,
    NULL,
};

#define POLL_BASE_MS 200
#define POLL_CAP_MS  2000

int cfnkit_ec2_unchanged(cfn_ctx *ctx, const char *const *fixed)
{
    for (size_t i = 0; fixed[i]; i++)
        if (cfn_prop_changed(ctx, fixed[i]))
            return cfn_fail(ctx,
                            "%s: updating property %s in place is not supported by cfnkit's "
                            "local engine",
                            cfn_request_resource_type(ctx), fixed[i]);
    return 0;
}

const cJSON *cfnkit_ec2_get(const cJSON *node, const char *path)
{
    char seg[256];
    while (node && *path) {
        size_t n = strcspn(path, ".");
        if (n == 0 || n >= sizeof(seg))
            return NULL;
        memcpy(seg, path, n);
        seg[n] = '\0';
        path += n + (path[n] == '.');
        if (cJSON_IsObject(node))
            node = cJSON_GetObjectItemCaseSensitive(node, seg);
        else if (cJSON_IsArray(node) && strspn(seg, "0123456789") == n && n < 10)
            node = cJSON_GetArrayItem(node, atoi(seg));
        else
            return NULL;
    }
    return cJSON_IsNull(node) ? NULL : node;
}

const char *cfnkit_ec2_get_string(const cJSON *node, const char *path)
{
    const cJSON *v = cfnkit_ec2_get(node, path);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A scalar as CloudFormation passes it to a String property. */
static const char *scalar(const cJSON *v, char *buf, size_t size)
{
    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v) ? "true" : "false";
    if (cJSON_IsNumber(v)) {
        cfnkit_number_text(v->valuedouble, buf, size);
        return buf;
    }
    return NULL;
}

const char *cfnkit_ec2_scalar(const cfn_ctx *ctx, bool old, const char *path, char *buf,
                              size_t size)
{
    return scalar(cfnkit_ec2_get(old ? cfn_request_old_props(ctx) : cfn_request_props(ctx), path),
                  buf, size);
}

static int oom(cfn_ctx *ctx)
{
    return cfn_fail(ctx, "out of memory");
}

int cfnkit_ec2_str(cfn_ctx *ctx, cJSON *in, const char *name, const char *path, bool required)
{
    char buf[64];
    const cJSON *v = cfnkit_ec2_get(cfn_request_props(ctx), path);
    const char *s = scalar(v, buf, sizeof(buf));
    if (!v)
        return required ? cfn_fail(ctx, "property %s is required but missing", path) : 0;
    if (!s)
        return cfn_fail(ctx, "property %s must be a string", path);
    return cJSON_AddStringToObject(in, name, s) ? 0 : oom(ctx);
}

int cfnkit_ec2_int(cfn_ctx *ctx, cJSON *in, const char *name, const char *path)
{
    long long n;
    if (!cfn_prop_has(ctx, path))
        return 0;
    if (cfn_prop_int(ctx, path, &n) < 0)
        return -1;
    return cJSON_AddNumberToObject(in, name, (double)n) ? 0 : oom(ctx);
}

int cfnkit_ec2_bool(cfn_ctx *ctx, cJSON *in, const char *name, const char *path)
{
    bool b;
    if (!cfn_prop_has(ctx, path))
        return 0;
    if (cfn_prop_bool(ctx, path, &b) < 0)
        return -1;
    return cJSON_AddBoolToObject(in, name, b) ? 0 : oom(ctx);
}

int cfnkit_ec2_strings(cfn_ctx *ctx, cJSON *in, const char *name, const char *path)
{
    const cJSON *list, *v;
    char buf[64];
    if (!cfn_prop_has(ctx, path))
        return 0;
    if (cfn_prop_list(ctx, path, &list) < 0)
        return -1;
    cJSON *out = cJSON_AddArrayToObject(in, name);
    if (!out)
        return oom(ctx);
    cJSON_ArrayForEach(v, list)
    {
        const char *s = scalar(v, buf, sizeof(buf));
        if (!s)
            return cfn_fail(ctx, "property %s must be a list of strings", path);
        if (!cJSON_AddItemToArray(out, cJSON_CreateString(s)))
            return oom(ctx);
    }
    return 0;
}

int cfnkit_ec2_json(cfn_ctx *ctx, cJSON *in, const char *name, const char *path)
{
    const cJSON *v = cfnkit_ec2_get(cfn_request_props(ctx), path);
    if (!v)
        return 0;
    cJSON *copy = cJSON_Duplicate(v, true);
    if (!copy || !cJSON_AddItemToObject(in, name, copy)) {
        cJSON_Delete(copy);
        return oom(ctx);
    }
    return 0;
}

cJSON *cfnkit_ec2_ids(const char *member, const char *id)
{
    const char *ids[] = {id};
    return cfnkit_json_item(cJSON_CreateObject(), member, cJSON_CreateStringArray(ids, 1));
}

cJSON *cfnkit_ec2_filters(const char *n1, const char *v1, const char *n2, const char *v2)
{
    cJSON *in = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(in, "Filters");
    const char *pairs[] = {n1, v1, n2, v2};
    for (size_t i = 0; list && i < 4 && pairs[i]; i += 2) {
        cJSON *f =
            cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "Name", pairs[i], NULL),
                             "Values", cJSON_CreateStringArray(&pairs[i + 1], 1));
        if (!f || !cJSON_AddItemToArray(list, f)) {
            cJSON_Delete(f);
            list = NULL;
        }
    }
    if (!list) {
        cJSON_Delete(in);
        return NULL;
    }
    return in;
}

int cfnkit_ec2_token(cfn_ctx *ctx, cJSON *in)
{
    char token[65];
    snprintf(token, sizeof(token), "%s", cfn_request_id(ctx));
    return cJSON_AddStringToObject(in, "ClientToken", token) ? 0 : oom(ctx);
}

int cfnkit_ec2_call(cfn_aws *aws, const char *operation, cJSON *in, cJSON **out)
{
    return native_take_call(aws, "ec2", "EC2", operation, in, out);
}

bool cfnkit_ec2_gone(const cfn_aws *aws)
{
    const char *code = cfn_aws_error_code(aws);
    size_t n = strlen(code);
    /* InvalidVpcID.NotFound, NatGatewayNotFound, InvalidLaunchTemplateName.NotFoundException,
     * and the answers for an association or attachment that is already gone. */
    return (n >= 8 && strcmp(code + n - 8, "NotFound") == 0) || strstr(code, "NotFound.") ||
           strstr(code, ".NotFound") || strcmp(code, "Gateway.NotAttached") == 0;
}

int cfnkit_ec2_delete(cfn_ctx *ctx, cfn_aws *aws, const char *operation, cJSON *in)
{
    int rc;
    for (int attempt = 0;; attempt++) {
        rc = cfn_aws_call(aws, "ec2", operation, in, NULL);
        if (rc == 0 || cfnkit_ec2_gone(aws)) {
            rc = 0;
            break;
        }
        if (!cfn_aws_error_is(aws, "DependencyViolation"))
            break;
        if (cfn_sleep(ctx, cfn_backoff_ms(attempt, POLL_BASE_MS, POLL_CAP_MS)) < 0) {
            rc = cfn_fail(ctx, "%s (still, when the time ran out)", cfn_error_last());
            break;
        }
    }
    cJSON_Delete(in);
    return rc;
}

int cfnkit_ec2_wait(cfn_ctx *ctx, cfn_aws *aws, const char *what, const char *operation,
                    const cJSON *in, const char *state, const char *want, const char *const *failed,
                    const char *reason, cJSON **out)
{
    bool gone = strcmp(want, "gone") == 0 || strcmp(want, "deleted") == 0 ||
                strcmp(want, "terminated") == 0;
    const char *last = "not visible yet";
    char seen[64];
    for (int attempt = 0;; attempt++) {
        cJSON *ans = NULL;
        if (cfn_aws_call(aws, "ec2", operation, in, &ans) < 0) {
            if (!cfnkit_ec2_gone(aws))
                return -1;
            if (gone)
                return 0;
        } else {
            const char *s = cfnkit_ec2_get_string(ans, state);
            if (!s && gone) {
                cJSON_Delete(ans);
                return 0;
            }
            if (s && strcmp(s, want) == 0) {
                if (out)
                    *out = ans;
                else
                    cJSON_Delete(ans);
                return 0;
            }
            for (size_t i = 0; s && failed && failed[i]; i++)
                if (strcmp(s, failed[i]) == 0) {
                    const char *why = reason ? cfnkit_ec2_get_string(ans, reason) : NULL;
                    cfn_fail(ctx, "%s is %s%s%s", what, s, why ? ": " : "", why ? why : "");
                    cJSON_Delete(ans);
                    return -1;
                }
            snprintf(seen, sizeof(seen), "%s", s ? s : "without a state");
            last = seen;
            cJSON_Delete(ans);
        }
        if (cfn_sleep(ctx, cfn_backoff_ms(attempt, POLL_BASE_MS, POLL_CAP_MS)) < 0)
            return cfn_fail(ctx, "%s did not become %s in time (last seen %s)", what, want, last);
    }
}

/* The Tags list of the new or old properties as an array of {Key, Value}
 * strings, checked; NULL with the reason set on bad input. */
static cJSON *tags_of(cfn_ctx *ctx, bool old)
{
    const cJSON *list = cfnkit_ec2_get(old ? cfn_request_old_props(ctx) : cfn_request_props(ctx),
                                       "Tags"),
                *t;
    cJSON *out = cJSON_CreateArray();
    char kb[64], vb[64];
    if (!out) {
        oom(ctx);
        return NULL;
    }
    if (list && !cJSON_IsArray(list)) {
        cfn_fail(ctx, "property Tags must be a list of {Key, Value}");
        cJSON_Delete(out);
        return NULL;
    }
    cJSON_ArrayForEach(t, list)
    {
        const char *k = scalar(cJSON_GetObjectItemCaseSensitive(t, "Key"), kb, sizeof(kb));
        const char *v = scalar(cJSON_GetObjectItemCaseSensitive(t, "Value"), vb, sizeof(vb));
        if (!k || !v) {
            cfn_fail(ctx, "property Tags must be a list of {Key, Value}: an item lacks %s",
                     k ? "Value" : "Key");
            cJSON_Delete(out);
            return NULL;
        }
        if (!cJSON_AddItemToArray(
                out, cfnkit_json_strings(cJSON_CreateObject(), "Key", k, "Value", v, NULL))) {
            oom(ctx);
            cJSON_Delete(out);
            return NULL;
        }
    }
    return out;
}

int cfnkit_ec2_tag_spec(cfn_ctx *ctx, cJSON *in, const char *resource_type)
{
    cJSON *tags = tags_of(ctx, false);
    if (!tags)
        return -1;
    if (!cJSON_AddItemToArray(tags, cfnkit_json_strings(cJSON_CreateObject(), "Key",
                                                        CFNKIT_EC2_REQUEST_TAG, "Value",
                                                        cfn_request_id(ctx), NULL))) {
        cJSON_Delete(tags);
        return oom(ctx);
    }
    cJSON *spec = cfnkit_json_item(
        cfnkit_json_strings(cJSON_CreateObject(), "ResourceType", resource_type, NULL), "Tags",
        tags);
    cJSON *specs = cJSON_AddArrayToObject(in, "TagSpecifications");
    if (!spec || !specs || !cJSON_AddItemToArray(specs, spec)) {
        cJSON_Delete(spec);
        return oom(ctx);
    }
    return 0;
}

static const cJSON *tag_named(const cJSON *tags, const char *key)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, tags)
    {
        if (strcmp(cfn_json_string(t, "Key"), key) == 0)
            return t;
    }
    return NULL;
}

int cfnkit_ec2_retag(cfn_ctx *ctx, cfn_aws *aws, const char *resource_id)
{
    if (!cfn_prop_changed(ctx, "Tags"))
        return 0;
    cJSON *now = tags_of(ctx, false), *before = tags_of(ctx, true);
    cJSON *removed = cJSON_CreateArray(), *added = cJSON_CreateArray();
    const cJSON *t;
    int rc = -1;
    if (!now || !before)
        goto done;
    if (!removed || !added) {
        oom(ctx);
        goto done;
    }
    cJSON_ArrayForEach(t, before)
    {
        const char *key = cfn_json_string(t, "Key");
        if (!tag_named(now, key) &&
            !cJSON_AddItemToArray(removed,
                                  cfnkit_json_strings(cJSON_CreateObject(), "Key", key, NULL))) {
            oom(ctx);
            goto done;
        }
    }
    cJSON_ArrayForEach(t, now)
    {
        const cJSON *was = tag_named(before, cfn_json_string(t, "Key"));
        if ((!was || strcmp(cfn_json_string(was, "Value"), cfn_json_string(t, "Value")) != 0) &&
            !cJSON_AddItemToArray(added, cJSON_Duplicate(t, true))) {
            oom(ctx);
            goto done;
        }
    }
    if (cJSON_GetArraySize(removed) > 0) {
        cJSON *in = cfnkit_json_item(cfnkit_ec2_ids("Resources", resource_id), "Tags", removed);
        removed = NULL;
        if (cfnkit_ec2_call(aws, "DeleteTags", in, NULL) < 0)
            goto done;
    }
    if (cJSON_GetArraySize(added) > 0) {
        cJSON *in = cfnkit_json_item(cfnkit_ec2_ids("Resources", resource_id), "Tags", added);
        added = NULL;
        if (cfnkit_ec2_call(aws, "CreateTags", in, NULL) < 0)
            goto done;
    }
    rc = 0;
done:
    cJSON_Delete(now);
    cJSON_Delete(before);
    cJSON_Delete(removed);
    cJSON_Delete(added);
    return rc;
}

int cfnkit_ec2_data(cfn_ctx *ctx, const cJSON *item, const char *const *names)
{
    for (size_t i = 0; names[i]; i += 2) {
        const cJSON *v = cfnkit_ec2_get(item, names[i + 1]);
        char buf[64];
        const char *s = scalar(v, buf, sizeof(buf));
        int rc;
        if (!v)
            continue;
        if (s)
            rc = cfn_set_data(ctx, names[i], s);
        else
            rc = cfn_set_data_json(ctx, names[i], cJSON_Duplicate(v, true));
        if (rc < 0)
            return -1;
    }
    return 0;
}

int cfnkit_ec2_create(cfn_ctx *ctx, cfn_aws *aws, const char *operation, cJSON *in,
                      const char *id_path, const char *data_key, char *id, size_t size)
{
    cJSON *out = NULL;
    if (cfnkit_ec2_call(aws, operation, in, &out) < 0)
        return -1;
    const char *s = cfnkit_ec2_get_string(out, id_path);
    int rc = -1;
    if (!s)
        rc = cfn_fail(ctx, "EC2 %s answered without %s", operation, id_path);
    else if ((size_t)snprintf(id, size, "%s", s) >= size)
        rc = cfn_fail(ctx, "EC2 %s answered an id longer than %zu bytes", operation, size - 1);
    else if (cfn_set_physical_id(ctx, id) == 0 &&
             (!data_key || cfn_set_data(ctx, data_key, id) == 0))
        rc = 0;
    cJSON_Delete(out);
    return rc;
}

int cfnkit_ec2_update_tags(cfn_ctx *ctx, const char *const *supported, const char *data_key)
{
    const char *id = cfn_request_physical_id(ctx);
    cfn_aws *aws;
    if (native_check_props(ctx, supported) < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = cfnkit_ec2_retag(ctx, aws, id);
    cfn_aws_free(aws);
    if (rc < 0)
        return -1;
    return data_key ? cfn_set_data(ctx, data_key, id) : 0;
}

int cfnkit_ec2_remove(cfn_ctx *ctx, const char *operation, const char *member, const char *prefix)
{
    const char *id = cfn_request_physical_id(ctx);
    cfn_aws *aws;
    if (strncmp(id, prefix, strlen(prefix)) != 0)
        return 0;
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = cfnkit_ec2_delete(ctx, aws, operation,
                               cfnkit_json_strings(cJSON_CreateObject(), member, id, NULL));
    cfn_aws_free(aws);
    return rc;
}

int cfnkit_ec2_list_changes(cfn_ctx *ctx, cJSON *in, const char *name)
{
    const cJSON *now = cfnkit_ec2_get(cfn_request_props(ctx), name);
    const cJSON *before = cfnkit_ec2_get(cfn_request_old_props(ctx), name), *v, *w;
    char member[64];
    for (int pass = 0; pass < 2; pass++) {
        const cJSON *from = pass ? before : now, *other = pass ? now : before;
        snprintf(member, sizeof(member), "%s%s", pass ? "Remove" : "Add", name);
        cJSON *list = cJSON_CreateArray();
        cJSON_ArrayForEach(v, from)
        {
            bool found = false;
            cJSON_ArrayForEach(w, other)
            {
                found = found || cJSON_Compare(v, w, true);
            }
            if (!found && cJSON_IsString(v) && list &&
                !cJSON_AddItemToArray(list, cJSON_CreateString(v->valuestring))) {
                cJSON_Delete(list);
                list = NULL;
            }
        }
        if (!list)
            return cfn_fail(ctx, "out of memory");
        if (cJSON_GetArraySize(list) == 0)
            cJSON_Delete(list);
        else if (!cJSON_AddItemToObject(in, member, list)) {
            cJSON_Delete(list);
            return cfn_fail(ctx, "out of memory");
        }
    }
    return 0;
}

int cfnkit_ec2_made(cfn_ctx *ctx, cfn_aws *aws, const char *operation, const char *id_path,
                    char *id, size_t size)
{
    cJSON *out = NULL;
    if (cfnkit_ec2_call(
            aws, operation,
            cfnkit_ec2_filters("tag:" CFNKIT_EC2_REQUEST_TAG, cfn_request_id(ctx), NULL, NULL),
            &out) < 0)
        return -1;
    const char *s = cfnkit_ec2_get_string(out, id_path);
    int found = s && (size_t)snprintf(id, size, "%s", s) < size;
    cJSON_Delete(out);
    return found;
}

int cfnkit_ec2_create_once(cfn_ctx *ctx, cfn_aws *aws, const char *operation, cJSON *in,
                           const char *id_path, const char *find, const char *find_path,
                           const char *data_key, char *id, size_t size)
{
    int found = cfnkit_ec2_made(ctx, aws, find, find_path, id, size);
    if (found != 0) {
        cJSON_Delete(in);
        if (found < 0 || cfn_set_physical_id(ctx, id) < 0 ||
            (data_key && cfn_set_data(ctx, data_key, id) < 0))
            return -1;
        return 1;
    }
    return cfnkit_ec2_create(ctx, aws, operation, in, id_path, data_key, id, size);
}
