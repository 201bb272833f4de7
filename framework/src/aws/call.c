/* cfn_aws_call: any operation of any service of the table (models.c), its
 * input checked against the API model and serialised by the service's
 * protocol (json.c, query.c, rest.c). */
#include "client.h"
#include "model.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The operation named `name` as in the API ("CreateQueue") or as the AWS CLI
 * spells it ("create-queue"). */
static const cJSON *find_op(const aws_model *m, const char *name)
{
    const cJSON *exact = cJSON_GetObjectItemCaseSensitive(m->ops, name);
    if (exact || !strchr(name, '-'))
        return exact;
    for (const cJSON *op = m->ops->child; op; op = op->next) {
        const char *a = op->string, *b = name;
        while (*a && *b) {
            if (*b == '-') {
                b++;
                continue;
            }
            if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
                break;
            a++;
            b++;
        }
        if (!*a && !*b)
            return op;
    }
    return NULL;
}

const char *cfn_aws_service_name(size_t i)
{
    size_t n = 0;
    while (cfn__aws_models[n].cli)
        n++;
    return i < n ? cfn__aws_models[i].cli : NULL;
}

static const cJSON *op_field(const cJSON *op, int i)
{
    return cJSON_GetArrayItem(op, i);
}

int cfn_aws_call(cfn_aws *aws, const char *service, const char *operation, const cJSON *input,
                 cJSON **output)
{
    char close[256];
    const aws_model *m;
    if (output)
        *output = NULL;
    const aws_model_entry *e = cfn__aws_service(service);
    if (!e) {
        const char *names[64];
        size_t n = 0;
        for (const aws_model_entry *s = cfn__aws_models; s->cli && n < 63; s++)
            names[n++] = s->cli;
        names[n] = NULL;
        cfn__aws_close_names(service ? service : "", NULL, names, close, sizeof(close));
        return cfn_error_set(CFN_EINVAL, "unknown AWS service \"%.64s\" (closest: %s)",
                             service ? service : "", close);
    }
    int rc = cfn__aws_model(e, &m);
    if (rc < 0)
        return rc;
    const cJSON *def = operation ? find_op(m, operation) : NULL;
    if (!def) {
        cfn__aws_close_names(operation ? operation : "", m->ops, NULL, close, sizeof(close));
        return cfn_error_set(CFN_EINVAL, "%s: unknown operation \"%.64s\" (closest: %s)",
                             e->svc.name, operation ? operation : "", close);
    }
    if (input && !cJSON_IsObject(input))
        return cfn_error_set(CFN_EINVAL, "%s %s: the input must be a JSON object", e->svc.name,
                             def->string);
    aws_op op = {.m = m,
                 .name = def->string,
                 .method = cJSON_GetStringValue(op_field(def, 0)),
                 .uri = cJSON_GetStringValue(op_field(def, 1)),
                 .input = cfn__aws_shape(m, cJSON_GetStringValue(op_field(def, 2))),
                 .output = cfn__aws_shape(m, cJSON_GetStringValue(op_field(def, 3))),
                 .wrapper = cJSON_GetStringValue(op_field(def, 4)),
                 .checksum = cJSON_IsTrue(op_field(def, 5)) ||
                             (cJSON_IsNumber(op_field(def, 5)) && op_field(def, 5)->valueint)};
    if ((rc = cfn__aws_check_input(m, op.name, op.input, input)) < 0)
        return rc;
    switch (e->protocol) {
    case AWS_PROTO_JSON:
        return cfn__aws_json_call(aws, &op, input, output);
    case AWS_PROTO_QUERY:
    case AWS_PROTO_EC2:
        return cfn__aws_query_call(aws, &op, input, output);
    case AWS_PROTO_REST_JSON:
    case AWS_PROTO_REST_XML:
        return cfn__aws_rest_call(aws, &op, input, output);
    }
    return cfn_error_set(CFN_EINVAL, "%s: unknown protocol", e->svc.name);
}
