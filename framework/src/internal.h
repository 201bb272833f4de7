/* Private declarations shared by the framework's source files. */
#ifndef CFNKIT_INTERNAL_H
#define CFNKIT_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include <cfnkit/cfnkit.h>

/* Physical id answered for a failed Create; a Delete carrying it succeeds
 * without calling the module, since the failed Create made nothing. */
#define CFN_FAILED_CREATE_PREFIX "cfnkit-failed-create-"

/* Default simulated deadline of `invoke` and of the runtime when the Runtime
 * API gives no plausible one: what a custom-resource provider usually gets. */
#define CFN_DEFAULT_TIMEOUT_S 300

/* Clocks, in milliseconds. Deadlines inside the framework are monotonic. */
int64_t clock_mono_ms(void);
int64_t clock_epoch_ms(void);
void clock_sleep_ms(int64_t ms);

/* A random draw for jitter (not for secrets). */
uint32_t random_u32(void);

/* One CloudFormation request as received. Strings borrow from `root`. */
typedef struct request {
    cJSON *root;
    const char *response_url; /* NULL when absent or unusable */
    const char *type_name;
    const char *stack_id;
    const char *request_id;
    const char *resource_type;
    const char *logical_id;
    const char *physical_id;
    cfn_action action;
    const cJSON *props;
    const cJSON *old_props;
    char stack_name[256];
    char region[64];
    char *invalid; /* why the request cannot be served; NULL when valid */
} request;

/* Takes ownership of `obj` and validates it; a request that fails validation
 * still has `invalid` set and as many fields as could be read. */
int request_init(request *req, cJSON *obj);
void request_clear(request *req);

/* One request of an invocation payload: its object, or why it has none. */
typedef struct payload_item {
    cJSON *obj;
    char *error;
} payload_item;

/* Splits an invocation payload into requests: one direct request, or the
 * Message of every record of an SNS notification. Returns CFN_EINVAL (message
 * in cfn_error_last) when the payload is not JSON or holds no request; an SNS
 * record whose Message is unusable becomes an item with `error` set. */
int payload_split(const char *text, size_t len, payload_item **out, size_t *count);
void payload_free(payload_item *items, size_t count);

struct cfn_ctx {
    const request *req;
    int64_t deadline; /* monotonic ms at which the callback is stopped */
    char *physical_id;
    cJSON *data;
    bool noecho;
    char *reason;
};

void ctx_init(cfn_ctx *ctx, const request *req, int64_t deadline);
void ctx_clear(cfn_ctx *ctx);
int ctx_set_reason(cfn_ctx *ctx, const char *reason);

/* Runs `cb` in a child process, bounded by ctx->deadline, and copies what it
 * reported into ctx. Returns the callback's result, or -1 with the reason set
 * when it crashed, hung or exited without reporting. */
int isolate_run(cfn_ctx *ctx, cfn_callback cb);

/* The generated physical id "<stack>-<logical id>-<suffix>", stable for the
 * same request (a duplicate delivery gets the same id). Caller frees. */
char *physid_generate(const request *req);
char *physid_failed_create(const request *req);
bool physid_is_failed_create(const char *id);

/* The fields of a response body. */
typedef struct response_fields {
    bool success;
    const char *reason;
    const char *physical_id;
    const char *stack_id;
    const char *request_id;
    const char *logical_id;
    bool noecho;
    const cJSON *data;
} response_fields;

/* Builds the body, at most CFN_MAX_RESPONSE_BYTES: the reason is cleaned of
 * control characters and shortened with a visible marker when needed; Data
 * that cannot fit turns the response into FAILED saying so (f is updated to
 * what was built). Caller frees *body. */
int response_build(response_fields *f, char **body, size_t *len);

/* Removes control characters and invalid UTF-8 from a reason. Caller frees. */
char *reason_clean(const char *reason);

/* PUTs the body to the presigned ResponseURL with an empty Content-Type,
 * retrying connection errors, 429 and 5xx with backoff and jitter until
 * `deadline` (monotonic ms). Returns 0 on a 2xx answer; otherwise CFN_EIO with
 * the message in cfn_error_last. */
int response_deliver(const char *url, const char *body, size_t len, int64_t deadline);

/* Outcome of one served request. */
typedef struct served {
    int code;    /* 0 SUCCESS delivered, 1 FAILED delivered, 2 not delivered */
    char *body;  /* the body sent, Data masked when NoEcho; NULL when none */
    char *url;   /* the ResponseURL without its query; NULL when none */
    char *error; /* why nothing was delivered */
} served;

/* Serves every request of an invocation payload. `deadline` is the monotonic
 * ms by which responses must be delivered. Returns the worst code (0, 1, 2)
 * and, when `out` is given, one entry per request (free with served_free). */
int serve_payload(const char *payload, size_t len, int64_t deadline, served **out, size_t *count);
void served_free(served *s, size_t count);

/* The margin kept before a deadline for sending the response. */
int64_t deadline_margin_ms(int64_t budget_ms);

/* The Lambda Runtime API loop. Returns the process exit code. */
int runtime_run(const char *api);

/* Logs the one summary line of a request. */
void log_request(const request *req, bool success, const char *outcome, int64_t duration_ms,
                 const char *physical_id, const char *reason);
bool log_json(void);

/* Registry iteration for help output. */
size_t registry_count(void);
const cfn_resource_type *registry_at(size_t i);

/* A small growable string. */
typedef struct strbuf {
    char *data;
    size_t len, cap;
} strbuf;
int sb_append(strbuf *sb, const char *s, size_t n);
int sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sb_vprintf(strbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
char *xstrdup(const char *s);

#endif
