/* The AWS client for modules: SigV4-signed calls to any operation of 30
 * services (cfn_aws_call) and S3's streaming calls, configured like the AWS
 * SDKs (environment, shared config files, container credentials,
 * AWS_ENDPOINT_URL[_<SERVICE>]), with the SDKs' standard retries, bounded by
 * a deadline. */
#ifndef CFNKIT_AWS_H
#define CFNKIT_AWS_H

#include <cfnkit/common.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include <cfnkit/digest.h>
#include <cfnkit/resource.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cfn_aws cfn_aws;

/* Creates a client. `region` NULL means AWS_REGION, then AWS_DEFAULT_REGION,
 * then the profile's `region`. Credentials are looked up on the first call:
 * AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY[/AWS_SESSION_TOKEN], then the
 * profile (AWS_PROFILE, default "default") in the shared credentials and
 * config files, then container credentials (AWS_CONTAINER_CREDENTIALS_*),
 * and cached until they expire. Free with cfn_aws_free.
 * CFNKIT_AWS_TRACE=FILE appends one line per call to FILE (tab-separated:
 * signing name, operation, HTTP method, S3 bucket or "-", path, the query's
 * parameter names or "-"; never a value, header or body), to see which IAM
 * actions a module needs (tests/integration/test_privilege.py). */
CFN_EXTERN int cfn_aws_new(cfn_aws **out, const char *region);

/* A client for a callback, bounded by the callback's deadline less a margin
 * (a tenth of the time left, 250 ms to 5 s): in `region`, or when NULL the
 * provider's region (the stack's when none is configured). On failure the
 * request's reason is set. */
CFN_EXTERN int cfn_aws_for(cfn_ctx *ctx, const char *region, cfn_aws **out);

/* After a call of `aws` failed with an unknown outcome (it may have taken
 * effect: no answer came, or AWS answered 5xx), gives the client the margin
 * that cfn_aws_for kept, up to the callback's own deadline, so the module
 * can find and undo what the call may have done before the worker is
 * stopped. (What still escapes is found by the type's remove_failed_create.) */
CFN_EXTERN void cfn_aws_for_undo(cfn_ctx *ctx, cfn_aws *aws);

/* Whether the last failed call of `aws` may have taken effect: it was sent
 * and no answer came, or the answer was a 5xx after the retries. */
CFN_EXTERN bool cfn_aws_outcome_unknown(const cfn_aws *aws);

CFN_EXTERN void cfn_aws_free(cfn_aws *aws);
CFN_EXTERN const char *cfn_aws_region(const cfn_aws *aws);

/* No call (retries included) runs past `deadline_ms` on the monotonic clock
 * of cfn_remaining_ms; 0 removes the limit. cfn_aws_for sets it. */
CFN_EXTERN void cfn_aws_set_deadline(cfn_aws *aws, int64_t deadline_ms);

/* Keep-alive is on by default; off, every request opens a new connection
 * (for measurements). */
CFN_EXTERN void cfn_aws_set_reuse(cfn_aws *aws, bool reuse);

/* The last failed call. The message, "DynamoDB PutItem:
 * ConditionalCheckFailedException: The conditional request failed", is in
 * cfn_error_last(); the AWS error code ("" when no answer came) and the HTTP
 * status (0 likewise) are here, so a module can test them. */
CFN_EXTERN const char *cfn_aws_error_code(const cfn_aws *aws);
CFN_EXTERN long cfn_aws_error_status(const cfn_aws *aws);
CFN_EXTERN bool cfn_aws_error_is(const cfn_aws *aws, const char *code);

/* Calls OPERATION of SERVICE ("sqs", "iam", "ec2", "s3", ... the AWS CLI's service names).
 * input: the operation's input as the AWS CLI's --cli-input-json takes it (NULL = {}).
 * *output: the answer as `aws SERVICE OPERATION --output json` prints it (the API's output
 * shape, result wrappers removed, lists as arrays, timestamps as ISO 8601 strings); the
 * caller frees it. Signed, retried and error-parsed like every call of this client:
 * cfn_aws_error_code()/cfn_aws_error_is() give the AWS error code. */
CFN_EXTERN int cfn_aws_call(cfn_aws *aws, const char *service, const char *operation,
                            const cJSON *input, cJSON **output);
/* More on cfn_aws_call:
 * - Services: acm apigateway application-autoscaling autoscaling cloudformation
 *   cloudfront cloudwatch dynamodb ec2 ecr ecs efs elb elbv2 elasticache events iam
 *   kinesis kms lambda logs rds route53 s3 secretsmanager sns sqs ssm stepfunctions
 *   sts. Their signing names, endpoint prefixes, protocols, versions and API models
 *   come from botocore's service models (tools/aws_models.py writes
 *   framework/src/aws/models.c; a service's model is inflated on its first call).
 * - OPERATION is the API's name ("CreateQueue") or the CLI's ("create-queue").
 *   `output` may be NULL when the answer is not wanted.
 * - The input is checked against the model before anything is sent: an unknown
 *   parameter, a missing required one or a value of the wrong JSON type fails
 *   with CFN_EINVAL naming its path ("Tags[0].Valu", "Tags[0].Key is
 *   required") and, when unknown, the closest names; so do an unknown service
 *   or operation.
 * - Requests as the SDKs serialise them: JSON 1.0/1.1 (X-Amz-Target), query
 *   (X.member.N, maps X.entry.N.key/value), EC2 (X.N, queryName or capitalised
 *   locationName), REST-JSON and REST-XML (path, query string, headers and the
 *   body from the model's bindings; S3 buckets in the host or, for a custom
 *   endpoint, the path). Timestamps may be ISO 8601 or epoch seconds. Path
 *   members "." and "..", and "."/".." segments of S3 keys, are refused.
 * - Answers: XML read against the output shape (result wrapper dropped, lists
 *   as arrays, maps as objects, numbers and booleans typed), JSON with wire
 *   names renamed to member names; members the model does not know and nulls
 *   are left out; timestamps as the CLI prints them ("2026-01-02T03:04:05+00:00",
 *   with microseconds when not zero, always UTC); blobs stay base64; IAM policy
 *   documents and CloudFormation's JSON TemplateBody are decoded into JSON;
 *   S3 GetBucketLocation gives LocationConstraint null for us-east-1. Header and status-code
 * members are read from the answer. A blob or string payload (S3 GetObject's Body, Lambda Invoke's
 * Payload) is sent and returned as text; S3's streaming calls below are for files and binary data.
 * - S3 operations that require a body checksum get Content-MD5; Route 53 ids
 *   are taken as answered ("/hostedzone/Z1") or bare ("Z1"), as in the SDKs.
 * - Not done: botocore's per-service customisations beyond IAM's policy
 *   documents (S3 ListObjects' EncodingType=url, flexible checksums, EC2
 *   presigned copies, ...), event streams, pagination. */

/* The AWS CLI name of the i-th service cfn_aws_call knows, or NULL past the
 * last: for listing them. */
CFN_EXTERN const char *cfn_aws_service_name(size_t i);

/* Conveniences kept for their callers: cfn_aws_call(aws, "dynamodb" |
 * "lambda" | "ssm" | "apigateway", operation, input, output). `output` may
 * be NULL. (API Gateway answers use the CLI's member names: "items", not the
 * wire's "item".) */
CFN_EXTERN int cfn_dynamodb(cfn_aws *aws, const char *operation, const cJSON *input,
                            cJSON **output);
CFN_EXTERN int cfn_lambda(cfn_aws *aws, const char *operation, const cJSON *input, cJSON **output);
/* SSM (JSON 1.1: "GetParameters", "PutParameter", ...). */
CFN_EXTERN int cfn_ssm(cfn_aws *aws, const char *operation, const cJSON *input, cJSON **output);
CFN_EXTERN int cfn_apigateway(cfn_aws *aws, const char *operation, const cJSON *input,
                              cJSON **output);

/* IAM and STS conveniences over cfn_aws_call, returning the role's Arn or
 * the caller's Account and Arn. Returned strings are the caller's to free. */
CFN_EXTERN int cfn_iam_create_role(cfn_aws *aws, const char *name, const char *assume_policy,
                                   char **arn);
CFN_EXTERN int cfn_iam_get_role(cfn_aws *aws, const char *name, char **arn);
CFN_EXTERN int cfn_iam_put_role_policy(cfn_aws *aws, const char *role, const char *policy_name,
                                       const char *document);
CFN_EXTERN int cfn_iam_delete_role_policy(cfn_aws *aws, const char *role, const char *policy_name);
CFN_EXTERN int cfn_iam_delete_role(cfn_aws *aws, const char *name);
CFN_EXTERN int cfn_sts_get_caller_identity(cfn_aws *aws, char **account, char **arn);

/* S3. Object keys are given unencoded. A missing object or bucket fails with
 * CFN_ENOTFOUND. Files stream: memory stays bounded whatever their size. */
#define CFN_S3_ETAG_SIZE 130 /* an ETag as S3 gives it (quoted), with its NUL */

typedef struct cfn_s3_object_info {
    long long size;
    char etag[CFN_S3_ETAG_SIZE];
    char version_id[256];
    char content_type[256];
} cfn_s3_object_info;

CFN_EXTERN int cfn_s3_get_object(cfn_aws *aws, const char *bucket, const char *key,
                                 const char *version_id, char **data, size_t *len);
CFN_EXTERN int cfn_s3_get_object_to_file(cfn_aws *aws, const char *bucket, const char *key,
                                         const char *version_id, const char *path);
/* Stores an object. `etag` is NULL, or a buffer of CFN_S3_ETAG_SIZE bytes
 * that the caller owns: on success it receives the new object's ETag as S3
 * gives it (quoted), "" when the answer had none; on failure it is "". */
CFN_EXTERN int cfn_s3_put_object(cfn_aws *aws, const char *bucket, const char *key,
                                 const void *data, size_t len, const char *content_type,
                                 char *etag);
/* The same from a file. `sha256` is the file's hex SHA-256 when the caller
 * already has it (from cfn_sha256_file), or NULL to have it computed: the
 * file is read once more. `etag` as for cfn_s3_put_object. */
CFN_EXTERN int cfn_s3_put_object_from_file(cfn_aws *aws, const char *bucket, const char *key,
                                           const char *path, const char *content_type,
                                           const char *sha256, char *etag);
CFN_EXTERN int cfn_s3_head_object(cfn_aws *aws, const char *bucket, const char *key,
                                  const char *version_id, cfn_s3_object_info *info);
CFN_EXTERN int cfn_s3_delete_object(cfn_aws *aws, const char *bucket, const char *key);

/* Every object under `prefix` (all pages): a JSON list of {Key, Size, ETag}. */
CFN_EXTERN int cfn_s3_list_objects(cfn_aws *aws, const char *bucket, const char *prefix,
                                   cJSON **objects);
CFN_EXTERN int cfn_s3_create_bucket(cfn_aws *aws, const char *bucket);
CFN_EXTERN int cfn_s3_delete_bucket(cfn_aws *aws, const char *bucket);
/* A presigned URL for "GET" or "PUT" of the object, valid `expires` seconds
 * (at most 604800). The URL is a credential: never log its query string. */
CFN_EXTERN int cfn_s3_presign(cfn_aws *aws, const char *method, const char *bucket, const char *key,
                              long expires, char **url);

/* S3 ranged reads and multipart uploads (s3_multipart.c): an object built
 * inside S3 from byte ranges of another (copied server-side) and uploaded
 * bytes. Ranges are inclusive, [first, last], as in HTTP. `if_match` (may be
 * NULL) is the source's ETag: a source that changed fails with S3's
 * PreconditionFailed instead of mixing two versions. An ETag out is the
 * part's, quoted as S3 gives it. S3's rules: parts numbered 1 to 10,000,
 * every part but the last at least 5 MiB, at most 5 GiB each. */
#define CFN_S3_PART_MIN  (5LL * 1024 * 1024)
#define CFN_S3_PART_MAX  (5LL * 1024 * 1024 * 1024)
#define CFN_S3_PARTS_MAX 10000

CFN_EXTERN int cfn_s3_get_object_range(cfn_aws *aws, const char *bucket, const char *key,
                                       const char *version_id, const char *if_match,
                                       long long first, long long last, char **data, size_t *len);
/* Sets *upload_id (caller frees). */
CFN_EXTERN int cfn_s3_create_multipart_upload(cfn_aws *aws, const char *bucket, const char *key,
                                              const char *content_type, char **upload_id);
CFN_EXTERN int cfn_s3_upload_part(cfn_aws *aws, const char *bucket, const char *key,
                                  const char *upload_id, int part, const void *data, size_t len,
                                  char etag[130]);
/* Part `part` is bytes [first, last] of the source object, copied by S3. */
CFN_EXTERN int cfn_s3_upload_part_copy(cfn_aws *aws, const char *bucket, const char *key,
                                       const char *upload_id, int part, const char *src_bucket,
                                       const char *src_key, const char *src_version_id,
                                       const char *src_if_match, long long first, long long last,
                                       char etag[130]);
/* Parts 1..nparts with their ETags. `if_none_match` makes it a conditional
 * write: when the key already exists it fails with PreconditionFailed (see
 * cfn_aws_error_is) and writes nothing. A copy or completion that S3 answers
 * with 200 and an error document fails like any other error. */
CFN_EXTERN int cfn_s3_complete_multipart_upload(cfn_aws *aws, const char *bucket, const char *key,
                                                const char *upload_id, const char (*etags)[130],
                                                int nparts, bool if_none_match);
CFN_EXTERN int cfn_s3_abort_multipart_upload(cfn_aws *aws, const char *bucket, const char *key,
                                             const char *upload_id);

#ifdef __cplusplus
}
#endif
#endif
