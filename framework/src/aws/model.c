/* The service models of cfn_aws_call: inflating and indexing them on first
 * use, shape lookups, timestamps, input checks and the JSON rewrites the
 * protocols share. */
#include "model.h"

#include "strbuf.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static aws_model *cache[64];

const aws_model_entry *cfn__aws_service(const char *cli)
{
    for (const aws_model_entry *e = cfn__aws_models; cli && e->cli; e++)
        if (strcmp(e->cli, cli) == 0)
            return e;
    return NULL;
}

static int load(const aws_model_entry *e, aws_model **out)
{
    aws_model *m = calloc(1, sizeof(*m));
    uLongf n = (uLongf)e->raw_len;
    if (!m || !(m->text = malloc(e->raw_len + 1))) {
        free(m);
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    if (uncompress((Bytef *)m->text, &n, (const Bytef *)e->model, (uLong)e->model_len) != Z_OK ||
        n != e->raw_len) {
        free(m->text);
        free(m);
        return cfn_error_set(CFN_ERROR, "%s: the built-in API model is damaged", e->svc.name);
    }
    m->text[n] = '\0';
    size_t lines = 0;
    for (const char *p = m->text; (p = strchr(p, '\n')); p++)
        lines++;
    const char *first_end = strchr(m->text, '\n');
    size_t first_len = first_end ? (size_t)(first_end - m->text) : n;
    m->ops = cJSON_ParseWithLength(m->text, first_len);
    m->shapes = calloc(lines + 1, sizeof(*m->shapes));
    if (!m->ops || !m->shapes) {
        cJSON_Delete(m->ops);
        free(m->shapes);
        free(m->text);
        free(m);
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    for (const char *p = first_end; p && *p == '\n';) {
        const char *line = p + 1, *nl = strchr(line, '\n'), *sp = strchr(line, ' ');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (sp && sp < line + len) {
            aws_shape_line *l = &m->shapes[m->nshapes++];
            l->name = line;
            l->name_len = (size_t)(sp - line);
            l->json = sp + 1;
            l->json_len = len - l->name_len - 1;
        }
        p = nl;
    }
    m->entry = e;
    *out = m;
    return 0;
}

int cfn__aws_model(const aws_model_entry *e, const aws_model **out)
{
    size_t i = (size_t)(e - cfn__aws_models);
    int rc = 0;
    if (i >= sizeof(cache) / sizeof(cache[0]))
        return cfn_error_set(CFN_EINVAL, "%s: no room for its model", e->svc.name);
    pthread_mutex_lock(&lock);
    if (!cache[i])
        rc = load(e, &cache[i]);
    *out = cache[i];
    pthread_mutex_unlock(&lock);
    return rc;
}

static int cmp_name(const char *name, const aws_shape_line *l)
{
    int c = strncmp(name, l->name, l->name_len);
    return c ? c : (name[l->name_len] != '\0');
}

const cJSON *cfn__aws_shape(const aws_model *m, const char *name)
{
    size_t lo = 0, hi = m->nshapes;
    while (name && lo < hi) {
        size_t mid = (lo + hi) / 2;
        aws_shape_line *l = &m->shapes[mid];
        int c = cmp_name(name, l);
        if (c < 0) {
            hi = mid;
        } else if (c > 0) {
            lo = mid + 1;
        } else {
            pthread_mutex_lock(&lock);
            if (!l->parsed && (l->parsed = cJSON_ParseWithLength(l->json, l->json_len)) &&
                !(l->parsed->string = strndup(l->name, l->name_len))) {
                cJSON_Delete(l->parsed);
                l->parsed = NULL;
            }
            pthread_mutex_unlock(&lock);
            return l->parsed;
        }
    }
    return NULL;
}

const char *cfn__aws_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool cfn__aws_flag(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key) != NULL;
}

const cJSON *cfn__aws_ref_shape(const aws_model *m, const cJSON *ref)
{
    return cfn__aws_shape(m, cfn__aws_str(ref, "s"));
}

/* Case-insensitive edit distance, bounded to short names. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 127 || lb > 127)
        return 1000;
    size_t row[128];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

void cfn__aws_close_names(const char *name, const cJSON *obj, const char *const *names, char *buf,
                          size_t size)
{
    const char *best[3] = {NULL, NULL, NULL};
    size_t dist[3] = {SIZE_MAX, SIZE_MAX, SIZE_MAX};
    const cJSON *item = obj ? obj->child : NULL;
    for (size_t k = 0;; k++) {
        const char *cand = obj ? (item ? item->string : NULL) : names[k];
        if (!cand)
            break;
        if (obj)
            item = item->next;
        size_t d = distance(name, cand);
        /* A name containing the other (case aside) counts as close. */
        if (strcasestr(cand, name) || strcasestr(name, cand))
            d = d < 2 ? d : 2;
        for (size_t i = 0; i < 3; i++) {
            if (d < dist[i]) {
                for (size_t j = 2; j > i; j--) {
                    dist[j] = dist[j - 1];
                    best[j] = best[j - 1];
                }
                dist[i] = d;
                best[i] = cand;
                break;
            }
        }
    }
    buf[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < 3 && best[i] && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", best[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

int cfn__aws_time_parse(const char *text, double *epoch)
{
    char *end;
    int y, mo, d, h, mi, s, n = 0;
    double frac = 0;
    if (!text || !*text)
        return -1;
    double num = strtod(text, &end);
    if (*end == '\0' && strspn(text, "0123456789.-") == strlen(text)) {
        *epoch = num;
        return 0;
    }
    if (sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) == 6 && n == 19) {
        const char *p = text + n;
        if (*p == '.') {
            frac = strtod(p, &end);
            p = end;
        }
        int off = 0;
        if (*p == '+' || *p == '-') {
            int oh, om, k = 0;
            if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &k) != 2 || p[1 + k] != '\0')
                return -1;
            off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
        } else if (strcmp(p, "Z") != 0 && *p != '\0') {
            return -1;
        }
        if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
            return -1;
        *epoch = (double)(days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 +
                          mi * 60 + s - off) +
                 frac;
        return 0;
    }
    char mon[4];
    if (sscanf(text, "%*3s, %2d %3s %4d %2d:%2d:%2d GMT%n", &d, mon, &y, &h, &mi, &s, &n) == 6 &&
        text[n] == '\0') {
        const char *at = strstr(months, mon);
        if (!at || (at - months) % 3)
            return -1;
        *epoch =
            (double)(days_from_civil(y, (unsigned)((at - months) / 3 + 1), (unsigned)d) * 86400 +
                     h * 3600 + mi * 60 + s);
        return 0;
    }
    return -1;
}

void cfn__aws_time_format(double epoch, const char *format, char *buf, size_t size)
{
    double whole = floor(epoch);
    long micros = lround((epoch - whole) * 1e6);
    if (micros >= 1000000) {
        whole += 1;
        micros = 0;
    }
    time_t t = (time_t)whole;
    struct tm tm;
    gmtime_r(&t, &tm);
    if (format && strcmp(format, "rfc822") == 0) {
        strftime(buf, size, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        return;
    }
    char base[32], fr[32] = "";
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    bool cli = format && strcmp(format, "cli") == 0;
    if (micros)
        snprintf(fr, sizeof(fr), ".%06ld", micros % 1000000);
    snprintf(buf, size, "%s%s%s", base, fr, cli ? "+00:00" : "Z");
}

static const char *type_of(const cJSON *shape)
{
    const char *t = cfn__aws_str(shape, "t");
    return t ? t : "";
}

static bool is_int(const char *t)
{
    return strcmp(t, "integer") == 0 || strcmp(t, "long") == 0;
}

static bool is_float(const char *t)
{
    return strcmp(t, "double") == 0 || strcmp(t, "float") == 0;
}

static int check(const aws_model *m, const char *op, const cJSON *shape, const cJSON *v,
                 strbuf *path, int depth)
{
    const char *t = type_of(shape);
    const char *want = NULL;
    size_t mark = path->len;
    int rc = 0;
    if (depth > 64)
        return cfn_error_set(CFN_EINVAL, "%s %s: %s nests too deeply", m->entry->svc.name, op,
                             path->len ? path->data : "the input");
    if (strcmp(t, "structure") == 0) {
        if (!cJSON_IsObject(v))
            want = "an object";
        const cJSON *members = cJSON_GetObjectItemCaseSensitive(shape, "m");
        for (const cJSON *it = want ? NULL : v->child; it && rc == 0; it = it->next) {
            const cJSON *ref = cJSON_GetObjectItemCaseSensitive(members, it->string);
            if (!ref) {
                char close[256];
                cfn__aws_close_names(it->string, members, NULL, close, sizeof(close));
                return cfn_error_set(CFN_EINVAL, "%s %s: unknown parameter %s%s%s (closest: %s)",
                                     m->entry->svc.name, op, path->len ? path->data : "",
                                     path->len ? "." : "", it->string, close[0] ? close : "none");
            }
            if (cfn__sb_printf(path, "%s%s", path->len ? "." : "", it->string) < 0)
                return CFN_ENOMEM;
            rc = check(m, op, cfn__aws_ref_shape(m, ref), it, path, depth + 1);
            path->len = mark;
            path->data[mark] = '\0';
        }
        /* Unknown members first: "QueueNam" is better told as a typo. */
        const cJSON *required = cJSON_GetObjectItemCaseSensitive(shape, "r");
        for (const cJSON *r = want || rc ? NULL : required ? required->child : NULL; r; r = r->next)
            if (cJSON_IsString(r) && !cJSON_GetObjectItemCaseSensitive(v, r->valuestring))
                return cfn_error_set(CFN_EINVAL, "%s %s: %s%s%s is required", m->entry->svc.name,
                                     op, path->len ? path->data : "", path->len ? "." : "",
                                     r->valuestring);
    } else if (strcmp(t, "list") == 0) {
        if (!cJSON_IsArray(v))
            want = "a list";
        const cJSON *mem = cfn__aws_ref_shape(m, cJSON_GetObjectItemCaseSensitive(shape, "m"));
        int i = 0;
        for (const cJSON *it = want ? NULL : v->child; it && rc == 0; it = it->next, i++) {
            if (cfn__sb_printf(path, "[%d]", i) < 0)
                return CFN_ENOMEM;
            rc = check(m, op, mem, it, path, depth + 1);
            path->len = mark;
            path->data[mark] = '\0';
        }
    } else if (strcmp(t, "map") == 0) {
        if (!cJSON_IsObject(v))
            want = "an object";
        const cJSON *val = cfn__aws_ref_shape(m, cJSON_GetObjectItemCaseSensitive(shape, "v"));
        for (const cJSON *it = want ? NULL : v->child; it && rc == 0; it = it->next) {
            if (cfn__sb_printf(path, "%s%s", path->len ? "." : "", it->string) < 0)
                return CFN_ENOMEM;
            rc = check(m, op, val, it, path, depth + 1);
            path->len = mark;
            path->data[mark] = '\0';
        }
    } else if (strcmp(t, "boolean") == 0) {
        if (!cJSON_IsBool(v))
            want = "true or false";
    } else if (is_int(t)) {
        if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble))
            want = "an integer";
    } else if (is_float(t)) {
        if (!cJSON_IsNumber(v))
            want = "a number";
    } else if (strcmp(t, "document") == 0) {
        /* any JSON value */
    } else if (strcmp(t, "timestamp") == 0) {
        double e;
        if (!cJSON_IsNumber(v) &&
            !(cJSON_IsString(v) && cfn__aws_time_parse(v->valuestring, &e) == 0))
            want = "a timestamp (ISO 8601 or epoch seconds)";
    } else if (!cJSON_IsString(v)) {
        want = "a string";
    }
    if (want)
        return cfn_error_set(CFN_EINVAL, "%s %s: %s must be %s", m->entry->svc.name, op,
                             path->len ? path->data : "the input", want);
    return rc;
}

int cfn__aws_check_input(const aws_model *m, const char *op, const cJSON *shape, const cJSON *input)
{
    strbuf path = {0};
    if (!shape) {
        if (input && cJSON_IsObject(input) && input->child)
            return cfn_error_set(CFN_EINVAL, "%s %s takes no parameters", m->entry->svc.name, op);
        return 0;
    }
    cJSON empty = {.type = cJSON_Object};
    int rc = check(m, op, shape, input ? input : &empty, &path, 0);
    free(path.data);
    return rc == CFN_ENOMEM ? cfn_error_set(CFN_ENOMEM, "out of memory") : rc;
}

/* Replaces item `old` of `parent` with `repl` (which takes its name). */
static int replace(cJSON *parent, cJSON *old, cJSON *repl)
{
    if (!repl)
        return CFN_ENOMEM;
    if (old->string && !(repl->string = cfn__strdup(old->string))) {
        cJSON_Delete(repl);
        return CFN_ENOMEM;
    }
    return cJSON_ReplaceItemViaPointer(parent, old, repl) ? 0 : CFN_ENOMEM;
}

/* The member reference of `members` whose name on the wire is `wire`. */
static const cJSON *member_by_wire(const cJSON *members, const char *wire)
{
    for (const cJSON *ref = members ? members->child : NULL; ref; ref = ref->next) {
        const char *l = cfn__aws_str(ref, "l");
        if (strcmp(l ? l : ref->string, wire) == 0)
            return ref;
    }
    return NULL;
}

static int rename_item(cJSON *item, const char *name)
{
    char *n = cfn__strdup(name);
    if (!n)
        return CFN_ENOMEM;
    if (!(item->type & cJSON_StringIsConst))
        free(item->string);
    item->type &= ~cJSON_StringIsConst;
    item->string = n;
    return 0;
}

/* Walks `v` of `shape`, renaming members (wire <-> API) and converting
 * timestamps; `out` is the direction (answer to the CLI's JSON). */
static int walk(const aws_model *m, const cJSON *shape, cJSON *parent, cJSON *v, bool out,
                int depth)
{
    const char *t = type_of(shape);
    int rc = 0;
    if (!v || depth > 64)
        return 0;
    if (strcmp(t, "structure") == 0 && cJSON_IsObject(v)) {
        const cJSON *members = cJSON_GetObjectItemCaseSensitive(shape, "m");
        /* As the SDKs read an answer: members the model does not know, and
         * nulls, are left out. */
        for (cJSON *it = out ? v->child : NULL, *next; it; it = next) {
            next = it->next;
            if (cJSON_IsNull(it) || !it->string || !member_by_wire(members, it->string))
                cJSON_Delete(cJSON_DetachItemViaPointer(v, it));
        }
        for (const cJSON *ref = members ? members->child : NULL; ref && rc == 0; ref = ref->next) {
            const char *wire = cfn__aws_str(ref, "l");
            const char *from = out && wire ? wire : ref->string;
            cJSON *it = cJSON_GetObjectItemCaseSensitive(v, from);
            if (!it)
                continue;
            if (wire && strcmp(wire, ref->string) != 0 &&
                (rc = rename_item(it, out ? ref->string : wire)) < 0)
                return rc;
            rc = walk(m, cfn__aws_ref_shape(m, ref), v, it, out, depth + 1);
        }
    } else if (strcmp(t, "list") == 0 && cJSON_IsArray(v)) {
        const cJSON *mem = cfn__aws_ref_shape(m, cJSON_GetObjectItemCaseSensitive(shape, "m"));
        for (cJSON *it = v->child, *next; it && rc == 0; it = next) {
            next = it->next;
            rc = walk(m, mem, v, it, out, depth + 1);
        }
    } else if (strcmp(t, "map") == 0 && cJSON_IsObject(v)) {
        const cJSON *val = cfn__aws_ref_shape(m, cJSON_GetObjectItemCaseSensitive(shape, "v"));
        for (cJSON *it = v->child, *next; it && rc == 0; it = next) {
            next = it->next;
            rc = walk(m, val, v, it, out, depth + 1);
        }
    } else if (strcmp(t, "timestamp") == 0 && parent) {
        double e;
        if (cJSON_IsNumber(v))
            e = v->valuedouble;
        else if (!cJSON_IsString(v) || cfn__aws_time_parse(v->valuestring, &e) < 0)
            return 0;
        if (out) {
            char buf[64];
            cfn__aws_time_format(e, "cli", buf, sizeof(buf));
            rc = replace(parent, v, cJSON_CreateString(buf));
        } else {
            const char *f = cfn__aws_str(shape, "tf");
            if (f && strcmp(f, "unixTimestamp") != 0) {
                char buf[64];
                cfn__aws_time_format(e, f, buf, sizeof(buf));
                rc = replace(parent, v, cJSON_CreateString(buf));
            } else if (!cJSON_IsNumber(v)) {
                rc = replace(parent, v, cJSON_CreateNumber(e));
            }
        }
    }
    return rc;
}

int cfn__aws_json_out(const aws_model *m, const cJSON *shape, cJSON *v)
{
    return walk(m, shape, NULL, v, true, 0) < 0 ? cfn_error_set(CFN_ENOMEM, "out of memory") : 0;
}

int cfn__aws_json_in(const aws_model *m, const cJSON *shape, cJSON *v)
{
    return walk(m, shape, NULL, v, false, 0) < 0 ? cfn_error_set(CFN_ENOMEM, "out of memory") : 0;
}

char *cfn__aws_scalar_text(const cJSON *shape, const cJSON *v, const char *tformat)
{
    const char *t = type_of(shape);
    char buf[64];
    if (strcmp(t, "timestamp") == 0) {
        double e;
        if (cJSON_IsNumber(v))
            e = v->valuedouble;
        else if (!cJSON_IsString(v) || cfn__aws_time_parse(v->valuestring, &e) < 0)
            return NULL;
        const char *f = cfn__aws_str(shape, "tf");
        if (f && strcmp(f, "unixTimestamp") == 0) {
            snprintf(buf, sizeof(buf), "%.17g", e);
            return cfn__strdup(buf);
        }
        cfn__aws_time_format(e, f ? f : tformat, buf, sizeof(buf));
        return cfn__strdup(buf);
    }
    if (cJSON_IsString(v))
        return cfn__strdup(v->valuestring);
    if (cJSON_IsBool(v))
        return cfn__strdup(cJSON_IsTrue(v) ? "true" : "false");
    if (cJSON_IsNumber(v)) {
        if (is_int(t) || v->valuedouble == floor(v->valuedouble))
            snprintf(buf, sizeof(buf), "%.0f", v->valuedouble);
        else
            snprintf(buf, sizeof(buf), "%.17g", v->valuedouble);
        return cfn__strdup(buf);
    }
    return NULL;
}
