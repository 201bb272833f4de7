/* The cfnkit tool: cfn_main with the built-in resource modules registered,
 * plus the tool's own commands (aws). */
#include <cfnkit/cfnkit.h>

#include <stdio.h>
#include <string.h>

#include "aws_cmd.h"
#include "builtin.h"

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "aws") == 0)
        return aws_cmd(argc - 2, argv + 2);
    for (const cfn_resource_type *const *t = cfnkit_builtin_types; *t; t++) {
        if (cfn_register(*t) < 0) {
            fprintf(stderr, "cfnkit: %s\n", cfn_error_last());
            return 2;
        }
    }
    int rc = cfn_main(argc, argv);
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
                     strcmp(argv[1], "help") == 0)) {
        printf("\nCommands of the cfnkit tool:\n  aws        call AWS with the modules' client "
               "(cfnkit aws --help)\n");
    }
    return rc;
}
