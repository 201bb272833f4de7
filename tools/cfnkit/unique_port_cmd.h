/* The `cfnkit unique-port` subcommand: Custom::UniquePort's table tools. */
#ifndef CFNKIT_TOOL_UNIQUE_PORT_CMD_H
#define CFNKIT_TOOL_UNIQUE_PORT_CMD_H

int unique_port_cmd(int argc, char **argv);

#endif
