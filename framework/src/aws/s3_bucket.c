/* S3 bucket name rules, so that no bucket given as a property can reach
 * another host or another path. */
#include "s3_bucket.h"

#include <string.h>

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z');
}

/* Four dot-separated groups of digits: S3 refuses such names whatever the
 * values, so the check needs no range. */
static int ipv4_shaped(const char *s)
{
    int groups = 0;
    while (*s) {
        if (!is_digit(*s))
            return 0;
        while (is_digit(*s))
            s++;
        groups++;
        if (*s == '.')
            s++;
        else if (*s)
            return 0;
    }
    return groups == 4;
}

const char *cfn__s3_bucket_problem(const char *name)
{
    if (!name || !*name)
        return "empty";
    size_t n = strlen(name);
    if (n < 3 || n > 63)
        return "not 3 to 63 characters long";
    for (size_t i = 0; i < n; i++)
        if (!is_alnum(name[i]) && name[i] != '.' && name[i] != '-')
            return "characters other than lowercase letters, digits, dots and hyphens";
    if (!is_alnum(name[0]) || !is_alnum(name[n - 1]))
        return "does not start and end with a letter or digit";
    if (strstr(name, ".."))
        return "two adjacent dots";
    if (ipv4_shaped(name))
        return "formatted as an IP address";
    return NULL;
}
