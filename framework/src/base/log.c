/* Log lines on stderr: text, or JSON lines when AWS_LAMBDA_LOG_FORMAT=JSON. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char *level_names[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};

bool cfn__log_json(void)
{
    const char *f = getenv("AWS_LAMBDA_LOG_FORMAT");
    return f && strcasecmp(f, "JSON") == 0;
}

static cfn_log_level min_level(void)
{
    const char *l = getenv("AWS_LAMBDA_LOG_LEVEL");
    if (l)
        for (int i = CFN_LOG_TRACE; i <= CFN_LOG_FATAL; i++)
            if (strcasecmp(l, level_names[i]) == 0)
                return (cfn_log_level)i;
    return CFN_LOG_INFO;
}

static void timestamp(char *buf, size_t size)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* Writes one whole line with a single write so that lines of the runtime and
 * of its handler children never interleave. */
void cfn__log_emit(cfn_log_level level, const char *message, cJSON *fields)
{
    char ts[40];
    char *line = NULL;
    timestamp(ts, sizeof(ts));
    if (cfn__log_json()) {
        cJSON *o = fields ? fields : cJSON_CreateObject();
        if (!o)
            return;
        cJSON_AddStringToObject(o, "timestamp", ts);
        cJSON_AddStringToObject(o, "level", level_names[level]);
        cJSON_AddStringToObject(o, "message", message);
        char *s = cJSON_PrintUnformatted(o);
        if (s && asprintf(&line, "%s\n", s) < 0)
            line = NULL;
        free(s);
        cJSON_Delete(o);
    } else {
        cJSON_Delete(fields);
        if (asprintf(&line, "%s %s %s\n", ts, level_names[level], message) < 0)
            line = NULL;
        /* One event, one line: control characters cannot split it. */
        for (char *p = line ? strchr(line, ' ') : NULL; p && p[1]; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                *p = ' ';
    }
    if (line) {
        fputs(line, stderr);
        fflush(stderr);
        free(line);
    }
}

bool cfn__log_enabled(cfn_log_level level)
{
    return level >= min_level() && level <= CFN_LOG_FATAL;
}

void cfn_log(cfn_log_level level, const char *fmt, ...)
{
    if (!cfn__log_enabled(level))
        return;
    char *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    if (msg)
        cfn__log_emit(level, msg, NULL);
    free(msg);
}

char *cfn_redact_url(const char *url, char *buf, size_t size)
{
    if (!size)
        return buf;
    size_t n = url ? strcspn(url, "?#") : 0, j = 0;
    /* Userinfo ("user:password@") in the authority is a credential too: the
     * authority runs from "//" to the first '/' (a backslash too is taken as
     * userinfo, whatever a client makes of it), and its last '@' ends it. */
    const char *auth = url ? strstr(url, "//") : NULL;
    size_t from = 0, to = 0;
    if (auth && (size_t)(auth - url) < n) {
        size_t a = (size_t)(auth - url) + 2, end = a + strcspn(url + a, "/");
        if (end > n)
            end = n;
        for (size_t i = end; i > a; i--)
            if (url[i - 1] == '@') {
                from = a;
                to = i;
                break;
            }
    }
    for (size_t i = 0; i < n && j + 1 < size; i++) {
        if (to && i == from) {
            static const char mark[] = "[userinfo]@";
            for (size_t k = 0; mark[k] && j + 1 < size; k++)
                buf[j++] = mark[k];
            i = to - 1;
            continue;
        }
        buf[j++] = url[i];
    }
    buf[j] = '\0';
    return buf;
}
