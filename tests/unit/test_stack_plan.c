/* The change set (framework/src/stack/plan.h): Add, Modify with
 * Replacement True/False/Conditional from the type's descriptor
 * (createOnlyProperties, conditionalCreateOnlyProperties), Dynamic
 * evaluation of values not known yet, custom resources, and no change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cfnkit/cfnkit.h>

#include "eval.h"
#include "plan.h"

static int noop(cfn_ctx *ctx)
{
    (void)ctx;
    return 0;
}

static const char *const bucket_replaces[] = {"BucketName", NULL};
static const char *const bucket_conditional[] = {"ObjectLockEnabled", NULL};
static const cfn_resource_type bucket = {.type = "AWS::Test::Bucket",
                                         .create = noop,
                                         .update = noop,
                                         .remove = noop,
                                         .version = CFN_RESOURCE_TYPE_VERSION,
                                         .replaces = bucket_replaces,
                                         .replaces_conditional = bucket_conditional};

static cJSON *doc(const char *type, const char *props)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "ResourceType", type);
    cJSON_AddStringToObject(d, "PhysicalResourceId", "phys-1");
    cJSON_AddItemToObject(d, "Properties", cJSON_Parse(props));
    return d;
}

/* The change's Replacement and "Name:RequiresRecreation:Evaluation" details. */
static void expect(const char *type, const char *old, cJSON *now, const char *replacement,
                   const char *details)
{
    cJSON *d = old ? doc(type, old) : NULL;
    cJSON *c = stk_plan_change("R", type, d, now);
    if (!replacement) {
        assert_null(c);
    } else {
        const cJSON *rc = cJSON_GetObjectItem(c, "ResourceChange");
        assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(rc, "Action")),
                            old ? "Modify" : "Add");
        if (old) {
            assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(rc, "Replacement")),
                                replacement);
            char got[512] = "";
            const cJSON *x;
            cJSON_ArrayForEach(x, cJSON_GetObjectItem(rc, "Details"))
            {
                const cJSON *t = cJSON_GetObjectItem(x, "Target");
                snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s:%s:%s",
                         *got ? " " : "", cJSON_GetStringValue(cJSON_GetObjectItem(t, "Name")),
                         cJSON_GetStringValue(cJSON_GetObjectItem(t, "RequiresRecreation")),
                         cJSON_GetStringValue(cJSON_GetObjectItem(x, "Evaluation")));
            }
            assert_string_equal(got, details);
        }
    }
    cJSON_Delete(c);
    cJSON_Delete(d);
    cJSON_Delete(now);
}

static void test_add_and_unchanged(void **unused)
{
    (void)unused;
    expect("AWS::Test::Bucket", NULL, cJSON_Parse("{\"A\": 1}"), "", "");
    expect("AWS::Test::Bucket", "{\"A\": 1, \"B\": [1, {\"c\": 2}]}",
           cJSON_Parse("{\"B\": [1, {\"c\": 2}], \"A\": 1}"), NULL, NULL);
}

/* A number the template wrote is a raw value (its text kept); the stored
 * state reads it back as a number: still no change (the demo's redeploy
 * showed ServiceTimeout as changed). */
static void test_raw_numbers_equal_their_stored_value(void **unused)
{
    (void)unused;
    cJSON *now = cJSON_CreateObject();
    cJSON_AddItemToObject(now, "ServiceTimeout", cJSON_CreateRaw("600"));
    cJSON_AddItemToObject(now, "Size", cJSON_CreateRaw("1.50"));
    expect("AWS::Test::Bucket", "{\"ServiceTimeout\": 600, \"Size\": 1.5}", now, NULL, NULL);
    now = cJSON_CreateObject();
    cJSON_AddItemToObject(now, "ServiceTimeout", cJSON_CreateRaw("601"));
    expect("AWS::Test::Bucket", "{\"ServiceTimeout\": 600}", now, "False",
           "ServiceTimeout:Never:Static");
    cJSON *a = cJSON_CreateRaw("010"), *b = cJSON_CreateString("010"), *c = cJSON_CreateNumber(10);
    assert_true(stk_json_same(a, b));
    assert_true(stk_json_same(a, c)); /* the same number, as the state reads it */
    assert_false(stk_json_same(b, c));
    cJSON_Delete(a);
    cJSON_Delete(b);
    cJSON_Delete(c);
}

static void test_native_replacement_rules(void **unused)
{
    (void)unused;
    expect("AWS::Test::Bucket", "{\"BucketName\": \"a\", \"Tags\": []}",
           cJSON_Parse("{\"BucketName\": \"b\", \"Tags\": []}"), "True",
           "BucketName:Always:Static");
    expect("AWS::Test::Bucket", "{\"Tags\": [1]}", cJSON_Parse("{\"Tags\": [2]}"), "False",
           "Tags:Never:Static");
    expect("AWS::Test::Bucket", "{\"ObjectLockEnabled\": true}", cJSON_Parse("{}"), "Conditional",
           "ObjectLockEnabled:Conditionally:Static");
    /* The most impactful change decides: Always over Never. */
    expect("AWS::Test::Bucket", "{\"BucketName\": \"a\", \"Tags\": [1]}",
           cJSON_Parse("{\"BucketName\": \"b\", \"Tags\": [2]}"), "True",
           "BucketName:Always:Static Tags:Never:Static");
    /* Not known yet (a resource being replaced): Dynamic, Always becomes Conditional. */
    cJSON *now = cJSON_CreateObject();
    cJSON_AddItemToObject(now, "BucketName", cfn_eval_unknown());
    expect("AWS::Test::Bucket", "{\"BucketName\": \"a\"}", now, "Conditional",
           "BucketName:Always:Dynamic");
    /* Another type under the same logical id: a replacement. */
    cJSON *d = doc("AWS::Test::Other", "{\"A\": 1}"), *p = cJSON_Parse("{\"A\": 1}");
    cJSON *c = stk_plan_change("R", "AWS::Test::Bucket", d, p);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
                            cJSON_GetObjectItem(c, "ResourceChange"), "Replacement")),
                        "True");
    cJSON_Delete(c);
    cJSON_Delete(d);
    cJSON_Delete(p);
}

static void test_custom_resources(void **unused)
{
    (void)unused;
    expect("Custom::Thing", "{\"ServiceToken\": \"t\", \"Size\": \"1\"}",
           cJSON_Parse("{\"ServiceToken\": \"t\", \"Size\": \"2\"}"), "Conditional",
           "Size:Conditionally:Static");
    expect("Custom::Thing", "{\"ServiceToken\": \"t\"}", cJSON_Parse("{\"ServiceToken\": \"u\"}"),
           "True", "ServiceToken:Always:Static");
}

static void test_replacing_property(void **unused)
{
    (void)unused;
    cJSON *a = cJSON_Parse("{\"BucketName\": \"a\", \"Tags\": 1}");
    cJSON *b = cJSON_Parse("{\"BucketName\": \"b\", \"Tags\": 1}");
    cJSON *c = cJSON_Parse("{\"BucketName\": \"a\", \"Tags\": 2}");
    assert_string_equal(stk_plan_replacing_property("AWS::Test::Bucket", a, b), "BucketName");
    assert_null(stk_plan_replacing_property("AWS::Test::Bucket", a, c));
    assert_null(stk_plan_replacing_property("Custom::Thing", a, b));
    cJSON_Delete(a);
    cJSON_Delete(b);
    cJSON_Delete(c);
}

int main(void)
{
    if (cfn_register(&bucket) < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_and_unchanged),
        cmocka_unit_test(test_raw_numbers_equal_their_stored_value),
        cmocka_unit_test(test_native_replacement_rules),
        cmocka_unit_test(test_custom_resources),
        cmocka_unit_test(test_replacing_property),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
