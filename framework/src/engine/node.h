/* The one in-memory form of a template read from JSON or YAML: a tree of
 * nodes, each with the line and column where it starts, intrinsic functions
 * in their long form ({"Fn::GetAtt": [A, B]}), scalars as CloudFormation reads
 * them. Parsing keeps expressions unevaluated; eval.h evaluates them. */
#ifndef CFNKIT_ENGINE_NODE_H
#define CFNKIT_ENGINE_NODE_H

#include <cjson/cJSON.h>
#include <stddef.h>

typedef enum cfn_node_kind {
    CFN_NODE_NULL,
    CFN_NODE_BOOL,   /* text "true" or "false" */
    CFN_NODE_NUMBER, /* text: the number as written, YAML 1.1 integers in decimal */
    CFN_NODE_STRING,
    CFN_NODE_LIST,
    CFN_NODE_MAP
} cfn_node_kind;

typedef struct cfn_node {
    cfn_node_kind kind;
    unsigned line, column;         /* 1-based, where the node starts */
    char *key;                     /* a map's member: its key (NULL otherwise) */
    unsigned key_line, key_column; /* a map's member: where its key starts */
    char *text;                    /* a scalar's value (NULL for null, lists and maps) */
    struct cfn_node **items;       /* list items, or map members in document order */
    size_t count;
} cfn_node;

/* Reads a template: JSON when its first non-blank character is '{' (as
 * CloudFormation tries JSON first), YAML otherwise. `file` names the source
 * in error messages ("file:line:column: what"). On success *out is the root
 * (a map), freed with cfn_node_free(); on failure CFN_EINVAL and the message
 * in cfn_error_last(). */
int cfn_node_parse(const char *text, size_t len, const char *file, cfn_node **out);
int cfn_node_parse_json(const char *text, size_t len, const char *file, cfn_node **out);
int cfn_node_parse_yaml(const char *text, size_t len, const char *file, cfn_node **out);

/* Reads a whole file into memory (NUL-terminated; *len without the NUL). The
 * caller frees *out. CFN_EIO naming the file when it cannot be read. */
int cfn_node_read_file(const char *path, char **out, size_t *len);

void cfn_node_free(cfn_node *n);

/* A map's member by key, borrowed; NULL when n is not a map or has no such key. */
const cfn_node *cfn_node_get(const cfn_node *n, const char *key);

/* The node's only member when it is a map of exactly one key (the shape of
 * an intrinsic function), else NULL. */
const cfn_node *cfn_node_single(const cfn_node *n);

/* A scalar's text (strings, numbers, booleans), else NULL. */
const char *cfn_node_scalar(const cfn_node *n);

/* The node as JSON (numbers as numbers, booleans as booleans); the caller
 * frees it with cJSON_Delete(). NULL when memory is short. */
cJSON *cfn_node_to_json(const cfn_node *n);

/* Building blocks for the readers (and tests): a new node, and a member
 * appended to a list or map (taking ownership of item). */
cfn_node *cfn__node_new(cfn_node_kind kind, unsigned line, unsigned column);
int cfn__node_append(cfn_node *parent, cfn_node *item);

#endif
