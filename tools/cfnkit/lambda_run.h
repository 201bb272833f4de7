/* `cfnkit lambda-run`: a provider run as a Lambda bootstrap under a local
 * Runtime API. */
#ifndef CFNKIT_TOOL_LAMBDA_RUN_H
#define CFNKIT_TOOL_LAMBDA_RUN_H

int lambda_run(int argc, char **argv);

#endif
