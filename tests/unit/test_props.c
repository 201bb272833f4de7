/* Property getters: CloudFormation's strings coerced to int, bool, list and
 * map; nested paths; failures that name the property. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "clock.h"
#include "ctx.h"

#include <cfnkit/cfnkit.h>

typedef struct fixture {
    request req;
    cfn_ctx ctx;
} fixture;

static int setup(void **state)
{
    static fixture f;
    const char *json =
        "{\"RequestType\":\"Update\",\"ResponseURL\":\"http://127.0.0.1/r\",\"StackId\":\"s\","
        "\"RequestId\":\"r\",\"ResourceType\":\"Custom::T\",\"LogicalResourceId\":\"L\","
        "\"PhysicalResourceId\":\"p\",\"ResourceProperties\":{\"Port\":\"8080\",\"Num\":42,"
        "\"Neg\":\" -7 \",\"Big\":\"99999999999999999999\",\"Frac\":1.5,\"Bad\":\"80x\","
        "\"Empty\":\"\",\"On\":\"true\",\"Off\":\"FALSE\",\"Yes\":\"yes\",\"Flag\":true,"
        "\"Gone\":null,\"List\":[\"a\",\"b\"],\"Map\":{\"K\":\"v\",\"Inner\":{\"Deep\":\"7\"}},"
        "\"Layers\":[{\"Arn\":\"x\"}]},"
        "\"OldResourceProperties\":{\"Port\":\"9090\"}}";
    assert_int_equal(cfn__request_init(&f.req, cJSON_Parse(json)), 0);
    assert_null(f.req.invalid);
    cfn__ctx_init(&f.ctx, &f.req, cfn__clock_mono_ms() + 1000);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    cfn__ctx_clear(&f->ctx);
    cfn__request_clear(&f->req);
    return 0;
}

static void ints_coerce_from_strings_and_numbers(void **state)
{
    cfn_ctx *ctx = &((fixture *)*state)->ctx;
    long long v;
    assert_int_equal(cfn_prop_int(ctx, "Port", &v), 0);
    assert_int_equal(v, 8080);
    assert_int_equal(cfn_prop_int(ctx, "Num", &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(cfn_prop_int(ctx, "Neg", &v), 0);
    assert_int_equal(v, -7);
    assert_int_equal(cfn_prop_int(ctx, "Map.Inner.Deep", &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(cfn_prop_int_or(ctx, "Absent", 5, &v), 0);
    assert_int_equal(v, 5);
    assert_int_equal(cfn_prop_int_or(ctx, "Gone", 6, &v), 0);
    assert_int_equal(v, 6);
}

static void bad_ints_name_the_property(void **state)
{
    cfn_ctx *ctx = &((fixture *)*state)->ctx;
    long long v;
    assert_int_equal(cfn_prop_int(ctx, "Bad", &v), CFN_EINVAL);
    assert_string_equal(cfn_reason(ctx), "property Bad must be an integer, got \"80x\"");
    assert_int_equal(cfn_prop_int(ctx, "Big", &v), CFN_EINVAL);
    assert_non_null(strstr(cfn_reason(ctx), "property Big must be an integer"));
    assert_int_equal(cfn_prop_int(ctx, "Frac", &v), CFN_EINVAL);
    assert_string_equal(cfn_reason(ctx), "property Frac must be an integer, got a number");
    assert_int_equal(cfn_prop_int(ctx, "Empty", &v), CFN_EINVAL);
    assert_int_equal(cfn_prop_int(ctx, "List", &v), CFN_EINVAL);
    assert_string_equal(cfn_reason(ctx), "property List must be an integer, got a list");
    assert_int_equal(cfn_prop_int(ctx, "Absent", &v), CFN_EINVAL);
    assert_string_equal(cfn_reason(ctx), "property Absent is required but missing");
    /* A present but mistyped value fails even with a fallback. */
    assert_int_equal(cfn_prop_int_or(ctx, "Bad", 1, &v), CFN_EINVAL);
}

static void bools_coerce(void **state)
{
    cfn_ctx *ctx = &((fixture *)*state)->ctx;
    bool b;
    assert_int_equal(cfn_prop_bool(ctx, "On", &b), 0);
    assert_true(b);
    assert_int_equal(cfn_prop_bool(ctx, "Off", &b), 0);
    assert_false(b);
    assert_int_equal(cfn_prop_bool(ctx, "Flag", &b), 0);
    assert_true(b);
    assert_int_equal(cfn_prop_bool_or(ctx, "Absent", true, &b), 0);
    assert_true(b);
    assert_int_equal(cfn_prop_bool(ctx, "Yes", &b), CFN_EINVAL);
    assert_string_equal(cfn_reason(ctx),
                        "property Yes must be a boolean (\"true\" or \"false\"), got \"yes\"");
}

static void strings_lists_and_maps(void **state)
{
    cfn_ctx *ctx = &((fixture *)*state)->ctx;
    const char *s;
    const cJSON *node;
    assert_int_equal(cfn_prop_string(ctx, "Port", &s), 0);
    assert_string_equal(s, "8080");
    assert_int_equal(cfn_prop_string(ctx, "Map.K", &s), 0);
    assert_string_equal(s, "v");
    assert_int_equal(cfn_prop_string(ctx, "Layers.0.Arn", &s), 0);
    assert_string_equal(s, "x");
    assert_int_equal(cfn_prop_string(ctx, "List.1", &s), 0);
    assert_string_equal(s, "b");
    assert_int_equal(cfn_prop_string_or(ctx, "Absent", "dflt", &s), 0);
    assert_string_equal(s, "dflt");
    assert_int_equal(cfn_prop_string(ctx, "Num", &s), CFN_EINVAL);
    assert_string_equal(cfn_reason(ctx), "property Num must be a string, got a number");
    assert_int_equal(cfn_prop_list(ctx, "List", &node), 0);
    assert_int_equal(cJSON_GetArraySize(node), 2);
    assert_int_equal(cfn_prop_map(ctx, "Map", &node), 0);
    assert_int_equal(cfn_prop_map(ctx, "List", &node), CFN_EINVAL);
    assert_string_equal(cfn_reason(ctx), "property List must be a map, got a list");
    assert_int_equal(cfn_prop_list(ctx, "Map", &node), CFN_EINVAL);
    assert_string_equal(cfn_reason(ctx), "property Map must be a list, got a map");
    assert_int_equal(cfn_prop_string(ctx, "Map.Nope.Deeper", &s), CFN_EINVAL);
    assert_string_equal(cfn_reason(ctx), "property Map.Nope.Deeper is required but missing");
    assert_true(cfn_prop_has(ctx, "Map.Inner"));
    assert_false(cfn_prop_has(ctx, "Gone"));
    assert_false(cfn_prop_has(ctx, "Map..K"));
}

static void long_values_are_cut_in_reasons(void **state)
{
    fixture *f = *state;
    char big[500];
    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    cJSON_AddStringToObject((cJSON *)f->req.props, "Huge", big);
    long long v;
    assert_int_equal(cfn_prop_int(&f->ctx, "Huge", &v), CFN_EINVAL);
    assert_true(strlen(cfn_reason(&f->ctx)) < 160);
    assert_non_null(strstr(cfn_reason(&f->ctx), "...\""));
}

static void old_properties(void **state)
{
    cfn_ctx *ctx = &((fixture *)*state)->ctx;
    long long v;
    assert_int_equal(cfn_old_prop_int(ctx, "Port", &v), 0);
    assert_int_equal(v, 9090);
    assert_int_equal(cfn_old_prop_int(ctx, "Num", &v), CFN_EINVAL);
    assert_string_equal(cfn_reason(ctx), "old property Num is required but missing");
    assert_true(cfn_old_prop_has(ctx, "Port"));
    assert_non_null(cfn_request_old_props(ctx));
    assert_string_equal(cfn_request_physical_id(ctx), "p");
}

static void changes_between_old_and_new(void **state)
{
    cfn_ctx *ctx = &((fixture *)*state)->ctx;
    assert_true(cfn_prop_changed(ctx, "Port"));  /* "8080" -> "9090" */
    assert_true(cfn_prop_changed(ctx, "Num"));   /* added */
    assert_true(cfn_prop_changed(ctx, "Map.K")); /* added, nested */
    assert_false(cfn_prop_changed(ctx, "Absent"));
    cJSON_AddStringToObject((cJSON *)ctx->req->old_props, "Same", "x");
    cJSON_AddStringToObject((cJSON *)ctx->req->props, "Same", "x");
    assert_false(cfn_prop_changed(ctx, "Same"));
}

static void resource_hash_is_per_resource(void **state)
{
    fixture *f = *state;
    char a[CFN_RESOURCE_HASH_SIZE], b[CFN_RESOURCE_HASH_SIZE];
    cfn_request_resource_hash(&f->ctx, a);
    assert_int_equal(strlen(a), 64);
    assert_int_equal(strspn(a, "0123456789abcdef"), 64);
    const char *logical = f->req.logical_id;
    f->req.logical_id = "Other";
    cfn_request_resource_hash(&f->ctx, b);
    assert_string_not_equal(a, b);
    f->req.logical_id = logical;
    cfn_request_resource_hash(&f->ctx, b);
    assert_string_equal(a, b);
}

/* Issue #14.5: what a module sets must be JSON that CloudFormation parses. */
static void setters_refuse_invalid_utf8_and_control_characters(void **state)
{
    cfn_ctx *ctx = &((fixture *)*state)->ctx;
    assert_true(cfn_set_physical_id(ctx, "bad-\xff-id") < 0);
    assert_non_null(strstr(cfn_reason(ctx), "not valid UTF-8"));
    assert_true(cfn_set_physical_id(ctx, "tab\there") < 0);
    assert_true(cfn_set_physical_id(ctx, "c1-\xc2\x85") < 0);
    assert_true(cfn_set_physical_id(ctx, "overlong-\xc0\xaf") < 0);
    assert_true(cfn_set_physical_id(ctx, "surrogate-\xed\xa0\x80") < 0);
    assert_int_equal(cfn_set_physical_id(ctx, "caf\xc3\xa9-\xf0\x9f\x98\x80"), 0);

    assert_true(cfn_set_data(ctx, "Key\n", "v") < 0);
    assert_true(cfn_set_data(ctx, "K\xfe", "v") < 0);
    assert_true(cfn_set_data(ctx, "Value",
                             "a\x80"
                             "b") < 0);
    assert_non_null(strstr(cfn_reason(ctx), "Data.Value"));
    cJSON *nested = cJSON_Parse("{\"List\":[\"ok\"]}");
    cJSON_AddItemToArray(cJSON_GetObjectItem(nested, "List"), cJSON_CreateString("\xe2\x82"));
    assert_true(cfn_set_data_json(ctx, "Nested", nested) < 0);
    assert_non_null(strstr(cfn_reason(ctx), "Data.Nested.List[1]"));
    /* Control characters in a value are fine: JSON escapes them. */
    assert_int_equal(cfn_set_data(ctx, "Multi", "line1\nline2\t\xc3\xa9"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(ints_coerce_from_strings_and_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_ints_name_the_property, setup, teardown),
        cmocka_unit_test_setup_teardown(bools_coerce, setup, teardown),
        cmocka_unit_test_setup_teardown(strings_lists_and_maps, setup, teardown),
        cmocka_unit_test_setup_teardown(long_values_are_cut_in_reasons, setup, teardown),
        cmocka_unit_test_setup_teardown(old_properties, setup, teardown),
        cmocka_unit_test_setup_teardown(changes_between_old_and_new, setup, teardown),
        cmocka_unit_test_setup_teardown(resource_hash_is_per_resource, setup, teardown),
        cmocka_unit_test_setup_teardown(setters_refuse_invalid_utf8_and_control_characters, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
