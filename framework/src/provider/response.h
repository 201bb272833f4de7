/* Response bodies: the fields CloudFormation reads, fitted into 4096 bytes. */
#ifndef CFNKIT_PROVIDER_RESPONSE_H
#define CFNKIT_PROVIDER_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

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
    char *built_reason; /* owned: the reason the build put in `reason` */
} response_fields;

/* Builds the body, at most CFN_MAX_RESPONSE_BYTES: the reason is cleaned of
 * control characters and shortened with a visible marker when needed; Data
 * that cannot fit turns the response into FAILED saying so (f is updated to
 * what was built: `reason` then points to `built_reason`, which f owns until
 * cfn__response_fields_clear). Caller frees *body. */
int cfn__response_build(response_fields *f, char **body, size_t *len);

/* Frees what cfn__response_build put in `f`; the borrowed fields stay. */
void cfn__response_fields_clear(response_fields *f);

/* Whether s is valid UTF-8 (no overlong forms, surrogates or code points past
 * U+10FFFF) and, unless `controls`, holds no C0/C1 control character or DEL. */
bool cfn__utf8_valid(const char *s, bool controls);

/* Checks Data as CloudFormation must read it: every key valid UTF-8 without
 * control characters, every string value valid UTF-8, at any depth. Returns
 * 0, or CFN_EINVAL with *why (caller frees) naming the key path, or
 * CFN_ENOMEM. */
int cfn__data_check(const cJSON *data, char **why);

/* Removes control characters and invalid UTF-8 from a reason. Caller frees. */
char *cfn__reason_clean(const char *reason);

#endif
