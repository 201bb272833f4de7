/* AWS Signature Version 4, in the stages AWS documents: canonical request,
 * string to sign, signature; as an Authorization header or a presigned query. */
#ifndef CFNKIT_SIGV4_H
#define CFNKIT_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "http.h"

#define SIGV4_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SIGV4_UNSIGNED     "UNSIGNED-PAYLOAD"

typedef struct sigv4_creds {
    const char *access_key;
    const char *secret_key;
    const char *token; /* NULL without a session token */
} sigv4_creds;

typedef struct sigv4_params {
    const char *region;
    const char *service;
    time_t when;
    bool normalize;     /* remove dot segments, collapse slashes (all but S3) */
    bool double_encode; /* encode the wire path once more (all but S3) */
    bool sign_body;     /* header mode: sign x-amz-content-sha256 (S3) */
    bool omit_token;    /* leave the session token out of the signature */
    long expires;       /* query mode: X-Amz-Expires in seconds */
} sigv4_params;

typedef struct sigv4_request {
    const char *method;
    const char *path;           /* as on the wire */
    const char *query;          /* as on the wire, without '?'; NULL or "" for none */
    const http_header *headers; /* Host included; values as sent */
    size_t header_count;
    const char *payload_hash; /* hex SHA-256, SIGV4_UNSIGNED, or NULL for empty */
} sigv4_request;

typedef struct sigv4_result {
    char *canonical_request;
    char *string_to_sign;
    char signature[65];
    char amz_date[17];   /* to send as X-Amz-Date (header mode) */
    char *authorization; /* header mode: the Authorization value */
    char *signed_query;  /* query mode: the whole query to send */
} sigv4_result;

int cfn__sigv4_sign_headers(const sigv4_creds *creds, const sigv4_params *params,
                            const sigv4_request *req, sigv4_result *out);
int cfn__sigv4_sign_query(const sigv4_creds *creds, const sigv4_params *params,
                          const sigv4_request *req, sigv4_result *out);
void cfn__sigv4_result_free(sigv4_result *r);

#endif
