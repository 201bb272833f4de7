/* `cfnkit cloudformation ...`: the stack commands with CloudFormation itself
 * as the engine. */
#ifndef CFNKIT_TOOL_REMOTE_CMD_H
#define CFNKIT_TOOL_REMOTE_CMD_H

int remote_cmd(int argc, char **argv);

#endif
