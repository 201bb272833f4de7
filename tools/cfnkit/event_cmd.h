/* `cfnkit event`: CloudFormation custom-resource requests on demand, built the
 * way CloudFormation builds them; also used by `cfnkit check`. */
#ifndef CFNKIT_TOOL_EVENT_CMD_H
#define CFNKIT_TOOL_EVENT_CMD_H

#include <cjson/cJSON.h>

/* Where a request comes from: the stack, resource and provider it names. */
typedef struct event_origin {
    const char *stack_name;    /* default "my-stack" */
    const char *logical_id;    /* default "MyResource" */
    const char *service_token; /* default: a Lambda ARN in the region and account */
    const char *response_url;  /* default: CloudFormation's form, unsigned */
    char *stack_id;            /* set by event_origin_init (one per region, account and name) */
    char *region;
    char *account;
} event_origin;

/* Fills the stack id, region and account of `o`: region from
 * the standard settings, account from `account` or else STS (falling back to
 * 123456789012 with a warning on stderr). Returns 0 or -1 with the reason in
 * cfn_error_last(). */
int event_origin_init(event_origin *o, const char *account);
void event_origin_free(event_origin *o);

/* A request of `action` ("Create", "Update", "Delete") as CloudFormation
 * sends it (stk_event_build of framework/src/stack/request.h): properties
 * turned to strings, a fresh RequestId, ServiceToken in the properties and
 * beside them.
 * `old_props` is used for Update only, `physical_id` for Update and Delete.
 * The caller frees *out with cJSON_Delete. Returns 0 or -1 (cfn_error_last). */
int event_build(const event_origin *o, const char *action, const char *type, const cJSON *props,
                const cJSON *old_props, const char *physical_id, cJSON **out);

/* Parses JSON given inline, as @FILE, or as - (standard input). The caller
 * frees *out. Returns 0 or -1 (cfn_error_last). */
int event_read_json(const char *arg, cJSON **out);

int event_cmd(int argc, char **argv);

#endif
