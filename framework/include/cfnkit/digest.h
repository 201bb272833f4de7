/* SHA-256 digests in lowercase hex, of memory and of files: for content
 * hashes, S3 payload hashes, names derived from what a resource owns. */
#ifndef CFNKIT_DIGEST_H
#define CFNKIT_DIGEST_H

#include <cfnkit/common.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 64 hex digits and the NUL. */
#define CFN_SHA256_HEX_SIZE 65

/* The hex SHA-256 of `len` bytes at `data` (a string: pass its strlen). The
 * caller owns `out`. */
CFN_EXTERN void cfn_sha256_hex(const void *data, size_t len, char out[CFN_SHA256_HEX_SIZE]);

/* The hex SHA-256 and size of a file, read in chunks (memory stays bounded
 * whatever its size). Returns CFN_EIO with the reason in cfn_error_last on
 * failure. */
CFN_EXTERN int cfn_sha256_file(const char *path, char out[CFN_SHA256_HEX_SIZE], long long *size);

#ifdef __cplusplus
}
#endif
#endif
