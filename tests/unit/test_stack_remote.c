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

#include "fake_http.h"
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

/* ---- the operations against a scripted CloudFormation ----
 * What moto's CloudFormation cannot show: a change set computed over time
 * and paged, a stale status right after ExecuteChangeSet, resource events
 * over pages, a failure and a rollback, a wait that ends. */

#define NS       " xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\""
#define STACK_ID "arn:aws:cloudformation:eu-west-1:123456789012:stack/s/1"
#define CS_ID    "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/c/2"

static char *bodies[FAKE_MAX];
static size_t nbodies;

/* Queues an answer `<OpResponse><OpResult>inner</OpResult></OpResponse>`. */
static void answer(const char *op, const char *inner)
{
    char *b = NULL;
    assert_true(asprintf(&b, "<%sResponse" NS "><%sResult>%s</%sResult></%sResponse>", op, op,
                         inner, op, op) > 0);
    bodies[nbodies++] = b;
    fake_http_push(&fake, (fake_answer){.status = 200, .body = b});
}

static void stack_answer(const char *status)
{
    char inner[1024];
    snprintf(inner, sizeof(inner),
             "<Stacks><member><StackName>s</StackName><StackId>" STACK_ID "</StackId>"
             "<StackStatus>%s</StackStatus><CreationTime>2026-01-01T00:00:00Z</CreationTime>"
             "<Parameters><member><ParameterKey>Name</ParameterKey><ParameterValue>a"
             "</ParameterValue></member><member><ParameterKey>Label</ParameterKey>"
             "<ParameterValue>l</ParameterValue></member></Parameters></member></Stacks>",
             status);
    answer("DescribeStacks", inner);
}

/* An event: of the stack itself when logical is "s". */
static void event_xml(char *out, size_t size, const char *id, const char *logical,
                      const char *status, const char *reason)
{
    bool own = strcmp(logical, "s") == 0;
    snprintf(out, size,
             "<member><StackId>" STACK_ID "</StackId><EventId>%s</EventId><StackName>s"
             "</StackName><LogicalResourceId>%s</LogicalResourceId><PhysicalResourceId>%s"
             "</PhysicalResourceId><ResourceType>%s</ResourceType><Timestamp>"
             "2026-01-01T00:00:0%sZ</Timestamp><ResourceStatus>%s</ResourceStatus>%s%s%s"
             "</member>",
             id, logical, own ? STACK_ID : "phys",
             own ? "AWS::CloudFormation::Stack" : "AWS::DynamoDB::Table", id + 1, status,
             reason ? "<ResourceStatusReason>" : "", reason ? reason : "",
             reason ? "</ResourceStatusReason>" : "");
}

static void events_answer(const char *members, const char *next)
{
    char inner[4096];
    snprintf(inner, sizeof(inner), "<StackEvents>%s</StackEvents>%s%s%s", members,
             next ? "<NextToken>" : "", next ? next : "", next ? "</NextToken>" : "");
    answer("DescribeStackEvents", inner);
}

static int flow_setup(void **state)
{
    const char *unset[] = {"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_CLOUDFORMATION",
                           "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_MAX_ATTEMPTS"};
    for (size_t i = 0; i < sizeof(unset) / sizeof(unset[0]); i++)
        unsetenv(unset[i]);
    setenv("HOME", "/nonexistent", 1);
    setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
    setenv("AWS_REGION", "eu-west-1", 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
    nbodies = 0;
    return fake_http_setup(state);
}

static int flow_teardown(void **state)
{
    for (size_t i = 0; i < nbodies; i++)
        free(bodies[i]);
    nbodies = 0;
    return fake_http_teardown(state);
}

typedef struct seen {
    char events[16][16];
    size_t nevents, nchanges;
} seen;

static void on_change(void *arg, const cJSON *c)
{
    (void)c;
    ((seen *)arg)->nchanges++;
}

static void on_event(void *arg, const cJSON *e)
{
    seen *s = arg;
    assert_true(s->nevents < 16);
    snprintf(s->events[s->nevents++], sizeof(s->events[0]), "%s",
             cJSON_GetStringValue(cJSON_GetObjectItem(e, "EventId")));
}

static const char *sent_body(const char *action)
{
    char want[64];
    snprintf(want, sizeof(want), "Action=%s&", action);
    for (size_t i = 0; i < fake.nsent; i++)
        if (strncmp(fake.sent[i].body, want, strlen(want)) == 0)
            return fake.sent[i].body;
    fail_msg("no %s was sent", action);
    return NULL;
}

static void update_rolled_back(void **state)
{
    (void)state;
    char tpl[] = "/tmp/cfnkit-remote-tpl-XXXXXX";
    int fd = mkstemp(tpl);
    const char *text = "Parameters:\n  Name: {Type: String}\n  Label: {Type: String}\n"
                       "  New: {Type: String, Default: n}\n"
                       "Resources:\n  Table: {Type: AWS::DynamoDB::Table}\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    char e[6][512], page1[2048], page2[2048], page3[2048];
    event_xml(e[0], sizeof(e[0]), "e0", "s", "UPDATE_COMPLETE", NULL);
    event_xml(e[1], sizeof(e[1]), "e1", "s", "UPDATE_IN_PROGRESS", "User Initiated");
    event_xml(e[2], sizeof(e[2]), "e2", "Table", "UPDATE_IN_PROGRESS", NULL);
    event_xml(e[3], sizeof(e[3]), "e3", "Table", "UPDATE_FAILED", "Throughput exceeds the limit");
    event_xml(e[4], sizeof(e[4]), "e4", "s", "UPDATE_ROLLBACK_IN_PROGRESS", NULL);
    event_xml(e[5], sizeof(e[5]), "e5", "s", "UPDATE_ROLLBACK_COMPLETE", NULL);

    stack_answer("UPDATE_COMPLETE");
    answer("CreateChangeSet", "<Id>" CS_ID "</Id><StackId>" STACK_ID "</StackId>");
    answer("DescribeChangeSet", "<ChangeSetName>c</ChangeSetName><Status>CREATE_IN_PROGRESS"
                                "</Status>");
    answer("DescribeChangeSet",
           "<ChangeSetName>c</ChangeSetName><Status>CREATE_COMPLETE</Status><Changes><member>"
           "<Type>Resource</Type><ResourceChange><Action>Modify</Action><LogicalResourceId>"
           "Table</LogicalResourceId><ResourceType>AWS::DynamoDB::Table</ResourceType>"
           "<Replacement>True</Replacement><Details><member><Target><Attribute>Properties"
           "</Attribute><Name>TableName</Name><RequiresRecreation>Always</RequiresRecreation>"
           "</Target><Evaluation>Static</Evaluation><ChangeSource>DirectModification"
           "</ChangeSource></member></Details></ResourceChange></member></Changes>"
           "<NextToken>page2</NextToken>");
    answer("DescribeChangeSet",
           "<ChangeSetName>c</ChangeSetName><Status>CREATE_COMPLETE</Status><Changes><member>"
           "<Type>Resource</Type><ResourceChange><Action>Remove</Action><LogicalResourceId>Old"
           "</LogicalResourceId><ResourceType>AWS::SNS::Topic</ResourceType></ResourceChange>"
           "</member></Changes>");
    stack_answer("UPDATE_COMPLETE");
    events_answer(e[0], NULL); /* the marker */
    answer("ExecuteChangeSet", "");
    /* Each poll reads the events, then the stack. Right after
     * ExecuteChangeSet the status can still be the old one. */
    events_answer(e[0], NULL);
    stack_answer("UPDATE_COMPLETE");
    snprintf(page1, sizeof(page1), "%s%s", e[3], e[2]);
    events_answer(page1, "p2");
    snprintf(page2, sizeof(page2), "%s%s", e[1], e[0]);
    events_answer(page2, NULL);
    stack_answer("UPDATE_IN_PROGRESS");
    /* The final event before DescribeStacks says so: one more poll. */
    snprintf(page3, sizeof(page3), "%s%s%s", e[5], e[4], e[3]);
    events_answer(page3, NULL);
    stack_answer("UPDATE_ROLLBACK_IN_PROGRESS");
    events_answer(e[5], NULL);
    stack_answer("UPDATE_ROLLBACK_COMPLETE");

    cfn_aws *aws;
    assert_int_equal(cfn_aws_new(&aws, NULL), 0);
    seen s = {0};
    stk_remote_env env = {
        .aws = aws, .poll_max_ms = 1000, .on_change = on_change, .on_event = on_event, .arg = &s};
    const char *overrides[] = {"Label=m"}, *caps[] = {"CAPABILITY_IAM"};
    stk_remote_deploy_args a = {.stack_name = "s",
                                .template_file = tpl,
                                .overrides = overrides,
                                .noverrides = 1,
                                .capabilities = caps,
                                .ncapabilities = 1,
                                .disable_rollback = false};
    cJSON *report = NULL;
    int rc = stk_remote_deploy(&env, &a, &report);
    unlink(tpl);
    assert_true(rc < 0);
    assert_non_null(strstr(cfn_error_last(), "stack s is UPDATE_ROLLBACK_COMPLETE"));
    assert_int_equal(fake.next, fake.nanswers); /* every answer used, no more asked */
    /* Every event once, oldest first, none from before the operation. */
    assert_int_equal(s.nevents, 5);
    for (size_t i = 0; i < 5; i++) {
        char want[4];
        snprintf(want, sizeof(want), "e%zu", i + 1);
        assert_string_equal(s.events[i], want);
    }
    assert_int_equal(s.nchanges, 2);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(report, "Changes")), 2);
    const cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItem(report, "Failures"), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(report, "Failures")), 1);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(f, "LogicalResourceId")), "Table");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(f, "ResourceStatusReason")),
                        "Throughput exceeds the limit");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
                            cJSON_GetObjectItem(report, "Stack"), "StackStatus")),
                        "UPDATE_ROLLBACK_COMPLETE");
    assert_false(cJSON_IsTrue(cJSON_GetObjectItem(report, "NoChanges")));
    /* The change set: UPDATE, the override, the previous value of the
     * other parameter the stack has (not of New, which it has not), the
     * capability. */
    const char *cs = sent_body("CreateChangeSet");
    assert_non_null(strstr(cs, "ChangeSetType=UPDATE"));
    assert_non_null(strstr(cs, "Parameters.member.1.ParameterKey=Label"));
    assert_non_null(strstr(cs, "Parameters.member.1.ParameterValue=m"));
    assert_non_null(strstr(cs, "Parameters.member.2.ParameterKey=Name"));
    assert_non_null(strstr(cs, "Parameters.member.2.UsePreviousValue=true"));
    assert_null(strstr(cs, "ParameterKey=New"));
    assert_non_null(strstr(cs, "Capabilities.member.1=CAPABILITY_IAM"));
    assert_non_null(strstr(cs, "TemplateBody="));
    assert_non_null(strstr(sent_body("ExecuteChangeSet"), "ChangeSetName=arn"));
    cJSON_Delete(report);
    cfn_aws_free(aws);
}

static void failed_change_set_and_create(void **state)
{
    (void)state;
    char tpl[] = "/tmp/cfnkit-remote-tpl-XXXXXX";
    int fd = mkstemp(tpl);
    const char *text = "{\"Resources\": {\"T\": {\"Type\": \"AWS::SNS::Topic\"}}}";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    fake_http_push(&fake, (fake_answer){.status = 400,
                                        .body = "<ErrorResponse" NS "><Error><Type>Sender</Type>"
                                                "<Code>ValidationError</Code><Message>Stack with "
                                                "id s does not exist</Message></Error>"
                                                "</ErrorResponse>"});
    answer("CreateChangeSet", "<Id>" CS_ID "</Id><StackId>" STACK_ID "</StackId>");
    answer("DescribeChangeSet",
           "<ChangeSetName>c</ChangeSetName><Status>FAILED</Status><StatusReason>Requires "
           "capabilities : [CAPABILITY_IAM]</StatusReason>");
    stack_answer("REVIEW_IN_PROGRESS"); /* for the report */
    cfn_aws *aws;
    assert_int_equal(cfn_aws_new(&aws, NULL), 0);
    stk_remote_env env = {.aws = aws};
    stk_remote_deploy_args a = {.stack_name = "s", .template_file = tpl};
    cJSON *report = NULL;
    int rc = stk_remote_deploy(&env, &a, &report);
    unlink(tpl);
    assert_true(rc < 0);
    assert_non_null(strstr(cfn_error_last(), "change set c is FAILED: Requires capabilities"));
    assert_non_null(strstr(sent_body("CreateChangeSet"), "ChangeSetType=CREATE"));
    assert_null(strstr(sent_body("CreateChangeSet"), "Parameters.member"));
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
                            cJSON_GetObjectItem(report, "Stack"), "StackStatus")),
                        "REVIEW_IN_PROGRESS");
    assert_int_equal(fake.next, fake.nanswers);
    cJSON_Delete(report);
    cfn_aws_free(aws);
}

/* A stack whose create rolled back can only be deleted: CloudFormation's
 * refusal, and cfnkit's hint. */
static void rolled_back_stack_only_deleted(void **state)
{
    (void)state;
    char tpl[] = "/tmp/cfnkit-remote-tpl-XXXXXX";
    int fd = mkstemp(tpl);
    const char *text = "{\"Resources\": {\"T\": {\"Type\": \"AWS::SNS::Topic\"}}}";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    stack_answer("ROLLBACK_COMPLETE");
    fake_http_push(&fake,
                   (fake_answer){.status = 400,
                                 .body = "<ErrorResponse" NS "><Error><Type>Sender</Type>"
                                         "<Code>ValidationError</Code><Message>Stack:" STACK_ID
                                         " is in ROLLBACK_COMPLETE state and can not be "
                                         "updated.</Message></Error></ErrorResponse>"});
    cfn_aws *aws;
    assert_int_equal(cfn_aws_new(&aws, NULL), 0);
    stk_remote_env env = {.aws = aws};
    stk_remote_deploy_args a = {.stack_name = "s", .template_file = tpl};
    cJSON *report = NULL;
    int rc = stk_remote_deploy(&env, &a, &report);
    unlink(tpl);
    assert_true(rc < 0);
    assert_non_null(
        strstr(cfn_error_last(), "is in ROLLBACK_COMPLETE state and can not be updated."));
    assert_non_null(strstr(cfn_error_last(), "can only be deleted"));
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
                            cJSON_GetObjectItem(report, "Stack"), "StackStatus")),
                        "ROLLBACK_COMPLETE");
    assert_int_equal(fake.next, fake.nanswers);
    cJSON_Delete(report);
    cfn_aws_free(aws);
}

/* A delete that does not end within the wait gives up, saying so. */
static void delete_gives_up_after_the_wait(void **state)
{
    (void)state;
    char e0[512], e1[512];
    event_xml(e0, sizeof(e0), "e0", "s", "CREATE_COMPLETE", NULL);
    event_xml(e1, sizeof(e1), "e1", "s", "DELETE_IN_PROGRESS", "User Initiated");
    stack_answer("CREATE_COMPLETE");
    events_answer(e0, NULL);
    answer("DeleteStack", "");
    for (int i = 0; i < 2; i++) {
        events_answer(i == 0 ? e1 : "", NULL);
        stack_answer("DELETE_IN_PROGRESS");
    }
    cfn_aws *aws;
    assert_int_equal(cfn_aws_new(&aws, NULL), 0);
    seen s = {0};
    stk_remote_env env = {.aws = aws, .wait_s = 1, .on_event = on_event, .arg = &s};
    const char *retain[] = {"Table"};
    cJSON *report = NULL;
    int rc = stk_remote_delete(&env, "s", retain, 1, &report);
    assert_int_equal(rc, CFN_ETIMEOUT);
    assert_non_null(strstr(cfn_error_last(), "still DELETE_IN_PROGRESS after 1 s"));
    assert_int_equal(s.nevents, 1);
    assert_non_null(strstr(sent_body("DeleteStack"), "RetainResources.member.1=Table"));
    assert_non_null(strstr(sent_body("DeleteStack"), "StackName=arn"));
    assert_int_equal(fake.next, fake.nanswers);
    cJSON_Delete(report);
    cfn_aws_free(aws);
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
        cmocka_unit_test_setup_teardown(update_rolled_back, flow_setup, flow_teardown),
        cmocka_unit_test_setup_teardown(failed_change_set_and_create, flow_setup, flow_teardown),
        cmocka_unit_test_setup_teardown(rolled_back_stack_only_deleted, flow_setup, flow_teardown),
        cmocka_unit_test_setup_teardown(delete_gives_up_after_the_wait, flow_setup, flow_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
