/* The registry of resource types, filled by the program before cfn_main. */
#include "registry.h"

#include <cfnkit/error.h>

#include <string.h>

#define MAX_TYPES 128

static const cfn_resource_type *types[MAX_TYPES];
static size_t ntypes;

int cfn_register(const cfn_resource_type *type)
{
    if (!type || !type->type || !*type->type)
        return cfn_error_set(CFN_EINVAL, "cfn_register: the descriptor has no type name");
    if (!type->create || !type->remove)
        return cfn_error_set(CFN_EINVAL, "cfn_register: %s needs create and remove callbacks",
                             type->type);
    if (type->version > CFN_RESOURCE_TYPE_VERSION)
        return cfn_error_set(CFN_EINVAL,
                             "cfn_register: %s has descriptor version %u; this cfnkit reads up "
                             "to %d",
                             type->type, type->version, CFN_RESOURCE_TYPE_VERSION);
    if (cfn_lookup(type->type))
        return cfn_error_set(CFN_EEXISTS, "cfn_register: %s is already registered", type->type);
    if (ntypes == MAX_TYPES)
        return cfn_error_set(CFN_EINVAL, "cfn_register: more than %d types", MAX_TYPES);
    types[ntypes++] = type;
    return 0;
}

const cfn_resource_type *cfn_lookup(const char *name)
{
    for (size_t i = 0; name && i < ntypes; i++)
        if (strcmp(types[i]->type, name) == 0)
            return types[i];
    return NULL;
}

size_t cfn__registry_count(void)
{
    return ntypes;
}

const cfn_resource_type *cfn__registry_at(size_t i)
{
    return i < ntypes ? types[i] : NULL;
}

static bool listed(const char *const *names, const char *name)
{
    for (size_t i = 0; names && name && names[i]; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

bool cfn_type_replaces(const cfn_resource_type *type, const char *property)
{
    return type && type->version >= 1 && listed(type->replaces, property);
}

bool cfn_type_replaces_conditionally(const cfn_resource_type *type, const char *property)
{
    return type && type->version >= 2 && listed(type->replaces_conditional, property);
}

bool cfn_type_has_attribute(const cfn_resource_type *type, const char *attribute)
{
    return type && type->version >= 1 && listed(type->attributes, attribute);
}
