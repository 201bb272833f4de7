/* The stack commands: deploy, delete-stack, describe-stacks,
 * describe-stack-resources, describe-stack-events, list-exports. */
#ifndef CFNKIT_TOOL_STACK_CMD_H
#define CFNKIT_TOOL_STACK_CMD_H

int stack_deploy_cmd(int argc, char **argv);
int stack_delete_cmd(int argc, char **argv);
int stack_describe_cmd(int argc, char **argv);
int stack_resources_cmd(int argc, char **argv);
int stack_events_cmd(int argc, char **argv);
int stack_exports_cmd(int argc, char **argv);

#endif
