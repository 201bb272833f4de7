/* Writes a .env into a zip archive in place, as Custom::LambdaFunction does
 * with the downloaded package. Usage: bench_envzip ARCHIVE NAME=VALUE... */
#include <stdio.h>
#include <string.h>

#include "envzip.h"

int main(int argc, char **argv)
{
    char why[512];
    if (argc < 2) {
        fprintf(stderr, "usage: %s ARCHIVE NAME=VALUE...\n", argv[0]);
        return 2;
    }
    cJSON *env = cJSON_CreateObject();
    for (int i = 2; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq)
            continue;
        *eq = '\0';
        cJSON_AddStringToObject(env, argv[i], eq + 1);
    }
    int rc = envzip_apply(argv[1], ".env", env, why, sizeof(why));
    cJSON_Delete(env);
    if (rc < 0) {
        fprintf(stderr, "%s\n", why);
        return 1;
    }
    return 0;
}
