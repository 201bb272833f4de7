/* `cfnkit unique-port import-seed`: copies the ports the seed ("ECS Unique
 * Port") handed out into cfnkit's ports table, so that none is given again. */
#include "unique_port_cmd.h"

#include "unique_port.h"

#include <cfnkit/cfnkit.h>

#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEED_LOW  10000 /* the seed's bit i is port 10000 + i */
#define SEED_BITS 55536 /* no port above 65535 */
#define TABLE_ENV UNIQUE_PORT_TABLE_ENV
#define SEED_MARK UNIQUE_PORT_SEED_MARK
#define MAX_KEY   UNIQUE_PORT_MAX_KEY

static const char usage_text[] =
    "Usage: cfnkit unique-port import-seed --seed-table NAME [--table NAME]\n"
    "                                      [--seed-region REGION]\n"
    "\n"
    "Copies every port the seed's bitset table (its DynamoTable: hash key Key, a\n"
    "binary bitset Members of the ports 10000-59999, a clear bit being an allocated\n"
    "port) holds into the cfnkit ports table (--table, default $" TABLE_ENV ")\n"
    "as items without an owner, then marks the seed table imported: from then on\n"
    "the provider serves requests naming that DynamoTable, and a seed-era Delete\n"
    "frees its port. Run it after the seed's function runs cfnkit; running it again\n"
    "copies only what is missing. The seed table is only read. The seed table's\n"
    "region is --seed-region, default the standard AWS_REGION.\n"
    "\n"
    "Exit 0 when done, 1 on an AWS error or a port held both by the seed and by a\n"
    "cfnkit resource (printed), 2 on a usage error.\n";

typedef struct import {
    cfn_aws *ours;
    const char *table;
    const char *seed_table;
    long imported, already, conflicts;
} import;

static int usage_error(const char *what)
{
    fprintf(stderr, "cfnkit unique-port: %s\n\n%s", what, usage_text);
    return 2;
}

/* willf/bitset's MarshalBinary: the length in bits, then the 64-bit words,
 * all big-endian. Sets used[i] for every clear bit i below the length. */
static int decode_members(const char *b64, unsigned char *used, long *nbits)
{
    size_t len = strlen(b64);
    unsigned char *raw = malloc(len / 4 * 3 + 3);
    int rc = -1;
    if (!raw || len % 4 != 0)
        goto done;
    int n = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)len);
    if (n < 0)
        goto done;
    n -= (len > 0 && b64[len - 1] == '=') + (len > 1 && b64[len - 2] == '=');
    if (n < 8)
        goto done;
    uint64_t bits = 0;
    for (int i = 0; i < 8; i++)
        bits = bits << 8 | raw[i];
    uint64_t words = (bits + 63) / 64;
    if (bits > SEED_BITS || (uint64_t)n != 8 + words * 8)
        goto done;
    for (uint64_t i = 0; i < bits; i++) {
        const unsigned char *w = raw + 8 + (i / 64) * 8;
        unsigned bit = (unsigned)(i % 64);
        used[i] = !(w[7 - bit / 8] >> (bit % 8) & 1);
    }
    *nbits = (long)bits;
    rc = 0;
done:
    free(raw);
    return rc;
}

/* Who holds a port that was already in the table: 0 when it is this seed
 * table's import, 1 when someone else, -1 on error. */
static int held_by_other(import *im, const char *pool, long port, char *who, size_t size)
{
    cJSON *in = cJSON_CreateObject(), *out = NULL;
    int rc = -1;
    if (!cJSON_AddStringToObject(in, "TableName", im->table) ||
        !cJSON_AddItemToObject(in, "Key", unique_port_key(pool, port)) ||
        !cJSON_AddBoolToObject(in, "ConsistentRead", 1)) {
        cfn_error_set(CFN_ENOMEM, "out of memory");
        goto done;
    }
    if (cfn_dynamodb(im->ours, "GetItem", in, &out) < 0)
        goto done;
    const cJSON *item = cJSON_GetObjectItem(out, "Item");
    const cJSON *seed = cJSON_GetObjectItem(cJSON_GetObjectItem(item, "seed"), "S");
    const cJSON *res = cJSON_GetObjectItem(cJSON_GetObjectItem(item, "resource"), "S");
    snprintf(who, size, "%s", cJSON_IsString(res) ? res->valuestring : "?");
    rc = !(item && !cJSON_GetObjectItem(item, "owner") && cJSON_IsString(seed) &&
           strcmp(seed->valuestring, im->seed_table) == 0);
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    return rc;
}

/* One conditional write per port: an item no resource owns yet, which a
 * seed-era Update adopts and a seed-era Delete removes. */
static int import_port(import *im, const char *key, const char *pool, long port)
{
    char resource[128], who[300];
    cJSON *in = cJSON_CreateObject();
    cJSON *item = unique_port_key(pool, port);
    int rc = -1;
    snprintf(resource, sizeof(resource), "imported from the seed's table %.80s", im->seed_table);
    bool built =
        cJSON_AddStringToObject(in, "TableName", im->table) && item &&
        cJSON_AddStringToObject(cJSON_AddObjectToObject(item, "seed"), "S", im->seed_table) &&
        cJSON_AddStringToObject(cJSON_AddObjectToObject(item, "resource"), "S", resource) &&
        cJSON_AddItemToObject(in, "Item", item);
    if (!built)
        cJSON_Delete(item);
    if (!built ||
        !cJSON_AddStringToObject(in, "ConditionExpression", "attribute_not_exists(#port)") ||
        !cJSON_AddStringToObject(cJSON_AddObjectToObject(in, "ExpressionAttributeNames"), "#port",
                                 "port")) {
        cfn_error_set(CFN_ENOMEM, "out of memory");
        goto done;
    }
    if (cfn_dynamodb(im->ours, "PutItem", in, NULL) == 0) {
        im->imported++;
        rc = 0;
        goto done;
    }
    if (!cfn_aws_error_is(im->ours, "ConditionalCheckFailedException"))
        goto done;
    int other = held_by_other(im, pool, port, who, sizeof(who));
    if (other < 0)
        goto done;
    if (other) {
        fprintf(stderr,
                "cfnkit unique-port: pool %s: port %ld, allocated by the seed, is also held by "
                "%s: two resources have it\n",
                key, port, who);
        im->conflicts++;
    } else {
        im->already++;
    }
    rc = 0;
done:
    cJSON_Delete(in);
    return rc;
}

static int import_item(import *im, const cJSON *item)
{
    const cJSON *key = cJSON_GetObjectItem(cJSON_GetObjectItem(item, "Key"), "S");
    const cJSON *members = cJSON_GetObjectItem(cJSON_GetObjectItem(item, "Members"), "B");
    unsigned char used[SEED_BITS];
    char pool[MAX_KEY + 8];
    long nbits = 0, before = im->imported + im->already + im->conflicts;
    if (!cJSON_IsString(key) || !cJSON_IsString(members) || strlen(key->valuestring) > MAX_KEY ||
        decode_members(members->valuestring, used, &nbits) < 0)
        return cfn_error_set(CFN_EINVAL,
                             "an item of %s is not the seed's (Key string, Members bitset)",
                             im->seed_table);
    snprintf(pool, sizeof(pool), "pool#%s", key->valuestring);
    for (long i = 0; i < nbits; i++)
        if (used[i] && import_port(im, key->valuestring, pool, SEED_LOW + i) < 0)
            return -1;
    printf("pool %s: %ld ports allocated by the seed\n", key->valuestring,
           im->imported + im->already + im->conflicts - before);
    return 0;
}

/* The mark the provider looks for before serving a seed-shaped request. */
static int mark_imported(import *im)
{
    char pool[300], at[24], count[24];
    cJSON *in = cJSON_CreateObject();
    cJSON *item = NULL;
    int rc = -1;
    snprintf(pool, sizeof(pool), SEED_MARK "%s", im->seed_table);
    snprintf(at, sizeof(at), "%lld", (long long)time(NULL));
    snprintf(count, sizeof(count), "%ld", im->imported + im->already + im->conflicts);
    item = unique_port_key(pool, 0);
    bool built = cJSON_AddStringToObject(in, "TableName", im->table) && item &&
                 cJSON_AddStringToObject(cJSON_AddObjectToObject(item, "at"), "N", at) &&
                 cJSON_AddStringToObject(cJSON_AddObjectToObject(item, "ports"), "N", count) &&
                 cJSON_AddItemToObject(in, "Item", item);
    if (!built) {
        cJSON_Delete(item);
        cfn_error_set(CFN_ENOMEM, "out of memory");
        goto done;
    }
    rc = cfn_dynamodb(im->ours, "PutItem", in, NULL);
done:
    cJSON_Delete(in);
    return rc;
}

static int import_seed(import *im, cfn_aws *seed)
{
    cJSON *start = NULL;
    do {
        cJSON *in = cJSON_CreateObject(), *out = NULL;
        bool built = cJSON_AddStringToObject(in, "TableName", im->seed_table) &&
                     cJSON_AddBoolToObject(in, "ConsistentRead", 1);
        if (start && !cJSON_AddItemToObject(in, "ExclusiveStartKey", start)) {
            cJSON_Delete(start);
            built = false;
        }
        int rc = built ? cfn_dynamodb(seed, "Scan", in, &out)
                       : cfn_error_set(CFN_ENOMEM, "out of memory");
        cJSON_Delete(in);
        const cJSON *item;
        cJSON_ArrayForEach(item, cJSON_GetObjectItem(out, "Items"))
        {
            if (import_item(im, item) < 0) {
                rc = -1;
                break;
            }
        }
        start = rc == 0 ? cJSON_DetachItemFromObject(out, "LastEvaluatedKey") : NULL;
        cJSON_Delete(out);
        if (rc < 0)
            return -1;
    } while (start);
    return mark_imported(im);
}

int unique_port_cmd(int argc, char **argv)
{
import im = {0 };
    const char *seed_region = NULL;
    cfn_aws *seed = NULL;
    int rc = 1;
    if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (argc < 1 || strcmp(argv[0], "import-seed") != 0)
        return usage_error(argc < 1 ? "give a command: import-seed" : "unknown command");
    im.table = getenv(TABLE_ENV);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (i + 1 >= argc)
            return usage_error("an option without its value");
        if (strcmp(argv[i], "--seed-table") == 0)
            im.seed_table = argv[++i];
        else if (strcmp(argv[i], "--table") == 0)
            im.table = argv[++i];
        else if (strcmp(argv[i], "--seed-region") == 0)
            seed_region = argv[++i];
        else
            return usage_error("unknown option");
    }
    if (!im.seed_table || !*im.seed_table)
        return usage_error("--seed-table is required: the seed's DynamoTable");
    if (!im.table || !*im.table)
        return usage_error("no cfnkit ports table: give --table or set " TABLE_ENV);
    if (strcmp(im.table, im.seed_table) == 0)
        return usage_error("--table must be cfnkit's ports table, not the seed's");
    if (cfn_aws_new(&im.ours, NULL) < 0 || cfn_aws_new(&seed, seed_region) < 0 ||
        import_seed(&im, seed) < 0) {
        fprintf(stderr, "cfnkit unique-port: %s\n", cfn_error_last());
        goto done;
    }
    printf("seed table %s: %ld ports imported into %s, %ld already there, %ld held twice\n",
           im.seed_table, im.imported, im.table, im.already, im.conflicts);
    rc = im.conflicts ? 1 : 0;
done:
    cfn_aws_free(im.ours);
    cfn_aws_free(seed);
    return rc;
}
