/* The state store: what the deployment engine knows of stacks, kept in the
 * AWS the stacks live in (a DynamoDB table, by default `cfnkit-stacks`,
 * CFNKIT_STATE_TABLE overrides; made on first use), so that it stays true
 * with that AWS and the AWS CLI can read it. Its item format is documented in
 * framework/src/stack/README.md.
 *
 * Generic over documents: the engine decides what a stack, resource or event
 * document holds; the store keeps them, orders events, enforces the lease
 * (one engine per stack at a time; a lease left by a dead engine expires) and
 * the uniqueness of export names in the account and region, all with
 * conditional writes. Every write is durable when the call returns (write
 * ahead: the engine records a resource before sending its request). */
#ifndef CFNKIT_STACK_STORE_H
#define CFNKIT_STACK_STORE_H

#include <cjson/cJSON.h>
#include <cfnkit/aws.h>
#include <stdint.h>

typedef struct stk_store stk_store;

/* Opens (and if need be creates, waiting until ACTIVE) the table. `aws` is
 * borrowed: it must outlive the store. */
int stk_store_open(cfn_aws *aws, stk_store **out);
void stk_store_free(stk_store *s);
/* The table's name, for messages. */
const char *stk_store_table(const stk_store *s);

/* A new lease owner for this engine run, "HOST/PID/RANDOM": a lease whose
 * owner is a process of this host that no longer exists is taken over at
 * once (an engine killed with SIGKILL does not block the next command). */
#define STK_STORE_OWNER_SIZE 320
int stk_store_owner(char out[STK_STORE_OWNER_SIZE]);

/* The lease on a stack: taken when free, expired, already `owner`'s, or held
 * by a dead process of this host (conditional write), else CFN_EBUSY with an
 * error naming the holder and when its lease expires. `owner` is unique per
 * engine run (stk_store_owner). renew extends it; release gives it up (a
 * lease already free is released); both fail with CFN_EBUSY when `owner`
 * no longer holds it. */
int stk_store_lease(stk_store *s, const char *stack, const char *owner, int seconds);
int stk_store_renew(stk_store *s, const char *stack, const char *owner, int seconds);
int stk_store_release(stk_store *s, const char *stack, const char *owner);

/* The stack document: NULL in *out when there is no such stack. put
 * replaces it; delete removes the stack's every item (resources, events,
 * its exports and imports; not the lease, which its holder releases), and
 * fails with CFN_EBUSY naming the importer, before removing anything, when
 * another stack imports one of its exports. Stack names are CloudFormation's
 * (a letter, then letters, digits, hyphens; at most 128): others are
 * CFN_EINVAL. Documents of any size (chunked over several items). */
int stk_store_get_stack(stk_store *s, const char *stack, cJSON **out);
int stk_store_put_stack(stk_store *s, const char *stack, const cJSON *doc);
int stk_store_delete_stack(stk_store *s, const char *stack);
/* Every stack document, as an array. */
int stk_store_list_stacks(stk_store *s, cJSON **out);

/* Resource documents under keys the engine chooses (a logical id, or a
 * logical id and physical id while a replacement holds both). */
int stk_store_put_resource(stk_store *s, const char *stack, const char *key, const cJSON *doc);
int stk_store_delete_resource(stk_store *s, const char *stack, const char *key);
/* An object of key -> document. */
int stk_store_list_resources(stk_store *s, const char *stack, cJSON **out);

/* Appends an event (the store adds nothing; the engine gives EventId and
 * Timestamp); list returns them newest first, as DescribeStackEvents does. */
int stk_store_add_event(stk_store *s, const char *stack, const cJSON *event);
int stk_store_list_events(stk_store *s, const char *stack, cJSON **out);

/* Exports: claim fails with CFN_EEXISTS naming the stack that exports the
 * name already, and with CFN_EBUSY naming the importers when the stack
 * changes the value of an export that is imported; release gives up a name
 * the stack holds (CFN_EBUSY naming the importers while it is imported;
 * releasing a name nobody holds succeeds); list returns
 * [{"Name","Value","ExportingStackId"}] by name. `stack_id` is a stack ARN.
 * Imports: record that `stack` imports `name` (CFN_ENOTFOUND "No export named
 * X found" when nobody exports it; counted on the export in the same
 * transaction, so an export cannot go while imported), remove the record
 * (succeeds when absent), and list the stacks importing a name. */
int stk_store_claim_export(stk_store *s, const char *name, const char *value, const char *stack_id);
int stk_store_release_export(stk_store *s, const char *name, const char *stack_id);
int stk_store_list_exports(stk_store *s, cJSON **out);
int stk_store_add_import(stk_store *s, const char *name, const char *stack);
int stk_store_remove_import(stk_store *s, const char *name, const char *stack);
int stk_store_importers(stk_store *s, const char *name, cJSON **out);

#endif
