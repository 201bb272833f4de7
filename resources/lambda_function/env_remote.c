/* The `.env` written into a large package inside S3: the new archive is
 * described from the source's end records and central directory (ranged
 * reads), then built by a multipart upload of server-side range copies and
 * the few new bytes. */
#include "env_remote.h"
#include "envzip.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#define SIG_LOCAL     0x04034b50u
#define SIG_CENTRAL   0x02014b50u
#define SIG_END       0x06054b50u
#define SIG_END64     0x06064b50u
#define SIG_LOCATOR64 0x07064b50u
#define END_LEN       22
#define END64_LEN     56
#define LOCATOR64_LEN 20
#define CENTRAL_LEN   46
#define MAX_ENV_BYTES (1024 * 1024)
/* A .env entry of at most 1 MB, its headers and a data descriptor. */
#define MAX_ENV_ENTRY (MAX_ENV_BYTES + 3 * 65536 + 1024)
#define MAX_CDIR      (512LL * 1024 * 1024)

static uint16_t le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void put16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(unsigned char *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

/* ---- part planning ---- */

typedef struct plan {
    env_span *spans;
    size_t n, cap;
    int part;
    bool open;         /* an uploaded part is being filled */
    long long pending; /* its size so far */
} plan;

static int add_span(plan *p, env_span_kind kind, long long from, long long len)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        env_span *s = realloc(p->spans, cap * sizeof(*s));
        if (!s)
            return -1;
        p->spans = s;
        p->cap = cap;
    }
    p->spans[p->n++] = (env_span){p->part, kind, from, len};
    return 0;
}

/* A source range: copied by S3 when it can stand as parts of its own,
 * otherwise read into the uploaded part (taking from it what that part needs
 * to reach the minimum). */
static int plan_range(plan *p, const env_limits *lim, long long from, long long len)
{
    while (len > 0) {
        if (p->open) {
            long long need = lim->min_part - p->pending;
            if (need <= 0) {
                p->open = false;
                continue;
            }
            long long take = len - need >= lim->min_part ? need : len;
            if (add_span(p, ENV_SPAN_READ, from, take) < 0)
                return -1;
            p->pending += take;
            from += take;
            len -= take;
            if (len > 0)
                p->open = false;
        } else if (len >= lim->min_part) {
            long long k = (len + lim->max_part - 1) / lim->max_part;
            for (long long j = 0; j < k; j++) {
                long long n = len / k + (j < len % k);
                p->part++;
                if (add_span(p, ENV_SPAN_COPY, from, n) < 0)
                    return -1;
                from += n;
            }
            len = 0;
        } else {
            p->part++;
            p->open = true;
            p->pending = 0;
        }
    }
    return 0;
}

int env_plan(const env_seg *segs, size_t nsegs, const env_limits *lim, env_span **spans,
             size_t *nspans, int *nparts, char *why, size_t why_size)
{
    plan p = {0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < nsegs; i++) {
        if (segs[i].len <= 0)
            continue;
        if (!segs[i].literal) {
            rc = plan_range(&p, lim, segs[i].from, segs[i].len);
            continue;
        }
        if (!p.open) {
            p.part++;
            p.open = true;
            p.pending = 0;
        }
        rc = add_span(&p, ENV_SPAN_LITERAL, segs[i].from, segs[i].len);
        p.pending += segs[i].len;
    }
    if (rc < 0) {
        snprintf(why, why_size, "out of memory");
        goto fail;
    }
    if (p.part > lim->max_parts) {
        snprintf(why, why_size, "the package needs %d parts, more than S3's %d", p.part,
                 lim->max_parts);
        goto fail;
    }
    for (size_t i = 0, j; i < p.n; i = j) {
        long long size = 0;
        for (j = i; j < p.n && p.spans[j].part == p.spans[i].part; j++)
            size += p.spans[j].len;
        if (size > lim->max_part) {
            snprintf(why, why_size, "part %d would be %lld bytes, more than S3's %lld",
                     p.spans[i].part, size, lim->max_part);
            goto fail;
        }
    }
    *spans = p.spans;
    *nspans = p.n;
    *nparts = p.part;
    return 0;
fail:
    free(p.spans);
    return -1;
}

/* ---- the new archive ---- */

/* One central directory record of the source. */
typedef struct record {
    size_t at, len;   /* within the central directory */
    long long offset; /* of its local header */
    size_t offset_at; /* where the offset is stored, within the directory */
    bool offset_wide; /* in the zip64 extra field (8 bytes) */
    long long usize;  /* uncompressed size */
} record;

typedef struct source_dir {
    long long cd_off, cd_size, count;
    unsigned char *cd;
    record *recs;
    char *comment;
    size_t comment_len;
} source_dir;

static int invalid(char *why, size_t why_size, const char *what)
{
    snprintf(why, why_size, "the code object is not a valid zip archive (%s)", what);
    return -1;
}

/* The end records: where the central directory is and how many records. */
static int read_end(long long size, env_read_fn read, void *arg, source_dir *d, char *why,
                    size_t why_size)
{
    long long tail_len =
        size < END_LEN + 65535 + LOCATOR64_LEN ? size : END_LEN + 65535 + LOCATOR64_LEN;
    unsigned char *tail = NULL, *rec64 = NULL;
    long long p, records_at;
    int rc = -1;
    if (size < END_LEN)
        return invalid(why, why_size, "not a zip archive");
    if (read(arg, size - tail_len, (size_t)tail_len, (char **)&tail, why, why_size) < 0)
        return -1;
    for (p = tail_len - END_LEN; p >= 0; p--)
        if (le32(tail + p) == SIG_END && p + END_LEN + le16(tail + p + 20) == tail_len)
            break;
    if (p < 0) {
        invalid(why, why_size, "not a zip archive");
        goto done;
    }
    d->count = le16(tail + p + 10);
    d->cd_size = le32(tail + p + 12);
    d->cd_off = le32(tail + p + 16);
    d->comment_len = le16(tail + p + 20);
    records_at = size - tail_len + p;
    if (!(d->comment = malloc(d->comment_len + 1))) {
        snprintf(why, why_size, "out of memory");
        goto done;
    }
    memcpy(d->comment, tail + p + END_LEN, d->comment_len);
    if (p >= LOCATOR64_LEN && le32(tail + p - LOCATOR64_LEN) == SIG_LOCATOR64) {
        long long at = (long long)le64(tail + p - LOCATOR64_LEN + 8);
        if (at < 0 || at + END64_LEN > records_at - LOCATOR64_LEN) {
            invalid(why, why_size, "the zip64 end record is out of the archive");
            goto done;
        }
        if (read(arg, at, END64_LEN, (char **)&rec64, why, why_size) < 0)
            goto done;
        if (le32(rec64) != SIG_END64) {
            invalid(why, why_size, "no zip64 end record where its locator points");
            goto done;
        }
        d->count = (long long)le64(rec64 + 32);
        d->cd_size = (long long)le64(rec64 + 40);
        d->cd_off = (long long)le64(rec64 + 48);
        records_at = at;
    }
    if (d->cd_off < 0 || d->cd_size < 0 || d->cd_off + d->cd_size != records_at) {
        invalid(why, why_size, "the central directory is not where the end record puts it");
        goto done;
    }
    if (d->cd_size > MAX_CDIR || d->count > d->cd_size / CENTRAL_LEN) {
        invalid(why, why_size, "implausible central directory");
        goto done;
    }
    rc = 0;
done:
    free(tail);
    free(rec64);
    return rc;
}

/* The local header offset of the record at `at`, from the zip64 extra
 * field when the 32-bit field says so. */
static int record_offset(const unsigned char *cd, record *r)
{
    const unsigned char *h = cd + r->at;
    size_t nlen = le16(h + 28), xlen = le16(h + 30);
    r->usize = le32(h + 24);
    r->offset = le32(h + 42);
    r->offset_at = r->at + 42;
    r->offset_wide = false;
    if (r->offset != 0xFFFFFFFFLL && r->usize != 0xFFFFFFFFLL)
        return 0;
    for (size_t x = 0; x + 4 <= xlen;) {
        const unsigned char *e = h + CENTRAL_LEN + nlen + x;
        size_t elen = le16(e + 2);
        if (x + 4 + elen > xlen)
            return -1;
        if (le16(e) == 0x0001) {
            size_t pos = 4;
            if (le32(h + 24) == 0xFFFFFFFFu) {
                if (pos + 8 > 4 + elen)
                    return -1;
                r->usize = (long long)le64(e + pos);
                pos += 8;
            }
            if (le32(h + 20) == 0xFFFFFFFFu)
                pos += 8;
            if (le32(h + 42) == 0xFFFFFFFFu) {
                if (pos + 8 > 4 + elen)
                    return -1;
                r->offset = (long long)le64(e + pos);
                r->offset_at = (size_t)(e + pos - cd);
                r->offset_wide = true;
            }
            return 0;
        }
        x += 4 + elen;
    }
    return r->offset == 0xFFFFFFFFLL ? -1 : 0;
}

static int read_directory(env_read_fn read, void *arg, source_dir *d, char *why, size_t why_size)
{
    size_t at = 0;
    if (d->cd_size && read(arg, d->cd_off, (size_t)d->cd_size, (char **)&d->cd, why, why_size) < 0)
        return -1;
    if (!(d->recs = calloc(d->count ? (size_t)d->count : 1, sizeof(*d->recs)))) {
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    for (long long i = 0; i < d->count; i++) {
        const unsigned char *h = d->cd + at;
        if (at + CENTRAL_LEN > (size_t)d->cd_size || le32(h) != SIG_CENTRAL)
            return invalid(why, why_size, "bad central directory record");
        size_t len = CENTRAL_LEN + (size_t)le16(h + 28) + le16(h + 30) + le16(h + 32);
        if (at + len > (size_t)d->cd_size)
            return invalid(why, why_size, "central directory record out of bounds");
        d->recs[i] = (record){.at = at, .len = len};
        if (record_offset(d->cd, &d->recs[i]) < 0 || d->recs[i].offset >= d->cd_off)
            return invalid(why, why_size, "bad local header offset");
        at += len;
    }
    if (at != (size_t)d->cd_size)
        return invalid(why, why_size, "the central directory has more than its records");
    return 0;
}

/* The existing .env entry's content: its local entry and central record
 * form a one-entry archive that libzip reads (decompression, checksum,
 * data descriptors, zip64 fields). That archive is kept in *base: the
 * new entry replaces the old one in it as the local rewrite would. */
static int read_existing(const source_dir *d, const record *r, const char *entry, size_t elen,
                         const char *name, char **out, size_t *out_len, unsigned char **base,
                         size_t *base_len, char *why, size_t why_size)
{
    size_t total = elen + r->len + END_LEN;
    unsigned char *mini = malloc(total);
    zip_error_t ze;
    zip_t *za = NULL;
    zip_file_t *f = NULL;
    zip_stat_t st;
    char *data = NULL;
    int rc = -1;
    zip_error_init(&ze);
    if (!mini) {
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    memcpy(mini, entry, elen);
    memcpy(mini + elen, d->cd + r->at, r->len);
    if (r->offset_wide)
        put64(mini + elen + (r->offset_at - r->at), 0);
    else
        put32(mini + elen + 42, 0);
    unsigned char *e = mini + elen + r->len;
    memset(e, 0, END_LEN);
    put32(e, SIG_END);
    put16(e + 8, 1);
    put16(e + 10, 1);
    put32(e + 12, (uint32_t)r->len);
    put32(e + 16, (uint32_t)elen);
    zip_source_t *src = zip_source_buffer_create(mini, total, 0, &ze);
    if (!src || !(za = zip_open_from_source(src, ZIP_CHECKCONS | ZIP_RDONLY, &ze))) {
        zip_source_free(src);
        snprintf(why, why_size, "the code object is not a valid zip archive (%s: %s)", name,
                 zip_error_strerror(&ze));
        goto done;
    }
    if (zip_stat_index(za, 0, 0, &st) < 0 || !(st.valid & ZIP_STAT_SIZE)) {
        snprintf(why, why_size, "cannot update %s in the package: %s", name, zip_strerror(za));
        goto done;
    }
    if (st.size > MAX_ENV_BYTES) {
        snprintf(why, why_size, "the package's %s is larger than 1 MB", name);
        goto done;
    }
    zip_int64_t got = -1;
    if ((data = malloc(st.size + 1)) && (f = zip_fopen_index(za, 0, 0)))
        got = zip_fread(f, data, st.size);
    if (got < 0 || (zip_uint64_t)got != st.size) {
        snprintf(why, why_size, "cannot update %s in the package: %s", name,
                 f ? zip_file_strerror(f) : zip_strerror(za));
        goto done;
    }
    data[st.size] = '\0';
    *out = data;
    *out_len = st.size;
    *base = mini;
    *base_len = total;
    data = NULL;
    mini = NULL;
    rc = 0;
done:
    if (f)
        zip_fclose(f);
    if (za)
        zip_discard(za);
    zip_error_fini(&ze);
    free(data);
    free(mini);
    return rc;
}

typedef struct outbuf {
    unsigned char *data;
    size_t len, cap;
} outbuf;

static unsigned char *grow(outbuf *b, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *p = realloc(b->data, cap);
        if (!p)
            return NULL;
        b->data = p;
        b->cap = cap;
    }
    b->len += n;
    return b->data + b->len - n;
}

static int append(outbuf *b, const void *s, size_t n)
{
    unsigned char *p = grow(b, n);
    if (!p)
        return -1;
    memcpy(p, s, n);
    return 0;
}

/* The new .env's central record (from libzip's one-entry archive) at
 * `offset`: past 4 GiB the offset moves to a zip64 extra field, as libzip
 * writes it. */
static int append_env_record(outbuf *b, const unsigned char *rec, size_t len, long long offset)
{
    size_t at = b->len;
    if (append(b, rec, len) < 0)
        return -1;
    unsigned char *h = b->data + at;
    if (offset < 0xFFFFFFFFLL) {
        put32(h + 42, (uint32_t)offset);
        return 0;
    }
    size_t nlen = le16(h + 28), xlen = le16(h + 30), head = CENTRAL_LEN + nlen + xlen;
    unsigned char extra[12];
    put16(extra, 0x0001);
    put16(extra + 2, 8);
    put64(extra + 4, (uint64_t)offset);
    if (!grow(b, sizeof(extra)))
        return -1;
    h = b->data + at;
    memmove(h + head + sizeof(extra), h + head, len - head);
    memcpy(h + head, extra, sizeof(extra));
    put16(h + 30, (uint16_t)(xlen + sizeof(extra)));
    put32(h + 42, 0xFFFFFFFFu);
    if (le16(h + 6) < 45)
        put16(h + 6, 45);
    return 0;
}

static int append_end(outbuf *b, long long count, long long cd_off, long long cd_size,
                      const char *comment, size_t comment_len)
{
    unsigned char e[END64_LEN + LOCATOR64_LEN + END_LEN];
    size_t n = 0;
    if (count >= 0xFFFF || cd_size >= 0xFFFFFFFFLL || cd_off >= 0xFFFFFFFFLL) {
        memset(e, 0, END64_LEN + LOCATOR64_LEN);
        put32(e, SIG_END64);
        put64(e + 4, END64_LEN - 12);
        put16(e + 12, 45);
        put16(e + 14, 45);
        put64(e + 24, (uint64_t)count);
        put64(e + 32, (uint64_t)count);
        put64(e + 40, (uint64_t)cd_size);
        put64(e + 48, (uint64_t)cd_off);
        put32(e + END64_LEN, SIG_LOCATOR64);
        put64(e + END64_LEN + 8, (uint64_t)(cd_off + cd_size));
        put32(e + END64_LEN + 16, 1);
        n = END64_LEN + LOCATOR64_LEN;
    }
    memset(e + n, 0, END_LEN);
    put32(e + n, SIG_END);
    put16(e + n + 8, (uint16_t)(count >= 0xFFFF ? 0xFFFF : count));
    put16(e + n + 10, (uint16_t)(count >= 0xFFFF ? 0xFFFF : count));
    put32(e + n + 12, (uint32_t)(cd_size >= 0xFFFFFFFFLL ? 0xFFFFFFFFLL : cd_size));
    put32(e + n + 16, (uint32_t)(cd_off >= 0xFFFFFFFFLL ? 0xFFFFFFFFLL : cd_off));
    put16(e + n + 20, (uint16_t)comment_len);
    if (append(b, e, n + END_LEN) < 0 || append(b, comment, comment_len) < 0)
        return -1;
    return 0;
}

static void source_dir_free(source_dir *d)
{
    free(d->cd);
    free(d->recs);
    free(d->comment);
}

void env_layout_free(env_layout *l)
{
    free(l->literal);
    free(l->env);
    memset(l, 0, sizeof(*l));
}

int env_layout_build(long long size, env_read_fn read, void *arg, const char *name,
                     const cJSON *env, env_layout *out, char *why, size_t why_size)
{
    source_dir d = {0};
    outbuf lit = {0};
    char *existing = NULL, *entry = NULL, *mini = NULL;
    unsigned char *base = NULL;
    size_t existing_len = 0, mini_len = 0, base_len = 0, nlen = strlen(name);
    const record *found = NULL;
    long long a = 0, b = 0;
    int rc = -1;
    memset(out, 0, sizeof(*out));
    if (read_end(size, read, arg, &d, why, why_size) < 0 ||
        read_directory(read, arg, &d, why, why_size) < 0)
        goto done;
    for (long long i = 0; i < d.count && !found; i++)
        if (le16(d.cd + d.recs[i].at + 28) == nlen &&
            memcmp(d.cd + d.recs[i].at + CENTRAL_LEN, name, nlen) == 0)
            found = &d.recs[i];
    if (found) {
        /* The entry runs to the next local header (or the directory): a data
         * descriptor after its data goes with it. */
        a = found->offset;
        b = d.cd_off;
        for (long long i = 0; i < d.count; i++)
            if (d.recs[i].offset > a && d.recs[i].offset < b)
                b = d.recs[i].offset;
        if (found->usize > MAX_ENV_BYTES || b - a > MAX_ENV_ENTRY) {
            snprintf(why, why_size, "the package's %s is larger than 1 MB", name);
            goto done;
        }
        if (read(arg, a, (size_t)(b - a), &entry, why, why_size) < 0 ||
            read_existing(&d, found, entry, (size_t)(b - a), name, &existing, &existing_len, &base,
                          &base_len, why, why_size) < 0)
            goto done;
    }
    char problem[200] = "";
    out->env = dotenv_merge(existing, existing_len, env, &out->env_len, problem, sizeof(problem));
    if (!out->env) {
        if (problem[0])
            snprintf(why, why_size, "the package's %s cannot be merged: %s", name, problem);
        else
            snprintf(why, why_size, "out of memory");
        goto done;
    }
    /* Written as the local rewrite writes it: added, or replacing the old
     * entry (libzip keeps some of its fields). */
    if (envzip_entry(name, out->env, out->env_len, base, base_len, &mini, &mini_len) < 0) {
        snprintf(why, why_size, "cannot write %s into the package", name);
        goto done;
    }
    const unsigned char *m = (const unsigned char *)mini;
    size_t m_cd_off = le32(m + mini_len - END_LEN + 16),
           m_cd_size = le32(m + mini_len - END_LEN + 12);
    long long gap = b - a, env_off = d.cd_off - gap, count = d.count + (found ? 0 : 1);
    if (append(&lit, mini, m_cd_off) < 0)
        goto oom;
    long long cd_off = env_off + (long long)m_cd_off;
    for (long long i = 0; i < d.count; i++) {
        const record *r = &d.recs[i];
        if (r == found)
            continue;
        size_t at = lit.len;
        if (append(&lit, d.cd + r->at, r->len) < 0)
            goto oom;
        if (found && r->offset > a) {
            unsigned char *o = lit.data + at + (r->offset_at - r->at);
            if (r->offset_wide)
                put64(o, (uint64_t)(r->offset - gap));
            else
                put32(o, (uint32_t)(r->offset - gap));
        }
    }
    if (append_env_record(&lit, m + m_cd_off, m_cd_size, env_off) < 0)
        goto oom;
    long long cd_size = (long long)lit.len - (long long)m_cd_off;
    if (append_end(&lit, count, cd_off, cd_size, d.comment, d.comment_len) < 0)
        goto oom;
    if (found) {
        out->segs[out->nsegs++] = (env_seg){false, 0, a};
        out->segs[out->nsegs++] = (env_seg){false, b, d.cd_off - b};
    } else {
        out->segs[out->nsegs++] = (env_seg){false, 0, d.cd_off};
    }
    out->segs[out->nsegs++] = (env_seg){true, 0, (long long)lit.len};
    out->literal = (char *)lit.data;
    out->literal_len = lit.len;
    out->size = env_off + (long long)lit.len;
    lit.data = NULL;
    rc = 0;
    goto done;
oom:
    snprintf(why, why_size, "out of memory");
done:
    if (rc < 0)
        env_layout_free(out);
    free(lit.data);
    free(mini);
    free(base);
    free(entry);
    free(existing);
    source_dir_free(&d);
    return rc;
}

/* ---- in S3 ---- */

typedef struct s3_source {
    cfn_aws *aws;
    const env_remote_spec *spec;
    const char *etag;
    env_remote_stats *stats;
} s3_source;

static int s3_read(void *arg, long long from, size_t len, char **data, char *why, size_t why_size)
{
    s3_source *s = arg;
    size_t got;
    s->stats->requests++;
    if (len == 0) {
        *data = malloc(1);
        return *data ? 0 : -1;
    }
    if (cfn_s3_get_object_range(s->aws, s->spec->bucket, s->spec->key, s->spec->version, s->etag,
                                from, from + (long long)len - 1, data, &got) < 0) {
        snprintf(why, why_size, "cannot read the code object: %s", cfn_error_last());
        return -1;
    }
    s->stats->bytes_read += (long long)got;
    return 0;
}

/* <prefix><stem>-<16 hex>.zip, the hex from the code object's identity and
 * the merged .env. */
static int derived_key(const env_remote_spec *s, const cfn_s3_object_info *info,
                       const env_layout *l, char *key, size_t size)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    char hex[17];
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    const char *parts[] = {"cfnkit-envzip-remote-1", info->etag, info->version_id, s->env_file};
    int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    for (size_t i = 0; ok && i < sizeof(parts) / sizeof(parts[0]); i++)
        ok = EVP_DigestUpdate(c, parts[i], strlen(parts[i]) + 1);
    ok = ok && EVP_DigestUpdate(c, l->env, l->env_len) && EVP_DigestFinal_ex(c, md, &mdlen);
    EVP_MD_CTX_free(c);
    if (!ok)
        return -1;
    for (int i = 0; i < 8; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    const char *base = strrchr(s->key, '/') ? strrchr(s->key, '/') + 1 : s->key;
    size_t stem = strlen(base) > 4 && strcmp(base + strlen(base) - 4, ".zip") == 0
                      ? strlen(base) - 4
                      : strlen(base);
    int n = snprintf(key, size, "%s%.*s-%s.zip", s->out_prefix, (int)stem, base, hex);
    return n > 0 && (size_t)n < size ? 0 : -1;
}

/* Sends part `part` (spans [i, j)): a server-side copy, or the bytes read
 * and the literal ones in one upload. */
static int send_part(s3_source *src, const env_layout *l, const char *key, const char *upload_id,
                     const env_span *spans, size_t i, size_t j, char etag[130], char *why,
                     size_t why_size)
{
    cfn_aws *aws = src->aws;
    const env_remote_spec *s = src->spec;
    int part = spans[i].part;
    src->stats->parts++;
    src->stats->requests++;
    if (spans[i].kind == ENV_SPAN_COPY) {
        src->stats->copy_parts++;
        src->stats->bytes_copied += spans[i].len;
        if (cfn_s3_upload_part_copy(aws, s->out_bucket, key, upload_id, part, s->bucket, s->key,
                                    s->version, src->etag, spans[i].from,
                                    spans[i].from + spans[i].len - 1, etag) < 0) {
            snprintf(why, why_size, "cannot copy part %d of the package: %s", part,
                     cfn_error_last());
            return -1;
        }
        return 0;
    }
    size_t total = 0, at = 0;
    for (size_t k = i; k < j; k++)
        total += (size_t)spans[k].len;
    char *buf = malloc(total ? total : 1);
    if (!buf) {
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    for (size_t k = i; k < j; k++) {
        if (spans[k].kind == ENV_SPAN_LITERAL) {
            memcpy(buf + at, l->literal + spans[k].from, (size_t)spans[k].len);
        } else {
            char *data;
            if (s3_read(src, spans[k].from, (size_t)spans[k].len, &data, why, why_size) < 0) {
                free(buf);
                return -1;
            }
            memcpy(buf + at, data, (size_t)spans[k].len);
            free(data);
        }
        at += (size_t)spans[k].len;
    }
    src->stats->bytes_sent += (long long)total;
    int rc = cfn_s3_upload_part(aws, s->out_bucket, key, upload_id, part, buf, total, etag);
    free(buf);
    if (rc < 0)
        snprintf(why, why_size, "cannot upload part %d of the package: %s", part, cfn_error_last());
    return rc < 0 ? -1 : 0;
}

int env_remote_apply(cfn_aws *aws, const env_remote_spec *s, long long min_size, char *key_out,
                     size_t key_size, bool *uploaded, env_remote_stats *stats, char *why,
                     size_t why_size)
{
    env_remote_stats local_stats = {0};
    cfn_s3_object_info info, out_info;
    env_layout l = {0};
    env_span *spans = NULL;
    size_t nspans = 0;
    int nparts = 0, rc = -1;
    char *upload_id = NULL;
    char(*etags)[130] = NULL;
    const env_limits lim = {CFN_S3_PART_MIN, CFN_S3_PART_MAX, CFN_S3_PARTS_MAX};
    if (!stats)
        stats = &local_stats;
    memset(stats, 0, sizeof(*stats));
    *uploaded = false;
    stats->requests++;
    int hr = cfn_s3_head_object(aws, s->bucket, s->key, s->version, &info);
    if (hr == CFN_ENOTFOUND) {
        const char *code = cfn_aws_error_code(aws);
        snprintf(why, why_size, "code object s3://%s/%s%s%s not found%s%s%s", s->bucket, s->key,
                 s->version ? " version " : "", s->version ? s->version : "", *code ? " (" : "",
                 code, *code ? ")" : "");
        return -1;
    }
    if (hr < 0) {
        snprintf(why, why_size, "cannot read the code object: %s", cfn_error_last());
        return -1;
    }
    if (info.size < min_size)
        return 1;
    s3_source src = {aws, s, info.etag, stats};
    if (env_layout_build(info.size, s3_read, &src, s->env_file, s->env, &l, why, why_size) < 0) {
        char inner[512];
        snprintf(inner, sizeof(inner), "%s", why);
        snprintf(why, why_size, "s3://%s/%s: %s", s->bucket, s->key, inner);
        goto done;
    }
    if (derived_key(s, &info, &l, key_out, key_size) < 0) {
        snprintf(why, why_size, "the package key is too long");
        goto done;
    }
    if (strcmp(s->out_bucket, s->bucket) == 0 && strcmp(key_out, s->key) == 0) {
        snprintf(why, why_size, "the package key would overwrite the code object");
        goto done;
    }
    /* The same code object and .env have the same key: built once. */
    stats->requests++;
    hr = cfn_s3_head_object(aws, s->out_bucket, key_out, NULL, &out_info);
    if (hr == 0) {
        rc = 0;
        goto done;
    }
    if (hr != CFN_ENOTFOUND) {
        snprintf(why, why_size, "cannot look for the package: %s", cfn_error_last());
        goto done;
    }
    if (env_plan(l.segs, l.nsegs, &lim, &spans, &nspans, &nparts, why, why_size) < 0)
        goto done;
    if (!(etags = calloc((size_t)nparts, sizeof(*etags)))) {
        snprintf(why, why_size, "out of memory");
        goto done;
    }
    stats->requests++;
    if (cfn_s3_create_multipart_upload(aws, s->out_bucket, key_out, "application/zip", &upload_id) <
        0) {
        snprintf(why, why_size, "cannot start the package upload: %s", cfn_error_last());
        goto done;
    }
    for (size_t i = 0, j; i < nspans; i = j) {
        for (j = i; j < nspans && spans[j].part == spans[i].part; j++)
            ;
        if (send_part(&src, &l, key_out, upload_id, spans, i, j, etags[spans[i].part - 1], why,
                      why_size) < 0)
            goto done;
    }
    stats->requests++;
    if (cfn_s3_complete_multipart_upload(aws, s->out_bucket, key_out, upload_id,
                                         (const char(*)[130])etags, nparts, true) < 0) {
        if (!cfn_aws_error_is(aws, "PreconditionFailed")) {
            snprintf(why, why_size, "cannot complete the package upload: %s", cfn_error_last());
            goto done;
        }
        /* Built meanwhile by another request, from the same input. */
        rc = 0;
        goto done;
    }
    free(upload_id);
    upload_id = NULL;
    *uploaded = true;
    rc = 0;
done:
    if (upload_id) {
        stats->requests++;
        cfn_s3_abort_multipart_upload(aws, s->out_bucket, key_out, upload_id);
    }
    free(upload_id);
    free(etags);
    free(spans);
    env_layout_free(&l);
    return rc;
}
