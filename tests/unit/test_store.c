/* The state store's failures that the local AWS cannot produce on demand, on
 * a scripted transport: a table that cannot be made, one made by another
 * engine at the same moment, throttling past the client's retries, and
 * deletes that DynamoDB leaves unprocessed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_http.h"
#include "store.h"

#include <cfnkit/cfnkit.h>

#define ACTIVE                                                                                     \
    "{\"Table\":{\"TableStatus\":\"ACTIVE\",\"KeySchema\":["                                       \
    "{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"                                             \
    "{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}]}}"
#define ERROR(code, message)                                                                       \
    "{\"__type\":\"com.amazonaws.dynamodb.v20120810#" code "\",\"message\":\"" message "\"}"

static cfn_aws *aws;

static int setup(void **state)
{
    unsetenv("AWS_PROFILE");
    unsetenv("AWS_MAX_ATTEMPTS");
    unsetenv("CFNKIT_STATE_TABLE");
    setenv("HOME", "/nonexistent", 1);
    setenv("AWS_REGION", "us-east-1", 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9", 1);
    int rc = fake_http_setup(state);
    if (rc == 0 && cfn_aws_new(&aws, NULL) != 0)
        return -1;
    return rc;
}

static int teardown(void **state)
{
    cfn_aws_free(aws);
    aws = NULL;
    return fake_http_teardown(state);
}

static void answer(long status, const char *body)
{
    fake_http_push(&fake, (fake_answer){.status = status, .body = body});
}

/* How many requests carried `needle` in their body. */
static int sent_with(const char *needle)
{
    int n = 0;
    for (size_t i = 0; i < fake.nsent; i++)
        n += strstr(fake.sent[i].body, needle) != NULL;
    return n;
}

static void table_is_made_and_waited_for(void **state)
{
    (void)state;
    stk_store *s;
    setenv("CFNKIT_STATE_TABLE", "team-state", 1);
    answer(400, ERROR("ResourceNotFoundException", "Requested resource not found"));
    answer(200, "{}");
    answer(200, "{\"Table\":{\"TableStatus\":\"CREATING\"}}");
    answer(400, ERROR("ResourceNotFoundException", "Requested resource not found"));
    answer(200, ACTIVE);
    assert_int_equal(stk_store_open(aws, &s), 0);
    assert_string_equal(stk_store_table(s), "team-state");
    assert_int_equal(fake.nsent, 5);
    assert_non_null(strstr(fake.sent[1].body, "\"PAY_PER_REQUEST\""));
    assert_non_null(strstr(fake.sent[1].body, "\"TableName\":\"team-state\""));
    stk_store_free(s);
}

static void a_concurrent_creator_is_no_error(void **state)
{
    (void)state;
    stk_store *s;
    answer(400, ERROR("ResourceNotFoundException", "Requested resource not found"));
    answer(400, ERROR("ResourceInUseException", "Table already exists: cfnkit-stacks"));
    answer(200, ACTIVE);
    assert_int_equal(stk_store_open(aws, &s), 0);
    assert_string_equal(stk_store_table(s), "cfnkit-stacks");
    stk_store_free(s);
}

static void a_table_that_cannot_be_made_says_why(void **state)
{
    (void)state;
    stk_store *s = (stk_store *)&s;
    answer(400, ERROR("ResourceNotFoundException", "Requested resource not found"));
    answer(400, ERROR("AccessDeniedException",
                      "User is not authorized to perform: dynamodb:CreateTable"));
    assert_true(stk_store_open(aws, &s) < 0);
    assert_null(s);
    assert_string_equal(cfn_error_last(),
                        "the state table cfnkit-stacks does not exist and cannot be made: "
                        "DynamoDB CreateTable: AccessDeniedException: User is not authorized to "
                        "perform: dynamodb:CreateTable");
}

static void throttling_past_the_retries_names_the_table(void **state)
{
    (void)state;
    stk_store *s;
    answer(200, ACTIVE);
    assert_int_equal(stk_store_open(aws, &s), 0);
    fake.fallback = (fake_answer){.status = 400,
                                  .body = ERROR("ProvisionedThroughputExceededException",
                                                "Rate of requests exceeds the allowed throughput")};
    cJSON *doc = (cJSON *)&doc;
    assert_true(stk_store_get_stack(s, "dev", &doc) < 0);
    assert_null(doc);
    assert_string_equal(cfn_error_last(),
                        "state table cfnkit-stacks: DynamoDB GetItem: "
                        "ProvisionedThroughputExceededException: Rate of requests exceeds the "
                        "allowed throughput (after 3 attempts)");
    assert_int_equal(fake.nsent, 4);
    stk_store_free(s);
}

#define EVENT_ITEM(n)                                                                              \
    "{\"pk\":{\"S\":\"stack#dev\"},\"sk\":{\"S\":\"event#0000000000001#000000000" n "#e" n         \
    "\"},\"doc\":{\"S\":\"{}\"}}"
#define UNPROCESSED                                                                                \
    "{\"UnprocessedItems\":{\"cfnkit-stacks\":[{\"DeleteRequest\":{\"Key\":"                       \
    "{\"pk\":{\"S\":\"stack#dev\"},\"sk\":{\"S\":\"event#0000000000001#0000000002#e2\"}}}}]}}"

static void unprocessed_deletes_are_retried_then_reported(void **state)
{
    (void)state;
    stk_store *s;
    answer(200, ACTIVE);
    assert_int_equal(stk_store_open(aws, &s), 0);
    answer(200, "{\"Items\":[" EVENT_ITEM("1") "," EVENT_ITEM("2") "]}");
    answer(200, UNPROCESSED);
    answer(200, "{\"UnprocessedItems\":{}}");
    answer(200, "{}"); /* the stack's own item */
    assert_int_equal(stk_store_delete_stack(s, "dev"), 0);
    assert_int_equal(fake.nsent, 5);
    assert_non_null(strstr(fake.sent[2].body, "#e1"));
    assert_non_null(strstr(fake.sent[2].body, "#e2"));
    assert_null(strstr(fake.sent[3].body, "#e1")); /* only what was left */
    assert_non_null(strstr(fake.sent[3].body, "#e2"));
    assert_non_null(strstr(fake.sent[4].body, "\"S\":\"stacks\""));

    /* Never processed: a bounded number of tries, then a clear error, and
     * the stack's own item stays (the delete can be run again). */
    answer(200, "{\"Items\":[" EVENT_ITEM("2") "]}");
    fake.fallback = (fake_answer){.status = 200, .body = UNPROCESSED};
    size_t before = fake.nsent;
    assert_int_equal(stk_store_delete_stack(s, "dev"), CFN_ETIMEOUT);
    assert_string_equal(cfn_error_last(), "state table cfnkit-stacks: 1 deletes still unprocessed "
                                          "after 10 BatchWriteItem attempts (throttled)");
    assert_int_equal(fake.nsent - before, 11);
    assert_int_equal(sent_with("\"S\":\"stacks\""), 1);
    stk_store_free(s);
}

/* A chunked item whose sizes are damaged (written by hand, or by another
 * program) is refused by name before any buffer is sized from it. */
static void damaged_chunk_sizes_are_refused(void **state)
{
    (void)state;
    stk_store *s;
    answer(200, ACTIVE);
    assert_int_equal(stk_store_open(aws, &s), 0);
    static const char *const items[] = {
        "{\"Item\":{\"pk\":{\"S\":\"stacks\"},\"sk\":{\"S\":\"dev\"},\"gen\":{\"S\":\"g\"},"
        "\"chunks\":{\"N\":\"1\"},\"bytes\":{\"N\":\"-1\"}}}",
        "{\"Item\":{\"pk\":{\"S\":\"stacks\"},\"sk\":{\"S\":\"dev\"},\"gen\":{\"S\":\"g\"},"
        "\"chunks\":{\"N\":\"1\"},\"bytes\":{\"N\":\"900000000000\"}}}",
    };
    for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
        size_t before = fake.nsent;
        answer(200, items[i]);
        fake.fallback =
            (fake_answer){.status = 200, .body = "{\"Items\":[{\"part\":{\"S\":\"{}\"}}]}"};
        cJSON *doc = (cJSON *)&doc;
        assert_int_equal(stk_store_get_stack(s, "dev", &doc), CFN_ERROR);
        assert_null(doc);
        assert_string_equal(cfn_error_last(),
                            "state table cfnkit-stacks: item stacks / dev is damaged: 1 chunks "
                            "cannot hold its size in bytes");
        assert_int_equal(fake.nsent - before, 1); /* no chunk was read */
    }
    /* The item a write replaced, with a chunk count past any document: no
     * key list is built from it. */
    fake.fallback = (fake_answer){0};
    answer(200, "{\"Attributes\":{\"pk\":{\"S\":\"stacks\"},\"sk\":{\"S\":\"dev\"},"
                "\"gen\":{\"S\":\"g\"},\"chunks\":{\"N\":\"100000000000\"}}}");
    cJSON *doc = cJSON_CreateObject();
    assert_int_equal(stk_store_put_stack(s, "dev", doc), CFN_ERROR);
    assert_string_equal(cfn_error_last(), "item stacks / dev is damaged: 100000000000 chunks");
    cJSON_Delete(doc);
    stk_store_free(s);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(table_is_made_and_waited_for),
        T(a_concurrent_creator_is_no_error),
        T(a_table_that_cannot_be_made_says_why),
        T(throttling_past_the_retries_names_the_table),
        T(unprocessed_deletes_are_retried_then_reported),
        T(damaged_chunk_sizes_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
