/* Serving requests end to end with a scripted transport: one response per
 * request whatever the module does, physical id rules, delivery retries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sanitizer.h"
#include "fake_http.h"
#include "clock.h"
#include "serve.h"

#include <cfnkit/cfnkit.h>

static int echo_create(cfn_ctx *ctx)
{
    const char *msg, *id;
    bool secret;
    if (cfn_prop_string(ctx, "Message", &msg) < 0 ||
        cfn_prop_bool_or(ctx, "Secret", false, &secret) < 0 ||
        cfn_prop_string_or(ctx, "Id", NULL, &id) < 0)
        return -1;
    cfn_set_noecho(ctx, secret);
    if (cfn_set_data(ctx, "Echo", msg) < 0 || cfn_set_dataf(ctx, "Len", "%zu", strlen(msg)) < 0)
        return -1;
    return id ? cfn_set_physical_id(ctx, id) : 0;
}

static int echo_update(cfn_ctx *ctx)
{
    const char *id;
    if (cfn_prop_string_or(ctx, "Id", NULL, &id) < 0)
        return -1;
    return id ? cfn_set_physical_id(ctx, id) : 0;
}

static int crash_remove(cfn_ctx *ctx)
{
    (void)ctx;
    abort();
}

/* An allocator that fails for one size: that of the copy of a 777-byte
 * reason, so that only the report's reason member cannot be made. */
static void *malloc_but_reason(size_t n)
{
    return n == 778 ? NULL : malloc(n);
}

static int misbehave(cfn_ctx *ctx)
{
    const char *mode;
    if (cfn_prop_string(ctx, "Mode", &mode) < 0)
        return -1;
    if (strcmp(mode, "abort") == 0)
        abort();
    if (strcmp(mode, "segv") == 0)
        raise(SIGSEGV);
    if (strcmp(mode, "hang") == 0)
        for (;;)
            pause();
    if (strcmp(mode, "exit") == 0)
        exit(0);
    if (strcmp(mode, "grandchild") == 0) {
        /* Leaves a process holding the report pipe open, then returns. */
        if (fork() == 0)
            for (;;)
                pause();
        return cfn_set_data(ctx, "Done", "yes");
    }
    if (strcmp(mode, "noreason") == 0)
        return -1;
    if (strcmp(mode, "report-oom") == 0) {
        char reason[778];
        memset(reason, 'r', 777);
        reason[777] = '\0';
        cfn_fail(ctx, "%s", reason);
        cJSON_Hooks hooks = {.malloc_fn = malloc_but_reason, .free_fn = free};
        cJSON_InitHooks(&hooks);
        return -1;
    }
    if (strcmp(mode, "hog") == 0) {
        size_t n = 256u << 20;
        char *p = malloc(n);
        if (!p)
            return cfn_fail(ctx, "cannot allocate 256 MB");
        memset(p, 1, n);
        free(p);
        return 0;
    }
    if (strcmp(mode, "oom-score") == 0) {
        char buf[16] = "";
        FILE *f = fopen("/proc/self/oom_score_adj", "r");
        if (!f || !fgets(buf, sizeof(buf), f))
            return cfn_fail(ctx, "cannot read oom_score_adj");
        fclose(f);
        buf[strcspn(buf, "\n")] = '\0';
        return cfn_set_data(ctx, "OomScoreAdj", buf);
    }
    if (strcmp(mode, "forge") == 0) {
        /* A helper writes a report of success into every pipe and socket it
         * inherited; the handler then exits without reporting. */
        static const char forged[] = "{\"rc\":0,\"physicalId\":\"forged\",\"noecho\":false}";
        pid_t helper = fork();
        if (helper == 0) {
            for (int fd = 3; fd < 256; fd++) {
                struct stat st;
                if (fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
                    (void)!write(fd, forged, sizeof(forged) - 1);
            }
            _exit(0);
        }
        waitpid(helper, NULL, 0);
        _exit(0);
    }
    if (strcmp(mode, "huge") == 0) {
        size_t n = 9u << 20;
        char *big = malloc(n + 1);
        if (!big)
            return cfn_fail(ctx, "out of memory");
        memset(big, 'd', n);
        big[n] = '\0';
        int rc = cfn_set_data(ctx, "Huge", big);
        free(big);
        return rc;
    }
    if (strcmp(mode, "awserror") == 0) {
        cfn_error_set(CFN_EIO, "DynamoDB PutItem: ConditionalCheckFailedException");
        return -1;
    }
    return cfn_fail(ctx, "failed as asked: %s", mode);
}

static const cfn_resource_type echo = {
    .type = "Custom::Echo", .create = echo_create, .update = echo_update, .remove = crash_remove};
static const cfn_resource_type bad = {
    .type = "Custom::Bad", .create = misbehave, .update = misbehave, .remove = misbehave};
static const cfn_resource_type noupdate = {
    .type = "Custom::NoUpdate", .create = misbehave, .remove = misbehave};

static int setup_all(void **state)
{
    (void)state;
    assert_int_equal(cfn_register(&echo), 0);
    assert_int_equal(cfn_register(&bad), 0);
    assert_int_equal(cfn_register(&noupdate), 0);
    return 0;
}

/* A request of `action` for `type` with the given properties (JSON object
 * text) and physical id. */
static char *make_request(const char *action, const char *type, const char *props,
                          const char *physical_id)
{
    char *s = NULL;
    int n =
        asprintf(&s,
                 "{\"RequestType\":\"%s\",\"ResponseURL\":\"http://127.0.0.1:9/resp?sig=SECRET\","
                 "\"StackId\":\"arn:aws:cloudformation:us-east-1:1:stack/stk/u\","
                 "\"RequestId\":\"req-%s\",\"ResourceType\":\"%s\",\"LogicalResourceId\":\"Res\","
                 "%s%s%s\"ResourceProperties\":%s%s%s}",
                 action, action, type, physical_id ? "\"PhysicalResourceId\":\"" : "",
                 physical_id ? physical_id : "", physical_id ? "\"," : "", props,
                 strcmp(action, "Update") == 0 ? ",\"OldResourceProperties\":" : "",
                 strcmp(action, "Update") == 0 ? props : "");
    assert_true(n > 0);
    return s;
}

/* Serves one request and returns its code; the delivered body is parsed
 * into *body (NULL when nothing was sent). */
static int serve(const char *json, int64_t budget_ms, cJSON **body)
{
    size_t before = fake.nsent;
    int code = cfn__serve_payload(json, strlen(json), cfn__clock_mono_ms() + budget_ms, NULL, NULL);
    *body = fake.nsent > before ? cJSON_Parse(fake.sent[fake.nsent - 1].body) : NULL;
    return code;
}

static const char *field(const cJSON *body, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void create_success_generates_id(void **state)
{
    (void)state;
    char *req = make_request("Create", "Custom::Echo", "{\"Message\":\"hello\"}", NULL);
    cJSON *body;
    assert_int_equal(serve(req, 5000, &body), 0);
    assert_int_equal(fake.nsent, 1);
    assert_string_equal(fake.sent[0].method, "PUT");
    assert_string_equal(fake.sent[0].url, "http://127.0.0.1:9/resp?sig=SECRET");
    assert_true(fake.sent[0].has_content_type);
    assert_string_equal(fake.sent[0].content_type, "");
    assert_string_equal(field(body, "Status"), "SUCCESS");
    assert_int_equal(strncmp(field(body, "PhysicalResourceId"), "stk-Res-", 8), 0);
    assert_string_equal(field(body, "RequestId"), "req-Create");
    assert_string_equal(field(body, "LogicalResourceId"), "Res");
    assert_string_equal(field(body, "StackId"), "arn:aws:cloudformation:us-east-1:1:stack/stk/u");
    cJSON *data = cJSON_GetObjectItem(body, "Data");
    assert_string_equal(field(data, "Echo"), "hello");
    assert_string_equal(field(data, "Len"), "5");
    cJSON_Delete(body);
    free(req);
}

static void create_uses_the_handler_id(void **state)
{
    (void)state;
    char *req = make_request("Create", "Custom::Echo", "{\"Message\":\"m\",\"Id\":\"mine\"}", NULL);
    cJSON *body;
    assert_int_equal(serve(req, 5000, &body), 0);
    assert_string_equal(field(body, "PhysicalResourceId"), "mine");
    cJSON_Delete(body);
    free(req);
}

static void failed_create_then_delete_of_the_marker(void **state)
{
    (void)state;
    char *req = make_request("Create", "Custom::Echo", "{\"Nothing\":\"here\"}", NULL);
    cJSON *body;
    assert_int_equal(serve(req, 5000, &body), 1);
    assert_string_equal(field(body, "Status"), "FAILED");
    assert_string_equal(field(body, "Reason"), "property Message is required but missing");
    char *marker = strdup(field(body, "PhysicalResourceId"));
    assert_string_equal(marker, "cfnkit-failed-create-Res-req-Create");
    cJSON_Delete(body);
    free(req);
    /* Custom::Echo's remove aborts: SUCCESS proves it was not called. */
    req = make_request("Delete", "Custom::Echo", "{}", marker);
    assert_int_equal(serve(req, 5000, &body), 0);
    assert_string_equal(field(body, "Status"), "SUCCESS");
    assert_string_equal(field(body, "PhysicalResourceId"), marker);
    cJSON_Delete(body);
    free(req);
    /* Even for a type this provider does not serve (any more). */
    req = make_request("Delete", "Custom::Gone", "{}", marker);
    assert_int_equal(serve(req, 5000, &body), 0);
    cJSON_Delete(body);
    free(req);
    free(marker);
}

static void failed_create_marker_cannot_be_forged(void **state)
{
    (void)state;
    /* A module cannot answer an id with the marker's prefix... */
    char *req = make_request("Create", "Custom::Echo",
                             "{\"Message\":\"m\",\"Id\":\"cfnkit-failed-create-web\"}", NULL);
    cJSON *body;
    assert_int_equal(serve(req, 5000, &body), 1);
    assert_non_null(strstr(field(body, "Reason"), "reserved for the failed-create marker"));
    cJSON_Delete(body);
    free(req);
    /* ...and a Delete of a look-alike reaches the module (whose remove aborts). */
    const char *forged[] = {"cfnkit-failed-create-web", "cfnkit-failed-create-Other-req-Create"};
    for (int i = 0; i < 2; i++) {
        req = make_request("Delete", "Custom::Echo", "{}", forged[i]);
        assert_int_equal(serve(req, 5000, &body), 1);
        assert_non_null(strstr(field(body, "Reason"), "crashed"));
        cJSON_Delete(body);
        free(req);
    }
}

static void update_keeps_or_replaces_the_id(void **state)
{
    (void)state;
    char *req = make_request("Update", "Custom::Echo", "{}", "old-id");
    cJSON *body;
    assert_int_equal(serve(req, 5000, &body), 0);
    assert_string_equal(field(body, "PhysicalResourceId"), "old-id");
    cJSON_Delete(body);
    free(req);
    req = make_request("Update", "Custom::Echo", "{\"Id\":\"new-id\"}", "old-id");
    assert_int_equal(serve(req, 5000, &body), 0);
    assert_string_equal(field(body, "PhysicalResourceId"), "new-id");
    cJSON_Delete(body);
    free(req);
}

static void failed_update_and_delete_keep_the_request_id(void **state)
{
    (void)state;
    const char *actions[] = {"Update", "Delete"};
    for (int i = 0; i < 2; i++) {
        char *req = make_request(actions[i], "Custom::Bad", "{\"Mode\":\"nope\"}", "keep-me");
        cJSON *body;
        assert_int_equal(serve(req, 5000, &body), 1);
        assert_string_equal(field(body, "PhysicalResourceId"), "keep-me");
        assert_string_equal(field(body, "Reason"), "failed as asked: nope");
        cJSON_Delete(body);
        free(req);
    }
}

static void update_without_callback_fails_clearly(void **state)
{
    (void)state;
    char *req = make_request("Update", "Custom::NoUpdate", "{}", "x");
    cJSON *body;
    assert_int_equal(serve(req, 5000, &body), 1);
    assert_non_null(strstr(field(body, "Reason"), "Custom::NoUpdate does not support updates"));
    assert_non_null(strstr(field(body, "Reason"), "give it a new logical id"));
    cJSON_Delete(body);
    free(req);
}

static void unknown_type_is_named(void **state)
{
    (void)state;
    char *req = make_request("Create", "Custom::Nope", "{}", NULL);
    cJSON *body;
    assert_int_equal(serve(req, 5000, &body), 1);
    assert_string_equal(field(body, "Reason"),
                        "unknown ResourceType Custom::Nope (this provider "
                        "serves: Custom::Echo, Custom::Bad, Custom::NoUpdate)");
    cJSON_Delete(body);
    free(req);
}

static void invalid_request_with_url_is_answered(void **state)
{
    (void)state;
    const char *req = "{\"RequestType\":\"Create\",\"ResponseURL\":\"http://127.0.0.1:9/r\","
                      "\"RequestId\":\"r1\",\"ResourceType\":\"Custom::Echo\"}";
    cJSON *body;
    assert_int_equal(serve(req, 5000, &body), 1);
    assert_non_null(strstr(field(body, "Reason"), "invalid request: request has no StackId"));
    assert_non_null(strstr(field(body, "Reason"), "LogicalResourceId"));
    assert_string_equal(field(body, "PhysicalResourceId"), "cfnkit-failed-create-r1");
    cJSON_Delete(body);
}

static void unknown_request_type_keeps_its_id(void **state)
{
    (void)state;
    char *req = make_request("Frobnicate", "Custom::Echo", "{}", "keep-me");
    cJSON *body;
    assert_int_equal(serve(req, 5000, &body), 1);
    assert_non_null(strstr(field(body, "Reason"), "unknown RequestType"));
    assert_string_equal(field(body, "PhysicalResourceId"), "keep-me");
    cJSON_Delete(body);
    free(req);
}

static void request_without_url_is_not_answered(void **state)
{
    (void)state;
    const char *req = "{\"RequestType\":\"Create\",\"RequestId\":\"r1\"}";
    served *s;
    size_t n;
    assert_int_equal(cfn__serve_payload(req, strlen(req), cfn__clock_mono_ms() + 5000, &s, &n), 2);
    assert_int_equal(fake.nsent, 0);
    assert_int_equal(n, 1);
    assert_non_null(strstr(s[0].error, "cannot answer: request has no ResponseURL"));
    cfn__served_free(s, n);
    assert_int_equal(cfn__serve_payload("{oops", 5, cfn__clock_mono_ms() + 5000, &s, &n), 2);
    assert_non_null(strstr(s[0].error, "not valid JSON"));
    cfn__served_free(s, n);
    assert_int_equal(fake.nsent, 0);
}

static void expect_failure(const char *mode, int64_t budget, const char *reason_part)
{
    char props[64];
    snprintf(props, sizeof(props), "{\"Mode\":\"%s\"}", mode);
    char *req = make_request("Create", "Custom::Bad", props, NULL);
    cJSON *body;
    size_t before = fake.nsent;
    assert_int_equal(serve(req, budget, &body), 1);
    assert_int_equal(fake.nsent, before + 1);
    const char *reason = field(body, "Reason");
    if (!strstr(reason, reason_part))
        fail_msg("reason \"%s\" lacks \"%s\"", reason, reason_part);
    assert_string_equal(field(body, "PhysicalResourceId"), "cfnkit-failed-create-Res-req-Create");
    cJSON_Delete(body);
    free(req);
}

static void crashes_hangs_and_exits_are_answered_once(void **state)
{
    (void)state;
    expect_failure("abort", 5000, "crashed: signal 6 (SIGABRT)");
    expect_failure("segv", 5000, "crashed: signal 11 (SIGSEGV)");
    int64_t start = cfn__clock_mono_ms();
    expect_failure("hang", 2000, "timed out after 1.0 s");
    assert_true(cfn__clock_mono_ms() - start < 2000);
    expect_failure("exit", 5000, "ended without reporting a result");
    expect_failure("noreason", 5000, "failed without giving a reason");
}

static void report_without_memory_is_not_cut(void **state)
{
    (void)state;
    /* Not "failed without giving a reason": the reason was not dropped. */
    expect_failure("report-oom", 5000, "exited with status 3 before reporting a result");
}

static void report_over_the_bound_is_an_error(void **state)
{
    (void)state;
    expect_failure("huge", 10000, "reported more than 8 MB");
}

static void handler_memory_is_bounded(void **state)
{
    (void)state;
    cJSON *body;
    char *req = make_request("Create", "Custom::Bad", "{\"Mode\":\"oom-score\"}", NULL);
    assert_int_equal(serve(req, 5000, &body), 0);
    assert_string_equal(field(cJSON_GetObjectItem(body, "Data"), "OomScoreAdj"), "1000");
    cJSON_Delete(body);
    free(req);
    /* A 128 MB function: a handler taking 256 MB fails, the provider lives. */
    setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128", 1);
    req = make_request("Create", "Custom::Bad", "{\"Mode\":\"hog\"}", NULL);
    int code = serve(req, 5000, &body);
    unsetenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE");
#ifdef CFN_ADDRESS_SANITIZER
    /* Documented: AddressSanitizer builds set no bound (see isolate.c). */
    assert_int_equal(code, 0);
    assert_string_equal(field(body, "Status"), "SUCCESS");
#else
    assert_int_equal(code, 1);
    assert_string_equal(field(body, "Status"), "FAILED");
#endif
    cJSON_Delete(body);
    free(req);
}

static void report_cannot_be_forged_by_a_helper(void **state)
{
    (void)state;
    expect_failure("forge", 5000, "ended without reporting a result");
}

static void failure_without_reason_uses_the_last_error(void **state)
{
    (void)state;
    /* An error left from before the callback ran explains nothing. */
    cfn_error_set(CFN_EINVAL, "stale error of the provider");
    expect_failure("noreason", 5000, "failed without giving a reason");
    expect_failure("awserror", 5000, "DynamoDB PutItem: ConditionalCheckFailedException");
}

static void leftover_processes_do_not_block(void **state)
{
    (void)state;
    char *req = make_request("Create", "Custom::Bad", "{\"Mode\":\"grandchild\"}", NULL);
    cJSON *body;
    int64_t start = cfn__clock_mono_ms();
    /* The grandchild holds the report pipe open; the handler's exit ends the
     * wait all the same, and its process group is killed. */
    assert_int_equal(serve(req, 10000, &body), 0);
    assert_true(cfn__clock_mono_ms() - start < 5000);
    assert_string_equal(field(cJSON_GetObjectItem(body, "Data"), "Done"), "yes");
    cJSON_Delete(body);
    free(req);
}

static void delivery_retries_then_succeeds(void **state)
{
    (void)state;
    fake_http_push(&fake, (fake_answer){.status = 503});
    fake_http_push(&fake, (fake_answer){.transport_error = 1});
    fake_http_push(&fake, (fake_answer){.status = 200});
    char *req = make_request("Create", "Custom::Echo", "{\"Message\":\"m\"}", NULL);
    cJSON *body;
    assert_int_equal(serve(req, 10000, &body), 0);
    assert_int_equal(fake.nsent, 3);
    assert_string_equal(fake.sent[0].body, fake.sent[2].body);
    cJSON_Delete(body);
    free(req);
}

static void delivery_gives_up_within_bounds(void **state)
{
    (void)state;
    fake.fallback.status = 500;
    char *req = make_request("Create", "Custom::Echo", "{\"Message\":\"m\"}", NULL);
    served *s;
    size_t n;
    int64_t start = cfn__clock_mono_ms();
    assert_int_equal(cfn__serve_payload(req, strlen(req), start + 4000, &s, &n), 2);
    assert_true(cfn__clock_mono_ms() - start <= 4500);
    assert_true(fake.nsent >= 2 && fake.nsent <= 8);
    assert_non_null(strstr(s[0].error, "not delivered after"));
    assert_non_null(strstr(s[0].error, "HTTP 500"));
    assert_null(strstr(s[0].error, "SECRET"));
    cfn__served_free(s, n);
    free(req);
}

static void delivery_refused_is_not_retried(void **state)
{
    (void)state;
    fake.fallback.status = 403;
    char *req = make_request("Create", "Custom::Echo", "{\"Message\":\"m\"}", NULL);
    served *s;
    size_t n;
    assert_int_equal(cfn__serve_payload(req, strlen(req), cfn__clock_mono_ms() + 5000, &s, &n), 2);
    assert_int_equal(fake.nsent, 1);
    assert_non_null(strstr(s[0].error, "refused: HTTP 403"));
    cfn__served_free(s, n);
    free(req);
}

static void noecho_data_is_masked_for_display(void **state)
{
    (void)state;
    char *req = make_request("Create", "Custom::Echo",
                             "{\"Message\":\"topsecret\",\"Secret\":\"true\"}", NULL);
    served *s;
    size_t n;
    assert_int_equal(cfn__serve_payload(req, strlen(req), cfn__clock_mono_ms() + 5000, &s, &n), 0);
    assert_non_null(strstr(fake.sent[0].body, "topsecret")); /* CloudFormation gets it */
    assert_null(strstr(s[0].body, "topsecret"));             /* people do not */
    assert_non_null(strstr(s[0].body, "\"Data\":{\"Echo\":\"****\",\"Len\":\"****\"}"));
    assert_non_null(strstr(s[0].body, "\"NoEcho\":true"));
    assert_string_equal(s[0].url, "http://127.0.0.1:9/resp");
    cfn__served_free(s, n);
    free(req);
}

static void sns_records_are_each_answered(void **state)
{
    (void)state;
    char *one = make_request("Create", "Custom::Echo", "{\"Message\":\"m\"}", NULL);
    cJSON *root = cJSON_CreateObject();
    cJSON *records = cJSON_AddArrayToObject(root, "Records");
    for (int i = 0; i < 2; i++) {
        cJSON *rec = cJSON_CreateObject();
        cJSON_AddStringToObject(cJSON_AddObjectToObject(rec, "Sns"), "Message", one);
        cJSON_AddItemToArray(records, rec);
    }
    char *text = cJSON_PrintUnformatted(root);
    assert_int_equal(
        cfn__serve_payload(text, strlen(text), cfn__clock_mono_ms() + 5000, NULL, NULL), 0);
    assert_int_equal(fake.nsent, 2);
    free(text);
    free(one);
    cJSON_Delete(root);
}

static void registry_refuses_duplicates_and_incomplete_types(void **state)
{
    (void)state;
    static const cfn_resource_type dup = {
        .type = "Custom::Echo", .create = echo_create, .remove = crash_remove};
    static const cfn_resource_type incomplete = {.type = "Custom::Half", .create = echo_create};
    assert_int_equal(cfn_register(&dup), CFN_EEXISTS);
    assert_string_equal(cfn_error_last(), "cfn_register: Custom::Echo is already registered");
    assert_int_equal(cfn_register(&incomplete), CFN_EINVAL);
    assert_int_equal(cfn_register(NULL), CFN_EINVAL);
    assert_ptr_equal(cfn_lookup("Custom::Echo"), &echo);
    assert_null(cfn_lookup("Custom::Half"));
}

static void margins_leave_time_to_respond(void **state)
{
    (void)state;
    assert_int_equal(cfn__deadline_margin_ms(1000), 500);
    assert_int_equal(cfn__deadline_margin_ms(5000), 1000);
    assert_int_equal(cfn__deadline_margin_ms(60000), 6000);
    assert_int_equal(cfn__deadline_margin_ms(900000), 10000);
}

int main(void)
{
#define T(f) FAKE_TEST(f)
    const struct CMUnitTest tests[] = {
        T(create_success_generates_id),
        T(create_uses_the_handler_id),
        T(failed_create_then_delete_of_the_marker),
        T(failed_create_marker_cannot_be_forged),
        T(update_keeps_or_replaces_the_id),
        T(failed_update_and_delete_keep_the_request_id),
        T(update_without_callback_fails_clearly),
        T(unknown_type_is_named),
        T(invalid_request_with_url_is_answered),
        T(request_without_url_is_not_answered),
        T(unknown_request_type_keeps_its_id),
        T(crashes_hangs_and_exits_are_answered_once),
        T(failure_without_reason_uses_the_last_error),
        T(report_over_the_bound_is_an_error),
        T(report_without_memory_is_not_cut),
        T(report_cannot_be_forged_by_a_helper),
        T(handler_memory_is_bounded),
        T(leftover_processes_do_not_block),
        T(delivery_retries_then_succeeds),
        T(delivery_gives_up_within_bounds),
        T(delivery_refused_is_not_retried),
        T(noecho_data_is_masked_for_display),
        T(sns_records_are_each_answered),
        T(registry_refuses_duplicates_and_incomplete_types),
        T(margins_leave_time_to_respond),
    };
    return cmocka_run_group_tests(tests, setup_all, NULL);
}
