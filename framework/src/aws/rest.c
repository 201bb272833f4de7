/* The REST protocols, REST-JSON (Lambda, API Gateway, EFS) and REST-XML (S3,
 * Route 53, CloudFront), as the API model binds each input member: into
 * the URL's path ("{Name}", "{Key+}" keeping slashes), the query string,
 * headers (one, or a map under a prefix), or the body (a payload member, or
 * the unbound members as a JSON object or an XML document); and the answer
 * read back from the body, headers and status code the same way. */
#include "client.h"
#include "model.h"
#include "s3_bucket.h"
#include "xml_json.h"

#include "strbuf.h"
#include "uri.h"
#include "xml.h"

#include <openssl/evp.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_HEADERS 16

typedef struct request {
    const aws_op *op;
    bool xml;
    strbuf path, query, body;
    char *bucket; /* S3: "{Bucket}", placed in the host or the path */
    http_header headers[MAX_HEADERS];
    char *owned[MAX_HEADERS * 2];
    size_t nheaders, nowned;
    bool has_body;
} request;

static const char *type_of(const cJSON *shape)
{
    const char *t = cfn__aws_str(shape, "t");
    return t ? t : "";
}

static const char *svc_name(const request *r)
{
    return r->op->m->entry->svc.name;
}

static int oom(void)
{
    return cfn_error_set(CFN_ENOMEM, "out of memory");
}

static int add_query(request *r, const char *key, const char *value)
{
    char *k = cfn__uri_encode(key, strlen(key), false);
    char *v = cfn__uri_encode(value, strlen(value), false);
    int rc =
        k && v ? cfn__sb_printf(&r->query, "%s%s=%s", r->query.len ? "&" : "", k, v) : CFN_ENOMEM;
    free(k);
    free(v);
    return rc < 0 ? oom() : 0;
}

/* A header from the input goes on the wire as one line: a line break in its
 * value (or a name that is not a token) would add headers of its own. */
static const char *header_problem(const char *name, const char *value)
{
    if (!*name)
        return "has an empty name";
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (!isalnum(*p) && !strchr("!#$%&'*+-.^_`|~", *p))
            return "has a name that is not an HTTP token";
    for (const unsigned char *p = (const unsigned char *)value; *p; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            return "holds a control character (a line break would start another header)";
    return NULL;
}

static int add_header(request *r, const char *name, char *value)
{
    const char *problem = value ? header_problem(name, value) : NULL;
    if (problem) {
        free(value);
        return cfn_error_set(CFN_EINVAL, "%s %s: header %.100s %s", svc_name(r), r->op->name, name,
                             problem);
    }
    char *n = cfn__strdup(name);
    if (!n || !value || r->nheaders >= MAX_HEADERS - 2) {
        free(n);
        free(value);
        return r->nheaders >= MAX_HEADERS - 2
                   ? cfn_error_set(CFN_EINVAL, "%s %s: too many headers", svc_name(r), r->op->name)
                   : oom();
    }
    r->owned[r->nowned++] = n;
    r->owned[r->nowned++] = value;
    r->headers[r->nheaders++] = (http_header){n, value};
    return 0;
}

/* A "." or ".." segment could reach another resource once a client or
 * server resolves it. */
static bool dot_segment(const char *s, bool greedy)
{
    for (;;) {
        size_t n = greedy ? strcspn(s, "/") : strlen(s);
        if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
            return true;
        if (!s[n])
            return false;
        s += n + 1;
    }
}

/* The input member bound to "{label}" of the URL. */
static const cJSON *uri_member(const aws_op *op, const char *label)
{
    const cJSON *members = cJSON_GetObjectItemCaseSensitive(op->input, "m");
    for (const cJSON *ref = members ? members->child : NULL; ref; ref = ref->next) {
        const char *n = cfn__aws_str(ref, "n"), *l = cfn__aws_str(ref, "l");
        if (n && strcmp(n, "uri") == 0 && strcmp(l ? l : ref->string, label) == 0)
            return ref;
    }
    return NULL;
}

static int build_path(request *r, const cJSON *input)
{
    const char *uri = r->op->uri ? r->op->uri : "/";
    size_t plen = strcspn(uri, "?");
    bool s3 = strcmp(r->op->m->entry->svc.signing, "s3") == 0;
    for (const char *p = uri; p < uri + plen;) {
        if (*p != '{') {
            size_t n = strcspn(p, "{?");
            if (cfn__sb_append(&r->path, p, n) < 0)
                return oom();
            p += n;
            continue;
        }
        size_t n = strcspn(p + 1, "}");
        char label[128];
        snprintf(label, sizeof(label), "%.*s", (int)n, p + 1);
        p += n + 2;
        bool greedy = n && label[n - 1] == '+';
        if (greedy)
            label[n - 1] = '\0';
        const cJSON *ref = uri_member(r->op, label);
        const char *member = ref ? ref->string : label;
        char *v = cfn__aws_scalar_text(cfn__aws_ref_shape(r->op->m, ref),
                                       cJSON_GetObjectItemCaseSensitive(input, member), "iso8601");
        if (!v || !*v) {
            free(v);
            return cfn_error_set(CFN_EINVAL, "%s %s: %s is required", svc_name(r), r->op->name,
                                 member);
        }
        if (s3 && strcmp(label, "Bucket") == 0 && r->path.len == 1 && !r->bucket) {
            const char *problem = cfn__s3_bucket_problem(v);
            if (problem) {
                int rc =
                    cfn_error_set(CFN_EINVAL, "S3: invalid bucket name \"%.100s\": %s", v, problem);
                free(v);
                return rc;
            }
            /* The bucket goes in the host or the path (cfn__aws_send). */
            r->bucket = v;
            r->path.len = 0;
            if (*p == '/')
                p++;
            if (cfn__sb_append(&r->path, "/", 1) < 0)
                return oom();
            continue;
        }
        if (dot_segment(v, greedy)) {
            int rc = greedy ? cfn_error_set(CFN_EINVAL,
                                            "%s %s: %s \"%.200s\" has a \".\" or \"..\" path "
                                            "segment, which could reach another resource",
                                            svc_name(r), r->op->name, member, v)
                            : cfn_error_set(CFN_EINVAL, "%s %s: %s cannot be \"%s\"", svc_name(r),
                                            r->op->name, member, v);
            free(v);
            return rc;
        }
        char *enc = cfn__uri_encode(v, strlen(v), greedy);
        free(v);
        if (!enc || cfn__sb_append(&r->path, enc, strlen(enc)) < 0) {
            free(enc);
            return oom();
        }
        free(enc);
    }
    if (!r->path.len && cfn__sb_append(&r->path, "/", 1) < 0)
        return oom();
    /* Literal query parameters of the URL template ("?tagging", "?uploads"). */
    for (const char *q = uri[plen] ? uri + plen + 1 : ""; *q;) {
        size_t n = strcspn(q, "&");
        char item[128];
        snprintf(item, sizeof(item), "%.*s", (int)n, q);
        char *eq = strchr(item, '=');
        if (eq)
            *eq = '\0';
        int rc = add_query(r, item, eq ? eq + 1 : "");
        if (rc < 0)
            return rc;
        q += n + (q[n] == '&');
    }
    return 0;
}

static int bind_query(request *r, const char *name, const cJSON *shape, const cJSON *v)
{
    const char *t = type_of(shape);
    int rc = 0;
    if (strcmp(t, "list") == 0) {
        const cJSON *mshape =
            cfn__aws_ref_shape(r->op->m, cJSON_GetObjectItemCaseSensitive(shape, "m"));
        for (const cJSON *it = v->child; it && rc == 0; it = it->next)
            rc = bind_query(r, name, mshape, it);
        return rc;
    }
    if (strcmp(t, "map") == 0) {
        const cJSON *vshape =
            cfn__aws_ref_shape(r->op->m, cJSON_GetObjectItemCaseSensitive(shape, "v"));
        for (const cJSON *it = v->child; it && rc == 0; it = it->next)
            rc = bind_query(r, it->string, vshape, it);
        return rc;
    }
    char *text = cfn__aws_scalar_text(shape, v, "iso8601");
    rc = text ? add_query(r, name, text) : oom();
    free(text);
    return rc;
}

static int bind_header(request *r, const char *name, const cJSON *shape, const cJSON *v,
                       bool prefix_map)
{
    if (prefix_map) {
        const cJSON *vshape =
            cfn__aws_ref_shape(r->op->m, cJSON_GetObjectItemCaseSensitive(shape, "v"));
        for (const cJSON *it = v->child; it; it = it->next) {
            char full[256];
            snprintf(full, sizeof(full), "%s%s", name, it->string);
            int rc = bind_header(r, full, vshape, it, false);
            if (rc < 0)
                return rc;
        }
        return 0;
    }
    if (strcmp(type_of(shape), "list") == 0) {
        strbuf joined = {0};
        const cJSON *mshape =
            cfn__aws_ref_shape(r->op->m, cJSON_GetObjectItemCaseSensitive(shape, "m"));
        for (const cJSON *it = v->child; it; it = it->next) {
            char *t = cfn__aws_scalar_text(mshape, it, "rfc822");
            if (!t || cfn__sb_printf(&joined, "%s%s", joined.len ? "," : "", t) < 0) {
                free(t);
                free(joined.data);
                return oom();
            }
            free(t);
        }
        return add_header(r, name, joined.data ? joined.data : cfn__strdup(""));
    }
    return add_header(r, name, cfn__aws_scalar_text(shape, v, "rfc822"));
}

/* XML: text with the five special characters escaped. */
static int xml_escaped(strbuf *b, const char *s)
{
    for (; *s; s++) {
        const char *e = *s == '&'    ? "&amp;"
                        : *s == '<'  ? "&lt;"
                        : *s == '>'  ? "&gt;"
                        : *s == '"'  ? "&quot;"
                        : *s == '\r' ? "&#13;"
                                     : NULL;
        if (e ? cfn__sb_append(b, e, strlen(e)) < 0 : cfn__sb_append(b, s, 1) < 0)
            return CFN_ENOMEM;
    }
    return 0;
}

static int xml_value(request *r, strbuf *b, const char *name, const cJSON *shape, const cJSON *ref,
                     const cJSON *v);

static int xml_open(strbuf *b, const char *name, const cJSON *ns_src, const cJSON *ns_src2)
{
    const char *uri =
        cfn__aws_str(ns_src, "x") ? cfn__aws_str(ns_src, "x") : cfn__aws_str(ns_src2, "x");
    const char *prefix =
        cfn__aws_str(ns_src, "x") ? cfn__aws_str(ns_src, "xp") : cfn__aws_str(ns_src2, "xp");
    if (cfn__sb_printf(b, "<%s", name) < 0)
        return CFN_ENOMEM;
    if (uri && (cfn__sb_printf(b, " xmlns%s%s=\"", prefix ? ":" : "", prefix ? prefix : "") < 0 ||
                xml_escaped(b, uri) < 0 || cfn__sb_append(b, "\"", 1) < 0))
        return CFN_ENOMEM;
    return 0;
}

static int xml_structure(request *r, strbuf *b, const char *name, const cJSON *shape,
                         const cJSON *ref, const cJSON *v)
{
    const cJSON *members = cJSON_GetObjectItemCaseSensitive(shape, "m");
    if (xml_open(b, name, ref, shape) < 0)
        return CFN_ENOMEM;
    for (const cJSON *it = v->child; it; it = it->next) {
        const cJSON *mref = cJSON_GetObjectItemCaseSensitive(members, it->string);
        if (!cfn__aws_flag(mref, "a"))
            continue;
        const char *an = cfn__aws_str(mref, "l") ? cfn__aws_str(mref, "l") : it->string;
        const char *colon = strchr(an, ':');
        if (colon && cfn__aws_str(mref, "x") &&
            (cfn__sb_printf(b, " xmlns:%.*s=\"%s\"", (int)(colon - an), an,
                            cfn__aws_str(mref, "x")) < 0))
            return CFN_ENOMEM;
        char *t = cfn__aws_scalar_text(cfn__aws_ref_shape(r->op->m, mref), it, "iso8601");
        int rc = t && cfn__sb_printf(b, " %s=\"", an) == 0 && xml_escaped(b, t) == 0 &&
                         cfn__sb_append(b, "\"", 1) == 0
                     ? 0
                     : CFN_ENOMEM;
        free(t);
        if (rc < 0)
            return rc;
    }
    if (cfn__sb_append(b, ">", 1) < 0)
        return CFN_ENOMEM;
    for (const cJSON *it = v->child; it; it = it->next) {
        const cJSON *mref = cJSON_GetObjectItemCaseSensitive(members, it->string);
        if (cfn__aws_flag(mref, "a") || cfn__aws_str(mref, "n"))
            continue;
        const char *mn = cfn__aws_str(mref, "l") ? cfn__aws_str(mref, "l") : it->string;
        int rc = xml_value(r, b, mn, cfn__aws_ref_shape(r->op->m, mref), mref, it);
        if (rc < 0)
            return rc;
    }
    return cfn__sb_printf(b, "</%s>", name);
}

static int xml_value(request *r, strbuf *b, const char *name, const cJSON *shape, const cJSON *ref,
                     const cJSON *v)
{
    const char *t = type_of(shape);
    int rc = 0;
    if (strcmp(t, "structure") == 0)
        return xml_structure(r, b, name, shape, ref, v);
    if (strcmp(t, "list") == 0) {
        const cJSON *mref = cJSON_GetObjectItemCaseSensitive(shape, "m");
        const cJSON *mshape = cfn__aws_ref_shape(r->op->m, mref);
        bool flat = cfn__aws_flag(shape, "f") || cfn__aws_flag(ref, "f");
        const char *item = flat                      ? name
                           : cfn__aws_str(mref, "l") ? cfn__aws_str(mref, "l")
                                                     : "member";
        if (!flat && cfn__sb_printf(b, "<%s>", name) < 0)
            return CFN_ENOMEM;
        for (const cJSON *it = v->child; it && rc == 0; it = it->next)
            rc = xml_value(r, b, item, mshape, mref, it);
        return rc < 0 || flat ? rc : cfn__sb_printf(b, "</%s>", name);
    }
    if (strcmp(t, "map") == 0) {
        const cJSON *kref = cJSON_GetObjectItemCaseSensitive(shape, "k");
        const cJSON *vref = cJSON_GetObjectItemCaseSensitive(shape, "v");
        const char *kn = cfn__aws_str(kref, "l") ? cfn__aws_str(kref, "l") : "key";
        const char *vn = cfn__aws_str(vref, "l") ? cfn__aws_str(vref, "l") : "value";
        if (cfn__sb_printf(b, "<%s>", name) < 0)
            return CFN_ENOMEM;
        for (const cJSON *it = v->child; it && rc == 0; it = it->next) {
            if (cfn__sb_printf(b, "<entry><%s>", kn) < 0 || xml_escaped(b, it->string) < 0 ||
                cfn__sb_printf(b, "</%s>", kn) < 0)
                return CFN_ENOMEM;
            rc = xml_value(r, b, vn, cfn__aws_ref_shape(r->op->m, vref), vref, it);
            if (rc == 0 && cfn__sb_append(b, "</entry>", 8) < 0)
                rc = cfn_error_set(CFN_ENOMEM, "out of memory building the request");
        }
        return rc < 0 ? rc : cfn__sb_printf(b, "</%s>", name);
    }
    char *text = cfn__aws_scalar_text(shape, v, "iso8601");
    rc = text && cfn__sb_printf(b, "<%s>", name) == 0 && xml_escaped(b, text) == 0 &&
                 cfn__sb_printf(b, "</%s>", name) == 0
             ? 0
             : CFN_ENOMEM;
    free(text);
    return rc;
}

/* The body as JSON (the members given, wire names, timestamps as numbers). */
static int json_body(request *r, const cJSON *shape, const cJSON *v)
{
    cJSON *wire = cJSON_Duplicate(v, 1);
    char *text = NULL;
    if (!wire || cfn__aws_json_in(r->op->m, shape, wire) < 0 ||
        !(text = cJSON_PrintUnformatted(wire))) {
        cJSON_Delete(wire);
        return oom();
    }
    cJSON_Delete(wire);
    int rc = cfn__sb_append(&r->body, text, strlen(text));
    free(text);
    r->has_body = true;
    return rc < 0 ? oom() : 0;
}

static int bind(request *r, const cJSON *input)
{
    const aws_op *op = r->op;
    const cJSON *members = cJSON_GetObjectItemCaseSensitive(op->input, "m");
    const char *payload = cfn__aws_str(op->input, "p");
    cJSON *rest = cJSON_CreateObject();
    bool body_members = false;
    int rc = rest ? build_path(r, input) : oom();
    for (const cJSON *ref = members ? members->child : NULL; rc == 0 && ref; ref = ref->next) {
        const char *n = cfn__aws_str(ref, "n"), *l = cfn__aws_str(ref, "l");
        const cJSON *shape = cfn__aws_ref_shape(op->m, ref);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(input, ref->string);
        bool is_payload = payload && strcmp(payload, ref->string) == 0;
        if (!n && !is_payload)
            body_members = true;
        if (!v || (n && strcmp(n, "uri") == 0))
            continue;
        if (n && strcmp(n, "querystring") == 0)
            rc = strcmp(type_of(shape), "map") == 0 ? bind_query(r, NULL, shape, v)
                                                    : bind_query(r, l ? l : ref->string, shape, v);
        else if (n && strcmp(n, "header") == 0)
            rc = bind_header(r, l ? l : ref->string, shape, v, false);
        else if (n && strcmp(n, "headers") == 0)
            rc = bind_header(r, l ? l : "", shape, v, true);
        else if (is_payload) {
            const char *t = type_of(shape);
            if (strcmp(t, "structure") != 0) {
                /* A blob or string payload goes as it is: the text given. */
                char *text = cfn__aws_scalar_text(shape, v, "iso8601");
                rc = text && cfn__sb_append(&r->body, text, strlen(text)) == 0 ? 0 : oom();
                free(text);
                r->has_body = true;
            } else if (r->xml) {
                const char *root = l                          ? l
                                   : cfn__aws_str(shape, "l") ? cfn__aws_str(shape, "l")
                                                              : ref->string;
                rc = xml_value(r, &r->body, root, shape, ref, v) < 0 ? oom() : 0;
                r->has_body = true;
            } else {
                rc = json_body(r, shape, v);
            }
        } else if (!n) {
            cJSON *copy = cJSON_Duplicate(v, 1);
            if (!copy || !cJSON_AddItemToObject(rest, ref->string, copy)) {
                cJSON_Delete(copy);
                rc = oom();
            }
        }
    }
    if (rc == 0 && !payload && rest->child) {
        if (r->xml) {
            const char *root =
                cfn__aws_str(op->input, "l") ? cfn__aws_str(op->input, "l") : op->input->string;
            rc = xml_structure(r, &r->body, root, op->input, NULL, rest) < 0 ? oom() : 0;
            r->has_body = true;
        } else {
            rc = json_body(r, op->input, rest);
        }
    } else if (rc == 0 && !payload && body_members && !r->xml) {
        rc = json_body(r, op->input, rest); /* "{}", as the SDKs send */
    }
    cJSON_Delete(rest);
    return rc;
}

/* Response headers under `prefix` as a map (S3's x-amz-meta-*). */
static int prefixed_headers(const http_response *res, const char *prefix, cJSON *map)
{
    size_t pl = strlen(prefix);
    for (const char *line = res->headers; line && *line;) {
        size_t n = strcspn(line, "\r\n");
        const char *colon = memchr(line, ':', n);
        if (colon && (size_t)(colon - line) > pl && strncasecmp(line, prefix, pl) == 0) {
            char name[256], value[2048];
            const char *v = colon + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            snprintf(name, sizeof(name), "%.*s", (int)(colon - line - (long)pl), line + pl);
            snprintf(value, sizeof(value), "%.*s", (int)(line + n - v), v);
            for (char *c = name; *c; c++)
                *c = (char)tolower((unsigned char)*c);
            if (!cJSON_AddStringToObject(map, name, value))
                return CFN_ENOMEM;
        }
        line += n;
        line += strspn(line, "\r\n");
    }
    return 0;
}

static int read_body(const aws_op *op, bool xml, const cJSON *shape, const http_response *res,
                     cJSON **out)
{
    const char *b = res->body ? res->body : "";
    size_t n = res->body_len;
    while (n && isspace((unsigned char)*b)) {
        b++;
        n--;
    }
    if (!n) {
        *out = cJSON_CreateObject();
        return *out ? 0 : oom();
    }
    if (!xml) {
        *out = cJSON_ParseWithLength(b, n);
        if (!*out || !cJSON_IsObject(*out)) {
            cJSON_Delete(*out);
            *out = NULL;
            return cfn_error_set(CFN_ERROR, "%s %s: the answer is not a JSON object",
                                 op->m->entry->svc.name, op->name);
        }
        return cfn__aws_json_out(op->m, shape, *out);
    }
    xml_node *root;
    if (cfn__xml_parse(b, n, &root) < 0) {
        char why[512];
        snprintf(why, sizeof(why), "%s", cfn_error_last());
        return cfn_error_set(CFN_ERROR, "%s %s: %s", op->m->entry->svc.name, op->name, why);
    }
    int rc = cfn__aws_xml_read(op->m, shape, root, out);
    cfn__xml_free(root);
    return rc;
}

/* S3's GetBucketLocation answers <LocationConstraint>REGION</...> as the
 * document itself, empty for us-east-1: the SDKs give the text, or null. */
static int bucket_location(const http_response *res, cJSON **out)
{
    char *region = cfn__xml_text(res->body, res->body_len, "LocationConstraint");
    *out = cJSON_CreateObject();
    cJSON *v = region && *region ? cJSON_CreateString(region) : cJSON_CreateNull();
    free(region);
    if (!*out || !v || !cJSON_AddItemToObject(*out, "LocationConstraint", v)) {
        cJSON_Delete(v);
        cJSON_Delete(*out);
        *out = NULL;
        return oom();
    }
    return 0;
}

static int read_answer(const aws_op *op, bool xml, const http_response *res, cJSON **out)
{
    if (strcmp(op->m->entry->cli, "s3") == 0 && strcmp(op->name, "GetBucketLocation") == 0)
        return bucket_location(res, out);
    const cJSON *members = cJSON_GetObjectItemCaseSensitive(op->output, "m");
    const char *payload = cfn__aws_str(op->output, "p");
    cJSON *o = NULL;
    int rc = 0;
    if (!op->output) {
        *out = cJSON_CreateObject();
        return *out ? 0 : oom();
    }
    if (!payload) {
        if ((rc = read_body(op, xml, op->output, res, &o)) < 0)
            return rc;
    } else if (!(o = cJSON_CreateObject())) {
        return oom();
    }
    for (const cJSON *ref = members ? members->child : NULL; rc == 0 && ref; ref = ref->next) {
        const char *n = cfn__aws_str(ref, "n"), *l = cfn__aws_str(ref, "l");
        const cJSON *shape = cfn__aws_ref_shape(op->m, ref);
        cJSON *v = NULL;
        if (payload && strcmp(payload, ref->string) == 0) {
            if (strcmp(type_of(shape), "structure") == 0 || strcmp(type_of(shape), "list") == 0)
                rc = read_body(op, xml, shape, res, &v);
            else if (res->body_len)
                v = cJSON_CreateString(res->body);
        } else if (n && strcmp(n, "statusCode") == 0) {
            v = cJSON_CreateNumber((double)res->status);
        } else if (n && strcmp(n, "header") == 0) {
            char value[4096];
            if (cfn__http_response_header(res, l ? l : ref->string, value, sizeof(value)))
                rc = cfn__aws_xml_scalar(shape, value, &v);
        } else if (n && strcmp(n, "headers") == 0) {
            rc = (v = cJSON_CreateObject()) ? prefixed_headers(res, l ? l : "", v) : CFN_ENOMEM;
            if (rc == 0 && !v->child) {
                cJSON_Delete(v);
                v = NULL;
            }
        } else {
            continue;
        }
        if (rc == 0 && v && !cJSON_AddItemToObject(o, ref->string, v)) {
            cJSON_Delete(v);
            rc = cfn_error_set(CFN_ENOMEM, "out of memory reading the answer");
        }
    }
    if (rc < 0) {
        cJSON_Delete(o);
        return rc == CFN_ENOMEM ? oom() : rc;
    }
    *out = o;
    return 0;
}

/* Route 53 answers ids as "/hostedzone/Z1" and takes "Z1": the SDKs keep
 * the last part of the id members of an input, so both spellings work. */
static cJSON *route53_ids(const aws_op *op, const cJSON *input)
{
    cJSON *copy = cJSON_Duplicate(input, 1);
    const cJSON *members = cJSON_GetObjectItemCaseSensitive(op->input, "m");
    for (cJSON *it = copy ? copy->child : NULL; it; it = it->next) {
        const char *shape =
            cfn__aws_str(cJSON_GetObjectItemCaseSensitive(members, it->string), "s");
        const char *slash = cJSON_IsString(it) ? strrchr(it->valuestring, '/') : NULL;
        if (slash && shape &&
            (strcmp(shape, "ResourceId") == 0 || strcmp(shape, "DelegationSetId") == 0 ||
             strcmp(shape, "ChangeId") == 0))
            memmove(it->valuestring, slash + 1, strlen(slash + 1) + 1);
    }
    return copy;
}

int cfn__aws_rest_call(cfn_aws *aws, const aws_op *op, const cJSON *input, cJSON **output)
{
    const aws_model_entry *e = op->m->entry;
    request r = {.op = op, .xml = e->protocol == AWS_PROTO_REST_XML};
    cJSON empty = {.type = cJSON_Object};
    cJSON *fixed = NULL;
    if (input && strcmp(e->cli, "route53") == 0 && !(input = fixed = route53_ids(op, input)))
        return oom();
    int rc = bind(&r, input ? input : &empty);
    if (rc == 0 && r.has_body && !r.xml) {
        bool typed = false;
        for (size_t i = 0; i < r.nheaders; i++)
            typed |= strcasecmp(r.headers[i].name, "Content-Type") == 0;
        if (!typed)
            rc = add_header(&r, "Content-Type", cfn__strdup("application/json"));
    }
    if (rc == 0 && op->checksum) {
        unsigned char md5[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        char *b64 = malloc(32);
        if (!b64 ||
            !EVP_Digest(r.body.data ? r.body.data : "", r.body.len, md5, &n, EVP_md5(), NULL)) {
            free(b64);
            rc = oom();
        } else {
            EVP_EncodeBlock((unsigned char *)b64, md5, (int)n);
            rc = add_header(&r, "Content-MD5", b64);
        }
    }
    if (rc == 0) {
        aws_call call = {.svc = &e->svc,
                         .operation = op->name,
                         .method = op->method,
                         .bucket = r.bucket,
                         .path = r.path.data,
                         .query = r.query.len ? r.query.data : NULL,
                         .nheaders = r.nheaders,
                         .body = r.has_body ? (r.body.data ? r.body.data : "") : NULL,
                         .body_len = r.body.len};
        memcpy(call.headers, r.headers, r.nheaders * sizeof(r.headers[0]));
        http_response res;
        rc = cfn__aws_send(aws, &call, &res);
        if (rc == 0 && output)
            rc = read_answer(op, r.xml, &res, output);
        cfn__http_response_free(&res);
    }
    for (size_t i = 0; i < r.nowned; i++)
        free(r.owned[i]);
    free(r.path.data);
    free(r.query.data);
    free(r.body.data);
    free(r.bucket);
    cJSON_Delete(fixed);
    return rc;
}

int cfn_lambda(cfn_aws *aws, const char *operation, const cJSON *input, cJSON **output)
{
    return cfn_aws_call(aws, "lambda", operation, input, output);
}

int cfn_apigateway(cfn_aws *aws, const char *operation, const cJSON *input, cJSON **output)
{
    return cfn_aws_call(aws, "apigateway", operation, input, output);
}
