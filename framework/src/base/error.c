/* The thread-local last-error message of cfnkit calls. */
#include <cfnkit/error.h>

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last_error[1024];

const char *cfn_error_last(void)
{
    return last_error;
}

int cfn_error_set(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof(last_error), fmt, ap);
    va_end(ap);
    return code;
}
