/* The .env writer and the zip rewrite: quoting, merging, byte-identical
 * output, unchanged entries not recompressed, corrupt archives refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "envzip.h"
#include "pkgfile.h"

static void quoting(void **state)
{
    (void)state;
    struct {
        const char *in, *out;
    } cases[] = {
        {"plain", "\"plain\""},
        {"say \"hi\" # not a comment", "\"say \\\"hi\\\" # not a comment\""},
        {"a\\b", "\"a\\\\b\""},
        {"line1\nline2\r\tx", "\"line1\\nline2\\r\\tx\""},
        {"$5 and ${HOME} and $HOME", "\"$5 and ${:-$}{HOME} and $HOME\""},
        {"", "\"\""},
        {"caf\xc3\xa9 it's", "\"caf\xc3\xa9 it's\""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *q = dotenv_quote(cases[i].in);
        assert_string_equal(q, cases[i].out);
        free(q);
    }
}

static void names(void **state)
{
    (void)state;
    assert_true(dotenv_valid_name("TABLE_NAME"));
    assert_true(dotenv_valid_name("_x1"));
    assert_false(dotenv_valid_name("1BAD"));
    assert_false(dotenv_valid_name("BAD-NAME"));
    assert_false(dotenv_valid_name(""));
    assert_false(dotenv_valid_name("A B"));
}

static void merging(void **state)
{
    (void)state;
    const char *existing = "# settings\nKEEP=1\nexport TABLE='old\nstill old'\nOTHER=\"x\" # c\n"
                           "  TABLE=again\nLAST=no-newline";
    cJSON *env = cJSON_Parse("{\"TABLE\":\"new\",\"ADDED\":\"a b\"}");
    size_t n;
    char why[200];
    char *m = dotenv_merge(existing, strlen(existing), env, &n, why, sizeof(why));
    assert_string_equal(m, "# settings\nKEEP=1\nOTHER=\"x\" # c\nLAST=no-newline\n"
                           "ADDED=\"a b\"\nTABLE=\"new\"\n");
    assert_int_equal(n, strlen(m));
    free(m);
    m = dotenv_merge(NULL, 0, env, &n, why, sizeof(why));
    assert_string_equal(m, "ADDED=\"a b\"\nTABLE=\"new\"\n");
    free(m);
    /* Bytes the merge does not understand, NULs included, are kept. */
    static const char odd[] = "A=1\0junk\nB=2\n";
    m = dotenv_merge(odd, sizeof(odd) - 1, env, &n, why, sizeof(why));
    assert_int_equal(n, sizeof(odd) - 1 + strlen("ADDED=\"a b\"\nTABLE=\"new\"\n"));
    assert_memory_equal(m, odd, sizeof(odd) - 1);
    free(m);
    /* An unclosed quote would swallow what follows it: refused. */
    static const char open_quote[] = "A=1\nB=\"never\nclosed\n";
    assert_null(dotenv_merge(open_quote, sizeof(open_quote) - 1, env, &n, why, sizeof(why)));
    assert_string_equal(why, "a quoted value is never closed (B, line 2)");
    cJSON_Delete(env);
}

/* A zip with a .env and a compressible entry stored at level 1, so that a
 * recompression at the default level would change its size. */
static char *make_zip(void)
{
    char *path = strdup("/tmp/cfnkit-envzip-XXXXXX");
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    int err;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_EXCL, &err);
    assert_non_null(z);
    static char big[200000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)('a' + (i * 7 + i / 13) % 26);
    zip_source_t *s = zip_source_buffer(z, big, sizeof(big), 0);
    zip_int64_t i = zip_file_add(z, "lib/data.txt", s, 0);
    zip_set_file_compression(z, (zip_uint64_t)i, ZIP_CM_DEFLATE, 1);
    static const char env[] = "EXISTING=1\nTABLE=old\n";
    s = zip_source_buffer(z, env, strlen(env), 0);
    zip_file_add(z, ".env", s, 0);
    assert_int_equal(zip_close(z), 0);
    return path;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    char *b = malloc(*len);
    assert_int_equal(fread(b, 1, *len, f), *len);
    fclose(f);
    return b;
}

static void copy(const char *from, const char *to)
{
    size_t n;
    char *b = slurp(from, &n);
    FILE *f = fopen(to, "wb");
    fwrite(b, 1, n, f);
    fclose(f);
    free(b);
}

static char *read_entry(const char *zip_path, const char *name)
{
    int err;
    zip_t *z = zip_open(zip_path, ZIP_RDONLY, &err);
    zip_stat_t st;
    assert_int_equal(zip_stat(z, name, 0, &st), 0);
    char *b = calloc(1, st.size + 1);
    zip_file_t *f = zip_fopen(z, name, 0);
    assert_int_equal(zip_fread(f, b, st.size), (zip_int64_t)st.size);
    zip_fclose(f);
    zip_discard(z);
    return b;
}

static zip_uint64_t comp_size(const char *zip_path, const char *name)
{
    int err;
    zip_t *z = zip_open(zip_path, ZIP_RDONLY, &err);
    zip_stat_t st;
    assert_int_equal(zip_stat(z, name, 0, &st), 0);
    zip_discard(z);
    return st.comp_size;
}

/* envzip_apply from the archive at `path` back into it, through an
 * unlinked file as the module does. */
static int apply(const char *path, const char *name, const cJSON *env, char *why, size_t size)
{
    int in = open(path, O_RDONLY), out = pkgfile_open();
    assert_true(in >= 0 && out >= 0);
    int rc = envzip_apply(in, out, name, env, why, size);
    close(in);
    if (rc == 0) {
        char buf[4096];
        ssize_t n;
        off_t at = 0;
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        while ((n = pread(out, buf, sizeof(buf), at)) > 0) {
            assert_int_equal(fwrite(buf, 1, (size_t)n, f), (size_t)n);
            at += n;
        }
        fclose(f);
    }
    close(out);
    return rc;
}

static void apply_is_deterministic_and_copies_entries(void **state)
{
    (void)state;
    char *orig = make_zip();
    char a[64], b[64], why[256];
    snprintf(a, sizeof(a), "%s.a", orig);
    snprintf(b, sizeof(b), "%s.b", orig);
    copy(orig, a);
    sleep(1); /* a different clock must not change the output */
    copy(orig, b);
    cJSON *env = cJSON_Parse("{\"TABLE\":\"hits-dev\",\"NEW\":\"x\"}");
    assert_int_equal(apply(a, ".env", env, why, sizeof(why)), 0);
    sleep(1);
    assert_int_equal(apply(b, ".env", env, why, sizeof(why)), 0);
    size_t la, lb;
    char *ba = slurp(a, &la), *bb = slurp(b, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(ba, bb, la);
    char *e = read_entry(a, ".env");
    assert_string_equal(e, "EXISTING=1\nNEW=\"x\"\nTABLE=\"hits-dev\"\n");
    free(e);
    assert_int_equal(comp_size(a, "lib/data.txt"), comp_size(orig, "lib/data.txt"));
    /* An archive without .env gets one, under the given name. */
    assert_int_equal(apply(a, "config/app.env", env, why, sizeof(why)), 0);
    e = read_entry(a, "config/app.env");
    assert_string_equal(e, "NEW=\"x\"\nTABLE=\"hits-dev\"\n");
    free(e);
    free(ba);
    free(bb);
    cJSON_Delete(env);
    unlink(a);
    unlink(b);
    unlink(orig);
    free(orig);
}

static void corrupt_archives_are_refused(void **state)
{
    (void)state;
    char path[] = "/tmp/cfnkit-envzip-bad-XXXXXX", why[256];
    int fd = mkstemp(path);
    assert_int_equal(write(fd, "this is not a zip archive at all", 32), 32);
    close(fd);
    cJSON *env = cJSON_Parse("{\"A\":\"1\"}");
    assert_int_equal(apply(path, ".env", env, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "the code object is not a valid zip archive"));
    /* A real archive cut short. */
    char *orig = make_zip();
    size_t n;
    char *bytes = slurp(orig, &n);
    FILE *f = fopen(path, "wb");
    fwrite(bytes, 1, n / 2, f);
    fclose(f);
    assert_int_equal(apply(path, ".env", env, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "not a valid zip archive"));
    free(bytes);
    unlink(orig);
    free(orig);
    unlink(path);
    cJSON_Delete(env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quoting),
        cmocka_unit_test(names),
        cmocka_unit_test(merging),
        cmocka_unit_test(apply_is_deterministic_and_copies_entries),
        cmocka_unit_test(corrupt_archives_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
