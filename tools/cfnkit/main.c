/* The cfnkit tool: cfn_main with the built-in resource modules registered. */
#include <cfnkit/cfnkit.h>

#include <stdio.h>

#include "builtin.h"

int main(int argc, char **argv)
{
    for (const cfn_resource_type *const *t = cfnkit_builtin_types; *t; t++) {
        if (cfn_register(*t) < 0) {
            fprintf(stderr, "cfnkit: %s\n", cfn_error_last());
            return 2;
        }
    }
    return cfn_main(argc, argv);
}
