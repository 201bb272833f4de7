/* Private pieces of the AWS client shared by its source files. */
#ifndef CFNKIT_AWS_INTERNAL_H
#define CFNKIT_AWS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "http.h"
#include "internal.h"

/* A service as the SDKs name it. */
typedef struct aws_service {
    const char *name;    /* for messages: "DynamoDB" */
    const char *signing; /* SigV4 service name and endpoint prefix: "dynamodb" */
    const char *env;     /* AWS_ENDPOINT_URL_<env> */
    bool global;         /* one endpoint per partition (IAM) */
} aws_service;

extern const aws_service AWS_DYNAMODB, AWS_S3, AWS_LAMBDA, AWS_APIGATEWAY, AWS_IAM, AWS_STS;

typedef struct aws_credentials {
    char *access_key;
    char *secret_key;
    char *token;
    int64_t expires; /* epoch ms; 0 when they do not expire */
    char source[96];
} aws_credentials;

/* Resolves credentials through the chain; CFN_ENOTFOUND names every source
 * tried. */
int creds_resolve(aws_credentials *out, int64_t deadline);
void creds_clear(aws_credentials *c);

/* The value of `key` in section `section` of an INI-style AWS file. */
char *profile_value(const char *path, const char *section, const char *key);
const char *profile_name(void);
char *config_path(const char *env, const char *file);

struct cfn_aws {
    char region[64];
    int64_t deadline; /* monotonic ms; 0 for none */
    bool reuse;
    aws_credentials creds;
    int retry_tokens;
    char error_code[128];
    long error_status;
};

/* One call. `path` and `query` are already encoded; for S3 the bucket is
 * placed in the host or the path by aws_send. */
typedef struct aws_call {
    const aws_service *svc;
    const char *operation;
    const char *method;
    const char *bucket; /* S3 only */
    const char *path;
    const char *query;
    http_header headers[6];
    size_t nheaders;
    const char *body;
    size_t body_len;
    FILE *upload;
    long long upload_len;
    const char *payload_hash; /* S3: hex SHA-256 of the body */
    FILE *download;
} aws_call;

/* Sends a call with signing, retries and error parsing. On a non-2xx answer
 * returns CFN_ENOTFOUND (404) or CFN_ERROR with aws->error_* and the message
 * set; *res holds the answer on success. */
int aws_send(cfn_aws *aws, aws_call *call, http_response *res);

/* Where a call goes: scheme, Host, and the path with the endpoint's prefix
 * (and, for S3 with path-style addressing, the bucket). */
typedef struct aws_target {
    char scheme[16];
    char host[600];
    char *path;
} aws_target;

int aws_locate(const cfn_aws *aws, const aws_service *svc, const char *bucket, const char *path,
               aws_target *t);

/* Credentials for signing, resolved (again) when missing or expiring. */
int aws_credentials_ready(cfn_aws *aws);

/* The endpoint base URL ("https://host[:port][/prefix]") and whether S3 must
 * use path-style addressing. Caller frees. */
char *aws_endpoint(const cfn_aws *aws, const aws_service *svc, bool *custom);

#endif
