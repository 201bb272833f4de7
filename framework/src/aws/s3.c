/* S3 (REST-XML): objects to and from memory or files (streamed, so memory
 * stays bounded), buckets, listing, presigned URLs. */
#include "client.h"

#include "clock.h"
#include "digest.h"
#include "s3_bucket.h"
#include "sigv4.h"
#include "strbuf.h"
#include "uri.h"
#include "xml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A "." or ".." segment: HTTP clients, proxies and servers may resolve it
 * into another object or another bucket's path. */
static bool dot_segment(const char *key)
{
    for (const char *s = key;;) {
        size_t n = strcspn(s, "/");
        if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
            return true;
        if (!s[n])
            return false;
        s += n + 1;
    }
}

/* The bucket's path as sent and signed: a bucket with the documented shape
 * and the key percent-encoded but for its slashes. */
static int s3_key_path(const char *bucket, const char *key, char **path)
{
    const char *problem = cfn__s3_bucket_problem(bucket);
    if (problem)
        return cfn_error_set(CFN_EINVAL, "S3: invalid bucket name \"%.100s\": %s",
                             bucket ? bucket : "", problem);
    if (!key) {
        *path = cfn__strdup("/");
        return *path ? 0 : CFN_ENOMEM;
    }
    if (!*key)
        return cfn_error_set(CFN_EINVAL, "S3: empty object key");
    if (dot_segment(key))
        return cfn_error_set(CFN_EINVAL,
                             "S3: object key \"%.200s\" has a \".\" or \"..\" path segment, "
                             "which could reach another object",
                             key);
    char *enc = cfn__uri_encode(key, strlen(key), true);
    if (!enc || asprintf(path, "/%s", enc) < 0) {
        free(enc);
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    free(enc);
    return 0;
}

static char *version_query(const char *version_id)
{
    char *q = NULL, *enc;
    if (!version_id || !*version_id)
        return NULL;
    enc = cfn__uri_encode(version_id, strlen(version_id), false);
    if (!enc || asprintf(&q, "versionId=%s", enc) < 0)
        q = NULL;
    free(enc);
    return q;
}

static int s3_simple(cfn_aws *aws, const char *op, const char *method, const char *bucket,
                     const char *key, const char *query, const char *body, size_t len,
                     const char *content_type, http_response *res)
{
    char *path = NULL;
    char hash[65];
    /* Callers free the answer whatever happened. */
    memset(res, 0, sizeof(*res));
    int rc = s3_key_path(bucket, key, &path);
    if (rc < 0)
        return rc;
    cfn_sha256_hex(body ? body : "", len, hash);
    aws_call call = {.svc = &cfn__svc_s3,
                     .operation = op,
                     .method = method,
                     .bucket = bucket,
                     .path = path,
                     .query = query,
                     .body = body,
                     .body_len = len,
                     .payload_hash = hash};
    if (content_type)
        call.headers[call.nheaders++] = (http_header){"Content-Type", content_type};
    rc = cfn__aws_send(aws, &call, res);
    free(path);
    return rc;
}

int cfn_s3_get_object(cfn_aws *aws, const char *bucket, const char *key, const char *version_id,
                      char **data, size_t *len)
{
    http_response res;
    char *q = version_query(version_id);
    int rc = s3_simple(aws, "GetObject", "GET", bucket, key, q, NULL, 0, NULL, &res);
    free(q);
    if (rc == 0) {
        *data = res.body;
        *len = res.body_len;
        res.body = NULL;
    }
    cfn__http_response_free(&res);
    return rc;
}

int cfn_s3_get_object_to_file(cfn_aws *aws, const char *bucket, const char *key,
                              const char *version_id, const char *path_out)
{
    char *path = NULL;
    int rc = s3_key_path(bucket, key, &path);
    if (rc < 0)
        return rc;
    FILE *f = fopen(path_out, "w+b");
    if (!f) {
        free(path);
        return cfn_error_set(CFN_EIO, "cannot write %s: %s", path_out, strerror(errno));
    }
    char *q = version_query(version_id);
    aws_call call = {.svc = &cfn__svc_s3,
                     .operation = "GetObject",
                     .method = "GET",
                     .bucket = bucket,
                     .path = path,
                     .query = q,
                     .payload_hash = SIGV4_EMPTY_SHA256,
                     .download = f};
    http_response res;
    rc = cfn__aws_send(aws, &call, &res);
    cfn__http_response_free(&res);
    if (fclose(f) != 0 && rc == 0)
        rc = cfn_error_set(CFN_EIO, "cannot write %s: %s", path_out, strerror(errno));
    if (rc < 0)
        unlink(path_out);
    free(q);
    free(path);
    return rc;
}

/* Gives the caller the stored object's ETag, when it asked for it. */
static void copy_etag(const http_response *res, int rc, char *etag)
{
    if (!etag)
        return;
    etag[0] = '\0';
    if (rc == 0)
        cfn__http_response_header(res, "ETag", etag, CFN_S3_ETAG_SIZE);
}

int cfn_s3_put_object(cfn_aws *aws, const char *bucket, const char *key, const void *data,
                      size_t len, const char *content_type, char *etag)
{
    http_response res;
    int rc = s3_simple(aws, "PutObject", "PUT", bucket, key, NULL, data, len,
                       content_type ? content_type : "application/octet-stream", &res);
    copy_etag(&res, rc, etag);
    cfn__http_response_free(&res);
    return rc;
}

int cfn_s3_put_object_from_file(cfn_aws *aws, const char *bucket, const char *key, const char *file,
                                const char *content_type, const char *sha256, char *etag)
{
    char *path = NULL;
    char hash[65];
    long long size;
    copy_etag(NULL, -1, etag);
    int rc = s3_key_path(bucket, key, &path);
    if (rc < 0)
        return rc;
    if (sha256 && strlen(sha256) == 64) {
        snprintf(hash, sizeof(hash), "%s", sha256);
    } else if (cfn_sha256_file(file, hash, &size) < 0) {
        free(path);
        return CFN_EIO;
    }
    FILE *f = fopen(file, "rb");
    if (!f || fseeko(f, 0, SEEK_END) != 0 || (size = ftello(f)) < 0) {
        if (f)
            fclose(f);
        free(path);
        return cfn_error_set(CFN_EIO, "cannot read %s: %s", file, strerror(errno));
    }
    aws_call call = {
        .svc = &cfn__svc_s3,
        .operation = "PutObject",
        .method = "PUT",
        .bucket = bucket,
        .path = path,
        .headers = {{"Content-Type", content_type ? content_type : "application/octet-stream"}},
        .nheaders = 1,
        .upload = f,
        .upload_len = size,
        .payload_hash = hash};
    http_response res;
    rc = cfn__aws_send(aws, &call, &res);
    copy_etag(&res, rc, etag);
    cfn__http_response_free(&res);
    fclose(f);
    free(path);
    return rc;
}

int cfn_s3_head_object(cfn_aws *aws, const char *bucket, const char *key, const char *version_id,
                       cfn_s3_object_info *info)
{
    http_response res;
    char *q = version_query(version_id);
    int rc = s3_simple(aws, "HeadObject", "HEAD", bucket, key, q, NULL, 0, NULL, &res);
    free(q);
    if (rc == 0 && info) {
        char v[256];
        memset(info, 0, sizeof(*info));
        info->size =
            cfn__http_response_header(&res, "Content-Length", v, sizeof(v)) ? atoll(v) : -1;
        cfn__http_response_header(&res, "ETag", info->etag, sizeof(info->etag));
        cfn__http_response_header(&res, "x-amz-version-id", info->version_id,
                                  sizeof(info->version_id));
        cfn__http_response_header(&res, "Content-Type", info->content_type,
                                  sizeof(info->content_type));
    }
    cfn__http_response_free(&res);
    return rc;
}

int cfn_s3_delete_object(cfn_aws *aws, const char *bucket, const char *key)
{
    http_response res;
    int rc = s3_simple(aws, "DeleteObject", "DELETE", bucket, key, NULL, NULL, 0, NULL, &res);
    cfn__http_response_free(&res);
    return rc;
}

int cfn_s3_create_bucket(cfn_aws *aws, const char *bucket)
{
    http_response res;
    char *body = NULL;
    /* us-east-1 takes no location; every other region must be named. */
    if (strcmp(aws->region, "us-east-1") != 0 &&
        asprintf(&body,
                 "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                 "<LocationConstraint>%s</LocationConstraint></CreateBucketConfiguration>",
                 aws->region) < 0)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    int rc = s3_simple(aws, "CreateBucket", "PUT", bucket, NULL, NULL, body,
                       body ? strlen(body) : 0, body ? "application/xml" : NULL, &res);
    cfn__http_response_free(&res);
    free(body);
    return rc;
}

int cfn_s3_delete_bucket(cfn_aws *aws, const char *bucket)
{
    http_response res;
    int rc = s3_simple(aws, "DeleteBucket", "DELETE", bucket, NULL, NULL, NULL, 0, NULL, &res);
    cfn__http_response_free(&res);
    return rc;
}

static int add_objects(cJSON *list, const char *xml, size_t len)
{
    size_t pos = 0, n;
    const char *inner;
    while (cfn__xml_next(xml, len, "Contents", &pos, &inner, &n) == 0) {
        char *key = cfn__xml_text(inner, n, "Key"), *size = cfn__xml_text(inner, n, "Size");
        char *etag = cfn__xml_text(inner, n, "ETag");
        cJSON *o = cJSON_CreateObject();
        int ok = key && o && cJSON_AddStringToObject(o, "Key", key) &&
                 cJSON_AddNumberToObject(o, "Size", size ? atof(size) : 0) &&
                 cJSON_AddStringToObject(o, "ETag", etag ? etag : "") &&
                 cJSON_AddItemToArray(list, o);
        free(key);
        free(size);
        free(etag);
        if (!ok) {
            cJSON_Delete(o);
            return CFN_ENOMEM;
        }
    }
    return 0;
}

int cfn_s3_list_objects(cfn_aws *aws, const char *bucket, const char *prefix, cJSON **objects)
{
    char *token = NULL, *last = NULL;
    int rc = 0;
    cJSON *list = cJSON_CreateArray();
    if (!list)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    do {
        strbuf q = {0};
        char *p = prefix ? cfn__uri_encode(prefix, strlen(prefix), false) : NULL;
        char *t = token ? cfn__uri_encode(token, strlen(token), false) : NULL;
        cfn__sb_printf(&q, "list-type=2%s%s%s%s", t ? "&continuation-token=" : "", t ? t : "",
                       p ? "&prefix=" : "", p ? p : "");
        free(p);
        free(t);
        free(last);
        last = token;
        token = NULL;
        http_response res;
        rc = q.data
                 ? s3_simple(aws, "ListObjectsV2", "GET", bucket, NULL, q.data, NULL, 0, NULL, &res)
                 : cfn_error_set(CFN_ENOMEM, "out of memory");
        free(q.data);
        if (rc == 0 && add_objects(list, res.body, res.body_len) < 0)
            rc = cfn_error_set(CFN_ENOMEM, "out of memory");
        if (rc == 0) {
            char *truncated = cfn__xml_text(res.body, res.body_len, "IsTruncated");
            if (truncated && strcmp(truncated, "true") == 0)
                token = cfn__xml_text(res.body, res.body_len, "NextContinuationToken");
            free(truncated);
            /* An answer that hands back the token it was given never ends. */
            if (token && last && strcmp(token, last) == 0)
                rc = cfn_error_set(CFN_EIO,
                                   "S3 ListObjectsV2: the same continuation token came back");
        }
        cfn__http_response_free(&res);
    } while (rc == 0 && token);
    free(token);
    free(last);
    if (rc < 0) {
        cJSON_Delete(list);
        return rc;
    }
    *objects = list;
    return 0;
}

int cfn_s3_presign(cfn_aws *aws, const char *method, const char *bucket, const char *key,
                   long expires, char **url)
{
    char *keypath = NULL;
    aws_target t;
    int rc;
    *url = NULL;
    if (!method || (strcmp(method, "GET") != 0 && strcmp(method, "PUT") != 0))
        return cfn_error_set(CFN_EINVAL, "S3 presign: method must be GET or PUT");
    if (expires < 1 || expires > 604800)
        return cfn_error_set(CFN_EINVAL, "S3 presign: expiry must be 1 to 604800 seconds");
    if ((rc = s3_key_path(bucket, key, &keypath)) < 0)
        return rc;
    rc = cfn__aws_credentials_ready(aws);
    if (rc == 0)
        rc = cfn__aws_locate(aws, &cfn__svc_s3, bucket, keypath, &t);
    free(keypath);
    if (rc < 0)
        return rc;
    sigv4_creds creds = {aws->creds.access_key, aws->creds.secret_key, aws->creds.token};
    sigv4_params params = {
        .region = aws->region, .service = "s3", .when = time(NULL), .expires = expires};
    http_header h = {"host", t.host};
    sigv4_request req = {method, t.path, NULL, &h, 1, SIGV4_UNSIGNED};
    sigv4_result sig;
    rc = cfn__sigv4_sign_query(&creds, &params, &req, &sig);
    if (rc == 0) {
        if (asprintf(url, "%s://%s%s?%s", t.scheme, t.host, t.path, sig.signed_query) < 0) {
            *url = NULL;
            rc = cfn_error_set(CFN_ENOMEM, "out of memory");
        }
        cfn__sigv4_result_free(&sig);
    }
    free(t.path);
    return rc;
}
