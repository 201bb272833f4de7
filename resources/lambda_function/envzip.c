/* Settings into a package's `.env` at deployment time, with libzip: the
 * archive is rewritten with its other entries copied as they are. */
#include "envzip.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#define MAX_ENV_BYTES (1024 * 1024)
/* 1980-01-02 00:00 UTC: a fixed time for the entry, the earliest a zip
 * (DOS) time holds in every time zone. */
#define FIXED_MTIME 315619200

typedef struct buf {
    char *data;
    size_t len, cap;
} buf;

static int put(buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p)
            return -1;
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int dotenv_valid_name(const char *name)
{
    if (!name ||
        !((*name >= 'A' && *name <= 'Z') || (*name >= 'a' && *name <= 'z') || *name == '_'))
        return 0;
    return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") ==
           strlen(name);
}

char *dotenv_quote(const char *value)
{
    buf b = {0};
    int rc = put(&b, "\"", 1);
    for (const char *p = value; rc == 0 && *p; p++) {
        switch (*p) {
        case '\\':
            rc = put(&b, "\\\\", 2);
            break;
        case '"':
            rc = put(&b, "\\\"", 2);
            break;
        case '\n':
            rc = put(&b, "\\n", 2);
            break;
        case '\r':
            rc = put(&b, "\\r", 2);
            break;
        case '\t':
            rc = put(&b, "\\t", 2);
            break;
        case '$':
            rc = p[1] == '{' ? put(&b, "${:-$}", 6) : put(&b, "$", 1);
            break;
        default:
            rc = put(&b, p, 1);
        }
    }
    if (rc == 0)
        rc = put(&b, "\"", 1);
    if (rc < 0) {
        free(b.data);
        return NULL;
    }
    return b.data;
}

/* The end of the definition starting at `line` (past its last line break),
 * and the name it defines (copied into `name`, "" for comments and blanks).
 * NULL when its quoted value is never closed. */
static const char *definition_end(const char *line, const char *end, char *name, size_t size)
{
    const char *p = line;
    name[0] = '\0';
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (end - p > 7 && strncmp(p, "export ", 7) == 0)
        p += 7;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    const char *k = p;
    while (p < end && (((*p | 32) >= 'a' && (*p | 32) <= 'z') || (*p >= '0' && *p <= '9') ||
                       *p == '_' || *p == '.' || *p == '-'))
        p++;
    size_t klen = (size_t)(p - k);
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (klen && p < end && *p == '=') {
        snprintf(name, size, "%.*s", (int)(klen < size ? klen : size - 1), k);
        p++;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        /* A quoted value may run over several lines. */
        if (p < end && (*p == '"' || *p == '\'')) {
            char q = *p++;
            while (p < end && *p != q) {
                if (*p == '\\' && p + 1 < end)
                    p++;
                p++;
            }
            if (p >= end)
                return NULL;
        }
    }
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? nl + 1 : end;
}

char *dotenv_merge(const char *existing, size_t len, const cJSON *env, size_t *out_len, char *why,
                   size_t why_size)
{
    buf b = {0};
    const char *p = existing ? existing : "", *end = p + (existing ? len : 0);
    char name[256];
    int rc = put(&b, "", 0), line = 1;
    while (rc == 0 && p < end) {
        const char *next = definition_end(p, end, name, sizeof(name));
        if (!next) {
            snprintf(why, why_size, "a quoted value is never closed (%s, line %d)",
                     name[0] ? name : "?", line);
            free(b.data);
            return NULL;
        }
        for (const char *c = p; c < next; c++)
            line += *c == '\n';
        if (!name[0] || !cJSON_GetObjectItemCaseSensitive(env, name)) {
            rc = put(&b, p, (size_t)(next - p));
            if (rc == 0 && next == end && next > p && next[-1] != '\n')
                rc = put(&b, "\n", 1);
        }
        p = next;
    }
    /* New definitions in name order: the same settings, the same bytes. */
    size_t n = (size_t)cJSON_GetArraySize(env);
    const cJSON **items = calloc(n ? n : 1, sizeof(*items));
    const cJSON *it;
    size_t i = 0;
    if (!items) {
        free(b.data);
        return NULL;
    }
    cJSON_ArrayForEach(it, env)
    {
        items[i++] = it;
    }
    for (size_t a = 1; a < n; a++)
        for (size_t c = a; c > 0 && strcmp(items[c - 1]->string, items[c]->string) > 0; c--) {
            const cJSON *t = items[c];
            items[c] = items[c - 1];
            items[c - 1] = t;
        }
    for (i = 0; rc == 0 && i < n; i++) {
        char *q = dotenv_quote(items[i]->valuestring ? items[i]->valuestring : "");
        rc = q ? put(&b, items[i]->string, strlen(items[i]->string)) : -1;
        if (rc == 0)
            rc = put(&b, "=", 1);
        if (rc == 0)
            rc = put(&b, q, strlen(q));
        if (rc == 0)
            rc = put(&b, "\n", 1);
        free(q);
    }
    free(items);
    if (rc < 0) {
        free(b.data);
        return NULL;
    }
    *out_len = b.len;
    return b.data;
}

/* A zip source reading the archive from one descriptor and writing the new
 * archive to another, so that neither needs a name in the file system. */
typedef struct fd_source {
    int in, out;
    zip_uint64_t in_size, out_size;
    zip_uint64_t at, out_at; /* read and write offsets */
    zip_error_t error;
} fd_source;

static zip_int64_t fd_failed(fd_source *s, int code)
{
    zip_error_set(&s->error, code, errno);
    return -1;
}

static zip_int64_t fd_source_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
    fd_source *s = ud;
    zip_int64_t to;
    ssize_t n;
    switch (cmd) {
    case ZIP_SOURCE_OPEN:
        s->at = 0;
        return 0;
    case ZIP_SOURCE_READ:
        if (s->at >= s->in_size)
            return 0;
        n = pread(s->in, data, len, (off_t)s->at);
        if (n < 0)
            return fd_failed(s, ZIP_ER_READ);
        s->at += (zip_uint64_t)n;
        return n;
    case ZIP_SOURCE_SEEK:
        to = zip_source_seek_compute_offset(s->at, s->in_size, data, len, &s->error);
        if (to < 0)
            return -1;
        s->at = (zip_uint64_t)to;
        return 0;
    case ZIP_SOURCE_TELL:
        return (zip_int64_t)s->at;
    case ZIP_SOURCE_STAT:
        zip_stat_init(data);
        ((zip_stat_t *)data)->size = s->in_size;
        ((zip_stat_t *)data)->valid |= ZIP_STAT_SIZE;
        return sizeof(zip_stat_t);
    case ZIP_SOURCE_BEGIN_WRITE:
    case ZIP_SOURCE_ROLLBACK_WRITE:
    case ZIP_SOURCE_REMOVE:
        if (ftruncate(s->out, 0) < 0)
            return fd_failed(s, ZIP_ER_WRITE);
        s->out_at = s->out_size = 0;
        return 0;
    case ZIP_SOURCE_WRITE:
        n = pwrite(s->out, data, len, (off_t)s->out_at);
        if (n < 0)
            return fd_failed(s, ZIP_ER_WRITE);
        s->out_at += (zip_uint64_t)n;
        if (s->out_at > s->out_size)
            s->out_size = s->out_at;
        return n;
    case ZIP_SOURCE_SEEK_WRITE:
        to = zip_source_seek_compute_offset(s->out_at, s->out_size, data, len, &s->error);
        if (to < 0)
            return -1;
        s->out_at = (zip_uint64_t)to;
        return 0;
    case ZIP_SOURCE_TELL_WRITE:
        return (zip_int64_t)s->out_at;
    case ZIP_SOURCE_CLOSE:
    case ZIP_SOURCE_COMMIT_WRITE:
    case ZIP_SOURCE_FREE:
        return 0;
    case ZIP_SOURCE_ERROR:
        return zip_error_to_data(&s->error, data, len);
    case ZIP_SOURCE_SUPPORTS:
        return zip_source_make_command_bitmap(
            ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR,
            ZIP_SOURCE_FREE, ZIP_SOURCE_SEEK, ZIP_SOURCE_TELL, ZIP_SOURCE_SUPPORTS,
            ZIP_SOURCE_BEGIN_WRITE, ZIP_SOURCE_WRITE, ZIP_SOURCE_COMMIT_WRITE,
            ZIP_SOURCE_ROLLBACK_WRITE, ZIP_SOURCE_SEEK_WRITE, ZIP_SOURCE_TELL_WRITE,
            ZIP_SOURCE_REMOVE, -1);
    default:
        zip_error_set(&s->error, ZIP_ER_OPNOTSUPP, 0);
        return -1;
    }
}

/* Adds (or replaces) the entry `name` from `src` with the `.env`'s fixed
 * metadata; on failure `src` is freed and the reason is in `za`. */
static int add_env(zip_t *za, const char *name, zip_source_t *src)
{
    zip_int64_t at = zip_file_add(za, name, src, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8);
    if (at < 0) {
        zip_source_free(src);
        return -1;
    }
    if (zip_file_set_mtime(za, (zip_uint64_t)at, FIXED_MTIME, 0) < 0 ||
        zip_set_file_compression(za, (zip_uint64_t)at, ZIP_CM_DEFLATE, 9) < 0 ||
        zip_file_set_external_attributes(za, (zip_uint64_t)at, 0, ZIP_OPSYS_UNIX,
                                         (zip_uint32_t)0100644 << 16) < 0)
        return -1;
    return 0;
}

int envzip_apply(int in, int out, const char *name, const cJSON *env, char *why, size_t why_size)
{
    zip_error_t ze;
    char *existing = NULL, *merged = NULL;
    zip_uint64_t elen = 0;
    struct stat st_in;
    fd_source fs = {.in = in, .out = out};
    if (fstat(in, &st_in) < 0) {
        snprintf(why, why_size, "cannot read the package: %s", strerror(errno));
        return -1;
    }
    fs.in_size = (zip_uint64_t)st_in.st_size;
    zip_error_init(&fs.error);
    zip_error_init(&ze);
    zip_source_t *archive = zip_source_function_create(fd_source_cb, &fs, &ze);
    zip_t *za = archive ? zip_open_from_source(archive, ZIP_CHECKCONS, &ze) : NULL;
    if (!za) {
        snprintf(why, why_size, "the code object is not a valid zip archive (%s)",
                 zip_error_strerror(&ze));
        zip_error_fini(&ze);
        zip_source_free(archive);
        return -1;
    }
    zip_error_fini(&ze);
    zip_int64_t idx = zip_name_locate(za, name, 0);
    if (idx >= 0) {
        zip_stat_t st;
        zip_file_t *f;
        if (zip_stat_index(za, (zip_uint64_t)idx, 0, &st) < 0 || !(st.valid & ZIP_STAT_SIZE))
            goto zip_failed;
        if (st.size > MAX_ENV_BYTES) {
            zip_discard(za);
            snprintf(why, why_size, "the package's %s is larger than 1 MB", name);
            return -1;
        }
        existing = malloc(st.size + 1);
        if (!existing || !(f = zip_fopen_index(za, (zip_uint64_t)idx, 0)))
            goto zip_failed;
        zip_int64_t got = zip_fread(f, existing, st.size);
        zip_fclose(f);
        if (got < 0 || (zip_uint64_t)got != st.size)
            goto zip_failed;
        elen = st.size;
        existing[elen] = '\0';
    }
    size_t mlen;
    char problem[200] = "";
    merged = dotenv_merge(existing, (size_t)elen, env, &mlen, problem, sizeof(problem));
    if (!merged && problem[0]) {
        snprintf(why, why_size, "the package's %s cannot be merged: %s", name, problem);
        free(existing);
        zip_discard(za);
        return -1;
    }
    if (!merged)
        goto zip_failed;
    /* The source takes the buffer and frees it when the archive is closed. */
    zip_source_t *src = zip_source_buffer(za, merged, mlen, 1);
    if (!src)
        goto zip_failed;
    merged = NULL;
    if (add_env(za, name, src) < 0)
        goto zip_failed;
    free(existing);
    if (zip_close(za) < 0) {
        snprintf(why, why_size, "cannot write the package: %s", zip_strerror(za));
        zip_discard(za);
        return -1;
    }
    return 0;
zip_failed:
    snprintf(why, why_size, "cannot update %s in the package: %s", name, zip_strerror(za));
    free(existing);
    free(merged);
    zip_discard(za);
    return -1;
}

int envzip_entry(const char *name, const char *data, size_t len, const void *base, size_t base_len,
                 char **out, size_t *out_len)
{
    zip_error_t ze;
    zip_stat_t st;
    char *bytes = NULL;
    int rc = -1;
    zip_error_init(&ze);
    zip_source_t *mem = zip_source_buffer_create(base, base ? base_len : 0, 0, &ze);
    zip_t *za = NULL;
    if (!mem)
        goto done;
    zip_source_keep(mem);
    if (!(za = zip_open_from_source(mem, base ? 0 : ZIP_TRUNCATE, &ze)))
        goto done;
    zip_source_t *src = zip_source_buffer(za, data, len, 0);
    if (!src || add_env(za, name, src) < 0 || zip_close(za) < 0) {
        zip_discard(za);
        goto done;
    }
    if (zip_source_stat(mem, &st) < 0 || !(st.valid & ZIP_STAT_SIZE) ||
        !(bytes = malloc(st.size ? st.size : 1)) || zip_source_open(mem) < 0)
        goto done;
    zip_int64_t got = zip_source_read(mem, bytes, st.size);
    zip_source_close(mem);
    if (got < 0 || (zip_uint64_t)got != st.size)
        goto done;
    *out = bytes;
    *out_len = st.size;
    bytes = NULL;
    rc = 0;
done:
    free(bytes);
    zip_source_free(mem);
    zip_error_fini(&ze);
    return rc;
}
