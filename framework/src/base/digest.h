/* SHA-256, the one digest the framework uses (signing, ids, hashes of what a
 * resource owns); the public hex forms are in <cfnkit/digest.h>. */
#ifndef CFNKIT_BASE_DIGEST_H
#define CFNKIT_BASE_DIGEST_H

#include <stddef.h>
#include <cfnkit/digest.h>

/* `n` bytes as 2n lowercase hex digits and a NUL. */
void cfn__hex(const unsigned char *in, size_t n, char *out);

/* The SHA-256 of `n` strings, each with its NUL, so that ("ab", "c") and
 * ("a", "bc") differ. A NULL part counts as "". */
void cfn__sha256_parts(const char *const *parts, size_t n, unsigned char md[32]);

#endif
