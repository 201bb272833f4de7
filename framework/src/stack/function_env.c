/* The ServiceToken function's environment (function_env.h): one
 * GetFunctionConfiguration per function and engine run. */
#include "function_env.h"

#include <cfnkit/cfnkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    char *token, *function;
    char **vars; /* NULL terminated */
} entry;

struct stk_function_env {
    cfn_aws *aws;
    entry *entries;
    size_t n;
};

static void entry_clear(entry *e)
{
    free(e->token);
    free(e->function);
    for (size_t i = 0; e->vars && e->vars[i]; i++)
        free(e->vars[i]);
    free(e->vars);
}

void stk_function_env_free(stk_function_env *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        entry_clear(&f->entries[i]);
    free(f->entries);
    cfn_aws_free(f->aws);
    free(f);
}

/* The function NAME of a Lambda function ARN, with its qualifier if any,
 * into out; 0, or -1 when the token is not a Lambda function's ARN. */
static int function_of(const char *token, char *out, size_t size)
{
    const char *p = token;
    for (int colons = 0; colons < 6; colons++) {
        p = strchr(p, ':');
        if (!p)
            return -1;
        p++;
    }
    if (strncmp(token, "arn:", 4) != 0 || !strstr(token, ":lambda:") ||
        strncmp(p - 9, "function:", 9) != 0 || !*p || strlen(p) >= size)
        return -1;
    snprintf(out, size, "%s", p);
    return 0;
}

static int lookup(stk_function_env *f, const char *token, entry *e)
{
    char name[256];
    e->vars = calloc(1, sizeof(*e->vars));
    if (!(e->token = strdup(token)) || !e->vars)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    if (function_of(token, name, sizeof(name)) < 0)
        return 0;
    if (!f->aws && cfn_aws_new(&f->aws, NULL) < 0)
        return -1;
    cJSON *in = cJSON_CreateObject(), *out = NULL;
    cJSON_AddStringToObject(in, "FunctionName", token);
    int rc = cfn_aws_call(f->aws, "lambda", "GetFunctionConfiguration", in, &out);
    cJSON_Delete(in);
    if (rc < 0) {
        char why[1024];
        if (cfn_aws_error_is(f->aws, "ResourceNotFoundException"))
            return 0;
        snprintf(why, sizeof(why), "%s", cfn_error_last());
        return cfn_error_set(rc, "reading the environment of the ServiceToken's function %s: %s",
                             name, why);
    }
    const cJSON *vars = cJSON_GetObjectItem(cJSON_GetObjectItem(out, "Environment"), "Variables");
    const cJSON *v;
    size_t n = 0, count = (size_t)cJSON_GetArraySize(vars);
    char **list = calloc(count + 1, sizeof(*list));
    const char *fn = cJSON_GetStringValue(cJSON_GetObjectItem(out, "FunctionName"));
    rc = list && (e->function = strdup(fn ? fn : name))
             ? 0
             : cfn_error_set(CFN_ENOMEM, "out of memory");
    cJSON_ArrayForEach(v, vars)
    {
        if (rc == 0 && cJSON_IsString(v) && v->string &&
            asprintf(&list[n++], "%s=%s", v->string, v->valuestring) < 0) {
            list[--n] = NULL;
            rc = cfn_error_set(CFN_ENOMEM, "out of memory");
        }
    }
    cJSON_Delete(out);
    if (list) {
        free(e->vars);
        e->vars = list;
    }
    return rc;
}

int stk_function_env_get(stk_function_env **f, const char *service_token, const char *const **vars,
                         const char **function)
{
    *vars = NULL;
    *function = NULL;
    if (!*f && !(*f = calloc(1, sizeof(**f))))
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    stk_function_env *c = *f;
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->entries[i].token, service_token) == 0) {
            *vars = (const char *const *)c->entries[i].vars;
            *function = c->entries[i].function;
            return 0;
        }
    }
    entry e = {0};
    entry *grown = realloc(c->entries, (c->n + 1) * sizeof(*grown));
    if (!grown)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    c->entries = grown;
    if (lookup(c, service_token, &e) < 0) {
        entry_clear(&e);
        return -1;
    }
    c->entries[c->n++] = e;
    *vars = (const char *const *)e.vars;
    *function = e.function;
    return 0;
}
