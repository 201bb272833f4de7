/* Writes a .env into an S3 code object as Custom::LambdaFunction does, by one
 * path, and prints what it moved. Usage: bench_envcopy remote|local BUCKET
 * KEY NAME=VALUE... (AWS settings from the environment). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "env_remote.h"
#include "envzip.h"

/* Today's local rewrite: download, rewrite with libzip, upload. */
static int local(cfn_aws *aws, const char *bucket, const char *key, const cJSON *env)
{
    char tmp[] = "/tmp/bench_envcopy-XXXXXX", res[] = "/tmp/bench_envcopy-out-XXXXXX";
    char why[512], hash[65], out[1200];
    long long in_size = 0, size = 0;
    int in = mkstemp(tmp), outfd = mkstemp(res), rc = -1;
    if (in < 0 || outfd < 0)
        goto done;
    rc = cfn_s3_get_object_to_file(aws, bucket, key, NULL, tmp);
    if (rc == 0 && cfn_sha256_file(tmp, hash, &in_size) < 0)
        rc = -1;
    if (rc == 0 && envzip_apply(in, outfd, ".env", env, why, sizeof(why)) < 0) {
        fprintf(stderr, "%s\n", why);
        rc = -1;
    }
    if (rc == 0)
        rc = cfn_sha256_file(res, hash, &size);
    snprintf(out, sizeof(out), "%s-local-%.16s.zip", key, hash);
    if (rc == 0)
        rc = cfn_s3_put_object_from_file(aws, bucket, out, res, "application/zip", hash, NULL);
    if (rc < 0)
        fprintf(stderr, "%s\n", cfn_error_last());
    else
        printf("{\"key\":\"%s\",\"bytes_read\":%lld,\"bytes_sent\":%lld,\"bytes_copied\":0,"
               "\"requests\":2}\n",
               out, in_size, size);
done:
    if (in >= 0) {
        close(in);
        unlink(tmp);
    }
    if (outfd >= 0) {
        close(outfd);
        unlink(res);
    }
    return rc;
}

static int remote(cfn_aws *aws, const char *bucket, const char *key, const cJSON *env)
{
    char why[512], out[1200];
    bool uploaded;
    env_remote_stats st;
    const env_remote_spec s = {bucket, key, NULL, ".env", env, bucket, "built/"};
    if (env_remote_apply(aws, &s, 0, out, sizeof(out), &uploaded, &st, why, sizeof(why)) != 0) {
        fprintf(stderr, "%s\n", why);
        return -1;
    }
    printf("{\"key\":\"%s\",\"bytes_read\":%lld,\"bytes_sent\":%lld,\"bytes_copied\":%lld,"
           "\"parts\":%d,\"copy_parts\":%d,\"requests\":%d,\"uploaded\":%s}\n",
           out, st.bytes_read, st.bytes_sent, st.bytes_copied, st.parts, st.copy_parts, st.requests,
           uploaded ? "true" : "false");
    return 0;
}

int main(int argc, char **argv)
{
    cfn_aws *aws;
    if (argc < 4 || (strcmp(argv[1], "remote") != 0 && strcmp(argv[1], "local") != 0)) {
        fprintf(stderr, "usage: %s remote|local BUCKET KEY NAME=VALUE...\n", argv[0]);
        return 2;
    }
    if (cfn_aws_new(&aws, NULL) < 0) {
        fprintf(stderr, "%s\n", cfn_error_last());
        return 1;
    }
    /* As in the provider, calls are bounded by a deadline (here 15 minutes)
     * rather than by the client's 60 s default: moto copies slowly. */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    cfn_aws_set_deadline(aws, (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 + 900000);
    cJSON *env = cJSON_CreateObject();
    for (int i = 4; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq)
            continue;
        *eq = '\0';
        cJSON_AddStringToObject(env, argv[i], eq + 1);
    }
    int rc = strcmp(argv[1], "remote") == 0 ? remote(aws, argv[2], argv[3], env)
                                            : local(aws, argv[2], argv[3], env);
    cJSON_Delete(env);
    cfn_aws_free(aws);
    return rc < 0 ? 1 : 0;
}
