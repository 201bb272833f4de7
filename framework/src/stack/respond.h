/* The ResponseURL side of the dispatcher: a loopback HTTP/1.1 server that
 * takes a PUT as S3 takes one to a presigned URL, and the check of the body
 * that CloudFormation makes before it believes an answer. The parser and the
 * check are pure (tests/fuzz/fuzz_respond.c feeds them anything). */
#ifndef CFNKIT_STACK_RESPOND_H
#define CFNKIT_STACK_RESPOND_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "dispatch.h"

/* Larger uploads are refused outright (413); S3 would take them, but
 * CloudFormation reads no more than 4096 bytes of an answer anyway. */
#define STK_MAX_PUT_BYTES  (1024u * 1024)
#define STK_MAX_HEAD_BYTES (16u * 1024)

/* One request's head, parsed; pointers into the parsed buffer. */
typedef struct stk_http_req {
    char method[16];
    const char *path, *query; /* query: after '?', NULL when none */
    size_t path_len, query_len;
    size_t head_len;       /* the head's bytes, blank line included; 0 until complete */
    size_t content_length; /* 0 when none given (not a PUT) */
    bool expect_continue;  /* Expect: 100-continue */
    bool content_type;     /* a non-empty Content-Type (a presigned PUT signs none) */
} stk_http_req;

/* Parses buf[0..len): 1 when the head and all content_length bytes of the
 * body are there (the body is at buf + head_len), 0 when more is needed
 * (head_len is set once the head is complete), or the negative HTTP status
 * to answer: -400 malformed, -411 a PUT without Content-Length, -413 over
 * STK_MAX_PUT_BYTES, -431 a head over STK_MAX_HEAD_BYTES, -501
 * Transfer-Encoding (S3 wants a length). */
int stk_http_parse(const char *buf, size_t len, stk_http_req *req);

/* What an answer must copy from its request. */
typedef struct stk_expect {
    const char *request_id, *stack_id, *logical_id;
} stk_expect;

/* Checks an answer as CloudFormation does and fills `r` (success,
 * physical_id, data, no_echo, reason; not user, request_id or the times):
 * SUCCESS or FAILED with the provider's own Reason, or FAILED with
 * CloudFormation's reason for a body it rejects: over 4096 bytes ("Response
 * object is too long."), not a JSON object, a Status other than SUCCESS or
 * FAILED, identifiers not the request's, an empty or over 1 KB
 * PhysicalResourceId ("Invalid PhysicalResourceId"), FAILED without Reason,
 * Data not an object. 0, or -1 when out of memory. */
int stk_response_check(const char *body, size_t len, const stk_expect *want, stk_result *r);

/* The server: 127.0.0.1, a port the system picks, non-blocking, driven by
 * the caller's poll loop. */
typedef struct stk_respond stk_respond;

/* Called for each whole PUT (other methods are answered 405 without it):
 * returns the HTTP status to answer, and for an error status the S3 error
 * code and message to send. 200 is answered with the body's MD5 as ETag. */
typedef int (*stk_put_fn)(void *arg, const stk_http_req *req, const char *body, size_t len,
                          const char **code, const char **message);

int stk_respond_open(stk_put_fn on_put, void *arg, stk_respond **out);
void stk_respond_free(stk_respond *s);
int stk_respond_port(const stk_respond *s);

/* Fills up to `max` pollfds (the listening socket and open connections);
 * returns how many. *deadline_ms is lowered to the earliest connection
 * deadline (monotonic ms). */
size_t stk_respond_pollfds(stk_respond *s, struct pollfd *fds, size_t max, int64_t *deadline_ms);

/* Handles what poll reported on the fds stk_respond_pollfds gave (in the
 * same order), and closes connections past their deadline. */
void stk_respond_step(stk_respond *s, const struct pollfd *fds, size_t n);

#endif
