/* The native AWS::S3:: types, as the build lists them, and S3's bucket
 * naming rules. */
#include "s3.h"

#include <string.h>

const cfn_resource_type *const cfnkit_native_s3[] = {
    &native_s3_bucket,
    &native_s3_bucket_policy,
    NULL,
};

const char *s3_bucket_name_problem(const char *name)
{
    size_t n = strlen(name);
    if (n < 3 || n > 63)
        return "not 3 to 63 characters long";
    if (strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789.-") != n)
        return "characters other than lowercase letters, digits, dots and hyphens";
    if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789", name[0]) ||
        !strchr("abcdefghijklmnopqrstuvwxyz0123456789", name[n - 1]))
        return "does not start and end with a letter or digit";
    if (strstr(name, ".."))
        return "two adjacent dots";
    return NULL;
}
