/* SHA-256 with OpenSSL: of memory, of strings, of a file read in chunks. */
#include "digest.h"

#include <cfnkit/error.h>

#include <errno.h>
#include <stdbool.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

void cfn__hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

void cfn_sha256_hex(const void *data, size_t len, char out[CFN_SHA256_HEX_SIZE])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(data, len, md);
    cfn__hex(md, sizeof(md), out);
}

void cfn__sha256_parts(const char *const *parts, size_t n, unsigned char md[32])
{
    unsigned int mdlen = 0;
    EVP_MD_CTX *h = EVP_MD_CTX_new();
    bool ok = h && EVP_DigestInit_ex(h, EVP_sha256(), NULL);
    for (size_t i = 0; ok && i < n; i++) {
        const char *p = parts[i] ? parts[i] : "";
        ok = EVP_DigestUpdate(h, p, strlen(p) + 1);
    }
    if (!ok || !EVP_DigestFinal_ex(h, md, &mdlen) || mdlen != 32)
        memset(md, 0, 32);
    EVP_MD_CTX_free(h);
}

/* Hashes a file in chunks: a payload is signed without holding it. */
int cfn_sha256_file(const char *path, char out[CFN_SHA256_HEX_SIZE], long long *size)
{
    unsigned char buf[1 << 16], md[32];
    unsigned int mdlen = 0;
    size_t n;
    FILE *f = fopen(path, "rb");
    *size = 0;
    if (!f)
        return cfn_error_set(CFN_EIO, "cannot read %s: %s", path, strerror(errno));
    EVP_MD_CTX *h = EVP_MD_CTX_new();
    if (!h || !EVP_DigestInit_ex(h, EVP_sha256(), NULL)) {
        EVP_MD_CTX_free(h);
        fclose(f);
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        EVP_DigestUpdate(h, buf, n);
        *size += (long long)n;
    }
    EVP_DigestFinal_ex(h, md, &mdlen);
    EVP_MD_CTX_free(h);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return cfn_error_set(CFN_EIO, "cannot read %s", path);
    cfn__hex(md, 32, out);
    return 0;
}
