/* The floor of a warm Lambda runtime loop: only the Runtime API's next and
 * response calls on one kept-alive connection (with --put, also one PUT of a
 * fixed CloudFormation response to RESPONSE_URL), until the API answers 410.
 * Usage: bench_floor HOST:PORT [--put RESPONSE_URL] */
#include <curl/curl.h>

#include <stdio.h>
#include <string.h>

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

/* Keeps the Lambda-Runtime-Aws-Request-Id header's value. */
static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    static const char name[] = "lambda-runtime-aws-request-id:";
    size_t len = size * n, k = sizeof(name) - 1;
    char *id = ud;
    if (len > k && strncasecmp(p, name, k) == 0) {
        size_t v = len - k;
        while (v && (p[k] == ' ' || p[k] == '\t'))
            k++, v--;
        while (v && (p[k + v - 1] == '\r' || p[k + v - 1] == '\n'))
            v--;
        if (v < 128) {
            memcpy(id, p + k, v);
            id[v] = '\0';
        }
    }
    return len;
}

static long send_body(CURL *c, const char *url, const char *method, const char *body)
{
    long status = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, NULL);
    if (curl_easy_perform(c) != CURLE_OK)
        return -1;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

int main(int argc, char **argv)
{
    static const char cfn_body[] = "{\"Status\":\"SUCCESS\",\"Reason\":\"floor\","
                                   "\"PhysicalResourceId\":\"floor\",\"StackId\":\"s\","
                                   "\"RequestId\":\"r\",\"LogicalResourceId\":\"l\",\"Data\":{}}";
    const char *put_url = NULL;
    char next[256], url[512], id[128];
    struct curl_slist *hdrs = NULL;
    int served = 0, rc = 1;

    if (argc == 4 && strcmp(argv[2], "--put") == 0)
        put_url = argv[3];
    else if (argc != 2) {
        fprintf(stderr, "usage: %s HOST:PORT [--put RESPONSE_URL]\n", argv[0]);
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *c = curl_easy_init();
    if (!c)
        goto done;
    hdrs = curl_slist_append(hdrs, "Expect:");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
    snprintf(next, sizeof(next), "http://%s/2018-06-01/runtime/invocation/next", argv[1]);
    for (;;) {
        long status = 0;
        id[0] = '\0';
        curl_easy_setopt(c, CURLOPT_URL, next);
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, id);
        if (curl_easy_perform(c) != CURLE_OK)
            goto done;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (status == 410)
            break;
        if (status != 200 || !id[0])
            goto done;
        if (put_url && send_body(c, put_url, "PUT", cfn_body) != 200)
            goto done;
        snprintf(url, sizeof(url), "http://%s/2018-06-01/runtime/invocation/%s/response", argv[1],
                 id);
        if (send_body(c, url, "POST", "{}") != 202)
            goto done;
        served++;
    }
    printf("%d\n", served);
    rc = 0;
done:
    if (rc)
        fprintf(stderr, "bench_floor: the Runtime API loop failed after %d requests\n", served);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
    curl_global_cleanup();
    return rc;
}
