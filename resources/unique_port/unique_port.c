/* Custom::UniquePort: a port unique within a pool, kept in DynamoDB without
 * locks. Each allocated port is one item; taking a port is one conditional
 * write, and a request delivered twice finds the port it already took. */
#include "resources.h"
#include "unique_port.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_RANGE "10000-50000"
#define SEED_RANGE    "10000-59999" /* what the seed's bitset really held */
#define TABLE_ENV     UNIQUE_PORT_TABLE_ENV
#define MAX_RANGES    32
#define CLAIM_TTL_S   (7 * 24 * 3600)
#define MAX_KEY_BYTES UNIQUE_PORT_MAX_KEY
/* The pool of the item `cfnkit unique-port import-seed` writes once it has
 * copied a seed table's allocated ports: seed-shaped requests wait for it. */
#define SEED_MARK UNIQUE_PORT_SEED_MARK

typedef struct range {
    long lo, hi;
} range;

typedef struct spec {
    const char *key;
    const char *table;
    const char *seed_table; /* DynamoTable: the request is the seed's */
    range ranges[MAX_RANGES];
    int nranges;
    long total;
} spec;

/* Allocation. A request reads the items of PROBES ports of the pool, a
 * sequence seeded by the request, in one BatchGetItem, and takes one that
 * is free with one conditional write: a repeated delivery reads the same
 * ports and finds the one it took. When every probe is taken (a pool about
 * 97% full or more) it reads one block of 256 ports with a Query, takes a
 * free one after writing a claim that names it (claim#<RequestId>, read
 * with the probes), and keeps in the pool's summary item (pool "free#<Key>",
 * port SUMMARY_SLOT) the blocks found with no free port, so that the next
 * crowded allocations skip them. The port items are the only truth: the
 * summary saves reads, never decides who gets a port. */
#define PROBES       24 /* ports read per allocation (BatchGetItem takes 100 keys) */
#define PLAIN_TRIES  4  /* conditional writes on probes read free */
#define BLOCK_PORTS  256
#define NBLOCKS      256
#define SUMMARY_SLOT 65536
#define BLOCK_VISITS 12 /* blocks read by one crowded allocation before a sweep */

typedef struct summary {
    bool empty[NBLOCKS]; /* found with no free port */
} summary;

/* A block's free ports, from a Query of its port items. */
typedef struct block {
    int number; /* its ports are number * 256 and up */
    bool free[BLOCK_PORTS];
} block;

/* Counts the DynamoDB requests of one allocation, for the log line. */
typedef struct counter {
    int requests;
    int writes;
} counter;

static int parse_range_text(cfn_ctx *ctx, const char *prop, const char *text, spec *s)
{
    const char *p = text;
    if (!*p)
        return cfn_fail(ctx, "%s is empty: give ranges like \"10000-50000\"", prop);
    while (*p) {
        char *end;
        while (*p == ' ')
            p++;
        if (*p < '0' || *p > '9')
            return cfn_fail(ctx, "%s \"%.60s\" is not a port range like \"10000-50000\"", prop,
                            text);
        long lo = strtol(p, &end, 10), hi = lo;
        p = end;
        while (*p == ' ')
            p++;
        if (*p == '-') {
            p++;
            while (*p == ' ')
                p++;
            if (*p < '0' || *p > '9')
                return cfn_fail(ctx, "%s \"%.60s\" is not a port range like \"10000-50000\"", prop,
                                text);
            hi = strtol(p, &end, 10);
            p = end;
        }
        while (*p == ' ')
            p++;
        if (*p && *p != ',')
            return cfn_fail(ctx, "%s \"%.60s\" is not a port range like \"10000-50000\"", prop,
                            text);
        if (*p == ',')
            p++;
        if (lo < 1 || hi > 65535)
            return cfn_fail(ctx, "%s \"%.60s\" goes beyond the ports 1-65535", prop, text);
        if (lo > hi)
            return cfn_fail(ctx, "%s \"%.60s\" is reversed: %ld is above %ld", prop, text, lo, hi);
        if (s->nranges == MAX_RANGES)
            return cfn_fail(ctx, "%s has more than %d ranges", prop, MAX_RANGES);
        for (int i = 0; i < s->nranges; i++)
            if (lo <= s->ranges[i].hi && s->ranges[i].lo <= hi)
                return cfn_fail(ctx, "%s: the ranges %ld-%ld and %ld-%ld overlap", prop,
                                s->ranges[i].lo, s->ranges[i].hi, lo, hi);
        s->ranges[s->nranges++] = (range){lo, hi};
        s->total += hi - lo + 1;
    }
    return 0;
}

static int read_ranges(cfn_ctx *ctx, spec *s, const char *fallback)
{
    /* The seed's InitialPortRanges means the same as PortRange. */
    const char *prop = cfn_prop_has(ctx, "PortRange")           ? "PortRange"
                       : cfn_prop_has(ctx, "InitialPortRanges") ? "InitialPortRanges"
                                                                : NULL;
    const cJSON *list;
    const char *text;
    if (prop && cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(cfn_request_props(ctx), prop))) {
        if (cfn_prop_list(ctx, prop, &list) < 0)
            return -1;
        const cJSON *item;
        int i = 0;
        cJSON_ArrayForEach(item, list)
        {
            char name[64];
            snprintf(name, sizeof(name), "%s.%d", prop, i++);
            if (!cJSON_IsString(item))
                return cfn_fail(ctx, "property %s must be a string like \"10000-50000\"", name);
            if (parse_range_text(ctx, name, item->valuestring, s) < 0)
                return -1;
        }
        if (s->nranges == 0)
            return cfn_fail(ctx, "property %s is an empty list", prop);
        return 0;
    }
    if (cfn_prop_string_or(ctx, prop ? prop : "PortRange", fallback, &text) < 0)
        return -1;
    return parse_range_text(ctx, prop ? prop : "PortRange", text, s);
}

/* "dynamodb.REGION.amazonaws.com[.cn]", with or without https:// and a
 * trailing slash: the only endpoints the seed's DynamoEndpoint may name, so
 * that a property can never send our signed requests to another host. */
static int endpoint_region(const char *endpoint, char *region, size_t size)
{
    const char *h = endpoint;
    if (strncmp(h, "https://", 8) == 0)
        h += 8;
    if (strncmp(h, "dynamodb.", 9) != 0)
        return -1;
    h += 9;
    size_t n = strspn(h, "abcdefghijklmnopqrstuvwxyz0123456789-");
    const char *rest = h + n;
    if (n == 0 || n >= size ||
        (strcmp(rest, ".amazonaws.com") != 0 && strcmp(rest, ".amazonaws.com/") != 0 &&
         strcmp(rest, ".amazonaws.com.cn") != 0 && strcmp(rest, ".amazonaws.com.cn/") != 0))
        return -1;
    snprintf(region, size, "%.*s", (int)n, h);
    return 0;
}

static bool valid_table(const char *t)
{
    size_t n = strlen(t);
    return n >= 3 && n <= 255 &&
           strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

/* The seed's properties describe the seed's own tables: DynamoTable is its
 * bitset table (hash key Key), never a table of ours, and DynamoRegion and
 * DynamoEndpoint its region. They are checked so that a mistake is named, and
 * the ports go to the provider's table in the provider's region. */
static int check_seed_region(cfn_ctx *ctx, const char *region, const char *endpoint)
{
    char from_endpoint[64];
    if (endpoint) {
        if (endpoint_region(endpoint, from_endpoint, sizeof(from_endpoint)) < 0)
            return cfn_fail(ctx,
                            "DynamoEndpoint \"%.100s\" is refused: only the standard DynamoDB "
                            "endpoint of a region (dynamodb.REGION.amazonaws.com) is accepted",
                            endpoint);
        if (region && strcmp(region, from_endpoint) != 0)
            return cfn_fail(ctx, "DynamoEndpoint names region %s but DynamoRegion is %.40s",
                            from_endpoint, region);
    }
    if (region && (!*region || strlen(region) >= sizeof(from_endpoint) ||
                   strspn(region, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(region)))
        return cfn_fail(ctx, "DynamoRegion \"%.40s\" is not a region name", region);
    return 0;
}

static int read_spec(cfn_ctx *ctx, spec *s)
{
    const char *table, *region, *endpoint;
    memset(s, 0, sizeof(*s));
    if (cfn_prop_string_or(ctx, "Key", NULL, &s->key) < 0 ||
        cfn_prop_string_or(ctx, "TableName", NULL, &table) < 0 ||
        cfn_prop_string_or(ctx, "DynamoTable", NULL, &s->seed_table) < 0 ||
        cfn_prop_string_or(ctx, "DynamoRegion", NULL, &region) < 0 ||
        cfn_prop_string_or(ctx, "DynamoEndpoint", NULL, &endpoint) < 0)
        return -1;
    if (!s->key)
        return cfn_fail(ctx, "property Key is required but missing: it names the pool");
    if (!*s->key)
        return cfn_fail(ctx, "property Key is empty: it names the pool");
    if (strlen(s->key) > MAX_KEY_BYTES)
        return cfn_fail(ctx, "property Key is longer than %d bytes", MAX_KEY_BYTES);
    if (check_seed_region(ctx, region, endpoint) < 0)
        return -1;
    s->table = table ? table : getenv(TABLE_ENV);
    if ((!s->table || !*s->table) && s->seed_table)
        return cfn_fail(ctx,
                        "no table for the ports: DynamoTable names the seed's bitset table, and "
                        "cfnkit keeps ports in its own table: set %s in the provider",
                        TABLE_ENV);
    if (!s->table || !*s->table)
        return cfn_fail(ctx, "no table for the ports: set TableName, or %s in the provider",
                        TABLE_ENV);
    if (!valid_table(s->table))
        return cfn_fail(ctx, "TableName \"%.80s\" is not a DynamoDB table name", s->table);
    if (s->seed_table && strcmp(s->seed_table, s->table) == 0)
        return cfn_fail(ctx,
                        "DynamoTable %.80s is the seed's bitset table, not a cfnkit ports table: "
                        "set %s to the cfnkit table",
                        s->seed_table, TABLE_ENV);
    return read_ranges(ctx, s, s->seed_table ? SEED_RANGE : DEFAULT_RANGE);
}

static bool in_ranges(const spec *s, long port)
{
    for (int i = 0; i < s->nranges; i++)
        if (port >= s->ranges[i].lo && port <= s->ranges[i].hi)
            return true;
    return false;
}

/* The index-th port of the pool's ranges, in order. */
static long nth_port(const spec *s, long index)
{
    for (int i = 0; i < s->nranges; i++) {
        long n = s->ranges[i].hi - s->ranges[i].lo + 1;
        if (index < n)
            return s->ranges[i].lo + index;
        index -= n;
    }
    return -1;
}

static void hex_digest(const char *a, const char *b, char *out, size_t n)
{
    unsigned char md[32];
    unsigned int len = 0;
    EVP_MD_CTX *h = EVP_MD_CTX_new();
    EVP_DigestInit_ex(h, EVP_sha256(), NULL);
    EVP_DigestUpdate(h, a, strlen(a) + 1);
    EVP_DigestUpdate(h, b, strlen(b) + 1);
    EVP_DigestFinal_ex(h, md, &len);
    EVP_MD_CTX_free(h);
    for (size_t i = 0; i < len && 2 * i + 2 < n; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* splitmix64: a small, well-mixed sequence from a seed. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

typedef struct alloc {
    cfn_ctx *ctx;
    cfn_aws *aws;
    const spec *s;
    char pool[MAX_KEY_BYTES + 8];
    char summary_pool[MAX_KEY_BYTES + 8]; /* "free#<Key>" */
    char owner[65];                       /* hash of stack and logical id: who may free the port */
    const char *request;                  /* RequestId: the same request finds the same port */
    char resource[400];
    counter n;
} alloc;

cJSON *unique_port_key(const char *pool, long port)
{
    char num[24];
    cJSON *k = cJSON_CreateObject();
    snprintf(num, sizeof(num), "%ld", port);
    if (!cJSON_AddStringToObject(cJSON_AddObjectToObject(k, "pool"), "S", pool) ||
        !cJSON_AddStringToObject(cJSON_AddObjectToObject(k, "port"), "N", num)) {
        cJSON_Delete(k);
        return NULL;
    }
    return k;
}

/* Sends `in` (freed here) when `built` says every member was added. */
static int ddb(alloc *a, const char *op, cJSON *in, bool built, cJSON **out)
{
    if (!built) {
        cJSON_Delete(in);
        return cfn_error_set(CFN_ENOMEM, "out of memory building DynamoDB %s", op);
    }
    a->n.requests++;
    if (strcmp(op, "GetItem") != 0 && strcmp(op, "BatchGetItem") != 0 && strcmp(op, "Query") != 0)
        a->n.writes++;
    int rc = cfn_dynamodb(a->aws, op, in, out);
    cJSON_Delete(in);
    return rc;
}

/* A seed-shaped request (DynamoTable) is served once `cfnkit unique-port
 * import-seed` has copied that table's allocated ports: before, a Create could
 * be given a port the seed handed out and a Delete would free nothing. */
static int require_import(alloc *a)
{
    char *pool = NULL;
    cJSON *in = NULL, *out = NULL;
    int rc = -1;
    if (!a->s->seed_table)
        return 0;
    if (asprintf(&pool, SEED_MARK "%s", a->s->seed_table) < 0) {
        pool = NULL;
        cfn_fail(a->ctx, "out of memory");
        goto done;
    }
    in = cJSON_CreateObject();
    bool built = cJSON_AddStringToObject(in, "TableName", a->s->table) &&
                 cJSON_AddItemToObject(in, "Key", unique_port_key(pool, 0)) &&
                 cJSON_AddBoolToObject(in, "ConsistentRead", 1);
    if (ddb(a, "GetItem", in, built, &out) < 0)
        goto done;
    if (!cJSON_GetObjectItem(out, "Item")) {
        cfn_fail(a->ctx,
                 "pool %s is the seed's (DynamoTable %s) and its ports have not been imported: "
                 "run `cfnkit unique-port import-seed --seed-table %s --table %s` once",
                 a->s->key, a->s->seed_table, a->s->seed_table, a->s->table);
        goto done;
    }
    rc = 0;
done:
    free(pool);
    cJSON_Delete(out);
    return rc;
}

/* The item of a port this request takes, or NULL when out of memory. */
static cJSON *port_item(alloc *a, long port)
{
    cJSON *item = unique_port_key(a->pool, port);
    if (!cJSON_AddStringToObject(cJSON_AddObjectToObject(item, "owner"), "S", a->owner) ||
        !cJSON_AddStringToObject(cJSON_AddObjectToObject(item, "request"), "S", a->request) ||
        !cJSON_AddStringToObject(cJSON_AddObjectToObject(item, "resource"), "S", a->resource)) {
        cJSON_Delete(item);
        return NULL;
    }
    return item;
}

/* The port item's PutItem input, with the condition that makes the port
 * ours: free, or taken by this same request before. */
static cJSON *port_put(alloc *a, long port)
{
    cJSON *in = cJSON_CreateObject();
    cJSON *names = cJSON_AddObjectToObject(in, "ExpressionAttributeNames");
    if (!cJSON_AddStringToObject(in, "TableName", a->s->table) ||
        !cJSON_AddItemToObject(in, "Item", port_item(a, port)) ||
        !cJSON_AddStringToObject(in, "ConditionExpression",
                                 "attribute_not_exists(#port) OR #request = :request") ||
        !cJSON_AddStringToObject(names, "#port", "port") ||
        !cJSON_AddStringToObject(names, "#request", "request") ||
        !cJSON_AddStringToObject(
            cJSON_AddObjectToObject(cJSON_AddObjectToObject(in, "ExpressionAttributeValues"),
                                    ":request"),
            "S", a->request)) {
        cJSON_Delete(in);
        return NULL;
    }
    return in;
}

/* One conditional write: the port becomes ours unless someone else holds it.
 * 1 when taken, 0 when someone else has it, -1 on error. */
static int try_port(alloc *a, long port)
{
    cJSON *in = port_put(a, port);
    if (ddb(a, "PutItem", in, in != NULL, NULL) == 0)
        return 1;
    if (cfn_aws_error_is(a->aws, "ConditionalCheckFailedException"))
        return 0;
    return -1;
}

static char *claim_pool(const char *request)
{
    char *p = NULL;
    return asprintf(&p, "claim#%s", request) < 0 ? NULL : p;
}

/* The claim: the port a crowded allocation is about to take, written before
 * the port so that a repeated delivery finds it whatever happens next. */
static int write_claim(alloc *a, long port)
{
    char *pool = claim_pool(a->request), num[16], expires[24];
    cJSON *in = cJSON_CreateObject();
    cJSON *item = pool ? unique_port_key(pool, 0) : NULL;
    free(pool);
    snprintf(num, sizeof(num), "%ld", port);
    snprintf(expires, sizeof(expires), "%lld", (long long)time(NULL) + CLAIM_TTL_S);
    bool built = cJSON_AddStringToObject(in, "TableName", a->s->table) &&
                 cJSON_AddItemToObject(in, "Item", item);
    if (!built)
        cJSON_Delete(item);
    built = built &&
            cJSON_AddStringToObject(cJSON_AddObjectToObject(item, "allocated"), "N", num) &&
            cJSON_AddStringToObject(cJSON_AddObjectToObject(item, "for"), "S", a->pool) &&
            cJSON_AddStringToObject(cJSON_AddObjectToObject(item, "expires"), "N", expires);
    return ddb(a, "PutItem", in, built, NULL);
}

/* Adds item to array; frees it when that fails. */
static bool append(cJSON *array, cJSON *item)
{
    if (item && cJSON_AddItemToArray(array, item))
        return true;
    cJSON_Delete(item);
    return false;
}

/* Marks out[v] for every number v of a number set attribute. */
static void read_numbers(const cJSON *attr, bool *out, int n)
{
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItem(attr, "NS"))
    {
        long i = cJSON_IsString(v) ? atol(v->valuestring) : -1;
        if (i >= 0 && i < n)
            out[i] = true;
    }
}

/* UpdateItem of the pool's summary: "ADD|DELETE #e :b", block b. */
static int summary_update(alloc *a, const char *verb, int b)
{
    char expression[32], num[16];
    cJSON *in = cJSON_CreateObject(), *set = NULL;
    snprintf(expression, sizeof(expression), "%s #e :b", verb);
    snprintf(num, sizeof(num), "%d", b);
    bool built = cJSON_AddStringToObject(in, "TableName", a->s->table) &&
                 cJSON_AddItemToObject(in, "Key", unique_port_key(a->summary_pool, SUMMARY_SLOT)) &&
                 cJSON_AddStringToObject(in, "UpdateExpression", expression) &&
                 cJSON_AddStringToObject(cJSON_AddObjectToObject(in, "ExpressionAttributeNames"),
                                         "#e", "empty") &&
                 (set = cJSON_AddArrayToObject(
                      cJSON_AddObjectToObject(
                          cJSON_AddObjectToObject(in, "ExpressionAttributeValues"), ":b"),
                      "NS")) &&
                 append(set, cJSON_CreateString(num));
    return ddb(a, "UpdateItem", in, built, NULL);
}

/* The first request of an allocation reads the claim, the pool's summary
 * and the items of the request's probes together: a repeated delivery finds
 * the port it took, whichever way it took it. The port of a probe this
 * request holds, 0 when none, -1 on error; taken[i] whether probe i is held
 * by anyone; *claimed the claim's port (the caller checks that the port item
 * is ours). */
static long begin(alloc *a, const long *probes, int nprobes, bool *taken, summary *sum,
                  long *claimed)
{
    char *claim = claim_pool(a->request);
    cJSON *in = cJSON_CreateObject(), *out = NULL, *keys = NULL;
    cJSON *req = cJSON_AddObjectToObject(cJSON_AddObjectToObject(in, "RequestItems"), a->s->table);
    bool built = claim && (keys = cJSON_AddArrayToObject(req, "Keys")) &&
                 append(keys, unique_port_key(claim, 0)) &&
                 append(keys, unique_port_key(a->summary_pool, SUMMARY_SLOT)) &&
                 cJSON_AddBoolToObject(req, "ConsistentRead", 1);
    for (int i = 0; i < nprobes; i++)
        built = built && append(keys, unique_port_key(a->pool, probes[i]));
    long port = 0;
    free(claim);
    memset(sum, 0, sizeof(*sum));
    memset(taken, 0, (size_t)nprobes * sizeof(*taken));
    if (ddb(a, "BatchGetItem", in, built, &out) < 0)
        return -1;
    if (cJSON_GetArraySize(
            cJSON_GetObjectItem(cJSON_GetObjectItem(out, "UnprocessedKeys"), a->s->table)) > 0) {
        cJSON_Delete(out);
        return cfn_fail(a->ctx, "DynamoDB left the claim unread (throttled): retry the deployment");
    }
    const cJSON *item;
    cJSON_ArrayForEach(item,
                       cJSON_GetObjectItem(cJSON_GetObjectItem(out, "Responses"), a->s->table))
    {
        const cJSON *pool = cJSON_GetObjectItem(cJSON_GetObjectItem(item, "pool"), "S");
        const cJSON *p = cJSON_GetObjectItem(cJSON_GetObjectItem(item, "allocated"), "N");
        const cJSON *for_pool = cJSON_GetObjectItem(cJSON_GetObjectItem(item, "for"), "S");
        const cJSON *by = cJSON_GetObjectItem(cJSON_GetObjectItem(item, "request"), "S");
        const cJSON *num = cJSON_GetObjectItem(cJSON_GetObjectItem(item, "port"), "N");
        if (!cJSON_IsString(pool) || !cJSON_IsString(num))
            continue;
        if (strcmp(pool->valuestring, a->summary_pool) == 0) {
            read_numbers(cJSON_GetObjectItem(item, "empty"), sum->empty, NBLOCKS);
        } else if (strcmp(pool->valuestring, a->pool) == 0) {
            for (int i = 0; i < nprobes; i++)
                taken[i] = taken[i] || probes[i] == atol(num->valuestring);
            if (cJSON_IsString(by) && strcmp(by->valuestring, a->request) == 0)
                port = atol(num->valuestring);
        } else if (cJSON_IsString(p) && cJSON_IsString(for_pool) &&
                   strcmp(for_pool->valuestring, a->pool) == 0) {
            *claimed = atol(p->valuestring);
        }
    }
    cJSON_Delete(out);
    return port;
}

/* Block b's free ports from its port items (one consistent Query). */
static int query_block(alloc *a, int b, block *blk)
{
    char lo[16], hi[16];
    cJSON *start = NULL;
    snprintf(lo, sizeof(lo), "%d", b * BLOCK_PORTS);
    snprintf(hi, sizeof(hi), "%d", b * BLOCK_PORTS + BLOCK_PORTS - 1);
    blk->number = b;
    for (int j = 0; j < BLOCK_PORTS; j++)
        blk->free[j] = b * BLOCK_PORTS + j >= 1;
    do {
        cJSON *in = cJSON_CreateObject(), *out = NULL;
        cJSON *names = cJSON_AddObjectToObject(in, "ExpressionAttributeNames");
        cJSON *values = cJSON_AddObjectToObject(in, "ExpressionAttributeValues");
        bool built =
            cJSON_AddStringToObject(in, "TableName", a->s->table) &&
            cJSON_AddStringToObject(in, "KeyConditionExpression",
                                    "#pool = :pool AND #port BETWEEN :lo AND :hi") &&
            cJSON_AddStringToObject(in, "ProjectionExpression", "#port") &&
            cJSON_AddStringToObject(names, "#pool", "pool") &&
            cJSON_AddStringToObject(names, "#port", "port") &&
            cJSON_AddBoolToObject(in, "ConsistentRead", 1) &&
            cJSON_AddStringToObject(cJSON_AddObjectToObject(values, ":pool"), "S", a->pool) &&
            cJSON_AddStringToObject(cJSON_AddObjectToObject(values, ":lo"), "N", lo) &&
            cJSON_AddStringToObject(cJSON_AddObjectToObject(values, ":hi"), "N", hi);
        if (start && !cJSON_AddItemToObject(in, "ExclusiveStartKey", start)) {
            cJSON_Delete(start);
            built = false;
        }
        if (ddb(a, "Query", in, built, &out) < 0)
            return -1;
        const cJSON *item;
        cJSON_ArrayForEach(item, cJSON_GetObjectItem(out, "Items"))
        {
            const cJSON *p = cJSON_GetObjectItem(cJSON_GetObjectItem(item, "port"), "N");
            long j = cJSON_IsString(p) ? atol(p->valuestring) - (long)b * BLOCK_PORTS : -1;
            if (j >= 0 && j < BLOCK_PORTS)
                blk->free[j] = false;
        }
        start = cJSON_DetachItemFromObject(out, "LastEvaluatedKey");
        cJSON_Delete(out);
    } while (start);
    return 0;
}

/* The port item that `begin` found claimed by this request: is it ours? */
static int owns_port(alloc *a, long port)
{
    cJSON *in = cJSON_CreateObject(), *out = NULL;
    bool built = cJSON_AddStringToObject(in, "TableName", a->s->table) &&
                 cJSON_AddItemToObject(in, "Key", unique_port_key(a->pool, port)) &&
                 cJSON_AddBoolToObject(in, "ConsistentRead", 1);
    if (ddb(a, "GetItem", in, built, &out) < 0)
        return -1;
    const cJSON *by =
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(out, "Item"), "request"), "S");
    int mine = cJSON_IsString(by) && strcmp(by->valuestring, a->request) == 0;
    cJSON_Delete(out);
    return mine;
}

static void describe_ranges(const spec *s, char *buf, size_t n)
{
    size_t j = 0;
    buf[0] = '\0';
    for (int i = 0; i < s->nranges && j < n; i++)
        j += (size_t)snprintf(buf + j, n - j, "%s%ld-%ld", i ? "," : "", s->ranges[i].lo,
                              s->ranges[i].hi);
}

static long pool_full(alloc *a)
{
    char ranges[256];
    describe_ranges(a->s, ranges, sizeof(ranges));
    return cfn_fail(a->ctx, "pool %s is full: all %ld ports of %s are allocated", a->s->key,
                    a->s->total, ranges);
}

/* The blocks of the request's ranges that are neither in skip nor (unless
 * `all`) listed empty by the summary. */
static int candidate_blocks(const spec *s, const summary *sum, const bool *skip, bool all, int *out)
{
    bool seen[NBLOCKS] = {false};
    int n = 0;
    for (int i = 0; i < s->nranges; i++)
        for (long b = s->ranges[i].lo / BLOCK_PORTS; b <= s->ranges[i].hi / BLOCK_PORTS; b++) {
            if (seen[b] || skip[b] || (!all && sum->empty[b]))
                continue;
            seen[b] = true;
            out[n++] = (int)b;
        }
    return n;
}

/* Takes a free port of the request's ranges in block b, read with a Query:
 * for each (in the request's order) the claim, then the conditional write.
 * The port, 0 when the block has none left for this request, -1 on error.
 * Keeps the summary's `empty` true for b. */
static long take_from_block(alloc *a, summary *sum, int b, uint64_t *state)
{
    block blk;
    long ports[BLOCK_PORTS];
    if (query_block(a, b, &blk) < 0)
        return -1;
    int all = 0, n = 0;
    for (int j = 0; j < BLOCK_PORTS; j++) {
        long p = (long)b * BLOCK_PORTS + j;
        all += blk.free[j];
        if (blk.free[j] && in_ranges(a->s, p))
            ports[n++] = p;
    }
    while (n > 0) {
        int i = (int)(next_random(state) % (uint64_t)n);
        long port = ports[i];
        if (write_claim(a, port) < 0)
            return -1;
        int r = try_port(a, port);
        if (r < 0)
            return -1;
        all--;
        if (r == 1) {
            if (all == 0 && summary_update(a, "ADD", b) < 0)
                return -1;
            return port;
        }
        ports[i] = ports[--n]; /* someone took it meanwhile */
    }
    if (all == 0 && !sum->empty[b] && summary_update(a, "ADD", b) < 0)
        return -1;
    if (all > 0 && sum->empty[b] && summary_update(a, "DELETE", b) < 0)
        return -1;
    sum->empty[b] = all == 0;
    return 0;
}

/* Every probe taken: a crowded pool. Blocks not known full, in an order
 * seeded by the request, each read with one Query; after BLOCK_VISITS of
 * them, or when the summary says every block is full, every block of the
 * ranges once (the only reads proportional to the pool's size: a pool
 * about to be called full, or a summary that has not yet learnt a nearly
 * full pool). */
static long allocate_crowded(alloc *a, summary *sum, uint64_t *state)
{
    int cand[NBLOCKS];
    bool skip[NBLOCKS] = {false};
    for (int visit = 0; visit < BLOCK_VISITS; visit++) {
        int n = candidate_blocks(a->s, sum, skip, false, cand);
        if (n == 0)
            break;
        int b = cand[next_random(state) % (uint64_t)n];
        long port = take_from_block(a, sum, b, state);
        if (port != 0)
            return port;
        skip[b] = true;
    }
    int n = candidate_blocks(a->s, sum, skip, true, cand);
    for (int i = 0; i < n; i++) {
        long port = take_from_block(a, sum, cand[i], state);
        if (port != 0)
            return port;
    }
    return pool_full(a);
}

/* The request's own probes: PROBES distinct ports of the ranges (all of
 * them in a smaller pool) in a sequence seeded by the request, so that
 * allocators rarely meet and a repeated delivery reads the same ports.
 * Returns how many; *state continues the sequence. */
static int request_probes(alloc *a, long probes[PROBES], uint64_t *state)
{
    char seed_hex[65];
    long total = a->s->total;
    int n = 0;
    *state = 0;
    hex_digest(a->request, a->pool, seed_hex, sizeof(seed_hex));
    for (int i = 0; i < 16; i++)
        *state = *state << 4 |
                 (uint64_t)(seed_hex[i] <= '9' ? seed_hex[i] - '0' : seed_hex[i] - 'a' + 10);
    if (total <= PROBES) {
        long start = (long)(next_random(state) % (uint64_t)total);
        for (; n < total; n++)
            probes[n] = nth_port(a->s, (start + n) % total);
        return n;
    }
    for (int tries = 0; n < PROBES && tries < 64 * PROBES; tries++) {
        long p = nth_port(a->s, (long)(next_random(state) % (uint64_t)total));
        bool seen = false;
        for (int j = 0; j < n && !seen; j++)
            seen = probes[j] == p;
        if (!seen)
            probes[n++] = p;
    }
    return n;
}

/* The port that a->request holds, found as a repeated delivery of it finds
 * its own: a probe's item or the claimed port. 0 none, -1 error. */
static long held_by_request(alloc *a)
{
    long probes[PROBES], claimed = 0;
    bool taken[PROBES];
    uint64_t state;
    summary sum;
    int nprobes = request_probes(a, probes, &state);
    long port = begin(a, probes, nprobes, taken, &sum, &claimed);
    if (port != 0 || claimed <= 0)
        return port;
    int mine = owns_port(a, claimed);
    return mine < 0 ? -1 : mine ? claimed : 0;
}

static long allocate(alloc *a)
{
    uint64_t state;
    summary sum;
    long probes[PROBES];
    bool taken[PROBES];
    int nprobes = request_probes(a, probes, &state);
    long claimed = 0, port = begin(a, probes, nprobes, taken, &sum, &claimed);
    if (port != 0)
        return port;
    int mine = claimed > 0 ? owns_port(a, claimed) : 0;
    if (mine != 0)
        return mine < 0 ? -1 : claimed;
    int tries = 0;
    for (int i = 0; i < nprobes && tries < PLAIN_TRIES; i++) {
        if (taken[i])
            continue;
        tries++;
        int r = try_port(a, probes[i]);
        if (r != 0)
            return r < 0 ? -1 : probes[i];
    }
    /* The probes covered the whole pool and none was free. */
    if (tries == 0 && nprobes == a->s->total)
        return pool_full(a);
    return allocate_crowded(a, &sum, &state);
}

static int setup_alloc(cfn_ctx *ctx, const spec *s, alloc *a)
{
    memset(a, 0, sizeof(*a));
    a->ctx = ctx;
    a->s = s;
    a->request = cfn_request_id(ctx);
    snprintf(a->pool, sizeof(a->pool), "pool#%s", s->key);
    snprintf(a->summary_pool, sizeof(a->summary_pool), "free#%s", s->key);
    cfn_request_resource_hash(ctx, a->owner);
    snprintf(a->resource, sizeof(a->resource), "%.128s/%.255s", cfn_request_stack_name(ctx),
             cfn_request_logical_id(ctx));
    return cfn_aws_for(ctx, NULL, &a->aws);
}

static int answer(cfn_ctx *ctx, const spec *s, long port)
{
    char id[MAX_KEY_BYTES + 16];
    snprintf(id, sizeof(id), "%s-%ld", s->key, port);
    if (cfn_set_dataf(ctx, "Port", "%ld", port) < 0)
        return -1;
    return cfn_set_physical_id(ctx, id);
}

static int release_port(alloc *a, long port);

/* After a failed allocation whose last write may have taken effect (no
 * answer came in time): within the margin cfn_aws_for kept, find the port
 * this request holds and give it back, so the failed Create leaves nothing.
 * What this misses, the Delete after the failed Create finds. */
static void undo_unknown(alloc *a)
{
    if (!cfn_aws_outcome_unknown(a->aws))
        return;
    cfn_aws_for_undo(a->ctx, a->aws);
    long port = held_by_request(a);
    if (port > 0 && release_port(a, port) == 1)
        cfn_log(CFN_LOG_WARN,
                "pool %s: port %ld, taken by a write whose answer came too late, "
                "released again",
                a->s->key, port);
    else if (port < 0)
        cfn_log(CFN_LOG_WARN,
                "pool %s: could not check for a port taken by a late write (%s); "
                "the Delete after this failed Create will",
                a->s->key, cfn_error_last());
}

static int create_port(cfn_ctx *ctx, const spec *s)
{
    alloc a;
    if (setup_alloc(ctx, s, &a) < 0)
        return -1;
    long port = require_import(&a) < 0 ? -1 : allocate(&a);
    if (port > 0) {
        cfn_log(CFN_LOG_INFO, "pool %s: port %ld allocated with %d DynamoDB requests (%d writes)",
                s->key, port, a.n.requests, a.n.writes);
    } else if (!cfn_reason(ctx)) {
        /* The reason first: the undo's calls replace cfn_error_last(). */
        cfn_fail(ctx, "%s", cfn_error_last());
        undo_unknown(&a);
    }
    cfn_aws_free(a.aws);
    return port > 0 ? answer(ctx, s, port) : -1;
}

static int create(cfn_ctx *ctx)
{
    spec s;
    if (read_spec(ctx, &s) < 0)
        return -1;
    return create_port(ctx, &s);
}

/* "<Key>-<port>": the pool is everything before the last '-'. */
static int parse_id(const char *id, char *key, size_t size, long *port)
{
    const char *dash = id ? strrchr(id, '-') : NULL;
    if (!dash || dash == id || !dash[1] || strspn(dash + 1, "0123456789") != strlen(dash + 1) ||
        strlen(dash + 1) > 5 || (size_t)(dash - id) >= size)
        return -1;
    *port = atol(dash + 1);
    if (*port < 1 || *port > 65535)
        return -1;
    snprintf(key, size, "%.*s", (int)(dash - id), id);
    return 0;
}

/* An imported seed port has no owner: the first resource that updates or
 * deletes it with its `<Key>-<port>` id is the seed-era resource that got it. */
#define OWNED_OR_IMPORTED                                                                          \
    "#owner = :owner OR (attribute_not_exists(#owner) AND attribute_exists(#seed))"

/* Keeps `port` for this resource when it is still ours (or an imported seed
 * port, which becomes ours): 1 kept, 0 held by another resource, -1 error. */
static int keep_port(alloc *a, long port)
{
    cJSON *in = cJSON_CreateObject();
    cJSON *names = cJSON_AddObjectToObject(in, "ExpressionAttributeNames");
    cJSON *values = cJSON_AddObjectToObject(in, "ExpressionAttributeValues");
    bool built =
        cJSON_AddStringToObject(in, "TableName", a->s->table) &&
        cJSON_AddItemToObject(in, "Key", unique_port_key(a->pool, port)) &&
        cJSON_AddStringToObject(in, "UpdateExpression",
                                "SET #owner = :owner, #resource = :resource") &&
        cJSON_AddStringToObject(in, "ConditionExpression",
                                "attribute_not_exists(#port) OR " OWNED_OR_IMPORTED) &&
        cJSON_AddStringToObject(names, "#port", "port") &&
        cJSON_AddStringToObject(names, "#owner", "owner") &&
        cJSON_AddStringToObject(names, "#seed", "seed") &&
        cJSON_AddStringToObject(names, "#resource", "resource") &&
        cJSON_AddStringToObject(cJSON_AddObjectToObject(values, ":owner"), "S", a->owner) &&
        cJSON_AddStringToObject(cJSON_AddObjectToObject(values, ":resource"), "S", a->resource);
    if (ddb(a, "UpdateItem", in, built, NULL) == 0)
        return 1;
    if (cfn_aws_error_is(a->aws, "ConditionalCheckFailedException"))
        return 0;
    return -1;
}

static const char *old_table(cfn_ctx *ctx)
{
    const char *t = NULL;
    return cfn_old_prop_string_or(ctx, "TableName", NULL, &t) < 0 ? NULL
           : t                                                    ? t
                                                                  : getenv(TABLE_ENV);
}

static int update(cfn_ctx *ctx)
{
    spec s;
    char key[MAX_KEY_BYTES + 1];
    long port;
    if (read_spec(ctx, &s) < 0)
        return -1;
    const char *was = old_table(ctx);
    bool same_table = was && strcmp(was, s.table) == 0;
    if (parse_id(cfn_request_physical_id(ctx), key, sizeof(key), &port) == 0 &&
        strcmp(key, s.key) == 0 && same_table && in_ranges(&s, port)) {
        /* Same pool and the port still fits: keep it, after making sure it is
         * still ours (one conditional write, as when it was taken). */
        alloc a;
        if (setup_alloc(ctx, &s, &a) < 0)
            return -1;
        int kept = require_import(&a) < 0 ? -1 : keep_port(&a, port);
        cfn_aws_free(a.aws);
        if (kept < 0)
            return -1;
        if (kept)
            return answer(ctx, &s, port);
        cfn_log(CFN_LOG_WARN, "pool %s: port %ld is held by another resource; allocating anew",
                s.key, port);
    }
    /* A new pool, a range without the port, or another table: a new port
     * (a replacement; CloudFormation then deletes the old one). */
    return create_port(ctx, &s);
}

/* Releases `port` with one conditional delete, when this resource holds it;
 * a block the pool's summary lists as full is then listed no more. 1
 * released, 0 not held by this resource (already released, another
 * resource's, or the table is gone), -1 error. */
static int release_port(alloc *a, long port)
{
    cJSON *in = cJSON_CreateObject(), *out = NULL;
    cJSON *names = cJSON_AddObjectToObject(in, "ExpressionAttributeNames");
    int b = (int)(port / BLOCK_PORTS);
    bool built = cJSON_AddStringToObject(in, "TableName", a->s->table) &&
                 cJSON_AddItemToObject(in, "Key", unique_port_key(a->pool, port)) &&
                 cJSON_AddStringToObject(in, "ConditionExpression", OWNED_OR_IMPORTED) &&
                 cJSON_AddStringToObject(names, "#owner", "owner") &&
                 cJSON_AddStringToObject(names, "#seed", "seed") &&
                 cJSON_AddStringToObject(
                     cJSON_AddObjectToObject(
                         cJSON_AddObjectToObject(in, "ExpressionAttributeValues"), ":owner"),
                     "S", a->owner);
    if (ddb(a, "DeleteItem", in, built, NULL) < 0) {
        if (cfn_aws_error_is(a->aws, "ConditionalCheckFailedException") ||
            cfn_aws_error_is(a->aws, "ResourceNotFoundException"))
            return 0;
        return -1;
    }
    summary sum = {0};
    in = cJSON_CreateObject();
    built = cJSON_AddStringToObject(in, "TableName", a->s->table) &&
            cJSON_AddItemToObject(in, "Key", unique_port_key(a->summary_pool, SUMMARY_SLOT)) &&
            cJSON_AddBoolToObject(in, "ConsistentRead", 1);
    if (ddb(a, "GetItem", in, built, &out) < 0)
        return -1;
    read_numbers(cJSON_GetObjectItem(cJSON_GetObjectItem(out, "Item"), "empty"), sum.empty,
                 NBLOCKS);
    cJSON_Delete(out);
    if (sum.empty[b] && summary_update(a, "DELETE", b) < 0)
        return -1;
    return 1;
}

static int remove_port(cfn_ctx *ctx)
{
    spec s;
    alloc a;
    char key[MAX_KEY_BYTES + 1];
    long port;
    const char *id = cfn_request_physical_id(ctx);
    if (parse_id(id, key, sizeof(key), &port) < 0) {
        cfn_log(CFN_LOG_INFO, "%s names no port: nothing to release", id);
        return 0;
    }
    /* The table comes from the properties; the pool and port from the id,
     * which is what was allocated whatever the properties say now. */
    if (read_spec(ctx, &s) < 0)
        return -1;
    s.key = key;
    if (setup_alloc(ctx, &s, &a) < 0)
        return -1;
    int rc = release_port(&a, port);
    /* A seed-era port that is not in our table yet: refuse until the import,
     * or the seed's allocation would stay held for ever. */
    if (rc == 0 && !cfn_aws_error_is(a.aws, "ResourceNotFoundException") && require_import(&a) < 0)
        rc = -1;
    if (rc == 1)
        cfn_log(CFN_LOG_INFO, "pool %s: port %ld released", key, port);
    else if (rc == 0)
        cfn_log(CFN_LOG_INFO, "pool %s: port %ld is not held by this resource: nothing to release",
                key, port);
    cfn_aws_free(a.aws);
    return rc < 0 ? -1 : 0;
}

/* The Delete after a failed Create: the port that Create's request took, if
 * a write of it took effect after all (its answer came too late). */
static int remove_failed_create(cfn_ctx *ctx)
{
    spec s;
    alloc a;
    if (read_spec(ctx, &s) < 0) {
        /* Properties the Create refused: it allocated nothing. */
        cfn_log(CFN_LOG_INFO, "failed Create with invalid properties (%s): nothing to release",
                cfn_reason(ctx));
        return 0; /* a success: the reason set on the way is not read */
    }
    if (setup_alloc(ctx, &s, &a) < 0)
        return -1;
    a.request = cfn_request_failed_create_id(ctx);
    long port = held_by_request(&a);
    int rc = port > 0 ? release_port(&a, port) : (int)port;
    if (rc == 1)
        cfn_log(CFN_LOG_INFO, "pool %s: port %ld, taken by the failed Create %s, released", s.key,
                port, a.request);
    else if (rc == 0)
        cfn_log(CFN_LOG_INFO, "pool %s: the failed Create %s holds no port", s.key, a.request);
    else if (cfn_aws_error_is(a.aws, "ResourceNotFoundException"))
        rc = 0; /* no table: nothing was allocated in it */
    cfn_aws_free(a.aws);
    return rc < 0 ? -1 : 0;
}

const cfn_resource_type cfnkit_unique_port = {
    .type = "Custom::UniquePort",
    .create = create,
    .update = update,
    .remove = remove_port,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .remove_failed_create = remove_failed_create,
};
