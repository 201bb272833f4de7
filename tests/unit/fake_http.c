/* The scripted transport of fake_http.h. */
#include "fake_http.h"

#include <cfnkit/error.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int answer(void *userdata, const http_request *req, http_response *res)
{
    fake_http *f = userdata;
    if (f->nsent < FAKE_MAX) {
        fake_sent *s = &f->sent[f->nsent++];
        memset(s, 0, sizeof(*s));
        snprintf(s->method, sizeof(s->method), "%s", req->method);
        snprintf(s->url, sizeof(s->url), "%s", req->url);
        s->body_len = req->body_len < sizeof(s->body) - 1 ? req->body_len : sizeof(s->body) - 1;
        if (req->body)
            memcpy(s->body, req->body, s->body_len);
        for (size_t i = 0; i < req->header_count; i++) {
            size_t used = strlen(s->headers);
            snprintf(s->headers + used, sizeof(s->headers) - used, "%s: %s\n", req->headers[i].name,
                     req->headers[i].value);
            if (strcasecmp(req->headers[i].name, "Content-Type") == 0) {
                s->has_content_type = 1;
                snprintf(s->content_type, sizeof(s->content_type), "%s", req->headers[i].value);
            }
            if (strcasecmp(req->headers[i].name, "Lambda-Runtime-Function-Error-Type") == 0)
                snprintf(s->error_type, sizeof(s->error_type), "%s", req->headers[i].value);
        }
    }
    fake_answer a = f->next < f->nanswers ? f->answers[f->next++] : f->fallback;
    if (a.transport_error)
        return cfn_error_set(CFN_EIO, "%s %s: Connection refused", req->method, "fake");
    res->status = a.status;
    res->body = strdup(a.body ? a.body : "");
    res->body_len = strlen(res->body);
    res->headers = strdup(a.headers ? a.headers : "");
    return 0;
}

void fake_http_install(fake_http *f)
{
    memset(f, 0, sizeof(*f));
    f->fallback.status = 200;
    cfn__http_set_transport(answer, f);
}

void fake_http_push(fake_http *f, fake_answer a)
{
    if (f->nanswers < FAKE_MAX)
        f->answers[f->nanswers++] = a;
}

void fake_http_uninstall(void)
{
    cfn__http_set_transport(NULL, NULL);
}

fake_http fake;

int fake_http_setup(void **state)
{
    (void)state;
    fake_http_install(&fake);
    return 0;
}

int fake_http_teardown(void **state)
{
    (void)state;
    fake_http_uninstall();
    return 0;
}
