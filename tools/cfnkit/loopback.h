/* A small HTTP/1.1 server on 127.0.0.1 for the tool's own endpoints: the
 * Lambda Runtime API of lambda-run and the ResponseURLs of lambda-run and
 * check. One connection at a time, closed after each answer. */
#ifndef CFNKIT_TOOL_LOOPBACK_H
#define CFNKIT_TOOL_LOOPBACK_H

#include <stddef.h>
#include <stdint.h>

typedef struct lo_server lo_server;

/* One request read whole: method, path (with its query), the headers as
 * received, the body (NUL-terminated, `len` bytes). */
typedef struct lo_request {
    int fd;
    char method[16];
    char path[2048];
    char *head;
    char *body;
    size_t len;
} lo_request;

/* Listens on 127.0.0.1 at a port the system picks. Returns 0 or -1
 * (cfn_error_last). Close with lo_close. */
int lo_open(lo_server **out);
int lo_port(const lo_server *s);
void lo_close(lo_server *s);

/* Waits at most `wait_ms` for a request and reads it. Returns 1 with `req`
 * filled (answer it with lo_reply), 0 when none came, -1 on an error. */
int lo_next(lo_server *s, int wait_ms, lo_request *req);

/* The value of header `name` in `req` (case-insensitive) copied into `out`;
 * 0 when present, -1 when not. */
int lo_header(const lo_request *req, const char *name, char *out, size_t size);

/* Answers `req` with `status`, extra header lines (each ending in \r\n, may
 * be NULL) and a body, closes the connection and frees the request. */
void lo_reply(lo_request *req, int status, const char *headers, const char *body, size_t len);

/* Monotonic and wall-clock milliseconds. */
int64_t lo_mono_ms(void);
int64_t lo_epoch_ms(void);

#endif
