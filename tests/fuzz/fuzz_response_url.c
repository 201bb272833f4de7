/* Fuzzes the ResponseURL policy: whatever it accepts, libcurl must read as an
 * https S3 host of AWS on port 443, or as the one listed host, without
 * userinfo. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "response_url.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcmp(s + n - m, suffix) == 0;
}

static void check_accepted(const char *url)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *user = NULL;
    if (!u)
        return;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK)
        abort(); /* accepted, yet libcurl cannot read it */
    if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK)
        abort(); /* userinfo got through */
    for (char *p = host; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    int listed = strcmp(host, "127.0.0.1") == 0;
    int aws = strcmp(scheme, "https") == 0 && strcmp(port, "443") == 0 &&
              (ends_with(host, ".amazonaws.com") || ends_with(host, ".amazonaws.com.cn"));
    if (!listed && !aws)
        abort(); /* accepted a host outside the policy */
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(user);
    curl_url_cleanup(u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *url = malloc(size + 1);
    if (!url)
        return 0;
    memcpy(url, data, size);
    url[size] = '\0';
    setenv("CFNKIT_RESPONSE_URL_ALLOW", "127.0.0.1", 1);
    if (cfn__response_url_check(url) == 0)
        check_accepted(url);
    free(url);
    return 0;
}
