/* The native AWS::S3:: types of the local engine. */
#ifndef CFNKIT_NATIVE_S3_H
#define CFNKIT_NATIVE_S3_H

#include <cfnkit/cfnkit.h>

extern const cfn_resource_type native_s3_bucket;
extern const cfn_resource_type native_s3_bucket_policy;

/* What is wrong with a bucket name by S3's naming rules, or NULL. */
const char *s3_bucket_name_problem(const char *name);

#endif
