/* Code objects (codeobj.h): deterministic zips of folders, whole-zip checks,
 * and the content-addressed upload. */
#include "codeobj.h"

#include <cfnkit/error.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#define MAX_FILES           200000
#define MAX_DEPTH           64
#define DOS_DATE_1980_01_01 ((0 << 9) | (1 << 5) | 1) /* years since 1980, month, day */

typedef struct entry {
    char *name; /* in the zip: relative, '/'-separated */
    char *path; /* on disk */
    mode_t mode;
} entry;

typedef struct walk {
    entry *files;
    size_t n, cap;
    dev_t devs[MAX_DEPTH];
    ino_t inos[MAX_DEPTH]; /* the folders from the top to here: a link back is a loop */
    int depth;
} walk;

static int add_file(walk *w, const char *name, const char *path, mode_t mode)
{
    if (w->n == MAX_FILES)
        return cfn_error_set(CFN_EINVAL, "more than %d files under the folder", MAX_FILES);
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        entry *bigger = realloc(w->files, cap * sizeof(*bigger));
        if (!bigger)
            return cfn_error_set(CFN_ENOMEM, "out of memory");
        w->files = bigger;
        w->cap = cap;
    }
    entry *e = &w->files[w->n];
    e->name = strdup(name);
    e->path = strdup(path);
    e->mode = mode;
    if (!e->name || !e->path) {
        free(e->name);
        free(e->path);
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    }
    w->n++;
    return 0;
}

/* Adds the files under folder `path`, named `prefix` in the zip ("" at the top). */
static int walk_dir(walk *w, const char *path, const char *prefix, const struct stat *st)
{
    for (int i = 0; i < w->depth; i++)
        if (w->devs[i] == st->st_dev && w->inos[i] == st->st_ino)
            return cfn_error_set(CFN_EINVAL, "%s: a symbolic link loops back to a folder above it",
                                 path);
    if (w->depth == MAX_DEPTH)
        return cfn_error_set(CFN_EINVAL, "%s: folders nested more than %d deep", path, MAX_DEPTH);
    DIR *d = opendir(path);
    if (!d)
        return cfn_error_set(CFN_EIO, "%s: %s", path, strerror(errno));
    w->devs[w->depth] = st->st_dev;
    w->inos[w->depth] = st->st_ino;
    w->depth++;
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        size_t plen = strlen(path) + strlen(de->d_name) + 2;
        size_t nlen = strlen(prefix) + strlen(de->d_name) + 2;
        char *sub = malloc(plen), *name = malloc(nlen);
        struct stat sst;
        if (!sub || !name) {
            rc = cfn_error_set(CFN_ENOMEM, "out of memory");
        } else {
            snprintf(sub, plen, "%s/%s", path, de->d_name);
            snprintf(name, nlen, "%s%s%s", prefix, prefix[0] ? "/" : "", de->d_name);
            if (stat(sub, &sst) != 0)
                rc = cfn_error_set(CFN_EIO, "%s: %s", sub, strerror(errno));
            else if (S_ISDIR(sst.st_mode))
                rc = walk_dir(w, sub, name, &sst);
            else if (S_ISREG(sst.st_mode))
                rc = add_file(w, name, sub, sst.st_mode);
            else
                rc = cfn_error_set(CFN_EINVAL,
                                   "%s is neither a file nor a folder: it cannot go in a zip", sub);
        }
        free(sub);
        free(name);
    }
    if (rc == 0 && errno != 0)
        rc = cfn_error_set(CFN_EIO, "%s: %s", path, strerror(errno));
    w->depth--;
    closedir(d);
    return rc;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->name, ((const entry *)b)->name);
}

static int zip_failed(zip_t *z, const char *zip_path, const char *what)
{
    return cfn_error_set(CFN_EIO, "%s: %s: %s", zip_path, what, zip_strerror(z));
}

int stk_codeobj_zip_dir(const char *dir, const char *zip_path, long *count)
{
    walk w = {0};
    struct stat st;
    zip_t *z = NULL;
    int rc, zerr = 0;
    if (stat(dir, &st) != 0)
        return cfn_error_set(CFN_EIO, "%s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return cfn_error_set(CFN_EINVAL, "%s is not a folder", dir);
    if ((rc = walk_dir(&w, dir, "", &st)) != 0)
        goto done;
    if (w.n == 0) {
        rc = cfn_error_set(CFN_EINVAL, "%s has no files: nothing to package", dir);
        goto done;
    }
    qsort(w.files, w.n, sizeof(w.files[0]), by_name);
    if (!(z = zip_open(zip_path, ZIP_CREATE | ZIP_TRUNCATE, &zerr))) {
        zip_error_t e;
        zip_error_init_with_code(&e, zerr);
        rc = cfn_error_set(CFN_EIO, "%s: %s", zip_path, zip_error_strerror(&e));
        zip_error_fini(&e);
        goto done;
    }
    for (size_t i = 0; i < w.n; i++) {
        zip_source_t *src = zip_source_file(z, w.files[i].path, 0, -1);
        zip_int64_t idx = src ? zip_file_add(z, w.files[i].name, src, ZIP_FL_ENC_UTF_8) : -1;
        if (idx < 0) {
            zip_source_free(src);
            rc = zip_failed(z, zip_path, w.files[i].name);
            goto done;
        }
        /* Only what the content decides: no time of the disk, the mode kept
         * (Lambda runs a bootstrap only when it is executable). */
        if (zip_file_set_dostime(z, (zip_uint64_t)idx, 0, DOS_DATE_1980_01_01, 0) < 0 ||
            zip_file_set_external_attributes(z, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX,
                                             (zip_uint32_t)(S_IFREG | (w.files[i].mode & 07777))
                                                 << 16) < 0) {
            rc = zip_failed(z, zip_path, w.files[i].name);
            goto done;
        }
    }
    if (zip_close(z) < 0) {
        rc = zip_failed(z, zip_path, "writing");
        goto done;
    }
    z = NULL;
    *count = (long)w.n;
done:
    if (z)
        zip_discard(z);
    for (size_t i = 0; i < w.n; i++) {
        free(w.files[i].name);
        free(w.files[i].path);
    }
    free(w.files);
    return rc;
}

/* Whether an entry's name would unpack outside its folder. */
static bool escapes(const char *name)
{
    if (name[0] == '/' || name[0] == '\\')
        return true;
    for (const char *p = name; *p;) {
        size_t n = strcspn(p, "/\\");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return true;
        p += n;
        if (*p)
            p++;
    }
    return false;
}

int stk_codeobj_check_zip(const char *zip_path, long *count)
{
    int zerr = 0, rc = 0;
    zip_t *z = zip_open(zip_path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
    if (!z) {
        zip_error_t e;
        zip_error_init_with_code(&e, zerr);
        rc = cfn_error_set(CFN_EINVAL, "%s is not a whole zip: %s", zip_path,
                           zip_error_strerror(&e));
        zip_error_fini(&e);
        return rc;
    }
    zip_int64_t n = zip_get_num_entries(z, 0);
    char buf[65536];
    if (n <= 0)
        rc = cfn_error_set(CFN_EINVAL, "%s has no entries: nothing to package", zip_path);
    for (zip_int64_t i = 0; rc == 0 && i < n; i++) {
        const char *name = zip_get_name(z, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
        if (!name) {
            rc = cfn_error_set(CFN_EINVAL, "%s: entry %lld: %s", zip_path, (long long)i,
                               zip_strerror(z));
            break;
        }
        if (escapes(name)) {
            rc = cfn_error_set(CFN_EINVAL, "%s: entry \"%s\" would unpack outside its folder",
                               zip_path, name);
            break;
        }
        zip_file_t *f = zip_fopen_index(z, (zip_uint64_t)i, 0);
        zip_int64_t got = f ? 0 : -1;
        while (f && (got = zip_fread(f, buf, sizeof(buf))) > 0)
            ;
        if (got < 0)
            rc = cfn_error_set(CFN_EINVAL, "%s is not a whole zip: entry \"%s\": %s", zip_path,
                               name, f ? zip_file_strerror(f) : zip_strerror(z));
        if (f)
            zip_fclose(f);
    }
    zip_discard(z);
    if (rc == 0)
        *count = (long)n;
    return rc;
}

/* The base name of `path` without a trailing '/' or ".zip". */
static void default_name(const char *path, char *out, size_t n)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    size_t start = len;
    while (start > 0 && path[start - 1] != '/')
        start--;
    size_t nlen = len - start;
    if (nlen > 4 && strncmp(path + start + nlen - 4, ".zip", 4) == 0)
        nlen -= 4;
    if (nlen == 0 || (nlen == 1 && path[start] == '.') ||
        (nlen == 2 && strncmp(path + start, "..", 2) == 0)) {
        snprintf(out, n, "code");
        return;
    }
    snprintf(out, n, "%.*s", (int)nlen, path + start);
}

int stk_codeobj_package(cfn_aws *aws, const char *path, const char *bucket, const char *prefix,
                        const char *name, stk_codeobj *out)
{
    char base[256], tmpdir[4096] = "", zip_path[4200];
    const char *zip_file = path;
    struct stat st;
    int rc;
    memset(out, 0, sizeof(*out));
    if (!bucket || !bucket[0])
        return cfn_error_set(CFN_EINVAL, "no bucket to upload %s to", path);
    if (name && (!name[0] || strchr(name, '/') || strlen(name) >= sizeof(base)))
        return cfn_error_set(CFN_EINVAL, "name \"%s\" must be 1 to %zu characters without '/'",
                             name, sizeof(base) - 1);
    if (name)
        snprintf(base, sizeof(base), "%s", name);
    else
        default_name(path, base, sizeof(base));
    if (stat(path, &st) != 0)
        return cfn_error_set(CFN_EIO, "%s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        const char *t = getenv("TMPDIR");
        snprintf(tmpdir, sizeof(tmpdir), "%s/cfnkit-package-XXXXXX", t && t[0] ? t : "/tmp");
        if (!mkdtemp(tmpdir))
            return cfn_error_set(CFN_EIO, "%s: %s", tmpdir, strerror(errno));
        snprintf(zip_path, sizeof(zip_path), "%s/%s.zip", tmpdir, base);
        zip_file = zip_path;
        rc = stk_codeobj_zip_dir(path, zip_path, &out->entries);
    } else if (S_ISREG(st.st_mode)) {
        rc = stk_codeobj_check_zip(path, &out->entries);
    } else {
        rc = cfn_error_set(CFN_EINVAL, "%s is neither a folder nor a zip file", path);
    }
    if (rc == 0)
        rc = cfn_sha256_file(zip_file, out->sha256, &out->size);
    if (rc == 0) {
        size_t plen = prefix ? strlen(prefix) : 0;
        while (plen > 0 && prefix[plen - 1] == '/')
            plen--;
        int w =
            snprintf(out->key, sizeof(out->key), "%.*s%s%s-%.*s.zip", (int)plen, plen ? prefix : "",
                     plen ? "/" : "", base, STK_CODEOBJ_HASH_CHARS, out->sha256);
        if (w < 0 || (size_t)w >= sizeof(out->key))
            rc =
                cfn_error_set(CFN_EINVAL, "the key under prefix \"%.100s...\" is too long", prefix);
    }
    if (rc == 0) {
        cfn_s3_object_info info;
        rc = cfn_s3_head_object(aws, bucket, out->key, NULL, &info);
        if (rc == 0 && info.size == out->size) {
            out->uploaded = false;
        } else if (rc == 0 || rc == CFN_ENOTFOUND) {
            rc = cfn_s3_put_object_from_file(aws, bucket, out->key, zip_file, "application/zip",
                                             out->sha256, NULL);
            out->uploaded = rc == 0;
        }
    }
    if (tmpdir[0]) {
        unlink(zip_path);
        rmdir(tmpdir);
    }
    return rc;
}
