/* The remote .env rewrite without S3: part planning under S3's rules, and
 * the new archive assembled from its plan compared with the local rewrite
 * (byte for byte where the layout is the same, read back otherwise). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>
#include <zlib.h>

#include "env_remote.h"
#include "envzip.h"

#define MIB (1024LL * 1024)

/* ---- planning ---- */

static long long part_size(const env_span *s, size_t n, int part)
{
    long long size = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i].part == part)
            size += s[i].len;
    return size;
}

/* Every part but the last at least min_part, at most max_part, the spans in
 * output order covering the segments exactly, a copy part alone. */
static void check_plan(const env_seg *segs, size_t nsegs, const env_limits *lim, const env_span *s,
                       size_t n, int nparts)
{
    assert_true(nparts >= 1 && nparts <= lim->max_parts);
    for (int p = 1; p <= nparts; p++) {
        long long size = part_size(s, n, p);
        assert_true(size <= lim->max_part);
        if (p < nparts)
            assert_true(size >= lim->min_part);
    }
    size_t k = 0;
    for (size_t i = 0; i < nsegs; i++) {
        long long at = segs[i].from, left = segs[i].len;
        while (left > 0) {
            assert_true(k < n);
            assert_int_equal(s[k].from, at);
            assert_true(s[k].len <= left);
            assert_int_equal(s[k].kind == ENV_SPAN_LITERAL, segs[i].literal);
            if (s[k].kind == ENV_SPAN_COPY)
                assert_true((k == 0 || s[k - 1].part != s[k].part) &&
                            (k + 1 == n || s[k + 1].part != s[k].part));
            if (k > 0)
                assert_true(s[k].part == s[k - 1].part || s[k].part == s[k - 1].part + 1);
            at += s[k].len;
            left -= s[k].len;
            k++;
        }
    }
    assert_int_equal(k, n);
}

static void plan_copies_large_ranges(void **state)
{
    (void)state;
    const env_limits lim = {CFN_S3_PART_MIN, CFN_S3_PART_MAX, CFN_S3_PARTS_MAX};
    /* .env absent: one range of 200 MB, then 300 KB of new bytes. */
    env_seg segs[] = {{false, 0, 200 * MIB}, {true, 0, 300 * 1024}};
    env_span *s;
    size_t n;
    int parts;
    char why[200];
    assert_int_equal(env_plan(segs, 2, &lim, &s, &n, &parts, why, sizeof(why)), 0);
    check_plan(segs, 2, &lim, s, n, parts);
    assert_int_equal(parts, 2);
    assert_int_equal(s[0].kind, ENV_SPAN_COPY);
    assert_int_equal(s[0].len, 200 * MIB);
    assert_int_equal(s[1].kind, ENV_SPAN_LITERAL);
    free(s);
}

static void plan_merges_small_ranges(void **state)
{
    (void)state;
    const env_limits lim = {CFN_S3_PART_MIN, CFN_S3_PART_MAX, CFN_S3_PARTS_MAX};
    /* .env 1 MiB in: the 1 MiB before it is sent with 4 MiB read from the
     * range after it; the rest of that range is copied. */
    env_seg segs[] = {{false, 0, MIB}, {false, MIB + 4096, 100 * MIB}, {true, 0, 200 * 1024}};
    env_span *s;
    size_t n;
    int parts;
    char why[200];
    assert_int_equal(env_plan(segs, 3, &lim, &s, &n, &parts, why, sizeof(why)), 0);
    check_plan(segs, 3, &lim, s, n, parts);
    assert_int_equal(parts, 3);
    assert_int_equal(s[0].kind, ENV_SPAN_READ);
    assert_int_equal(s[1].kind, ENV_SPAN_READ);
    assert_int_equal(s[0].len + s[1].len, CFN_S3_PART_MIN);
    assert_int_equal(s[2].kind, ENV_SPAN_COPY);
    assert_int_equal(s[2].len, 100 * MIB - 4 * MIB);
    free(s);

    /* A range after the .env too short to stand alone (with its remainder)
     * is read whole into the last part with the new bytes. */
    env_seg tail[] = {{false, 0, 50 * MIB}, {false, 50 * MIB + 100, 3 * MIB}, {true, 0, 1000}};
    assert_int_equal(env_plan(tail, 3, &lim, &s, &n, &parts, why, sizeof(why)), 0);
    check_plan(tail, 3, &lim, s, n, parts);
    assert_int_equal(parts, 2);
    assert_int_equal(s[1].kind, ENV_SPAN_READ);
    assert_int_equal(s[1].len, 3 * MIB);
    free(s);

    /* Read 5 MiB at most from the neighbour: what is left of a range that
     * would fall under 5 MiB is read with it instead. */
    env_seg close[] = {{false, 0, 2 * MIB}, {false, 2 * MIB + 10, 7 * MIB}, {true, 0, 10}};
    assert_int_equal(env_plan(close, 3, &lim, &s, &n, &parts, why, sizeof(why)), 0);
    check_plan(close, 3, &lim, s, n, parts);
    assert_int_equal(parts, 1);
    assert_int_equal(part_size(s, n, 1), 9 * MIB + 10);
    free(s);
}

static void plan_splits_and_limits(void **state)
{
    (void)state;
    const env_limits lim = {CFN_S3_PART_MIN, CFN_S3_PART_MAX, CFN_S3_PARTS_MAX};
    env_seg big[] = {{false, 0, 12 * 1024 * MIB}, {true, 0, 4096}};
    env_span *s;
    size_t n;
    int parts;
    char why[200];
    assert_int_equal(env_plan(big, 2, &lim, &s, &n, &parts, why, sizeof(why)), 0);
    check_plan(big, 2, &lim, s, n, parts);
    assert_int_equal(parts, 4); /* 3 copies of 4 GiB, then the new bytes */
    assert_int_equal(s[0].len, 4 * 1024 * MIB);
    free(s);

    /* Small limits: every rule checked over many shapes. */
    const env_limits small = {5, 20, 10};
    for (long long a = 0; a < 30; a++)
        for (long long b = 0; b < 30; b++)
            for (long long c = 0; c < 12; c += 3) {
                env_seg segs[] = {{false, 0, a}, {false, a + 7, b}, {true, 0, c}};
                if (a + b + c == 0)
                    continue;
                assert_int_equal(env_plan(segs, 3, &small, &s, &n, &parts, why, sizeof(why)), 0);
                check_plan(segs, 3, &small, s, n, parts);
                free(s);
            }

    /* More parts than allowed: refused, not sent. */
    const env_limits few = {5, 10, 3};
    env_seg many[] = {{false, 0, 100}, {true, 0, 1}};
    assert_int_equal(env_plan(many, 2, &few, &s, &n, &parts, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "parts"));
}

/* ---- the new archive ---- */

typedef struct mem_source {
    const unsigned char *data;
    long long size, bytes_read;
} mem_source;

static int mem_read(void *arg, long long from, size_t len, char **data, char *why, size_t why_size)
{
    mem_source *m = arg;
    (void)why;
    (void)why_size;
    assert_true(from >= 0 && from + (long long)len <= m->size);
    *data = malloc(len ? len : 1);
    memcpy(*data, m->data + from, len);
    m->bytes_read += (long long)len;
    return 0;
}

static unsigned char *slurp(const char *path, long long *size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseeko(f, 0, SEEK_END);
    *size = ftello(f);
    fseeko(f, 0, SEEK_SET);
    unsigned char *d = malloc((size_t)*size + 1);
    assert_int_equal(fread(d, 1, (size_t)*size, f), (size_t)*size);
    fclose(f);
    return d;
}

static void spill(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* The new archive as S3 would assemble it from the layout. */
static unsigned char *assemble(const env_layout *l, const unsigned char *src)
{
    unsigned char *out = malloc((size_t)l->size + 1), *p = out;
    for (size_t i = 0; i < l->nsegs; i++) {
        const unsigned char *from = l->segs[i].literal ? (const unsigned char *)l->literal : src;
        memcpy(p, from + l->segs[i].from, (size_t)l->segs[i].len);
        p += l->segs[i].len;
    }
    assert_int_equal(p - out, l->size);
    return out;
}

typedef struct entry {
    const char *name, *data;
} entry;

/* An archive written by libzip, as a build tool would. */
static void make_zip(const char *path, const entry *e, size_t n, int extra_empty)
{
    int err;
    unlink(path);
    zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    assert_non_null(za);
    for (size_t i = 0; i < n; i++) {
        zip_source_t *s = zip_source_buffer(za, e[i].data, strlen(e[i].data), 0);
        zip_int64_t at = zip_file_add(za, e[i].name, s, 0);
        assert_true(at >= 0);
        zip_file_set_mtime(za, (zip_uint64_t)at, 1700000000, 0);
        /* Stored: libzip then writes no data descriptor (see data_descriptors). */
        zip_set_file_compression(za, (zip_uint64_t)at, ZIP_CM_STORE, 0);
    }
    for (int i = 0; i < extra_empty; i++) {
        char name[32];
        snprintf(name, sizeof(name), "f/%06d", i);
        zip_int64_t at = zip_file_add(za, name, zip_source_buffer(za, "", 0, 0), 0);
        assert_true(at >= 0);
        zip_file_set_mtime(za, (zip_uint64_t)at, 1700000000, 0);
    }
    assert_int_equal(zip_close(za), 0);
}

static cJSON *settings(void)
{
    return cJSON_Parse("{\"TABLE\":\"hits-dev\",\"QUOTED\":\"say \\\"hi\\\" ${HOME}\"}");
}

/* Remote layout of `path` beside envzip_apply's rewrite of a copy of it:
 * returns 1 when byte-identical; otherwise checks every entry of the
 * remote result reads back as the local one's. */
static int compare_with_local(const char *path, const char *name, long long *read_out)
{
    char local[] = "/tmp/test_env_remote_local_XXXXXX", why[512];
    int fd = mkstemp(local), in = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_true(in >= 0);
    long long size, lsize;
    unsigned char *src = slurp(path, &size);
    cJSON *env = settings();
    assert_int_equal(envzip_apply(in, fd, name, env, why, sizeof(why)), 0);
    close(in);
    close(fd);
    unsigned char *want = slurp(local, &lsize);
    mem_source m = {src, size, 0};
    env_layout l;
    assert_int_equal(env_layout_build(size, mem_read, &m, name, env, &l, why, sizeof(why)), 0);
    unsigned char *got = assemble(&l, src);
    int same = l.size == lsize && memcmp(got, want, (size_t)lsize) == 0;
    if (!same) {
        spill(local, got, (size_t)l.size);
        zip_t *a = zip_open(local, ZIP_CHECKCONS | ZIP_RDONLY, &fd);
        zip_error_t ze;
        zip_source_t *ws = zip_source_buffer_create(want, (zip_uint64_t)lsize, 0, &ze);
        zip_t *b = zip_open_from_source(ws, ZIP_RDONLY, &ze);
        assert_non_null(a);
        assert_non_null(b);
        assert_int_equal(zip_get_num_entries(a, 0), zip_get_num_entries(b, 0));
        for (zip_int64_t i = 0; i < zip_get_num_entries(b, 0); i++) {
            const char *n = zip_get_name(b, (zip_uint64_t)i, 0);
            zip_stat_t sa, sb;
            zip_int64_t ia = zip_name_locate(a, n, 0);
            assert_true(ia >= 0);
            assert_int_equal(zip_stat_index(a, (zip_uint64_t)ia, 0, &sa), 0);
            assert_int_equal(zip_stat_index(b, (zip_uint64_t)i, 0, &sb), 0);
            assert_int_equal(sa.size, sb.size);
            assert_int_equal(sa.crc, sb.crc);
            char *da = malloc(sa.size + 1), *db = malloc(sb.size + 1);
            zip_file_t *fa = zip_fopen_index(a, (zip_uint64_t)ia, 0);
            zip_file_t *fb = zip_fopen_index(b, (zip_uint64_t)i, 0);
            assert_int_equal(zip_fread(fa, da, sa.size), (zip_int64_t)sa.size);
            assert_int_equal(zip_fread(fb, db, sb.size), (zip_int64_t)sb.size);
            assert_memory_equal(da, db, sa.size);
            zip_fclose(fa);
            zip_fclose(fb);
            free(da);
            free(db);
        }
        zip_discard(a);
        zip_discard(b);
    }
    if (read_out)
        *read_out = m.bytes_read;
    env_layout_free(&l);
    cJSON_Delete(env);
    free(got);
    free(want);
    free(src);
    unlink(local);
    return same;
}

static const char *const BODY = "def handler(event, context):\n    return 1\n";
static const char *const ENV = "# build\nEXISTING=kept\nTABLE=from-build\n";

static void identical_when_env_absent_or_last(void **state)
{
    (void)state;
    const char *path = "/tmp/test_env_remote_a.zip";
    entry absent[] = {{"index.py", BODY}, {"lib/util.py", BODY}};
    make_zip(path, absent, 2, 0);
    assert_true(compare_with_local(path, ".env", NULL));
    entry last[] = {{"index.py", BODY}, {"lib/util.py", BODY}, {".env", ENV}};
    make_zip(path, last, 3, 0);
    assert_true(compare_with_local(path, ".env", NULL));
    unlink(path);
}

static void env_first_or_middle_left_out(void **state)
{
    (void)state;
    const char *path = "/tmp/test_env_remote_b.zip";
    entry first[] = {{".env", ENV}, {"index.py", BODY}, {"lib/util.py", BODY}};
    entry middle[] = {{"index.py", BODY}, {".env", ENV}, {"lib/util.py", BODY}};
    const entry *cases[] = {first, middle};
    for (int c = 0; c < 2; c++) {
        make_zip(path, cases[c], 3, 0);
        long long size;
        unsigned char *src = slurp(path, &size);
        mem_source m = {src, size, 0};
        env_layout l;
        char why[512];
        cJSON *env = settings();
        assert_int_equal(env_layout_build(size, mem_read, &m, ".env", env, &l, why, sizeof(why)),
                         0);
        /* The old entry [a, b) is in no copied range; the rest before the
         * central directory all is. */
        unsigned char *cdir = memmem(src, (size_t)size, "PK\x01\x02", 4);
        unsigned char *old = src;
        while (old && memcmp(old + 30, ".env", 4) != 0)
            old = memmem(old + 4, (size_t)(cdir - old - 4), "PK\x03\x04", 4);
        assert_non_null(old);
        unsigned char *next = memmem(old + 4, (size_t)(cdir - old - 4), "PK\x03\x04", 4);
        long long a = old - src, b = (next ? next : cdir) - src, copied = 0;
        for (size_t i = 0; i < l.nsegs; i++) {
            if (l.segs[i].literal)
                continue;
            copied += l.segs[i].len;
            assert_true(l.segs[i].from + l.segs[i].len <= a || l.segs[i].from >= b);
        }
        assert_int_equal(copied, (cdir - src) - (b - a));
        env_layout_free(&l);
        cJSON_Delete(env);
        free(src);
        assert_false(compare_with_local(path, ".env", NULL));
    }
    unlink(path);
}

/* A stored entry followed by a data descriptor, as streaming zip writers
 * make them. Returns its size. */
static size_t put_entry_dd(unsigned char *p, const char *name, const char *data, uint32_t crc)
{
    size_t nlen = strlen(name), dlen = strlen(data);
    memset(p, 0, 30);
    memcpy(p, "PK\x03\x04\x14\x00\x08\x00", 8);
    p[26] = (unsigned char)nlen;
    memcpy(p + 30, name, nlen);
    memcpy(p + 30 + nlen, data, dlen);
    unsigned char *d = p + 30 + nlen + dlen;
    memcpy(d, "PK\x07\x08", 4);
    for (int i = 0; i < 4; i++) {
        d[4 + i] = (unsigned char)(crc >> (8 * i));
        d[8 + i] = d[12 + i] = (unsigned char)(dlen >> (8 * i));
    }
    return 30 + nlen + dlen + 16;
}

static size_t put_central_dd(unsigned char *p, const char *name, const char *data, uint32_t crc,
                             uint32_t offset)
{
    size_t nlen = strlen(name), dlen = strlen(data);
    memset(p, 0, 46);
    memcpy(p, "PK\x01\x02\x14\x03\x14\x00\x08\x00", 10);
    for (int i = 0; i < 4; i++) {
        p[16 + i] = (unsigned char)(crc >> (8 * i));
        p[20 + i] = p[24 + i] = (unsigned char)(dlen >> (8 * i));
        p[42 + i] = (unsigned char)(offset >> (8 * i));
    }
    p[28] = (unsigned char)nlen;
    memcpy(p + 46, name, nlen);
    return 46 + nlen;
}

static void data_descriptors(void **state)
{
    (void)state;
    const char *path = "/tmp/test_env_remote_d.zip";
    const entry e[] = {{"index.py", BODY}, {".env", ENV}, {"lib/util.py", BODY}};
    unsigned char buf[4096], cd[1024];
    size_t at = 0, cat = 0;
    for (int i = 0; i < 3; i++) {
        uint32_t crc = (uint32_t)crc32_z(0, (const unsigned char *)e[i].data, strlen(e[i].data));
        cat += put_central_dd(cd + cat, e[i].name, e[i].data, crc, (uint32_t)at);
        at += put_entry_dd(buf + at, e[i].name, e[i].data, crc);
    }
    memcpy(buf + at, cd, cat);
    unsigned char *end = buf + at + cat;
    memset(end, 0, 22);
    memcpy(end, "PK\x05\x06", 4);
    end[8] = end[10] = 3;
    end[12] = (unsigned char)cat;
    end[16] = (unsigned char)at;
    end[17] = (unsigned char)(at >> 8);
    spill(path, buf, at + cat + 22);
    /* The .env and its descriptor go; the entries after it read back. */
    assert_false(compare_with_local(path, ".env", NULL));
    unlink(path);
}

/* ---- offsets past 4 GiB, without 4 GiB of data ---- */

#define GIB (1024LL * MIB)

/* A 4.5 GiB archive that exists only as its few non-zero regions: a stored
 * entry of zeros, then the .env and a small entry whose offsets need zip64
 * fields, then the central directory and zip64 end records. */
typedef struct region {
    long long at;
    unsigned char bytes[512];
    size_t len;
} region;

typedef struct virtual_zip {
    region r[8];
    int n;
    long long size;
} virtual_zip;

static unsigned char *region_at(virtual_zip *v, long long at, size_t len)
{
    region *r = &v->r[v->n++];
    r->at = at;
    r->len = len;
    memset(r->bytes, 0, sizeof(r->bytes));
    return r->bytes;
}

static int virtual_read(void *arg, long long from, size_t len, char **data, char *why,
                        size_t why_size)
{
    virtual_zip *v = arg;
    (void)why;
    (void)why_size;
    assert_true(from >= 0 && from + (long long)len <= v->size);
    assert_true(len < 16 * MIB); /* never the big entry */
    *data = calloc(1, len ? len : 1);
    for (int i = 0; i < v->n; i++) {
        const region *r = &v->r[i];
        for (size_t k = 0; k < r->len; k++)
            if (r->at + (long long)k >= from && r->at + (long long)k < from + (long long)len)
                (*data)[r->at + (long long)k - from] = (char)r->bytes[k];
    }
    return 0;
}

static void le(unsigned char *p, unsigned long long v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* A stored entry's local header (zip64 sizes when `size` needs them);
 * returns its length. */
static size_t local_header(unsigned char *p, const char *name, long long size, uint32_t crc)
{
    size_t nlen = strlen(name);
    bool wide = size >= 0xFFFFFFFFLL;
    memcpy(p, "PK\x03\x04", 4);
    le(p + 4, wide ? 45 : 20, 2);
    le(p + 14, crc, 4);
    le(p + 18, wide ? 0xFFFFFFFFu : (unsigned long long)size, 4);
    le(p + 22, wide ? 0xFFFFFFFFu : (unsigned long long)size, 4);
    le(p + 26, nlen, 2);
    le(p + 28, wide ? 20 : 0, 2);
    memcpy(p + 30, name, nlen);
    if (wide) {
        le(p + 30 + nlen, 1, 2);
        le(p + 32 + nlen, 16, 2);
        le(p + 34 + nlen, (unsigned long long)size, 8);
        le(p + 42 + nlen, (unsigned long long)size, 8);
    }
    return 30 + nlen + (wide ? 20 : 0);
}

static size_t central_record(unsigned char *p, const char *name, long long size, uint32_t crc,
                             long long offset)
{
    size_t nlen = strlen(name), x = 0;
    bool wsize = size >= 0xFFFFFFFFLL, woff = offset >= 0xFFFFFFFFLL;
    memcpy(p, "PK\x01\x02", 4);
    le(p + 4, 0x031e, 2);
    le(p + 6, wsize || woff ? 45 : 20, 2);
    le(p + 16, crc, 4);
    le(p + 20, wsize ? 0xFFFFFFFFu : (unsigned long long)size, 4);
    le(p + 24, wsize ? 0xFFFFFFFFu : (unsigned long long)size, 4);
    le(p + 28, nlen, 2);
    le(p + 42, woff ? 0xFFFFFFFFu : (unsigned long long)offset, 4);
    memcpy(p + 46, name, nlen);
    unsigned char *e = p + 46 + nlen;
    if (wsize || woff) {
        le(e, 1, 2);
        x = 4;
        if (wsize) {
            le(e + x, (unsigned long long)size, 8);
            le(e + x + 8, (unsigned long long)size, 8);
            x += 16;
        }
        if (woff) {
            le(e + x, (unsigned long long)offset, 8);
            x += 8;
        }
        le(e + 2, x - 4, 2);
    }
    le(p + 30, x, 2);
    return 46 + nlen + x;
}

/* zip64 end record, locator and end record after a central directory of
 * `cdn` bytes at `cd_off`: 98 bytes. */
static void zip64_end(unsigned char *e, long long entries, size_t cdn, long long cd_off)
{
    memset(e, 0, 98);
    memcpy(e, "PK\x06\x06", 4);
    le(e + 4, 44, 8);
    le(e + 12, 45, 2);
    le(e + 14, 45, 2);
    le(e + 24, (unsigned long long)entries, 8);
    le(e + 32, (unsigned long long)entries, 8);
    le(e + 40, cdn, 8);
    le(e + 48, (unsigned long long)cd_off, 8);
    memcpy(e + 56, "PK\x06\x07", 4);
    le(e + 64, (unsigned long long)(cd_off + (long long)cdn), 8);
    le(e + 72, 1, 4);
    memcpy(e + 76, "PK\x05\x06", 4);
    le(e + 84, entries >= 0xFFFF ? 0xFFFF : (unsigned long long)entries, 2);
    le(e + 86, entries >= 0xFFFF ? 0xFFFF : (unsigned long long)entries, 2);
    le(e + 88, cdn, 4);
    le(e + 92, cd_off >= 0xFFFFFFFFLL ? 0xFFFFFFFFu : (unsigned long long)cd_off, 4);
}

static void offsets_past_4gib(void **state)
{
    (void)state;
    const long long big = 4 * GIB + 512 * MIB;
    const char *tail_text = "the small entry after the .env\n";
    for (int with_env = 0; with_env < 2; with_env++) {
        virtual_zip v = {.n = 0};
        unsigned char cd[1024] = {0};
        size_t cdn = 0, n;
        uint32_t ecrc = (uint32_t)crc32_z(0, (const unsigned char *)ENV, strlen(ENV));
        uint32_t tcrc = (uint32_t)crc32_z(0, (const unsigned char *)tail_text, strlen(tail_text));
        unsigned char *h = region_at(&v, 0, 0);
        n = local_header(h, "big.bin", big, 0);
        v.r[0].len = n;
        cdn += central_record(cd + cdn, "big.bin", big, 0, 0);
        long long at = (long long)n + big;
        if (with_env) {
            h = region_at(&v, at, 0);
            n = local_header(h, ".env", (long long)strlen(ENV), ecrc);
            memcpy(h + n, ENV, strlen(ENV));
            v.r[v.n - 1].len = n + strlen(ENV);
            cdn += central_record(cd + cdn, ".env", (long long)strlen(ENV), ecrc, at);
            at += (long long)(n + strlen(ENV));
        }
        h = region_at(&v, at, 0);
        n = local_header(h, "small.txt", (long long)strlen(tail_text), tcrc);
        memcpy(h + n, tail_text, strlen(tail_text));
        v.r[v.n - 1].len = n + strlen(tail_text);
        cdn += central_record(cd + cdn, "small.txt", (long long)strlen(tail_text), tcrc, at);
        at += (long long)(n + strlen(tail_text));
        long long cd_off = at, entries = with_env ? 3 : 2;
        h = region_at(&v, cd_off, cdn + 56 + 20 + 22);
        memcpy(h, cd, cdn);
        zip64_end(h + cdn, entries, cdn, cd_off);
        v.size = cd_off + (long long)cdn + 98;

        env_layout l;
        char why[512];
        cJSON *env = settings();
        assert_int_equal(
            env_layout_build(v.size, virtual_read, &v, ".env", env, &l, why, sizeof(why)), 0);
        /* The new archive as a sparse file: the regions, holes of zeros, the
         * literal at its place; libzip checks it and reads it back. */
        char path[] = "/tmp/test_env_remote_big_XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        long long out_at = 0;
        for (size_t i = 0; i < l.nsegs; i++) {
            if (l.segs[i].literal) {
                assert_int_equal(pwrite(fd, l.literal, l.literal_len, (off_t)out_at),
                                 (ssize_t)l.literal_len);
            } else {
                char *d;
                for (int r = 0; r < v.n; r++) {
                    long long from = v.r[r].at, to = from + (long long)v.r[r].len;
                    if (to <= l.segs[i].from || from >= l.segs[i].from + l.segs[i].len)
                        continue;
                    virtual_read(&v, from, v.r[r].len, &d, why, sizeof(why));
                    assert_int_equal(
                        pwrite(fd, d, v.r[r].len, (off_t)(out_at + from - l.segs[i].from)),
                        (ssize_t)v.r[r].len);
                    free(d);
                }
            }
            out_at += l.segs[i].len;
        }
        assert_int_equal(out_at, l.size);
        assert_int_equal(ftruncate(fd, (off_t)l.size), 0);
        close(fd);
        int err;
        zip_t *za = zip_open(path, ZIP_CHECKCONS | ZIP_RDONLY, &err);
        assert_non_null(za);
        assert_int_equal(zip_get_num_entries(za, 0), 3);
        zip_stat_t st;
        assert_int_equal(zip_stat(za, "big.bin", 0, &st), 0);
        assert_int_equal(st.size, big);
        const char *names[] = {"small.txt", ".env"};
        const char *want[] = {tail_text, l.env};
        for (int i = 0; i < 2; i++) {
            char buf[512];
            zip_file_t *f = zip_fopen(za, names[i], 0);
            assert_non_null(f);
            zip_int64_t got = zip_fread(f, buf, sizeof(buf));
            assert_int_equal(got, (zip_int64_t)strlen(want[i]));
            assert_memory_equal(buf, want[i], (size_t)got);
            zip_fclose(f);
        }
        /* The old .env's lines are kept when there was one. */
        assert_int_equal(strstr(l.env, "EXISTING=kept") != NULL, with_env);
        zip_discard(za);
        unlink(path);
        env_layout_free(&l);
        cJSON_Delete(env);
    }
}

/* 70,000 entries: zip64 end records read and written, the .env absent or
 * among them (the moto test compares such an archive byte for byte with the
 * local rewrite; libzip writes 70,000 entries too slowly for a unit test). */
static void zip64_end_records(void **state)
{
    (void)state;
    const long long n = 70000;
    for (int with_env = 0; with_env < 2; with_env++) {
        unsigned char *buf = calloc(1, (size_t)n * 160 + 4096), *cd = calloc(1, (size_t)n * 80);
        size_t at = 0, cdn = 0, elen = strlen(ENV);
        long long count = 0;
        uint32_t crc = (uint32_t)crc32_z(0, (const unsigned char *)ENV, elen);
        for (long long i = 0; i < n; i++) {
            char name[32];
            if (with_env && i == n / 2) {
                cdn += central_record(cd + cdn, ".env", (long long)elen, crc, (long long)at);
                at += local_header(buf + at, ".env", (long long)elen, crc);
                memcpy(buf + at, ENV, elen);
                at += elen;
                count++;
            }
            snprintf(name, sizeof(name), "f/%06lld", i);
            cdn += central_record(cd + cdn, name, 0, 0, (long long)at);
            at += local_header(buf + at, name, 0, 0);
            count++;
        }
        long long cd_off = (long long)at;
        memcpy(buf + at, cd, cdn);
        zip64_end(buf + at + cdn, count, cdn, cd_off);
        long long size = (long long)(at + cdn + 98);
        mem_source m = {buf, size, 0};
        env_layout l;
        char why[512];
        cJSON *env = settings();
        assert_int_equal(env_layout_build(size, mem_read, &m, ".env", env, &l, why, sizeof(why)),
                         0);
        /* Only the end records, the directory and the .env were read. */
        assert_true(m.bytes_read < (long long)cdn + 65536 + 1024);
        unsigned char *got = assemble(&l, buf);
        assert_non_null(memmem(got + l.size - 98, 98, "PK\x06\x06", 4));
        zip_error_t ze;
        zip_source_t *src = zip_source_buffer_create(got, (zip_uint64_t)l.size, 0, &ze);
        zip_t *za = zip_open_from_source(src, ZIP_CHECKCONS | ZIP_RDONLY, &ze);
        assert_non_null(za);
        assert_int_equal(zip_get_num_entries(za, 0), n + 1);
        char text[512];
        zip_file_t *f = zip_fopen(za, ".env", 0);
        assert_non_null(f);
        zip_int64_t r = zip_fread(f, text, sizeof(text));
        assert_int_equal(r, (zip_int64_t)l.env_len);
        assert_memory_equal(text, l.env, l.env_len);
        assert_int_equal(strstr(l.env, "EXISTING=kept") != NULL, with_env);
        zip_fclose(f);
        zip_stat_t st;
        assert_int_equal(zip_stat(za, "f/069999", 0, &st), 0);
        zip_discard(za);
        env_layout_free(&l);
        cJSON_Delete(env);
        free(got);
        free(cd);
        free(buf);
    }
}

static void refuses_non_zip(void **state)
{
    (void)state;
    const char *text = "this is not a zip archive, just some text long enough to scan";
    mem_source m = {(const unsigned char *)text, (long long)strlen(text), 0};
    env_layout l;
    char why[512];
    cJSON *env = settings();
    assert_int_equal(env_layout_build(m.size, mem_read, &m, ".env", env, &l, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "not a valid zip archive"));
    cJSON_Delete(env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plan_copies_large_ranges),
        cmocka_unit_test(plan_merges_small_ranges),
        cmocka_unit_test(plan_splits_and_limits),
        cmocka_unit_test(identical_when_env_absent_or_last),
        cmocka_unit_test(env_first_or_middle_left_out),
        cmocka_unit_test(data_descriptors),
        cmocka_unit_test(offsets_past_4gib),
        cmocka_unit_test(zip64_end_records),
        cmocka_unit_test(refuses_non_zip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
