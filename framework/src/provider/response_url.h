/* Where a response may go: the ResponseURLs CloudFormation sends, and the
 * hosts CFNKIT_RESPONSE_URL_ALLOW names. */
#ifndef CFNKIT_PROVIDER_RESPONSE_URL_H
#define CFNKIT_PROVIDER_RESPONSE_URL_H

/* Returns 0 when `url` may receive a response: an https URL of an S3 host
 * under the AWS domains (amazonaws.com, amazonaws.com.cn) on the default
 * port, or an http(s) URL whose host (or host:port) is listed in the
 * comma-separated CFNKIT_RESPONSE_URL_ALLOW. Refuses userinfo, backslashes,
 * control characters and host forms that name an address in a roundabout way
 * (decimal, octal or hex numbers, trailing dots, percent-encoding), and any URL
 * libcurl would read as another host. Otherwise CFN_EINVAL with the reason in
 * cfn_error_last. Looks at nothing but the string and the environment. */
int cfn__response_url_check(const char *url);

#endif
