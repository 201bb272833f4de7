/* Reads a YAML template with libyaml's event API, as CloudFormation reads
 * YAML: version 1.1 plain scalars (yes/no/on/off are booleans, 0755 is octal,
 * 1:30 is sexagesimal, dates stay strings because CloudFormation does not
 * support the timestamp type), the short-form tags (!Ref, !GetAtt A.B, ...)
 * turned into their long form, no aliases and no merge keys (both refused by
 * CloudFormation: UserGuide/template-formats.html). */
#include "node.h"

#include <cfnkit/error.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_DEPTH 256

typedef struct reader {
    yaml_parser_t parser;
    const char *file;
} reader;

static int parser_error(reader *r)
{
    const yaml_mark_t *m = r->parser.problem_mark.line || r->parser.problem_mark.column
                               ? &r->parser.problem_mark
                               : &r->parser.context_mark;
    return cfn_error_set(CFN_EINVAL, "%s:%zu:%zu: YAML not well-formed: %s%s%s", r->file,
                         m->line + 1, m->column + 1,
                         r->parser.problem ? r->parser.problem : "error",
                         r->parser.context ? " " : "", r->parser.context ? r->parser.context : "");
}

static int at_error(reader *r, const yaml_mark_t *m, const char *what)
{
    return cfn_error_set(CFN_EINVAL, "%s:%zu:%zu: %s", r->file, m->line + 1, m->column + 1, what);
}

/* YAML 1.1 resolution of a plain scalar (yaml.org/type/{null,bool,int,float}),
 * as CloudFormation's YAML 1.1 reader does. Timestamps stay strings. */
static int all_of(const char *s, const char *set)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!strchr(set, *s))
            return 0;
    return 1;
}

static char *strip_underscores(const char *s)
{
    char *o = malloc(strlen(s) + 1), *p = o;
    if (!o)
        return NULL;
    for (; *s; s++)
        if (*s != '_')
            *p++ = *s;
    *p = '\0';
    return o;
}

static int is_float(const char *s)
{
    static const char *special[] = {".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN"};
    const char *p = s + (*s == '+' || *s == '-');
    for (size_t i = 0; i < 6; i++)
        if (strcmp(p, special[i]) == 0 && (i < 3 || p == s))
            return 1;
    /* [-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)? */
    while (isdigit((unsigned char)*p) || (*p == '_' && p > s))
        p++;
    if (*p != '.')
        return 0;
    const char *digits = p;
    for (p++; isdigit((unsigned char)*p) || *p == '_'; p++)
        ;
    if (p == digits + 1 && digits == s + (*s == '+' || *s == '-'))
        return 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p != '+' && *p != '-')
            return 0;
        p++;
        if (!isdigit((unsigned char)*p))
            return 0;
        while (isdigit((unsigned char)*p))
            p++;
    }
    return *p == '\0';
}

/* An integer in YAML 1.1's forms, in decimal; 0 when s is not one (or does
 * not fit 64 bits, and then stays a string as written). */
static int yaml_int(const char *s, char *out, size_t outlen)
{
    int neg = *s == '-';
    const char *p = s + (*s == '-' || *s == '+');
    uint64_t v = 0;
    int base = 10;
    if (strncmp(p, "0b", 2) == 0 && all_of(p + 2, "01_")) {
        base = 2;
        p += 2;
    } else if (strncmp(p, "0x", 2) == 0 && all_of(p + 2, "0123456789abcdefABCDEF_")) {
        base = 16;
        p += 2;
    } else if (p[0] == '0' && p[1] && all_of(p + 1, "01234567_")) {
        base = 8;
        p++;
    } else if (strcmp(p, "0") == 0) {
        p = "0";
    } else if (*p >= '1' && *p <= '9' && strchr(p, ':') && all_of(p, "0123456789_:")) {
        /* sexagesimal: [1-9][0-9_]*(:[0-5]?[0-9])+ */
        const char *q = strchr(p, ':');
        for (const char *d = p; d < q; d++)
            if (*d != '_')
                v = v * 10 + (uint64_t)(*d - '0');
        while (*q == ':') {
            const char *e = q + 1;
            size_t n = strspn(e, "0123456789");
            if (n == 0 || n > 2 || (n == 2 && e[0] > '5'))
                return 0;
            v = v * 60 + (uint64_t)strtoul(e, NULL, 10);
            q = e + n;
        }
        if (*q)
            return 0;
        snprintf(out, outlen, "%s%" PRIu64, neg && v ? "-" : "", v);
        return 1;
    } else if (!(*p >= '1' && *p <= '9' && all_of(p, "0123456789_"))) {
        return 0;
    }
    for (; *p; p++) {
        if (*p == '_')
            continue;
        int d = isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10);
        if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            return 0;
        v = v * (uint64_t)base + (uint64_t)d;
    }
    snprintf(out, outlen, "%s%" PRIu64, neg && v ? "-" : "", v);
    return 1;
}

static int resolve_plain(cfn_node *n, const char *v)
{
    static const char *truths[] = {"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
    static const char *falses[] = {"no",    "No",  "NO",  "false", "False",
                                   "FALSE", "off", "Off", "OFF"};
    char num[32];
    if (!*v || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
        strcmp(v, "NULL") == 0) {
        n->kind = CFN_NODE_NULL;
        return 0;
    }
    for (size_t i = 0; i < 9; i++) {
        if (strcmp(v, truths[i]) == 0 || strcmp(v, falses[i]) == 0) {
            n->kind = CFN_NODE_BOOL;
            n->text = strdup(strcmp(v, truths[i]) == 0 ? "true" : "false");
            return n->text ? 0 : CFN_ENOMEM;
        }
    }
    if (yaml_int(v, num, sizeof(num))) {
        n->kind = CFN_NODE_NUMBER;
        n->text = strdup(num);
    } else if (is_float(v)) {
        n->kind = CFN_NODE_NUMBER;
        n->text = strip_underscores(v);
    } else {
        n->kind = CFN_NODE_STRING;
        n->text = strdup(v);
    }
    return n->text ? 0 : CFN_ENOMEM;
}

/* The short-form tags CloudFormation documents (intrinsic functions, the
 * condition functions, and the Rules functions). */
static const char *const short_forms[] = {"Ref",          "Condition",
                                          "GetAtt",       "Sub",
                                          "Join",         "Select",
                                          "Split",        "If",
                                          "Equals",       "And",
                                          "Or",           "Not",
                                          "FindInMap",    "Base64",
                                          "Cidr",         "GetAZs",
                                          "ImportValue",  "Transform",
                                          "Length",       "ToJsonString",
                                          "Contains",     "EachMemberEquals",
                                          "EachMemberIn", "RefAll",
                                          "ValueOf",      "ValueOfAll"};

static int wrap_tag(reader *r, const char *tag, const yaml_mark_t *m, cfn_node **io)
{
    char name[160];
    const char *fn = tag + 1;
    size_t i;
    for (i = 0; i < sizeof(short_forms) / sizeof(short_forms[0]); i++)
        if (strcmp(fn, short_forms[i]) == 0)
            break;
    if (tag[0] != '!' || i == sizeof(short_forms) / sizeof(short_forms[0])) {
        char what[160];
        snprintf(what, sizeof(what), "unknown tag %.100s", tag);
        return at_error(r, m, what);
    }
    snprintf(name, sizeof(name), "%s%s",
             strcmp(fn, "Ref") == 0 || strcmp(fn, "Condition") == 0 ? "" : "Fn::", fn);
    cfn_node *inner = *io;
    cfn_node *wrap = cfn__node_new(CFN_NODE_MAP, inner->line, inner->column);
    if (!wrap || !(inner->key = strdup(name)) || cfn__node_append(wrap, inner) < 0) {
        cfn_node_free(wrap);
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    /* !GetAtt A.B.C is [A, B.C]: the logical id has no dot. */
    const char *dot = inner->kind == CFN_NODE_STRING ? strchr(inner->text, '.') : NULL;
    if (strcmp(fn, "GetAtt") == 0 && dot) {
        cfn_node *a = cfn__node_new(CFN_NODE_STRING, inner->line, inner->column);
        cfn_node *b = cfn__node_new(CFN_NODE_STRING, inner->line,
                                    inner->column + (unsigned)(dot - inner->text) + 1);
        int ok = a && b && (a->text = strndup(inner->text, (size_t)(dot - inner->text))) &&
                 (b->text = strdup(dot + 1));
        if (ok && cfn__node_append(inner, a) == 0) {
            a = NULL;
            ok = cfn__node_append(inner, b) == 0;
            if (ok)
                b = NULL;
        }
        cfn_node_free(a);
        cfn_node_free(b);
        free(inner->text);
        inner->text = NULL;
        inner->kind = CFN_NODE_LIST;
        if (!ok) {
            cfn_node_free(wrap);
            return cfn_error_set(CFN_ENOMEM, "out of memory");
        }
    }
    *io = wrap;
    return 0;
}

static int parse_node(reader *r, yaml_event_t *ev, int depth, cfn_node **out);

static int next(reader *r, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&r->parser, ev))
        return parser_error(r);
    return 0;
}

static int parse_children(reader *r, cfn_node *n, int depth)
{
    yaml_event_t ev;
    int rc;
    for (;;) {
        if ((rc = next(r, &ev)) < 0)
            return rc;
        if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            return 0;
        }
        cfn_node *key = NULL, *item = NULL;
        if (n->kind == CFN_NODE_MAP) {
            yaml_mark_t m = ev.start_mark;
            if (ev.type != YAML_SCALAR_EVENT) {
                yaml_event_delete(&ev);
                return at_error(r, &m, "a mapping key must be a scalar");
            }
            if (ev.data.scalar.plain_implicit &&
                strcmp((const char *)ev.data.scalar.value, "<<") == 0) {
                yaml_event_delete(&ev);
                return at_error(r, &m, "merge keys (<<) are not supported by CloudFormation");
            }
            if ((rc = parse_node(r, &ev, depth + 1, &key)) < 0)
                return rc;
            const char *k = key->kind == CFN_NODE_NULL ? "" : key->text;
            if (key->kind == CFN_NODE_MAP || key->kind == CFN_NODE_LIST) {
                cfn_node_free(key);
                return at_error(r, &m, "a mapping key must be a scalar");
            }
            if (cfn_node_get(n, k)) {
                char what[200];
                snprintf(what, sizeof(what), "duplicate key \"%.150s\"", k);
                cfn_node_free(key);
                return at_error(r, &m, what);
            }
            if ((rc = next(r, &ev)) < 0) {
                cfn_node_free(key);
                return rc;
            }
        }
        rc = parse_node(r, &ev, depth + 1, &item);
        if (rc == 0 && key) {
            item->key_line = key->line;
            item->key_column = key->column;
            item->key = key->text ? key->text : strdup("");
            key->text = NULL;
            if (!item->key)
                rc = cfn_error_set(CFN_ENOMEM, "out of memory");
        }
        cfn_node_free(key);
        if (rc == 0)
            rc = cfn__node_append(n, item);
        if (rc < 0) {
            cfn_node_free(item);
            return rc;
        }
    }
}

/* Builds the node that starts with `ev` (consumed). */
static int parse_node(reader *r, yaml_event_t *ev, int depth, cfn_node **out)
{
    yaml_mark_t m = ev->start_mark;
    const char *tag = NULL;
    cfn_node *n = NULL;
    int rc = 0;
    if (depth > MAX_DEPTH) {
        yaml_event_delete(ev);
        return at_error(r, &m, "the template nests too deeply");
    }
    n = cfn__node_new(CFN_NODE_NULL, (unsigned)m.line + 1, (unsigned)m.column + 1);
    if (!n) {
        yaml_event_delete(ev);
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        const char *v = (const char *)ev->data.scalar.value;
        tag = (const char *)ev->data.scalar.tag;
        if (strlen(v) != ev->data.scalar.length) {
            rc = at_error(r, &m, "a scalar contains a NUL character");
        } else if (ev->data.scalar.plain_implicit &&
                   !(tag && strcmp(tag, "!") != 0 && strncmp(tag, "tag:yaml.org,2002:", 18))) {
            rc = resolve_plain(n, v);
        } else {
            n->kind = CFN_NODE_STRING;
            n->text = strdup(v);
            rc = n->text ? 0 : CFN_ENOMEM;
        }
        if (rc == CFN_ENOMEM)
            rc = cfn_error_set(CFN_ENOMEM, "out of memory");
        break;
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        n->kind = ev->type == YAML_SEQUENCE_START_EVENT ? CFN_NODE_LIST : CFN_NODE_MAP;
        tag = (const char *)(ev->type == YAML_SEQUENCE_START_EVENT ? ev->data.sequence_start.tag
                                                                   : ev->data.mapping_start.tag);
        break;
    case YAML_ALIAS_EVENT:
        rc = at_error(r, &m, "aliases (*name) are not supported by CloudFormation");
        break;
    default:
        rc = at_error(r, &m, "YAML not well-formed: unexpected event");
        break;
    }
    /* Copy the tag out before the event goes. */
    char tagbuf[128] = "";
    if (tag && strncmp(tag, "tag:yaml.org,2002:", 18) != 0)
        snprintf(tagbuf, sizeof(tagbuf), "%s", tag);
    yaml_event_delete(ev);
    if (rc == 0 && (n->kind == CFN_NODE_LIST || n->kind == CFN_NODE_MAP))
        rc = parse_children(r, n, depth);
    if (rc == 0 && tagbuf[0] && strcmp(tagbuf, "!") != 0)
        rc = wrap_tag(r, tagbuf, &m, &n);
    if (rc < 0) {
        cfn_node_free(n);
        return rc;
    }
    *out = n;
    return 0;
}

int cfn_node_parse_yaml(const char *text, size_t len, const char *file, cfn_node **out)
{
    reader r = {.file = file};
    yaml_event_t ev;
    cfn_node *root = NULL;
    int rc;
    if (!yaml_parser_initialize(&r.parser))
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&r.parser, (const unsigned char *)text, len);
    /* Stream start, document start, then the root node. */
    for (;;) {
        if ((rc = next(&r, &ev)) < 0)
            goto done;
        yaml_event_type_t t = ev.type;
        if (t == YAML_STREAM_START_EVENT || t == YAML_DOCUMENT_START_EVENT) {
            yaml_event_delete(&ev);
            continue;
        }
        if (t == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            rc = cfn_error_set(CFN_EINVAL, "%s:1:1: Template format error: the template is empty",
                               file);
            goto done;
        }
        break;
    }
    if ((rc = parse_node(&r, &ev, 0, &root)) < 0)
        goto done;
    if (root->kind != CFN_NODE_MAP) {
        rc = cfn_error_set(CFN_EINVAL, "%s:%u:%u: Template format error: a template is a mapping",
                           file, root->line, root->column);
        goto done;
    }
    if ((rc = next(&r, &ev)) < 0)
        goto done;
    yaml_event_delete(&ev);
    if ((rc = next(&r, &ev)) < 0)
        goto done;
    if (ev.type != YAML_STREAM_END_EVENT) {
        yaml_mark_t m = ev.start_mark;
        yaml_event_delete(&ev);
        rc = at_error(&r, &m, "a template is one YAML document; another one starts here");
        goto done;
    }
    yaml_event_delete(&ev);
    *out = root;
    root = NULL;
done:
    cfn_node_free(root);
    yaml_parser_delete(&r.parser);
    return rc;
}
