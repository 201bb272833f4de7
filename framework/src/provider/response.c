/* Response bodies: the exact fields CloudFormation reads, fitted into 4096
 * bytes, with a Reason that cannot break stack events. */
#include "response.h"

#include "strbuf.h"

#include <cfnkit/error.h>
#include <cfnkit/response.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRUNCATED_MARKER " [truncated; the full reason is in the provider's log]"

/* Length of the valid UTF-8 sequence at p (1-4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        return (p[1] & 0xc0) == 0x80 ? 2 : 0;
    if (p[0] >= 0xe0 && p[0] <= 0xef) {
        if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
            return 0;
        if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0))
            return 0; /* overlong or a surrogate */
        return 3;
    }
    if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
            return 0;
        if ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
            return 0;
        return 4;
    }
    return 0;
}

bool cfn__utf8_valid(const char *s, bool controls)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t len = utf8_seq(p);
        if (len == 0)
            return false;
        if (!controls &&
            ((len == 1 && (*p < 0x20 || *p == 0x7f)) || (len == 2 && p[0] == 0xc2 && p[1] < 0xa0)))
            return false;
        p += len;
    }
    return true;
}

/* Whether v holds a string value that is not valid UTF-8 or a key that is
 * not valid UTF-8 or holds control characters, at any depth; `where` then
 * ends with its path (".Key" or ".Key[2]"), cleaned for display. */
static bool data_invalid(const cJSON *v, strbuf *where)
{
    if (cJSON_IsString(v) && v->valuestring && !cfn__utf8_valid(v->valuestring, true))
        return true;
    const cJSON *item;
    size_t i = 0;
    cJSON_ArrayForEach(item, v)
    {
        size_t mark = where->len;
        if (cJSON_IsObject(v) && item->string) {
            char *key = cfn__reason_clean(item->string);
            cfn__sb_printf(where, ".%s", key ? key : "?");
            free(key);
            if (!cfn__utf8_valid(item->string, false))
                return true;
        } else {
            cfn__sb_printf(where, "[%zu]", i);
        }
        if (data_invalid(item, where))
            return true;
        where->len = mark;
        if (where->data)
            where->data[mark] = '\0';
        i++;
    }
    return false;
}

int cfn__data_check(const cJSON *data, char **why)
{
    *why = NULL;
    if (!data)
        return 0;
    strbuf where = {0};
    cfn__sb_printf(&where, "Data");
    int bad = data_invalid(data, &where);
    if (bad && asprintf(why,
                        "response %s is not valid UTF-8 or its key holds control characters: "
                        "CloudFormation cannot read it",
                        where.data ? where.data : "Data") < 0)
        *why = NULL;
    free(where.data);
    return bad ? (*why ? CFN_EINVAL : CFN_ENOMEM) : 0;
}

char *cfn__reason_clean(const char *reason)
{
    if (!reason)
        return NULL;
    size_t n = strlen(reason);
    /* Each invalid byte may become U+FFFD (3 bytes). */
    char *out = malloc(n * 3 + 1);
    if (!out)
        return NULL;
    const unsigned char *p = (const unsigned char *)reason;
    size_t j = 0;
    while (*p) {
        size_t len = utf8_seq(p);
        if (len == 0) {
            memcpy(out + j, "\xef\xbf\xbd", 3);
            j += 3;
            p++;
        } else if (len == 1 && (*p < 0x20 || *p == 0x7f)) {
            /* Line breaks and tabs read as spaces; ESC and the rest go. */
            if ((*p == '\n' || *p == '\r' || *p == '\t') && j && out[j - 1] != ' ')
                out[j++] = ' ';
            p++;
        } else if (len == 2 && p[0] == 0xc2 && p[1] < 0xa0) {
            p += 2; /* C1 controls (U+0080-U+009F) */
        } else {
            memcpy(out + j, p, len);
            j += len;
            p += len;
        }
    }
    out[j] = '\0';
    return out;
}

/* Adds an id echoed from the request (or the module's physical id, already
 * checked by cfn_set_physical_id): a request's invalid bytes are replaced, so
 * the body stays JSON that CloudFormation parses. */
static bool add_id(cJSON *o, const char *name, const char *id)
{
    if (!id)
        id = "";
    if (cfn__utf8_valid(id, true))
        return cJSON_AddStringToObject(o, name, id) != NULL;
    char *clean = cfn__reason_clean(id);
    bool ok = clean && cJSON_AddStringToObject(o, name, clean);
    free(clean);
    return ok;
}

static char *render(const response_fields *f, const char *reason)
{
    cJSON *o = cJSON_CreateObject();
    char *s = NULL;
    if (!o)
        return NULL;
    if (!cJSON_AddStringToObject(o, "Status", f->success ? "SUCCESS" : "FAILED") ||
        (reason && !cJSON_AddStringToObject(o, "Reason", reason)) ||
        !add_id(o, "PhysicalResourceId", f->physical_id) || !add_id(o, "StackId", f->stack_id) ||
        !add_id(o, "RequestId", f->request_id) || !add_id(o, "LogicalResourceId", f->logical_id) ||
        !cJSON_AddBoolToObject(o, "NoEcho", f->noecho))
        goto done;
    if (f->data && cJSON_GetArraySize(f->data) > 0) {
        cJSON *d = cJSON_Duplicate(f->data, 1);
        if (!d || !cJSON_AddItemToObject(o, "Data", d)) {
            cJSON_Delete(d);
            goto done;
        }
    }
    s = cJSON_PrintUnformatted(o);
done:
    cJSON_Delete(o);
    return s;
}

/* The longest prefix of `reason` (cut on a UTF-8 boundary, marked) with which
 * the body fits; NULL when even an empty reason does not fit. */
static char *fit_reason(const response_fields *f, const char *reason, char **reason_out)
{
    size_t lo = 0, hi = strlen(reason);
    char *best = NULL, *best_reason = NULL;
    while (lo <= hi) {
        size_t mid = lo + (hi - lo) / 2;
        while (mid > 0 && ((unsigned char)reason[mid] & 0xc0) == 0x80)
            mid--;
        char *r = NULL;
        if (asprintf(&r, "%.*s%s", (int)mid, reason, TRUNCATED_MARKER) < 0)
            break;
        char *s = render(f, r);
        if (s && strlen(s) <= CFN_MAX_RESPONSE_BYTES) {
            free(best);
            free(best_reason);
            best = s;
            best_reason = r;
            lo = mid + 1;
            while (lo <= hi && ((unsigned char)reason[lo] & 0xc0) == 0x80)
                lo++;
        } else {
            free(s);
            free(r);
            if (mid == 0)
                break;
            hi = mid - 1;
        }
    }
    *reason_out = best_reason;
    return best;
}

int cfn__response_build(response_fields *f, char **body, size_t *len)
{
    char *reason = NULL, *short_reason = NULL, *s = NULL;
    int rc = CFN_ENOMEM;

    *body = NULL;
    *len = 0;
    if (!f->physical_id || !*f->physical_id) {
        rc = cfn_error_set(CFN_EINVAL, "response has no PhysicalResourceId");
        goto done;
    }
    if (f->data) {
        char *why = NULL;
        int bad = cfn__data_check(f->data, &why);
        if (bad == CFN_ENOMEM)
            goto done;
        if (bad) {
            free(f->built_reason);
            f->built_reason = why;
            f->success = false;
            f->data = NULL;
            f->reason = why;
        }
    }
    reason = cfn__reason_clean(f->reason);
    if (f->reason && !reason)
        goto done;
    s = render(f, reason);
    if (!s)
        goto done;
    if (strlen(s) > CFN_MAX_RESPONSE_BYTES && reason) {
        free(s);
        s = fit_reason(f, reason, &short_reason);
    }
    if ((!s || strlen(s) > CFN_MAX_RESPONSE_BYTES) && f->data && cJSON_GetArraySize(f->data) > 0) {
        char *full = render(f, NULL);
        char *why = NULL;
        if (asprintf(&why,
                     "response Data is too large: the response would be %zu bytes, "
                     "CloudFormation accepts at most %d",
                     full ? strlen(full) : (size_t)0, CFN_MAX_RESPONSE_BYTES) < 0)
            why = NULL;
        free(full);
        free(s);
        s = NULL;
        if (!why)
            goto done;
        free(f->built_reason);
        f->built_reason = why;
        f->success = false;
        f->data = NULL;
        f->reason = why;
        s = render(f, why);
    }
    if (!s || strlen(s) > CFN_MAX_RESPONSE_BYTES) {
        rc = cfn_error_set(CFN_EINVAL,
                           "response cannot fit in %d bytes: the request's ids are too long",
                           CFN_MAX_RESPONSE_BYTES);
        goto done;
    }
    if (!cfn__utf8_valid(s, true)) {
        /* Every string was checked or repaired above: this is our bug. */
        rc = cfn_error_set(CFN_EINVAL, "response body is not valid UTF-8");
        goto done;
    }
    *body = s;
    *len = strlen(s);
    s = NULL;
    rc = 0;
done:
    if (rc == CFN_ENOMEM)
        cfn_error_set(rc, "out of memory building the response");
    free(s);
    free(reason);
    free(short_reason);
    return rc;
}

void cfn__response_fields_clear(response_fields *f)
{
    if (f->reason == f->built_reason)
        f->reason = NULL;
    free(f->built_reason);
    f->built_reason = NULL;
}
