/* Temporary package files: with O_TMPFILE and with the mkstemp fallback,
 * the file is open, readable and writable through its /proc name, and
 * nothing is ever left in $TMPDIR. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkgfile.h"

static int entries(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void check(int (*open_fn)(void))
{
    char dir[] = "/tmp/cfnkit-pkgfile-test-XXXXXX", path[PKGFILE_PATH_SIZE], got[16] = "";
    struct stat st;
    assert_non_null(mkdtemp(dir));
    setenv("TMPDIR", dir, 1);
    int fd = open_fn();
    assert_true(fd >= 0);
    assert_int_equal(fstat(fd, &st), 0);
    assert_int_equal(st.st_nlink, 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(entries(dir), 0);
    /* Written and read back through the name given to path-taking calls. */
    pkgfile_path(fd, path);
    FILE *f = fopen(path, "w+b");
    assert_non_null(f);
    assert_int_equal(fputs("SECRET=1\n", f) >= 0, 1);
    fclose(f);
    assert_int_equal(pread(fd, got, sizeof(got) - 1, 0), 9);
    assert_string_equal(got, "SECRET=1\n");
    assert_int_equal(entries(dir), 0);
    close(fd);
    unsetenv("TMPDIR");
    assert_int_equal(rmdir(dir), 0);
}

static void tmpfile_has_no_name(void **state)
{
    (void)state;
    check(pkgfile_open);
}

static void fallback_has_no_name(void **state)
{
    (void)state;
    check(pkgfile_open_named);
}

static void missing_folder_fails(void **state)
{
    (void)state;
    setenv("TMPDIR", "/nonexistent/cfnkit-pkgfile", 1);
    assert_int_equal(pkgfile_open(), -1);
    assert_int_equal(pkgfile_open_named(), -1);
    unsetenv("TMPDIR");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tmpfile_has_no_name),
        cmocka_unit_test(fallback_has_no_name),
        cmocka_unit_test(missing_folder_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
