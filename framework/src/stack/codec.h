/* The state store's encoding, apart from DynamoDB so that it can be tested
 * alone: item keys, documents cut into chunks at UTF-8 boundaries, lease
 * owners ("host/pid/random"), event sort keys, stack names in stack ids. */
#ifndef CFNKIT_STACK_CODEC_H
#define CFNKIT_STACK_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A document longer than this is kept in chunk items of at most this many
 * bytes each: DynamoDB's item limit is 400 KB, names and keys included. */
#define STK_CHUNK_BYTES 300000

/* Bytes of `s[0..len)` that go in the next chunk of at most `max` bytes: cut
 * before a UTF-8 continuation byte, so each chunk is valid UTF-8 (a
 * DynamoDB string must be). Never 0 while len > 0. */
size_t stk__chunk_cut(const char *s, size_t len, size_t max);

/* Lease owners: "HOST/PID/RANDOM". make writes one for this process into
 * `out` (`n` bytes; 0, or CFN_EINVAL when it does not fit). parse splits one
 * (from the right: a host name holds no '/'): 0, or CFN_EINVAL when it is not
 * an owner of that shape. */
#define STK_OWNER_SIZE 320
int stk__owner_make(char *out, size_t n);
int stk__owner_parse(const char *owner, char *host, size_t host_size, long *pid);
/* This machine's host name as owners carry it ("localhost" when unknown). */
void stk__hostname(char *out, size_t n);

/* An event's sort key, "event#<epoch ms, 13 digits>#<sequence, 10 digits>#<id>":
 * byte order is time order, so a descending Query lists the newest first. */
int stk__event_sk(char *out, size_t n, int64_t epoch_ms, uint32_t seq, const char *id);

/* The stack name in a stack id, arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID,
 * copied into `out`: 0, or CFN_EINVAL naming the id when it is not one. */
int stk__stack_name_of(const char *stack_id, char *out, size_t n);

/* ISO 8601 UTC with milliseconds, "2026-12-02T16:10:24.123Z" (25 bytes). */
void stk__iso_time(int64_t epoch_ms, char out[32]);

#endif
