/* The Lambda Runtime API loop: next invocation, serve it, report, repeat. */
#include "runtime.h"

#include "clock.h"
#include "http.h"
#include "isolate.h"
#include "registry.h"
#include "serve.h"
#include "strbuf.h"

#include <cfnkit/error.h>
#include <cfnkit/log.h>

#include <cjson/cJSON.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LONGEST_LAMBDA_MS (15 * 60 * 1000)
#define MAX_NEXT_FAILURES 3

static int post(const char *url, const char *body, const char *error_type)
{
    http_header h[] = {{"Content-Type", "application/json"},
                       {"Lambda-Runtime-Function-Error-Type", error_type ? error_type : ""}};
    http_request req = {.method = "POST",
                        .url = url,
                        .headers = h,
                        .header_count = error_type ? 2 : 1,
                        .body = body,
                        .body_len = strlen(body),
                        .timeout_ms = 10000};
    http_response res;
    int rc = cfn__http_send(&req, &res);
    if (rc == 0 && (res.status < 200 || res.status >= 300))
        rc = cfn_error_set(CFN_EIO, "POST %s: HTTP %ld", url, res.status);
    cfn__http_response_free(&res);
    if (rc < 0)
        cfn_log(CFN_LOG_ERROR, "Runtime API: %s", cfn_error_last());
    return rc;
}

static char *error_body(const char *message, const char *type)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "errorMessage", message);
    cJSON_AddStringToObject(o, "errorType", type);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* The budget of an invocation. Lambda sends the deadline in epoch ms; local
 * emulators may send anything (@vercel/fun sends the literal 5000), so an
 * implausible value falls back to AWS_LAMBDA_FUNCTION_TIMEOUT, then to the
 * default. */
static int64_t budget_ms(const char *header)
{
    int64_t now = cfn__clock_epoch_ms();
    long long v = header ? strtoll(header, NULL, 10) : 0;
    if (v > now && v - now <= LONGEST_LAMBDA_MS + 60000)
        return v - now;
    const char *t = getenv("AWS_LAMBDA_FUNCTION_TIMEOUT");
    double secs = t ? strtod(t, NULL) : 0;
    if (secs > 0 && secs <= 3600)
        return (int64_t)(secs * 1000);
    return CFN_DEFAULT_TIMEOUT_S * 1000;
}

/* {"responses":[...]}: the bodies as built (valid JSON, NoEcho values
 * masked), joined without parsing and printing them again. */
static char *results_body(const served *s, size_t n)
{
    strbuf sb = {0};
    bool first = true;
    int rc = cfn__sb_printf(&sb, "{\"responses\":[");
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (s[i].body) {
            rc = cfn__sb_printf(&sb, "%s%s", first ? "" : ",", s[i].body);
            first = false;
        }
    if (rc < 0 || cfn__sb_printf(&sb, "]}") < 0) {
        free(sb.data);
        return NULL;
    }
    return sb.data;
}

static char *errors_text(const served *s, size_t n)
{
    strbuf sb = {0};
    for (size_t i = 0; i < n; i++)
        if (s[i].code == 2)
            cfn__sb_printf(&sb, "%s%s", sb.len ? "; " : "",
                           s[i].error ? s[i].error : "not delivered");
    return sb.data ? sb.data : cfn__strdup("not delivered");
}

static void serve_invocation(const char *base, const http_response *res)
{
    char id[256], deadline[64], trace[512];
    if (!cfn__http_response_header(res, "Lambda-Runtime-Aws-Request-Id", id, sizeof(id))) {
        cfn_log(CFN_LOG_ERROR, "Runtime API sent an invocation without a request id");
        return;
    }
    if (cfn__http_response_header(res, "Lambda-Runtime-Trace-Id", trace, sizeof(trace)))
        setenv("_X_AMZN_TRACE_ID", trace, 1);
    int64_t budget = budget_ms(
        cfn__http_response_header(res, "Lambda-Runtime-Deadline-Ms", deadline, sizeof(deadline)));
    served *s = NULL;
    size_t n = 0;
    int code = cfn__serve_payload(res->body, res->body_len, cfn__clock_mono_ms() + budget, &s, &n);
    char *url = NULL, *body = NULL;
    if (code < 2) {
        body = results_body(s, n);
        if (asprintf(&url, "%s/invocation/%s/response", base, id) < 0)
            url = NULL;
    } else {
        char *msg = errors_text(s, n);
        body = msg ? error_body(msg, "cfnkit.ResponseNotDelivered") : NULL;
        free(msg);
        if (asprintf(&url, "%s/invocation/%s/error", base, id) < 0)
            url = NULL;
    }
    if (url && body)
        post(url, body, code < 2 ? NULL : "cfnkit.ResponseNotDelivered");
    free(url);
    free(body);
    cfn__served_free(s, n);
}

static volatile sig_atomic_t serving;

static void on_term(int sig)
{
    (void)sig;
    if (!serving)
        _exit(0);
    cfn__jobs_stop();
}

void cfn__host_catch_term(void)
{
    struct sigaction sa = {.sa_handler = on_term};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
}

void cfn__host_serving(bool on)
{
    serving = on;
}

/* Reports that the provider cannot start: no types to serve. */
static void init_error(const char *base)
{
    char *url = NULL;
    char *body = error_body("no resource types are registered", "cfnkit.InitError");
    if (asprintf(&url, "%s/init/error", base) >= 0 && body)
        post(url, body, "cfnkit.InitError");
    cfn_log(CFN_LOG_FATAL, "no resource types are registered");
    free(url);
    free(body);
}

int cfn__runtime_run(const char *api)
{
    char *base = NULL, *next = NULL;
    int failures = 0, code = 1;
    if (asprintf(&base, "http://%s/2018-06-01/runtime", api) < 0) {
        base = NULL;
        goto done;
    }
    if (asprintf(&next, "%s/invocation/next", base) < 0) {
        next = NULL;
        goto done;
    }
    signal(SIGPIPE, SIG_IGN);
    cfn__host_catch_term();
    if (cfn__registry_count() == 0) {
        init_error(base);
        goto done;
    }
    /* One invocation at a time: one supervisor serves them all. */
    cfn__jobs_keep_supervisor(true);
    for (;;) {
        http_request req = {.method = "GET", .url = next};
        http_response res;
        int rc = cfn__http_send(&req, &res);
        if (rc == 0 && res.status == 200) {
            failures = 0;
            serving = 1;
            serve_invocation(base, &res);
            serving = 0;
            cfn__http_response_free(&res);
            if (cfn__jobs_stopping())
                break;
            continue;
        }
        if (rc == 0)
            cfn_error_set(CFN_EIO, "GET next invocation: HTTP %ld", res.status);
        cfn__http_response_free(&res);
        if (++failures >= MAX_NEXT_FAILURES) {
            /* The API is gone: the sandbox is shutting down. */
            cfn_log(CFN_LOG_INFO, "Runtime API at %s is gone (%s); exiting", api, cfn_error_last());
            break;
        }
        cfn__sleep_ms(100 * failures);
    }
    cfn__jobs_keep_supervisor(false);
    code = 0;
done:
    free(base);
    free(next);
    return code;
}
