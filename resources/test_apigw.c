/* apigw.c on a scripted transport: listings read every page, and stop with
 * a clear error when the answers never end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "apigw.h"
#include "fake_http.h"

static int setup(void **state)
{
    unsetenv("AWS_MAX_ATTEMPTS");
    unsetenv("AWS_SESSION_TOKEN");
    setenv("HOME", "/nonexistent", 1);
    setenv("AWS_REGION", "us-east-1", 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9", 1);
    return fake_http_setup(state);
}

static void every_page_is_read(void **state)
{
    (void)state;
    cfn_aws *aws;
    assert_int_equal(cfn_aws_new(&aws, NULL), 0);
    fake_http_push(&fake, (fake_answer){.status = 200,
                                        .body = "{\"item\":[{\"id\":\"a\"}],\"position\":\"p1\"}"});
    fake_http_push(&fake, (fake_answer){.status = 200, .body = "{\"item\":[{\"id\":\"b\"}]}"});
    cJSON *all = apigw_list(aws, "GetResources", "api1");
    assert_non_null(all);
    assert_int_equal(cJSON_GetArraySize(all), 2);
    assert_non_null(strstr(fake.sent[1].url, "position=p1"));
    cJSON_Delete(all);
    cfn_aws_free(aws);
}

/* An endpoint that always gives another position: a bounded number of
 * pages, then an error naming the call (it looped forever). */
static void endless_listing_stops(void **state)
{
    (void)state;
    cfn_aws *aws;
    assert_int_equal(cfn_aws_new(&aws, NULL), 0);
    fake.fallback = (fake_answer){.status = 200, .body = "{\"item\":[],\"position\":\"again\"}"};
    assert_null(apigw_list(aws, "GetRestApis", NULL));
    assert_string_equal(cfn_error_last(), "API Gateway GetRestApis: still more after 1000 pages "
                                          "of 500");
    cfn_aws_free(aws);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, fake_http_teardown)
    const struct CMUnitTest tests[] = {T(every_page_is_read), T(endless_listing_stops)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
