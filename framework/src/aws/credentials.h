/* The credentials chain (environment, shared files, container) and the
 * shared config files it reads. */
#ifndef CFNKIT_AWS_CREDENTIALS_H
#define CFNKIT_AWS_CREDENTIALS_H

#include <stdint.h>

typedef struct aws_credentials {
    char *access_key;
    char *secret_key;
    char *token;
    int64_t expires; /* epoch ms; 0 when they do not expire */
    char source[96];
} aws_credentials;

/* Resolves credentials through the chain; CFN_ENOTFOUND names every source
 * tried. */
int cfn__creds_resolve(aws_credentials *out, int64_t deadline);
void cfn__creds_clear(aws_credentials *c);

/* The value of `key` in section `section` of an INI-style AWS file. */
char *cfn__profile_value(const char *path, const char *section, const char *key);
const char *cfn__profile_name(void);
char *cfn__config_path(const char *env, const char *file);

#endif
