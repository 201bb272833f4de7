/* Fn::ForEach of the AWS::LanguageExtensions transform, expanded in place
 * before anything else reads the template (UserGuide/intrinsic-function-
 * reference-foreach.html). */
#ifndef CFNKIT_ENGINE_FOREACH_H
#define CFNKIT_ENGINE_FOREACH_H

#include "template.h"

/* Replaces every Fn::ForEach::Name member of Resources, Conditions and
 * Outputs, and of any map inside a resource's Properties, by the members it
 * generates. The collection is a list, or a Ref to
 * a list parameter (its Default). CFN_EINVAL naming the place on a malformed
 * loop. */
int cfn__foreach_expand(cfn_template *t);

#endif
