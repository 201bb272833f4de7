/* A scripted HTTP transport for unit tests: answers from a queue and records
 * every request it was sent. */
#ifndef CFNKIT_TEST_FAKE_HTTP_H
#define CFNKIT_TEST_FAKE_HTTP_H

#include "http.h"

#define FAKE_MAX 64

typedef struct fake_answer {
    int transport_error; /* nonzero: fail as a connection error */
    long status;
    const char *body;
    const char *headers;
} fake_answer;

typedef struct fake_sent {
    char method[8];
    char url[1024];
    char body[8192];
    size_t body_len;
    char content_type[64];
    int has_content_type;
    char error_type[128];
    char headers[2048]; /* every header sent, "Name: value\n" */
} fake_sent;

typedef struct fake_http {
    fake_answer answers[FAKE_MAX];
    size_t nanswers, next;
    fake_answer fallback; /* used when the queue is empty */
    fake_sent sent[FAKE_MAX];
    size_t nsent;
} fake_http;

void fake_http_install(fake_http *f);
void fake_http_push(fake_http *f, fake_answer a);
void fake_http_uninstall(void);

/* The set-up every test file shares: cmocka fixtures installing and removing
 * `fake`, one transport for the whole test program, and a test run with them. */
extern fake_http fake;
int fake_http_setup(void **state);
int fake_http_teardown(void **state);
#define FAKE_TEST(f) cmocka_unit_test_setup_teardown(f, fake_http_setup, fake_http_teardown)

#endif
