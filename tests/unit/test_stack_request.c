/* Requests as CloudFormation builds them (framework/src/stack/request.h):
 * custom resources get every property as a string with ServiceToken first
 * (UserGuide/crpg-ref-requests.html), natives get the resolved JSON; stack
 * ARNs and RequestIds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cfnkit/error.h>

#include "request.h"

static const char *field(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void test_stringify(void **state)
{
    (void)state;
    cJSON *in = cJSON_Parse("{\"N\":8080,\"F\":1.5,\"Big\":1e300,\"B\":true,\"Z\":null,"
                            "\"L\":[1,null,false,{\"x\":0.1}],\"S\":\"s\"}");
    cJSON *out = stk_stringify(in);
    char *text = cJSON_PrintUnformatted(out);
    assert_string_equal(text, "{\"N\":\"8080\",\"F\":\"1.5\",\"Big\":\"1e+300\",\"B\":\"true\","
                              "\"L\":[\"1\",\"false\",{\"x\":\"0.1\"}],\"S\":\"s\"}");
    free(text);
    cJSON_Delete(out);
    cJSON_Delete(in);
}

static void test_stack_arn(void **state)
{
    (void)state;
    char *a = NULL, *b = NULL, *c = NULL;
    assert_int_equal(stk_stack_arn("eu-west-1", "123456789012", "web", &a), 0);
    assert_int_equal(stk_stack_arn("eu-west-1", "123456789012", "web", &b), 0);
    assert_int_equal(stk_stack_arn("cn-north-1", "123456789012", "web", &c), 0);
    assert_string_equal(a, b);
    assert_int_equal(strncmp(a, "arn:aws:cloudformation:eu-west-1:123456789012:stack/web/", 56), 0);
    assert_int_equal(strlen(a), 56 + 36);
    assert_int_equal(strncmp(c, "arn:aws-cn:cloudformation:cn-north-1:", 37), 0);
    free(a);
    free(b);
    free(c);
    assert_string_equal(stk_partition("us-gov-west-1"), "aws-us-gov");
}

static void test_uuid(void **state)
{
    (void)state;
    char a[37], b[37];
    stk_uuid(a);
    stk_uuid(b);
    assert_int_equal(strlen(a), 36);
    assert_string_not_equal(a, b);
    assert_int_equal(a[14], '4');
    assert_non_null(strchr("89ab", a[19]));
}

static void test_custom_update(void **state)
{
    (void)state;
    cJSON *props = cJSON_Parse("{\"Port\":80,\"ServiceToken\":\"arn:t\"}");
    cJSON *old = cJSON_Parse("{\"Port\":81,\"ServiceToken\":\"arn:t\"}");
    stk_event e = {.request_type = "Update",
                   .stack_id = "arn:aws:cloudformation:us-east-1:1:stack/s/u",
                   .logical_id = "Res",
                   .resource_type = "Custom::X",
                   .physical_id = "id-1",
                   .request_id = "r-1",
                   .response_url = "http://127.0.0.1:1/b/k",
                   .properties = props,
                   .old_properties = old};
    cJSON *ev = NULL;
    assert_int_equal(stk_event_build(&e, &ev), 0);
    assert_string_equal(field(ev, "RequestType"), "Update");
    assert_string_equal(field(ev, "ServiceToken"), "arn:t");
    assert_string_equal(field(ev, "RequestId"), "r-1");
    assert_string_equal(field(ev, "PhysicalResourceId"), "id-1");
    assert_string_equal(field(ev, "ResponseURL"), "http://127.0.0.1:1/b/k");
    const cJSON *p = cJSON_GetObjectItem(ev, "ResourceProperties");
    const cJSON *o = cJSON_GetObjectItem(ev, "OldResourceProperties");
    assert_string_equal(field(p, "Port"), "80");
    assert_string_equal(field(o, "Port"), "81");
    cJSON_Delete(ev);
    cJSON_Delete(props);
    cJSON_Delete(old);
}

static void test_custom_create_adds_the_token_first(void **state)
{
    (void)state;
    cJSON *props = cJSON_Parse("{\"A\":true}");
    stk_event e = {.request_type = "Create",
                   .stack_id = "s",
                   .logical_id = "Res",
                   .resource_type = "Custom::X",
                   .physical_id = "ignored on create",
                   .response_url = "u",
                   .service_token = "arn:default",
                   .properties = props};
    cJSON *ev = NULL;
    assert_int_equal(stk_event_build(&e, &ev), 0);
    const cJSON *p = cJSON_GetObjectItem(ev, "ResourceProperties");
    assert_string_equal(p->child->string, "ServiceToken");
    assert_string_equal(field(p, "A"), "true");
    assert_null(cJSON_GetObjectItem(ev, "PhysicalResourceId"));
    assert_null(cJSON_GetObjectItem(ev, "OldResourceProperties"));
    assert_int_equal(strlen(field(ev, "RequestId")), 36);
    cJSON_Delete(ev);
    cJSON_Delete(props);
}

static void test_native_properties_as_given(void **state)
{
    (void)state;
    cJSON *props = cJSON_Parse("{\"Size\":3,\"On\":false,\"Tags\":[{\"Key\":\"k\"}]}");
    stk_event e = {.request_type = "Delete",
                   .stack_id = "s",
                   .logical_id = "Res",
                   .resource_type = "AWS::S3::Bucket",
                   .physical_id = "b",
                   .response_url = "u",
                   .properties = props,
                   .as_given = true};
    cJSON *ev = NULL;
    assert_int_equal(stk_event_build(&e, &ev), 0);
    assert_true(cJSON_Compare(cJSON_GetObjectItem(ev, "ResourceProperties"), props, 1));
    assert_null(cJSON_GetObjectItem(ev, "ServiceToken"));
    cJSON_Delete(ev);
    cJSON_Delete(props);
    assert_true(stk_type_is_custom("Custom::X"));
    assert_true(stk_type_is_custom("AWS::CloudFormation::CustomResource"));
    assert_false(stk_type_is_custom("AWS::CloudFormation::WaitConditionHandle"));
}

static void test_bad_requests(void **state)
{
    (void)state;
    cJSON *ev = NULL, *list = cJSON_Parse("[1]");
    stk_event e = {.request_type = "Remove",
                   .stack_id = "s",
                   .logical_id = "Res",
                   .resource_type = "Custom::X",
                   .response_url = "u"};
    assert_true(stk_event_build(&e, &ev) < 0);
    assert_non_null(strstr(cfn_error_last(), "no request type Remove"));
    e.request_type = "Delete";
    assert_true(stk_event_build(&e, &ev) < 0);
    assert_non_null(strstr(cfn_error_last(), "a Delete request needs a physical id"));
    e.request_type = "Create";
    e.properties = list;
    assert_true(stk_event_build(&e, &ev) < 0);
    assert_non_null(strstr(cfn_error_last(), "properties must be a JSON object"));
    e.properties = NULL;
    e.response_url = NULL;
    assert_true(stk_event_build(&e, &ev) < 0);
    assert_null(ev);
    cJSON_Delete(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stringify),
        cmocka_unit_test(test_stack_arn),
        cmocka_unit_test(test_uuid),
        cmocka_unit_test(test_custom_update),
        cmocka_unit_test(test_custom_create_adds_the_token_first),
        cmocka_unit_test(test_native_properties_as_given),
        cmocka_unit_test(test_bad_requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
