/* The `cfnkit aws` subcommand. */
#ifndef CFNKIT_TOOL_AWS_CMD_H
#define CFNKIT_TOOL_AWS_CMD_H

#include <stdio.h>

int aws_cmd(int argc, char **argv);
void aws_cmd_usage(FILE *out);

#endif
