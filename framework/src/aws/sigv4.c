/* AWS Signature Version 4 with OpenSSL: canonical request -> string to sign
 * -> signature, for Authorization headers and presigned query strings. */
#include "sigv4.h"

#include "digest.h"
#include "strbuf.h"
#include "uri.h"

#include <cfnkit/error.h>

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes %XX (and '+' as itself: AWS query strings encode spaces as %20). */
static char *uri_decode(const char *s, size_t len, size_t *outlen)
{
    char *out = malloc(len + 1);
    size_t j = 0;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            out[j++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            out[j++] = s[i];
        }
    }
    out[j] = '\0';
    *outlen = j;
    return out;
}

/* Removes "." and ".." segments and empty segments (repeated slashes). */
static char *normalize_path(const char *path)
{
    size_t n = strlen(path);
    char *out = malloc(n + 2);
    size_t *starts = malloc((n + 1) * sizeof(size_t));
    size_t depth = 0, j = 0;
    if (!out || !starts) {
        free(out);
        free(starts);
        return NULL;
    }
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        size_t seg = strcspn(p, "/");
        if (seg == 0)
            break;
        if (seg == 1 && p[0] == '.') {
            /* nothing */
        } else if (seg == 2 && p[0] == '.' && p[1] == '.') {
            if (depth)
                j = starts[--depth];
        } else {
            starts[depth++] = j;
            out[j++] = '/';
            memcpy(out + j, p, seg);
            j += seg;
        }
        p += seg;
    }
    if (j == 0 || (n > 1 && path[n - 1] == '/'))
        out[j++] = '/';
    out[j] = '\0';
    free(starts);
    return out;
}

static char *canonical_path(const sigv4_params *params, const char *path)
{
    if (!path || !*path)
        path = "/";
    if (!params->double_encode)
        return cfn__strdup(path);
    char *norm = params->normalize ? normalize_path(path) : cfn__strdup(path);
    if (!norm)
        return NULL;
    char *enc = cfn__uri_encode(norm, strlen(norm), true);
    free(norm);
    return enc;
}

typedef struct pair {
    char *key;
    char *value;
} pair;

static int pair_cmp(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : strcmp(x->value, y->value);
}

static void pairs_free(pair *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(p[i].key);
        free(p[i].value);
    }
    free(p);
}

/* Adds a parameter, encoding key and value (given decoded). */
static int pair_add(pair **p, size_t *n, const char *key, size_t klen, const char *value,
                    size_t vlen)
{
    pair *np = realloc(*p, (*n + 1) * sizeof(pair));
    if (!np)
        return CFN_ENOMEM;
    *p = np;
    np[*n].key = cfn__uri_encode(key, klen, false);
    np[*n].value = cfn__uri_encode(value, vlen, false);
    (*n)++;
    return np[*n - 1].key && np[*n - 1].value ? 0 : CFN_ENOMEM;
}

static int parse_query(const char *query, pair **p, size_t *n)
{
    const char *q = query ? query : "";
    while (*q) {
        size_t len = strcspn(q, "&");
        if (len) {
            const char *eq = memchr(q, '=', len);
            size_t klen = eq ? (size_t)(eq - q) : len;
            size_t dk, dv;
            char *k = uri_decode(q, klen, &dk);
            char *v = eq ? uri_decode(eq + 1, len - klen - 1, &dv) : cfn__strdup("");
            if (!eq)
                dv = 0;
            int rc = k && v ? pair_add(p, n, k, dk, v, dv) : CFN_ENOMEM;
            free(k);
            free(v);
            if (rc < 0)
                return rc;
        }
        q += len + (q[len] == '&');
    }
    return 0;
}

static char *join_pairs(pair *p, size_t n)
{
    strbuf sb = {0};
    if (n)
        qsort(p, n, sizeof(pair), pair_cmp);
    for (size_t i = 0; i < n; i++)
        if (cfn__sb_printf(&sb, "%s%s=%s", i ? "&" : "", p[i].key, p[i].value) < 0) {
            free(sb.data);
            return NULL;
        }
    return sb.data ? sb.data : cfn__strdup("");
}

typedef struct hdr {
    char *name;
    strbuf value;
} hdr;

static int hdr_cmp(const void *a, const void *b)
{
    return strcmp(((const hdr *)a)->name, ((const hdr *)b)->name);
}

/* Trimmed, with runs of white space (folded lines included) as one space. */
static int append_trimmed(strbuf *sb, const char *v)
{
    bool space = false;
    while (*v && isspace((unsigned char)*v))
        v++;
    for (; *v; v++) {
        if (isspace((unsigned char)*v)) {
            space = true;
            continue;
        }
        if (space && cfn__sb_append(sb, " ", 1) < 0)
            return CFN_ENOMEM;
        space = false;
        if (cfn__sb_append(sb, v, 1) < 0)
            return CFN_ENOMEM;
    }
    return cfn__sb_append(sb, "", 0);
}

/* Canonical headers and the signed header list, from the request's headers
 * and the extra ones the signature adds. */
static int canonical_headers(const http_header *h, size_t n, const http_header *extra,
                             size_t nextra, strbuf *canon, strbuf *signed_list)
{
    hdr *all = calloc(n + nextra, sizeof(hdr));
    size_t count = 0;
    int rc = CFN_ENOMEM;
    if (!all)
        return rc;
    for (size_t i = 0; i < n + nextra; i++) {
        const http_header *src = i < n ? &h[i] : &extra[i - n];
        char *lower = cfn__strdup(src->name);
        if (!lower)
            goto done;
        for (char *c = lower; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        size_t k;
        for (k = 0; k < count && strcmp(all[k].name, lower) != 0; k++)
            ;
        if (k == count) {
            all[count++].name = lower;
        } else {
            free(lower);
            if (cfn__sb_append(&all[k].value, ",", 1) < 0)
                goto done;
        }
        if (append_trimmed(&all[k].value, src->value) < 0)
            goto done;
    }
    qsort(all, count, sizeof(hdr), hdr_cmp);
    for (size_t i = 0; i < count; i++)
        if (cfn__sb_printf(canon, "%s:%s\n", all[i].name, all[i].value.data) < 0 ||
            cfn__sb_printf(signed_list, "%s%s", i ? ";" : "", all[i].name) < 0)
            goto done;
    rc = 0;
done:
    for (size_t i = 0; i < n + nextra; i++) {
        free(all[i].name);
        free(all[i].value.data);
    }
    free(all);
    return rc;
}

static void hmac(const void *key, size_t klen, const char *msg, unsigned char out[32])
{
    unsigned int len = 32;
    HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg), out, &len);
}

static int finish(const sigv4_creds *creds, const sigv4_params *params, const char *scope,
                  sigv4_result *out)
{
    char hash[65];
    cfn_sha256_hex(out->canonical_request, strlen(out->canonical_request), hash);
    if (asprintf(&out->string_to_sign, "AWS4-HMAC-SHA256\n%s\n%s\n%s", out->amz_date, scope, hash) <
        0) {
        out->string_to_sign = NULL;
        return CFN_ENOMEM;
    }
    char *secret = NULL;
    if (asprintf(&secret, "AWS4%s", creds->secret_key) < 0)
        return CFN_ENOMEM;
    unsigned char k[32];
    char date[9];
    memcpy(date, out->amz_date, 8);
    date[8] = '\0';
    hmac(secret, strlen(secret), date, k);
    OPENSSL_cleanse(secret, strlen(secret));
    free(secret);
    hmac(k, 32, params->region, k);
    hmac(k, 32, params->service, k);
    hmac(k, 32, "aws4_request", k);
    hmac(k, 32, out->string_to_sign, k);
    cfn__hex(k, 32, out->signature);
    OPENSSL_cleanse(k, sizeof(k));
    return 0;
}

static int sign(const sigv4_creds *creds, const sigv4_params *params, const sigv4_request *req,
                bool query_mode, sigv4_result *out)
{
    struct tm tm;
    char scope[256];
    strbuf canon = {0}, signed_list = {0};
    pair *params_q = NULL;
    size_t nq = 0;
    char *path = NULL, *query = NULL;
    int rc = CFN_ENOMEM;
    bool token = creds->token && *creds->token && !params->omit_token;
    const char *payload = req->payload_hash ? req->payload_hash : SIGV4_EMPTY_SHA256;

    memset(out, 0, sizeof(*out));
    gmtime_r(&params->when, &tm);
    strftime(out->amz_date, sizeof(out->amz_date), "%Y%m%dT%H%M%SZ", &tm);
    snprintf(scope, sizeof(scope), "%.8s/%s/%s/aws4_request", out->amz_date, params->region,
             params->service);

    http_header extra[3];
    size_t nextra = 0;
    if (!query_mode) {
        extra[nextra++] = (http_header){"x-amz-date", out->amz_date};
        if (token)
            extra[nextra++] = (http_header){"x-amz-security-token", creds->token};
        if (params->sign_body)
            extra[nextra++] = (http_header){"x-amz-content-sha256", payload};
    }
    if (canonical_headers(req->headers, req->header_count, extra, nextra, &canon, &signed_list) < 0)
        goto done;
    if (parse_query(req->query, &params_q, &nq) < 0)
        goto done;
    if (query_mode) {
        char cred[512], expires[32];
        snprintf(cred, sizeof(cred), "%s/%s", creds->access_key, scope);
        snprintf(expires, sizeof(expires), "%ld", params->expires);
        const char *add[][2] = {{"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
                                {"X-Amz-Credential", cred},
                                {"X-Amz-Date", out->amz_date},
                                {"X-Amz-Expires", expires},
                                {"X-Amz-SignedHeaders", signed_list.data},
                                {"X-Amz-Security-Token", creds->token}};
        for (size_t i = 0; i < 6; i++) {
            if (i == 5 && !token)
                break;
            if (pair_add(&params_q, &nq, add[i][0], strlen(add[i][0]), add[i][1],
                         strlen(add[i][1])) < 0)
                goto done;
        }
    }
    path = canonical_path(params, req->path);
    query = join_pairs(params_q, nq);
    if (!path || !query)
        goto done;
    if (asprintf(&out->canonical_request, "%s\n%s\n%s\n%s\n%s\n%s", req->method, path, query,
                 canon.data, signed_list.data, payload) < 0) {
        out->canonical_request = NULL;
        goto done;
    }
    if (finish(creds, params, scope, out) < 0)
        goto done;
    if (query_mode) {
        char *enc_token = NULL;
        if (creds->token && *creds->token && params->omit_token &&
            !(enc_token = cfn__uri_encode(creds->token, strlen(creds->token), false)))
            goto done;
        int n = asprintf(&out->signed_query, "%s&X-Amz-Signature=%s%s%s", query, out->signature,
                         enc_token ? "&X-Amz-Security-Token=" : "", enc_token ? enc_token : "");
        free(enc_token);
        if (n < 0) {
            out->signed_query = NULL;
            goto done;
        }
    } else if (asprintf(&out->authorization,
                        "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s",
                        creds->access_key, scope, signed_list.data, out->signature) < 0) {
        out->authorization = NULL;
        goto done;
    }
    rc = 0;
done:
    if (rc < 0) {
        cfn__sigv4_result_free(out);
        cfn_error_set(rc, "out of memory signing a request");
    }
    free(canon.data);
    free(signed_list.data);
    pairs_free(params_q, nq);
    free(path);
    free(query);
    return rc;
}

int cfn__sigv4_sign_headers(const sigv4_creds *creds, const sigv4_params *params,
                            const sigv4_request *req, sigv4_result *out)
{
    return sign(creds, params, req, false, out);
}

int cfn__sigv4_sign_query(const sigv4_creds *creds, const sigv4_params *params,
                          const sigv4_request *req, sigv4_result *out)
{
    return sign(creds, params, req, true, out);
}

void cfn__sigv4_result_free(sigv4_result *r)
{
    free(r->canonical_request);
    free(r->string_to_sign);
    free(r->authorization);
    free(r->signed_query);
    r->canonical_request = r->string_to_sign = r->authorization = r->signed_query = NULL;
}
