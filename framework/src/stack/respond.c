/* The dispatcher's ResponseURL server and CloudFormation's check of an
 * answer (respond.h). Connections are non-blocking and bounded in bytes and
 * time, so that a slow or broken provider never stalls the others. */
#include "respond.h"

#include "clock.h"

#include <cfnkit/cfnkit.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONNS      256
#define CONN_WAIT_MS   10000
#define MAX_ID_BYTES   1024
#define MAX_BODY_BYTES 4096

static bool is_tchar(unsigned char c)
{
    return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The value of one header line [p, e) after its colon, trimmed. */
static void header_value(const char *p, const char *e, const char **v, size_t *n)
{
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    *v = p;
    *n = (size_t)(e - p);
}

static int parse_length(const char *v, size_t n, size_t *out)
{
    size_t x = 0;
    if (n == 0 || n > 12)
        return -400;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -400;
        x = x * 10 + (size_t)(v[i] - '0');
    }
    *out = x;
    return 0;
}

static int parse_head(const char *buf, size_t head_len, stk_http_req *req, bool *has_length)
{
    const char *end = buf + head_len - 2; /* the last line's CRLF is the blank line's start */
    const char *eol = memchr(buf, '\r', head_len);
    /* request line: METHOD SP TARGET SP HTTP/1.x */
    const char *sp = memchr(buf, ' ', (size_t)(eol - buf));
    size_t mlen = sp ? (size_t)(sp - buf) : 0;
    if (!sp || mlen == 0 || mlen >= sizeof(req->method))
        return -400;
    for (size_t i = 0; i < mlen; i++)
        if (!is_tchar((unsigned char)buf[i]))
            return -400;
    memcpy(req->method, buf, mlen);
    req->method[mlen] = '\0';
    const char *target = sp + 1;
    const char *sp2 = memchr(target, ' ', (size_t)(eol - target));
    if (!sp2 || sp2 == target || *target != '/' || (size_t)(eol - sp2 - 1) != 8 ||
        (memcmp(sp2 + 1, "HTTP/1.1", 8) != 0 && memcmp(sp2 + 1, "HTTP/1.0", 8) != 0))
        return -400;
    for (const char *p = target; p < sp2; p++)
        if ((unsigned char)*p <= 0x20 || *p == 0x7f)
            return -400;
    const char *q = memchr(target, '?', (size_t)(sp2 - target));
    req->path = target;
    req->path_len = (size_t)((q ? q : sp2) - target);
    req->query = q ? q + 1 : NULL;
    req->query_len = q ? (size_t)(sp2 - q - 1) : 0;
    /* header lines */
    for (const char *line = eol + 2; line < end;) {
        const char *le = memchr(line, '\r', (size_t)(end + 2 - line));
        if (!le || le[1] != '\n')
            return -400;
        const char *colon = memchr(line, ':', (size_t)(le - line));
        if (!colon || colon == line)
            return -400; /* no name, or a folded line (obsolete, refused) */
        for (const char *p = line; p < colon; p++)
            if (!is_tchar((unsigned char)*p))
                return -400;
        for (const char *p = colon + 1; p < le; p++)
            if ((unsigned char)*p < 0x20 && *p != '\t')
                return -400;
        size_t nlen = (size_t)(colon - line), vlen;
        const char *v;
        header_value(colon + 1, le, &v, &vlen);
        if (nlen == 14 && strncasecmp(line, "Content-Length", 14) == 0) {
            size_t x = 0;
            if (parse_length(v, vlen, &x) < 0 || (*has_length && x != req->content_length))
                return -400;
            req->content_length = x;
            *has_length = true;
        } else if (nlen == 17 && strncasecmp(line, "Transfer-Encoding", 17) == 0) {
            return -501;
        } else if (nlen == 6 && strncasecmp(line, "Expect", 6) == 0) {
            if (vlen != 12 || strncasecmp(v, "100-continue", 12) != 0)
                return -400; /* 417 in RFC 9110; S3 knows only this one */
            req->expect_continue = true;
        } else if (nlen == 12 && strncasecmp(line, "Content-Type", 12) == 0) {
            req->content_type = vlen > 0;
        }
        line = le + 2;
    }
    return 0;
}

int stk_http_parse(const char *buf, size_t len, stk_http_req *req)
{
    memset(req, 0, sizeof(*req));
    const char *blank = NULL;
    size_t scan = len < STK_MAX_HEAD_BYTES ? len : STK_MAX_HEAD_BYTES;
    for (size_t i = 0; i + 3 < scan && !blank; i++)
        if (buf[i] == '\r' && memcmp(buf + i, "\r\n\r\n", 4) == 0)
            blank = buf + i;
    if (!blank)
        return len >= STK_MAX_HEAD_BYTES ? -431 : 0;
    /* No NUL may hide in the head: the parser's lines are byte ranges, but
     * a NUL is never valid there. */
    size_t head_len = (size_t)(blank - buf) + 4;
    if (memchr(buf, '\0', head_len))
        return -400;
    bool has_length = false;
    int rc = parse_head(buf, head_len, req, &has_length);
    if (rc < 0)
        return rc;
    if (!has_length && strcmp(req->method, "PUT") == 0)
        return -411;
    if (req->content_length > STK_MAX_PUT_BYTES)
        return -413;
    req->head_len = head_len;
    return len - head_len >= req->content_length ? 1 : 0;
}

/* The checks. */

static const cJSON *member(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
}

static int fail_with(stk_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail_with(stk_result *r, const char *fmt, ...)
{
    va_list ap;
    char buf[512];
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    r->success = false;
    free(r->reason);
    r->reason = strdup(buf);
    free(r->physical_id);
    r->physical_id = NULL;
    cJSON_Delete(r->data);
    r->data = NULL;
    r->no_echo = false;
    return r->reason ? 0 : -1;
}

/* A string for the reason, without control characters, at most 64 bytes. */
static void shown(const char *s, char out[80])
{
    size_t k = 0;
    for (; *s && k < 64; s++)
        out[k++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
    strcpy(out + k, *s ? "..." : "");
}

int stk_response_check(const char *body, size_t len, const stk_expect *want, stk_result *r)
{
    static const char *const copied[] = {"RequestId", "StackId", "LogicalResourceId"};
    const char *expected[] = {want->request_id, want->stack_id, want->logical_id};
    char show[80];
    int rc = 0;
    r->success = false;
    if (len > MAX_BODY_BYTES)
        return fail_with(r, "Response object is too long.");
    cJSON *doc = cJSON_ParseWithLength(body, len);
    if (!cJSON_IsObject(doc)) {
        rc = fail_with(r, "Invalid Response object: the response is not a JSON object");
        goto done;
    }
    const cJSON *status = member(doc, "Status"), *reason = member(doc, "Reason");
    const cJSON *id = member(doc, "PhysicalResourceId"), *data = member(doc, "Data");
    const cJSON *no_echo = member(doc, "NoEcho");
    if (!cJSON_IsString(status)) {
        rc = fail_with(r, "Invalid Response object: Status is required (SUCCESS or FAILED)");
        goto done;
    }
    bool success = strcmp(status->valuestring, "SUCCESS") == 0;
    if (!success && strcmp(status->valuestring, "FAILED") != 0) {
        shown(status->valuestring, show);
        rc = fail_with(r, "Invalid Response object: '%s' is not a valid ResponseStatus", show);
        goto done;
    }
    for (size_t i = 0; i < sizeof(copied) / sizeof(copied[0]); i++) {
        const cJSON *v = member(doc, copied[i]);
        if (!cJSON_IsString(v) || !expected[i] || strcmp(v->valuestring, expected[i]) != 0) {
            rc = fail_with(r, "Invalid Response object: %s %s the request's", copied[i],
                           cJSON_IsString(v) ? "is not" : "is missing; it must be");
            goto done;
        }
    }
    /* FAILED may leave the id out (a Create that made nothing); an id given
     * must be valid whatever the status, as CloudFormation checks it. */
    if ((success || id) &&
        (!cJSON_IsString(id) || !*id->valuestring || strlen(id->valuestring) > MAX_ID_BYTES)) {
        rc = fail_with(r, "Invalid PhysicalResourceId");
        goto done;
    }
    if (!success && (!cJSON_IsString(reason) || !*reason->valuestring)) {
        rc = fail_with(r, "Invalid Response object: Reason is required when Status is FAILED");
        goto done;
    }
    if (data && !cJSON_IsNull(data) && !cJSON_IsObject(data)) {
        rc = fail_with(r, "Invalid Response object: Data must be a JSON object");
        goto done;
    }
    if (no_echo && !cJSON_IsBool(no_echo) &&
        !(cJSON_IsString(no_echo) && (strcasecmp(no_echo->valuestring, "true") == 0 ||
                                      strcasecmp(no_echo->valuestring, "false") == 0))) {
        rc = fail_with(r, "Invalid Response object: NoEcho must be true or false");
        goto done;
    }
    r->success = success;
    r->no_echo = cJSON_IsTrue(no_echo) ||
                 (cJSON_IsString(no_echo) && strcasecmp(no_echo->valuestring, "true") == 0);
    free(r->physical_id);
    r->physical_id = cJSON_IsString(id) ? strdup(id->valuestring) : NULL;
    cJSON_Delete(r->data);
    r->data = cJSON_IsObject(data) ? cJSON_Duplicate(data, 1) : NULL;
    free(r->reason);
    r->reason = success ? NULL : strdup(reason->valuestring);
    if ((cJSON_IsString(id) && !r->physical_id) || (cJSON_IsObject(data) && !r->data) ||
        (!success && !r->reason))
        rc = -1;
done:
    cJSON_Delete(doc);
    return rc;
}

/* The server. */

typedef struct conn {
    int fd;
    char *buf;
    size_t len, cap;
    int64_t deadline;
    bool continued; /* 100 Continue sent */
} conn;

struct stk_respond {
    int fd, port;
    stk_put_fn on_put;
    void *arg;
    conn conns[MAX_CONNS];
    size_t n_conns;
};

int stk_respond_open(stk_put_fn on_put, void *arg, stk_respond **out)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(a);
    *out = NULL;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 128) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &alen) < 0) {
        int rc = cfn_error_set(CFN_EIO, "cannot listen on 127.0.0.1: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return rc;
    }
    stk_respond *s = calloc(1, sizeof(*s));
    if (!s) {
        close(fd);
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    s->fd = fd;
    s->port = ntohs(a.sin_port);
    s->on_put = on_put;
    s->arg = arg;
    *out = s;
    return 0;
}

int stk_respond_port(const stk_respond *s)
{
    return s->port;
}

static void conn_close(stk_respond *s, size_t i)
{
    close(s->conns[i].fd);
    free(s->conns[i].buf);
    s->conns[i] = s->conns[--s->n_conns];
}

void stk_respond_free(stk_respond *s)
{
    if (!s)
        return;
    while (s->n_conns)
        conn_close(s, 0);
    close(s->fd);
    free(s);
}

size_t stk_respond_pollfds(stk_respond *s, struct pollfd *fds, size_t max, int64_t *deadline_ms)
{
    size_t n = 0;
    if (max == 0)
        return 0;
    fds[n++] = (struct pollfd){.fd = s->fd, .events = POLLIN};
    for (size_t i = 0; i < s->n_conns && n < max; i++) {
        fds[n++] = (struct pollfd){.fd = s->conns[i].fd, .events = POLLIN};
        if (s->conns[i].deadline < *deadline_ms)
            *deadline_ms = s->conns[i].deadline;
    }
    return n;
}

/* Blocking writes on a non-blocking socket, bounded: an answer is a few
 * hundred bytes, which a socket buffer always takes. */
static void send_all(int fd, const char *p, size_t n)
{
    for (int tries = 0; n > 0 && tries < 100; tries++) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && (errno == EINTR || errno == EAGAIN)) {
            struct pollfd pf = {.fd = fd, .events = POLLOUT};
            poll(&pf, 1, 10);
            continue;
        }
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static const char *phrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 411:
        return "Length Required";
    case 413:
        return "Payload Too Large";
    case 431:
        return "Request Header Fields Too Large";
    case 501:
        return "Not Implemented";
    default:
        return "Error";
    }
}

static const char *s3_code(int status)
{
    switch (status) {
    case 405:
        return "MethodNotAllowed";
    case 411:
        return "MissingContentLength";
    case 413:
        return "EntityTooLarge";
    case 501:
        return "NotImplemented";
    default:
        return "BadRequest";
    }
}

static void reply(int fd, int status, const char *etag, const char *code, const char *message)
{
    char head[512], body[512];
    int blen = 0;
    if (status != 200)
        blen = snprintf(body, sizeof(body),
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code>"
                        "<Message>%s</Message></Error>",
                        code ? code : s3_code(status), message ? message : phrase(status));
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.1 %d %s\r\nServer: AmazonS3\r\n%s%s%sContent-Length: %d\r\n%s"
                     "Connection: close\r\n\r\n",
                     status, phrase(status), etag ? "ETag: \"" : "", etag ? etag : "",
                     etag ? "\"\r\n" : "", blen, blen ? "Content-Type: application/xml\r\n" : "");
    send_all(fd, head, (size_t)n);
    if (blen)
        send_all(fd, body, (size_t)blen);
}

static void md5_hex(const char *p, size_t n, char out[33])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mlen = 0;
    if (EVP_Digest(p, n, md, &mlen, EVP_md5(), NULL) != 1)
        mlen = 0;
    for (unsigned i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", i < mlen ? md[i] : 0);
}

/* 1 when the connection is done (answered or broken), 0 to keep reading. */
static int conn_read(stk_respond *s, conn *c)
{
    for (;;) {
        if (c->len == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 8192;
            if (cap > STK_MAX_HEAD_BYTES + STK_MAX_PUT_BYTES + 1)
                cap = STK_MAX_HEAD_BYTES + STK_MAX_PUT_BYTES + 1;
            char *grown = cap > c->cap ? realloc(c->buf, cap) : NULL;
            if (!grown)
                return 1;
            c->buf = grown;
            c->cap = cap;
        }
        ssize_t n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        if (n <= 0)
            return 1;
        c->len += (size_t)n;
    }
    stk_http_req req;
    int rc = stk_http_parse(c->buf, c->len, &req);
    if (rc < 0) {
        reply(c->fd, -rc, NULL, NULL, NULL);
        return 1;
    }
    if (rc == 0) {
        if (req.head_len && req.expect_continue && !c->continued) {
            send_all(c->fd, "HTTP/1.1 100 Continue\r\n\r\n", 25);
            c->continued = true;
        }
        return 0;
    }
    if (strcmp(req.method, "PUT") != 0) {
        reply(c->fd, 405, NULL, NULL, "The specified method is not allowed against this resource.");
        return 1;
    }
    const char *code = NULL, *message = NULL, *body = c->buf + req.head_len;
    int status = s->on_put(s->arg, &req, body, req.content_length, &code, &message);
    char etag[33];
    if (status == 200)
        md5_hex(body, req.content_length, etag);
    reply(c->fd, status, status == 200 ? etag : NULL, code, message);
    return 1;
}

void stk_respond_step(stk_respond *s, const struct pollfd *fds, size_t n)
{
    int64_t now = cfn__clock_mono_ms();
    /* Connections first, in the order given (the listening socket is fds[0]):
     * closing one moves the last into its slot, so walk backwards. */
    for (size_t k = n; k-- > 1;) {
        size_t i = k - 1;
        if (i >= s->n_conns || s->conns[i].fd != fds[k].fd)
            continue;
        if ((fds[k].revents && conn_read(s, &s->conns[i])) || s->conns[i].deadline <= now)
            conn_close(s, i);
    }
    if (n > 0 && (fds[0].revents & POLLIN)) {
        for (int fd; (fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0;) {
            if (s->n_conns == MAX_CONNS) {
                close(fd);
                continue;
            }
            s->conns[s->n_conns++] = (conn){.fd = fd, .deadline = now + CONN_WAIT_MS};
        }
    }
}
