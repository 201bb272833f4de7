/* SigV4 against the official test vectors (tests/fixtures/sigv4): every case,
 * header and query signing, canonical request, string to sign, signature. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "digest.h"
#include "sigv4.h"
#include "strbuf.h"
#include "uri.h"

#include <cfnkit/cfnkit.h>

static const char *vectors;

static char *slurp(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s/%s", vectors, dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    strbuf sb = {0};
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        cfn__sb_append(&sb, buf, n);
    fclose(f);
    cfn__sb_append(&sb, "", 0);
    return sb.data;
}

typedef struct parsed {
    char *text;
    char *method, *path, *query;
    http_header headers[32];
    char *values[32];
    size_t count;
    const char *body;
} parsed;

/* request.txt: "METHOD PATH HTTP/1.1", headers (continuation lines start with
 * white space), a blank line, the body. The path may hold spaces. */
static void parse_request(char *text, parsed *p)
{
    memset(p, 0, sizeof(*p));
    p->text = text;
    char *line_end = strchr(text, '\n');
    if (line_end)
        *line_end = '\0';
    char *sp = strchr(text, ' ');
    char *ver = strrchr(text, ' ');
    *sp = '\0';
    *ver = '\0';
    p->method = text;
    p->path = sp + 1;
    char *q = strchr(p->path, '?');
    if (q) {
        *q = '\0';
        p->query = q + 1;
    }
    char *cur = line_end ? line_end + 1 : NULL;
    p->body = "";
    while (cur && *cur) {
        char *next = strchr(cur, '\n');
        if (next)
            *next = '\0';
        if (*cur == '\0') {
            p->body = next ? next + 1 : "";
            break;
        }
        if ((*cur == ' ' || *cur == '\t') && p->count) {
            char *v = NULL;
            assert_true(asprintf(&v, "%s\n%s", p->values[p->count - 1], cur) > 0);
            free(p->values[p->count - 1]);
            p->values[p->count - 1] = v;
            p->headers[p->count - 1].value = v;
        } else {
            char *colon = strchr(cur, ':');
            *colon = '\0';
            p->values[p->count] = strdup(colon + 1);
            p->headers[p->count] = (http_header){cur, p->values[p->count]};
            p->count++;
        }
        cur = next ? next + 1 : NULL;
    }
}

static void parsed_free(parsed *p)
{
    for (size_t i = 0; i < p->count; i++)
        free(p->values[i]);
    free(p->text);
}

static void expect_file(const char *dir, const char *name, const char *got)
{
    char *want = slurp(dir, name);
    assert_non_null(want);
    size_t n = strlen(want);
    while (n && want[n - 1] == '\n')
        want[--n] = '\0';
    if (strcmp(want, got) != 0)
        fail_msg("%s/%s differs:\n--- want\n%s\n--- got\n%s", dir, name, want, got);
    free(want);
}

static void vector(void **state)
{
    const char *dir = *state;
    char *ctx_text = slurp(dir, "context.json");
    assert_non_null(ctx_text);
    cJSON *ctx = cJSON_Parse(ctx_text);
    const cJSON *cred = cJSON_GetObjectItem(ctx, "credentials");
    const cJSON *token = cJSON_GetObjectItem(cred, "token");
    sigv4_creds creds = {cJSON_GetObjectItem(cred, "access_key_id")->valuestring,
                         cJSON_GetObjectItem(cred, "secret_access_key")->valuestring,
                         token ? token->valuestring : NULL};
    struct tm tm = {0};
    strptime(cJSON_GetObjectItem(ctx, "timestamp")->valuestring, "%Y-%m-%dT%H:%M:%SZ", &tm);
    sigv4_params params = {
        .region = cJSON_GetObjectItem(ctx, "region")->valuestring,
        .service = cJSON_GetObjectItem(ctx, "service")->valuestring,
        .when = timegm(&tm),
        .normalize = cJSON_IsTrue(cJSON_GetObjectItem(ctx, "normalize")),
        .double_encode = true,
        .sign_body = cJSON_IsTrue(cJSON_GetObjectItem(ctx, "sign_body")),
        .omit_token = cJSON_IsTrue(cJSON_GetObjectItem(ctx, "omit_session_token")),
        .expires = (long)cJSON_GetObjectItem(ctx, "expiration_in_seconds")->valuedouble};

    parsed p;
    parse_request(slurp(dir, "request.txt"), &p);
    char body_hash[65];
    cfn_sha256_hex(p.body, strlen(p.body), body_hash);
    sigv4_request req = {p.method, p.path, p.query, p.headers, p.count, body_hash};

    sigv4_result r;
    assert_int_equal(cfn__sigv4_sign_headers(&creds, &params, &req, &r), 0);
    expect_file(dir, "header-canonical-request.txt", r.canonical_request);
    expect_file(dir, "header-string-to-sign.txt", r.string_to_sign);
    expect_file(dir, "header-signature.txt", r.signature);
    cfn__sigv4_result_free(&r);

    assert_int_equal(cfn__sigv4_sign_query(&creds, &params, &req, &r), 0);
    expect_file(dir, "query-canonical-request.txt", r.canonical_request);
    expect_file(dir, "query-string-to-sign.txt", r.string_to_sign);
    expect_file(dir, "query-signature.txt", r.signature);
    assert_non_null(strstr(r.signed_query, r.signature));
    cfn__sigv4_result_free(&r);

    parsed_free(&p);
    cJSON_Delete(ctx);
    free(ctx_text);
}

static void uri_encoding(void **state)
{
    (void)state;
    char *e = cfn__uri_encode("a b/c~d+e=\xe1\x88\xb4", 13, true);
    assert_string_equal(e, "a%20b/c~d%2Be%3D%E1%88%B4");
    free(e);
    e = cfn__uri_encode("a/b", 3, false);
    assert_string_equal(e, "a%2Fb");
    free(e);
}

static void s3_paths_are_not_encoded_twice(void **state)
{
    (void)state;
    sigv4_creds creds = {"AKID", "secret", NULL};
    sigv4_params params = {.region = "us-east-1", .service = "s3", .when = 0, .sign_body = true};
    http_header h[] = {{"Host", "b.s3.amazonaws.com"}};
    sigv4_request req = {"GET", "/my%20key/..", NULL, h, 1, SIGV4_UNSIGNED};
    sigv4_result r;
    assert_int_equal(cfn__sigv4_sign_headers(&creds, &params, &req, &r), 0);
    assert_int_equal(strncmp(r.canonical_request, "GET\n/my%20key/..\n", 17), 0);
    assert_non_null(strstr(r.canonical_request, "x-amz-content-sha256:UNSIGNED-PAYLOAD"));
    cfn__sigv4_result_free(&r);
}

static int is_case(const struct dirent *d)
{
    return d->d_name[0] != '.' && d->d_type == DT_DIR;
}

int main(void)
{
    vectors = getenv("CFNKIT_SIGV4_VECTORS");
    if (!vectors)
        vectors = "tests/fixtures/sigv4";
    struct dirent **names;
    int n = scandir(vectors, &names, is_case, alphasort);
    if (n <= 0) {
        fprintf(stderr, "no SigV4 vectors in %s (set CFNKIT_SIGV4_VECTORS)\n", vectors);
        return 1;
    }
    struct CMUnitTest *tests = calloc((size_t)n + 2, sizeof(*tests));
    for (int i = 0; i < n; i++) {
        tests[i] = (struct CMUnitTest)cmocka_unit_test_prestate(vector, strdup(names[i]->d_name));
        tests[i].name = (const char *)tests[i].initial_state;
        free(names[i]);
    }
    free(names);
    tests[n] = (struct CMUnitTest)cmocka_unit_test(uri_encoding);
    tests[n + 1] = (struct CMUnitTest)cmocka_unit_test(s3_paths_are_not_encoded_twice);
    int failed = _cmocka_run_group_tests("sigv4", tests, (size_t)n + 2, NULL, NULL);
    for (int i = 0; i < n; i++)
        free(tests[i].initial_state);
    free(tests);
    return failed;
}
