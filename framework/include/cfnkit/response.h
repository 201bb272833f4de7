/* What a callback reports back: the physical id, Data for Fn::GetAtt, NoEcho,
 * and the reason of a failure. The framework builds and sends the response. */
#ifndef CFNKIT_RESPONSE_H
#define CFNKIT_RESPONSE_H

#include <cfnkit/common.h>
#include <stdbool.h>
#include <cjson/cJSON.h>
#include <cfnkit/resource.h>

#ifdef __cplusplus
extern "C" {
#endif

/* CloudFormation's limits, which the framework enforces. */
#define CFN_MAX_RESPONSE_BYTES    4096
#define CFN_MAX_PHYSICAL_ID_BYTES 1024

/* Sets the failure reason (printf-style) and returns -1:
 * `return cfn_fail(ctx, "pool %s is full", key);`. Control characters are
 * removed and an over-long reason is shortened when the response is built. */
CFN_EXTERN int cfn_fail(cfn_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The reason set so far, or NULL. */
CFN_EXTERN const char *cfn_reason(const cfn_ctx *ctx);

/* Sets the physical id: non-empty, at most 1024 bytes, and stable for the
 * resource (never derived from anything that changes between requests). On
 * Update a different id means replacement: CloudFormation then deletes the
 * old one. Fails (setting the reason) on an empty or too long id. */
CFN_EXTERN int cfn_set_physical_id(cfn_ctx *ctx, const char *id);

/* Adds a Data entry, read in templates with Fn::GetAtt. The value is copied. */
CFN_EXTERN int cfn_set_data(cfn_ctx *ctx, const char *key, const char *value);
CFN_EXTERN int cfn_set_dataf(cfn_ctx *ctx, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Adds a Data entry of any JSON value; takes ownership of `value`. */
CFN_EXTERN int cfn_set_data_json(cfn_ctx *ctx, const char *key, cJSON *value);

/* Marks the Data as secret: CloudFormation masks it, and cfnkit never logs
 * or prints it. */
CFN_EXTERN void cfn_set_noecho(cfn_ctx *ctx, bool noecho);

#ifdef __cplusplus
}
#endif
#endif
