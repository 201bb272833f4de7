/* Code objects: a folder or a zip uploaded to S3 under a key that carries
 * the hash of its content, as `aws cloudformation package` does, so that
 * shipping new code is a deploy whose parameter (the key) changed. A folder
 * is zipped deterministically: the same files give the same bytes, whatever
 * their timestamps, their order on disk or where the folder is. */
#ifndef CFNKIT_STACK_CODEOBJ_H
#define CFNKIT_STACK_CODEOBJ_H

#include <cfnkit/aws.h>
#include <stdbool.h>

/* Characters of the SHA-256 (hex) in a key: NAME-<16 hex digits>.zip. */
#define STK_CODEOBJ_HASH_CHARS 16

/* Zips folder `dir` into `zip_path`: every file under it, hidden ones (.env)
 * included, symbolic links followed, entries sorted by path (bytewise), each
 * dated 1980-01-01 00:00 (the zip format's first day) and carrying its Unix
 * mode; no folder entries. *count receives the number of files. Errors name
 * the path: an empty folder, a loop of links, something neither a file nor a
 * folder. */
int stk_codeobj_zip_dir(const char *dir, const char *zip_path, long *count);

/* Checks that `zip_path` is a whole zip: its directory consistent, every
 * entry readable with its CRC right, no entry naming a path outside the
 * folder it unpacks into (absolute or with ".."), at least one entry.
 * *count receives the number of entries. */
int stk_codeobj_check_zip(const char *zip_path, long *count);

typedef struct stk_codeobj {
    char key[1200];
    char sha256[CFN_SHA256_HEX_SIZE]; /* of the zip's bytes */
    long long size;
    long entries;
    bool uploaded; /* false: an object was there under that key already */
} stk_codeobj;

/* Packages `path` (a folder, zipped as above, or a zip file, checked and
 * taken as it is) and uploads it to `bucket` as PREFIX/NAME-<hash>.zip
 * (`prefix` NULL or "" for none; `name` NULL for the path's base name
 * without ".zip"), unless an object of that key and size is there already. */
int stk_codeobj_package(cfn_aws *aws, const char *path, const char *bucket, const char *prefix,
                        const char *name, stk_codeobj *out);

#endif
