/* The query and EC2 protocols: the input flattened into form parameters
 * (Action, Version, then "Name.member.1", "Attributes.entry.1.key", ... as
 * each protocol spells them) and the XML answer read into JSON. Also IAM's
 * and STS's older calls, now thin conveniences over cfn_aws_call. */
#include "client.h"
#include "model.h"
#include "xml_json.h"

#include "strbuf.h"
#include "uri.h"
#include "xml.h"

#include <cfnkit/log.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct form {
    const aws_model *m;
    bool ec2;
    strbuf body;
    strbuf key; /* the parameter name being built */
    bool oom;
} form;

static int add(form *f, const char *value)
{
    char *k = cfn__uri_encode(f->key.data, f->key.len, false);
    char *v = cfn__uri_encode(value, strlen(value), false);
    int rc = k && v ? cfn__sb_printf(&f->body, "&%s=%s", k, v) : CFN_ENOMEM;
    free(k);
    free(v);
    return rc;
}

/* Appends ".name" (or "name" at the top) to the key; returns the old length. */
static size_t push(form *f, const char *name, int i)
{
    size_t mark = f->key.len;
    if ((f->key.len && cfn__sb_append(&f->key, ".", 1) < 0) ||
        (name ? cfn__sb_append(&f->key, name, strlen(name)) : cfn__sb_printf(&f->key, "%d", i)) < 0)
        f->oom = true;
    return mark;
}

static void pop(form *f, size_t mark)
{
    f->key.len = mark;
    if (f->key.data)
        f->key.data[mark] = '\0';
}

/* A member's name in the form: EC2 takes queryName, else locationName with
 * a capital; query takes locationName. */
static const char *wire_name(const form *f, const cJSON *ref, const char *dflt, char *buf,
                             size_t size)
{
    const char *q = cfn__aws_str(ref, "q"), *l = cfn__aws_str(ref, "l");
    if (f->ec2 && q)
        return q;
    if (!l)
        return dflt;
    if (!f->ec2)
        return l;
    snprintf(buf, size, "%s", l);
    buf[0] = (char)toupper((unsigned char)buf[0]);
    return buf;
}

static int serialise(form *f, const cJSON *shape, const cJSON *ref, const cJSON *v)
{
    const char *t = cfn__aws_str(shape, "t");
    char buf[256];
    int rc = 0;
    if (!t)
        return 0;
    if (strcmp(t, "structure") == 0) {
        const cJSON *members = cJSON_GetObjectItemCaseSensitive(shape, "m");
        for (const cJSON *it = v->child; it && rc == 0; it = it->next) {
            const cJSON *mref = cJSON_GetObjectItemCaseSensitive(members, it->string);
            size_t mark = push(f, wire_name(f, mref, it->string, buf, sizeof(buf)), 0);
            rc = serialise(f, cfn__aws_ref_shape(f->m, mref), mref, it);
            pop(f, mark);
        }
    } else if (strcmp(t, "list") == 0) {
        const cJSON *mref = cJSON_GetObjectItemCaseSensitive(shape, "m");
        const cJSON *mshape = cfn__aws_ref_shape(f->m, mref);
        bool flat = f->ec2 || cfn__aws_flag(shape, "f") || cfn__aws_flag(ref, "f");
        size_t outer = f->key.len;
        char *saved = NULL;
        if (!v->child)
            return f->ec2 ? 0 : add(f, "");
        if (flat && !f->ec2 && cfn__aws_str(mref, "l")) {
            /* A flattened list named by its member: "Prefix.Original" becomes
             * "Prefix.<member name>". */
            if (!(saved = cfn__strdup(f->key.data)))
                return CFN_ENOMEM;
            char *dot = strrchr(f->key.data, '.');
            pop(f, dot ? (size_t)(dot - f->key.data) : 0);
            push(f, cfn__aws_str(mref, "l"), 0);
        } else if (!flat) {
            push(f, cfn__aws_str(mref, "l") ? cfn__aws_str(mref, "l") : "member", 0);
        }
        int i = 1;
        for (const cJSON *it = v->child; it && rc == 0; it = it->next, i++) {
            size_t mark = push(f, NULL, i);
            rc = serialise(f, mshape, mref, it);
            pop(f, mark);
        }
        if (saved) {
            pop(f, 0);
            if (cfn__sb_append(&f->key, saved, strlen(saved)) < 0)
                f->oom = true;
            free(saved);
        } else {
            pop(f, outer);
        }
    } else if (strcmp(t, "map") == 0) {
        const cJSON *kref = cJSON_GetObjectItemCaseSensitive(shape, "k");
        const cJSON *vref = cJSON_GetObjectItemCaseSensitive(shape, "v");
        const char *kname = cfn__aws_str(kref, "l") ? cfn__aws_str(kref, "l") : "key";
        const char *vname = cfn__aws_str(vref, "l") ? cfn__aws_str(vref, "l") : "value";
        bool flat = cfn__aws_flag(shape, "f") || cfn__aws_flag(ref, "f");
        size_t outer = flat ? f->key.len : push(f, "entry", 0);
        int i = 1;
        for (const cJSON *it = v->child; it && rc == 0; it = it->next, i++) {
            size_t mark = push(f, NULL, i);
            size_t k = push(f, kname, 0);
            rc = add(f, it->string);
            pop(f, k);
            if (rc == 0) {
                k = push(f, vname, 0);
                rc = serialise(f, cfn__aws_ref_shape(f->m, vref), vref, it);
                pop(f, k);
            }
            pop(f, mark);
        }
        pop(f, outer);
    } else {
        char *text = cfn__aws_scalar_text(shape, v, "iso8601");
        rc = text ? add(f, text) : CFN_ENOMEM;
        free(text);
    }
    return rc;
}

/* CloudFormation's GetTemplate answers a JSON template as a string; the SDKs
 * and the CLI give it parsed (YAML stays a string). */
static int template_body(const aws_op *op, cJSON *output)
{
    cJSON *body = cJSON_GetObjectItemCaseSensitive(output, "TemplateBody");
    if (strcmp(op->m->entry->cli, "cloudformation") != 0 || strcmp(op->name, "GetTemplate") != 0 ||
        !cJSON_IsString(body))
        return 0;
    cJSON *parsed = cJSON_Parse(body->valuestring);
    if (parsed && !cJSON_ReplaceItemInObjectCaseSensitive(output, "TemplateBody", parsed)) {
        cJSON_Delete(parsed);
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    return 0;
}

int cfn__aws_query_call(cfn_aws *aws, const aws_op *op, const cJSON *input, cJSON **output)
{
    const aws_model_entry *e = op->m->entry;
    form f = {.m = op->m, .ec2 = e->protocol == AWS_PROTO_EC2};
    int rc = cfn__sb_printf(&f.body, "Action=%s&Version=%s", op->name, e->api_version);
    if (rc == 0 && input && op->input)
        rc = serialise(&f, op->input, NULL, input);
    free(f.key.data);
    if (rc < 0 || f.oom) {
        free(f.body.data);
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    aws_call call = {
        .svc = &e->svc,
        .operation = op->name,
        .method = "POST",
        .path = "/",
        .headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
        .nheaders = 1,
        .body = f.body.data,
        .body_len = f.body.len};
    http_response res;
    cfn_log(CFN_LOG_DEBUG, "%s %s: %zu bytes of parameters", e->svc.name, op->name, f.body.len);
    rc = cfn__aws_send(aws, &call, &res);
    if (rc == 0 && output) {
        xml_node *root = NULL;
        const xml_node *start = NULL;
        if ((rc = cfn__xml_parse(res.body, res.body_len, &root)) < 0) {
            char why[512];
            snprintf(why, sizeof(why), "%s", cfn_error_last());
            rc = cfn_error_set(CFN_ERROR, "%s %s: %s", e->svc.name, op->name, why);
        } else {
            start = root;
            if (op->wrapper && *op->wrapper)
                for (start = root->child; start && strcmp(start->name, op->wrapper) != 0;)
                    start = start->next;
            if (!start || !op->output)
                *output = cJSON_CreateObject();
            rc = *output ? 0 : cfn__aws_xml_read(op->m, op->output, start, output);
            if (rc == 0 && !*output)
                rc = cfn_error_set(CFN_ENOMEM, "out of memory");
            if (rc == 0)
                rc = template_body(op, *output);
        }
        cfn__xml_free(root);
    }
    cfn__http_response_free(&res);
    free(f.body.data);
    return rc;
}

/* IAM and STS conveniences. */

static int call_for(cfn_aws *aws, const char *svc, const char *op, const char *const *params,
                    const char *member, const char *field, char **value)
{
    cJSON *in = cJSON_CreateObject(), *out = NULL;
    for (size_t i = 0; in && params && params[i]; i += 2)
        if (!cJSON_AddStringToObject(in, params[i], params[i + 1])) {
            cJSON_Delete(in);
            in = NULL;
        }
    if (!in)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    int rc = cfn_aws_call(aws, svc, op, in, value ? &out : NULL);
    cJSON_Delete(in);
    if (rc == 0 && value) {
        const cJSON *o = member ? cJSON_GetObjectItemCaseSensitive(out, member) : out;
        const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, field));
        if (!s)
            rc = cfn_error_set(CFN_ERROR, "%s %s: the answer has no %s", svc, op, field);
        else if (!(*value = cfn__strdup(s)))
            rc = cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    cJSON_Delete(out);
    return rc;
}

int cfn_iam_create_role(cfn_aws *aws, const char *name, const char *assume_policy, char **arn)
{
    const char *p[] = {"RoleName", name, "AssumeRolePolicyDocument", assume_policy, NULL};
    return call_for(aws, "iam", "CreateRole", p, "Role", "Arn", arn);
}

int cfn_iam_get_role(cfn_aws *aws, const char *name, char **arn)
{
    const char *p[] = {"RoleName", name, NULL};
    return call_for(aws, "iam", "GetRole", p, "Role", "Arn", arn);
}

int cfn_iam_put_role_policy(cfn_aws *aws, const char *role, const char *policy_name,
                            const char *document)
{
    const char *p[] = {"RoleName",       role,     "PolicyName", policy_name,
                       "PolicyDocument", document, NULL};
    return call_for(aws, "iam", "PutRolePolicy", p, NULL, NULL, NULL);
}

int cfn_iam_delete_role_policy(cfn_aws *aws, const char *role, const char *policy_name)
{
    const char *p[] = {"RoleName", role, "PolicyName", policy_name, NULL};
    return call_for(aws, "iam", "DeleteRolePolicy", p, NULL, NULL, NULL);
}

int cfn_iam_delete_role(cfn_aws *aws, const char *name)
{
    const char *p[] = {"RoleName", name, NULL};
    return call_for(aws, "iam", "DeleteRole", p, NULL, NULL, NULL);
}

int cfn_sts_get_caller_identity(cfn_aws *aws, char **account, char **arn)
{
    cJSON *out = NULL;
    int rc = cfn_aws_call(aws, "sts", "GetCallerIdentity", NULL, &out);
    if (rc == 0) {
        const char *a = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(out, "Account"));
        const char *r = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(out, "Arn"));
        if (!a || !r)
            rc = cfn_error_set(CFN_ERROR, "STS GetCallerIdentity: the answer has no Account");
        else if ((account && !(*account = cfn__strdup(a))) || (arn && !(*arn = cfn__strdup(r))))
            rc = cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    cJSON_Delete(out);
    return rc;
}
