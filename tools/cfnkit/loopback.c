/* The tool's loopback HTTP server: requests read whole with a deadline,
 * answered once, connection closed (curl reconnects as it must). */
#include "loopback.h"

#include <cfnkit/cfnkit.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_HEAD_BYTES (64u * 1024)
#define MAX_BODY_BYTES (16u * 1024 * 1024)
#define READ_WAIT_MS   10000

struct lo_server {
    int fd;
    int port;
};

int64_t lo_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t lo_epoch_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int lo_open(lo_server **out)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(a);
    *out = NULL;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 64) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &alen) < 0) {
        int rc = cfn_error_set(CFN_EIO, "cannot listen on 127.0.0.1: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return rc;
    }
    lo_server *s = malloc(sizeof(*s));
    if (!s) {
        close(fd);
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    s->fd = fd;
    s->port = ntohs(a.sin_port);
    *out = s;
    return 0;
}

int lo_port(const lo_server *s)
{
    return s->port;
}

void lo_close(lo_server *s)
{
    if (!s)
        return;
    close(s->fd);
    free(s);
}

/* Reads into buf[*len..cap) once, waiting until `deadline`. 1 read, 0 end,
 * -1 error or time out. */
static int read_some(int fd, char *buf, size_t cap, size_t *len, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - lo_mono_ms();
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, (int)left) == 0)
            return -1;
        ssize_t n = read(fd, buf + *len, cap - *len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n == 0 ? 0 : -1;
        *len += (size_t)n;
        return 1;
    }
}

static int read_request(int fd, lo_request *req)
{
    int64_t deadline = lo_mono_ms() + READ_WAIT_MS;
    size_t cap = 8192, len = 0;
    char *buf = malloc(cap + 1), *end = NULL;
    while (buf && !end) {
        if (len == cap) {
            char *grown = cap < MAX_HEAD_BYTES ? realloc(buf, cap * 2 + 1) : NULL;
            if (!grown)
                break;
            buf = grown;
            cap *= 2;
        }
        if (read_some(fd, buf, cap, &len, deadline) <= 0)
            break;
        buf[len] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    if (!end) {
        free(buf);
        return -1;
    }
    size_t head_len = (size_t)(end - buf) + 4;
    char *head = strndup(buf, head_len);
    req->head = head;
    if (!head || sscanf(head, "%15s %2047s", req->method, req->path) != 2) {
        free(buf);
        return -1;
    }
    char value[32];
    size_t want = 0;
    if (lo_header(req, "Content-Length", value, sizeof(value)) == 0)
        want = strtoul(value, NULL, 10);
    if (want > MAX_BODY_BYTES) {
        free(buf);
        return -1;
    }
    char *body = malloc(want + 1);
    size_t have = len - head_len < want ? len - head_len : want;
    if (body)
        memcpy(body, buf + head_len, have);
    free(buf);
    while (body && have < want)
        if (read_some(fd, body, want, &have, deadline) <= 0) {
            free(body);
            body = NULL;
        }
    if (!body)
        return -1;
    body[want] = '\0';
    req->body = body;
    req->len = want;
    return 0;
}

int lo_next(lo_server *s, int wait_ms, lo_request *req)
{
    struct pollfd p = {.fd = s->fd, .events = POLLIN};
    memset(req, 0, sizeof(*req));
    req->fd = -1;
    int n = poll(&p, 1, wait_ms < 0 ? 0 : wait_ms);
    if (n <= 0)
        return n < 0 && errno != EINTR ? cfn_error_set(CFN_EIO, "poll: %s", strerror(errno)) : 0;
    int fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return 0;
    req->fd = fd;
    if (read_request(fd, req) < 0) {
        lo_reply(req, 400, NULL, NULL, 0);
        return 0;
    }
    return 1;
}

int lo_header(const lo_request *req, const char *name, char *out, size_t size)
{
    size_t n = strlen(name);
    const char *line = req->head ? strstr(req->head, "\r\n") : NULL;
    while (line && line[2] != '\r') {
        line += 2;
        if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            const char *e = strstr(v, "\r\n");
            size_t len = (size_t)(e - v);
            while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
                len--;
            if (len >= size)
                len = size - 1;
            memcpy(out, v, len);
            out[len] = '\0';
            return 0;
        }
        line = strstr(line, "\r\n");
    }
    return -1;
}

static const char *reason_phrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 202:
        return "Accepted";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 410:
        return "Gone";
    default:
        return "Status";
    }
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

void lo_reply(lo_request *req, int status, const char *headers, const char *body, size_t len)
{
    if (req->fd >= 0) {
        char head[256];
        int n = snprintf(head, sizeof(head),
                         "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\nConnection: close\r\n", status,
                         reason_phrase(status), body ? len : 0);
        write_all(req->fd, head, (size_t)n);
        if (headers)
            write_all(req->fd, headers, strlen(headers));
        write_all(req->fd, "\r\n", 2);
        if (body)
            write_all(req->fd, body, len);
        close(req->fd);
    }
    free(req->head);
    free(req->body);
    memset(req, 0, sizeof(*req));
    req->fd = -1;
}
