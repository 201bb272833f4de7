/* Parameters: types, values and constraints as CloudFormation checks them
 * (UserGuide/parameters-section-structure.html, cloudformation-supplied-
 * parameter-types.html). */
#ifndef CFNKIT_ENGINE_PARAMS_H
#define CFNKIT_ENGINE_PARAMS_H

#include "eval.h"

/* *values: an object of each parameter with a known value, a string or (for
 * list types) an array of strings; the caller frees it. See cfn_eval_new()
 * for overrides and strict. */
int cfn__params_resolve(const cfn_template *t, const cfn_eval_ops *ops,
                        const char *const *overrides, size_t noverrides, int strict,
                        cJSON **values);

/* Whether a declared parameter has NoEcho true (its value is never printed). */
int cfn_param_noecho(const cfn_template *t, const char *name);

#endif
