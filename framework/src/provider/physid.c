/* Physical id rules: generated ids and the marker of a failed Create. */
#include "physid.h"

#include "digest.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Like CloudFormation's own ids: 13 characters of base32 from a hash of the
 * stack, the logical id and the request id. A hash rather than a random draw
 * so that a request delivered twice gets the same id, and nothing unstable
 * (a log stream, a time) ever takes part. */
static void suffix(const request *req, char out[14])
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    unsigned char md[32];
    const char *parts[] = {req->stack_id, req->logical_id, req->request_id};
    cfn__sha256_parts(parts, 3, md);
    uint64_t bits = 0;
    for (int i = 0; i < 8; i++)
        bits = bits << 8 | md[i];
    for (int i = 0; i < 13; i++) {
        out[i] = alphabet[bits & 31];
        bits >>= 5;
        if (i == 11)
            bits |= md[8];
    }
    out[13] = '\0';
}

char *cfn__physid_generate(const request *req)
{
    char sfx[14];
    char *id = NULL;
    suffix(req, sfx);
    /* Stack names are at most 128 characters and logical ids 255, so this stays
     * far below the 1 KB limit; the precision caps it for hand-made requests. */
    const char *stack = req->stack_name[0] ? req->stack_name : "stack";
    if (asprintf(&id, "%.128s-%.255s-%s", stack, req->logical_id ? req->logical_id : "resource",
                 sfx) < 0)
        return NULL;
    return id;
}

char *cfn__physid_failed_create(const request *req)
{
    char *id = NULL;
    bool logical = req->logical_id && *req->logical_id;
    if (asprintf(&id, "%s%.255s%s%.200s", CFN_FAILED_CREATE_PREFIX, logical ? req->logical_id : "",
                 logical ? "-" : "",
                 req->request_id && *req->request_id ? req->request_id : "unknown-request") < 0)
        return NULL;
    return id;
}

/* Whether `a` has the shape of the RequestId `b`: the same length, dashes in
 * the same places, letters and digits elsewhere (CloudFormation's are UUIDs). */
static bool same_shape(const char *a, const char *b)
{
    if (!b || strlen(a) != strlen(b) || !*a)
        return false;
    for (; *a; a++, b++)
        if ((*a == '-') != (*b == '-') || (*a != '-' && !isalnum((unsigned char)*a)))
            return false;
    return true;
}

const char *cfn__physid_failed_create_request(const request *req, const char *id)
{
    size_t n = strlen(CFN_FAILED_CREATE_PREFIX);
    if (!id || strncmp(id, CFN_FAILED_CREATE_PREFIX, n) != 0)
        return NULL;
    id += n;
    if (req->logical_id && *req->logical_id) {
        size_t l = strlen(req->logical_id);
        if (strncmp(id, req->logical_id, l) != 0 || id[l] != '-')
            return NULL;
        id += l + 1;
    }
    return same_shape(id, req->request_id) ? id : NULL;
}

bool cfn__physid_is_failed_create(const request *req, const char *id)
{
    return cfn__physid_failed_create_request(req, id) != NULL;
}

bool cfn__physid_reserved(const char *id)
{
    return strncmp(id, CFN_FAILED_CREATE_PREFIX, strlen(CFN_FAILED_CREATE_PREFIX)) == 0;
}
