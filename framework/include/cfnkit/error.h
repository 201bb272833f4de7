/* Error codes and the thread-local last-error message of cfnkit calls
 * that do not report through a request context. */
#ifndef CFNKIT_ERROR_H
#define CFNKIT_ERROR_H

#include <cfnkit/common.h>
#ifdef __cplusplus
extern "C" {
#endif

/* Every cfnkit function returning int returns 0 on success or one of these. */
enum {
    CFN_OK = 0,
    CFN_ERROR = -1,   /* generic failure; the message says what */
    CFN_EEXISTS = -2, /* already registered, or the name is taken */
    CFN_EINVAL = -3,  /* invalid argument or input */
    CFN_ENOMEM = -4,  /* out of memory */
    CFN_ENOTFOUND = -5,
    CFN_ETIMEOUT = -6,
    CFN_EIO = -7,  /* network or file I/O failed */
    CFN_EBUSY = -8 /* held by someone else (a lease, a lock) */
};

/* The message of the last failed cfnkit call on this thread, or "" when none.
 * Borrowed: valid until the next failing call on this thread. */
CFN_EXTERN const char *cfn_error_last(void);

/* Sets the last-error message (printf-style) and returns `code`, so a failure
 * is one line: `return cfn_error_set(CFN_EINVAL, "bad port %d", port);` */
CFN_EXTERN int cfn_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#ifdef __cplusplus
}
#endif
#endif
