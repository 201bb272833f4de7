/* The change set: per resource Add, Modify (with Replacement True, False or
 * Conditional and the properties causing it) or Remove, in the shapes of
 * CloudFormation's DescribeChangeSet (APIReference/API_ResourceChange.html,
 * API_ResourceChangeDetail.html, API_ResourceTargetDefinition.html).
 * Replacement comes from the type's registered descriptor (`replaces`:
 * createOnlyProperties, RequiresRecreation Always; `replaces_conditional`:
 * Conditionally); a custom resource is replaced when its provider answers a
 * new physical id, which no change set can know, so any change of one is
 * Conditionally, but ServiceToken (which cannot change) Always. A property
 * whose new value is not known yet (it refers to a resource being changed)
 * is Evaluation Dynamic, and Always becomes Conditional. */
#ifndef CFNKIT_STACK_PLAN_H
#define CFNKIT_STACK_PLAN_H

#include <cjson/cJSON.h>
#include <stdbool.h>

/* Whether two resolved values are the same as CloudFormation compares
 * them: a number the template wrote (a raw value, its text kept) equals the
 * number or text read back from the stored state; objects whatever their
 * order. */
bool stk_json_same(const cJSON *a, const cJSON *b);

/* The change of resource `logical` of `type`: `doc` its stored document
 * (NULL: not made yet: Add) with ResourceType and Properties, `props` its
 * new resolved properties (unknown values as cfn_eval_unknown()). A new
 * {"Type": "Resource", "ResourceChange": {...}}, or NULL when nothing
 * changed. */
cJSON *stk_plan_change(const char *logical, const char *type, const cJSON *doc, const cJSON *props);

/* The property whose change makes an update of `type` from old to props a
 * replacement (createOnly: the descriptor's `replaces`), or NULL (in place).
 * NULL for custom resources, whose provider decides. Borrowed from props or
 * old. */
const char *stk_plan_replacing_property(const char *type, const cJSON *old, const cJSON *props);

#endif
