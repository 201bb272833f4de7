#include "native_provider.h"

#include <cfnkit/cfnkit.h>

#include <stdio.h>
#include <stdlib.h>

#include "builtin.h"

int native_provider(int argc, char **argv)
{
    for (const cfn_resource_type *const *const *service = cfnkit_native_types; *service;
         service++) {
        for (const cfn_resource_type *const *t = *service; *t; t++) {
            if (cfn_register(*t) < 0) {
                fprintf(stderr, "cfnkit native-provider: %s\n", cfn_error_last());
                return 2;
            }
        }
    }
    /* cfn_main reads argv[0] as the program and the rest as its command line:
     * "cfnkit native-provider invoke ..." serves like "cfnkit invoke ...". */
    char **args = calloc((size_t)argc + 2, sizeof *args);
    if (!args) {
        fprintf(stderr, "cfnkit native-provider: out of memory\n");
        return 2;
    }
    args[0] = "cfnkit native-provider";
    for (int i = 0; i < argc; i++)
        args[i + 1] = argv[i];
    int rc = cfn_main(argc + 1, args);
    free(args);
    return rc;
}
