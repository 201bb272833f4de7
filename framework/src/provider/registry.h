/* The registered resource types, in registration order. */
#ifndef CFNKIT_PROVIDER_REGISTRY_H
#define CFNKIT_PROVIDER_REGISTRY_H

#include <stddef.h>
#include <cfnkit/resource.h>

size_t cfn__registry_count(void);
const cfn_resource_type *cfn__registry_at(size_t i);

#endif
