/* The state store in DynamoDB (store.h); the item format is in README.md.
 * Every write is one DynamoDB call that is durable when it returns; the
 * lease, exports and imports are conditional writes, so two engines cannot
 * both win. */
#include "store.h"

#include "clock.h"
#include "codec.h"

#include <cfnkit/error.h>
#include <cfnkit/json.h>
#include <cfnkit/wait.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TABLE  "cfnkit-stacks"
#define TABLE_ENV      "CFNKIT_STATE_TABLE"
#define ACTIVE_WAIT_MS 60000
#define PAGE_LIMIT     100 /* items per Query page, as DescribeStackEvents pages */
#define MAX_PAGES      100000
#define BATCH_MAX      25 /* DynamoDB's BatchWriteItem limit */
#define BATCH_TRIES    10
#define LEASE_TRIES    4
#define KEY_MAX        1024
#define DOC_MAX        (1LL << 28) /* bytes of one document read back: far past any stack's */
#define MAX_CHUNKS     (DOC_MAX / STK_CHUNK_BYTES + 1)
#define NAME_SIZE      160 /* a stack name (at most 128) */
#define PK_SIZE        (NAME_SIZE + 16)
/* A Query's sort key begins_with, and the partitions (README.md). */
#define STACKS_PK  "stacks"
#define EXPORTS_PK "exports"
#define LEASE_SK   "lease"

struct stk_store {
    cfn_aws *aws; /* borrowed */
    char table[256];
    char host[256];
    uint32_t seq; /* orders this process's events within one millisecond */
};

/* The outcome of a call whose condition did not hold: not an error. */
#define CONDITION_FAILED 1

/* --- DynamoDB items ---------------------------------------------------- */

static bool add_attr(cJSON *item, const char *name, const char *type, const char *value)
{
    cJSON *v = cJSON_AddObjectToObject(item, name);
    return v && cJSON_AddStringToObject(v, type, value);
}

static bool add_s(cJSON *item, const char *name, const char *value)
{
    return add_attr(item, name, "S", value);
}

static bool add_n(cJSON *item, const char *name, long long value)
{
    char num[32];
    snprintf(num, sizeof(num), "%lld", value);
    return add_attr(item, name, "N", num);
}

/* {"pk": {"S": pk}, "sk": {"S": sk}} added to `parent` under `name`. */
static bool add_key(cJSON *parent, const char *name, const char *pk, const char *sk)
{
    cJSON *key = cJSON_AddObjectToObject(parent, name);
    return key && add_s(key, "pk", pk) && add_s(key, "sk", sk);
}

static const char *item_s(const cJSON *item, const char *name)
{
    return cfn_json_string(cJSON_GetObjectItemCaseSensitive(item, name), "S");
}

static long long item_n(const cJSON *item, const char *name, long long dflt)
{
    const char *n = cfn_json_string(cJSON_GetObjectItemCaseSensitive(item, name), "N");
    return n ? strtoll(n, NULL, 10) : dflt;
}

static int oom(void)
{
    return cfn_error_set(CFN_ENOMEM, "out of memory");
}

/* One call on the table. A condition that did not hold returns
 * CONDITION_FAILED and sets no error; other failures name the table. */
static int call(stk_store *s, const char *op, cJSON *in, cJSON **out)
{
    if (out)
        *out = NULL;
    if (strcmp(op, "TransactWriteItems") != 0 && strcmp(op, "BatchWriteItem") != 0 &&
        !cJSON_GetObjectItemCaseSensitive(in, "TableName") &&
        !cJSON_AddStringToObject(in, "TableName", s->table))
        return oom();
    int rc = cfn_dynamodb(s->aws, op, in, out);
    if (rc == 0)
        return 0;
    if (cfn_aws_error_is(s->aws, "ConditionalCheckFailedException") ||
        cfn_aws_error_is(s->aws, "TransactionCanceledException"))
        return CONDITION_FAILED;
    char why[1024];
    snprintf(why, sizeof(why), "%s", cfn_error_last());
    return cfn_error_set(rc, "state table %s: %s", s->table, why);
}

/* Every item of a Query (all pages, PAGE_LIMIT items each), as an array. */
static int query_all(stk_store *s, cJSON *in, cJSON **items)
{
    cJSON *all = cJSON_CreateArray();
    int rc = 0;
    if (!all || !cJSON_AddNumberToObject(in, "Limit", PAGE_LIMIT))
        rc = oom();
    for (int page = 0; rc == 0; page++) {
        cJSON *out;
        if (page == MAX_PAGES) {
            rc = cfn_error_set(CFN_ERROR, "state table %s: a Query ran past %d pages", s->table,
                               MAX_PAGES);
            break;
        }
        if ((rc = call(s, "Query", in, &out)) != 0)
            break;
        cJSON *got = cJSON_DetachItemFromObjectCaseSensitive(out, "Items"), *it;
        while (got && (it = cJSON_DetachItemViaPointer(got, got->child)) != NULL)
            cJSON_AddItemToArray(all, it);
        cJSON_Delete(got);
        cJSON *last = cJSON_DetachItemFromObjectCaseSensitive(out, "LastEvaluatedKey");
        cJSON_Delete(out);
        cJSON_DeleteItemFromObjectCaseSensitive(in, "ExclusiveStartKey");
        if (!last)
            break;
        cJSON_AddItemToObject(in, "ExclusiveStartKey", last);
    }
    if (rc == CONDITION_FAILED)
        rc = cfn_error_set(CFN_ERROR, "state table %s: Query failed", s->table);
    if (rc != 0) {
        cJSON_Delete(all);
        return rc;
    }
    *items = all;
    return 0;
}

/* The items of partition `pk` whose sort key begins with `prefix` ("" for
 * all), in sort key order or its reverse. */
static int query_prefix(stk_store *s, const char *pk, const char *prefix, bool forward,
                        cJSON **items)
{
    cJSON *in = cJSON_CreateObject(), *values;
    int rc;
    bool ok = in &&
              cJSON_AddStringToObject(in, "KeyConditionExpression",
                                      prefix[0] ? "pk = :p AND begins_with(sk, :s)" : "pk = :p") &&
              (values = cJSON_AddObjectToObject(in, "ExpressionAttributeValues")) &&
              add_s(values, ":p", pk) && (!prefix[0] || add_s(values, ":s", prefix)) &&
              cJSON_AddBoolToObject(in, "ConsistentRead", 1) &&
              cJSON_AddBoolToObject(in, "ScanIndexForward", forward);
    rc = ok ? query_all(s, in, items) : oom();
    cJSON_Delete(in);
    return rc;
}

static int get_item(stk_store *s, const char *pk, const char *sk, cJSON **item)
{
    cJSON *in = cJSON_CreateObject(), *out = NULL;
    int rc;
    *item = NULL;
    if (!in || !add_key(in, "Key", pk, sk) || !cJSON_AddBoolToObject(in, "ConsistentRead", 1))
        rc = oom();
    else if ((rc = call(s, "GetItem", in, &out)) == 0)
        *item = cJSON_DetachItemFromObjectCaseSensitive(out, "Item");
    cJSON_Delete(in);
    cJSON_Delete(out);
    return rc;
}

/* Deletes the items whose keys `keys` holds (an array of Key objects), 25
 * at a time, retrying what DynamoDB leaves unprocessed (throttling). */
static int delete_keys(stk_store *s, const cJSON *keys)
{
    int n = cJSON_GetArraySize(keys);
    for (int first = 0; first < n; first += BATCH_MAX) {
        cJSON *in = cJSON_CreateObject(), *reqs = NULL;
        cJSON *items = cJSON_AddObjectToObject(in, "RequestItems");
        if (!items || !(reqs = cJSON_AddArrayToObject(items, s->table))) {
            cJSON_Delete(in);
            return oom();
        }
        for (int i = first; i < n && i < first + BATCH_MAX; i++) {
            cJSON *req = cJSON_CreateObject(), *del = cJSON_AddObjectToObject(req, "DeleteRequest");
            cJSON *key = cJSON_Duplicate(cJSON_GetArrayItem(keys, i), 1);
            if (!del || !key || !cJSON_AddItemToObject(del, "Key", key)) {
                cJSON_Delete(key);
                cJSON_Delete(req);
                cJSON_Delete(in);
                return oom();
            }
            cJSON_AddItemToArray(reqs, req);
        }
        int attempt = 0, rc = 0;
        for (;;) {
            cJSON *out;
            if ((rc = call(s, "BatchWriteItem", in, &out)) != 0)
                break;
            cJSON *left = cJSON_DetachItemFromObjectCaseSensitive(out, "UnprocessedItems");
            cJSON_Delete(out);
            if (!left || !cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(left, s->table))) {
                cJSON_Delete(left);
                break;
            }
            if (++attempt == BATCH_TRIES) {
                rc = cfn_error_set(
                    CFN_ETIMEOUT,
                    "state table %s: %d deletes still unprocessed after %d BatchWriteItem "
                    "attempts (throttled)",
                    s->table, cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(left, s->table)),
                    BATCH_TRIES);
                cJSON_Delete(left);
                break;
            }
            cJSON_ReplaceItemInObjectCaseSensitive(in, "RequestItems", left);
            cfn__sleep_ms(cfn_backoff_ms(attempt - 1, 50, 2000));
        }
        cJSON_Delete(in);
        if (rc == CONDITION_FAILED)
            rc = cfn_error_set(CFN_ERROR, "state table %s: BatchWriteItem failed", s->table);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* --- documents: one item, or chunk items when larger --------------------- */

static void chunk_pk(char *out, size_t n, const char *pk, const char *sk)
{
    snprintf(out, n, "chunk#%s#%s", pk, sk);
}

/* Appends the keys of a chunked item's chunks (none when it has no chunks). */
static int add_chunk_keys(const cJSON *item, cJSON *keys)
{
    const char *gen = item_s(item, "gen"), *pk = item_s(item, "pk"), *sk = item_s(item, "sk");
    long long n = item_n(item, "chunks", 0);
    char cpk[2 * KEY_MAX + 64], csk[64];
    if (!gen || !pk || !sk)
        return 0;
    if (n < 0 || n > MAX_CHUNKS)
        return cfn_error_set(CFN_ERROR, "item %s / %s is damaged: %lld chunks", pk, sk, n);
    chunk_pk(cpk, sizeof(cpk), pk, sk);
    for (long long i = 0; i < n; i++) {
        snprintf(csk, sizeof(csk), "%s#%06lld", gen, i);
        cJSON *key = cJSON_CreateObject();
        if (!key || !add_s(key, "pk", cpk) || !add_s(key, "sk", csk)) {
            cJSON_Delete(key);
            return oom();
        }
        cJSON_AddItemToArray(keys, key);
    }
    return 0;
}

static int put_chunks(stk_store *s, const char *pk, const char *sk, const char *gen,
                      const char *text, size_t len, long long *nchunks)
{
    char cpk[2 * KEY_MAX + 64], csk[64];
    long long n = 0;
    chunk_pk(cpk, sizeof(cpk), pk, sk);
    for (size_t at = 0; at < len; n++) {
        size_t cut = stk__chunk_cut(text + at, len - at, STK_CHUNK_BYTES);
        char *part = strndup(text + at, cut);
        cJSON *in = cJSON_CreateObject(), *item = cJSON_AddObjectToObject(in, "Item");
        int rc;
        snprintf(csk, sizeof(csk), "%s#%06lld", gen, n);
        if (!part || !item || !add_s(item, "pk", cpk) || !add_s(item, "sk", csk) ||
            !add_s(item, "part", part))
            rc = oom();
        else
            rc = call(s, "PutItem", in, NULL);
        free(part);
        cJSON_Delete(in);
        if (rc != 0)
            return rc;
        at += cut;
    }
    *nchunks = n;
    return 0;
}

/* Stores `doc` under (pk, sk), with extra attributes from `extra` (may be
 * NULL). A document over STK_CHUNK_BYTES goes into chunk items written first,
 * then the item naming them; the chunks of the item replaced go last. */
static int put_doc(stk_store *s, const char *pk, const char *sk, const cJSON *doc,
                   const cJSON *extra)
{
    char *text = cJSON_PrintUnformatted(doc);
    cJSON *in = cJSON_CreateObject(), *out = NULL, *item = cJSON_AddObjectToObject(in, "Item");
    cJSON *old_chunks = cJSON_CreateArray();
    int rc = 0;
    if (!text || !item || !old_chunks || !add_s(item, "pk", pk) || !add_s(item, "sk", sk)) {
        rc = oom();
        goto done;
    }
    for (const cJSON *e = extra ? extra->child : NULL; e; e = e->next)
        if (!cJSON_AddItemToObject(item, e->string, cJSON_Duplicate(e, 1))) {
            rc = oom();
            goto done;
        }
    size_t len = strlen(text);
    if (len <= STK_CHUNK_BYTES) {
        if (!add_s(item, "doc", text))
            rc = oom();
    } else {
        char gen[32];
        long long n = 0;
        snprintf(gen, sizeof(gen), "%08" PRIx32 "%08" PRIx32, cfn__random_u32(), cfn__random_u32());
        if ((rc = put_chunks(s, pk, sk, gen, text, len, &n)) != 0)
            goto done;
        if (!add_s(item, "gen", gen) || !add_n(item, "chunks", n) ||
            !add_n(item, "bytes", (long long)len))
            rc = oom();
    }
    if (rc != 0 || !cJSON_AddStringToObject(in, "ReturnValues", "ALL_OLD")) {
        rc = rc ? rc : oom();
        goto done;
    }
    if ((rc = call(s, "PutItem", in, &out)) != 0)
        goto done;
    if ((rc = add_chunk_keys(cJSON_GetObjectItemCaseSensitive(out, "Attributes"), old_chunks)) ==
            0 &&
        cJSON_GetArraySize(old_chunks) > 0)
        rc = delete_keys(s, old_chunks);
done:
    free(text);
    cJSON_Delete(in);
    cJSON_Delete(out);
    cJSON_Delete(old_chunks);
    return rc;
}

/* The document an item holds (reading its chunks when it has them). */
static int item_doc(stk_store *s, const cJSON *item, cJSON **out)
{
    const char *text = item_s(item, "doc"), *pk = item_s(item, "pk"), *sk = item_s(item, "sk");
    const char *gen = item_s(item, "gen");
    char *joined = NULL;
    *out = NULL;
    if (!text && gen && pk && sk) {
        char cpk[2 * KEY_MAX + 64], prefix[40];
        cJSON *parts;
        long long want = item_n(item, "chunks", 0), got = 0, bytes = item_n(item, "bytes", 0);
        /* The sizes come from the table: checked before a buffer is sized. */
        if (want < 1 || want > MAX_CHUNKS || bytes < 1 || bytes > DOC_MAX ||
            bytes > want * STK_CHUNK_BYTES)
            return cfn_error_set(CFN_ERROR,
                                 "state table %s: item %s / %s is damaged: %lld chunks cannot "
                                 "hold its size in bytes",
                                 s->table, pk, sk, want);
        chunk_pk(cpk, sizeof(cpk), pk, sk);
        snprintf(prefix, sizeof(prefix), "%s#", gen);
        int rc = query_prefix(s, cpk, prefix, true, &parts);
        if (rc != 0)
            return rc;
        size_t len = 0, cap = (size_t)bytes + 1;
        joined = malloc(cap);
        const cJSON *p;
        cJSON_ArrayForEach(p, parts)
        {
            const char *t = item_s(p, "part");
            size_t tl = t ? strlen(t) : 0;
            if (!joined || len + tl >= cap)
                break;
            memcpy(joined + len, t, tl);
            len += tl;
            got++;
        }
        cJSON_Delete(parts);
        if (!joined)
            return oom();
        joined[len] = '\0';
        if (got != want || len + 1 != cap) {
            free(joined);
            return cfn_error_set(CFN_ERROR,
                                 "state table %s: item %s / %s has %lld of its %lld chunks "
                                 "(%zu bytes): it was rewritten while read, or damaged",
                                 s->table, pk, sk, got, want, len);
        }
        text = joined;
    }
    if (!text) {
        free(joined);
        return cfn_error_set(CFN_ERROR, "state table %s: item %s / %s holds no document", s->table,
                             pk ? pk : "?", sk ? sk : "?");
    }
    *out = cJSON_Parse(text);
    free(joined);
    if (!*out)
        return cfn_error_set(CFN_ERROR, "state table %s: item %s / %s holds no JSON document",
                             s->table, pk ? pk : "?", sk ? sk : "?");
    return 0;
}

/* --- names --------------------------------------------------------------- */

/* CloudFormation's stack names: a letter, then letters, digits and hyphens,
 * at most 128 characters. */
static int check_stack_name(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    bool ok = n > 0 && n <= 128 &&
              ((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z'));
    for (size_t i = 0; ok && i < n; i++)
        ok = (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
             (name[i] >= '0' && name[i] <= '9') || name[i] == '-';
    if (!ok)
        return cfn_error_set(CFN_EINVAL,
                             "stack name \"%.200s\" is not valid: it must start with a letter and "
                             "hold only letters, digits and hyphens, at most 128 characters",
                             name ? name : "");
    return 0;
}

static int check_key(const char *what, const char *key)
{
    if (!key || !key[0] || strlen(key) > KEY_MAX)
        return cfn_error_set(CFN_EINVAL, "%s \"%.200s\" must be 1 to %d bytes", what,
                             key ? key : "", KEY_MAX);
    return 0;
}

static void stack_pk(char *out, size_t n, const char *stack)
{
    snprintf(out, n, "stack#%s", stack);
}

/* --- opening -------------------------------------------------------------- */

static int describe(stk_store *s, cJSON **table)
{
    cJSON *in = cJSON_CreateObject(), *out = NULL;
    int rc = in ? call(s, "DescribeTable", in, &out) : oom();
    cJSON_Delete(in);
    *table = rc == 0 ? cJSON_DetachItemFromObjectCaseSensitive(out, "Table") : NULL;
    cJSON_Delete(out);
    return rc;
}

static int create_table(stk_store *s)
{
    static const char *shape =
        "{\"BillingMode\":\"PAY_PER_REQUEST\","
        "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"
        "{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],"
        "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
        "{\"AttributeName\":\"sk\",\"AttributeType\":\"S\"}]}";
    cJSON *in = cJSON_Parse(shape);
    if (!in || !cJSON_AddStringToObject(in, "TableName", s->table)) {
        cJSON_Delete(in);
        return oom();
    }
    int rc = cfn_dynamodb(s->aws, "CreateTable", in, NULL);
    cJSON_Delete(in);
    if (rc != 0 && cfn_aws_error_is(s->aws, "ResourceInUseException"))
        return 0; /* another engine made it first */
    if (rc != 0) {
        char why[1024];
        snprintf(why, sizeof(why), "%s", cfn_error_last());
        return cfn_error_set(rc, "the state table %s does not exist and cannot be made: %s",
                             s->table, why);
    }
    return 0;
}

static int check_schema(stk_store *s, const cJSON *table)
{
    const cJSON *k;
    int found = 0;
    cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(table, "KeySchema"))
    {
        const char *name = cfn_json_string(k, "AttributeName"),
                   *type = cfn_json_string(k, "KeyType");
        if (name && type &&
            ((strcmp(name, "pk") == 0 && strcmp(type, "HASH") == 0) ||
             (strcmp(name, "sk") == 0 && strcmp(type, "RANGE") == 0)))
            found++;
    }
    if (found != 2)
        return cfn_error_set(CFN_EINVAL,
                             "table %s is not a cfnkit state table: its key is not pk (HASH) and "
                             "sk (RANGE); set %s to another table name",
                             s->table, TABLE_ENV);
    return 0;
}

int stk_store_open(cfn_aws *aws, stk_store **out)
{
    const char *table = getenv(TABLE_ENV);
    *out = NULL;
    if (!table || !table[0])
        table = DEFAULT_TABLE;
    size_t n = strlen(table);
    bool ok = n >= 3 && n <= 255;
    for (size_t i = 0; ok && i < n; i++)
        ok = (table[i] >= 'a' && table[i] <= 'z') || (table[i] >= 'A' && table[i] <= 'Z') ||
             (table[i] >= '0' && table[i] <= '9') || strchr("_.-", table[i]);
    if (!ok)
        return cfn_error_set(CFN_EINVAL,
                             "%s=\"%.300s\" is not a DynamoDB table name (3 to 255 of "
                             "a-z A-Z 0-9 _ . -)",
                             TABLE_ENV, table);
    stk_store *s = calloc(1, sizeof(*s));
    if (!s)
        return oom();
    s->aws = aws;
    snprintf(s->table, sizeof(s->table), "%s", table);
    stk__hostname(s->host, sizeof(s->host));

    cJSON *desc = NULL;
    int rc = describe(s, &desc);
    if (rc != 0 && cfn_aws_error_is(aws, "ResourceNotFoundException"))
        rc = create_table(s);
    int64_t deadline = cfn__clock_mono_ms() + ACTIVE_WAIT_MS;
    for (int attempt = 0; rc == 0; attempt++) {
        const char *status = desc ? cfn_json_string(desc, "TableStatus") : NULL;
        if (status && strcmp(status, "ACTIVE") == 0) {
            rc = check_schema(s, desc);
            break;
        }
        int64_t pause = 100 + cfn_backoff_ms(attempt, 100, 2000);
        if (cfn__sleep_until(pause, deadline) != 0) {
            rc = cfn_error_set(CFN_ETIMEOUT, "state table %s is not ACTIVE after %d s (%s)",
                               s->table, ACTIVE_WAIT_MS / 1000, status ? status : "not found");
            break;
        }
        cJSON_Delete(desc);
        desc = NULL;
        rc = describe(s, &desc);
        if (rc != 0 && cfn_aws_error_is(aws, "ResourceNotFoundException"))
            rc = 0; /* not visible yet after CreateTable */
    }
    cJSON_Delete(desc);
    if (rc != 0) {
        free(s);
        return rc == CONDITION_FAILED ? cfn_error_set(CFN_ERROR, "state table %s", table) : rc;
    }
    *out = s;
    return 0;
}

void stk_store_free(stk_store *s)
{
    free(s);
}

const char *stk_store_table(const stk_store *s)
{
    return s->table;
}

int stk_store_owner(char out[STK_STORE_OWNER_SIZE])
{
    return stk__owner_make(out, STK_STORE_OWNER_SIZE);
}

/* --- the lease ------------------------------------------------------------ */

/* Whether `owner` is an engine of this host whose process is gone. */
static bool owner_dead(const stk_store *s, const char *owner)
{
    char host[256];
    long pid;
    if (stk__owner_parse(owner, host, sizeof(host), &pid) != 0 || strcmp(host, s->host) != 0)
        return false;
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Writes the lease for `owner` when `cond` holds: 0, CONDITION_FAILED, or an error. */
static int write_lease(stk_store *s, const char *pk, const char *owner, int seconds,
                       const char *cond, const char *holder)
{
    int64_t now = cfn__clock_epoch_ms(), until = now + (int64_t)seconds * 1000;
    char iso[32], taken[32];
    stk__iso_time(until, iso);
    stk__iso_time(now, taken);
    cJSON *in = cJSON_CreateObject(), *item = cJSON_AddObjectToObject(in, "Item"), *names, *values;
    bool ok = item && add_s(item, "pk", pk) && add_s(item, "sk", LEASE_SK) &&
              add_s(item, "owner", owner) && add_n(item, "expires", until) &&
              add_s(item, "expires_at", iso) && add_s(item, "taken_at", taken) &&
              cJSON_AddStringToObject(in, "ConditionExpression", cond) &&
              (names = cJSON_AddObjectToObject(in, "ExpressionAttributeNames")) &&
              cJSON_AddStringToObject(names, "#o", "owner") &&
              (values = cJSON_AddObjectToObject(in, "ExpressionAttributeValues")) &&
              (holder ? add_s(values, ":h", holder)
                      : cJSON_AddStringToObject(names, "#x", "expires") &&
                            add_s(values, ":me", owner) && add_n(values, ":now", now));
    int rc = ok ? call(s, "PutItem", in, NULL) : oom();
    cJSON_Delete(in);
    return rc;
}

static int busy(const stk_store *s, const char *stack, const cJSON *lease)
{
    const char *holder = item_s(lease, "owner");
    long long left = (item_n(lease, "expires", 0) - cfn__clock_epoch_ms() + 999) / 1000;
    (void)s;
    return cfn_error_set(CFN_EBUSY,
                         "stack %s is in use by another cfnkit engine: lease held by %s until %s "
                         "(%lld s from now)",
                         stack, holder ? holder : "?", item_s(lease, "expires_at") ?: "?",
                         left > 0 ? left : 0);
}

int stk_store_lease(stk_store *s, const char *stack, const char *owner, int seconds)
{
    char pk[PK_SIZE];
    int rc;
    if ((rc = check_stack_name(stack)) != 0 || (rc = check_key("lease owner", owner)) != 0)
        return rc;
    if (seconds <= 0)
        return cfn_error_set(CFN_EINVAL, "a lease lasts at least 1 s, not %d", seconds);
    stack_pk(pk, sizeof(pk), stack);
    for (int attempt = 0; attempt < LEASE_TRIES; attempt++) {
        rc = write_lease(s, pk, owner, seconds, "attribute_not_exists(pk) OR #x < :now OR #o = :me",
                         NULL);
        if (rc != CONDITION_FAILED)
            return rc;
        cJSON *lease;
        if ((rc = get_item(s, pk, LEASE_SK, &lease)) != 0)
            return rc;
        const char *holder = item_s(lease, "owner");
        if (!lease || !holder) {
            cJSON_Delete(lease);
            continue; /* released meanwhile */
        }
        if (!owner_dead(s, holder)) {
            rc = busy(s, stack, lease);
            cJSON_Delete(lease);
            return rc;
        }
        /* The holder was an engine of this host that died (SIGKILL): take
         * over now rather than wait for its lease to expire. */
        rc = write_lease(s, pk, owner, seconds, "#o = :h", holder);
        cJSON_Delete(lease);
        if (rc != CONDITION_FAILED)
            return rc;
    }
    return cfn_error_set(CFN_EBUSY, "stack %s: the lease changed hands %d times while taken", stack,
                         LEASE_TRIES);
}

/* The error for a renew or release by an owner that no longer holds the lease. */
static int not_holder(stk_store *s, const char *stack, const char *pk, const char *owner)
{
    cJSON *lease;
    int rc = get_item(s, pk, LEASE_SK, &lease);
    if (rc == 0) {
        const char *holder = item_s(lease, "owner");
        rc = holder ? cfn_error_set(CFN_EBUSY,
                                    "the lease on stack %s is no longer %s's: held by %s "
                                    "until %s",
                                    stack, owner, holder, item_s(lease, "expires_at") ?: "?")
                    : cfn_error_set(CFN_EBUSY, "the lease on stack %s is no longer %s's: free",
                                    stack, owner);
    }
    cJSON_Delete(lease);
    return rc;
}

int stk_store_renew(stk_store *s, const char *stack, const char *owner, int seconds)
{
    char pk[PK_SIZE];
    int rc;
    if ((rc = check_stack_name(stack)) != 0 || (rc = check_key("lease owner", owner)) != 0)
        return rc;
    if (seconds <= 0)
        return cfn_error_set(CFN_EINVAL, "a lease lasts at least 1 s, not %d", seconds);
    stack_pk(pk, sizeof(pk), stack);
    rc = write_lease(s, pk, owner, seconds, "#o = :h", owner);
    return rc == CONDITION_FAILED ? not_holder(s, stack, pk, owner) : rc;
}

int stk_store_release(stk_store *s, const char *stack, const char *owner)
{
    char pk[PK_SIZE];
    int rc;
    if ((rc = check_stack_name(stack)) != 0 || (rc = check_key("lease owner", owner)) != 0)
        return rc;
    stack_pk(pk, sizeof(pk), stack);
    cJSON *in = cJSON_CreateObject(), *names, *values;
    bool ok = in && add_key(in, "Key", pk, LEASE_SK) &&
              cJSON_AddStringToObject(in, "ConditionExpression",
                                      "attribute_not_exists(pk) OR #o = :me") &&
              (names = cJSON_AddObjectToObject(in, "ExpressionAttributeNames")) &&
              cJSON_AddStringToObject(names, "#o", "owner") &&
              (values = cJSON_AddObjectToObject(in, "ExpressionAttributeValues")) &&
              add_s(values, ":me", owner);
    rc = ok ? call(s, "DeleteItem", in, NULL) : oom();
    cJSON_Delete(in);
    return rc == CONDITION_FAILED ? not_holder(s, stack, pk, owner) : rc;
}

/* --- stacks and resources ------------------------------------------------- */

int stk_store_get_stack(stk_store *s, const char *stack, cJSON **out)
{
    cJSON *item;
    int rc;
    *out = NULL;
    if ((rc = check_stack_name(stack)) != 0 || (rc = get_item(s, STACKS_PK, stack, &item)) != 0)
        return rc;
    rc = item ? item_doc(s, item, out) : 0;
    cJSON_Delete(item);
    return rc;
}

int stk_store_put_stack(stk_store *s, const char *stack, const cJSON *doc)
{
    int rc = check_stack_name(stack);
    return rc ? rc : put_doc(s, STACKS_PK, stack, doc, NULL);
}

/* Documents of the items of an array, as an array. */
static int docs_of(stk_store *s, const cJSON *items, cJSON **out)
{
    cJSON *docs = cJSON_CreateArray();
    const cJSON *it;
    if (!docs)
        return oom();
    cJSON_ArrayForEach(it, items)
    {
        cJSON *doc;
        int rc = item_doc(s, it, &doc);
        if (rc != 0) {
            cJSON_Delete(docs);
            return rc;
        }
        cJSON_AddItemToArray(docs, doc);
    }
    *out = docs;
    return 0;
}

int stk_store_list_stacks(stk_store *s, cJSON **out)
{
    cJSON *items;
    *out = NULL;
    int rc = query_prefix(s, STACKS_PK, "", true, &items);
    if (rc == 0)
        rc = docs_of(s, items, out);
    cJSON_Delete(items);
    return rc;
}

static int resource_sk(char *out, size_t n, const char *key)
{
    int rc = check_key("resource key", key);
    if (rc == 0)
        snprintf(out, n, "resource#%s", key);
    return rc;
}

int stk_store_put_resource(stk_store *s, const char *stack, const char *key, const cJSON *doc)
{
    char pk[PK_SIZE], sk[KEY_MAX + 16];
    int rc;
    if ((rc = check_stack_name(stack)) != 0 || (rc = resource_sk(sk, sizeof(sk), key)) != 0)
        return rc;
    stack_pk(pk, sizeof(pk), stack);
    return put_doc(s, pk, sk, doc, NULL);
}

/* Deletes one item and its chunks. */
static int delete_doc(stk_store *s, const char *pk, const char *sk)
{
    cJSON *in = cJSON_CreateObject(), *out = NULL, *chunks = cJSON_CreateArray();
    int rc;
    if (!in || !chunks || !add_key(in, "Key", pk, sk) ||
        !cJSON_AddStringToObject(in, "ReturnValues", "ALL_OLD"))
        rc = oom();
    else if ((rc = call(s, "DeleteItem", in, &out)) == 0 &&
             (rc = add_chunk_keys(cJSON_GetObjectItemCaseSensitive(out, "Attributes"), chunks)) ==
                 0 &&
             cJSON_GetArraySize(chunks) > 0)
        rc = delete_keys(s, chunks);
    cJSON_Delete(in);
    cJSON_Delete(out);
    cJSON_Delete(chunks);
    return rc;
}

int stk_store_delete_resource(stk_store *s, const char *stack, const char *key)
{
    char pk[PK_SIZE], sk[KEY_MAX + 16];
    int rc;
    if ((rc = check_stack_name(stack)) != 0 || (rc = resource_sk(sk, sizeof(sk), key)) != 0)
        return rc;
    stack_pk(pk, sizeof(pk), stack);
    return delete_doc(s, pk, sk);
}

int stk_store_list_resources(stk_store *s, const char *stack, cJSON **out)
{
    char pk[PK_SIZE];
    cJSON *items = NULL, *all = NULL;
    const cJSON *it;
    int rc;
    *out = NULL;
    if ((rc = check_stack_name(stack)) != 0)
        return rc;
    stack_pk(pk, sizeof(pk), stack);
    if ((rc = query_prefix(s, pk, "resource#", true, &items)) != 0)
        return rc;
    if (!(all = cJSON_CreateObject()))
        rc = oom();
    cJSON_ArrayForEach(it, items)
    {
        cJSON *doc;
        if (rc != 0 || (rc = item_doc(s, it, &doc)) != 0)
            break;
        cJSON_AddItemToObject(all, item_s(it, "sk") + strlen("resource#"), doc);
    }
    cJSON_Delete(items);
    if (rc != 0) {
        cJSON_Delete(all);
        return rc;
    }
    *out = all;
    return 0;
}

/* --- events --------------------------------------------------------------- */

int stk_store_add_event(stk_store *s, const char *stack, const cJSON *event)
{
    char pk[PK_SIZE], sk[KEY_MAX + 64], id[40];
    const char *eid = cfn_json_string(event, "EventId");
    int rc;
    if ((rc = check_stack_name(stack)) != 0)
        return rc;
    if (!eid) {
        snprintf(id, sizeof(id), "%08" PRIx32 "%08" PRIx32, cfn__random_u32(), cfn__random_u32());
        eid = id;
    }
    if ((rc = check_key("EventId", eid)) != 0 ||
        (rc = stk__event_sk(sk, sizeof(sk), cfn__clock_epoch_ms(), s->seq++, eid)) != 0)
        return rc;
    stack_pk(pk, sizeof(pk), stack);
    return put_doc(s, pk, sk, event, NULL);
}

int stk_store_list_events(stk_store *s, const char *stack, cJSON **out)
{
    char pk[PK_SIZE];
    cJSON *items;
    int rc;
    *out = NULL;
    if ((rc = check_stack_name(stack)) != 0)
        return rc;
    stack_pk(pk, sizeof(pk), stack);
    if ((rc = query_prefix(s, pk, "event#", false, &items)) != 0)
        return rc;
    rc = docs_of(s, items, out);
    cJSON_Delete(items);
    return rc;
}

/* --- exports and imports -------------------------------------------------- */

static void import_pk(char *out, size_t n, const char *name)
{
    snprintf(out, n, "import#%s", name);
}

/* "B" or "B, C" (the first few importers of `name`), for messages. */
static void importer_list(stk_store *s, const char *name, char *out, size_t n)
{
    cJSON *list = NULL;
    out[0] = '\0';
    if (stk_store_importers(s, name, &list) != 0)
        snprintf(out, n, "(a stack: %s)", cfn_error_last());
    const cJSON *it;
    size_t used = 0;
    cJSON_ArrayForEach(it, list)
    {
        int w = snprintf(out + used, n - used, "%s%s", used ? ", " : "", it->valuestring);
        if (w < 0 || (size_t)w >= n - used)
            break;
        used += (size_t)w;
    }
    cJSON_Delete(list);
}

/* The back reference under the stack's partition, so that deleting the
 * stack finds its exports and imports ("export#NAME", "import#NAME"). */
static int put_backref(stk_store *s, const char *stack, const char *kind, const char *name,
                       const char *stack_id)
{
    char pk[PK_SIZE], sk[KEY_MAX + 16];
    stack_pk(pk, sizeof(pk), stack);
    snprintf(sk, sizeof(sk), "%s#%s", kind, name);
    cJSON *in = cJSON_CreateObject(), *item = cJSON_AddObjectToObject(in, "Item");
    bool ok = item && add_s(item, "pk", pk) && add_s(item, "sk", sk) && add_s(item, "name", name) &&
              (!stack_id || add_s(item, "stack_id", stack_id));
    int rc = ok ? call(s, "PutItem", in, NULL) : oom();
    cJSON_Delete(in);
    return rc;
}

static int delete_backref(stk_store *s, const char *stack, const char *kind, const char *name)
{
    char pk[PK_SIZE], sk[KEY_MAX + 16];
    stack_pk(pk, sizeof(pk), stack);
    snprintf(sk, sizeof(sk), "%s#%s", kind, name);
    return delete_doc(s, pk, sk);
}

int stk_store_claim_export(stk_store *s, const char *name, const char *value, const char *stack_id)
{
    char stack[NAME_SIZE];
    int rc;
    if ((rc = check_key("export name", name)) != 0 ||
        (rc = stk__stack_name_of(stack_id, stack, sizeof(stack))) != 0)
        return rc;
    if (!value)
        return cfn_error_set(CFN_EINVAL, "export %s has no value", name);
    if ((rc = put_backref(s, stack, "export", name, stack_id)) != 0)
        return rc;
    cJSON *in = cJSON_CreateObject(), *names, *values;
    bool ok = in && add_key(in, "Key", EXPORTS_PK, name) &&
              cJSON_AddStringToObject(in, "UpdateExpression", "SET #v = :v, #s = :sid") &&
              cJSON_AddStringToObject(in, "ConditionExpression",
                                      "attribute_not_exists(pk) OR (#s = :sid AND (#v = :v OR "
                                      "attribute_not_exists(#i) OR #i = :zero))") &&
              (names = cJSON_AddObjectToObject(in, "ExpressionAttributeNames")) &&
              cJSON_AddStringToObject(names, "#v", "Value") &&
              cJSON_AddStringToObject(names, "#s", "ExportingStackId") &&
              cJSON_AddStringToObject(names, "#i", "importers") &&
              (values = cJSON_AddObjectToObject(in, "ExpressionAttributeValues")) &&
              add_s(values, ":v", value) && add_s(values, ":sid", stack_id) &&
              add_n(values, ":zero", 0);
    rc = ok ? call(s, "UpdateItem", in, NULL) : oom();
    cJSON_Delete(in);
    if (rc != CONDITION_FAILED)
        return rc;
    cJSON *cur;
    if ((rc = get_item(s, EXPORTS_PK, name, &cur)) != 0)
        return rc;
    const char *by = item_s(cur, "ExportingStackId");
    char other[NAME_SIZE], users[512];
    if (by && strcmp(by, stack_id) != 0) {
        if (stk__stack_name_of(by, other, sizeof(other)) != 0)
            snprintf(other, sizeof(other), "%s", by);
        cJSON_Delete(cur);
        delete_backref(s, stack, "export", name);
        return cfn_error_set(CFN_EEXISTS, "Export with name %s is already exported by stack %s",
                             name, other);
    }
    cJSON_Delete(cur);
    importer_list(s, name, users, sizeof(users));
    return cfn_error_set(CFN_EBUSY, "Export %s cannot be updated as it is in use by %s", name,
                         users);
}

int stk_store_release_export(stk_store *s, const char *name, const char *stack_id)
{
    char stack[NAME_SIZE], users[512];
    int rc;
    if ((rc = check_key("export name", name)) != 0 ||
        (rc = stk__stack_name_of(stack_id, stack, sizeof(stack))) != 0)
        return rc;
    cJSON *in = cJSON_CreateObject(), *names, *values;
    bool ok = in && add_key(in, "Key", EXPORTS_PK, name) &&
              cJSON_AddStringToObject(in, "ConditionExpression",
                                      "attribute_not_exists(pk) OR (#s = :sid AND "
                                      "(attribute_not_exists(#i) OR #i = :zero))") &&
              (names = cJSON_AddObjectToObject(in, "ExpressionAttributeNames")) &&
              cJSON_AddStringToObject(names, "#s", "ExportingStackId") &&
              cJSON_AddStringToObject(names, "#i", "importers") &&
              (values = cJSON_AddObjectToObject(in, "ExpressionAttributeValues")) &&
              add_s(values, ":sid", stack_id) && add_n(values, ":zero", 0);
    rc = ok ? call(s, "DeleteItem", in, NULL) : oom();
    cJSON_Delete(in);
    if (rc == 0)
        return delete_backref(s, stack, "export", name);
    if (rc != CONDITION_FAILED)
        return rc;
    cJSON *cur;
    if ((rc = get_item(s, EXPORTS_PK, name, &cur)) != 0)
        return rc;
    const char *by = item_s(cur, "ExportingStackId");
    if (by && strcmp(by, stack_id) != 0) {
        char other[NAME_SIZE];
        if (stk__stack_name_of(by, other, sizeof(other)) != 0)
            snprintf(other, sizeof(other), "%s", by);
        cJSON_Delete(cur);
        /* Not ours to release: our back reference, if any, was stale. */
        delete_backref(s, stack, "export", name);
        return cfn_error_set(CFN_EEXISTS, "Export %s is exported by stack %s, not by %s", name,
                             other, stack);
    }
    cJSON_Delete(cur);
    importer_list(s, name, users, sizeof(users));
    return cfn_error_set(CFN_EBUSY, "Export %s cannot be deleted as it is in use by %s", name,
                         users);
}

int stk_store_list_exports(stk_store *s, cJSON **out)
{
    cJSON *items, *list = NULL;
    const cJSON *it;
    int rc;
    *out = NULL;
    if ((rc = query_prefix(s, EXPORTS_PK, "", true, &items)) != 0)
        return rc;
    if (!(list = cJSON_CreateArray()))
        rc = oom();
    cJSON_ArrayForEach(it, items)
    {
        cJSON *e = cJSON_CreateObject();
        if (rc != 0 || !e ||
            !cJSON_AddStringToObject(e, "ExportingStackId", item_s(it, "ExportingStackId") ?: "") ||
            !cJSON_AddStringToObject(e, "Name", item_s(it, "sk") ?: "") ||
            !cJSON_AddStringToObject(e, "Value", item_s(it, "Value") ?: "")) {
            cJSON_Delete(e);
            rc = rc ? rc : oom();
            break;
        }
        cJSON_AddItemToArray(list, e);
    }
    cJSON_Delete(items);
    if (rc != 0) {
        cJSON_Delete(list);
        return rc;
    }
    *out = list;
    return 0;
}

/* One TransactWriteItems member: {op: {TableName, Key|Item, ...}}. */
static cJSON *transact_member(cJSON *items, const char *op, const stk_store *s)
{
    cJSON *m = cJSON_CreateObject(), *body = cJSON_AddObjectToObject(m, op);
    if (!body || !cJSON_AddStringToObject(body, "TableName", s->table) ||
        !cJSON_AddItemToArray(items, m)) {
        cJSON_Delete(m);
        return NULL;
    }
    return body;
}

/* Adds (delta 1) or removes (-1) stack's import of `name` and counts it on
 * the export, in one transaction: the export cannot go while it is counted. */
static int change_import(stk_store *s, const char *name, const char *stack, int delta)
{
    char ipk[KEY_MAX + 16], spk[PK_SIZE], ssk[KEY_MAX + 16];
    import_pk(ipk, sizeof(ipk), name);
    stack_pk(spk, sizeof(spk), stack);
    snprintf(ssk, sizeof(ssk), "import#%s", name);
    cJSON *in = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(in, "TransactItems");
    cJSON *imp = transact_member(items, delta > 0 ? "Put" : "Delete", s);
    cJSON *exp = transact_member(items, "Update", s);
    cJSON *back = transact_member(items, delta > 0 ? "Put" : "Delete", s), *names, *values, *item;
    bool ok = imp && exp && back;
    if (ok && delta > 0)
        ok = (item = cJSON_AddObjectToObject(imp, "Item")) && add_s(item, "pk", ipk) &&
             add_s(item, "sk", stack) && add_s(item, "stack", stack) &&
             cJSON_AddStringToObject(imp, "ConditionExpression", "attribute_not_exists(pk)") &&
             (item = cJSON_AddObjectToObject(back, "Item")) && add_s(item, "pk", spk) &&
             add_s(item, "sk", ssk) && add_s(item, "name", name);
    else if (ok)
        ok = add_key(imp, "Key", ipk, stack) &&
             cJSON_AddStringToObject(imp, "ConditionExpression", "attribute_exists(pk)") &&
             add_key(back, "Key", spk, ssk);
    ok = ok && add_key(exp, "Key", EXPORTS_PK, name) &&
         cJSON_AddStringToObject(exp, "UpdateExpression", "ADD #i :d") &&
         cJSON_AddStringToObject(exp, "ConditionExpression", "attribute_exists(pk)") &&
         (names = cJSON_AddObjectToObject(exp, "ExpressionAttributeNames")) &&
         cJSON_AddStringToObject(names, "#i", "importers") &&
         (values = cJSON_AddObjectToObject(exp, "ExpressionAttributeValues")) &&
         add_n(values, ":d", delta);
    int rc = ok ? call(s, "TransactWriteItems", in, NULL) : oom();
    cJSON_Delete(in);
    return rc;
}

int stk_store_add_import(stk_store *s, const char *name, const char *stack)
{
    char ipk[KEY_MAX + 16];
    int rc;
    if ((rc = check_key("export name", name)) != 0 || (rc = check_stack_name(stack)) != 0)
        return rc;
    import_pk(ipk, sizeof(ipk), name);
    for (int attempt = 0; attempt < 3; attempt++) {
        cJSON *have;
        if ((rc = get_item(s, ipk, stack, &have)) != 0)
            return rc;
        cJSON_Delete(have);
        if (have)
            return 0; /* recorded already */
        if ((rc = change_import(s, name, stack, 1)) != CONDITION_FAILED)
            return rc;
        cJSON *exp;
        if ((rc = get_item(s, EXPORTS_PK, name, &exp)) != 0)
            return rc;
        cJSON_Delete(exp);
        if (!exp)
            return cfn_error_set(CFN_ENOTFOUND, "No export named %s found", name);
    }
    return cfn_error_set(CFN_ERROR, "stack %s: the import of %s kept conflicting", stack, name);
}

int stk_store_remove_import(stk_store *s, const char *name, const char *stack)
{
    char ipk[KEY_MAX + 16];
    int rc;
    if ((rc = check_key("export name", name)) != 0 || (rc = check_stack_name(stack)) != 0)
        return rc;
    import_pk(ipk, sizeof(ipk), name);
    for (int attempt = 0; attempt < 3; attempt++) {
        cJSON *have, *exp;
        if ((rc = get_item(s, ipk, stack, &have)) != 0)
            return rc;
        cJSON_Delete(have);
        if (!have)
            return delete_backref(s, stack, "import", name);
        if ((rc = get_item(s, EXPORTS_PK, name, &exp)) != 0)
            return rc;
        cJSON_Delete(exp);
        if (!exp) /* the export went without counting us (never by this store) */
            return delete_doc(s, ipk, stack) ?: delete_backref(s, stack, "import", name);
        if ((rc = change_import(s, name, stack, -1)) != CONDITION_FAILED)
            return rc;
    }
    return cfn_error_set(CFN_ERROR, "stack %s: removing the import of %s kept conflicting", stack,
                         name);
}

int stk_store_importers(stk_store *s, const char *name, cJSON **out)
{
    char ipk[KEY_MAX + 16];
    cJSON *items, *list;
    const cJSON *it;
    int rc;
    *out = NULL;
    if ((rc = check_key("export name", name)) != 0)
        return rc;
    import_pk(ipk, sizeof(ipk), name);
    if ((rc = query_prefix(s, ipk, "", true, &items)) != 0)
        return rc;
    if (!(list = cJSON_CreateArray()))
        rc = oom();
    cJSON_ArrayForEach(it, items)
    {
        if (rc == 0 && !cJSON_AddItemToArray(list, cJSON_CreateString(item_s(it, "sk") ?: "")))
            rc = oom();
    }
    cJSON_Delete(items);
    if (rc != 0) {
        cJSON_Delete(list);
        return rc;
    }
    *out = list;
    return 0;
}

/* --- deleting a stack ----------------------------------------------------- */

int stk_store_delete_stack(stk_store *s, const char *stack)
{
    char pk[PK_SIZE];
    cJSON *items = NULL, *keys = NULL;
    const cJSON *it;
    int rc;
    if ((rc = check_stack_name(stack)) != 0)
        return rc;
    stack_pk(pk, sizeof(pk), stack);
    if ((rc = query_prefix(s, pk, "", true, &items)) != 0)
        return rc;
    /* Exports first: one that another stack imports stops the delete before
     * anything is gone. */
    cJSON_ArrayForEach(it, items)
    {
        const char *sk = item_s(it, "sk"), *name = item_s(it, "name");
        const char *sid = item_s(it, "stack_id");
        if (sk && name && sid && strncmp(sk, "export#", 7) == 0 &&
            (rc = stk_store_release_export(s, name, sid)) != 0 && rc != CFN_EEXISTS)
            goto done;
        rc = 0;
    }
    cJSON_ArrayForEach(it, items)
    {
        const char *sk = item_s(it, "sk"), *name = item_s(it, "name");
        if (sk && name && strncmp(sk, "import#", 7) == 0 &&
            (rc = stk_store_remove_import(s, name, stack)) != 0)
            goto done;
    }
    if (!(keys = cJSON_CreateArray())) {
        rc = oom();
        goto done;
    }
    cJSON_ArrayForEach(it, items)
    {
        const char *sk = item_s(it, "sk");
        cJSON *key = cJSON_CreateObject();
        /* The lease stays: its holder (the engine deleting) releases it. */
        if (!sk || strcmp(sk, LEASE_SK) == 0) {
            cJSON_Delete(key);
            continue;
        }
        if (!key || !add_s(key, "pk", pk) || !add_s(key, "sk", sk)) {
            cJSON_Delete(key);
            rc = oom();
            goto done;
        }
        cJSON_AddItemToArray(keys, key);
        if ((rc = add_chunk_keys(it, keys)) != 0)
            goto done;
    }
    if ((rc = delete_keys(s, keys)) != 0)
        goto done;
    rc = delete_doc(s, STACKS_PK, stack);
done:
    cJSON_Delete(items);
    cJSON_Delete(keys);
    return rc;
}
