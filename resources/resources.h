/* The descriptors of the built-in resource modules, for the tools that
 * register them. */
#ifndef CFNKIT_RESOURCES_H
#define CFNKIT_RESOURCES_H

#include <cfnkit/cfnkit.h>

extern const cfn_resource_type cfnkit_unique_port;
extern const cfn_resource_type cfnkit_lambda_function;
extern const cfn_resource_type cfnkit_apigateway_resource;

#endif
