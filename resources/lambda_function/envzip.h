/* The `.env` of a deployment package: merging settings into it, and writing
 * it into a zip archive without touching the other entries. */
#ifndef CFNKIT_ENVZIP_H
#define CFNKIT_ENVZIP_H

#include <stddef.h>
#include <cjson/cJSON.h>

/* A value as a double-quoted dotenv value that python-dotenv reads back
 * unchanged: \ " and line breaks escaped, and "${" written as "${:-$}{" (an
 * unset variable whose default is "$"), since python-dotenv expands ${...}
 * even inside quotes. Caller frees. */
char *dotenv_quote(const char *value);

/* `existing` (may be NULL) with every variable of `env` (an object of
 * strings) set: lines defining those names are dropped, every other line is
 * kept as written (byte for byte, NULs included), and the new definitions
 * follow in name order. Sets *out_len; caller frees. NULL with the reason in
 * `why` when `existing` has a quoted value that never ends: anything written
 * after it would be read as part of it. */
char *dotenv_merge(const char *existing, size_t len, const cJSON *env, size_t *out_len, char *why,
                   size_t why_size);

/* True for a variable name a dotenv file and a process environment accept. */
int dotenv_valid_name(const char *name);

/* Writes the archive read from descriptor `in` to descriptor `out` (both
 * read-write files, `out` truncated first) with the merged `.env` (entry
 * `name`): unchanged entries are copied without recompression, the `.env`
 * entry gets fixed metadata, so the same input and settings give a
 * byte-identical archive. No file name is needed: the caller's files may be
 * unlinked. Returns 0, or -1 with the reason in `why`. */
int envzip_apply(int in, int out, const char *name, const cJSON *env, char *why, size_t why_size);

/* An archive in memory holding only the entry `name` with `data`, written
 * exactly as envzip_apply writes the `.env`: added, or, when `base` (may be
 * NULL) is a one-entry archive holding the entry it replaces, replaced as
 * libzip replaces it (it keeps some of the old entry's fields). The remote
 * rewrite takes the local header, data and central directory record from it.
 * Caller frees *out. Returns 0, or -1 on failure. */
int envzip_entry(const char *name, const char *data, size_t len, const void *base, size_t base_len,
                 char **out, size_t *out_len);

#endif
