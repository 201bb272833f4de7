/* Writes a .env into a zip archive, as Custom::LambdaFunction does with the
 * downloaded package. Usage: bench_envzip ARCHIVE OUTPUT NAME=VALUE... */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "envzip.h"

int main(int argc, char **argv)
{
    char why[512];
    if (argc < 3) {
        fprintf(stderr, "usage: %s ARCHIVE OUTPUT NAME=VALUE...\n", argv[0]);
        return 2;
    }
    int in = open(argv[1], O_RDONLY), out = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0) {
        perror("bench_envzip");
        return 2;
    }
    cJSON *env = cJSON_CreateObject();
    for (int i = 3; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq)
            continue;
        *eq = '\0';
        cJSON_AddStringToObject(env, argv[i], eq + 1);
    }
    int rc = envzip_apply(in, out, ".env", env, why, sizeof(why));
    cJSON_Delete(env);
    close(in);
    close(out);
    if (rc < 0) {
        fprintf(stderr, "%s\n", why);
        return 1;
    }
    return 0;
}
