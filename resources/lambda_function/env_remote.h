/* The `.env` written into a large package inside S3: a multipart upload
 * copying the unchanged byte ranges server-side, with only the new `.env`
 * entry and central directory sent. */
#ifndef CFNKIT_ENV_REMOTE_H
#define CFNKIT_ENV_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>
#include <cfnkit/aws.h>
#include <cfnkit/error.h>

/* Code objects from this size on are rewritten in S3; smaller ones are
 * downloaded and rewritten locally (envzip_apply). Measured with
 * tests/bench/run envcopy (CFNKIT_BENCH_ENVCOPY=--threshold), the .env in the
 * middle: at 8 MB neither side reaches S3's 5 MiB part minimum, so the remote
 * path reads and sends the whole object (17.4 MB moved, as the local 17.3 MB,
 * with more memory); at 16 MB it moves 0.3 MB against 34 MB. */
#define ENV_REMOTE_MIN_SIZE (16LL * 1024 * 1024)

/* The output as pieces in order: `len` bytes of the source from `from`, or
 * (literal) of the layout's literal buffer from `from`. */
typedef struct env_seg {
    bool literal;
    long long from, len;
} env_seg;

/* Where a piece of a part comes from: copied by S3 (a part of its own), read
 * from the source with a ranged GET, or the literal buffer. */
typedef enum env_span_kind { ENV_SPAN_COPY, ENV_SPAN_READ, ENV_SPAN_LITERAL } env_span_kind;

typedef struct env_span {
    int part; /* 1-based */
    env_span_kind kind;
    long long from, len;
} env_span;

typedef struct env_limits {
    long long min_part, max_part; /* every part but the last >= min_part */
    int max_parts;
} env_limits;

/* Plans the parts for `segs`: source ranges of at least min_part become
 * server-side copies (split evenly when over max_part); smaller ones, and
 * the literal bytes, are sent in an uploaded part, filled up to min_part with
 * bytes read from the neighbouring range. Sets *spans (caller frees),
 * *nspans and *nparts. Returns 0, or -1 with the reason in `why` when the
 * limits cannot be met. */
int env_plan(const env_seg *segs, size_t nsegs, const env_limits *lim, env_span **spans,
             size_t *nspans, int *nparts, char *why, size_t why_size);

/* A byte range of the source: sets *data (`len` bytes, caller frees).
 * Returns 0, or -1 with the reason in `why`. */
typedef int (*env_read_fn)(void *arg, long long from, size_t len, char **data, char *why,
                           size_t why_size);

/* The new archive, described from the source's end records and central
 * directory (and its `.env` entry), read through `read`. */
typedef struct env_layout {
    env_seg segs[3];
    size_t nsegs;
    char *literal; /* the new .env entry, central directory, end records */
    size_t literal_len;
    char *env; /* the merged .env */
    size_t env_len;
    long long size; /* of the new archive */
} env_layout;

/* The new archive for a source of `size` bytes: the `.env` entry `name`
 * merged with `env`, placed after the other entries (an existing one is left
 * out, its bytes not copied), the central directory rewritten with shifted
 * offsets, zip64 end records when needed. Returns 0, or -1 with the reason
 * in `why`. */
int env_layout_build(long long size, env_read_fn read, void *arg, const char *name,
                     const cJSON *env, env_layout *out, char *why, size_t why_size);
void env_layout_free(env_layout *l);

/* What the remote rewrite moved through the provider. */
typedef struct env_remote_stats {
    long long bytes_read, bytes_sent, bytes_copied; /* copied: inside S3 */
    int parts, copy_parts, requests;
} env_remote_stats;

typedef struct env_remote_spec {
    const char *bucket, *key, *version; /* the code object */
    const char *env_file;
    const cJSON *env;
    const char *out_bucket;
    const char *out_prefix; /* the key is <out_prefix><stem>-<16 hex>.zip */
} env_remote_spec;

/* Builds the package in S3 when the code object has at least `min_size`
 * bytes. The key depends only on the code object (its ETag and version) and
 * the merged `.env`; an existing one is reused. The upload completes only if
 * the key is still free (If-None-Match), and is aborted on any failure. Sets
 * `key_out`, *uploaded (by this call) and `stats` (may be NULL). Returns 0
 * when done, 1 when the object is smaller (nothing done), -1 with the reason
 * in `why`. */
int env_remote_apply(cfn_aws *aws, const env_remote_spec *s, long long min_size, char *key_out,
                     size_t key_size, bool *uploaded, env_remote_stats *stats, char *why,
                     size_t why_size);

#endif
