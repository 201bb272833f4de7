/* Credentials: environment, shared config files (AWS_PROFILE), container
 * credentials, in the order the AWS SDKs use. */
#include "credentials.h"

#include "clock.h"
#include "http.h"
#include "strbuf.h"

#include <cfnkit/error.h>

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void cfn__creds_clear(aws_credentials *c)
{
    if (c->secret_key)
        memset(c->secret_key, 0, strlen(c->secret_key));
    free(c->access_key);
    free(c->secret_key);
    free(c->token);
    memset(c, 0, sizeof(*c));
}

const char *cfn__profile_name(void)
{
    const char *p = getenv("AWS_PROFILE");
    return p && *p ? p : "default";
}

char *cfn__config_path(const char *env, const char *file)
{
    const char *v = getenv(env);
    char *path = NULL;
    if (v && *v)
        return cfn__strdup(v);
    const char *home = getenv("HOME");
    if (!home || asprintf(&path, "%s/.aws/%s", home, file) < 0)
        return NULL;
    return path;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

char *cfn__profile_value(const char *path, const char *section, const char *key)
{
    FILE *f = path ? fopen(path, "r") : NULL;
    char line[4096];
    char *value = NULL;
    bool in = false;
    if (!f)
        return NULL;
    while (!value && fgets(line, sizeof(line), f)) {
        char *l = trim(line);
        if (*l == '#' || *l == ';' || !*l)
            continue;
        if (*l == '[') {
            char *end = strchr(l, ']');
            if (end)
                *end = '\0';
            in = strcmp(trim(l + 1), section) == 0;
            continue;
        }
        char *eq = strchr(l, '=');
        if (!in || !eq)
            continue;
        *eq = '\0';
        if (strcmp(trim(l), key) == 0)
            value = cfn__strdup(trim(eq + 1));
    }
    fclose(f);
    return value;
}

static int from_env(aws_credentials *c)
{
    const char *ak = getenv("AWS_ACCESS_KEY_ID"), *sk = getenv("AWS_SECRET_ACCESS_KEY");
    const char *tok = getenv("AWS_SESSION_TOKEN");
    if (!ak || !*ak || !sk || !*sk)
        return 1;
    c->access_key = cfn__strdup(ak);
    c->secret_key = cfn__strdup(sk);
    c->token = tok && *tok ? cfn__strdup(tok) : NULL;
    snprintf(c->source, sizeof(c->source), "environment variables");
    return 0;
}

static int from_profile(aws_credentials *c)
{
    const char *name = cfn__profile_name();
    char *cred_file = cfn__config_path("AWS_SHARED_CREDENTIALS_FILE", "credentials");
    char *conf_file = cfn__config_path("AWS_CONFIG_FILE", "config");
    char conf_section[300];
    snprintf(conf_section, sizeof(conf_section), strcmp(name, "default") == 0 ? "%s" : "profile %s",
             name);
    /* The credentials file wins over the config file, key by key. */
    const char *keys[] = {"aws_access_key_id", "aws_secret_access_key", "aws_session_token"};
    char *vals[3];
    for (int i = 0; i < 3; i++) {
        vals[i] = cfn__profile_value(cred_file, name, keys[i]);
        if (!vals[i])
            vals[i] = cfn__profile_value(conf_file, conf_section, keys[i]);
    }
    free(cred_file);
    free(conf_file);
    if (!vals[0] || !vals[1]) {
        for (int i = 0; i < 3; i++)
            free(vals[i]);
        return 1;
    }
    c->access_key = vals[0];
    c->secret_key = vals[1];
    c->token = vals[2];
    snprintf(c->source, sizeof(c->source), "profile %.60s", name);
    return 0;
}

/* http only to the hosts the SDKs allow: loopback and the ECS/EKS agents. */
static bool allowed_container_url(const char *url)
{
    if (strncmp(url, "https://", 8) == 0)
        return true;
    if (strncmp(url, "http://", 7) != 0)
        return false;
    const char *h = url + 7;
    size_t n = h[0] == '[' ? strcspn(h, "]") + 1 : strcspn(h, ":/");
    static const char *ok[] = {"localhost", "169.254.170.2", "169.254.170.23", "[::1]",
                               "[fd00:ec2::23]"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (strlen(ok[i]) == n && strncmp(h, ok[i], n) == 0)
            return true;
    return strncmp(h, "127.", 4) == 0 && n <= 15 && strspn(h, "0123456789.") >= n;
}

static int64_t parse_expiration(const char *s)
{
    struct tm tm = {0};
    if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
        return 0;
    return (int64_t)timegm(&tm) * 1000;
}

static char *read_token_file(const char *path)
{
    FILE *f = fopen(path, "r");
    char buf[8192];
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return cfn__strdup(trim(buf));
}

static int from_container(aws_credentials *c, int64_t deadline, char *why, size_t why_size)
{
    const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    char *url = NULL, *token = NULL;
    int rc = 1;
    if (rel && *rel) {
        if (asprintf(&url, "http://169.254.170.2%s", rel) < 0)
            return CFN_ENOMEM;
    } else if (full && *full) {
        if (!allowed_container_url(full)) {
            snprintf(why, why_size,
                     "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to loopback or "
                     "the container agent");
            return 1;
        }
        url = cfn__strdup(full);
    } else {
        return 1;
    }
    const char *token_file = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    const char *token_env = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    if (token_file && *token_file) {
        if (!(token = read_token_file(token_file))) {
            snprintf(why, why_size, "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
            free(url);
            return 1;
        }
    } else if (token_env && *token_env) {
        token = cfn__strdup(token_env);
    }
    http_header h[] = {{"Authorization", token ? token : ""}, {"Accept", "application/json"}};
    int64_t left = deadline ? deadline - cfn__clock_mono_ms() : 5000;
    http_request req = {.method = "GET",
                        .url = url,
                        .headers = token ? h : h + 1,
                        .header_count = token ? 2 : 1,
                        .timeout_ms = left < 5000 ? (left > 0 ? (long)left : 1) : 5000};
    http_response res;
    if (cfn__http_send(&req, &res) < 0) {
        snprintf(why, why_size, "container credentials: %s", cfn_error_last());
    } else if (res.status != 200) {
        snprintf(why, why_size, "container credentials: HTTP %ld", res.status);
    } else {
        cJSON *o = cJSON_ParseWithLength(res.body, res.body_len);
        const cJSON *ak = cJSON_GetObjectItem(o, "AccessKeyId");
        const cJSON *sk = cJSON_GetObjectItem(o, "SecretAccessKey");
        const cJSON *tk = cJSON_GetObjectItem(o, "Token");
        const cJSON *exp = cJSON_GetObjectItem(o, "Expiration");
        if (cJSON_IsString(ak) && cJSON_IsString(sk)) {
            c->access_key = cfn__strdup(ak->valuestring);
            c->secret_key = cfn__strdup(sk->valuestring);
            c->token = cJSON_IsString(tk) ? cfn__strdup(tk->valuestring) : NULL;
            c->expires = parse_expiration(cJSON_IsString(exp) ? exp->valuestring : NULL);
            snprintf(c->source, sizeof(c->source), "container credentials");
            rc = 0;
        } else {
            snprintf(why, why_size, "container credentials: no AccessKeyId in the answer");
        }
        cJSON_Delete(o);
    }
    cfn__http_response_free(&res);
    if (token)
        memset(token, 0, strlen(token));
    free(token);
    free(url);
    return rc;
}

int cfn__creds_resolve(aws_credentials *out, int64_t deadline)
{
    char why[512] = "";
    memset(out, 0, sizeof(*out));
    int rc = from_env(out);
    if (rc == 1)
        rc = from_profile(out);
    if (rc == 1)
        rc = from_container(out, deadline, why, sizeof(why));
    if (rc == 0 && (!out->access_key || !out->secret_key))
        rc = CFN_ENOMEM;
    if (rc == 0)
        return 0;
    cfn__creds_clear(out);
    if (rc == CFN_ENOMEM)
        return cfn_error_set(rc, "out of memory reading AWS credentials");
    return cfn_error_set(CFN_ENOTFOUND,
                         "no AWS credentials found (tried: environment variables "
                         "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; profile \"%s\" in the "
                         "shared credentials and config files; container credentials%s%s)",
                         cfn__profile_name(),
                         why[0] ? ": " : " (AWS_CONTAINER_CREDENTIALS_* not set)", why);
}
