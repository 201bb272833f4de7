/* Deciding answers without delivering them: several handlers run at once
 * through one poll loop, a request without ResponseURL, descriptor versions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "answer.h"
#include "clock.h"

#include <cfnkit/cfnkit.h>

#define NJOBS 4

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

/* Marks itself present in Dir, then waits until Count handlers are: only
 * handlers running at the same time can all get past this. */
static int barrier_create(cfn_ctx *ctx)
{
    const char *dir;
    long long count;
    char path[512];
    if (cfn_prop_string(ctx, "Dir", &dir) < 0 || cfn_prop_int(ctx, "Count", &count) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s/%s", dir, cfn_request_logical_id(ctx));
    FILE *f = fopen(path, "w");
    if (!f)
        return cfn_fail(ctx, "cannot create %s", path);
    fclose(f);
    while (count_entries(dir) < count) {
        if (cfn_remaining_ms(ctx) == 0)
            return cfn_fail(ctx, "only %d of %lld handlers ran at once", count_entries(dir), count);
        usleep(10000);
    }
    return cfn_set_physical_id(ctx, cfn_request_logical_id(ctx));
}

static int nothing(cfn_ctx *ctx)
{
    (void)ctx;
    return 0;
}

static const char *const barrier_replaces[] = {"Dir", NULL};
static const char *const barrier_attributes[] = {"Arn", NULL};
static const cfn_resource_type barrier = {.type = "Custom::Barrier",
                                          .create = barrier_create,
                                          .remove = nothing,
                                          .version = CFN_RESOURCE_TYPE_VERSION,
                                          .replaces = barrier_replaces,
                                          .attributes = barrier_attributes};
static const cfn_resource_type plain = {
    .type = "Custom::Plain", .create = nothing, .remove = nothing};

/* Says which callback ran and which failed Create it was told about. */
static int finder_remove(cfn_ctx *ctx)
{
    const char *id = cfn_request_failed_create_id(ctx);
    return cfn_set_data(ctx, "Ran", id ? "remove-with-id" : "remove");
}

static int finder_failed(cfn_ctx *ctx)
{
    const char *id = cfn_request_failed_create_id(ctx);
    return cfn_set_data(ctx, "Ran", id ? id : "no id");
}

static const cfn_resource_type finder = {.type = "Custom::Finder",
                                         .create = nothing,
                                         .remove = finder_remove,
                                         .version = CFN_RESOURCE_TYPE_VERSION,
                                         .remove_failed_create = finder_failed};

static int setup_all(void **state)
{
    (void)state;
    assert_int_equal(cfn_register(&barrier), 0);
    assert_int_equal(cfn_register(&plain), 0);
    assert_int_equal(cfn_register(&finder), 0);
    return 0;
}

/* A Create as an engine would send it: no ResponseURL. */
static void make_request(request *req, const char *type, const char *logical, const char *props)
{
    char *text = NULL;
    assert_true(asprintf(&text,
                         "{\"RequestType\":\"Create\",\"StackId\":\"arn:aws:cloudformation:"
                         "us-east-1:1:stack/stk/u\",\"RequestId\":\"r-%s\",\"ResourceType\":"
                         "\"%s\",\"LogicalResourceId\":\"%s\",\"ResourceProperties\":%s}",
                         logical, type, logical, props) > 0);
    cJSON *obj = cJSON_Parse(text);
    free(text);
    assert_non_null(obj);
    assert_int_equal(cfn__request_init(req, obj), 0);
}

static void handlers_run_at_once_through_poll(void **state)
{
    (void)state;
    char dir[] = "/tmp/cfnkit-answer-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char props[256];
    snprintf(props, sizeof(props), "{\"Dir\":\"%s\",\"Count\":\"%d\"}", dir, NJOBS);

    request reqs[NJOBS];
    cfn__pending *pending[NJOBS];
    bool done[NJOBS] = {false};
    int64_t deadline = cfn__clock_mono_ms() + 5000;
    for (int i = 0; i < NJOBS; i++) {
        char logical[16];
        snprintf(logical, sizeof(logical), "Res%d", i);
        make_request(&reqs[i], "Custom::Barrier", logical, props);
        assert_int_equal(cfn__answer_start(&reqs[i], deadline, &pending[i]), 0);
        assert_non_null(cfn__answer_job(pending[i]));
    }
    /* One loop watches every job, as an engine's scheduler does. */
    int left = NJOBS;
    for (int round = 0; left > 0 && round < 10000; round++) {
        struct pollfd p[NJOBS];
        int wait = 1000;
        for (int i = 0; i < NJOBS; i++) {
            cfn__job *job = cfn__answer_job(pending[i]);
            p[i].fd = done[i] ? -1 : cfn__job_fd(job);
            p[i].events = POLLIN;
            if (!done[i] && cfn__job_wait_ms(job) < wait)
                wait = cfn__job_wait_ms(job);
        }
        assert_true(poll(p, NJOBS, wait) >= 0);
        for (int i = 0; i < NJOBS; i++)
            if (!done[i] && cfn__job_step(cfn__answer_job(pending[i]))) {
                done[i] = true;
                left--;
            }
    }
    assert_int_equal(left, 0);
    for (int i = 0; i < NJOBS; i++) {
        answer a;
        char logical[16];
        snprintf(logical, sizeof(logical), "Res%d", i);
        cfn__answer_finish(pending[i], &a);
        if (!a.success)
            fail_msg("Res%d failed: %s", i, a.reason);
        assert_string_equal(a.physical_id, logical);
        cfn__answer_clear(&a);
        cfn__request_clear(&reqs[i]);
        snprintf(props, sizeof(props), "%s/%s", dir, logical);
        unlink(props);
    }
    rmdir(dir);
}

static void answer_needs_no_response_url(void **state)
{
    (void)state;
    request req;
    answer a;
    make_request(&req, "Custom::Plain", "Thing", "{}");
    assert_null(req.response_url);
    assert_null(req.invalid);
    cfn__answer_decide(&req, cfn__clock_mono_ms() + 5000, &a);
    assert_true(a.success);
    assert_int_equal(strncmp(a.physical_id, "stk-Thing-", 10), 0);
    cfn__answer_clear(&a);
    cfn__request_clear(&req);

    /* Decided without a handler: the type is unknown. */
    make_request(&req, "Custom::Nope", "Thing", "{}");
    cfn__pending *p;
    assert_int_equal(cfn__answer_start(&req, cfn__clock_mono_ms() + 5000, &p), 0);
    assert_null(cfn__answer_job(p));
    cfn__answer_finish(p, &a);
    assert_false(a.success);
    assert_non_null(strstr(a.reason, "unknown ResourceType Custom::Nope"));
    assert_string_equal(a.physical_id, "cfnkit-failed-create-Thing-r-Thing");
    cfn__answer_clear(&a);
    cfn__request_clear(&req);
}

static void delete_request(request *req, const char *type, const char *physical_id)
{
    char *text = NULL;
    assert_true(asprintf(&text,
                         "{\"RequestType\":\"Delete\",\"StackId\":\"arn:aws:cloudformation:"
                         "us-east-1:1:stack/stk/u\",\"RequestId\":\"d1b2c3d4-0000-4000-8000-"
                         "000000000001\",\"ResourceType\":\"%s\",\"LogicalResourceId\":"
                         "\"Thing\",\"PhysicalResourceId\":\"%s\",\"ResourceProperties\":{}}",
                         type, physical_id) > 0);
    cJSON *obj = cJSON_Parse(text);
    free(text);
    assert_non_null(obj);
    assert_int_equal(cfn__request_init(req, obj), 0);
}

/* Issue #14.2: the Delete after a failed Create reaches a type that can find
 * what that Create made, with the Create's RequestId; other types need no
 * code for it. */
static void delete_after_failed_create(void **state)
{
    (void)state;
    static const char marker[] = "cfnkit-failed-create-Thing-a1b2c3d4-1111-4222-8333-444455556666";
    request req;
    answer a;
    delete_request(&req, "Custom::Finder", marker);
    cfn__answer_decide(&req, cfn__clock_mono_ms() + 5000, &a);
    assert_true(a.success);
    assert_string_equal(a.physical_id, marker);
    assert_string_equal(cJSON_GetObjectItem(a.data, "Ran")->valuestring,
                        "a1b2c3d4-1111-4222-8333-444455556666");
    cfn__answer_clear(&a);
    cfn__request_clear(&req);

    /* An ordinary Delete goes to remove, with no failed Create named. */
    delete_request(&req, "Custom::Finder", "real-id");
    cfn__answer_decide(&req, cfn__clock_mono_ms() + 5000, &a);
    assert_true(a.success);
    assert_string_equal(cJSON_GetObjectItem(a.data, "Ran")->valuestring, "remove");
    cfn__answer_clear(&a);
    cfn__request_clear(&req);

    /* A type without remove_failed_create: success, no handler at all. */
    delete_request(&req, "Custom::Plain", marker);
    cfn__pending *p;
    assert_int_equal(cfn__answer_start(&req, cfn__clock_mono_ms() + 5000, &p), 0);
    assert_null(cfn__answer_job(p));
    cfn__answer_finish(p, &a);
    assert_true(a.success);
    cfn__answer_clear(&a);
    cfn__request_clear(&req);

    /* A marker of another logical id is forged: remove gets it as any id. */
    delete_request(&req, "Custom::Finder",
                   "cfnkit-failed-create-Other-a1b2c3d4-1111-4222-8333-444455556666");
    cfn__answer_decide(&req, cfn__clock_mono_ms() + 5000, &a);
    assert_string_equal(cJSON_GetObjectItem(a.data, "Ran")->valuestring, "remove");
    cfn__answer_clear(&a);
    cfn__request_clear(&req);
}

static void descriptor_versions(void **state)
{
    (void)state;
    static const cfn_resource_type future = {
        .type = "Custom::Future", .create = nothing, .remove = nothing, .version = 99};
    assert_int_equal(cfn_register(&future), CFN_EINVAL);
    assert_non_null(strstr(cfn_error_last(), "descriptor version 99"));
    assert_null(cfn_lookup("Custom::Future"));

    assert_true(cfn_type_replaces(&barrier, "Dir"));
    assert_false(cfn_type_replaces(&barrier, "Count"));
    assert_true(cfn_type_has_attribute(&barrier, "Arn"));
    assert_false(cfn_type_has_attribute(&barrier, "Dir"));
    /* Version 0 declares nothing, even with the fields filled in. */
    static const cfn_resource_type old = {
        .type = "Custom::Old", .create = nothing, .remove = nothing, .replaces = barrier_replaces};
    assert_false(cfn_type_replaces(&old, "Dir"));
    assert_false(cfn_type_has_attribute(&plain, "Arn"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(handlers_run_at_once_through_poll),
        cmocka_unit_test(answer_needs_no_response_url),
        cmocka_unit_test(delete_after_failed_create),
        cmocka_unit_test(descriptor_versions),
    };
    return cmocka_run_group_tests(tests, setup_all, NULL);
}
