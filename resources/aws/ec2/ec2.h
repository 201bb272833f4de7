/* The AWS::EC2:: types' shared pieces: EC2 calls through cfn_aws_call, the
 * API inputs built from the template's properties, tags, waits and deletes. */
#ifndef CFNKIT_EC2_H
#define CFNKIT_EC2_H

#include <cfnkit/cfnkit.h>

#include <stdbool.h>

extern const cfn_resource_type cfnkit_ec2_security_group, cfnkit_ec2_security_group_ingress,
    cfnkit_ec2_security_group_egress, cfnkit_ec2_vpc, cfnkit_ec2_subnet,
    cfnkit_ec2_internet_gateway, cfnkit_ec2_gateway_attachment, cfnkit_ec2_route_table,
    cfnkit_ec2_route, cfnkit_ec2_subnet_route_table_association, cfnkit_ec2_eip,
    cfnkit_ec2_nat_gateway, cfnkit_ec2_vpc_endpoint, cfnkit_ec2_launch_template,
    cfnkit_ec2_instance, cfnkit_ec2_key_pair, cfnkit_ec2_dhcp_options,
    cfnkit_ec2_dhcp_options_association, cfnkit_ec2_network_acl, cfnkit_ec2_network_acl_entry,
    cfnkit_ec2_subnet_network_acl_association, cfnkit_ec2_egress_only_internet_gateway,
    cfnkit_ec2_vpc_cidr_block, cfnkit_ec2_eip_association, cfnkit_ec2_volume, cfnkit_ec2_flow_log,
    cfnkit_ec2_vpc_endpoint_service, cfnkit_ec2_vpc_endpoint_service_permissions,
    cfnkit_ec2_network_interface, cfnkit_ec2_vpc_peering_connection;

/* Fails when a property of `fixed` (NULL-terminated) changed on an Update:
 * the ones this engine cannot change in place although CloudFormation can. */
int cfnkit_ec2_unchanged(cfn_ctx *ctx, const char *const *fixed);

/* Copy the property at `path` (dotted, as cfn_prop_*) into `in` as member
 * `name`: a string (numbers and booleans written as CloudFormation writes
 * them), an integer, a boolean, a list of strings, or any JSON as given.
 * Absent: nothing added, or with `required` a failure naming the property.
 * Return 0, or -1 with the request's reason set. */
int cfnkit_ec2_str(cfn_ctx *ctx, cJSON *in, const char *name, const char *path, bool required);
int cfnkit_ec2_int(cfn_ctx *ctx, cJSON *in, const char *name, const char *path);
int cfnkit_ec2_bool(cfn_ctx *ctx, cJSON *in, const char *name, const char *path);
int cfnkit_ec2_strings(cfn_ctx *ctx, cJSON *in, const char *name, const char *path);
int cfnkit_ec2_json(cfn_ctx *ctx, cJSON *in, const char *name, const char *path);

/* The string at `path` of the new (or with `old`, the old) properties as
 * CloudFormation writes a scalar, into buf; NULL when absent or not a scalar. */
const char *cfnkit_ec2_scalar(const cfn_ctx *ctx, bool old, const char *path, char *buf,
                              size_t size);

/* The node at a dotted path ("Reservations.0.Instances.0.State.Name") of an
 * answer, or NULL. */
const cJSON *cfnkit_ec2_get(const cJSON *node, const char *path);
const char *cfnkit_ec2_get_string(const cJSON *node, const char *path);

/* {"member": [id]}: the input of a Describe* or Delete* call. */
cJSON *cfnkit_ec2_ids(const char *member, const char *id);

/* {"Filters": [{"Name": n1, "Values": [v1]}, {n2: [v2]}]}; n2 may be NULL. */
cJSON *cfnkit_ec2_filters(const char *n1, const char *v1, const char *n2, const char *v2);

/* Adds ClientToken: the RequestId, so that EC2 makes one resource for a
 * Create delivered twice (the operations that take one). */
int cfnkit_ec2_token(cfn_ctx *ctx, cJSON *in);

/* One EC2 operation. Takes `in` (a NULL `in` is out of memory); `out` may be
 * NULL. Fails with cfn_error_last() saying what AWS answered. */
int cfnkit_ec2_call(cfn_aws *aws, const char *operation, cJSON *in, cJSON **out);

/* Whether the last failed call said the resource does not exist. */
bool cfnkit_ec2_gone(const cfn_aws *aws);

/* A Delete* (or Detach*, Disassociate*) call: takes `in`; success when the
 * resource is already gone; retried while EC2 answers DependencyViolation
 * (what depended on it is still being deleted), until the deadline. */
int cfnkit_ec2_delete(cfn_ctx *ctx, cfn_aws *aws, const char *operation, cJSON *in);

/* Calls `operation` with `in` (borrowed) until the string at `state` of the
 * answer is `want` (success, the answer in *out when out is not NULL), or
 * one of the NULL-terminated `failed` (failure naming it and `reason`, a
 * path to the reason in the answer, or NULL), or the deadline passes. A
 * NotFound answer (or an answer without the resource) counts as "not yet"
 * (EC2 is eventually consistent) unless `want` is "gone", "deleted" or
 * "terminated", which it then means. */
int cfnkit_ec2_wait(cfn_ctx *ctx, cfn_aws *aws, const char *what, const char *operation,
                    const cJSON *in, const char *state, const char *want, const char *const *failed,
                    const char *reason, cJSON **out);

/* The tag cfnkit adds to what a Create makes: the request's RequestId, by
 * which a Create delivered again (an engine killed before it recorded the
 * answer sends it again) finds what the first delivery made. CloudFormation
 * tags EC2 resources with its own aws:cloudformation:* keys, which EC2
 * reserves. */
#define CFNKIT_EC2_REQUEST_TAG "cfnkit:request"

/* Adds TagSpecifications [{ResourceType, Tags}]: the Tags property (a list
 * of {Key, Value}) and CFNKIT_EC2_REQUEST_TAG. */
int cfnkit_ec2_tag_spec(cfn_ctx *ctx, cJSON *in, const char *resource_type);

/* On Update: the tags removed from, and added to or changed in, Tags
 * between the old and new properties, applied to `resource_id`. */
int cfnkit_ec2_retag(cfn_ctx *ctx, cfn_aws *aws, const char *resource_id);

/* On Update: the members Add<name> and Remove<name> of `in` (a Modify*
 * input) with the strings of the list property `name` that came and went;
 * left out when empty. */
int cfnkit_ec2_list_changes(cfn_ctx *ctx, cJSON *in, const char *name);

/* Sets the Data entries of `names` (NULL-terminated "Key", "path" pairs)
 * from the answer `item`: strings as they are, lists and maps as JSON.
 * Absent values are left out. */
int cfnkit_ec2_data(cfn_ctx *ctx, const cJSON *item, const char *const *names);

/* The common shapes of a type's callbacks. */

/* Calls `operation` with `in` (taken) and sets the physical id to the
 * string at `id_path` of the answer, copied into `id` (of `size` bytes), and
 * Data `data_key` (may be NULL) to it. */
int cfnkit_ec2_create(cfn_ctx *ctx, cfn_aws *aws, const char *operation, cJSON *in,
                      const char *id_path, const char *data_key, char *id, size_t size);

/* What a delivery of this Create made before: `operation` (a Describe*)
 * filtered by CFNKIT_EC2_REQUEST_TAG, the string at `id_path` of its answer
 * copied into `id`. Returns 1 when found, 0 when not, -1 on error. */
int cfnkit_ec2_made(cfn_ctx *ctx, cfn_aws *aws, const char *operation, const char *id_path,
                    char *id, size_t size);

/* cfnkit_ec2_create, once: when cfnkit_ec2_made finds the resource (Describe
 * `find`, id at `find_path`), that one is the resource (`in` freed, nothing
 * made) and it returns 1; 0 when it made one; -1 on error. */
int cfnkit_ec2_create_once(cfn_ctx *ctx, cfn_aws *aws, const char *operation, cJSON *in,
                           const char *id_path, const char *find, const char *find_path,
                           const char *data_key, char *id, size_t size);

/* An Update that changes only Tags: checks the properties against
 * `supported`, retags the physical id and sets Data `data_key` (may be NULL)
 * to it. */
int cfnkit_ec2_update_tags(cfn_ctx *ctx, const char *const *supported, const char *data_key);

/* A Delete by `operation` with {member: physical id}; the ids this type
 * gives start with `prefix`, and any other means its Create made nothing. */
int cfnkit_ec2_remove(cfn_ctx *ctx, const char *operation, const char *member, const char *prefix);

#endif
