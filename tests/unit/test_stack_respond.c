/* The dispatcher's ResponseURL side: HTTP requests as S3 reads them, and
 * CloudFormation's check of an answer with its reasons
 * (UserGuide/crpg-ref-responses.html: 4096 bytes, Status, Reason on FAILED,
 * a non-empty PhysicalResourceId of at most 1 KB, the copied ids); the
 * server's answers over loopback sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "respond.h"

static const stk_expect want = {"req-1", "arn:aws:cloudformation:us-east-1:1:stack/s/u", "Res"};

static int parse(const char *text, stk_http_req *req)
{
    return stk_http_parse(text, strlen(text), req);
}

static void test_parse_put(void **state)
{
    (void)state;
    stk_http_req req;
    const char *text = "PUT /bucket/key%7Cx?X-Amz-Signature=ab&a=b HTTP/1.1\r\nHost: h\r\n"
                       "Content-Type:\r\nContent-Length: 5\r\n\r\nhello";
    assert_int_equal(parse(text, &req), 1);
    assert_string_equal(req.method, "PUT");
    assert_int_equal(req.path_len, strlen("/bucket/key%7Cx"));
    assert_memory_equal(req.path, "/bucket/key%7Cx", req.path_len);
    assert_int_equal(req.query_len, strlen("X-Amz-Signature=ab&a=b"));
    assert_int_equal(req.content_length, 5);
    assert_false(req.content_type);
    assert_memory_equal(text + req.head_len, "hello", 5);
}

static void test_parse_needs_more(void **state)
{
    (void)state;
    stk_http_req req;
    const char *text = "PUT /b/k HTTP/1.1\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\nabc";
    assert_int_equal(parse(text, &req), 0);
    assert_true(req.head_len > 0);
    assert_true(req.expect_continue);
    assert_int_equal(parse("PUT /b/k HTTP/1.1\r\nContent-Le", &req), 0);
    assert_int_equal(req.head_len, 0);
}

static void test_parse_refusals(void **state)
{
    (void)state;
    stk_http_req req;
    static const struct {
        const char *text;
        int status;
    } cases[] = {
        {"PUT /b/k HTTP/1.1\r\nHost: h\r\n\r\n", -411},
        {"PUT /b/k HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", -501},
        {"PUT /b/k HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n", -413},
        {"PUT /b/k HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", -400},
        {"PUT /b/k HTTP/1.1\r\nContent-Length: -1\r\n\r\n", -400},
        {"PUT /b/k HTTP/1.1\r\nContent-Length: 99999999999999\r\n\r\n", -400},
        {"PUT b/k HTTP/1.1\r\nContent-Length: 0\r\n\r\n", -400},
        {"PUT /b/k HTTP/2.0\r\nContent-Length: 0\r\n\r\n", -400},
        {"PUT /b/k\r\nContent-Length: 0\r\n\r\n", -400},
        {"PUT /b/k HTTP/1.1\r\n folded\r\n\r\n", -400},
        {"PUT /b/k HTTP/1.1\r\nBad Name: x\r\n\r\n", -400},
        {"PUT /b/k HTTP/1.1\r\nExpect: something\r\n\r\n", -400},
        {"\r\n\r\n", -400},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = parse(cases[i].text, &req);
        if (rc != cases[i].status)
            fail_msg("case %zu (%s): %d, not %d", i, cases[i].text, rc, cases[i].status);
    }
    char *big = malloc(STK_MAX_HEAD_BYTES + 64);
    assert_non_null(big);
    memset(big, 'a', STK_MAX_HEAD_BYTES + 64);
    memcpy(big, "PUT /b/k HTTP/1.1\r\nX: ", 22);
    assert_int_equal(stk_http_parse(big, STK_MAX_HEAD_BYTES + 64, &req), -431);
    free(big);
    const char nul[] = "PUT /b/k HTTP/1.1\r\nX: a\0b\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(stk_http_parse(nul, sizeof(nul) - 1, &req), -400);
}

static void test_parse_other_methods_and_content_type(void **state)
{
    (void)state;
    stk_http_req req;
    assert_int_equal(parse("GET /b/k HTTP/1.0\r\n\r\n", &req), 1);
    assert_string_equal(req.method, "GET");
    assert_null(req.query);
    assert_int_equal(parse("PUT /b/k HTTP/1.1\r\nContent-Type: application/json\r\n"
                           "Content-Length: 0\r\n\r\n",
                           &req),
                     1);
    assert_true(req.content_type);
}

/* Checks `body`; returns the result (cleared by the caller). */
static stk_result check(const char *body)
{
    stk_result r = {0};
    assert_int_equal(stk_response_check(body, strlen(body), &want, &r), 0);
    return r;
}

/* Not inlined: gcc 12 then takes asprintf's buffer for a local (a false
 * -Wdangling-pointer in Release builds). */
__attribute__((noinline)) static char *answer(const char *status, const char *id, const char *extra)
{
    char *text = NULL;
    char idpart[1200] = "";
    if (id)
        snprintf(idpart, sizeof(idpart), ",\"PhysicalResourceId\":\"%s\"", id);
    assert_true(asprintf(&text,
                         "{\"Status\":\"%s\"%s,\"StackId\":\"%s\",\"RequestId\":\"%s\","
                         "\"LogicalResourceId\":\"%s\"%s}",
                         status, idpart, want.stack_id, want.request_id, want.logical_id,
                         extra ? extra : "") > 0);
    return text;
}

static void expect_reason(const char *body, const char *reason)
{
    stk_result r = check(body);
    assert_false(r.success);
    assert_non_null(r.reason);
    if (strcmp(r.reason, reason) != 0)
        fail_msg("%s: reason \"%s\", not \"%s\"", body, r.reason, reason);
    assert_null(r.physical_id);
    assert_null(r.data);
    stk_result_clear(&r);
}

static void test_check_success(void **state)
{
    (void)state;
    char *body = answer("SUCCESS", "id-1", ",\"NoEcho\":true,\"Data\":{\"Port\":\"80\"}");
    stk_result r = check(body);
    assert_true(r.success);
    assert_string_equal(r.physical_id, "id-1");
    assert_true(r.no_echo);
    assert_string_equal(cJSON_GetObjectItem(r.data, "Port")->valuestring, "80");
    assert_null(r.reason);
    stk_result_clear(&r);
    free(body);
    body = answer("SUCCESS", "id-1", ",\"NoEcho\":\"false\"");
    r = check(body);
    assert_true(r.success);
    assert_false(r.no_echo);
    assert_null(r.data);
    stk_result_clear(&r);
    free(body);
}

static void test_check_failed(void **state)
{
    (void)state;
    char *body = answer("FAILED", "id-1", ",\"Reason\":\"pool web is full\"");
    stk_result r = check(body);
    assert_false(r.success);
    assert_string_equal(r.reason, "pool web is full");
    assert_string_equal(r.physical_id, "id-1");
    stk_result_clear(&r);
    free(body);
    /* A failed Create may leave the id out. */
    body = answer("FAILED", NULL, ",\"Reason\":\"no\"");
    r = check(body);
    assert_false(r.success);
    assert_string_equal(r.reason, "no");
    assert_null(r.physical_id);
    stk_result_clear(&r);
    free(body);
}

static void test_check_rejections(void **state)
{
    (void)state;
    char long_id[1100], *body;
    memset(long_id, 'i', 1025);
    long_id[1025] = '\0';
    struct {
        char *body;
        const char *reason;
    } cases[] = {
        {answer("SUCCESS", "", NULL), "Invalid PhysicalResourceId"},
        {answer("SUCCESS", NULL, NULL), "Invalid PhysicalResourceId"},
        {answer("SUCCESS", long_id, NULL), "Invalid PhysicalResourceId"},
        {answer("FAILED", "", ",\"Reason\":\"x\""), "Invalid PhysicalResourceId"},
        {answer("FAILED", "id", NULL),
         "Invalid Response object: Reason is required when Status is FAILED"},
        {answer("FAILED", "id", ",\"Reason\":\"\""),
         "Invalid Response object: Reason is required when Status is FAILED"},
        {answer("FAILURE", "id", NULL),
         "Invalid Response object: 'FAILURE' is not a valid ResponseStatus"},
        {answer("SUCCESS", "id", ",\"Data\":[1]"),
         "Invalid Response object: Data must be a JSON object"},
        {answer("SUCCESS", "id", ",\"NoEcho\":\"maybe\""),
         "Invalid Response object: NoEcho must be true or false"},
        {strdup("not json"), "Invalid Response object: the response is not a JSON object"},
        {strdup("[1]"), "Invalid Response object: the response is not a JSON object"},
        {strdup("{\"PhysicalResourceId\":\"x\"}"),
         "Invalid Response object: Status is required (SUCCESS or FAILED)"},
        {strdup("{\"Status\":\"SUCCESS\",\"PhysicalResourceId\":\"x\",\"RequestId\":\"req-1\"}"),
         "Invalid Response object: StackId is missing; it must be the request's"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        expect_reason(cases[i].body, cases[i].reason);
        free(cases[i].body);
    }
    /* Each copied id must be the request's. */
    body = answer("SUCCESS", "id", NULL);
    size_t at = (size_t)(strstr(body, "req-1") - body);
    body[at + 4] = '2';
    expect_reason(body, "Invalid Response object: RequestId is not the request's");
    free(body);
    /* Over 4096 bytes, whatever it holds. */
    char reason[4200];
    memset(reason, 'r', sizeof(reason) - 1);
    reason[sizeof(reason) - 1] = '\0';
    char extra[4300];
    snprintf(extra, sizeof(extra), ",\"Reason\":\"%s\"", reason);
    body = answer("SUCCESS", "id", extra);
    expect_reason(body, "Response object is too long.");
    free(body);
    /* Exactly 4096 is accepted. */
    body = answer("SUCCESS", "id", ",\"Reason\":\"\"");
    size_t pad = 4096 - strlen(body);
    char *fit = malloc(4097);
    snprintf(fit, 4097, "%.*s%*s%s", (int)(strlen(body) - 1), body, (int)pad, "", "}");
    assert_int_equal(strlen(fit), 4096);
    stk_result r = {0};
    assert_int_equal(stk_response_check(fit, 4096, &want, &r), 0);
    assert_true(r.success);
    stk_result_clear(&r);
    free(fit);
    free(body);
}

static void test_check_shows_a_bad_status_safely(void **state)
{
    (void)state;
    char *body = answer("\\u001b[31mred", "id", NULL);
    expect_reason(body, "Invalid Response object: '?[31mred' is not a valid ResponseStatus");
    free(body);
}

/* The server over real loopback sockets, pumped by hand. */

typedef struct seen {
    int calls;
    char path[256], body[64];
    int status;
} seen;

static int record_put(void *arg, const stk_http_req *req, const char *body, size_t len,
                      const char **code, const char **message)
{
    seen *s = arg;
    s->calls++;
    snprintf(s->path, sizeof(s->path), "%.*s", (int)req->path_len, req->path);
    snprintf(s->body, sizeof(s->body), "%.*s", (int)len, body);
    if (s->status == 403) {
        *code = "SignatureDoesNotMatch";
        *message = "no";
    }
    return s->status;
}

static int client(const stk_respond *srv)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)stk_respond_port(srv)),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    return fd;
}

static void say(int fd, const char *text)
{
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
}

/* Pumps the server until `fd` has something to read (or 2 s pass); returns
 * what it reads. */
static char *hear(stk_respond *srv, int fd)
{
    static char buf[4096];
    for (int i = 0; i < 200; i++) {
        struct pollfd fds[300];
        int64_t deadline = INT64_MAX;
        size_t n = stk_respond_pollfds(srv, fds, 300, &deadline);
        poll(fds, n, 10);
        stk_respond_step(srv, fds, n);
        struct pollfd mine = {.fd = fd, .events = POLLIN};
        if (poll(&mine, 1, 0) == 1) {
            ssize_t got = read(fd, buf, sizeof(buf) - 1);
            buf[got > 0 ? got : 0] = '\0';
            return buf;
        }
    }
    buf[0] = '\0';
    return buf;
}

static void test_server(void **state)
{
    (void)state;
    seen s = {.status = 200};
    stk_respond *srv = NULL;
    assert_int_equal(stk_respond_open(record_put, &s, &srv), 0);
    assert_true(stk_respond_port(srv) > 0);

    /* A whole PUT: 200 with the MD5 of the body as ETag. */
    int fd = client(srv);
    say(fd, "PUT /b/k?X-Amz-Signature=1 HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
    char *reply = hear(srv, fd);
    assert_non_null(strstr(reply, "HTTP/1.1 200 OK\r\n"));
    assert_non_null(strstr(reply, "ETag: \"5d41402abc4b2a76b9719d911017c592\"\r\n"));
    assert_int_equal(s.calls, 1);
    assert_string_equal(s.path, "/b/k");
    assert_string_equal(s.body, "hello");
    close(fd);

    /* Another method: 405, the callback is not called. */
    fd = client(srv);
    say(fd, "GET /b/k HTTP/1.1\r\n\r\n");
    reply = hear(srv, fd);
    assert_non_null(strstr(reply, "HTTP/1.1 405 "));
    assert_non_null(strstr(reply, "<Code>MethodNotAllowed</Code>"));
    assert_int_equal(s.calls, 1);
    close(fd);

    /* No length: 411. */
    fd = client(srv);
    say(fd, "PUT /b/k HTTP/1.1\r\n\r\n");
    reply = hear(srv, fd);
    assert_non_null(strstr(reply, "HTTP/1.1 411 "));
    assert_non_null(strstr(reply, "<Code>MissingContentLength</Code>"));
    close(fd);

    /* Expect: 100-continue, and a slow client beside a quick one. */
    int slow = client(srv);
    say(slow, "PUT /b/slow HTTP/1.1\r\nContent-Len");
    fd = client(srv);
    say(fd, "PUT /b/k2 HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
    reply = hear(srv, fd);
    assert_string_equal(reply, "HTTP/1.1 100 Continue\r\n\r\n");
    s.status = 403;
    say(fd, "ok");
    reply = hear(srv, fd);
    assert_non_null(strstr(reply, "HTTP/1.1 403 Forbidden\r\n"));
    assert_non_null(strstr(reply, "<Code>SignatureDoesNotMatch</Code><Message>no</Message>"));
    assert_null(strstr(reply, "ETag"));
    assert_string_equal(s.path, "/b/k2");
    close(fd);
    s.status = 200;
    say(slow, "gth: 1\r\n\r\nx");
    reply = hear(srv, slow);
    assert_non_null(strstr(reply, "HTTP/1.1 200 OK"));
    assert_string_equal(s.path, "/b/slow");
    close(slow);
    stk_respond_free(srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_put),
        cmocka_unit_test(test_parse_needs_more),
        cmocka_unit_test(test_parse_refusals),
        cmocka_unit_test(test_parse_other_methods_and_content_type),
        cmocka_unit_test(test_check_success),
        cmocka_unit_test(test_check_failed),
        cmocka_unit_test(test_check_rejections),
        cmocka_unit_test(test_check_shows_a_bad_status_safely),
        cmocka_unit_test(test_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
