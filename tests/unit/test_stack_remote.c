/* CloudFormation as the engine (framework/src/stack/remote.c), its pure
 * parts: DescribeChangeSet's changes turned into the local engine's change
 * view, the empty change set, final statuses, and the engine chosen from
 * the endpoint settings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cfnkit/error.h>

#include "remote.h"

static cJSON *parse(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    assert_non_null(j);
    return j;
}

/* The change of `json` (one Changes entry) as JSON text, for comparing. */
static void assert_change(const char *json, const char *expected)
{
    cJSON *in = parse(json), *want = parse(expected);
    cJSON *got = stk_remote_change(in);
    assert_non_null(got);
    if (!cJSON_Compare(got, want, 1)) {
        char *s = cJSON_PrintUnformatted(got);
        fail_msg("got %s\nwant %s", s, expected);
    }
    cJSON_Delete(got);
    cJSON_Delete(want);
    cJSON_Delete(in);
}

static void add_and_remove_pass_through(void **state)
{
    (void)state;
    assert_change("{\"Type\":\"Resource\",\"ResourceChange\":{\"Action\":\"Add\","
                  "\"LogicalResourceId\":\"Queue\",\"ResourceType\":\"AWS::SQS::Queue\","
                  "\"Scope\":[],\"Details\":[]}}",
                  "{\"Type\":\"Resource\",\"ResourceChange\":{\"Action\":\"Add\","
                  "\"LogicalResourceId\":\"Queue\",\"ResourceType\":\"AWS::SQS::Queue\"}}");
    assert_change("{\"Type\":\"Resource\",\"ResourceChange\":{\"PolicyAction\":\"Delete\","
                  "\"Action\":\"Remove\",\"LogicalResourceId\":\"Old\",\"PhysicalResourceId\":"
                  "\"old-topic\",\"ResourceType\":\"AWS::SNS::Topic\",\"Scope\":[]}}",
                  "{\"Type\":\"Resource\",\"ResourceChange\":{\"Action\":\"Remove\","
                  "\"LogicalResourceId\":\"Old\",\"PhysicalResourceId\":\"old-topic\","
                  "\"ResourceType\":\"AWS::SNS::Topic\"}}");
}

/* CloudFormation lists a property once per cause (a direct change, and a
 * reference to a resource that changes): one line per property, the
 * strongest recreation, the static cause. A change outside Properties has
 * no Name: it is named by its Attribute. */
static void modify_details_one_per_target(void **state)
{
    (void)state;
    assert_change("{\"Type\":\"Resource\",\"ResourceChange\":{\"Action\":\"Modify\","
                  "\"LogicalResourceId\":\"Table\",\"PhysicalResourceId\":\"hits-dev\","
                  "\"ResourceType\":\"AWS::DynamoDB::Table\",\"Replacement\":\"True\","
                  "\"Scope\":[\"Properties\",\"Tags\"],\"Details\":["
                  "{\"Target\":{\"Attribute\":\"Properties\",\"Name\":\"TableName\","
                  "\"RequiresRecreation\":\"Always\"},\"Evaluation\":\"Dynamic\","
                  "\"ChangeSource\":\"ResourceReference\",\"CausingEntity\":\"Stage\"},"
                  "{\"Target\":{\"Attribute\":\"Properties\",\"Name\":\"TableName\","
                  "\"RequiresRecreation\":\"Always\"},\"Evaluation\":\"Static\","
                  "\"ChangeSource\":\"DirectModification\"},"
                  "{\"Target\":{\"Attribute\":\"Properties\",\"Name\":\"BillingMode\","
                  "\"RequiresRecreation\":\"Never\"},\"Evaluation\":\"Static\","
                  "\"ChangeSource\":\"DirectModification\"},"
                  "{\"Target\":{\"Attribute\":\"Properties\",\"Name\":\"BillingMode\","
                  "\"RequiresRecreation\":\"Conditionally\"},\"Evaluation\":\"Dynamic\","
                  "\"ChangeSource\":\"ParameterReference\",\"CausingEntity\":\"Mode\"},"
                  "{\"Target\":{\"Attribute\":\"Tags\",\"RequiresRecreation\":\"Never\"},"
                  "\"Evaluation\":\"Static\",\"ChangeSource\":\"DirectModification\"}]}}",
                  "{\"Type\":\"Resource\",\"ResourceChange\":{\"Action\":\"Modify\","
                  "\"LogicalResourceId\":\"Table\",\"PhysicalResourceId\":\"hits-dev\","
                  "\"ResourceType\":\"AWS::DynamoDB::Table\",\"Replacement\":\"True\","
                  "\"Scope\":[\"Properties\",\"Tags\"],\"Details\":["
                  "{\"Target\":{\"Attribute\":\"Properties\",\"Name\":\"TableName\","
                  "\"RequiresRecreation\":\"Always\"},\"Evaluation\":\"Static\","
                  "\"ChangeSource\":\"DirectModification\"},"
                  "{\"Target\":{\"Attribute\":\"Properties\",\"Name\":\"BillingMode\","
                  "\"RequiresRecreation\":\"Conditionally\"},\"Evaluation\":\"Static\","
                  "\"ChangeSource\":\"DirectModification\"},"
                  "{\"Target\":{\"Attribute\":\"Tags\",\"Name\":\"Tags\","
                  "\"RequiresRecreation\":\"Never\"},\"Evaluation\":\"Static\","
                  "\"ChangeSource\":\"DirectModification\"}]}}");
}

/* Replacement Conditional comes through as CloudFormation says it; an
 * emulator's Modify without Replacement (moto) gets no guess. */
static void modify_replacement_as_given(void **state)
{
    (void)state;
    assert_change("{\"Type\":\"Resource\",\"ResourceChange\":{\"Action\":\"Modify\","
                  "\"LogicalResourceId\":\"Fn\",\"ResourceType\":\"Custom::LambdaFunction\","
                  "\"Replacement\":\"Conditional\",\"Scope\":[\"Properties\"],\"Details\":["
                  "{\"Target\":{\"Attribute\":\"Properties\",\"Name\":\"Env\","
                  "\"RequiresRecreation\":\"Conditionally\"},\"Evaluation\":\"Static\","
                  "\"ChangeSource\":\"DirectModification\"}]}}",
                  "{\"Type\":\"Resource\",\"ResourceChange\":{\"Action\":\"Modify\","
                  "\"LogicalResourceId\":\"Fn\",\"ResourceType\":\"Custom::LambdaFunction\","
                  "\"Replacement\":\"Conditional\",\"Scope\":[\"Properties\"],\"Details\":["
                  "{\"Target\":{\"Attribute\":\"Properties\",\"Name\":\"Env\","
                  "\"RequiresRecreation\":\"Conditionally\"},\"Evaluation\":\"Static\","
                  "\"ChangeSource\":\"DirectModification\"}]}}");
    assert_change("{\"Type\":\"Resource\",\"ResourceChange\":{\"Action\":\"Modify\","
                  "\"LogicalResourceId\":\"Q\",\"ResourceType\":\"AWS::SQS::Queue\"}}",
                  "{\"Type\":\"Resource\",\"ResourceChange\":{\"Action\":\"Modify\","
                  "\"LogicalResourceId\":\"Q\",\"ResourceType\":\"AWS::SQS::Queue\","
                  "\"Details\":[]}}");
}

static void not_a_resource_change(void **state)
{
    (void)state;
    const char *bad[] = {
        "{\"Type\":\"Hook\",\"HookInvocationCount\":1}",
        "{\"Type\":\"Resource\",\"ResourceChange\":{\"LogicalResourceId\":\"A\"}}",
        "{\"Type\":\"Resource\",\"ResourceChange\":{\"Action\":\"Add\"}}",
        "{\"Type\":\"Resource\",\"ResourceChange\":\"Add\"}",
        "[]",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cJSON *in = parse(bad[i]);
        assert_null(stk_remote_change(in));
        cJSON_Delete(in);
    }
    assert_null(stk_remote_change(NULL));
}

static void empty_change_set_reasons(void **state)
{
    (void)state;
    assert_true(stk_remote_empty_reason("The submitted information didn't contain changes. "
                                        "Submit different information to create a change set."));
    assert_true(stk_remote_empty_reason("No updates are to be performed."));
    assert_false(stk_remote_empty_reason("Requires capabilities : [CAPABILITY_IAM]"));
    assert_false(stk_remote_empty_reason(NULL));
}

static void final_statuses(void **state)
{
    (void)state;
    const char *final[] = {"CREATE_COMPLETE", "ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED",
                           "DELETE_FAILED", "UPDATE_FAILED"};
    const char *going[] = {"CREATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
                           "UPDATE_ROLLBACK_IN_PROGRESS", "REVIEW_IN_PROGRESS"};
    for (size_t i = 0; i < sizeof(final) / sizeof(final[0]); i++)
        assert_true(stk_remote_status_final(final[i]));
    for (size_t i = 0; i < sizeof(going) / sizeof(going[0]); i++)
        assert_false(stk_remote_status_final(going[i]));
    assert_false(stk_remote_status_final(""));
    assert_false(stk_remote_status_final(NULL));
}

/* ---- the engine chosen from the endpoint ---- */

static char config[64];

static void clear_settings(void)
{
    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_ENDPOINT_URL_CLOUDFORMATION");
    unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    unsetenv("AWS_PROFILE");
    setenv("AWS_CONFIG_FILE", "/nonexistent/cfnkit-test-config", 1);
}

static void write_config(const char *text)
{
    snprintf(config, sizeof(config), "/tmp/cfnkit-remote-XXXXXX");
    int fd = mkstemp(config);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    setenv("AWS_CONFIG_FILE", config, 1);
}

static void engine_from_environment(void **state)
{
    (void)state;
    clear_settings();
    assert_int_equal(stk_engine_for_endpoint(), STK_ENGINE_CLOUDFORMATION);
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000", 1);
    assert_int_equal(stk_engine_for_endpoint(), STK_ENGINE_LOCAL);
    setenv("AWS_ENDPOINT_URL", "http://moto.internal:5000/", 1);
    assert_int_equal(stk_engine_for_endpoint(), STK_ENGINE_LOCAL);
    /* The service's own variable wins over the general one. */
    setenv("AWS_ENDPOINT_URL_CLOUDFORMATION", "https://cloudformation.eu-west-1.amazonaws.com", 1);
    assert_int_equal(stk_engine_for_endpoint(), STK_ENGINE_CLOUDFORMATION);
    setenv("AWS_ENDPOINT_URL_CLOUDFORMATION", "http://localhost:4566", 1);
    setenv("AWS_ENDPOINT_URL", "https://cloudformation.us-east-1.amazonaws.com", 1);
    assert_int_equal(stk_engine_for_endpoint(), STK_ENGINE_LOCAL);
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
    assert_int_equal(stk_engine_for_endpoint(), STK_ENGINE_CLOUDFORMATION);
    clear_settings();
}

static void engine_from_aws_host_names(void **state)
{
    (void)state;
    const char *aws[] = {
        "https://cloudformation.us-east-1.amazonaws.com",
        "https://cloudformation-fips.us-gov-west-1.amazonaws.com/",
        "https://cloudformation.cn-north-1.amazonaws.com.cn",
        "https://vpce-0a1b-cfn.cloudformation.us-east-1.vpce.amazonaws.com:443/x",
        "https://cloudformation.us-east-1.api.aws",
        "https://CLOUDFORMATION.US-EAST-1.AMAZONAWS.COM.",
    };
    const char *local[] = {
        "http://localhost:4566",   "http://[::1]:5000",    "http://amazonaws.com.evil.example",
        "http://notamazonaws.com", "http://amazonaws.com", "http://x.amazonaws.com@127.0.0.1:5000",
    };
    clear_settings();
    for (size_t i = 0; i < sizeof(aws) / sizeof(aws[0]); i++) {
        setenv("AWS_ENDPOINT_URL", aws[i], 1);
        if (stk_engine_for_endpoint() != STK_ENGINE_CLOUDFORMATION)
            fail_msg("%s should be AWS's own", aws[i]);
    }
    for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
        setenv("AWS_ENDPOINT_URL", local[i], 1);
        if (stk_engine_for_endpoint() != STK_ENGINE_LOCAL)
            fail_msg("%s should be a local AWS", local[i]);
    }
    clear_settings();
}

static void engine_from_profile(void **state)
{
    (void)state;
    clear_settings();
    write_config("[default]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:5000\n"
                 "[profile real]\nregion = eu-west-1\n"
                 "[profile ignoring]\nendpoint_url = http://127.0.0.1:5000\n"
                 "ignore_configured_endpoint_urls = true\n");
    assert_int_equal(stk_engine_for_endpoint(), STK_ENGINE_LOCAL);
    setenv("AWS_PROFILE", "real", 1);
    assert_int_equal(stk_engine_for_endpoint(), STK_ENGINE_CLOUDFORMATION);
    setenv("AWS_PROFILE", "ignoring", 1);
    assert_int_equal(stk_engine_for_endpoint(), STK_ENGINE_CLOUDFORMATION);
    /* The environment wins over the profile. */
    setenv("AWS_PROFILE", "default", 1);
    setenv("AWS_ENDPOINT_URL", "https://cloudformation.us-east-1.amazonaws.com", 1);
    assert_int_equal(stk_engine_for_endpoint(), STK_ENGINE_CLOUDFORMATION);
    unlink(config);
    clear_settings();
}

static void engine_names(void **state)
{
    (void)state;
    stk_engine e = STK_ENGINE_LOCAL;
    assert_int_equal(stk_engine_parse("cloudformation", &e), 0);
    assert_int_equal(e, STK_ENGINE_CLOUDFORMATION);
    assert_string_equal(stk_engine_name(e), "cloudformation");
    assert_int_equal(stk_engine_parse("local", &e), 0);
    assert_int_equal(e, STK_ENGINE_LOCAL);
    assert_string_equal(stk_engine_name(e), "local");
    assert_int_equal(stk_engine_parse("CloudFormation", &e), CFN_EINVAL);
    assert_non_null(strstr(cfn_error_last(), "local or cloudformation"));
    assert_int_equal(stk_engine_parse(NULL, &e), CFN_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(add_and_remove_pass_through),
        cmocka_unit_test(modify_details_one_per_target),
        cmocka_unit_test(modify_replacement_as_given),
        cmocka_unit_test(not_a_resource_change),
        cmocka_unit_test(empty_change_set_reasons),
        cmocka_unit_test(final_statuses),
        cmocka_unit_test(engine_from_environment),
        cmocka_unit_test(engine_from_aws_host_names),
        cmocka_unit_test(engine_from_profile),
        cmocka_unit_test(engine_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
