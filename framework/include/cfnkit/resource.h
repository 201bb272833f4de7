/* Resource types: the descriptor a module registers, and the entry point
 * that serves CloudFormation requests for the registered types. */
#ifndef CFNKIT_RESOURCE_H
#define CFNKIT_RESOURCE_H

#include <cfnkit/common.h>
#include <stdbool.h>
#ifdef __cplusplus
extern "C" {
#endif

/* The context of one request, handed to every callback. Opaque; read it with
 * the accessors of <cfnkit/request.h>, write results with <cfnkit/response.h>. */
typedef struct cfn_ctx cfn_ctx;

/* A callback returns 0 on success and a negative value on failure, after
 * setting the reason with cfn_fail() (or through a cfn_prop_* getter that
 * failed). A failure returned without a reason is explained by
 * cfn_error_last() of the cfnkit call that failed inside the callback (an
 * AWS call's error, say), so `return -1` after it is enough.
 * A callback runs in a child process of its own: it may crash or hang
 * without harming the provider, but it cannot change the parent's memory;
 * everything it reports goes through the cfn_set_* calls. */
typedef int (*cfn_callback)(cfn_ctx *ctx);

/* A module's descriptor. Keep it `static const`: cfn_register stores the
 * pointer, not a copy, so it must outlive every request.
 *
 * - create: makes the resource and sets its physical id (or lets the
 *   framework generate one: "<stack>-<logical id>-<suffix>").
 * - update: changes it in place and keeps the id; setting a *different* id
 *   means the resource was replaced, and CloudFormation will then send a
 *   Delete for the old id. NULL means the type cannot be updated: every
 *   Update answers FAILED saying so, and that the way to change the resource
 *   is a new logical id (CloudFormation creates the new one, deletes the old).
 * - remove: deletes it. Must succeed when the resource is already gone, and
 *   must be idempotent: CloudFormation can deliver the same request twice. */
typedef struct cfn_resource_type {
    const char *type; /* "Custom::Name", matched exactly against ResourceType */
    cfn_callback create;
    cfn_callback update;
    cfn_callback remove;
    /* The layout of the descriptor: 0 (left out) means the four fields above
     * only, so modules written before the fields below compile and run
     * unchanged; CFN_RESOURCE_TYPE_VERSION makes the fields below read. */
    unsigned int version;
    /* Version 1. NULL-terminated lists, borrowed for the registry's life like
     * the descriptor itself. `replaces`: the properties whose change replaces
     * the resource (an Update then makes a new one under a new physical id;
     * CloudFormation's createOnlyProperties). `attributes`: the Data keys
     * Fn::GetAtt may read. NULL means none declared. */
    const char *const *replaces;
    const char *const *attributes;
    /* Version 2. `replaces_conditional`: properties whose change may or may
     * not replace the resource, depending on the change (CloudFormation's
     * conditionalCreateOnlyProperties; a change set says "Conditional").
     * `write_only`: properties the AWS API never returns (passwords, code),
     * compared from the template only (writeOnlyProperties). Property names
     * are top-level; NULL means none. */
    const char *const *replaces_conditional;
    const char *const *write_only;
    /* Version 2. Called for the Delete that CloudFormation sends after a
     * Create that answered FAILED (its physical id is cfnkit's failed-create
     * marker), to find and delete what that Create made before it failed: an
     * AWS call that took effect but answered too late, say.
     * cfn_request_failed_create_id() gives that Create's RequestId. NULL (a
     * module whose failed Create leaves nothing): the Delete succeeds without
     * a call. Like remove, it must succeed when there is nothing to find. */
    cfn_callback remove_failed_create;
} cfn_resource_type;

/* The newest descriptor layout this cfnkit reads. */
#define CFN_RESOURCE_TYPE_VERSION 2

/* Whether a change of `property` (a top-level property name) replaces a
 * resource of `type`: listed in a version 1 descriptor's `replaces`. False for
 * version 0 descriptors, which declare nothing. */
CFN_EXTERN bool cfn_type_replaces(const cfn_resource_type *type, const char *property);

/* Whether a change of `property` may replace a resource of `type`: listed
 * in a version 2 descriptor's `replaces_conditional`. */
CFN_EXTERN bool cfn_type_replaces_conditionally(const cfn_resource_type *type,
                                                const char *property);

/* Whether Fn::GetAtt may read `attribute` of `type`: listed in a version 1
 * descriptor's `attributes`. False for version 0 descriptors. */
CFN_EXTERN bool cfn_type_has_attribute(const cfn_resource_type *type, const char *attribute);

/* Registers a type. Returns CFN_EEXISTS when a type of that name is already
 * registered, CFN_EINVAL when the descriptor lacks a type, create or remove
 * or has a version newer than CFN_RESOURCE_TYPE_VERSION; cfn_error_last()
 * says why. */
CFN_EXTERN int cfn_register(const cfn_resource_type *type);

/* The registered type named `name`, or NULL. */
CFN_EXTERN const cfn_resource_type *cfn_lookup(const char *name);

/* Serves requests for the registered types and returns the process exit code.
 * With AWS_LAMBDA_RUNTIME_API set and no arguments: the Lambda Runtime API loop.
 * Otherwise a command line: `PROGRAM invoke --event FILE|- [--timeout S]`
 * runs one request and signals its ResponseURL (exit 0: SUCCESS delivered,
 * 1: FAILED delivered, 2: nothing could be delivered), or with
 * `--response-file FILE|-` writes the body it would PUT there instead;
 * `PROGRAM --help`. */
CFN_EXTERN int cfn_main(int argc, char **argv);

/* A command a program adds to cfn_main's command line, beside invoke and
 * types: `PROGRAM NAME ARGS...` calls run(argc, argv) with the ARGS only
 * (argv[0] is the first argument after NAME) and exits with what it returns. */
typedef struct cfn_command {
    const char *name;    /* the word after the program's name */
    const char *summary; /* one line for PROGRAM --help */
    int (*run)(int argc, char **argv);
} cfn_command;

/* Adds a command to cfn_main, listed in --help in the order added. The
 * descriptor is stored as given: it must be static or outlive cfn_main.
 * Returns CFN_EEXISTS when the name is taken (invoke, types, help and the
 * commands added before), CFN_EINVAL when name or run is missing, CFN_ENOMEM
 * when the table (32 commands) is full. */
CFN_EXTERN int cfn_command_add(const cfn_command *command);

#ifdef __cplusplus
}
#endif
#endif
