/* AWS::S3::BucketPolicy: the policy of one bucket. Ref: the bucket name (the
 * type's primary identifier, Bucket). */
#include "s3.h"

#include "aws/native.h"
#include "awsjson.h"

#include <stdlib.h>
#include <string.h>

static const char *const known[] = {"Bucket", "PolicyDocument", NULL};

static int put(cfn_ctx *ctx)
{
    const char *bucket, *problem;
    const cJSON *doc = cJSON_GetObjectItemCaseSensitive(cfn_request_props(ctx), "PolicyDocument");
    char *text = NULL;
    cfn_aws *aws = NULL;
    int rc = -1;
    if (native_check_props(ctx, known) < 0 || cfn_prop_string(ctx, "Bucket", &bucket) < 0)
        return -1;
    if ((problem = s3_bucket_name_problem(bucket)))
        return cfn_fail(ctx, "AWS::S3::BucketPolicy Bucket \"%.80s\" is invalid: %s", bucket,
                        problem);
    /* A template gives an object; a parameter or Fn::Sub gives its text. */
    if (cJSON_IsObject(doc))
        text = cJSON_PrintUnformatted(doc);
    else if (cJSON_IsString(doc))
        text = strdup(doc->valuestring);
    else
        return cfn_fail(ctx, "AWS::S3::BucketPolicy property PolicyDocument is required: a policy "
                             "document (a JSON object or its text)");
    cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "Bucket", bucket, "Policy", text, NULL);
    if (!text || !in) {
        rc = cfn_fail(ctx, "out of memory");
        goto done;
    }
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cfn_aws_call(aws, "s3", "PutBucketPolicy", in, NULL) < 0) {
        rc = cfn_fail(ctx, "%s", cfn_error_last());
        goto done;
    }
    rc = cfn_set_physical_id(ctx, bucket);
done:
    cJSON_Delete(in);
    free(text);
    cfn_aws_free(aws);
    return rc;
}

static int remove_policy(cfn_ctx *ctx)
{
    const char *bucket = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    if (s3_bucket_name_problem(bucket)) {
        cfn_log(CFN_LOG_INFO, "%.80s is not a bucket name: nothing to delete", bucket);
        return 0;
    }
    cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "Bucket", bucket, NULL);
    if (!in)
        return cfn_fail(ctx, "out of memory");
    int rc = cfn_aws_for(ctx, NULL, &aws);
    if (rc == 0 && (rc = cfn_aws_call(aws, "s3", "DeleteBucketPolicy", in, NULL)) < 0) {
        /* The bucket gone, its policy is gone too. */
        if (cfn_aws_error_is(aws, "NoSuchBucket") || cfn_aws_error_is(aws, "NoSuchBucketPolicy"))
            rc = 0;
        else
            rc = cfn_fail(ctx, "%s", cfn_error_last());
    }
    cJSON_Delete(in);
    cfn_aws_free(aws);
    return rc;
}

static const char *const replaces[] = {"Bucket", NULL};

const cfn_resource_type native_s3_bucket_policy = {
    .type = "AWS::S3::BucketPolicy",
    .create = put,
    .update = put,
    .remove = remove_policy,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = replaces,
};
