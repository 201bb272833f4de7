/* `cfnkit cloudformation ...`: the stack commands with CloudFormation itself
 * as the engine. */
#ifndef CFNKIT_TOOL_REMOTE_CMD_H
#define CFNKIT_TOOL_REMOTE_CMD_H

int remote_cmd(int argc, char **argv);

/* One stack command ("deploy", "delete-stack", "describe-stacks",
 * "describe-stack-resources", "describe-stack-events", "list-exports") with
 * its options after the command name: what `cfnkit deploy ... --engine
 * cloudformation` runs once the engine option is taken out. The local
 * engine's own options (--provider, --max-concurrency, --service-timeout)
 * are refused as such. Returns the exit status. */
int remote_cmd_run(const char *cmd, int argc, char **argv);

#endif
