/* `cfnkit validate-template`: checks a template as CloudFormation would. */
#ifndef CFNKIT_TOOL_VALIDATE_CMD_H
#define CFNKIT_TOOL_VALIDATE_CMD_H

int validate_cmd(int argc, char **argv);

#endif
