/* DynamoDB GetItem requests per second through the cfnkit AWS client, with
 * the connection kept alive or a new one per request.
 * Usage: bench_aws reuse|fresh REQUESTS TABLE KEY */
#include <cfnkit/cfnkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s reuse|fresh REQUESTS TABLE KEY\n", argv[0]);
        return 2;
    }
    int n = atoi(argv[2]);
    cfn_aws *aws;
    if (cfn_aws_new(&aws, NULL) < 0) {
        fprintf(stderr, "%s\n", cfn_error_last());
        return 1;
    }
    cfn_aws_set_reuse(aws, strcmp(argv[1], "reuse") == 0);
    cJSON *in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "TableName", argv[3]);
    cJSON *key = cJSON_AddObjectToObject(in, "Key");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(key, "k"), "S", argv[4]);
    double start = now();
    for (int i = 0; i < n; i++) {
        cJSON *out = NULL;
        if (cfn_dynamodb(aws, "GetItem", in, &out) < 0) {
            fprintf(stderr, "request %d: %s\n", i, cfn_error_last());
            return 1;
        }
        cJSON_Delete(out);
    }
    double secs = now() - start;
    printf("{\"mode\": \"%s\", \"requests\": %d, \"seconds\": %.3f, \"requests_per_s\": %.1f}\n",
           argv[1], n, secs, n / secs);
    cJSON_Delete(in);
    cfn_aws_free(aws);
    return 0;
}
