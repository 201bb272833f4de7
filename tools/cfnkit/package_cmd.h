/* `cfnkit package`: a folder or zip uploaded as a code object under a key
 * with its content hash. */
#ifndef CFNKIT_TOOL_PACKAGE_CMD_H
#define CFNKIT_TOOL_PACKAGE_CMD_H

int package_cmd(int argc, char **argv);

#endif
