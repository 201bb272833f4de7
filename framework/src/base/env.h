/* The standard AWS settings that more than one layer reads. */
#ifndef CFNKIT_BASE_ENV_H
#define CFNKIT_BASE_ENV_H

/* AWS_REGION, else AWS_DEFAULT_REGION, as the SDKs read them; NULL when
 * neither is set to something non-empty. Borrowed from the environment. */
const char *cfn__env_region(void);

#endif
