/* Fuzzes SigV4 canonicalisation with hostile paths, queries and headers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sigv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* path \0 query \0 header value; the three NULs after the copy make
     * every part a string inside the buffer. */
    char *copy = malloc(size + 3);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = copy[size + 1] = copy[size + 2] = '\0';
    const char *path = copy;
    const char *query = path + strlen(path) + 1;
    const char *value = query <= copy + size ? query + strlen(query) + 1 : query;
    if (value > copy + size + 2)
        value = copy + size + 2;
    sigv4_creds creds = {"AKID", "secret", "token"};
    sigv4_params params = {.region = "us-east-1",
                           .service = "service",
                           .when = 1440938160,
                           .normalize = size % 2,
                           .double_encode = size % 3 != 0,
                           .expires = 60};
    http_header h[] = {{"Host", "example.amazonaws.com"}, {"X-Fuzz", value}};
    sigv4_request req = {"GET", path, query, h, 2, NULL};
    sigv4_result r;
    if (cfn__sigv4_sign_headers(&creds, &params, &req, &r) == 0)
        cfn__sigv4_result_free(&r);
    if (cfn__sigv4_sign_query(&creds, &params, &req, &r) == 0)
        cfn__sigv4_result_free(&r);
    free(copy);
    return 0;
}
