/* Percent-encoding as AWS (RFC 3986) wants it. */
#ifndef CFNKIT_BASE_URI_H
#define CFNKIT_BASE_URI_H

#include <stdbool.h>
#include <stddef.h>

/* Percent-encodes every byte but A-Z a-z 0-9 - . _ ~ (and '/' when
 * keep_slash). Caller frees; NULL when memory is short. */
char *cfn__uri_encode(const char *s, size_t len, bool keep_slash);

#endif
