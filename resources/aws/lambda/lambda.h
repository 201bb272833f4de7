/* The native AWS::Lambda:: types of the local engine, one file each. */
#ifndef CFNKIT_NATIVE_LAMBDA_H
#define CFNKIT_NATIVE_LAMBDA_H

#include <cfnkit/cfnkit.h>

extern const cfn_resource_type native_lambda_function;
extern const cfn_resource_type native_lambda_permission;
extern const cfn_resource_type native_lambda_layer_version;
extern const cfn_resource_type native_lambda_event_source_mapping;
extern const cfn_resource_type native_lambda_version;

#endif
