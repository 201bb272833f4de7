/* cfnkit: a framework for AWS CloudFormation custom resources.
 * Include this one header; it pulls in the whole public API. */
#ifndef CFNKIT_CFNKIT_H
#define CFNKIT_CFNKIT_H

#include <cfnkit/version.h>
#include <cfnkit/aws.h>
#include <cfnkit/digest.h>
#include <cfnkit/error.h>
#include <cfnkit/json.h>
#include <cfnkit/log.h>
#include <cfnkit/resource.h>
#include <cfnkit/request.h>
#include <cfnkit/response.h>
#include <cfnkit/wait.h>

#endif
