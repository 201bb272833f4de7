/* The AWS client's core, shared by the per-protocol files (json.c, query.c,
 * rest.c, s3.c): the client, and sending one call with signing, retries and
 * error parsing. The services are in model.h's table. */
#ifndef CFNKIT_AWS_CLIENT_H
#define CFNKIT_AWS_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <cfnkit/aws.h>
#include <cfnkit/error.h>

#include "credentials.h"
#include "http.h"

/* A service as the SDKs name it (the table is generated: models.c). */
typedef struct aws_service {
    const char *name;     /* for messages: "DynamoDB" */
    const char *signing;  /* SigV4 service name: "dynamodb" */
    const char *endpoint; /* the endpoint's host prefix: "elasticloadbalancing" */
    const char *env;      /* AWS_ENDPOINT_URL_<env> */
    bool global;          /* one endpoint per partition (IAM) */
} aws_service;

/* S3's own calls (s3.c, s3_multipart.c) stream and sign their payloads. */
extern const aws_service cfn__svc_s3;

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
 * placed in the host or the path by cfn__aws_send. */
typedef struct aws_call {
    const aws_service *svc;
    const char *operation;
    const char *method;
    const char *bucket; /* S3 only */
    const char *path;
    const char *query;
    http_header headers[16];
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
int cfn__aws_send(cfn_aws *aws, aws_call *call, http_response *res);

/* Where a call goes: scheme, Host, and the path with the endpoint's prefix
 * (and, for S3 with path-style addressing, the bucket). */
typedef struct aws_target {
    char scheme[16];
    char host[600];
    char *path;
} aws_target;

int cfn__aws_locate(const cfn_aws *aws, const aws_service *svc, const char *bucket,
                    const char *path, aws_target *t);

/* Credentials for signing, resolved (again) when missing or expiring. */
int cfn__aws_credentials_ready(cfn_aws *aws);

/* The endpoint base URL ("https://host[:port][/prefix]") and whether S3 must
 * use path-style addressing. Caller frees. */
char *cfn__aws_endpoint(const cfn_aws *aws, const aws_service *svc, bool *custom);

#endif
