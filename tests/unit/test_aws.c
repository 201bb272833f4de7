/* The AWS client without a network: endpoints, regions, credentials files,
 * error parsing, the standard retry mode and its bounds, XML reading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "clock.h"
#include "fake_http.h"
#include "model.h"
#include "xml.h"

#include <cfnkit/cfnkit.h>

static const char *env_names[] = {"AWS_REGION",
                                  "AWS_DEFAULT_REGION",
                                  "AWS_ENDPOINT_URL",
                                  "AWS_ENDPOINT_URL_DYNAMODB",
                                  "AWS_ENDPOINT_URL_S3",
                                  "AWS_ENDPOINT_URL_API_GATEWAY",
                                  "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                                  "AWS_ACCESS_KEY_ID",
                                  "AWS_SECRET_ACCESS_KEY",
                                  "AWS_SESSION_TOKEN",
                                  "AWS_PROFILE",
                                  "AWS_CONFIG_FILE",
                                  "AWS_SHARED_CREDENTIALS_FILE",
                                  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                                  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                                  "AWS_MAX_ATTEMPTS",
                                  "HOME"};

static int setup(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(env_names) / sizeof(env_names[0]); i++)
        unsetenv(env_names[i]);
    setenv("HOME", "/nonexistent", 1);
    setenv("AWS_REGION", "eu-west-1", 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
    return fake_http_setup(state);
}

static char *endpoint(const char *region, const aws_service *svc, bool *custom)
{
    cfn_aws *aws;
    assert_int_equal(cfn_aws_new(&aws, region), 0);
    char *url = cfn__aws_endpoint(aws, svc, custom);
    cfn_aws_free(aws);
    return url;
}

static void standard_endpoints(void **state)
{
    (void)state;
    bool custom;
    struct {
        const char *region;
        const char *svc;
        const char *want;
    } cases[] = {
        {"us-east-1", "dynamodb", "https://dynamodb.us-east-1.amazonaws.com"},
        {"eu-west-1", "lambda", "https://lambda.eu-west-1.amazonaws.com"},
        {"eu-west-1", "apigateway", "https://apigateway.eu-west-1.amazonaws.com"},
        {"eu-west-1", "sts", "https://sts.eu-west-1.amazonaws.com"},
        {"eu-west-1", "iam", "https://iam.amazonaws.com"},
        {"eu-west-1", "route53", "https://route53.amazonaws.com"},
        {"eu-west-1", "elbv2", "https://elasticloadbalancing.eu-west-1.amazonaws.com"},
        {"eu-west-1", "cloudwatch", "https://monitoring.eu-west-1.amazonaws.com"},
        {"eu-west-1", "stepfunctions", "https://states.eu-west-1.amazonaws.com"},
        {"cn-north-1", "s3", "https://s3.cn-north-1.amazonaws.com.cn"},
        {"cn-northwest-1", "iam", "https://iam.cn-north-1.amazonaws.com.cn"},
        {"us-gov-west-1", "iam", "https://iam.us-gov.amazonaws.com"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *url = endpoint(cases[i].region, &cfn__aws_service(cases[i].svc)->svc, &custom);
        assert_string_equal(url, cases[i].want);
        assert_false(custom);
        free(url);
    }
}

static void configured_endpoints(void **state)
{
    (void)state;
    bool custom;
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000/", 1);
    setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000", 1);
    setenv("AWS_ENDPOINT_URL_API_GATEWAY", "http://127.0.0.1:9000", 1);
    char *url = endpoint(NULL, &cfn__aws_service("dynamodb")->svc, &custom);
    assert_string_equal(url, "http://127.0.0.1:8000");
    assert_true(custom);
    free(url);
    url = endpoint(NULL, &cfn__aws_service("apigateway")->svc, &custom);
    assert_string_equal(url, "http://127.0.0.1:9000");
    free(url);
    url = endpoint(NULL, &cfn__svc_s3, &custom); /* the general one, trailing slash gone */
    assert_string_equal(url, "http://127.0.0.1:5000");
    free(url);
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
    url = endpoint(NULL, &cfn__aws_service("dynamodb")->svc, &custom);
    assert_string_equal(url, "https://dynamodb.eu-west-1.amazonaws.com");
    assert_false(custom);
    free(url);
}

static void s3_addressing(void **state)
{
    (void)state;
    cfn_aws *aws;
    aws_target t;
    assert_int_equal(cfn_aws_new(&aws, "us-west-2"), 0);
    assert_int_equal(cfn__aws_locate(aws, &cfn__svc_s3, "my-bucket", "/a%20b", &t), 0);
    assert_string_equal(t.host, "my-bucket.s3.us-west-2.amazonaws.com");
    assert_string_equal(t.path, "/a%20b");
    free(t.path);
    /* Dots would break the TLS certificate of a virtual host: path style. */
    assert_int_equal(cfn__aws_locate(aws, &cfn__svc_s3, "my.bucket", "/k", &t), 0);
    assert_string_equal(t.host, "s3.us-west-2.amazonaws.com");
    assert_string_equal(t.path, "/my.bucket/k");
    free(t.path);
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000/prefix", 1);
    assert_int_equal(cfn__aws_locate(aws, &cfn__svc_s3, "my-bucket", "/k", &t), 0);
    assert_string_equal(t.host, "127.0.0.1:5000");
    assert_string_equal(t.path, "/prefix/my-bucket/k");
    free(t.path);
    cfn_aws_free(aws);
}

static char *write_file(const char *text)
{
    char *path = strdup("/tmp/cfnkit-test-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void regions(void **state)
{
    (void)state;
    cfn_aws *aws;
    setenv("AWS_DEFAULT_REGION", "ap-south-1", 1);
    assert_int_equal(cfn_aws_new(&aws, NULL), 0);
    assert_string_equal(cfn_aws_region(aws), "eu-west-1"); /* AWS_REGION first */
    cfn_aws_free(aws);
    unsetenv("AWS_REGION");
    assert_int_equal(cfn_aws_new(&aws, NULL), 0);
    assert_string_equal(cfn_aws_region(aws), "ap-south-1");
    cfn_aws_free(aws);
    unsetenv("AWS_DEFAULT_REGION");
    char *conf = write_file("[default]\nregion = us-west-1\n[profile dev]\nregion=sa-east-1\n");
    setenv("AWS_CONFIG_FILE", conf, 1);
    assert_int_equal(cfn_aws_new(&aws, NULL), 0);
    assert_string_equal(cfn_aws_region(aws), "us-west-1");
    cfn_aws_free(aws);
    setenv("AWS_PROFILE", "dev", 1);
    assert_int_equal(cfn_aws_new(&aws, NULL), 0);
    assert_string_equal(cfn_aws_region(aws), "sa-east-1");
    cfn_aws_free(aws);
    unsetenv("AWS_CONFIG_FILE");
    assert_int_equal(cfn_aws_new(&aws, NULL), CFN_EINVAL);
    assert_non_null(strstr(cfn_error_last(), "no AWS region configured"));
    assert_int_equal(cfn_aws_new(&aws, "evil.com/x"), CFN_EINVAL);
    unlink(conf);
    free(conf);
}

static void credential_sources(void **state)
{
    (void)state;
    aws_credentials c;
    setenv("AWS_SESSION_TOKEN", "tok", 1);
    assert_int_equal(cfn__creds_resolve(&c, 0), 0);
    assert_string_equal(c.access_key, "AKIDTEST");
    assert_string_equal(c.token, "tok");
    assert_string_equal(c.source, "environment variables");
    cfn__creds_clear(&c);
    unsetenv("AWS_ACCESS_KEY_ID");
    char *cred = write_file("[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = "
                            "s1\n\n[dev]\naws_access_key_id=AKIDDEV\naws_secret_access_key=s2\n");
    char *conf = write_file("[profile ops]\naws_access_key_id = AKIDOPS\n"
                            "aws_secret_access_key = s3\naws_session_token = t3\n");
    setenv("AWS_SHARED_CREDENTIALS_FILE", cred, 1);
    setenv("AWS_CONFIG_FILE", conf, 1);
    assert_int_equal(cfn__creds_resolve(&c, 0), 0);
    assert_string_equal(c.access_key, "AKIDDEFAULT");
    assert_null(c.token);
    cfn__creds_clear(&c);
    setenv("AWS_PROFILE", "dev", 1);
    assert_int_equal(cfn__creds_resolve(&c, 0), 0);
    assert_string_equal(c.access_key, "AKIDDEV");
    assert_string_equal(c.source, "profile dev");
    cfn__creds_clear(&c);
    setenv("AWS_PROFILE", "ops", 1);
    assert_int_equal(cfn__creds_resolve(&c, 0), 0);
    assert_string_equal(c.access_key, "AKIDOPS");
    assert_string_equal(c.token, "t3");
    cfn__creds_clear(&c);
    setenv("AWS_PROFILE", "missing", 1);
    assert_int_equal(cfn__creds_resolve(&c, 0), CFN_ENOTFOUND);
    assert_non_null(strstr(cfn_error_last(), "no AWS credentials found (tried: environment "
                                             "variables"));
    assert_non_null(strstr(cfn_error_last(), "profile \"missing\""));
    assert_non_null(strstr(cfn_error_last(), "container credentials"));
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.169.254/creds", 1);
    assert_int_equal(cfn__creds_resolve(&c, 0), CFN_ENOTFOUND);
    assert_non_null(strstr(cfn_error_last(), "must be https, or http to loopback"));
    unlink(cred);
    unlink(conf);
    free(cred);
    free(conf);
}

static void container_credentials(void **state)
{
    (void)state;
    unsetenv("AWS_ACCESS_KEY_ID");
    setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc", 1);
    fake_http_push(&fake, (fake_answer){.status = 200,
                                        .body = "{\"AccessKeyId\":\"AKIDECS\",\"SecretAccessKey\":"
                                                "\"s\",\"Token\":\"t\",\"Expiration\":"
                                                "\"2099-01-01T00:00:00Z\"}"});
    aws_credentials c;
    assert_int_equal(cfn__creds_resolve(&c, 0), 0);
    assert_string_equal(fake.sent[0].url, "http://169.254.170.2/v2/credentials/abc");
    assert_string_equal(c.access_key, "AKIDECS");
    assert_int_equal(c.expires, 4070908800000LL);
    cfn__creds_clear(&c);
}

static void credentials_are_cached_until_near_expiry(void **state)
{
    (void)state;
    unsetenv("AWS_ACCESS_KEY_ID");
    setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/creds", 1);
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9", 1);
    /* Valid for a day: fetched once, then reused. */
    fake.fallback =
        (fake_answer){.status = 200,
                      .body = "{\"AccessKeyId\":\"AKIDLONG\",\"SecretAccessKey\":\"s\","
                              "\"Token\":\"t\",\"Expiration\":\"2099-01-01T00:00:00Z\"}"};
    cfn_aws *aws;
    assert_int_equal(cfn_aws_new(&aws, NULL), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(cfn__aws_credentials_ready(aws), 0);
    size_t fetches = 0;
    for (size_t i = 0; i < fake.nsent; i++)
        fetches += strstr(fake.sent[i].url, "/creds") != NULL;
    assert_int_equal(fetches, 1);
    cfn_aws_free(aws);
    /* Expiring within five minutes: fetched again before every use. */
    char soon[128], body[256];
    time_t t = time(NULL) + 120;
    strftime(soon, sizeof(soon), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    snprintf(body, sizeof(body),
             "{\"AccessKeyId\":\"AKIDSOON\",\"SecretAccessKey\":\"s\",\"Expiration\":\"%s\"}",
             soon);
    fake.fallback.body = body;
    fake.nsent = 0;
    assert_int_equal(cfn_aws_new(&aws, NULL), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(cfn__aws_credentials_ready(aws), 0);
    assert_int_equal(fake.nsent, 3);
    cfn_aws_free(aws);
}

static cfn_aws *client(void)
{
    cfn_aws *aws;
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9", 1);
    assert_int_equal(cfn_aws_new(&aws, NULL), 0);
    return aws;
}

/* Minimal valid inputs, kept for the test program's life. */
static const cJSON *put_item(void)
{
    static cJSON *in;
    if (!in)
        in = cJSON_Parse("{\"TableName\":\"t\",\"Item\":{}}");
    return in;
}

static const cJSON *get_item(void)
{
    static cJSON *in;
    if (!in)
        in = cJSON_Parse("{\"TableName\":\"t\",\"Key\":{}}");
    return in;
}

static void json_errors_are_parsed(void **state)
{
    (void)state;
    cfn_aws *aws = client();
    fake_http_push(&fake,
                   (fake_answer){.status = 400,
                                 .body = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#"
                                         "ConditionalCheckFailedException\",\"message\":\"The "
                                         "conditional request failed\"}"});
    assert_int_equal(cfn_dynamodb(aws, "PutItem", put_item(), NULL), CFN_ERROR);
    assert_string_equal(cfn_error_last(), "DynamoDB PutItem: ConditionalCheckFailedException: "
                                          "The conditional request failed");
    assert_true(cfn_aws_error_is(aws, "ConditionalCheckFailedException"));
    assert_int_equal(cfn_aws_error_status(aws), 400);
    assert_int_equal(fake.nsent, 1); /* not retried */
    fake_http_push(&fake, (fake_answer){.status = 404,
                                        .headers = "x-amzn-ErrorType: ResourceNotFoundException:"
                                                   "http://internal.amazon.com/\r\n",
                                        .body = "{\"Type\":\"User\",\"Message\":\"Function not "
                                                "found\"}"});
    cJSON *in = cJSON_Parse("{\"FunctionName\":\"f\"}");
    assert_int_equal(cfn_lambda(aws, "GetFunction", in, NULL), CFN_ENOTFOUND);
    assert_string_equal(cfn_error_last(),
                        "Lambda GetFunction: ResourceNotFoundException: Function not found");
    assert_string_equal(fake.sent[1].url, "http://127.0.0.1:9/2015-03-31/functions/f");
    cJSON_Delete(in);
    cfn_aws_free(aws);
}

static void xml_errors_are_parsed(void **state)
{
    (void)state;
    cfn_aws *aws = client();
    fake_http_push(&fake, (fake_answer){.status = 404,
                                        .body = "<?xml version=\"1.0\"?><Error><Code>NoSuchKey"
                                                "</Code><Message>The key &lt;k&gt; does not "
                                                "exist</Message></Error>"});
    char *data;
    size_t len;
    assert_int_equal(cfn_s3_get_object(aws, "bkt", "k", NULL, &data, &len), CFN_ENOTFOUND);
    assert_string_equal(cfn_error_last(), "S3 GetObject: NoSuchKey: The key <k> does not exist");
    fake_http_push(&fake, (fake_answer){.status = 404,
                                        .body = "<ErrorResponse><Error><Type>Sender</Type><Code>"
                                                "NoSuchEntity</Code><Message>Role r not found"
                                                "</Message></Error></ErrorResponse>"});
    char *arn;
    assert_int_equal(cfn_iam_get_role(aws, "r", &arn), CFN_ENOTFOUND);
    assert_string_equal(cfn_error_last(), "IAM GetRole: NoSuchEntity: Role r not found");
    assert_non_null(strstr(fake.sent[1].body, "Action=GetRole&Version=2010-05-08&RoleName=r"));
    cfn_aws_free(aws);
}

static void throttling_is_retried(void **state)
{
    (void)state;
    cfn_aws *aws = client();
    fake_http_push(&fake, (fake_answer){.status = 400,
                                        .body = "{\"__type\":\"ThrottlingException\","
                                                "\"message\":\"Rate exceeded\"}"});
    fake_http_push(&fake, (fake_answer){.status = 500, .body = "{}"});
    fake_http_push(&fake, (fake_answer){.status = 200, .body = "{\"Item\":{}}"});
    cJSON *out;
    assert_int_equal(cfn_dynamodb(aws, "GetItem", get_item(), &out), 0);
    assert_int_equal(fake.nsent, 3);
    assert_non_null(cJSON_GetObjectItem(out, "Item"));
    cJSON_Delete(out);
    cfn_aws_free(aws);
}

static void retries_are_bounded(void **state)
{
    (void)state;
    cfn_aws *aws = client();
    fake.fallback = (fake_answer){.status = 503, .body = "{\"__type\":\"ServiceUnavailable\"}"};
    assert_int_equal(cfn_dynamodb(aws, "GetItem", get_item(), NULL), CFN_ERROR);
    assert_int_equal(fake.nsent, 3); /* the standard mode's default */
    assert_non_null(strstr(cfn_error_last(), "(after 3 attempts)"));
    setenv("AWS_MAX_ATTEMPTS", "1", 1);
    assert_int_equal(cfn_dynamodb(aws, "GetItem", get_item(), NULL), CFN_ERROR);
    assert_int_equal(fake.nsent, 4);
    unsetenv("AWS_MAX_ATTEMPTS");
    /* A deadline shorter than the backoff: no retry is started past it. */
    cfn_aws_set_deadline(aws, cfn__clock_mono_ms() + 50);
    fake.fallback = (fake_answer){.transport_error = 1};
    int64_t start = cfn__clock_mono_ms();
    assert_int_equal(cfn_dynamodb(aws, "GetItem", get_item(), NULL), CFN_ERROR);
    assert_true(cfn__clock_mono_ms() - start < 1000);
    assert_int_equal(cfn_aws_error_status(aws), 0);
    cfn_aws_free(aws);
}

static void rest_routes_fill_paths_and_queries(void **state)
{
    (void)state;
    cfn_aws *aws = client();
    cJSON *in = cJSON_Parse("{\"FunctionName\":\"my fn\",\"StatementId\":\"s/1\","
                            "\"Qualifier\":\"prod\"}");
    assert_int_equal(cfn_lambda(aws, "RemovePermission", in, NULL), 0);
    assert_string_equal(fake.sent[0].method, "DELETE");
    assert_string_equal(fake.sent[0].url, "http://127.0.0.1:9/2015-03-31/functions/my%20fn/"
                                          "policy/s%2F1?Qualifier=prod");
    cJSON_Delete(in);
    in = cJSON_Parse("{\"restApiId\":\"a1\",\"parentId\":\"r0\",\"pathPart\":\"{name}\"}");
    assert_int_equal(cfn_apigateway(aws, "CreateResource", in, NULL), 0);
    assert_string_equal(fake.sent[1].url, "http://127.0.0.1:9/restapis/a1/resources/r0");
    assert_string_equal(fake.sent[1].body, "{\"pathPart\":\"{name}\"}");
    cJSON_Delete(in);
    in = cJSON_Parse("{\"restApiId\":\"a1\"}");
    assert_int_equal(cfn_apigateway(aws, "PutMethod", in, NULL), CFN_EINVAL);
    assert_string_equal(cfn_error_last(), "API Gateway PutMethod: resourceId is required");
    assert_int_equal(cfn_lambda(aws, "Frobnicate", in, NULL), CFN_EINVAL);
    assert_string_equal(cfn_error_last(), "Lambda: unknown operation \"Frobnicate\" (closest: "
                                          "GetAlias, Invoke, GetPolicy)");
    cJSON_Delete(in);
    cfn_aws_free(aws);
}

static void paths_from_properties_stay_in_place(void **state)
{
    (void)state;
    cfn_aws *aws = client();
    char *data = NULL, *url = NULL;
    size_t len;
    /* Keys are encoded but for their slashes: '?', '#' and '%' stay in the path. */
    assert_int_equal(cfn_s3_put_object(aws, "bkt", "a?b#c%d/e f", "x", 1, NULL, NULL), 0);
    assert_string_equal(fake.sent[0].url, "http://127.0.0.1:9/bkt/a%3Fb%23c%25d/e%20f");
    static const char *const bad_buckets[] = {"..",          "a/b", "bkt?x",       "bkt#x", "Bkt",
                                              "b_k",         "ab",  "-bkt",        "bkt-",  "b..kt",
                                              "192.168.5.4", "",    "bkt/../other"};
    for (size_t i = 0; i < sizeof(bad_buckets) / sizeof(bad_buckets[0]); i++) {
        assert_int_equal(cfn_s3_get_object(aws, bad_buckets[i], "k", NULL, &data, &len),
                         CFN_EINVAL);
        assert_non_null(strstr(cfn_error_last(), "invalid bucket name"));
    }
    assert_int_equal(cfn_s3_presign(aws, "GET", "a/../b", "k", 60, &url), CFN_EINVAL);
    static const char *const bad_keys[] = {"..",        ".",     "../other-bucket/k",
                                           "a/../../b", "a/./b", "a/.."};
    for (size_t i = 0; i < sizeof(bad_keys) / sizeof(bad_keys[0]); i++) {
        assert_int_equal(cfn_s3_delete_object(aws, "bkt", bad_keys[i]), CFN_EINVAL);
        assert_non_null(strstr(cfn_error_last(), "path segment"));
    }
    /* Dots inside a segment are ordinary characters. */
    assert_int_equal(cfn_s3_delete_object(aws, "my.bkt", "a/..b/c./.d"), 0);
    assert_string_equal(fake.sent[1].url, "http://127.0.0.1:9/my.bkt/a/..b/c./.d");
    assert_int_equal(fake.nsent, 2);

    static const char *const members[] = {"..", "."};
    for (size_t i = 0; i < 2; i++) {
        cJSON *in = cJSON_CreateObject();
        cJSON_AddStringToObject(in, "FunctionName", members[i]);
        assert_int_equal(cfn_lambda(aws, "GetPolicy", in, NULL), CFN_EINVAL);
        assert_non_null(strstr(cfn_error_last(), "FunctionName cannot be"));
        cJSON_Delete(in);
    }
    cJSON *in = cJSON_Parse("{\"FunctionName\":\"../x?y#z\"}");
    assert_int_equal(cfn_lambda(aws, "GetPolicy", in, NULL), 0);
    assert_string_equal(fake.sent[2].url,
                        "http://127.0.0.1:9/2015-03-31/functions/..%2Fx%3Fy%23z/policy");
    cJSON_Delete(in);
    assert_int_equal(fake.nsent, 3);
    cfn_aws_free(aws);
}

static void put_object_gives_the_etag(void **state)
{
    (void)state;
    cfn_aws *aws = client();
    char etag[CFN_S3_ETAG_SIZE] = "stale";
    fake_http_push(&fake,
                   (fake_answer){.status = 200,
                                 .headers = "HTTP/1.1 200 OK\r\n"
                                            "ETag: \"9a0364b9e99bb480dd25e1f0284c8555\"\r\n"});
    assert_int_equal(cfn_s3_put_object(aws, "bkt", "k", "content", 7, NULL, etag), 0);
    assert_string_equal(etag, "\"9a0364b9e99bb480dd25e1f0284c8555\"");
    char *file = write_file("content");
    fake_http_push(&fake, (fake_answer){.status = 200, .headers = "ETag: \"f1le\"\r\n"});
    assert_int_equal(cfn_s3_put_object_from_file(aws, "bkt", "k", file, NULL, NULL, etag), 0);
    assert_string_equal(etag, "\"f1le\"");
    /* No ETag in the answer, or a failure: "". */
    fake_http_push(&fake, (fake_answer){.status = 200});
    assert_int_equal(cfn_s3_put_object(aws, "bkt", "k", "c", 1, NULL, etag), 0);
    assert_string_equal(etag, "");
    strcpy(etag, "stale");
    assert_int_equal(cfn_s3_put_object_from_file(aws, "Bad_Bucket", "k", file, NULL, NULL, etag),
                     CFN_EINVAL);
    assert_string_equal(etag, "");
    unlink(file);
    free(file);
    cfn_aws_free(aws);
}

static void xml_reading(void **state)
{
    (void)state;
    const char *x = "<R><Contents><Key>a&amp;b</Key></Contents><Contents><Key>c&#233;&#x41;"
                    "</Key></Contents><Empty/></R>";
    size_t pos = 0, n;
    const char *inner;
    assert_int_equal(cfn__xml_next(x, strlen(x), "Contents", &pos, &inner, &n), 0);
    char *k = cfn__xml_text(inner, n, "Key");
    assert_string_equal(k, "a&b");
    free(k);
    assert_int_equal(cfn__xml_next(x, strlen(x), "Contents", &pos, &inner, &n), 0);
    k = cfn__xml_text(inner, n, "Key");
    assert_string_equal(k, "c\xc3\xa9"
                           "A");
    free(k);
    assert_int_equal(cfn__xml_next(x, strlen(x), "Contents", &pos, &inner, &n), -1);
    k = cfn__xml_text(x, strlen(x), "Empty");
    assert_string_equal(k, "");
    free(k);
    assert_null(cfn__xml_text(x, strlen(x), "Missing"));
    assert_null(cfn__xml_text("<Key>unterminated", 17, "Key"));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, fake_http_teardown)
    const struct CMUnitTest tests[] = {
        T(standard_endpoints),
        T(configured_endpoints),
        T(s3_addressing),
        T(regions),
        T(credential_sources),
        T(container_credentials),
        T(credentials_are_cached_until_near_expiry),
        T(json_errors_are_parsed),
        T(xml_errors_are_parsed),
        T(throttling_is_retried),
        T(retries_are_bounded),
        T(rest_routes_fill_paths_and_queries),
        T(paths_from_properties_stay_in_place),
        T(put_object_gives_the_etag),
        T(xml_reading),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
