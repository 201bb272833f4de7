/* XML answers (query, EC2 and REST-XML protocols) read into the JSON the
 * AWS CLI prints, guided by the output shape as botocore's XML parsers read
 * them: a structure's members are the child elements named by their
 * locationName (or member name); a list is the children of its element, or,
 * flattened, the repeated elements themselves; a map is <entry><key/><value/>
 * elements (flattened: repeated); scalars are typed from the text
 * (timestamps printed as ISO 8601, blobs left in base64). Elements the model
 * does not name are left out. IAM's policy documents (policyDocumentType),
 * URL-encoded JSON on the wire, are decoded into JSON as the SDKs do. */
#include "xml_json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *type_of(const cJSON *shape)
{
    const char *t = cfn__aws_str(shape, "t");
    return t ? t : "";
}

static int read_node(const aws_model *m, const cJSON *shape, const cJSON *ref, const xml_node *node,
                     const char *name, cJSON **out);

/* The name of the elements holding member `ref` (named `member`) in its
 * structure: a flattened list's elements are named by its member. */
static const char *element_name(const aws_model *m, const cJSON *ref, const char *member)
{
    const cJSON *shape = cfn__aws_ref_shape(m, ref);
    if (strcmp(type_of(shape), "list") == 0 &&
        (cfn__aws_flag(ref, "f") || cfn__aws_flag(shape, "f"))) {
        const char *l = cfn__aws_str(cJSON_GetObjectItemCaseSensitive(shape, "m"), "l");
        if (l)
            return l;
    }
    const char *l = cfn__aws_str(ref, "l");
    return l ? l : member;
}

static const xml_node *first_named(const xml_node *parent, const char *name)
{
    for (const xml_node *c = parent->child; c; c = c->next)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

static int structure(const aws_model *m, const cJSON *shape, const xml_node *node, cJSON **out)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return CFN_ENOMEM;
    const cJSON *members = cJSON_GetObjectItemCaseSensitive(shape, "m");
    for (const cJSON *ref = members ? members->child : NULL; ref; ref = ref->next) {
        if (cfn__aws_str(ref, "n"))
            continue; /* headers, status code: not in the body */
        const char *name = element_name(m, ref, ref->string);
        cJSON *v = NULL;
        int rc = 0;
        if (cfn__aws_flag(ref, "a")) {
            for (size_t i = 0; i < node->nattrs; i++)
                if (strcmp(node->attrs[i].name, name) == 0 &&
                    !(v = cJSON_CreateString(node->attrs[i].value)))
                    rc = CFN_ENOMEM;
        } else {
            const xml_node *c = first_named(node, name);
            if (c)
                rc = read_node(m, cfn__aws_ref_shape(m, ref), ref, c, name, &v);
        }
        if (rc < 0) {
            cJSON_Delete(o);
            return rc;
        }
        if (v && !cJSON_AddItemToObject(o, ref->string, v)) {
            cJSON_Delete(v);
            cJSON_Delete(o);
            return CFN_ENOMEM;
        }
    }
    *out = o;
    return 0;
}

/* The items of a list or map: the children of `node`, or, flattened, `node`
 * and its following siblings of the same name. */
static const xml_node *items(const xml_node *node, bool flat)
{
    return flat ? node : node->child;
}

static const xml_node *next_item(const xml_node *item, bool flat, const char *name)
{
    if (!flat)
        return item->next;
    for (item = item->next; item; item = item->next)
        if (strcmp(item->name, name) == 0)
            return item;
    return NULL;
}

static int list(const aws_model *m, const cJSON *shape, bool flat, const xml_node *node,
                const char *name, cJSON **out)
{
    const cJSON *mref = cJSON_GetObjectItemCaseSensitive(shape, "m");
    const cJSON *mshape = cfn__aws_ref_shape(m, mref);
    cJSON *a = cJSON_CreateArray();
    if (!a)
        return CFN_ENOMEM;
    for (const xml_node *it = items(node, flat); it; it = next_item(it, flat, name)) {
        cJSON *v = NULL;
        int rc = read_node(m, mshape, mref, it, it->name, &v);
        if (rc < 0 || (v && !cJSON_AddItemToArray(a, v))) {
            cJSON_Delete(v);
            cJSON_Delete(a);
            return rc < 0 ? rc : CFN_ENOMEM;
        }
    }
    *out = a;
    return 0;
}

static int map(const aws_model *m, const cJSON *shape, bool flat, const xml_node *node,
               const char *name, cJSON **out)
{
    const cJSON *kref = cJSON_GetObjectItemCaseSensitive(shape, "k");
    const cJSON *vref = cJSON_GetObjectItemCaseSensitive(shape, "v");
    const char *kname = cfn__aws_str(kref, "l") ? cfn__aws_str(kref, "l") : "key";
    const char *vname = cfn__aws_str(vref, "l") ? cfn__aws_str(vref, "l") : "value";
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return CFN_ENOMEM;
    for (const xml_node *it = items(node, flat); it; it = next_item(it, flat, name)) {
        const xml_node *k = first_named(it, kname), *vn = first_named(it, vname);
        cJSON *v = NULL;
        int rc = 0;
        if (!k)
            continue;
        if (vn)
            rc = read_node(m, cfn__aws_ref_shape(m, vref), vref, vn, vname, &v);
        else
            v = cJSON_CreateNull();
        if (rc < 0 || !v) {
            cJSON_Delete(o);
            return rc < 0 ? rc : CFN_ENOMEM;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(o, k->text);
        if (!cJSON_AddItemToObject(o, k->text, v)) {
            cJSON_Delete(v);
            cJSON_Delete(o);
            return CFN_ENOMEM;
        }
    }
    *out = o;
    return 0;
}

int cfn__aws_xml_scalar(const cJSON *shape, const char *text, cJSON **out)
{
    const char *t = type_of(shape);
    char *end;
    *out = NULL;
    if (strcmp(t, "integer") == 0 || strcmp(t, "long") == 0) {
        long long n = strtoll(text, &end, 10);
        if (end == text || *end)
            return 0;
        *out = cJSON_CreateNumber((double)n);
    } else if (strcmp(t, "double") == 0 || strcmp(t, "float") == 0) {
        double d = strtod(text, &end);
        if (end == text || *end)
            return 0;
        *out = cJSON_CreateNumber(d);
    } else if (strcmp(t, "boolean") == 0) {
        *out = cJSON_CreateBool(strcmp(text, "true") == 0);
    } else if (strcmp(t, "timestamp") == 0) {
        double e;
        char buf[64];
        if (cfn__aws_time_parse(text, &e) < 0)
            *out = cJSON_CreateString(text);
        else {
            cfn__aws_time_format(e, "cli", buf, sizeof(buf));
            *out = cJSON_CreateString(buf);
        }
    } else {
        *out = cJSON_CreateString(text);
    }
    return *out ? 0 : CFN_ENOMEM;
}

static int hex(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* An IAM policy document: URL-decoded and parsed, or the text as it is when
 * it is not JSON (botocore's decode_quoted_jsondoc). */
static int policy(const char *text, cJSON **out)
{
    size_t n = strlen(text), j = 0;
    char *d = malloc(n + 1);
    if (!d)
        return CFN_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '%' && i + 2 < n && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
            d[j++] = (char)(hex(text[i + 1]) * 16 + hex(text[i + 2]));
            i += 2;
        } else {
            d[j++] = text[i];
        }
    }
    d[j] = '\0';
    *out = cJSON_Parse(d);
    free(d);
    if (!*out)
        *out = cJSON_CreateString(text);
    return *out ? 0 : CFN_ENOMEM;
}

static int read_node(const aws_model *m, const cJSON *shape, const cJSON *ref, const xml_node *node,
                     const char *name, cJSON **out)
{
    const char *t = type_of(shape);
    bool flat = cfn__aws_flag(shape, "f") || (ref && cfn__aws_flag(ref, "f"));
    *out = NULL;
    if (!shape)
        return 0;
    if (strcmp(t, "structure") == 0)
        return structure(m, shape, node, out);
    if (strcmp(t, "list") == 0)
        return list(m, shape, flat, node, name, out);
    if (strcmp(t, "map") == 0)
        return map(m, shape, flat, node, name, out);
    if (shape->string && strcmp(shape->string, "policyDocumentType") == 0 &&
        strcmp(m->entry->cli, "iam") == 0)
        return policy(node->text, out);
    return cfn__aws_xml_scalar(shape, node->text, out);
}

int cfn__aws_xml_read(const aws_model *m, const cJSON *shape, const xml_node *node, cJSON **out)
{
    int rc = read_node(m, shape, NULL, node, node->name, out);
    if (rc == 0 && !*out)
        *out = cJSON_CreateObject();
    if (rc < 0 || !*out) {
        cJSON_Delete(*out);
        *out = NULL;
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    return 0;
}
