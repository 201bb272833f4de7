/* CloudFormation's template quotas (UserGuide/cloudformation-limits.html):
 * 500 resources, 200 parameters, outputs and mappings, 200 attributes per
 * mapping, names of at most 255 alphanumeric characters, a description of at
 * most 1024 bytes, a template of at most 1 MB (the limit for a template in
 * S3, which is how a local file reaches CloudFormation). */
#ifndef CFNKIT_ENGINE_QUOTAS_H
#define CFNKIT_ENGINE_QUOTAS_H

#include "strbuf.h"
#include "template.h"

#define CFN_QUOTA_RESOURCES      500
#define CFN_QUOTA_PARAMETERS     200
#define CFN_QUOTA_OUTPUTS        200
#define CFN_QUOTA_MAPPINGS       200
#define CFN_QUOTA_MAPPING_ATTRS  200
#define CFN_QUOTA_NAME           255
#define CFN_QUOTA_DESCRIPTION    1024
#define CFN_QUOTA_TEMPLATE_BYTES 1000000

/* Appends one line per quota exceeded to problems (in CloudFormation's
 * words); returns how many. */
int cfn_quotas_check(const cfn_template *t, strbuf *problems);

#endif
