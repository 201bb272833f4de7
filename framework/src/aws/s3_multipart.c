/* S3 ranged reads and multipart uploads: objects built inside S3 from
 * server-side copies of byte ranges and uploaded parts. */
#include "client.h"

#include "digest.h"
#include "strbuf.h"
#include "uri.h"
#include "xml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "/<key, encoded but for its slashes>" of an object in `bucket`. */
static int object_path(const char *op, const char *bucket, const char *key, char **path)
{
    if (!bucket || !*bucket || strchr(bucket, '/'))
        return cfn_error_set(CFN_EINVAL, "S3 %s: invalid bucket name \"%.100s\"", op,
                             bucket ? bucket : "");
    if (!key || !*key)
        return cfn_error_set(CFN_EINVAL, "S3 %s: empty object key", op);
    char *enc = cfn__uri_encode(key, strlen(key), true);
    if (!enc || asprintf(path, "/%s", enc) < 0) {
        free(enc);
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    free(enc);
    return 0;
}

/* "uploadId=<id>" with `prefix` before it ("partNumber=3&"). */
static char *upload_query(const char *prefix, const char *upload_id)
{
    char *q = NULL, *enc = cfn__uri_encode(upload_id, strlen(upload_id), false);
    if (!enc || asprintf(&q, "%suploadId=%s", prefix, enc) < 0)
        q = NULL;
    free(enc);
    return q;
}

static int send_call(cfn_aws *aws, aws_call *call, const char *bucket, const char *key,
                     http_response *res)
{
    char *path = NULL, hash[65];
    int rc = object_path(call->operation, bucket, key, &path);
    if (rc < 0) {
        memset(res, 0, sizeof(*res));
        return rc;
    }
    cfn_sha256_hex(call->body ? call->body : "", call->body_len, hash);
    call->svc = &cfn__svc_s3;
    call->bucket = bucket;
    call->path = path;
    call->payload_hash = hash;
    rc = cfn__aws_send(aws, call, res);
    free(path);
    return rc;
}

/* S3 may answer a copy or a completion with 200 and an <Error> document
 * (the status line is sent before the work is done). */
static int error_document(cfn_aws *aws, const char *op, const http_response *res)
{
    if (!res->body || !memmem(res->body, res->body_len, "<Error>", 7))
        return 0;
    char *code = cfn__xml_text(res->body, res->body_len, "Code");
    char *msg = cfn__xml_text(res->body, res->body_len, "Message");
    snprintf(aws->error_code, sizeof(aws->error_code), "%s", code ? code : "InternalError");
    aws->error_status = res->status;
    int rc = cfn_error_set(CFN_ERROR, "S3 %s: %s: %s", op, aws->error_code, msg ? msg : "");
    free(code);
    free(msg);
    return rc;
}

int cfn_s3_get_object_range(cfn_aws *aws, const char *bucket, const char *key,
                            const char *version_id, const char *if_match, long long first,
                            long long last, char **data, size_t *len)
{
    char range[64], *q = NULL;
    if (first < 0 || last < first)
        return cfn_error_set(CFN_EINVAL, "S3 GetObject: invalid range %lld-%lld", first, last);
    snprintf(range, sizeof(range), "bytes=%lld-%lld", first, last);
    if (version_id && *version_id) {
        char *enc = cfn__uri_encode(version_id, strlen(version_id), false);
        if (!enc || asprintf(&q, "versionId=%s", enc) < 0) {
            free(enc);
            return cfn_error_set(CFN_ENOMEM, "out of memory");
        }
        free(enc);
    }
    aws_call call = {.operation = "GetObject", .method = "GET", .query = q};
    call.headers[call.nheaders++] = (http_header){"Range", range};
    if (if_match && *if_match)
        call.headers[call.nheaders++] = (http_header){"If-Match", if_match};
    http_response res;
    int rc = send_call(aws, &call, bucket, key, &res);
    free(q);
    if (rc == 0 && res.body_len != (size_t)(last - first + 1))
        rc = cfn_error_set(CFN_EIO, "S3 GetObject: asked for %lld bytes at %lld, got %zu",
                           last - first + 1, first, res.body_len);
    if (rc == 0) {
        *data = res.body;
        *len = res.body_len;
        res.body = NULL;
    }
    cfn__http_response_free(&res);
    return rc;
}

int cfn_s3_create_multipart_upload(cfn_aws *aws, const char *bucket, const char *key,
                                   const char *content_type, char **upload_id)
{
    aws_call call = {.operation = "CreateMultipartUpload", .method = "POST", .query = "uploads="};
    call.headers[call.nheaders++] =
        (http_header){"Content-Type", content_type ? content_type : "application/octet-stream"};
    http_response res;
    *upload_id = NULL;
    int rc = send_call(aws, &call, bucket, key, &res);
    if (rc == 0) {
        *upload_id = cfn__xml_text(res.body, res.body_len, "UploadId");
        if (!*upload_id || !**upload_id) {
            free(*upload_id);
            *upload_id = NULL;
            rc = cfn_error_set(CFN_ERROR, "S3 CreateMultipartUpload: no UploadId in the answer");
        }
    }
    cfn__http_response_free(&res);
    return rc;
}

int cfn_s3_upload_part(cfn_aws *aws, const char *bucket, const char *key, const char *upload_id,
                       int part, const void *data, size_t len, char etag[130])
{
    char prefix[32];
    snprintf(prefix, sizeof(prefix), "partNumber=%d&", part);
    char *q = upload_query(prefix, upload_id);
    if (!q)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    aws_call call = {
        .operation = "UploadPart", .method = "PUT", .query = q, .body = data, .body_len = len};
    http_response res;
    int rc = send_call(aws, &call, bucket, key, &res);
    if (rc == 0 && !cfn__http_response_header(&res, "ETag", etag, 130))
        rc = cfn_error_set(CFN_ERROR, "S3 UploadPart: no ETag in the answer");
    cfn__http_response_free(&res);
    free(q);
    return rc;
}

int cfn_s3_upload_part_copy(cfn_aws *aws, const char *bucket, const char *key,
                            const char *upload_id, int part, const char *src_bucket,
                            const char *src_key, const char *src_version_id,
                            const char *src_if_match, long long first, long long last,
                            char etag[130])
{
    char prefix[32], range[64], *source = NULL, *enc = NULL, *venc = NULL, *found = NULL;
    int rc = 0;
    if (first < 0 || last < first)
        return cfn_error_set(CFN_EINVAL, "S3 UploadPartCopy: invalid range %lld-%lld", first, last);
    if (!src_bucket || !*src_bucket || strchr(src_bucket, '/') || !src_key || !*src_key)
        return cfn_error_set(CFN_EINVAL, "S3 UploadPartCopy: invalid source");
    snprintf(prefix, sizeof(prefix), "partNumber=%d&", part);
    snprintf(range, sizeof(range), "bytes=%lld-%lld", first, last);
    char *q = upload_query(prefix, upload_id);
    enc = cfn__uri_encode(src_key, strlen(src_key), true);
    if (src_version_id && *src_version_id)
        venc = cfn__uri_encode(src_version_id, strlen(src_version_id), false);
    if (!q || !enc || (src_version_id && *src_version_id && !venc) ||
        asprintf(&source, "/%s/%s%s%s", src_bucket, enc, venc ? "?versionId=" : "",
                 venc ? venc : "") < 0) {
        source = NULL;
        rc = cfn_error_set(CFN_ENOMEM, "out of memory");
        goto done;
    }
    aws_call call = {.operation = "UploadPartCopy", .method = "PUT", .query = q};
    call.headers[call.nheaders++] = (http_header){"x-amz-copy-source", source};
    call.headers[call.nheaders++] = (http_header){"x-amz-copy-source-range", range};
    if (src_if_match && *src_if_match)
        call.headers[call.nheaders++] = (http_header){"x-amz-copy-source-if-match", src_if_match};
    http_response res;
    rc = send_call(aws, &call, bucket, key, &res);
    if (rc == 0)
        rc = error_document(aws, "UploadPartCopy", &res);
    if (rc == 0) {
        found = cfn__xml_text(res.body, res.body_len, "ETag");
        if (found && *found)
            snprintf(etag, 130, "%s", found);
        else
            rc = cfn_error_set(CFN_ERROR, "S3 UploadPartCopy: no ETag in the answer");
    }
    cfn__http_response_free(&res);
done:
    free(found);
    free(source);
    free(venc);
    free(enc);
    free(q);
    return rc;
}

int cfn_s3_complete_multipart_upload(cfn_aws *aws, const char *bucket, const char *key,
                                     const char *upload_id, const char (*etags)[130], int nparts,
                                     bool if_none_match)
{
    strbuf body = {0};
    int rc = cfn__sb_printf(&body, "<CompleteMultipartUpload "
                                   "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
    for (int i = 0; rc == 0 && i < nparts; i++)
        rc = cfn__sb_printf(&body, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", i + 1,
                            etags[i]);
    if (rc == 0)
        rc = cfn__sb_printf(&body, "</CompleteMultipartUpload>");
    char *q = upload_query("", upload_id);
    if (rc < 0 || !q) {
        free(body.data);
        free(q);
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    aws_call call = {.operation = "CompleteMultipartUpload",
                     .method = "POST",
                     .query = q,
                     .body = body.data,
                     .body_len = body.len};
    call.headers[call.nheaders++] = (http_header){"Content-Type", "application/xml"};
    if (if_none_match)
        call.headers[call.nheaders++] = (http_header){"If-None-Match", "*"};
    http_response res;
    rc = send_call(aws, &call, bucket, key, &res);
    if (rc == 0)
        rc = error_document(aws, "CompleteMultipartUpload", &res);
    cfn__http_response_free(&res);
    free(body.data);
    free(q);
    return rc;
}

int cfn_s3_abort_multipart_upload(cfn_aws *aws, const char *bucket, const char *key,
                                  const char *upload_id)
{
    char *q = upload_query("", upload_id);
    if (!q)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    aws_call call = {.operation = "AbortMultipartUpload", .method = "DELETE", .query = q};
    http_response res;
    int rc = send_call(aws, &call, bucket, key, &res);
    cfn__http_response_free(&res);
    free(q);
    return rc;
}
