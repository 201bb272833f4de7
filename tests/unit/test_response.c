/* Response bodies: exact fields, the 4096-byte limit, Reason cleaning and
 * shortening, and the physical id rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "physid.h"
#include "response.h"

#include <cfnkit/cfnkit.h>

static response_fields fields(void)
{
    response_fields f = {.success = true,
                         .physical_id = "phys-1",
                         .stack_id = "arn:aws:cloudformation:us-east-1:1:stack/s/u",
                         .request_id = "req-1",
                         .logical_id = "Res"};
    return f;
}

static void success_body_has_exact_fields(void **state)
{
    (void)state;
    response_fields f = fields();
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "Port", "10001");
    f.data = data;
    char *body;
    size_t len;
    assert_int_equal(cfn__response_build(&f, &body, &len), 0);
    assert_string_equal(body, "{\"Status\":\"SUCCESS\",\"PhysicalResourceId\":\"phys-1\","
                              "\"StackId\":\"arn:aws:cloudformation:us-east-1:1:stack/s/u\","
                              "\"RequestId\":\"req-1\",\"LogicalResourceId\":\"Res\","
                              "\"NoEcho\":false,\"Data\":{\"Port\":\"10001\"}}");
    assert_int_equal(len, strlen(body));
    free(body);
    cJSON_Delete(data);
}

static void failed_body_has_reason(void **state)
{
    (void)state;
    response_fields f = fields();
    f.success = false;
    f.reason = "pool web is full";
    f.noecho = true;
    char *body;
    size_t len;
    assert_int_equal(cfn__response_build(&f, &body, &len), 0);
    cJSON *o = cJSON_Parse(body);
    assert_string_equal(cJSON_GetObjectItem(o, "Status")->valuestring, "FAILED");
    assert_string_equal(cJSON_GetObjectItem(o, "Reason")->valuestring, "pool web is full");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(o, "NoEcho")));
    assert_null(cJSON_GetObjectItem(o, "Data"));
    cJSON_Delete(o);
    free(body);
}

static void empty_physical_id_is_refused(void **state)
{
    (void)state;
    response_fields f = fields();
    f.physical_id = "";
    char *body;
    size_t len;
    assert_int_equal(cfn__response_build(&f, &body, &len), CFN_EINVAL);
    /* With a reason too: nothing is left allocated (the sanitizer build). */
    f.success = false;
    f.reason = "failed";
    assert_int_equal(cfn__response_build(&f, &body, &len), CFN_EINVAL);
    assert_null(body);
}

static void reason_loses_control_characters_keeps_utf8(void **state)
{
    (void)state;
    char *r = cfn__reason_clean(
        "bad\x1b[31m value\r\nline\ttwo caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    assert_string_equal(r, "bad[31m value line two caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    free(r);
    r = cfn__reason_clean("x\xff\xc3y\xc2\x85z\x7f");
    assert_string_equal(r, "x\xef\xbf\xbd\xef\xbf\xbdyz");
    free(r);
    r = cfn__reason_clean("\xed\xa0\x80s\xe0\x80\xafo"); /* a surrogate and an overlong '/' */
    assert_null(strchr(r, '/'));
    assert_non_null(strstr(r, "s"));
    free(r);
}

static void long_reason_is_shortened_with_marker(void **state)
{
    (void)state;
    size_t n = 20000;
    char *reason = malloc(n + 1);
    /* Multi-byte characters, so a cut could land inside one. */
    for (size_t i = 0; i + 2 <= n; i += 2)
        memcpy(reason + i, "\xc3\xa9", 2);
    reason[n] = '\0';
    response_fields f = fields();
    f.success = false;
    f.reason = reason;
    char *body;
    size_t len;
    assert_int_equal(cfn__response_build(&f, &body, &len), 0);
    assert_true(len <= CFN_MAX_RESPONSE_BYTES);
    assert_true(len > CFN_MAX_RESPONSE_BYTES - 16); /* it uses the room it has */
    cJSON *o = cJSON_Parse(body);
    assert_non_null(o); /* still valid JSON, so valid UTF-8 was kept whole */
    const char *got = cJSON_GetObjectItem(o, "Reason")->valuestring;
    assert_non_null(strstr(got, "[truncated; the full reason is in the provider's log]"));
    assert_int_equal(strncmp(got, "\xc3\xa9\xc3\xa9", 4), 0);
    cJSON_Delete(o);
    free(body);
    free(reason);
}

static void escaped_reason_is_fitted_on_its_json_length(void **state)
{
    (void)state;
    /* Quotes take two bytes each in JSON: the fit must count the escaped form. */
    char reason[5000];
    memset(reason, '"', sizeof(reason) - 1);
    reason[sizeof(reason) - 1] = '\0';
    response_fields f = fields();
    f.success = false;
    f.reason = reason;
    char *body;
    size_t len;
    assert_int_equal(cfn__response_build(&f, &body, &len), 0);
    assert_true(len <= CFN_MAX_RESPONSE_BYTES);
    free(body);
}

static void oversize_data_turns_into_failed(void **state)
{
    (void)state;
    char big[5000];
    memset(big, 'd', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "Big", big);
    response_fields f = fields();
    f.data = data;
    char *body;
    size_t len;
    assert_int_equal(cfn__response_build(&f, &body, &len), 0);
    assert_false(f.success);
    cJSON *o = cJSON_Parse(body);
    assert_string_equal(cJSON_GetObjectItem(o, "Status")->valuestring, "FAILED");
    assert_null(cJSON_GetObjectItem(o, "Data"));
    assert_non_null(
        strstr(cJSON_GetObjectItem(o, "Reason")->valuestring, "response Data is too large"));
    /* The handler's id is kept: what it made is deleted through it later. */
    assert_string_equal(cJSON_GetObjectItem(o, "PhysicalResourceId")->valuestring, "phys-1");
    cJSON_Delete(o);
    free(body);
    cfn__response_fields_clear(&f);
    cJSON_Delete(data);
}

/* Each build's reason is its own: a second build does not rewrite the
 * first one's (no buffer shared between calls). */
static void data_reasons_are_not_shared(void **state)
{
    (void)state;
    char big[6000];
    response_fields f[2];
    cJSON *data[2];
    char *body[2], *first;
    size_t len;
    for (int i = 0; i < 2; i++) {
        memset(big, 'd', sizeof(big));
        big[5000 + 900 * i] = '\0';
        data[i] = cJSON_CreateObject();
        cJSON_AddStringToObject(data[i], "Big", big);
        f[i] = fields();
        f[i].data = data[i];
        assert_int_equal(cfn__response_build(&f[i], &body[i], &len), 0);
        if (i == 0)
            first = strdup(f[0].reason);
    }
    assert_ptr_not_equal(f[0].reason, f[1].reason);
    assert_string_equal(f[0].reason, first);
    assert_string_not_equal(f[0].reason, f[1].reason);
    for (int i = 0; i < 2; i++) {
        free(body[i]);
        cfn__response_fields_clear(&f[i]);
        assert_null(f[i].reason);
        cJSON_Delete(data[i]);
    }
    free(first);
}

static void request_with(request *req, const char *stack, const char *logical, const char *id)
{
    memset(req, 0, sizeof(*req));
    req->stack_id = stack;
    req->logical_id = logical;
    req->request_id = id;
    snprintf(req->stack_name, sizeof(req->stack_name), "%s", "my-stack");
}

static void generated_ids_are_stable_and_distinct(void **state)
{
    (void)state;
    request a, b, c;
    request_with(&a, "arn:s", "WebPort", "req-1");
    request_with(&b, "arn:s", "WebPort", "req-1");
    request_with(&c, "arn:s", "WebPort", "req-2");
    char *ia = cfn__physid_generate(&a), *ib = cfn__physid_generate(&b),
         *ic = cfn__physid_generate(&c);
    assert_string_equal(ia, ib);
    assert_string_not_equal(ia, ic);
    assert_int_equal(strncmp(ia, "my-stack-WebPort-", 17), 0);
    assert_int_equal(strlen(ia), 17 + 13);
    assert_int_equal(strspn(ia + 17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 13);
    free(ia);
    free(ib);
    free(ic);
}

static void generated_ids_stay_under_the_limit(void **state)
{
    (void)state;
    char logical[2000];
    memset(logical, 'L', sizeof(logical) - 1);
    logical[sizeof(logical) - 1] = '\0';
    request r;
    request_with(&r, "arn:s", logical, "req-1");
    char *id = cfn__physid_generate(&r);
    assert_true(strlen(id) <= CFN_MAX_PHYSICAL_ID_BYTES);
    free(id);
}

static void failed_create_marker(void **state)
{
    (void)state;
    request r;
    request_with(&r, "arn:s", "WebPort", "req-9");
    char *id = cfn__physid_failed_create(&r);
    assert_string_equal(id, "cfnkit-failed-create-WebPort-req-9");
    /* The Delete that follows has its own RequestId, of the same shape. */
    request del, other;
    request_with(&del, "arn:s", "WebPort", "del-1");
    request_with(&other, "arn:s", "Other", "del-1");
    assert_true(cfn__physid_is_failed_create(&del, id));
    assert_false(cfn__physid_is_failed_create(&other, id));
    assert_false(cfn__physid_is_failed_create(&del, "web-10042"));
    assert_false(cfn__physid_is_failed_create(&del, NULL));
    /* What a property could make: no RequestId of the right shape. */
    assert_false(cfn__physid_is_failed_create(&del, "cfnkit-failed-create-web"));
    assert_false(cfn__physid_is_failed_create(&del, "cfnkit-failed-create-WebPort-web"));
    assert_false(cfn__physid_is_failed_create(&del, "cfnkit-failed-create-WebPort-a/b-1"));
    assert_true(cfn__physid_reserved("cfnkit-failed-create-web-10042"));
    assert_false(cfn__physid_reserved("web-10042"));
    free(id);
}

static void redacted_urls_have_no_query(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(
        cfn_redact_url("https://b.s3.amazonaws.com/k?X-Amz-Signature=s", buf, sizeof(buf)),
        "https://b.s3.amazonaws.com/k");
    assert_string_equal(cfn_redact_url("http://h/p#frag?x", buf, sizeof(buf)), "http://h/p");
    assert_string_equal(cfn_redact_url("http://h/p", buf, 5), "http");
    /* Userinfo is a credential too (issue #14.6), whatever its form. */
    assert_string_equal(cfn_redact_url("https://user:pw@h.example/k?q", buf, sizeof(buf)),
                        "https://[userinfo]@h.example/k");
    assert_string_equal(cfn_redact_url("https://a@b@h/k", buf, sizeof(buf)),
                        "https://[userinfo]@h/k");
    assert_string_equal(cfn_redact_url("https://h/k@v", buf, sizeof(buf)), "https://h/k@v");
    assert_string_equal(cfn_redact_url("https://u:p@h", buf, sizeof(buf)), "https://[userinfo]@h");
    assert_string_equal(cfn_redact_url("https://u\\@h/", buf, sizeof(buf)),
                        "https://[userinfo]@h/");
    assert_string_equal(cfn_redact_url("https://secret@h/", buf, 12), "https://[us");
}

/* Issue #14.5: Data that bypassed the setters (a report read back from the
 * worker) turns the response FAILED naming the key; ids echoed from the
 * request are repaired; the body is always valid UTF-8. */
static void invalid_utf8_never_reaches_the_body(void **state)
{
    (void)state;
    response_fields f = fields();
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "Good", "yes");
    cJSON_AddStringToObject(data, "Bad", "x\xff");
    f.data = data;
    f.logical_id = "Res\xc3";
    char *body;
    size_t len;
    assert_int_equal(cfn__response_build(&f, &body, &len), 0);
    assert_true(cfn__utf8_valid(body, true));
    cJSON *o = cJSON_Parse(body);
    assert_string_equal(cJSON_GetObjectItem(o, "Status")->valuestring, "FAILED");
    assert_non_null(strstr(cJSON_GetObjectItem(o, "Reason")->valuestring, "Data.Bad"));
    assert_null(cJSON_GetObjectItem(o, "Data"));
    assert_string_equal(cJSON_GetObjectItem(o, "LogicalResourceId")->valuestring,
                        "Res\xef\xbf\xbd");
    cJSON_Delete(o);
    free(body);
    cfn__response_fields_clear(&f);
    cJSON_Delete(data);

    assert_true(cfn__utf8_valid("", false));
    assert_false(cfn__utf8_valid("\xf4\x90\x80\x80", true)); /* past U+10FFFF */
    assert_false(cfn__utf8_valid("\x7f", false));
    assert_true(cfn__utf8_valid("\x7f", true));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(success_body_has_exact_fields),
        cmocka_unit_test(failed_body_has_reason),
        cmocka_unit_test(empty_physical_id_is_refused),
        cmocka_unit_test(reason_loses_control_characters_keeps_utf8),
        cmocka_unit_test(long_reason_is_shortened_with_marker),
        cmocka_unit_test(escaped_reason_is_fitted_on_its_json_length),
        cmocka_unit_test(oversize_data_turns_into_failed),
        cmocka_unit_test(data_reasons_are_not_shared),
        cmocka_unit_test(generated_ids_are_stable_and_distinct),
        cmocka_unit_test(generated_ids_stay_under_the_limit),
        cmocka_unit_test(failed_create_marker),
        cmocka_unit_test(redacted_urls_have_no_query),
        cmocka_unit_test(invalid_utf8_never_reaches_the_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
