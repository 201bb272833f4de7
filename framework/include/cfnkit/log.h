/* Logging for the framework and for modules: one line per event on stderr,
 * plain text or JSON lines when AWS_LAMBDA_LOG_FORMAT=JSON, filtered by
 * AWS_LAMBDA_LOG_LEVEL (TRACE, DEBUG, INFO, WARN, ERROR, FATAL; default INFO). */
#ifndef CFNKIT_LOG_H
#define CFNKIT_LOG_H

#include <cfnkit/common.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    CFN_LOG_TRACE,
    CFN_LOG_DEBUG,
    CFN_LOG_INFO,
    CFN_LOG_WARN,
    CFN_LOG_ERROR,
    CFN_LOG_FATAL
} cfn_log_level;

/* Logs one line at `level`. Never pass a presigned URL (use cfn_redact_url),
 * a secret, or Data of a NoEcho resource. Newlines are escaped. */
CFN_EXTERN void cfn_log(cfn_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Copies `url` into `buf` without its query string and fragment (a presigned
 * URL's query is a credential) and with any userinfo ("user:password@")
 * replaced by "[userinfo]@", and returns `buf`; truncates to fit `size`. */
CFN_EXTERN char *cfn_redact_url(const char *url, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
