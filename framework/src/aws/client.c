/* The AWS client: region, endpoints, signing, the SDKs' standard retry mode
 * and error parsing. The calls themselves are in one file per protocol. */
#include "client.h"

#include "clock.h"
#include "digest.h"
#include "env.h"
#include "sigv4.h"
#include "strbuf.h"
#include "xml.h"

#include <cfnkit/log.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define RETRY_QUOTA      500
#define RETRY_COST       5
#define RETRY_COST_IOERR 10
#define BACKOFF_BASE_MS  1000
#define BACKOFF_MAX_MS   20000
#define CALL_TIMEOUT_MS  60000 /* a call without a deadline */

const aws_service cfn__svc_s3 = {"S3", "s3", "s3", "S3", false};

static bool valid_region(const char *r)
{
    return r && *r && strlen(r) < 64 &&
           strspn(r, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(r);
}

int cfn_aws_new(cfn_aws **out, const char *region)
{
    char *from_profile = NULL;
    *out = NULL;
    if (!region || !*region)
        region = cfn__env_region();
    if (!region) {
        char *conf = cfn__config_path("AWS_CONFIG_FILE", "config");
        char section[300];
        snprintf(section, sizeof(section),
                 strcmp(cfn__profile_name(), "default") == 0 ? "%s" : "profile %s",
                 cfn__profile_name());
        region = from_profile = cfn__profile_value(conf, section, "region");
        free(conf);
    }
    if (!region || !*region) {
        free(from_profile);
        return cfn_error_set(CFN_EINVAL, "no AWS region configured: set AWS_REGION (or "
                                         "AWS_DEFAULT_REGION, or region in the AWS config file)");
    }
    if (!valid_region(region)) {
        int rc = cfn_error_set(CFN_EINVAL, "invalid AWS region \"%.64s\"", region);
        free(from_profile);
        return rc;
    }
    cfn_aws *aws = calloc(1, sizeof(*aws));
    if (!aws) {
        free(from_profile);
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    snprintf(aws->region, sizeof(aws->region), "%s", region);
    free(from_profile);
    aws->reuse = true;
    aws->retry_tokens = RETRY_QUOTA;
    *out = aws;
    return 0;
}

void cfn_aws_free(cfn_aws *aws)
{
    if (!aws)
        return;
    cfn__creds_clear(&aws->creds);
    free(aws);
}

const char *cfn_aws_region(const cfn_aws *aws)
{
    return aws->region;
}

void cfn_aws_set_deadline(cfn_aws *aws, int64_t deadline_ms)
{
    aws->deadline = deadline_ms;
}

void cfn_aws_set_reuse(cfn_aws *aws, bool reuse)
{
    aws->reuse = reuse;
}

const char *cfn_aws_error_code(const cfn_aws *aws)
{
    return aws->error_code;
}

long cfn_aws_error_status(const cfn_aws *aws)
{
    return aws->error_status;
}

bool cfn_aws_error_is(const cfn_aws *aws, const char *code)
{
    return code && strcmp(aws->error_code, code) == 0;
}

static const char *partition_suffix(const char *region)
{
    return strncmp(region, "cn-", 3) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
}

/* The region IAM signs with: its endpoint is global per partition. */
static const char *signing_region(const cfn_aws *aws, const aws_service *svc)
{
    if (!svc->global)
        return aws->region;
    if (strncmp(aws->region, "cn-", 3) == 0)
        return "cn-north-1";
    if (strncmp(aws->region, "us-gov-", 7) == 0)
        return "us-gov-west-1";
    return "us-east-1";
}

static bool truthy(const char *v)
{
    return v && strcasecmp(v, "true") == 0;
}

char *cfn__aws_endpoint(const cfn_aws *aws, const aws_service *svc, bool *custom)
{
    char *url = NULL;
    *custom = false;
    if (!truthy(getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))) {
        char name[64];
        snprintf(name, sizeof(name), "AWS_ENDPOINT_URL_%s", svc->env);
        const char *v = getenv(name);
        if (!v || !*v)
            v = getenv("AWS_ENDPOINT_URL");
        if (v && *v) {
            *custom = true;
            url = cfn__strdup(v);
            size_t n = url ? strlen(url) : 0;
            while (n && url[n - 1] == '/')
                url[--n] = '\0';
            return url;
        }
    }
    const char *suffix = partition_suffix(aws->region);
    int n;
    if (svc->global && strncmp(aws->region, "us-gov-", 7) == 0)
        n = asprintf(&url, "https://%s.us-gov.%s", svc->endpoint, suffix);
    else if (svc->global && strncmp(aws->region, "cn-", 3) != 0)
        n = asprintf(&url, "https://%s.%s", svc->endpoint, suffix);
    else
        n = asprintf(&url, "https://%s.%s.%s", svc->endpoint, signing_region(aws, svc), suffix);
    return n < 0 ? NULL : url;
}

/* A bucket that can be a host name label (virtual-hosted style). */
static bool dns_bucket(const char *b)
{
    size_t n = strlen(b);
    if (n < 3 || n > 63 || strchr(b, '.'))
        return false;
    for (const char *p = b; *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-'))
            return false;
    return b[0] != '-' && b[n - 1] != '-';
}

int cfn__aws_credentials_ready(cfn_aws *aws)
{
    int64_t now = cfn__clock_epoch_ms();
    /* Refresh five minutes before expiry, as the SDKs do. */
    if (aws->creds.access_key && (!aws->creds.expires || now < aws->creds.expires - 300000))
        return 0;
    cfn__creds_clear(&aws->creds);
    return cfn__creds_resolve(&aws->creds, aws->deadline);
}

static bool retryable_code(const char *code)
{
    static const char *codes[] = {"Throttling",
                                  "ThrottlingException",
                                  "ThrottledException",
                                  "RequestThrottledException",
                                  "TooManyRequestsException",
                                  "ProvisionedThroughputExceededException",
                                  "TransactionInProgressException",
                                  "RequestLimitExceeded",
                                  "BandwidthLimitExceeded",
                                  "LimitExceededException",
                                  "RequestThrottled",
                                  "SlowDown",
                                  "PriorRequestNotComplete",
                                  "EC2ThrottledException",
                                  "RequestTimeout",
                                  "RequestTimeoutException",
                                  "InternalError",
                                  "InternalFailure",
                                  "ServiceUnavailable"};
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (strcmp(code, codes[i]) == 0)
            return true;
    return false;
}

/* Fills aws->error_code and returns the message of an error answer. */
static char *parse_error(cfn_aws *aws, const http_response *res)
{
    char hdr[256];
    char *code = NULL, *message = NULL;
    /* Services compatible with their former query protocol (SQS) name the
     * query error code, which the SDKs give: "AWS.SimpleQueueService.
     * NonExistentQueue;Sender". */
    if (cfn__http_response_header(res, "x-amzn-query-error", hdr, sizeof(hdr))) {
        hdr[strcspn(hdr, ";")] = '\0';
        if (*hdr)
            code = cfn__strdup(hdr);
    }
    if (!code && cfn__http_response_header(res, "x-amzn-ErrorType", hdr, sizeof(hdr))) {
        hdr[strcspn(hdr, ":")] = '\0';
        const char *hash = strrchr(hdr, '#');
        code = cfn__strdup(hash ? hash + 1 : hdr);
    }
    const char *b = res->body ? res->body : "";
    while (*b && isspace((unsigned char)*b))
        b++;
    if (*b == '{') {
        cJSON *o = cJSON_ParseWithLength(res->body, res->body_len);
        const char *names[] = {"__type", "code", "Code"};
        for (size_t i = 0; !code && i < 3; i++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, names[i]);
            if (cJSON_IsString(v)) {
                const char *hash = strrchr(v->valuestring, '#');
                code = cfn__strdup(hash ? hash + 1 : v->valuestring);
            }
        }
        const char *mnames[] = {"message", "Message", "errorMessage"};
        for (size_t i = 0; !message && i < 3; i++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, mnames[i]);
            if (cJSON_IsString(v))
                message = cfn__strdup(v->valuestring);
        }
        cJSON_Delete(o);
    } else if (*b == '<') {
        if (!code)
            code = cfn__xml_text(res->body, res->body_len, "Code");
        message = cfn__xml_text(res->body, res->body_len, "Message");
    }
    if (!code && res->status == 404)
        code = cfn__strdup("NotFound");
    snprintf(aws->error_code, sizeof(aws->error_code), "%s", code ? code : "");
    free(code);
    return message;
}

/* S3 can fail CopyObject, UploadPartCopy and CompleteMultipartUpload after
 * it has answered 200: the body is then an Error document, which the SDKs
 * treat as the error it is. Other answers are taken as they are (an object
 * may hold any text). */
static bool error_in_ok(const aws_call *call, const http_response *res)
{
    static const char *const ops[] = {"CopyObject", "UploadPartCopy", "CompleteMultipartUpload"};
    bool listed = false;
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        listed |= strcmp(call->operation, ops[i]) == 0;
    if (!listed || strcmp(call->svc->signing, "s3") != 0 || !res->body)
        return false;
    const char *b = res->body, *end = res->body + res->body_len;
    while (b < end && isspace((unsigned char)*b))
        b++;
    if (end - b > 5 && memcmp(b, "<?xml", 5) == 0) {
        const char *decl_end = memchr(b, '>', (size_t)(end - b));
        b = decl_end ? decl_end + 1 : end;
        while (b < end && isspace((unsigned char)*b))
            b++;
    }
    return end - b >= 7 && memcmp(b, "<Error>", 7) == 0;
}

static int max_attempts(void)
{
    const char *v = getenv("AWS_MAX_ATTEMPTS");
    int n = v ? atoi(v) : 0;
    return n >= 1 && n <= 20 ? n : 3;
}

int cfn__aws_locate(const cfn_aws *aws, const aws_service *svc, const char *bucket,
                    const char *path, aws_target *t)
{
    bool custom;
    int rc;
    memset(t, 0, sizeof(*t));
    char *base = cfn__aws_endpoint(aws, svc, &custom);
    if (!base)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    const char *sep = strstr(base, "://");
    size_t an = sep ? strcspn(sep + 3, "/?#") : 0;
    if (!sep || (size_t)(sep - base) >= sizeof(t->scheme) || an == 0 || an >= 512) {
        rc = cfn_error_set(CFN_EINVAL, "%s endpoint \"%.200s\" is not a URL", svc->name, base);
        free(base);
        return rc;
    }
    snprintf(t->scheme, sizeof(t->scheme), "%.*s", (int)(sep - base), base);
    const char *authority = sep + 3, *prefix = sep + 3 + an;
    /* Custom endpoints (a local AWS) take path-style S3 addresses. */
    if (bucket && !custom && dns_bucket(bucket)) {
        snprintf(t->host, sizeof(t->host), "%s.%.*s", bucket, (int)an, authority);
        rc = asprintf(&t->path, "%s%s", prefix, path);
    } else {
        snprintf(t->host, sizeof(t->host), "%.*s", (int)an, authority);
        rc = bucket ? asprintf(&t->path, "%s/%s%s", prefix, bucket, path)
                    : asprintf(&t->path, "%s%s", prefix, path);
    }
    free(base);
    if (rc < 0) {
        t->path = NULL;
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    return 0;
}

static int send_once(cfn_aws *aws, aws_call *call, const char *url, const char *host,
                     const char *path, http_response *res)
{
    sigv4_creds creds = {aws->creds.access_key, aws->creds.secret_key, aws->creds.token};
    bool s3 = strcmp(call->svc->signing, "s3") == 0;
    sigv4_params params = {.region = signing_region(aws, call->svc),
                           .service = call->svc->signing,
                           .when = time(NULL),
                           .normalize = !s3,
                           .double_encode = !s3,
                           .sign_body = s3};
    char body_hash[65];
    const char *payload = call->payload_hash;
    if (!payload) {
        cfn_sha256_hex(call->body ? call->body : "", call->body_len, body_hash);
        payload = body_hash;
    }
    http_header to_sign[20];
    size_t n = 0;
    to_sign[n++] = (http_header){"Host", host};
    for (size_t i = 0; i < call->nheaders; i++)
        to_sign[n++] = call->headers[i];
    const char *q = strchr(url, '?');
    sigv4_request sreq = {call->method, path, q ? q + 1 : NULL, to_sign, n, payload};
    sigv4_result sig;
    if (cfn__sigv4_sign_headers(&creds, &params, &sreq, &sig) < 0)
        return CFN_ENOMEM;
    http_header all[24];
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        all[m++] = to_sign[i];
    all[m++] = (http_header){"X-Amz-Date", sig.amz_date};
    if (aws->creds.token)
        all[m++] = (http_header){"X-Amz-Security-Token", aws->creds.token};
    if (s3)
        all[m++] = (http_header){"X-Amz-Content-Sha256", payload};
    all[m++] = (http_header){"Authorization", sig.authorization};
    int64_t left = aws->deadline ? aws->deadline - cfn__clock_mono_ms() : 0;
    bool streaming = call->upload || call->download;
    http_request req = {.method = call->method,
                        .url = url,
                        .headers = all,
                        .header_count = m,
                        .body = call->body,
                        .body_len = call->body_len,
                        .upload = call->upload,
                        .upload_len = call->upload_len,
                        .download = call->download,
                        .fresh = !aws->reuse,
                        .stall_s = 30,
                        .timeout_ms = aws->deadline ? (left > 0 ? (long)left : 1)
                                      : streaming   ? 0
                                                    : CALL_TIMEOUT_MS};
    if (call->upload && fseeko(call->upload, 0, SEEK_SET) != 0)
        return cfn_error_set(CFN_EIO, "cannot rewind the upload: %s", strerror(errno));
    if (call->download &&
        (fflush(call->download) != 0 || ftruncate(fileno(call->download), 0) != 0 ||
         fseeko(call->download, 0, SEEK_SET) != 0))
        return cfn_error_set(CFN_EIO, "cannot reset the download file: %s", strerror(errno));
    int rc = cfn__http_send(&req, res);
    cfn__sigv4_result_free(&sig);
    return rc;
}

/* CFNKIT_AWS_TRACE=FILE: one line appended per call, tab-separated: the
 * signing name, the operation, the HTTP method, the S3 bucket ("-" when
 * none), the path and the names of the query's parameters ("-" when none).
 * Never a value of the query, a header or the body: no secret is written. */
static void trace_call(const aws_call *call)
{
    const char *file = getenv("CFNKIT_AWS_TRACE");
    if (!file || !*file)
        return;
    strbuf line = {0};
    int rc = cfn__sb_printf(&line, "%s\t%s\t%s\t%s\t%s\t", call->svc->signing, call->operation,
                            call->method, call->bucket ? call->bucket : "-", call->path);
    const char *q = call->query && *call->query ? call->query : "-";
    while (rc == 0 && *q) {
        size_t n = strcspn(q, "=&");
        rc = cfn__sb_append(&line, q, n);
        q += strcspn(q, "&");
        if (*q == '&' && *++q && rc == 0)
            rc = cfn__sb_append(&line, ",", 1);
    }
    if (rc == 0)
        rc = cfn__sb_append(&line, "\n", 1);
    /* One write of a short line: the lines of concurrent writers do not mix. */
    int fd = rc == 0 ? open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600) : -1;
    if (fd < 0 || write(fd, line.data, line.len) != (ssize_t)line.len)
        cfn_log(CFN_LOG_WARN, "CFNKIT_AWS_TRACE: cannot append to %s: %s", file,
                rc == 0 ? strerror(errno) : "out of memory");
    if (fd >= 0)
        close(fd);
    free(line.data);
}

int cfn__aws_send(cfn_aws *aws, aws_call *call, http_response *res)
{
    char *url = NULL, *path = NULL;
    int rc, attempts = max_attempts(), tried = 0;
    char *message = NULL;

    memset(res, 0, sizeof(*res));
    aws->error_code[0] = '\0';
    aws->error_status = 0;
    if (cfn__aws_credentials_ready(aws) < 0) {
        char why[1024];
        snprintf(why, sizeof(why), "%s", cfn_error_last());
        return cfn_error_set(CFN_ERROR, "%s %s: %s", call->svc->name, call->operation, why);
    }
    aws_target t;
    if ((rc = cfn__aws_locate(aws, call->svc, call->bucket, call->path, &t)) < 0)
        return rc;
    if (asprintf(&url, "%s://%s%s%s%s", t.scheme, t.host, t.path, call->query ? "?" : "",
                 call->query ? call->query : "") < 0) {
        free(t.path);
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    const char *host = t.host;
    path = t.path;
    trace_call(call);

    for (int attempt = 0;; attempt++) {
        cfn__http_response_free(res);
        free(message);
        message = NULL;
        tried++;
        rc = send_once(aws, call, url, host, path, res);
        bool transport = rc < 0;
        if (rc == CFN_ENOMEM || rc == CFN_EINVAL)
            break;
        if (!transport && res->status >= 200 && res->status < 300 && !error_in_ok(call, res)) {
            if (attempt > 0)
                aws->retry_tokens += RETRY_COST;
            if (aws->retry_tokens > RETRY_QUOTA)
                aws->retry_tokens = RETRY_QUOTA;
            rc = 0;
            break;
        }
        bool retry;
        if (transport) {
            snprintf(aws->error_code, sizeof(aws->error_code), "%s", "");
            aws->error_status = 0;
            message = cfn__strdup(cfn_error_last());
            retry = !res->tls_refused;
        } else {
            aws->error_status = res->status;
            message = parse_error(aws, res);
            retry = res->status == 429 || res->status == 500 || res->status == 502 ||
                    res->status == 503 || res->status == 504 || retryable_code(aws->error_code);
        }
        int cost = transport ? RETRY_COST_IOERR : RETRY_COST;
        int64_t wait = cfn_backoff_ms(attempt, BACKOFF_BASE_MS, BACKOFF_MAX_MS);
        int64_t left = aws->deadline ? aws->deadline - cfn__clock_mono_ms() : INT64_MAX;
        if (!retry || attempt + 1 >= attempts || aws->retry_tokens < cost || wait >= left) {
            rc = res->status == 404 ? CFN_ENOTFOUND : CFN_ERROR;
            break;
        }
        aws->retry_tokens -= cost;
        cfn_log(CFN_LOG_DEBUG, "%s %s: attempt %d failed (%s), retrying in %lld ms",
                call->svc->name, call->operation, attempt + 1,
                aws->error_code[0] ? aws->error_code : "no answer", (long long)wait);
        cfn__sleep_ms(wait);
    }
    if (rc < 0 && rc != CFN_ENOMEM && rc != CFN_EINVAL) {
        char tries[40] = "";
        if (tried > 1)
            snprintf(tries, sizeof(tries), " (after %d attempts)", tried);
        if (aws->error_status == 0)
            cfn_error_set(rc, "%s %s: %s%s", call->svc->name, call->operation,
                          message ? message : "no answer", tries);
        else if (aws->error_code[0])
            cfn_error_set(rc, "%s %s: %s: %s%s", call->svc->name, call->operation, aws->error_code,
                          message ? message : "(no message)", tries);
        else
            cfn_error_set(rc, "%s %s: HTTP %ld%s", call->svc->name, call->operation,
                          aws->error_status, tries);
    }
    free(message);
    free(url);
    free(path);
    return rc;
}
