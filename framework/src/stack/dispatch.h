/* Dispatch: how the deployment engine has one resource created, updated or
 * deleted. Every resource, Custom:: or native AWS::, goes the same way: a
 * request as CloudFormation sends it (a StackId ARN in the target's account
 * and region, a fresh RequestId, a ResponseURL), delivered to a provider
 * program built on cfn_main, which answers by PUTting to the ResponseURL that
 * this dispatcher serves on 127.0.0.1 (one unguessable path per request),
 * checked as CloudFormation checks it.
 *
 * The built-in Custom:: modules and the native AWS:: types are served by the
 * cfnkit executable itself; `--provider PROGRAM` adds programs that serve the
 * types `PROGRAM types` lists. Custom:: requests carry every property as a
 * string (as CloudFormation sends them); native requests carry the resolved
 * JSON as the template gave it.
 *
 * Single-threaded use by the engine: start up to N jobs, then wait for the
 * next one to finish. Knows nothing of templates, graphs or the state store. */
#ifndef CFNKIT_STACK_DISPATCH_H
#define CFNKIT_STACK_DISPATCH_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct stk_dispatch stk_dispatch;

/* The local default wait for an answer when neither the request nor the
 * resource's ServiceTimeout says (CloudFormation's default is 3600 s, too
 * long to wait for a provider that will never answer on one machine). */
#define STK_DISPATCH_DEFAULT_TIMEOUT_S 300

typedef struct stk_dispatch_config {
    const char *self;             /* the cfnkit executable (built-ins, natives) */
    const char *const *providers; /* --provider programs, in order given */
    size_t n_providers;
    const char *region, *account; /* of the target AWS */
    int default_timeout_s;        /* when a resource sets no ServiceTimeout; 0: the
                                     STK_DISPATCH_DEFAULT_TIMEOUT_S */
    /* Run a custom resource's provider with the environment and name of the
     * Lambda function its ServiceToken names, read from the target AWS
     * (function_env.h); a resource fails when AWS cannot say. */
    bool function_env;
} stk_dispatch_config;

/* Starts the ResponseURL server and asks each program which types it serves.
 * Errors (a program that cannot run, a type served twice) name the program. */
int stk_dispatch_new(const stk_dispatch_config *cfg, stk_dispatch **out);
void stk_dispatch_free(stk_dispatch *d);

/* Whether some program serves `type`; NULL when none, else the program. */
const char *stk_dispatch_provider_for(const stk_dispatch *d, const char *type);

/* Added for the engine's error on a type nobody serves: every type served,
 * sorted, as a new array of strings (the caller frees it). */
int stk_dispatch_types(const stk_dispatch *d, cJSON **out);

typedef struct stk_request {
    const char *request_type; /* "Create", "Update", "Delete" */
    const char *stack_id;     /* arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/UUID */
    const char *logical_id, *resource_type;
    const char *physical_id;     /* Update, Delete */
    const cJSON *properties;     /* resolved; ServiceToken included for Custom:: */
    const cJSON *old_properties; /* Update only */
    int timeout_s;               /* 0: the resource's ServiceTimeout or the default */
    void *user;                  /* the engine's; handed back on completion */
    /* Added for the engine's write-ahead state: NULL for a fresh RequestId;
     * given, the request is sent with that one (a retry of a request an
     * engine killed mid-flight recorded: the provider answers a duplicate
     * delivery as the first, so a Create gives the same physical id). */
    const char *request_id;
} stk_request;

typedef struct stk_result {
    void *user;
    bool success;
    char *request_id;
    char *physical_id; /* as answered (may be NULL on FAILED) */
    cJSON *data;       /* Data, or NULL */
    bool no_echo;      /* the answer asked NoEcho: Data must be masked */
    char *reason;      /* FAILED: the provider's reason or ours (timeout, bad body) */
    int64_t started_ms, ended_ms;
} stk_result;
void stk_result_clear(stk_result *r);

/* Sends one request; returns at once. */
int stk_dispatch_start(stk_dispatch *d, const stk_request *req);

/* How many requests are in flight: started and not yet returned by
 * stk_dispatch_wait. */
size_t stk_dispatch_running(const stk_dispatch *d);

/* Waits up to timeout_ms for the next finished request: 1 and *out filled,
 * 0 on timeout, negative on an internal error. A request whose program dies,
 * whose body CloudFormation would reject, or that outlives its timeout
 * finishes FAILED with CloudFormation's reason. */
int stk_dispatch_wait(stk_dispatch *d, int timeout_ms, stk_result *out);

#endif
