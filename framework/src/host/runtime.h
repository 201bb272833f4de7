/* The Lambda Runtime API loop. */
#ifndef CFNKIT_HOST_RUNTIME_H
#define CFNKIT_HOST_RUNTIME_H

#include <stdbool.h>

/* Serves invocations from the Runtime API at `api` (host:port) until it goes
 * away. Returns the process exit code. */
int cfn__runtime_run(const char *api);

/* Catches SIGTERM (Lambda's shutdown, a kill): while a request is served its
 * handler is stopped and the request still answered FAILED within the grace
 * period; outside one (`serving` false) the process exits at once. */
void cfn__host_catch_term(void);
void cfn__host_serving(bool serving);

#endif
