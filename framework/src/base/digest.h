/* SHA-256 in hex, the one digest the framework uses (signing, ids, hashes of
 * what a resource owns). */
#ifndef CFNKIT_BASE_DIGEST_H
#define CFNKIT_BASE_DIGEST_H

#include <stddef.h>

/* `n` bytes as 2n lowercase hex digits and a NUL. */
void cfn__hex(const unsigned char *in, size_t n, char *out);

/* Hex SHA-256 of data (65 bytes with the NUL). */
void cfn__sha256_hex(const void *data, size_t len, char out[65]);

#endif
