/* The standard AWS settings read in one place. */
#include "env.h"

#include <stdlib.h>

const char *cfn__env_region(void)
{
    const char *r = getenv("AWS_REGION");
    if (!r || !*r)
        r = getenv("AWS_DEFAULT_REGION");
    return r && *r ? r : NULL;
}
