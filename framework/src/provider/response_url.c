/* The ResponseURL policy: CloudFormation's S3 hosts by default, any other
 * host only when CFNKIT_RESPONSE_URL_ALLOW names it. */
#include "response_url.h"

#include "http.h"
#include "s3_bucket.h"

#include <cfnkit/error.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_URL_BYTES 16384

typedef struct url_parts {
    bool https;
    bool ipv6;
    char host[256]; /* lowercase; an IPv6 address without its brackets */
    long port;      /* the scheme's default when the URL gives none */
    bool port_given;
} url_parts;

static int refuse(const char *why)
{
    return cfn_error_set(CFN_EINVAL, "ResponseURL refused: %s", why);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f');
}

/* A dotted quad as written by inet_ntop: four decimal numbers 0-255 without
 * leading zeros. */
static bool canonical_ipv4(const char *h)
{
    for (int i = 0; i < 4; i++) {
        size_t n = 0;
        int v = 0;
        while (is_digit(h[n]) && n < 4)
            v = v * 10 + (h[n++] - '0');
        if (n == 0 || n > 3 || v > 255 || (n > 1 && h[0] == '0'))
            return false;
        h += n;
        if (i < 3 && *h++ != '.')
            return false;
    }
    return *h == '\0';
}

/* A name of letters, digits and hyphens in non-empty labels; when its last
 * label reads as a number (decimal, 0x hex, octal), resolvers take the whole
 * host as an IPv4 address in some form, so only the plain dotted quad is
 * accepted. */
static int check_name(const char *h)
{
    size_t n = strlen(h);
    if (n == 0)
        return refuse("the URL has no host");
    if (h[n - 1] == '.')
        return refuse("the host ends with a dot");
    const char *label = h;
    for (const char *p = h;; p++) {
        if (*p == '.' || *p == '\0') {
            if (p == label)
                return refuse("the host has an empty label");
            if (p - label > 63)
                return refuse("a label of the host is longer than 63 characters");
            if (*p == '\0')
                break;
            label = p + 1;
        } else if (*p == '%') {
            return refuse("the host is percent-encoded");
        } else if (!is_digit(*p) && !(*p >= 'a' && *p <= 'z') && *p != '-') {
            return refuse("the host has characters other than letters, digits, dots and hyphens");
        }
    }
    bool numeric = true;
    const char *last = label;
    if (last[0] == '0' && last[1] == 'x')
        last += 2;
    for (const char *p = last; *p; p++)
        if (!(last != label ? is_hex(*p) : is_digit(*p)))
            numeric = false;
    if (numeric && !canonical_ipv4(h))
        return refuse("the host is a number that is not a plain dotted IPv4 address");
    return 0;
}

static int parse_port(const char *s, size_t n, url_parts *u)
{
    if (n == 0 || n > 5 || (n > 1 && s[0] == '0'))
        return refuse("the port is not a number from 1 to 65535");
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return refuse("the port is not a number from 1 to 65535");
        v = v * 10 + (s[i] - '0');
    }
    if (v < 1 || v > 65535)
        return refuse("the port is not a number from 1 to 65535");
    u->port = v;
    u->port_given = true;
    return 0;
}

static int split(const char *url, url_parts *u)
{
    memset(u, 0, sizeof(*u));
    if (strlen(url) > MAX_URL_BYTES)
        return refuse("longer than 16384 bytes");
    for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
        if (*p <= 0x20 || *p == 0x7f)
            return refuse("it contains a space or a control character");
        if (*p == '\\')
            return refuse("it contains a backslash");
    }
    const char *auth;
    if (strncmp(url, "https://", 8) == 0)
        u->https = true, auth = url + 8;
    else if (strncmp(url, "http://", 7) == 0)
        auth = url + 7;
    else
        return refuse("not an http(s) URL");
    u->port = u->https ? 443 : 80;
    size_t alen = strcspn(auth, "/?#");
    if (memchr(auth, '@', alen))
        return refuse("it carries user information");
    const char *host = auth, *port = NULL;
    size_t hlen;
    if (alen && auth[0] == '[') {
        const char *close = memchr(auth, ']', alen);
        if (!close)
            return refuse("an unclosed IPv6 bracket");
        host = auth + 1;
        hlen = (size_t)(close - host);
        u->ipv6 = true;
        if (close + 1 < auth + alen) {
            if (close[1] != ':')
                return refuse("characters after the IPv6 address");
            port = close + 2;
        }
    } else {
        const char *colon = memchr(auth, ':', alen);
        hlen = colon ? (size_t)(colon - auth) : alen;
        port = colon ? colon + 1 : NULL;
    }
    if (hlen == 0)
        return refuse("the URL has no host");
    if (hlen >= sizeof(u->host))
        return refuse("the host is longer than 255 characters");
    for (size_t i = 0; i < hlen; i++) {
        char c = host[i];
        u->host[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    if (port && parse_port(port, (size_t)(auth + alen - port), u) < 0)
        return CFN_EINVAL;
    if (u->ipv6) {
        for (size_t i = 0; i < hlen; i++)
            if (!is_hex(u->host[i]) && u->host[i] != ':' && u->host[i] != '.')
                return refuse("the IPv6 address has other characters than hex digits, : and .");
        return 0;
    }
    return check_name(u->host);
}

/* libcurl parses URLs on its own: a request goes only where our reading and
 * libcurl's agree. */
static int same_as_curl(const char *url, const url_parts *u)
{
    char host[256];
    long port;
    if (cfn__http_url_target(url, host, sizeof(host), &port) < 0)
        return refuse("libcurl does not accept it");
    if (strcasecmp(host, u->host) != 0 || port != u->port)
        return refuse("libcurl reads another host or port in it");
    return 0;
}

/* "s3.REGION" and the legacy "s3-REGION": letters first, a number last. */
static bool region(const char *s)
{
    size_t n = strlen(s);
    if (n < 4 || n > 32 || !(s[0] >= 'a' && s[0] <= 'z') || !(s[1] >= 'a' && s[1] <= 'z'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]) && !(s[i] >= 'a' && s[i] <= 'z') && s[i] != '-')
            return false;
    size_t d = n;
    while (d > 0 && is_digit(s[d - 1]))
        d--;
    return d < n && d > 0 && s[d - 1] == '-';
}

/* The S3 endpoints of a partition, without its domain: s3, s3.REGION,
 * s3-REGION (legacy, also s3-external-1), s3.dualstack.REGION,
 * s3-fips.REGION, s3-fips.dualstack.REGION. */
static bool s3_endpoint(const char *e)
{
    static const char *const prefixes[] = {"s3-fips.dualstack.", "s3-fips.", "s3.dualstack.", "s3.",
                                           "s3-"};
    if (strcmp(e, "s3") == 0)
        return true;
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(e, prefixes[i], n) == 0)
            return region(e + n);
    }
    return false;
}

/* An S3 endpoint of the aws, aws-us-gov or aws-cn partition, path-style or
 * with a bucket in front (virtual-hosted style). */
static bool s3_host(const char *host)
{
    static const char *const domains[] = {".amazonaws.com", ".amazonaws.com.cn"};
    char rest[256];
    for (size_t d = 0; d < sizeof(domains) / sizeof(domains[0]); d++) {
        size_t hn = strlen(host), dn = strlen(domains[d]);
        if (hn <= dn || strcmp(host + hn - dn, domains[d]) != 0)
            continue;
        memcpy(rest, host, hn - dn);
        rest[hn - dn] = '\0';
        if (s3_endpoint(rest))
            return true;
        for (char *dot = strchr(rest, '.'); dot; dot = strchr(dot + 1, '.')) {
            if (!s3_endpoint(dot + 1))
                continue;
            *dot = '\0';
            bool ok = cfn__s3_bucket_problem(rest) == NULL;
            *dot = '.';
            if (ok)
                return true;
        }
    }
    return false;
}

/* Entries are "host", "host:port", "[v6]" or "[v6]:port"; a bare IPv6
 * address (more than one colon) has no port. */
static bool entry_matches(const char *e, size_t n, const url_parts *u)
{
    const char *host = e, *port = NULL;
    size_t hlen = n;
    if (n && e[0] == '[') {
        const char *close = memchr(e, ']', n);
        if (!close)
            return false;
        host = e + 1;
        hlen = (size_t)(close - host);
        if (close + 1 < e + n) {
            if (close[1] != ':')
                return false;
            port = close + 2;
        }
    } else {
        const char *colon = memchr(e, ':', n);
        if (colon && !memchr(colon + 1, ':', (size_t)(e + n - colon - 1))) {
            hlen = (size_t)(colon - e);
            port = colon + 1;
        }
    }
    if (hlen != strlen(u->host) || strncasecmp(host, u->host, hlen) != 0)
        return false;
    if (!port)
        return true;
    size_t plen = (size_t)(e + n - port);
    char want[8];
    snprintf(want, sizeof(want), "%ld", u->port);
    return plen == strlen(want) && memcmp(port, want, plen) == 0;
}

static bool listed(const url_parts *u)
{
    const char *list = getenv("CFNKIT_RESPONSE_URL_ALLOW");
    while (list && *list) {
        size_t n = strcspn(list, ",");
        const char *e = list;
        size_t len = n;
        while (len && (*e == ' ' || *e == '\t'))
            e++, len--;
        while (len && (e[len - 1] == ' ' || e[len - 1] == '\t'))
            len--;
        if (len && entry_matches(e, len, u))
            return true;
        list += n + (list[n] == ',');
    }
    return false;
}

int cfn__response_url_check(const char *url)
{
    url_parts u;
    int rc;
    if (!url)
        return refuse("none given");
    if ((rc = split(url, &u)) < 0 || (rc = same_as_curl(url, &u)) < 0)
        return rc;
    if (listed(&u))
        return 0;
    if (u.https && u.port == 443 && !u.ipv6 && s3_host(u.host))
        return 0;
    return cfn_error_set(CFN_EINVAL,
                         "ResponseURL refused: %s%s%s:%ld is not an https S3 host of AWS "
                         "(list it in CFNKIT_RESPONSE_URL_ALLOW to allow it)",
                         u.ipv6 ? "[" : "", u.host, u.ipv6 ? "]" : "", u.port);
}
