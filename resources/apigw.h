/* API Gateway calls shared by Custom::APIGatewayResource and the native
 * AWS::ApiGateway:: types: inputs built in place, listings read whole. */
#ifndef CFNKIT_APIGW_H
#define CFNKIT_APIGW_H

#include <cfnkit/cfnkit.h>

/* One API Gateway call (cfn_aws_call's "apigateway") that consumes `in`
 * (NULL: it could not be built, an out-of-memory error). `out` may be NULL.
 * The error stays in cfn_error_last() and cfn_aws_error_code(). */
int apigw_call(cfn_aws *aws, const char *op, cJSON *in, cJSON **out);

/* The ids of a call: restApiId, resourceId, httpMethod; NULL ones are left
 * out. NULL when out of memory. */
cJSON *apigw_ids(const char *api, const char *resource, const char *method);

/* Every item of a listing (GetResources of `api`, or GetRestApis when `api`
 * is NULL), all pages, in the order listed; the caller deletes it. NULL on
 * failure (the error in cfn_error_last()). */
cJSON *apigw_list(cfn_aws *aws, const char *op, const char *api);

#endif
