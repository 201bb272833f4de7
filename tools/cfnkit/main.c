/* The cfnkit tool: cfn_main with the built-in resource modules registered and
 * the tool's own commands added from one table. */
#include <cfnkit/cfnkit.h>

#include <stdio.h>

#include "aws_cmd.h"
#include "builtin.h"
#include "check_cmd.h"
#include "event_cmd.h"
#include "lambda_run.h"
#include "native_provider.h"
#include "package_cmd.h"
#include "stack_cmd.h"
#include "remote_cmd.h"
#include "unique_port_cmd.h"
#include "graph_cmd.h"
#include "validate_cmd.h"

/* The tool's commands: a new one is a file under tools/cfnkit/ and a line here. */
static const cfn_command commands[] = {
    {"aws", "call AWS with the modules' client (cfnkit aws --help)", aws_cmd},
    {"event", "print a request as CloudFormation sends it (cfnkit event --help)", event_cmd},
    {"lambda-run", "run a provider as a Lambda bootstrap, locally (cfnkit lambda-run --help)",
     lambda_run},
    {"check", "check a provider against CloudFormation's promises (cfnkit check --help)",
     check_cmd},
    {"unique-port", "Custom::UniquePort: import-seed (cfnkit unique-port --help)", unique_port_cmd},
    {"graph", "a template's resource dependency graph (cfnkit graph --help)", graph_cmd},
    {"validate-template", "check a template as CloudFormation does", validate_cmd},
    {"native-provider",
     "serve the native AWS:: types too (cfnkit native-provider invoke|types ...; used by deploy)",
     native_provider},
    {"package", "upload a folder or zip as a code object keyed by its hash (cfnkit package --help)",
     package_cmd},
    {"deploy", "create or update a stack against the local AWS (cfnkit deploy --help)",
     stack_deploy_cmd},
    {"delete-stack", "delete a stack (cfnkit delete-stack --help)", stack_delete_cmd},
    {"describe-stacks", "a stack, or every stack, as the AWS CLI prints it", stack_describe_cmd},
    {"describe-stack-resources", "a stack's resources", stack_resources_cmd},
    {"describe-stack-events", "a stack's events, newest first", stack_events_cmd},
    {"list-exports", "every stack's exports", stack_exports_cmd},
    {"cloudformation",
     "the stack commands through CloudFormation itself (cfnkit cloudformation --help)", remote_cmd},
};

int main(int argc, char **argv)
{
    for (const cfn_resource_type *const *t = cfnkit_builtin_types; *t; t++) {
        if (cfn_register(*t) < 0) {
            fprintf(stderr, "cfnkit: %s\n", cfn_error_last());
            return 2;
        }
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (cfn_command_add(&commands[i]) < 0) {
            fprintf(stderr, "cfnkit: %s\n", cfn_error_last());
            return 2;
        }
    }
    return cfn_main(argc, argv);
}
