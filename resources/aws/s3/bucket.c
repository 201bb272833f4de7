/* AWS::S3::Bucket: a bucket with its versioning, encryption, lifecycle,
 * public access block, CORS, website, notification and tags. Ref: the bucket
 * name; GetAtt Arn, DomainName, DualStackDomainName, RegionalDomainName,
 * WebsiteURL. CloudFormation's property shapes differ from S3's API: each
 * configuration is turned into the API's shape here. */
#include "s3.h"

#include "aws/native.h"
#include "awsjson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const known[] = {"BucketEncryption",
                                    "BucketName",
                                    "CorsConfiguration",
                                    "LifecycleConfiguration",
                                    "NotificationConfiguration",
                                    "PublicAccessBlockConfiguration",
                                    "Tags",
                                    "VersioningConfiguration",
                                    "WebsiteConfiguration",
                                    NULL};

/* A copy of `from`'s member `name` into `to` under `api_name`, when present. */
static cJSON *copy(cJSON *to, const cJSON *from, const char *name, const char *api_name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(from, name);
    return v ? cfnkit_json_item(to, api_name, cJSON_Duplicate(v, 1)) : to;
}

/* Fails naming the first member of `obj` that `allowed` lacks. */
static int members_known(cfn_ctx *ctx, const cJSON *obj, const char *where,
                         const char *const *allowed)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, obj)
    {
        if (!cfnkit_listed(allowed, m->string))
            return cfn_fail(ctx,
                            "AWS::S3::Bucket property %s.%.100s is not supported by cfnkit's "
                            "local engine",
                            where, m->string);
    }
    return 0;
}

/* A CloudFormation number that a parameter may give as a string. */
static cJSON *number(cJSON *to, const cJSON *from, const char *name, const char *api_name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(from, name);
    if (!v)
        return to;
    double d = cJSON_IsString(v) ? atof(v->valuestring) : v->valuedouble;
    return cfnkit_json_number(to, api_name, d);
}

static cJSON *lifecycle_rule(cfn_ctx *ctx, const cJSON *r)
{
    static const char *const allowed[] = {"Id",
                                          "Status",
                                          "Prefix",
                                          "ExpirationInDays",
                                          "ExpirationDate",
                                          "ExpiredObjectDeleteMarker",
                                          "NoncurrentVersionExpirationInDays",
                                          "NoncurrentVersionExpiration",
                                          "AbortIncompleteMultipartUpload",
                                          "Transitions",
                                          "NoncurrentVersionTransitions",
                                          NULL};
    if (members_known(ctx, r, "LifecycleConfiguration.Rules", allowed) < 0)
        return NULL;
    cJSON *out = cfnkit_json_strings(cJSON_CreateObject(), "ID", cfn_json_string(r, "Id"), "Status",
                                     cfn_json_string(r, "Status"), NULL);
    out = cfnkit_json_item(
        out, "Filter",
        cfnkit_json_strings(cJSON_CreateObject(), "Prefix",
                            cfn_json_string(r, "Prefix") ? cfn_json_string(r, "Prefix") : "",
                            NULL));
    if (cJSON_GetObjectItem(r, "ExpirationInDays") || cJSON_GetObjectItem(r, "ExpirationDate") ||
        cJSON_GetObjectItem(r, "ExpiredObjectDeleteMarker")) {
        cJSON *e = number(cJSON_CreateObject(), r, "ExpirationInDays", "Days");
        e = copy(copy(e, r, "ExpirationDate", "Date"), r, "ExpiredObjectDeleteMarker",
                 "ExpiredObjectDeleteMarker");
        out = cfnkit_json_item(out, "Expiration", e);
    }
    if (cJSON_GetObjectItem(r, "NoncurrentVersionExpirationInDays"))
        out = cfnkit_json_item(
            out, "NoncurrentVersionExpiration",
            number(cJSON_CreateObject(), r, "NoncurrentVersionExpirationInDays", "NoncurrentDays"));
    else if (cJSON_GetObjectItem(r, "NoncurrentVersionExpiration")) {
        const cJSON *n = cJSON_GetObjectItem(r, "NoncurrentVersionExpiration");
        out = cfnkit_json_item(
            out, "NoncurrentVersionExpiration",
            number(number(cJSON_CreateObject(), n, "NoncurrentDays", "NoncurrentDays"), n,
                   "NewerNoncurrentVersions", "NewerNoncurrentVersions"));
    }
    if (cJSON_GetObjectItem(r, "AbortIncompleteMultipartUpload"))
        out = cfnkit_json_item(out, "AbortIncompleteMultipartUpload",
                               number(cJSON_CreateObject(),
                                      cJSON_GetObjectItem(r, "AbortIncompleteMultipartUpload"),
                                      "DaysAfterInitiation", "DaysAfterInitiation"));
    static const char *const lists[][3] = {
        {"Transitions", "TransitionInDays", "Days"},
        {"NoncurrentVersionTransitions", "TransitionInDays", "NoncurrentDays"}};
    for (size_t i = 0; out && i < 2; i++) {
        const cJSON *list = cJSON_GetObjectItem(r, lists[i][0]), *t;
        if (!list)
            continue;
        cJSON *api = cJSON_CreateArray();
        cJSON_ArrayForEach(t, list)
        {
            cJSON *one = copy(number(cJSON_CreateObject(), t, lists[i][1], lists[i][2]), t,
                              "StorageClass", "StorageClass");
            one = copy(one, t, "TransitionDate", "Date");
            if (!api || !one || !cJSON_AddItemToArray(api, one)) {
                cJSON_Delete(one);
                break;
            }
        }
        out = cfnkit_json_item(out, lists[i][0], api);
    }
    if (!out)
        cfn_fail(ctx, "out of memory");
    return out;
}

/* The S3 API's NotificationConfiguration from CloudFormation's. */
static cJSON *notification(cfn_ctx *ctx, const cJSON *n)
{
    static const char *const allowed[] = {"LambdaConfigurations", "QueueConfigurations",
                                          "TopicConfigurations", "EventBridgeConfiguration", NULL};
    /* CloudFormation's list, its target member, the API's list and member. */
    static const char *const kinds[][4] = {
        {"LambdaConfigurations", "Function", "LambdaFunctionConfigurations", "LambdaFunctionArn"},
        {"QueueConfigurations", "Queue", "QueueConfigurations", "QueueArn"},
        {"TopicConfigurations", "Topic", "TopicConfigurations", "TopicArn"}};
    if (members_known(ctx, n, "NotificationConfiguration", allowed) < 0)
        return NULL;
    cJSON *out = cJSON_CreateObject();
    for (size_t k = 0; out && k < 3; k++) {
        const cJSON *list = cJSON_GetObjectItem(n, kinds[k][0]), *c;
        if (!list)
            continue;
        cJSON *api = cJSON_CreateArray();
        /* Each target's members, its Filter's and S3Key's are checked too. */
        static const char *const filter_allowed[] = {"S3Key", NULL};
        static const char *const key_allowed[] = {"Rules", NULL};
        const char *const item_allowed[] = {"Event", "Filter", kinds[k][1], NULL};
        char where[3][96];
        snprintf(where[0], sizeof(where[0]), "NotificationConfiguration.%s", kinds[k][0]);
        snprintf(where[1], sizeof(where[1]), "NotificationConfiguration.%s.Filter", kinds[k][0]);
        snprintf(where[2], sizeof(where[2]), "NotificationConfiguration.%s.Filter.S3Key",
                 kinds[k][0]);
        cJSON_ArrayForEach(c, list)
        {
            const cJSON *filter = cJSON_GetObjectItem(c, "Filter");
            if (members_known(ctx, c, where[0], item_allowed) < 0 ||
                members_known(ctx, filter, where[1], filter_allowed) < 0 ||
                members_known(ctx, cJSON_GetObjectItem(filter, "S3Key"), where[2], key_allowed) <
                    0) {
                cJSON_Delete(api);
                cJSON_Delete(out);
                return NULL;
            }
            const cJSON *rules = cJSON_GetObjectItem(
                cJSON_GetObjectItem(cJSON_GetObjectItem(c, "Filter"), "S3Key"), "Rules");
            cJSON *one = cfnkit_json_strings(cJSON_CreateObject(), kinds[k][3],
                                             cfn_json_string(c, kinds[k][1]), NULL);
            cJSON *events = cJSON_CreateArray();
            if (events && cfn_json_string(c, "Event"))
                cJSON_AddItemToArray(events, cJSON_CreateString(cfn_json_string(c, "Event")));
            one = cfnkit_json_item(one, "Events", events);
            if (rules)
                one = cfnkit_json_item(
                    one, "Filter",
                    cfnkit_json_item(cJSON_CreateObject(), "Key",
                                     cfnkit_json_item(cJSON_CreateObject(), "FilterRules",
                                                      cJSON_Duplicate(rules, 1))));
            if (!api || !one || !cJSON_AddItemToArray(api, one)) {
                cJSON_Delete(one);
                break;
            }
        }
        out = cfnkit_json_item(out, kinds[k][2], api);
    }
    const cJSON *eb = cJSON_GetObjectItem(n, "EventBridgeConfiguration");
    if (out && eb && cJSON_IsTrue(cJSON_GetObjectItem(eb, "EventBridgeEnabled")))
        out = cfnkit_json_item(out, "EventBridgeConfiguration", cJSON_CreateObject());
    if (!out)
        cfn_fail(ctx, "out of memory");
    return out;
}

/* One configuration of the bucket: the property, the operation that sets it
 * (with the input member its value goes under) and the one that removes it. */
typedef struct config {
    const char *prop, *put, *member, *delete;
} config;

static const config configs[] = {
    {"VersioningConfiguration", "PutBucketVersioning", "VersioningConfiguration", NULL},
    {"BucketEncryption", "PutBucketEncryption", "ServerSideEncryptionConfiguration",
     "DeleteBucketEncryption"},
    {"LifecycleConfiguration", "PutBucketLifecycleConfiguration", "LifecycleConfiguration",
     "DeleteBucketLifecycle"},
    {"PublicAccessBlockConfiguration", "PutPublicAccessBlock", "PublicAccessBlockConfiguration",
     "DeletePublicAccessBlock"},
    {"CorsConfiguration", "PutBucketCors", "CORSConfiguration", "DeleteBucketCors"},
    {"WebsiteConfiguration", "PutBucketWebsite", "WebsiteConfiguration", "DeleteBucketWebsite"},
    {"NotificationConfiguration", "PutBucketNotificationConfiguration", "NotificationConfiguration",
     NULL},
    {"Tags", "PutBucketTagging", "Tagging", "DeleteBucketTagging"},
};
#define NCONFIGS (sizeof(configs) / sizeof(configs[0]))

/* The S3 API's value of a configuration from the template's; NULL with the
 * reason set. A configuration the template dropped (`v` NULL) has the value
 * that undoes it where S3 has no delete: versioning Suspended (a bucket never
 * goes back to unversioned), no notifications. */
static cJSON *api_value(cfn_ctx *ctx, const config *c, const cJSON *v)
{
    const char *p = c->prop;
    if (!v) {
        if (strcmp(p, "VersioningConfiguration") == 0)
            return cfnkit_json_strings(cJSON_CreateObject(), "Status", "Suspended", NULL);
        return cJSON_CreateObject();
    }
    if (!cJSON_IsObject(v) && strcmp(p, "Tags") != 0) {
        cfn_fail(ctx, "AWS::S3::Bucket property %s must be an object", p);
        return NULL;
    }
    if (strcmp(p, "VersioningConfiguration") == 0) {
        static const char *const allowed[] = {"Status", NULL};
        return members_known(ctx, v, p, allowed) < 0
                   ? NULL
                   : copy(cJSON_CreateObject(), v, "Status", "Status");
    }
    if (strcmp(p, "BucketEncryption") == 0) {
        static const char *const allowed[] = {"ServerSideEncryptionConfiguration", NULL};
        static const char *const rule_allowed[] = {"ServerSideEncryptionByDefault",
                                                   "BucketKeyEnabled", NULL};
        const cJSON *r;
        cJSON *rules = cJSON_CreateArray();
        if (members_known(ctx, v, p, allowed) < 0) {
            cJSON_Delete(rules);
            return NULL;
        }
        cJSON_ArrayForEach(r, cJSON_GetObjectItem(v, "ServerSideEncryptionConfiguration"))
        {
            if (members_known(ctx, r, "BucketEncryption.ServerSideEncryptionConfiguration",
                              rule_allowed) < 0) {
                cJSON_Delete(rules);
                return NULL;
            }
            /* The API calls the default ApplyServerSideEncryptionByDefault. */
            cJSON *one = copy(cJSON_CreateObject(), r, "ServerSideEncryptionByDefault",
                              "ApplyServerSideEncryptionByDefault");
            one = copy(one, r, "BucketKeyEnabled", "BucketKeyEnabled");
            if (!one || !rules || !cJSON_AddItemToArray(rules, one)) {
                cJSON_Delete(one);
                cJSON_Delete(rules);
                cfn_fail(ctx, "out of memory");
                return NULL;
            }
        }
        return cfnkit_json_item(cJSON_CreateObject(), "Rules", rules);
    }
    if (strcmp(p, "LifecycleConfiguration") == 0) {
        static const char *const allowed[] = {"Rules", NULL};
        const cJSON *r;
        cJSON *rules = cJSON_CreateArray();
        if (members_known(ctx, v, p, allowed) < 0) {
            cJSON_Delete(rules);
            return NULL;
        }
        cJSON_ArrayForEach(r, cJSON_GetObjectItem(v, "Rules"))
        {
            cJSON *one = lifecycle_rule(ctx, r);
            if (!one || !rules || !cJSON_AddItemToArray(rules, one)) {
                cJSON_Delete(one);
                cJSON_Delete(rules);
                return NULL;
            }
        }
        return cfnkit_json_item(cJSON_CreateObject(), "Rules", rules);
    }
    if (strcmp(p, "PublicAccessBlockConfiguration") == 0) {
        static const char *const allowed[] = {"BlockPublicAcls", "BlockPublicPolicy",
                                              "IgnorePublicAcls", "RestrictPublicBuckets", NULL};
        return members_known(ctx, v, p, allowed) < 0 ? NULL : cJSON_Duplicate(v, 1);
    }
    if (strcmp(p, "CorsConfiguration") == 0) {
        static const char *const allowed[] = {"CorsRules", NULL};
        const cJSON *r;
        cJSON *rules = cJSON_CreateArray();
        if (members_known(ctx, v, p, allowed) < 0) {
            cJSON_Delete(rules);
            return NULL;
        }
        static const char *const rule_allowed[] = {"AllowedHeaders",
                                                   "AllowedMethods",
                                                   "AllowedOrigins",
                                                   "ExposedHeaders",
                                                   "Id",
                                                   "MaxAge",
                                                   NULL};
        cJSON_ArrayForEach(r, cJSON_GetObjectItem(v, "CorsRules"))
        {
            if (members_known(ctx, r, "CorsConfiguration.CorsRules", rule_allowed) < 0) {
                cJSON_Delete(rules);
                return NULL;
            }
            cJSON *one = copy(cJSON_CreateObject(), r, "AllowedHeaders", "AllowedHeaders");
            one = copy(copy(one, r, "AllowedMethods", "AllowedMethods"), r, "AllowedOrigins",
                       "AllowedOrigins");
            one = copy(copy(one, r, "ExposedHeaders", "ExposeHeaders"), r, "Id", "ID");
            one = number(one, r, "MaxAge", "MaxAgeSeconds");
            if (!one || !rules || !cJSON_AddItemToArray(rules, one)) {
                cJSON_Delete(one);
                cJSON_Delete(rules);
                cfn_fail(ctx, "out of memory");
                return NULL;
            }
        }
        return cfnkit_json_item(cJSON_CreateObject(), "CORSRules", rules);
    }
    if (strcmp(p, "WebsiteConfiguration") == 0) {
        static const char *const allowed[] = {"IndexDocument", "ErrorDocument",
                                              "RedirectAllRequestsTo", NULL};
        if (members_known(ctx, v, p, allowed) < 0)
            return NULL;
        cJSON *out = cJSON_CreateObject();
        if (cfn_json_string(v, "IndexDocument"))
            out = cfnkit_json_item(out, "IndexDocument",
                                   cfnkit_json_strings(cJSON_CreateObject(), "Suffix",
                                                       cfn_json_string(v, "IndexDocument"), NULL));
        if (cfn_json_string(v, "ErrorDocument"))
            out = cfnkit_json_item(out, "ErrorDocument",
                                   cfnkit_json_strings(cJSON_CreateObject(), "Key",
                                                       cfn_json_string(v, "ErrorDocument"), NULL));
        return copy(out, v, "RedirectAllRequestsTo", "RedirectAllRequestsTo");
    }
    if (strcmp(p, "NotificationConfiguration") == 0)
        return notification(ctx, v);
    /* Tags: a list of {Key, Value}, S3's TagSet. */
    cJSON *map, *set = cJSON_CreateArray();
    const cJSON *t;
    if (cfnkit_tags_map(ctx, "Tags", &map) < 0) {
        cJSON_Delete(set);
        return NULL;
    }
    cJSON_ArrayForEach(t, map)
    {
        cJSON *one = cfnkit_json_strings(cJSON_CreateObject(), "Key", t->string, "Value",
                                         t->valuestring, NULL);
        if (!one || !set || !cJSON_AddItemToArray(set, one)) {
            cJSON_Delete(one);
            cJSON_Delete(set);
            set = NULL;
            break;
        }
    }
    cJSON_Delete(map);
    return cfnkit_json_item(cJSON_CreateObject(), "TagSet", set);
}

/* The calls that set every configuration the template gives (on Update:
 * those that changed, and remove those it dropped), as a list of
 * {operation, input}: all of them checked before any is made. NULL with the
 * reason set. */
static cJSON *config_calls(cfn_ctx *ctx, const char *bucket)
{
    bool update = cfn_request_action(ctx) == CFN_UPDATE;
    const cJSON *props = cfn_request_props(ctx);
    cJSON *calls = cJSON_CreateArray();
    for (size_t i = 0; calls && i < NCONFIGS; i++) {
        const config *c = &configs[i];
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(props, c->prop);
        if (update ? !cfn_prop_changed(ctx, c->prop) : !v)
            continue;
        cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "Bucket", bucket, NULL);
        const char *op = c->put;
        if (!v && c->delete) {
            op = c->delete;
        } else {
            cJSON *value = api_value(ctx, c, v);
            if (!value) {
                cJSON_Delete(in);
                cJSON_Delete(calls);
                return NULL;
            }
            in = cfnkit_json_item(in, c->member, value);
        }
        cJSON *call = cfnkit_json_item(
            cfnkit_json_strings(cJSON_CreateObject(), "Operation", op, "Property", c->prop, NULL),
            "Input", in);
        if (!call || !cJSON_AddItemToArray(calls, call)) {
            cJSON_Delete(call);
            cJSON_Delete(calls);
            calls = NULL;
        }
    }
    if (!calls && !cfn_reason(ctx))
        cfn_fail(ctx, "out of memory");
    return calls;
}

static int configure(cfn_ctx *ctx, cfn_aws *aws, const cJSON *calls)
{
    const cJSON *call;
    cJSON_ArrayForEach(call, calls)
    {
        if (cfn_aws_call(aws, "s3", cfn_json_string(call, "Operation"),
                         cJSON_GetObjectItem(call, "Input"), NULL) < 0)
            return cfn_fail(ctx, "setting %s: %s", cfn_json_string(call, "Property"),
                            cfn_error_last());
    }
    return 0;
}

/* The old regions' website endpoints have a dash, the newer ones a dot. */
static const char *website_separator(const char *region)
{
    static const char *const dashed[] = {
        "us-east-1",      "us-west-1", "us-west-2", "ap-southeast-1", "ap-southeast-2",
        "ap-northeast-1", "eu-west-1", "sa-east-1", "us-gov-west-1",  NULL};
    return cfnkit_listed(dashed, region) ? "-" : ".";
}

static int answer(cfn_ctx *ctx, cfn_aws *aws, const char *bucket)
{
    const char *region = cfn_aws_region(aws);
    if (cfn_set_dataf(ctx, "Arn", "arn:aws:s3:::%s", bucket) < 0 ||
        cfn_set_dataf(ctx, "DomainName", "%s.s3.amazonaws.com", bucket) < 0 ||
        cfn_set_dataf(ctx, "RegionalDomainName", "%s.s3.%s.amazonaws.com", bucket, region) < 0 ||
        cfn_set_dataf(ctx, "DualStackDomainName", "%s.s3.dualstack.%s.amazonaws.com", bucket,
                      region) < 0 ||
        cfn_set_dataf(ctx, "WebsiteURL", "http://%s.s3-website%s%s.amazonaws.com", bucket,
                      website_separator(region), region) < 0)
        return -1;
    return cfn_set_physical_id(ctx, bucket);
}

static int create(cfn_ctx *ctx)
{
    const char *given, *problem;
    char *name = NULL;
    cfn_aws *aws = NULL;
    cJSON *calls = NULL;
    int rc = -1;
    if (native_check_props(ctx, known) < 0 ||
        cfn_prop_string_or(ctx, "BucketName", NULL, &given) < 0)
        goto done;
    if (given && (problem = s3_bucket_name_problem(given))) {
        rc = cfn_fail(ctx, "AWS::S3::Bucket BucketName \"%.80s\" is invalid: %s", given, problem);
        goto done;
    }
    if (given ? !(name = strdup(given)) : native_name(ctx, 63, NATIVE_NAME_LOWER, &name) < 0)
        goto done;
    if (!(calls = config_calls(ctx, name)) || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    /* S3 in us-east-1 answers a CreateBucket of a bucket the caller owns
     * with success: a given name is looked up first. An empty listing
     * under a prefix no key has is the cheapest look. */
    if (given) {
        cJSON *objects = NULL;
        rc = cfn_s3_list_objects(aws, name, "\x7f", &objects);
        cJSON_Delete(objects);
        if (rc == 0) {
            rc = cfn_fail(ctx,
                          "Resource of type 'AWS::S3::Bucket' with identifier '%s' already "
                          "exists.",
                          name);
            goto done;
        }
    }
    rc = cfn_s3_create_bucket(aws, name);
    /* A generated name is drawn from the request: the bucket this Create
     * made when it was delivered before. */
    if (rc < 0 && cfn_aws_error_is(aws, "BucketAlreadyOwnedByYou") && !given)
        rc = 0;
    if (rc < 0) {
        rc = cfn_aws_error_is(aws, "BucketAlreadyOwnedByYou") ||
                     cfn_aws_error_is(aws, "BucketAlreadyExists")
                 ? cfn_fail(ctx,
                            "Resource of type 'AWS::S3::Bucket' with identifier '%s' already "
                            "exists.",
                            name)
                 : cfn_fail(ctx, "%s", cfn_error_last());
        goto done;
    }
    if ((rc = configure(ctx, aws, calls)) == 0)
        rc = answer(ctx, aws, name);
    if (rc < 0) {
        /* The Delete after a failed Create does not know this name; the
         * bucket is new and empty. */
        cfn_s3_delete_bucket(aws, name);
    }
done:
    if (rc < 0 && !cfn_reason(ctx))
        cfn_fail(ctx, "out of memory");
    cJSON_Delete(calls);
    free(name);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : 0;
}

static int update(cfn_ctx *ctx)
{
    const char *name = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    cJSON *calls = NULL;
    int rc = -1;
    if (native_check_props(ctx, known) == 0 && (calls = config_calls(ctx, name)) &&
        cfn_aws_for(ctx, NULL, &aws) == 0 && configure(ctx, aws, calls) == 0)
        rc = answer(ctx, aws, name);
    cJSON_Delete(calls);
    cfn_aws_free(aws);
    return rc;
}

/* As CloudFormation: a bucket that holds objects (or object versions) is
 * not emptied but fails to delete; the template's DeletionPolicy Retain, or
 * emptying it first, is the way. */
static int remove_bucket(cfn_ctx *ctx)
{
    const char *name = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    if (s3_bucket_name_problem(name)) {
        cfn_log(CFN_LOG_INFO, "%.80s is not a bucket name: nothing to delete", name);
        return 0;
    }
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = cfn_s3_delete_bucket(aws, name);
    if (rc == CFN_ENOTFOUND || (rc < 0 && cfn_aws_error_is(aws, "NoSuchBucket"))) {
        cfn_log(CFN_LOG_INFO, "bucket %s is already gone", name);
        rc = 0;
    } else if (rc < 0 && cfn_aws_error_is(aws, "BucketNotEmpty")) {
        rc = cfn_fail(ctx,
                      "%s (bucket %s: CloudFormation does not delete objects; empty it, or keep "
                      "it with DeletionPolicy Retain)",
                      cfn_error_last(), name);
    } else if (rc < 0) {
        rc = cfn_fail(ctx, "%s", cfn_error_last());
    }
    cfn_aws_free(aws);
    return rc;
}

static const char *const replaces[] = {"BucketName", "BucketNamePrefix", "BucketNamespace", NULL};
/* Some members of LifecycleConfiguration's rules, MetadataConfiguration's
 * and ReplicationConfiguration's are write-only: those properties are
 * compared from the template. */
static const char *const write_only[] = {"AccessControl",
                                         "BucketNamePrefix",
                                         "BucketNamespace",
                                         "LifecycleConfiguration",
                                         "MetadataConfiguration",
                                         "ReplicationConfiguration",
                                         NULL};
static const char *const attributes[] = {
    "Arn", "DomainName", "DualStackDomainName", "RegionalDomainName", "WebsiteURL", NULL};

const cfn_resource_type native_s3_bucket = {
    .type = "AWS::S3::Bucket",
    .create = create,
    .update = update,
    .remove = remove_bucket,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = replaces,
    .attributes = attributes,
    .write_only = write_only,
};
