/* The public helpers for module authors: hex digests, the JSON string getter,
 * the backoff formula and the deadline-bounded sleep. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "fake_http.h"
#include "serve.h"

#include <cfnkit/cfnkit.h>

static void sha256_of_memory_and_files(void **state)
{
    (void)state;
    char hex[CFN_SHA256_HEX_SIZE];
    cfn_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    cfn_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    char path[] = "/tmp/cfnkit-digest-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "abc", 3), 3);
    close(fd);
    long long size = -1;
    char file_hex[CFN_SHA256_HEX_SIZE];
    assert_int_equal(cfn_sha256_file(path, file_hex, &size), 0);
    assert_int_equal(size, 3);
    cfn_sha256_hex("abc", 3, hex);
    assert_string_equal(file_hex, hex);
    unlink(path);
    assert_int_equal(cfn_sha256_file(path, file_hex, &size), CFN_EIO);
    assert_non_null(strstr(cfn_error_last(), path));
}

static void json_string_getter(void **state)
{
    (void)state;
    cJSON *o = cJSON_Parse("{\"Name\":\"x\",\"N\":1,\"name\":\"lower\"}");
    assert_string_equal(cfn_json_string(o, "Name"), "x");
    assert_string_equal(cfn_json_string(o, "name"), "lower");
    assert_null(cfn_json_string(o, "N"));
    assert_null(cfn_json_string(o, "Missing"));
    assert_null(cfn_json_string(NULL, "Name"));
    cJSON *list = cJSON_Parse("[\"Name\"]");
    assert_null(cfn_json_string(list, "Name"));
    cJSON_Delete(list);
    cJSON_Delete(o);
}

static void backoff_is_full_jitter(void **state)
{
    (void)state;
    /* The bound doubles from the base up to the cap, and draws spread over
     * all of [0, bound]: "equal jitter" would never go below half of it. */
    int64_t bounds[] = {100, 200, 400, 800, 1000, 1000};
    for (int attempt = 0; attempt < 6; attempt++) {
        int64_t low = bounds[attempt], high = 0;
        for (int i = 0; i < 2000; i++) {
            int64_t w = cfn_backoff_ms(attempt, 100, 1000);
            assert_true(w >= 0 && w <= bounds[attempt]);
            low = w < low ? w : low;
            high = w > high ? w : high;
        }
        assert_true(low < bounds[attempt] / 4);
        assert_true(high > bounds[attempt] * 3 / 4);
    }
    assert_true(cfn_backoff_ms(80, 100, 1000) <= 1000); /* no overflow */
    assert_int_equal(cfn_backoff_ms(3, 0, 1000), 0);
}

static int sleeper(cfn_ctx *ctx)
{
    /* A short sleep fits; one longer than the time left returns at once. */
    if (cfn_sleep(ctx, 20) != 0)
        return cfn_fail(ctx, "a 20 ms sleep did not fit");
    int64_t before = cfn__clock_mono_ms();
    if (cfn_sleep(ctx, 60000) != CFN_ETIMEOUT)
        return cfn_fail(ctx, "a 60 s sleep did not time out");
    if (cfn__clock_mono_ms() - before > 1000)
        return cfn_fail(ctx, "the sleep that cannot fit slept anyway");
    return cfn_set_data(ctx, "Slept", "yes");
}

static const cfn_resource_type sleepy = {
    .type = "Custom::Sleepy", .create = sleeper, .remove = sleeper};

static void sleep_is_bounded_by_the_deadline(void **state)
{
    (void)state;
    assert_int_equal(cfn_register(&sleepy), 0);
    const char *req =
        "{\"RequestType\":\"Create\",\"ResponseURL\":\"http://127.0.0.1:9/r\","
        "\"StackId\":\"arn:aws:cloudformation:us-east-1:1:stack/s/u\",\"RequestId\":\"q\","
        "\"ResourceType\":\"Custom::Sleepy\",\"LogicalResourceId\":\"L\",\"ResourceProperties\":{}"
        "}";
    assert_int_equal(cfn__serve_payload(req, strlen(req), cfn__clock_mono_ms() + 10000, NULL, NULL),
                     0);
    assert_int_equal(fake.nsent, 1);
    assert_non_null(strstr(fake.sent[0].body, "\"Slept\":\"yes\""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sha256_of_memory_and_files),
        cmocka_unit_test(json_string_getter),
        cmocka_unit_test(backoff_is_full_jitter),
        FAKE_TEST(sleep_is_bounded_by_the_deadline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
