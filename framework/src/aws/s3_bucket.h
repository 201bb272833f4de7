/* S3 bucket names: the documented naming rules, checked before a name
 * becomes part of a host or a path. */
#ifndef CFNKIT_AWS_S3_BUCKET_H
#define CFNKIT_AWS_S3_BUCKET_H

/* NULL when `name` has the shape of a general purpose or directory bucket
 * name (3 to 63 lowercase letters, digits, dots and hyphens, starting and
 * ending with a letter or digit, no two adjacent dots, not an IPv4 address);
 * otherwise a static string saying what is wrong. The reserved prefixes and
 * suffixes are not checked: access point aliases use some of them. */
const char *cfn__s3_bucket_problem(const char *name);

#endif
