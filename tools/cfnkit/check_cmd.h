/* `cfnkit check`: a provider driven through the lifecycle CloudFormation can
 * drive, against the AWS the standard settings name, reporting every broken
 * promise with the request that showed it. */
#ifndef CFNKIT_TOOL_CHECK_CMD_H
#define CFNKIT_TOOL_CHECK_CMD_H

int check_cmd(int argc, char **argv);

#endif
