/* Parameter resolution (params.h): a value from the overrides, from SSM
 * Parameter Store for the SSM types, or the Default; then the type and every
 * constraint, each failure in CloudFormation's words. */
#include "params.h"

#include "strbuf.h"

#include <cfnkit/error.h>

#include <ctype.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const aws_types[] = {"AWS::EC2::AvailabilityZone::Name",
                                        "AWS::EC2::Image::Id",
                                        "AWS::EC2::Instance::Id",
                                        "AWS::EC2::KeyPair::KeyName",
                                        "AWS::EC2::SecurityGroup::GroupName",
                                        "AWS::EC2::SecurityGroup::Id",
                                        "AWS::EC2::Subnet::Id",
                                        "AWS::EC2::Volume::Id",
                                        "AWS::EC2::VPC::Id",
                                        "AWS::Route53::HostedZone::Id"};

typedef struct ptype {
    int list;   /* the value is a list */
    int number; /* String or Number items */
    int ssm;    /* the value is read from SSM Parameter Store */
} ptype;

static int aws_type(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof(aws_types) / sizeof(aws_types[0]); i++)
        if (strlen(aws_types[i]) == n && strncmp(s, aws_types[i], n) == 0)
            return 1;
    return 0;
}

/* String | Number | List<Number> | CommaDelimitedList | AWS types | List<AWS
 * type> | AWS::SSM::Parameter::Name | AWS::SSM::Parameter::Value<T>. */
static int parse_type(const char *s, ptype *pt)
{
    memset(pt, 0, sizeof(*pt));
    const char *ssm = "AWS::SSM::Parameter::Value<";
    if (strncmp(s, ssm, strlen(ssm)) == 0 && s[strlen(s) - 1] == '>') {
        char inner[128];
        snprintf(inner, sizeof(inner), "%.*s", (int)(strlen(s) - strlen(ssm) - 1), s + strlen(ssm));
        if (strcmp(inner, "String") != 0 && strcmp(inner, "List<String>") != 0 &&
            strcmp(inner, "CommaDelimitedList") != 0 && parse_type(inner, pt) < 0)
            return -1;
        pt->list = strcmp(inner, "String") != 0 &&
                   (pt->list || strchr(inner, '<') || strcmp(inner, "CommaDelimitedList") == 0);
        pt->number = 0;
        pt->ssm = 1;
        return 0;
    }
    if (strcmp(s, "String") == 0 || strcmp(s, "AWS::SSM::Parameter::Name") == 0)
        return 0;
    if (strcmp(s, "Number") == 0) {
        pt->number = 1;
        return 0;
    }
    if (strcmp(s, "CommaDelimitedList") == 0 || strcmp(s, "List<Number>") == 0) {
        pt->list = 1;
        pt->number = s[0] == 'L';
        return 0;
    }
    if (strncmp(s, "List<", 5) == 0 && s[strlen(s) - 1] == '>' && aws_type(s + 5, strlen(s) - 6)) {
        pt->list = 1;
        return 0;
    }
    return aws_type(s, strlen(s)) ? 0 : -1;
}

int cfn_param_noecho(const cfn_template *t, const char *name)
{
    const char *v = cfn_node_scalar(cfn_node_get(cfn_node_get(t->parameters, name), "NoEcho"));
    return v && strcasecmp(v, "true") == 0;
}

static int is_number(const char *s)
{
    char *end;
    if (!*s || isspace((unsigned char)*s))
        return 0;
    strtod(s, &end);
    return *end == '\0';
}

static size_t utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* AllowedPattern matches the whole value. CloudFormation's patterns are
 * Java regular expressions; PCRE2 reads Java's syntax for everything
 * templates use (classes and their escapes, lookarounds, lazy and
 * possessive quantifiers, Unicode). 1 when the value matches, 0 when not,
 * -1 when the pattern is not a regular expression (`why` says where). */
static int pattern_matches(const char *pattern, const char *value, char *why, size_t size)
{
    int err;
    PCRE2_SIZE at;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED, &err, &at, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof(msg));
        snprintf(why, size, "%s at offset %zu", (const char *)msg, (size_t)at);
        return -1;
    }
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    int rc = md ? pcre2_match(re, (PCRE2_SPTR)value, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL) : -1;
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc < 0) {
        snprintf(why, size, "the match failed (PCRE2 error %d)", rc);
        return -1;
    }
    return 1;
}

/* Checks one value (one item of a list) against the constraints; appends
 * the problem to sb. */
static void check_value(const cfn_node *p, const ptype *pt, const char *v, strbuf *sb)
{
    const char *name = p->key;
    const char *desc = cfn_node_scalar(cfn_node_get(p, "ConstraintDescription"));
    const cfn_node *allowed = cfn_node_get(p, "AllowedValues");
    const char *pattern = cfn_node_scalar(cfn_node_get(p, "AllowedPattern"));
    const char *minl = cfn_node_scalar(cfn_node_get(p, "MinLength"));
    const char *maxl = cfn_node_scalar(cfn_node_get(p, "MaxLength"));
    const char *minv = cfn_node_scalar(cfn_node_get(p, "MinValue"));
    const char *maxv = cfn_node_scalar(cfn_node_get(p, "MaxValue"));
    char what[512] = "", why[300];
    if (pt->number && !is_number(v)) {
        snprintf(what, sizeof(what), "Parameter '%s' must be a number", name);
    } else if (allowed && allowed->kind == CFN_NODE_LIST) {
        int found = 0;
        for (size_t i = 0; i < allowed->count && !found; i++) {
            const char *a = cfn_node_scalar(allowed->items[i]);
            found = a && strcmp(a, v) == 0;
        }
        if (!found)
            snprintf(what, sizeof(what), "Parameter '%s' must be one of AllowedValues", name);
    }
    int m = !what[0] && pattern ? pattern_matches(pattern, v, why, sizeof(why)) : 1;
    if (m < 0)
        snprintf(what, sizeof(what),
                 "Parameter '%s': AllowedPattern %.120s is not a regular expression: %s", name,
                 pattern, why);
    else if (m == 0)
        snprintf(what, sizeof(what), "Parameter '%s' must match pattern %s", name, pattern);
    if (!what[0] && minl && (long)utf8_length(v) < strtol(minl, NULL, 10))
        snprintf(what, sizeof(what), "Parameter '%s' must contain at least %s characters", name,
                 minl);
    if (!what[0] && maxl && (long)utf8_length(v) > strtol(maxl, NULL, 10))
        snprintf(what, sizeof(what), "Parameter '%s' must contain at most %s characters", name,
                 maxl);
    if (!what[0] && minv && is_number(v) && strtod(v, NULL) < strtod(minv, NULL))
        snprintf(what, sizeof(what), "Parameter '%s' must be a number not less than %s", name,
                 minv);
    if (!what[0] && maxv && is_number(v) && strtod(v, NULL) > strtod(maxv, NULL))
        snprintf(what, sizeof(what), "Parameter '%s' must be a number not greater than %s", name,
                 maxv);
    if (!what[0])
        return;
    if (desc && !(pt->number && !is_number(v)))
        cfn__sb_printf(sb, "%sParameter %s failed to satisfy constraint: %s", sb->len ? "\n" : "",
                       name, desc);
    else
        cfn__sb_printf(sb, "%s%s", sb->len ? "\n" : "", what);
}

/* CommaDelimitedList and the list types: items split at commas, each
 * trimmed of spaces. */
static cJSON *split_list(const char *v)
{
    cJSON *a = cJSON_CreateArray();
    for (const char *s = v; a;) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        while (n && isspace((unsigned char)*s)) {
            s++;
            n--;
        }
        while (n && isspace((unsigned char)s[n - 1]))
            n--;
        char *item = strndup(s, n);
        cJSON *j = item ? cJSON_CreateString(item) : NULL;
        free(item);
        if (!j) {
            cJSON_Delete(a);
            return NULL;
        }
        cJSON_AddItemToArray(a, j);
        if (!e)
            break;
        s = e + 1;
    }
    return a;
}

static const char *override_of(const char *name, const char *const *o, size_t n)
{
    size_t len = strlen(name);
    for (size_t i = n; i-- > 0;)
        if (strncmp(o[i], name, len) == 0 && o[i][len] == '=')
            return o[i] + len + 1;
    return NULL;
}

int cfn__params_resolve(const cfn_template *t, const cfn_eval_ops *ops,
                        const char *const *overrides, size_t noverrides, int strict, cJSON **values)
{
    const cfn_node *ps = t->parameters;
    strbuf problems = {0}, missing = {0}, unknown_names = {0};
    cJSON *out = cJSON_CreateObject();
    int rc = 0;
    if (!out)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    for (size_t i = 0; i < noverrides; i++) {
        const char *eq = strchr(overrides[i], '=');
        char name[256];
        snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - overrides[i]) : 0, overrides[i]);
        if (!eq || !cfn_node_get(ps, name))
            cfn__sb_printf(&unknown_names, "%s%s", unknown_names.len ? ", " : "",
                           eq ? name : overrides[i]);
    }
    for (size_t i = 0; ps && i < ps->count; i++) {
        const cfn_node *p = ps->items[i];
        const char *type = cfn_node_scalar(cfn_node_get(p, "Type"));
        ptype pt;
        if (p->kind != CFN_NODE_MAP || !type) {
            cfn__sb_printf(&problems,
                           "%s%s:%u:%u: Template format error: Every Parameters object "
                           "must contain a Type member.",
                           problems.len ? "\n" : "", t->file, p->line, p->column);
            continue;
        }
        if (parse_type(type, &pt) < 0) {
            cfn__sb_printf(&problems,
                           "%s%s:%u:%u: Template format error: Unrecognized parameter "
                           "type: %s",
                           problems.len ? "\n" : "", t->file, p->line, p->column, type);
            continue;
        }
        const char *v = override_of(p->key, overrides, noverrides);
        char *fetched = NULL;
        if (!v)
            v = cfn_node_scalar(cfn_node_get(p, "Default"));
        if (v && pt.ssm && strcmp(type, "AWS::SSM::Parameter::Name") != 0) {
            if (!strict)
                continue; /* validate-template reads no values: unknown */
            if (!ops->ssm) {
                cfn__sb_printf(&problems,
                               "%sParameter '%s' is read from SSM Parameter "
                               "Store (%s), and no AWS client was given",
                               problems.len ? "\n" : "", p->key, v);
                continue;
            }
            if (ops->ssm(ops->arg, v, &fetched) < 0) {
                cfn__sb_printf(&problems, "%sParameter '%s': SSM parameter %s: %s",
                               problems.len ? "\n" : "", p->key, v, cfn_error_last());
                continue;
            }
            v = fetched;
        }
        if (!v) {
            if (strict)
                cfn__sb_printf(&missing, "%s%s", missing.len ? ", " : "", p->key);
            continue;
        }
        cJSON *val = pt.list ? split_list(v) : cJSON_CreateString(v);
        if (!val) {
            free(fetched);
            rc = cfn_error_set(CFN_ENOMEM, "out of memory");
            goto done;
        }
        if (pt.list) {
            for (const cJSON *it = val->child; it; it = it->next)
                check_value(p, &pt, it->valuestring, &problems);
        } else {
            check_value(p, &pt, v, &problems);
        }
        free(fetched);
        cJSON_AddItemToObject(out, p->key, val);
    }
    if (unknown_names.len)
        cfn__sb_printf(&problems, "%sParameters: [%s] do not exist in the template",
                       problems.len ? "\n" : "", unknown_names.data);
    if (missing.len)
        cfn__sb_printf(&problems, "%sParameters: [%s] must have values", problems.len ? "\n" : "",
                       missing.data);
    if (problems.len)
        rc = cfn_error_set(CFN_EINVAL, "%s", problems.data);
done:
    free(problems.data);
    free(missing.data);
    free(unknown_names.data);
    if (rc < 0)
        cJSON_Delete(out);
    else
        *values = out;
    return rc;
}
