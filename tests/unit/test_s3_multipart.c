/* S3 ranged reads and multipart uploads without a network: the requests
 * sent, the answers read, and copies or completions that S3 answers with 200
 * and an error document treated as failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "fake_http.h"

#include <cfnkit/cfnkit.h>

static int setup(void **state)
{
    (void)state;
    unsetenv("AWS_SESSION_TOKEN");
    unsetenv("AWS_PROFILE");
    setenv("HOME", "/nonexistent", 1);
    setenv("AWS_REGION", "eu-west-1", 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9", 1);
    setenv("AWS_MAX_ATTEMPTS", "1", 1);
    return fake_http_setup(state);
}

static void upload_lifecycle(void **state)
{
    (void)state;
    cfn_aws *aws;
    char *id, etag[130];
    assert_int_equal(cfn_aws_new(&aws, NULL), 0);
    fake_http_push(&fake, (fake_answer){.status = 200,
                                        .body = "<InitiateMultipartUploadResult><UploadId>a/b+c"
                                                "</UploadId></InitiateMultipartUploadResult>"});
    assert_int_equal(cfn_s3_create_multipart_upload(aws, "bkt", "dir/app 1.zip", NULL, &id), 0);
    assert_string_equal(id, "a/b+c");
    assert_string_equal(fake.sent[0].method, "POST");
    assert_string_equal(fake.sent[0].url, "http://127.0.0.1:9/bkt/dir/app%201.zip?uploads=");

    fake_http_push(&fake, (fake_answer){.status = 200, .headers = "ETag: \"e1\"\r\n"});
    assert_int_equal(cfn_s3_upload_part(aws, "bkt", "dir/app 1.zip", id, 1, "abc", 3, etag), 0);
    assert_string_equal(etag, "\"e1\"");
    assert_string_equal(fake.sent[1].method, "PUT");
    assert_string_equal(fake.sent[1].url,
                        "http://127.0.0.1:9/bkt/dir/app%201.zip?partNumber=1&uploadId=a%2Fb%2Bc");
    assert_memory_equal(fake.sent[1].body, "abc", 3);

    fake_http_push(&fake, (fake_answer){.status = 200,
                                        .body = "<CopyPartResult><ETag>&quot;e2&quot;</ETag>"
                                                "</CopyPartResult>"});
    assert_int_equal(cfn_s3_upload_part_copy(aws, "bkt", "dir/app 1.zip", id, 2, "src", "s/k.zip",
                                             NULL, "\"x\"", 0, 5242879, etag),
                     0);
    assert_string_equal(etag, "\"e2\"");
    assert_string_equal(fake.sent[2].url,
                        "http://127.0.0.1:9/bkt/dir/app%201.zip?partNumber=2&uploadId=a%2Fb%2Bc");

    const char etags[2][130] = {"\"e1\"", "\"e2\""};
    fake_http_push(&fake, (fake_answer){.status = 200, .body = "<CompleteMultipartUploadResult/>"});
    assert_int_equal(
        cfn_s3_complete_multipart_upload(aws, "bkt", "dir/app 1.zip", id, etags, 2, true), 0);
    assert_string_equal(fake.sent[3].method, "POST");
    assert_non_null(strstr(fake.sent[3].body, "<Part><PartNumber>1</PartNumber><ETag>\"e1\"</ETag>"
                                              "</Part><Part><PartNumber>2</PartNumber><ETag>"
                                              "\"e2\"</ETag></Part></CompleteMultipartUpload>"));
    assert_string_equal(fake.sent[3].content_type, "application/xml");

    fake_http_push(&fake, (fake_answer){.status = 204});
    assert_int_equal(cfn_s3_abort_multipart_upload(aws, "bkt", "dir/app 1.zip", id), 0);
    assert_string_equal(fake.sent[4].method, "DELETE");
    assert_string_equal(fake.sent[4].url,
                        "http://127.0.0.1:9/bkt/dir/app%201.zip?uploadId=a%2Fb%2Bc");
    free(id);
    cfn_aws_free(aws);
}

static void errors_in_200_answers(void **state)
{
    (void)state;
    cfn_aws *aws;
    char etag[130];
    const char etags[1][130] = {"\"e1\""};
    assert_int_equal(cfn_aws_new(&aws, NULL), 0);
    fake_http_push(&fake, (fake_answer){.status = 200,
                                        .body = "\n\n<Error><Code>InternalError</Code><Message>"
                                                "We encountered an internal error</Message>"
                                                "</Error>"});
    assert_int_equal(
        cfn_s3_upload_part_copy(aws, "bkt", "k", "id", 1, "src", "s", "v1", NULL, 0, 9, etag),
        CFN_ERROR);
    assert_true(cfn_aws_error_is(aws, "InternalError"));
    assert_string_equal(cfn_error_last(),
                        "S3 UploadPartCopy: InternalError: We encountered an internal error");

    fake_http_push(&fake, (fake_answer){.status = 200,
                                        .body = "<Error><Code>SlowDown</Code><Message>Reduce"
                                                "</Message></Error>"});
    assert_int_equal(cfn_s3_complete_multipart_upload(aws, "bkt", "k", "id", etags, 1, false),
                     CFN_ERROR);
    assert_true(cfn_aws_error_is(aws, "SlowDown"));

    /* A conditional completion refused: the code to tell it apart. */
    fake_http_push(&fake, (fake_answer){.status = 412,
                                        .body = "<Error><Code>PreconditionFailed</Code><Message>"
                                                "At least one of the pre-conditions you specified "
                                                "did not hold</Message></Error>"});
    assert_int_equal(cfn_s3_complete_multipart_upload(aws, "bkt", "k", "id", etags, 1, true),
                     CFN_ERROR);
    assert_true(cfn_aws_error_is(aws, "PreconditionFailed"));

    /* No ETag in a copy's answer, no UploadId in a creation's: failures. */
    fake_http_push(&fake, (fake_answer){.status = 200, .body = "<CopyPartResult/>"});
    assert_int_equal(
        cfn_s3_upload_part_copy(aws, "bkt", "k", "id", 1, "src", "s", NULL, NULL, 0, 9, etag),
        CFN_ERROR);
    char *id = NULL;
    fake_http_push(&fake, (fake_answer){.status = 200, .body = "<X/>"});
    assert_int_equal(cfn_s3_create_multipart_upload(aws, "bkt", "k", NULL, &id), CFN_ERROR);
    assert_null(id);
    cfn_aws_free(aws);
}

static void ranged_reads(void **state)
{
    (void)state;
    cfn_aws *aws;
    char *data;
    size_t len;
    assert_int_equal(cfn_aws_new(&aws, NULL), 0);
    fake_http_push(&fake, (fake_answer){.status = 206, .body = "0123456789"});
    assert_int_equal(
        cfn_s3_get_object_range(aws, "bkt", "k", "v 1", "\"e\"", 100, 109, &data, &len), 0);
    assert_int_equal(len, 10);
    assert_memory_equal(data, "0123456789", 10);
    assert_string_equal(fake.sent[0].url, "http://127.0.0.1:9/bkt/k?versionId=v%201");
    free(data);
    /* A short answer is an error, not a short range. */
    fake_http_push(&fake, (fake_answer){.status = 206, .body = "01234"});
    assert_int_equal(cfn_s3_get_object_range(aws, "bkt", "k", NULL, NULL, 0, 9, &data, &len),
                     CFN_EIO);
    assert_int_equal(cfn_s3_get_object_range(aws, "bkt", "k", NULL, NULL, 9, 3, &data, &len),
                     CFN_EINVAL);
    cfn_aws_free(aws);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(upload_lifecycle, setup, fake_http_teardown),
        cmocka_unit_test_setup_teardown(errors_in_200_answers, setup, fake_http_teardown),
        cmocka_unit_test_setup_teardown(ranged_reads, setup, fake_http_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
