/* `cfnkit graph`: a template's resource dependency graph. */
#ifndef CFNKIT_TOOL_GRAPH_CMD_H
#define CFNKIT_TOOL_GRAPH_CMD_H

int graph_cmd(int argc, char **argv);

#endif
