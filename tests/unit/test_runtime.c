/* The Lambda Runtime API loop against a scripted Runtime API: invocations
 * answered, undeliverable ones reported as errors, implausible deadlines
 * replaced, and a clean exit when the API goes away. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_http.h"
#include "clock.h"
#include "runtime.h"

#include <cfnkit/cfnkit.h>

static int hang_or_echo(cfn_ctx *ctx)
{
    const char *mode;
    if (cfn_prop_string_or(ctx, "Mode", "echo", &mode) < 0)
        return -1;
    if (strcmp(mode, "hang") == 0)
        for (;;)
            pause();
    return cfn_set_data(ctx, "Mode", mode);
}

static const cfn_resource_type type = {
    .type = "Custom::T", .create = hang_or_echo, .update = hang_or_echo, .remove = hang_or_echo};

#define NEXT_HEADERS(id, deadline)                                                                 \
    "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: " id "\r\n"                                 \
    "Lambda-Runtime-Deadline-Ms: " deadline "\r\nLambda-Runtime-Trace-Id: Root=1-abc\r\n\r\n"

static const char *request_json(const char *mode)
{
    static char buf[1024];
    snprintf(
        buf, sizeof(buf),
        "{\"RequestType\":\"Create\",\"ResponseURL\":\"http://127.0.0.1:9/r?X-Amz-Signature=s\","
        "\"StackId\":\"arn:aws:cloudformation:us-east-1:1:stack/s/u\",\"RequestId\":\"q\","
        "\"ResourceType\":\"Custom::T\",\"LogicalResourceId\":\"L\","
        "\"ResourceProperties\":{\"Mode\":\"%s\"}}",
        mode);
    return buf;
}

/* The API goes away after the scripted answers: three refused connections. */
static void then_api_gone(void)
{
    for (int i = 0; i < 3; i++)
        fake_http_push(&fake, (fake_answer){.transport_error = 1});
}

static int teardown(void **state)
{
    unsetenv("AWS_LAMBDA_FUNCTION_TIMEOUT");
    return fake_http_teardown(state);
}

static void no_types_is_an_init_error(void **state)
{
    (void)state;
    assert_int_equal(cfn__runtime_run("127.0.0.1:9001"), 1);
    assert_int_equal(fake.nsent, 1);
    assert_string_equal(fake.sent[0].url, "http://127.0.0.1:9001/2018-06-01/runtime/init/error");
    assert_string_equal(fake.sent[0].error_type, "cfnkit.InitError");
}

static void invocation_is_served_and_reported(void **state)
{
    (void)state;
    char deadline[32];
    snprintf(deadline, sizeof(deadline), "%lld", (long long)(cfn__clock_epoch_ms() + 60000));
    char headers[256];
    snprintf(headers, sizeof(headers), NEXT_HEADERS("inv-1", "%s"), deadline);
    fake_http_push(&fake,
                   (fake_answer){.status = 200, .body = request_json("echo"), .headers = headers});
    fake_http_push(&fake, (fake_answer){.status = 200}); /* the response PUT */
    fake_http_push(&fake, (fake_answer){.status = 202}); /* POST .../response */
    then_api_gone();
    assert_int_equal(cfn__runtime_run("127.0.0.1:9001"), 0);
    assert_string_equal(fake.sent[0].method, "GET");
    assert_string_equal(fake.sent[0].url,
                        "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next");
    assert_string_equal(fake.sent[1].method, "PUT");
    assert_string_equal(fake.sent[2].method, "POST");
    assert_string_equal(fake.sent[2].url,
                        "http://127.0.0.1:9001/2018-06-01/runtime/invocation/inv-1/response");
    cJSON *o = cJSON_Parse(fake.sent[2].body);
    cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "responses"), 0);
    assert_string_equal(cJSON_GetObjectItem(first, "Status")->valuestring, "SUCCESS");
    cJSON_Delete(o);
    assert_string_equal(getenv("_X_AMZN_TRACE_ID"), "Root=1-abc");
    /* GET next, PUT, POST, then the three refused GETs. */
    assert_int_equal(fake.nsent, 6);
}

static void undeliverable_invocation_is_an_error(void **state)
{
    (void)state;
    fake_http_push(&fake, (fake_answer){.status = 200,
                                        .body = "{\"RequestType\":\"Create\"}",
                                        .headers = NEXT_HEADERS("inv-2", "5000")});
    fake_http_push(&fake, (fake_answer){.status = 202});
    then_api_gone();
    assert_int_equal(cfn__runtime_run("127.0.0.1:9001"), 0);
    assert_string_equal(fake.sent[1].url,
                        "http://127.0.0.1:9001/2018-06-01/runtime/invocation/inv-2/error");
    assert_string_equal(fake.sent[1].error_type, "cfnkit.ResponseNotDelivered");
    assert_non_null(strstr(fake.sent[1].body, "no ResponseURL"));
}

static void implausible_deadline_uses_the_function_timeout(void **state)
{
    (void)state;
    setenv("AWS_LAMBDA_FUNCTION_TIMEOUT", "2", 1);
    /* @vercel/fun sends the literal 5000: taken as epoch ms, it is long past. */
    fake_http_push(&fake, (fake_answer){.status = 200,
                                        .body = request_json("hang"),
                                        .headers = NEXT_HEADERS("inv-3", "5000")});
    fake_http_push(&fake, (fake_answer){.status = 200});
    fake_http_push(&fake, (fake_answer){.status = 202});
    then_api_gone();
    assert_int_equal(cfn__runtime_run("127.0.0.1:9001"), 0);
    assert_string_equal(fake.sent[1].method, "PUT");
    assert_non_null(strstr(fake.sent[1].body, "timed out after 1.0 s"));
    assert_non_null(strstr(fake.sent[2].url, "/invocation/inv-3/response"));
}

static void invocation_without_request_id_is_skipped(void **state)
{
    (void)state;
    fake_http_push(&fake, (fake_answer){.status = 200,
                                        .body = request_json("echo"),
                                        .headers = "HTTP/1.1 200 OK\r\n\r\n"});
    then_api_gone();
    assert_int_equal(cfn__runtime_run("127.0.0.1:9001"), 0);
    assert_int_equal(fake.nsent, 4); /* no PUT: nothing can be reported for it */
}

static int register_type(void **state)
{
    (void)state;
    return cfn_register(&type);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fake_http_setup, teardown)
    const struct CMUnitTest before[] = {
        T(no_types_is_an_init_error),
    };
    const struct CMUnitTest after[] = {
        T(invocation_is_served_and_reported),
        T(undeliverable_invocation_is_an_error),
        T(implausible_deadline_uses_the_function_timeout),
        T(invocation_without_request_id_is_skipped),
    };
    int failed = cmocka_run_group_tests_name("runtime without types", before, NULL, NULL);
    failed += cmocka_run_group_tests_name("runtime", after, register_type, NULL);
    return failed;
}
