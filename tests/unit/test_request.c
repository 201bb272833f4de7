/* Request parsing and validation: direct and SNS requests, every required
 * field, stack name and region. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "request.h"

#include <cfnkit/cfnkit.h>

#define URL   "http://127.0.0.1:9/r?X-Amz-Signature=abc"
#define STACK "arn:aws:cloudformation:eu-west-2:123456789012:stack/my-stack/5b6f2a10"

static const char *create_json =
    "{\"RequestType\":\"Create\",\"ResponseURL\":\"" URL "\",\"StackId\":\"" STACK "\","
    "\"RequestId\":\"req-1\",\"ResourceType\":\"Custom::Echo\",\"LogicalResourceId\":\"Res\","
    "\"ResourceProperties\":{\"ServiceToken\":\"arn:x\",\"Message\":\"hi\"}}";

static void parse_one(const char *json, request *req)
{
    cJSON *obj = cJSON_Parse(json);
    assert_non_null(obj);
    assert_int_equal(cfn__request_init(req, obj), 0);
}

static void direct_create_is_valid(void **state)
{
    (void)state;
    request req;
    parse_one(create_json, &req);
    assert_null(req.invalid);
    assert_int_equal(req.action, CFN_CREATE);
    assert_string_equal(req.response_url, URL);
    assert_string_equal(req.request_id, "req-1");
    assert_string_equal(req.resource_type, "Custom::Echo");
    assert_string_equal(req.logical_id, "Res");
    assert_string_equal(req.stack_name, "my-stack");
    assert_string_equal(req.region, "eu-west-2");
    assert_non_null(req.props);
    assert_null(req.old_props);
    cfn__request_clear(&req);
}

static void missing_fields_are_named(void **state)
{
    (void)state;
    request req;
    parse_one("{\"RequestType\":\"Create\",\"ResponseURL\":\"" URL "\"}", &req);
    assert_non_null(req.response_url);
    assert_non_null(req.invalid);
    assert_non_null(strstr(req.invalid, "StackId"));
    assert_non_null(strstr(req.invalid, "RequestId"));
    assert_non_null(strstr(req.invalid, "ResourceType"));
    assert_non_null(strstr(req.invalid, "LogicalResourceId"));
    assert_non_null(strstr(req.invalid, "ResourceProperties"));
    cfn__request_clear(&req);
}

static void mistyped_field_is_invalid(void **state)
{
    (void)state;
    request req;
    char *json = strdup(create_json);
    char *p = strstr(json, "\"req-1\"");
    memcpy(p, "12345  ", 7); /* RequestId becomes a number */
    parse_one(json, &req);
    assert_non_null(req.invalid);
    assert_non_null(strstr(req.invalid, "RequestId"));
    cfn__request_clear(&req);
    free(json);
}

static void unknown_request_type_is_named(void **state)
{
    (void)state;
    request req;
    char *json = strdup(create_json);
    memcpy(strstr(json, "Create"), "Rename", 6);
    parse_one(json, &req);
    assert_non_null(req.invalid);
    assert_non_null(strstr(req.invalid, "unknown RequestType \"Rename\""));
    cfn__request_clear(&req);
    free(json);
}

static void update_needs_ids_and_old_properties(void **state)
{
    (void)state;
    request req;
    char *json = strdup(create_json);
    memcpy(strstr(json, "Create"), "Update", 6);
    parse_one(json, &req);
    assert_int_equal(req.action, CFN_UPDATE);
    assert_non_null(strstr(req.invalid, "Update request has no PhysicalResourceId"));
    assert_non_null(strstr(req.invalid, "OldResourceProperties"));
    cfn__request_clear(&req);
    free(json);
}

static void delete_needs_physical_id(void **state)
{
    (void)state;
    request req;
    char *json = strdup(create_json);
    memcpy(strstr(json, "Create"), "Delete", 6);
    parse_one(json, &req);
    assert_int_equal(req.action, CFN_DELETE);
    assert_non_null(strstr(req.invalid, "Delete request has no PhysicalResourceId"));
    cfn__request_clear(&req);
    free(json);
}

static void unusable_urls_are_refused(void **state)
{
    (void)state;
    const char *bad[] = {"ftp://x/y", "http://", "http:///path", "http://a b/", "notaurl", ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cJSON *obj = cJSON_Parse(create_json);
        cJSON_ReplaceItemInObject(obj, "ResponseURL", cJSON_CreateString(bad[i]));
        request req;
        assert_int_equal(cfn__request_init(&req, obj), 0);
        assert_null(req.response_url);
        /* Where the answer goes is the delivery's problem, not the request's. */
        assert_null(req.invalid);
        assert_non_null(strstr(req.url_problem, "ResponseURL"));
        cfn__request_clear(&req);
    }
}

static void non_arn_stack_id_gives_a_clean_name(void **state)
{
    (void)state;
    setenv("AWS_REGION", "ap-south-1", 1);
    cJSON *obj = cJSON_Parse(create_json);
    cJSON_ReplaceItemInObject(obj, "StackId", cJSON_CreateString("local stack/../x!"));
    request req;
    assert_int_equal(cfn__request_init(&req, obj), 0);
    assert_string_equal(req.stack_name, "localstackx");
    assert_string_equal(req.region, "ap-south-1");
    cfn__request_clear(&req);
    unsetenv("AWS_REGION");
}

static void split_direct_request(void **state)
{
    (void)state;
    payload_item *items;
    size_t n;
    assert_int_equal(cfn__payload_split(create_json, strlen(create_json), &items, &n), 0);
    assert_int_equal(n, 1);
    assert_non_null(items[0].obj);
    assert_null(items[0].error);
    cfn__payload_free(items, n);
}

static void split_every_sns_record(void **state)
{
    (void)state;
    cJSON *msg = cJSON_Parse(create_json);
    char *inner = cJSON_PrintUnformatted(msg);
    cJSON *root = cJSON_CreateObject();
    cJSON *records = cJSON_AddArrayToObject(root, "Records");
    for (int i = 0; i < 3; i++) {
        cJSON *rec = cJSON_CreateObject();
        cJSON *sns = cJSON_AddObjectToObject(rec, "Sns");
        cJSON_AddStringToObject(sns, "Message", i == 2 ? "{not json" : inner);
        cJSON_AddItemToArray(records, rec);
    }
    char *text = cJSON_PrintUnformatted(root);
    payload_item *items;
    size_t n;
    assert_int_equal(cfn__payload_split(text, strlen(text), &items, &n), 0);
    assert_int_equal(n, 3);
    assert_non_null(items[0].obj);
    assert_non_null(items[1].obj);
    assert_null(items[2].obj);
    assert_non_null(strstr(items[2].error, "SNS record 2: Message is not valid JSON"));
    cfn__payload_free(items, n);
    free(text);
    free(inner);
    cJSON_Delete(root);
    cJSON_Delete(msg);
}

static void split_refuses_garbage(void **state)
{
    (void)state;
    payload_item *items;
    size_t n;
    const char *garbage[] = {"", "{", "[1,2]", "\"text\"", "{\"Records\":[]}"};
    for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
        assert_int_equal(cfn__payload_split(garbage[i], strlen(garbage[i]), &items, &n),
                         CFN_EINVAL);
        assert_int_equal(n, 0);
        assert_true(strlen(cfn_error_last()) > 0);
    }
    assert_int_equal(cfn__payload_split("{\"a\":", 5, &items, &n), CFN_EINVAL);
    assert_non_null(strstr(cfn_error_last(), "not valid JSON"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(direct_create_is_valid),
        cmocka_unit_test(missing_fields_are_named),
        cmocka_unit_test(mistyped_field_is_invalid),
        cmocka_unit_test(unknown_request_type_is_named),
        cmocka_unit_test(update_needs_ids_and_old_properties),
        cmocka_unit_test(delete_needs_physical_id),
        cmocka_unit_test(unusable_urls_are_refused),
        cmocka_unit_test(non_arn_stack_id_gives_a_clean_name),
        cmocka_unit_test(split_direct_request),
        cmocka_unit_test(split_every_sns_record),
        cmocka_unit_test(split_refuses_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
