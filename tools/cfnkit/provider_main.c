/* cfnkit-provider: the Lambda bootstrap of cfnkit's provider. cfn_main with
 * the built-in Custom:: modules registered, and nothing else: none of the
 * tool's commands, no template engine, no libyaml. */
#include <cfnkit/cfnkit.h>

#include <stdio.h>

#include "builtin.h"

int main(int argc, char **argv)
{
    for (const cfn_resource_type *const *t = cfnkit_builtin_types; *t; t++) {
        if (cfn_register(*t) < 0) {
            fprintf(stderr, "cfnkit-provider: %s\n", cfn_error_last());
            return 2;
        }
    }
    return cfn_main(argc, argv);
}
