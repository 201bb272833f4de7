/* Custom::UniquePort's table format, shared with `cfnkit unique-port
 * import-seed` (tools/cfnkit/unique_port_cmd.c), which writes the same
 * items: one place names the keys, the table variable and the seed mark. */
#ifndef CFNKIT_UNIQUE_PORT_H
#define CFNKIT_UNIQUE_PORT_H

#include <cjson/cJSON.h>

/* The table when the properties name none. */
#define UNIQUE_PORT_TABLE_ENV "CFNKIT_UNIQUE_PORT_TABLE"
/* The pool item that records a seed table's import: "seed#<table>", port 0. */
#define UNIQUE_PORT_SEED_MARK "seed#"
/* The longest Key (pool name) accepted. */
#define UNIQUE_PORT_MAX_KEY 512

/* The DynamoDB key {"pool": {"S": pool}, "port": {"N": port}}, or NULL when
 * out of memory. `pool` is the item's pool ("pool#<Key>", "free#<Key>",
 * "claim#<RequestId>", "seed#<table>"). */
cJSON *unique_port_key(const char *pool, long port);

#endif
