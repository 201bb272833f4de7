/* The native AWS::Lambda:: types, as the build lists them. */
#include "lambda.h"

const cfn_resource_type *const cfnkit_native_lambda[] = {
    &native_lambda_function,      &native_lambda_permission,
    &native_lambda_layer_version, &native_lambda_event_source_mapping,
    &native_lambda_version,       NULL,
};
