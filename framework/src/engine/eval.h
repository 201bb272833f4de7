/* Evaluation: parameters, conditions and every intrinsic function, as a pure
 * step over an environment (the template, the parameter values, the pseudo
 * parameters, and what the engine knows about resources). Values are cJSON;
 * a value that cannot be known yet (a resource's Ref or attribute before the
 * engine made it, a parameter not given to validate-template) is "unknown"
 * and makes unknown every value computed from it, while the shapes of the
 * functions are still checked. Sources: UserGuide/intrinsic-function-
 * reference*.html, parameters-section-structure.html,
 * conditions-section-structure.html, pseudo-parameter-reference.html. */
#ifndef CFNKIT_ENGINE_EVAL_H
#define CFNKIT_ENGINE_EVAL_H

#include "strbuf.h"
#include "template.h"

/* What the engine provides; any callback may be NULL (the values are then
 * unknown). Each returns 0 and a new value in *out (the evaluator frees it),
 * or a negative code with cfn_error_set() to fail the evaluation. */
typedef struct cfn_eval_ops {
    int (*ref)(void *arg, const char *logical_id, cJSON **out);
    int (*getatt)(void *arg, const char *logical_id, const char *attribute, cJSON **out);
    int (*import_value)(void *arg, const char *export_name, cJSON **out);
    /* The availability zones of a region (default: its a, b and c). */
    int (*azs)(void *arg, const char *region, cJSON **out);
    /* The value of an SSM parameter (for AWS::SSM::Parameter::Value<...>). */
    int (*ssm)(void *arg, const char *name, char **out);
    void *arg;
} cfn_eval_ops;

/* The pseudo parameters (UserGuide/pseudo-parameter-reference.html); NULL
 * members take the local defaults (account 123456789012, us-east-1, a stack
 * named "stack"). Partition and URL suffix follow the region. Given no
 * cfn_pseudo and not strict (validate-template), they are unknown. */
typedef struct cfn_pseudo {
    const char *account_id, *region, *stack_name, *stack_id;
    const char *const *notification_arns;
    size_t n_notification_arns;
} cfn_pseudo;

typedef struct cfn_eval cfn_eval;

/* Resolves the parameters: overrides ("Key=Value", as many as given), then
 * SSM for the SSM types, then Default. With strict, a parameter left without
 * a value is an error (as a create is); without, its value is unknown (as
 * validate-template, which takes no values). Every parameter problem is
 * reported at once, in CloudFormation's words ("Parameters: [A] must have
 * values", "Parameter 'B' must be one of AllowedValues", ...). The template,
 * pseudo and ops must outlive the evaluator. */
int cfn_eval_new(const cfn_template *t, const cfn_pseudo *pseudo, const cfn_eval_ops *ops,
                 const char *const *overrides, size_t noverrides, int strict, cfn_eval **out);
void cfn_eval_free(cfn_eval *e);

/* A condition by name: *out 1, 0, or -1 when unknown. */
int cfn_eval_condition(cfn_eval *e, const char *name, int *out);

/* Checks the Rules section (UserGuide/rules-section-structure.html): each
 * rule's assertions, when its RuleCondition holds, with CloudFormation's rule
 * functions (Fn::Contains, Fn::EachMemberEquals, Fn::EachMemberIn; RefAll,
 * ValueOf and ValueOfAll read the account and are unknown here). Appends a
 * line per failed rule, naming its AssertDescription; returns how many. */
int cfn_eval_rules(cfn_eval *e, strbuf *problems);

/* Whether a resource is created: 1, 0, or -1 when its Condition is unknown. */
int cfn_eval_resource_condition(cfn_eval *e, const cfn_node *resource, int *out);

/* Evaluates n (a property, a Metadata or an Output value), `path` naming it
 * in messages ("Resources/B/Properties/Name"). *out is the new value, or NULL
 * when the value is AWS::NoValue (the property is removed). Errors name the
 * file, line, column and path. */
int cfn_eval_value(cfn_eval *e, const cfn_node *n, const char *path, cJSON **out);

/* An output's Value: as cfn_eval_value(), and a List or a Map is refused
 * with CloudFormation's "The Value field of every Outputs member must
 * evaluate to a String and not a List." */
int cfn_eval_output(cfn_eval *e, const cfn_node *n, const char *path, cJSON **out);

/* An output's Export Name: as cfn_eval_value(), and it must be a string
 * that depends on no resource (intrinsic-function-reference-importvalue.html;
 * Fn::ImportValue's argument obeys the same rule). */
int cfn_eval_export_name(cfn_eval *e, const cfn_node *n, const char *path, cJSON **out);

/* A parameter's resolved value (string, or array of strings for list
 * types), NULL when unknown or not declared; borrowed from e. */
const cJSON *cfn_eval_parameter(const cfn_eval *e, const char *name);

/* Whether a value is unknown. */
int cfn_eval_is_unknown(const cJSON *v);

/* A new unknown value, for ops that cannot know theirs yet (a resource the
 * engine has not made); NULL when memory is short. */
cJSON *cfn_eval_unknown(void);

/* A value as CloudFormation passes it to a custom resource: strings as they
 * are, numbers and booleans as their text; NULL for lists, maps, unknown.
 * Borrowed from v, or from a static for booleans. */
const char *cfn_eval_string(const cJSON *v);

#endif
