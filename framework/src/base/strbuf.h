/* A small growable string, and strdup that accepts NULL. */
#ifndef CFNKIT_BASE_STRBUF_H
#define CFNKIT_BASE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

/* Zero-initialise; data is NUL-terminated once anything was appended. The
 * owner frees data. */
typedef struct strbuf {
    char *data;
    size_t len, cap;
} strbuf;

/* Each returns 0, or CFN_ENOMEM (CFN_EINVAL for a bad format) with the buffer
 * unchanged. */
int cfn__sb_append(strbuf *sb, const char *s, size_t n);
int cfn__sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cfn__sb_vprintf(strbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* strdup(s), or NULL when s is NULL or memory is short. */
char *cfn__strdup(const char *s);

#endif
