/* The resource modules built into the cfnkit tool: the build lists them here,
 * nothing is discovered at run time. Each module adds its descriptor. */
#ifndef CFNKIT_TOOL_BUILTIN_H
#define CFNKIT_TOOL_BUILTIN_H

#include <cfnkit/cfnkit.h>

#include "resources.h"

static const cfn_resource_type *const cfnkit_builtin_types[] = {
    &cfnkit_unique_port,
    &cfnkit_lambda_function,
    &cfnkit_apigateway_resource,
    NULL,
};

#endif
