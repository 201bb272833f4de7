/* The Lambda Runtime API loop. */
#ifndef CFNKIT_HOST_RUNTIME_H
#define CFNKIT_HOST_RUNTIME_H

/* Serves invocations from the Runtime API at `api` (host:port) until it goes
 * away. Returns the process exit code. */
int cfn__runtime_run(const char *api);

#endif
