/* libcurl transport: one easy handle per process, kept for connection reuse. */
#include "http.h"

#include "strbuf.h"

#include <cfnkit/error.h>
#include <cfnkit/log.h>

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_BODY (16u * 1024 * 1024)

static CURL *handle;
static http_transport transport;
static void *transport_data;

void cfn__http_set_transport(http_transport fn, void *userdata)
{
    transport = fn;
    transport_data = userdata;
}

void cfn__http_after_fork(void)
{
    /* The parent's sockets stay open for the parent; cleaning up here would
     * shut down connections (TLS close_notify) the parent still uses. */
    handle = NULL;
}

typedef struct sink {
    CURL *curl;
    strbuf mem;
    FILE *file; /* for a 2xx answer */
} sink;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    sink *s = userdata;
    size_t n = size * nmemb;
    long status = 0;
    if (s->file) {
        curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 200 && status < 300)
            return fwrite(ptr, 1, n, s->file);
    }
    if (s->mem.len + n > MAX_BODY || cfn__sb_append(&s->mem, ptr, n) < 0)
        return 0;
    return n;
}

static size_t on_upload(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    size_t n = fread(ptr, 1, size * nmemb, userdata);
    return ferror((FILE *)userdata) ? CURL_READFUNC_ABORT : n;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    strbuf *sb = userdata;
    size_t n = size * nmemb;
    /* A new status line starts the headers of the next response (after a
     * 100 Continue or a redirect): keep only the final one. */
    if (n >= 5 && strncmp(ptr, "HTTP/", 5) == 0)
        sb->len = 0;
    if (sb->len + n > MAX_BODY || cfn__sb_append(sb, ptr, n) < 0)
        return 0;
    return n;
}

static CURL *get_handle(void)
{
    static int global_done;
    if (!global_done) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return NULL;
        global_done = 1;
    }
    if (!handle)
        handle = curl_easy_init();
    else
        curl_easy_reset(handle);
    return handle;
}

/* The address libcurl connected to, for logs: what a URL named is not
 * always where a request went. */
static void peer_of(CURL *c, char *buf, size_t size)
{
    char *ip = NULL;
    long port = 0;
    buf[0] = '\0';
    if (curl_easy_getinfo(c, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip && *ip &&
        curl_easy_getinfo(c, CURLINFO_PRIMARY_PORT, &port) == CURLE_OK)
        snprintf(buf, size, strchr(ip, ':') ? "[%s]:%ld" : "%s:%ld", ip, port);
}

static int curl_send(const http_request *req, http_response *res)
{
    CURL *c = get_handle();
    struct curl_slist *hdrs = NULL;
    sink body = {.curl = c, .file = req->download};
    strbuf head = {0};
    char errbuf[CURL_ERROR_SIZE] = "";
    int rc = CFN_EIO;
    int has_type = 0;

    if (!c)
        return cfn_error_set(CFN_ENOMEM, "cannot initialise libcurl");
    for (size_t i = 0; i < req->header_count; i++) {
        strbuf line = {0};
        const http_header *h = &req->headers[i];
        if (strcasecmp(h->name, "Content-Type") == 0)
            has_type = 1;
        /* curl's syntax: "Name;" sends an empty value, "Name:" none at all. */
        if (h->value[0] ? cfn__sb_printf(&line, "%s: %s", h->name, h->value) < 0
                        : cfn__sb_printf(&line, "%s;", h->name) < 0) {
            free(line.data);
            rc = cfn_error_set(CFN_ENOMEM, "out of memory building an HTTP request");
            goto done;
        }
        struct curl_slist *n = curl_slist_append(hdrs, line.data);
        free(line.data);
        if (!n)
            goto oom;
        hdrs = n;
    }
    if (!has_type) {
        struct curl_slist *n = curl_slist_append(hdrs, "Content-Type:");
        if (!n)
            goto oom;
        hdrs = n;
    }
    struct curl_slist *n = curl_slist_append(hdrs, "Expect:");
    if (!n)
        goto oom;
    hdrs = n;

    curl_easy_setopt(c, CURLOPT_URL, req->url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &head);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    /* Send the path as built: it is what SigV4 signed and what the caller
     * checked, not a dot-segment-resolved other path. */
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    /* The CA store where OpenSSL users look for it: a bundled libcurl knows
     * only its build machine's path (Amazon Linux keeps it elsewhere). */
    const char *ca_file = getenv("SSL_CERT_FILE"), *ca_dir = getenv("SSL_CERT_DIR");
    if (ca_file && *ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, ca_file);
    if (ca_dir && *ca_dir)
        curl_easy_setopt(c, CURLOPT_CAPATH, ca_dir);
    if (req->fresh) {
        curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
    }
    if (req->stall_s > 0) {
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, req->stall_s);
    }
    if (req->timeout_ms > 0) {
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, req->timeout_ms);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                         req->timeout_ms < 10000 ? req->timeout_ms : 10000L);
    }
    if (strcmp(req->method, "GET") == 0) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(req->method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (req->upload) {
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_upload);
        curl_easy_setopt(c, CURLOPT_READDATA, req->upload);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)req->upload_len);
    } else {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    }

    CURLcode cc = curl_easy_perform(c);
    res->tls_refused = cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_ISSUER_ERROR ||
                       cc == CURLE_SSL_PINNEDPUBKEYNOTMATCH || cc == CURLE_SSL_INVALIDCERTSTATUS ||
                       cc == CURLE_SSL_CACERT_BADFILE || cc == CURLE_SSL_CRL_BADFILE;
    if (cc != CURLE_OK) {
        char where[512];
        cfn_error_set(CFN_EIO, "%s %s: %s", req->method,
                      cfn_redact_url(req->url, where, sizeof(where)),
                      errbuf[0] ? errbuf : curl_easy_strerror(cc));
        goto done;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->status);
    peer_of(c, res->peer, sizeof(res->peer));
    if (cfn__sb_append(&body.mem, "", 0) < 0 || cfn__sb_append(&head, "", 0) < 0) {
        rc = cfn_error_set(CFN_ENOMEM, "out of memory reading an HTTP answer");
        goto done;
    }
    if (body.file && fflush(body.file) != 0) {
        rc = cfn_error_set(CFN_EIO, "cannot write the answer to a file");
        goto done;
    }
    res->body = body.mem.data;
    res->body_len = body.mem.len;
    res->headers = head.data;
    body.mem.data = head.data = NULL;
    rc = 0;
    goto done;
oom:
    rc = cfn_error_set(CFN_ENOMEM, "out of memory building an HTTP request");
done:
    /* The handle keeps pointers to these; clear them before freeing. */
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(hdrs);
    free(body.mem.data);
    free(head.data);
    return rc;
}

int cfn__http_url_target(const char *url, char *host, size_t size, long *port)
{
    CURLU *u = curl_url();
    char *h = NULL, *p = NULL;
    int rc = CFN_EINVAL;
    if (!u)
        return cfn_error_set(CFN_ENOMEM, "out of memory parsing a URL");
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) != CURLUE_OK) {
        cfn_error_set(CFN_EINVAL, "not a URL libcurl accepts");
        goto done;
    }
    size_t n = strlen(h);
    const char *start = h;
    if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
        start++;
        n -= 2;
    }
    if (n >= size) {
        cfn_error_set(CFN_EINVAL, "host name too long");
        goto done;
    }
    memcpy(host, start, n);
    host[n] = '\0';
    *port = strtol(p, NULL, 10);
    rc = 0;
done:
    curl_free(h);
    curl_free(p);
    curl_url_cleanup(u);
    return rc;
}

int cfn__http_send(const http_request *req, http_response *res)
{
    memset(res, 0, sizeof(*res));
    if (transport)
        return transport(transport_data, req, res);
    return curl_send(req, res);
}

void cfn__http_response_free(http_response *res)
{
    if (!res)
        return;
    free(res->body);
    free(res->headers);
    memset(res, 0, sizeof(*res));
}

char *cfn__http_response_header(const http_response *res, const char *name, char *buf, size_t size)
{
    size_t nlen = strlen(name);
    const char *p = res->headers;
    while (p && *p) {
        const char *eol = strchr(p, '\n');
        size_t llen = eol ? (size_t)(eol - p) : strlen(p);
        if (llen > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
            const char *v = p + nlen + 1;
            const char *end = p + llen;
            while (v < end && (*v == ' ' || *v == '\t'))
                v++;
            while (end > v && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
                end--;
            size_t vlen = (size_t)(end - v);
            if (size == 0)
                return NULL;
            if (vlen >= size)
                vlen = size - 1;
            memcpy(buf, v, vlen);
            buf[vlen] = '\0';
            return buf;
        }
        p = eol ? eol + 1 : NULL;
    }
    return NULL;
}
