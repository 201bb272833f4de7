/* Native AWS::CloudFormation:: types of the local deployment engine:
 * WaitConditionHandle, which makes nothing and whose Ref is a URL shaped as
 * CloudFormation's presigned one, so that a template can test intrinsics
 * with nothing else. */
#include <cfnkit/cfnkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* The account in a StackId ARN (arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/...). */
static void arn_field(const char *arn, int index, char *out, size_t size)
{
    const char *p = arn;
    for (int i = 0; i < index && p; i++) {
        p = strchr(p, ':');
        if (p)
            p++;
    }
    size_t n = p ? strcspn(p, ":") : 0;
    snprintf(out, size, "%.*s", (int)n, p ? p : "");
}

static void url_encode(const char *s, char *out, size_t size)
{
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && k + 4 < size; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("-_.~/", *p))
            out[k++] = (char)*p;
        else
            k += (size_t)snprintf(out + k, 4, "%%%02X", *p);
    }
    out[k] = '\0';
}

/* CloudFormation presigns an object of its wait-condition bucket named by
 * the stack and the handle; here the signature is a fresh random value (no
 * local service reads the URL: AWS::CloudFormation::WaitCondition is not a
 * local type). The id is the URL, as Ref gives it. */
static int handle_create(cfn_ctx *ctx)
{
    const cJSON *props = cfn_request_props(ctx), *item;
    cJSON_ArrayForEach(item, props)
    {
        if (strcmp(item->string, "ServiceToken") != 0)
            return cfn_fail(ctx,
                            "Encountered unsupported property %s: "
                            "AWS::CloudFormation::WaitConditionHandle has no properties",
                            item->string);
    }
    const char *stack = cfn_request_stack_id(ctx), *region = cfn_request_region(ctx);
    char partition[32], account[32], key[1024], plain[900], stamp[32], date[9];
    unsigned char sig[32];
    arn_field(stack, 1, partition, sizeof(partition));
    arn_field(stack, 4, account, sizeof(account));
    snprintf(plain, sizeof(plain), "%s/%s", stack, cfn_request_logical_id(ctx));
    url_encode(plain, key, sizeof(key));
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
    snprintf(date, sizeof(date), "%.8s", stamp);
    if (getrandom(sig, sizeof(sig), 0) != (ssize_t)sizeof(sig))
        return cfn_fail(ctx, "no random bytes for the URL's signature");
    char hex[2 * sizeof(sig) + 1];
    for (size_t i = 0; i < sizeof(sig); i++)
        snprintf(hex + 2 * i, 3, "%02x", sig[i]);
    char url[CFN_MAX_PHYSICAL_ID_BYTES + 1];
    int n =
        snprintf(url, sizeof(url),
                 "https://cloudformation-waitcondition-%s.s3.%s/%s?X-Amz-Algorithm=AWS4-HMAC-"
                 "SHA256&X-Amz-Date=%s&X-Amz-SignedHeaders=host&X-Amz-Expires=86399"
                 "&X-Amz-Credential=%s%%2F%s%%2F%s%%2Fs3%%2Faws4_request&X-Amz-Signature=%s",
                 region, strcmp(partition, "aws-cn") == 0 ? "amazonaws.com.cn" : "amazonaws.com",
                 key, stamp, account, date, region, hex);
    if (n < 0 || (size_t)n >= sizeof(url))
        return cfn_fail(ctx, "the stack id and logical id make a URL over %d bytes",
                        CFN_MAX_PHYSICAL_ID_BYTES);
    return cfn_set_physical_id(ctx, url);
}

static int handle_remove(cfn_ctx *ctx)
{
    (void)ctx; /* nothing was made */
    return 0;
}

/* No update: CloudFormation documents that updates aren't supported (the
 * type has no properties, so a template never changes one). */
static const cfn_resource_type wait_condition_handle = {
    .type = "AWS::CloudFormation::WaitConditionHandle",
    .create = handle_create,
    .remove = handle_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
};

const cfn_resource_type *const cfnkit_native_cloudformation[] = {&wait_condition_handle, NULL};
