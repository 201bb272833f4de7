/* The one HTTP transport of the framework: libcurl with a reused handle per
 * process, replaceable by a function so unit tests answer without a socket. */
#ifndef CFNKIT_HTTP_H
#define CFNKIT_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct http_header {
    const char *name;
    const char *value; /* "" sends the header with an empty value */
} http_header;

typedef struct http_request {
    const char *method;
    const char *url;
    const http_header *headers;
    size_t header_count;
    const char *body;
    size_t body_len;
    long timeout_ms; /* whole transfer; 0 means no limit */
    FILE *upload;    /* send this file (from its current position) as the body */
    long long upload_len;
    FILE *download; /* write a 2xx answer's body here instead of memory */
    bool fresh;     /* open a new connection and do not keep it */
    long stall_s;   /* give up when under 1 byte/s for this many seconds; 0: never */
} http_request;

typedef struct http_response {
    long status;
    char *body;
    size_t body_len;
    char *headers;    /* raw header block of the final response */
    char peer[64];    /* "address:port" libcurl connected to; "" when unknown */
    bool tls_refused; /* the peer's certificate failed verification: a retry
                       * would fail the same way */
} http_response;

/* Sends a request. Returns 0 when an HTTP answer arrived (whatever its status)
 * and CFN_EIO on a transport error (message in cfn_error_last). A request
 * never carries a Content-Type the caller did not give. */
int cfn__http_send(const http_request *req, http_response *res);
void cfn__http_response_free(http_response *res);

/* Copies the value of response header `name` (case-insensitive) into buf;
 * returns buf, or NULL when absent. */
char *cfn__http_response_header(const http_response *res, const char *name, char *buf, size_t size);

/* The host (IPv6 without brackets) and port (the scheme's default when
 * none is given) that libcurl would connect to for `url`, as libcurl itself
 * parses it. Returns 0, or CFN_EINVAL when libcurl refuses the URL. */
int cfn__http_url_target(const char *url, char *host, size_t size, long *port);

/* Replaces the transport (NULL restores libcurl). For unit tests. */
typedef int (*http_transport)(void *userdata, const http_request *req, http_response *res);
void cfn__http_set_transport(http_transport fn, void *userdata);

/* In a forked child: forget the parent's connections without closing them. */
void cfn__http_after_fork(void);

#endif
