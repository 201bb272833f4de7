/* Where a response may go: CloudFormation's S3 hosts by default, hosts named
 * in CFNKIT_RESPONSE_URL_ALLOW, and URL forms refused whatever the list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "response_url.h"

#include <cfnkit/cfnkit.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void check_all(const char *const *urls, size_t n, int want)
{
    for (size_t i = 0; i < n; i++) {
        int rc = cfn__response_url_check(urls[i]);
        if (rc != want)
            fail_msg("%s: expected %d, got %d (%s)", urls[i], want, rc, cfn_error_last());
    }
}

static void s3_hosts_of_aws_are_accepted(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/"
        "arn%3Aaws%3Acloudformation%3Aus-east-1%3A1%3Astack/s/1%7CRes%7Creq?X-Amz-Signature=x",
        "https://cloudformation-custom-resource-response-uswest2.s3-us-west-2.amazonaws.com/k?a=b",
        "https://cloudformation-custom-resource-response-apsoutheast2.s3.ap-southeast-2."
        "amazonaws.com/k",
        "https://s3.amazonaws.com/bucket/key",
        "https://s3.eu-west-1.amazonaws.com/bucket/key",
        "https://s3-external-1.amazonaws.com/bucket/key",
        "https://bucket.s3.dualstack.us-east-1.amazonaws.com/key",
        "https://bucket.s3-fips.us-gov-west-1.amazonaws.com/key",
        "https://bucket.s3-fips.dualstack.us-east-2.amazonaws.com/key",
        "https://bucket.s3.cn-north-1.amazonaws.com.cn/key",
        "https://s3.cn-northwest-1.amazonaws.com.cn/bucket/key",
        "https://Bucket-1.S3.Amazonaws.COM/key",
        "https://my.dotted.bucket.s3.us-east-1.amazonaws.com/key",
        "https://s3.amazonaws.com:443/bucket/key",
        "https://bucket.s3.amazonaws.com",
    };
    unsetenv("CFNKIT_RESPONSE_URL_ALLOW");
    check_all(ok, COUNT(ok), 0);
}

static void other_hosts_are_refused_by_default(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "http://bucket.s3.amazonaws.com/key",
        "https://bucket.s3.amazonaws.com:8443/key",
        "https://169.254.169.254/latest/meta-data/",
        "http://169.254.170.2/v2/credentials/x",
        "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next",
        "https://localhost/r",
        "https://s3.amazonaws.com.evil.example/x",
        "https://evil.example/s3.amazonaws.com",
        "https://evil.example?.s3.amazonaws.com/",
        "https://evil.example#.s3.amazonaws.com/",
        "https://amazonaws.com/x",
        "https://ec2.us-east-1.amazonaws.com/",
        "https://s3.amazonaws.com.cn.evil.example/",
        "https://s3.notaregion.amazonaws.com/b",
        "https://bucket.s3.us-east-1.amazonaws.com.example/k",
        "https://ab.s3.amazonaws.com/k",
        "https://-bucket.s3.amazonaws.com/k",
        "https://10.0.0.1.s3.amazonaws.com/k",
        "https://[::1]/r",
    };
    unsetenv("CFNKIT_RESPONSE_URL_ALLOW");
    check_all(bad, COUNT(bad), CFN_EINVAL);
    assert_int_equal(cfn__response_url_check("https://169.254.169.254/x?X-Amz-Signature=SECRET"),
                     CFN_EINVAL);
    assert_non_null(strstr(cfn_error_last(), "169.254.169.254:443"));
    assert_non_null(strstr(cfn_error_last(), "CFNKIT_RESPONSE_URL_ALLOW"));
    assert_null(strstr(cfn_error_last(), "SECRET"));
}

static void odd_forms_are_refused_even_when_listed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "http://user:password@127.0.0.1/r",
        "http://user@127.0.0.1/r",
        "https://x@bucket.s3.amazonaws.com/k",
        "http://127.0.0.1\\@bucket.s3.amazonaws.com/r",
        "https://bucket.s3.amazonaws.com\\@127.0.0.1/r",
        "http://127.0.0.1/a\\b",
        "http://2130706433/r",
        "http://0x7f000001/r",
        "http://0x7f.0.0.1/r",
        "http://0177.0.0.1/r",
        "http://127.1/r",
        "http://127.0.0.01/r",
        "http://127.0.0.1./r",
        "https://bucket.s3.amazonaws.com./k",
        "http://127.0.0.%31/r",
        "http://%31%32%37.0.0.1/r",
        "http://127..0.0.1/r",
        "http://127.0.0.1:0/r",
        "http://127.0.0.1:99999/r",
        "http://127.0.0.1:/r",
        "http://127.0.0.1:08/r",
        "http://127.0.0.1:8a/r",
        "http://[::1/r",
        "http://[::1]x/r",
        "http://[::1%25lo]/r",
        "http://127.0.0.1/a b",
        "http://127.0.0.1/\t",
        "ftp://127.0.0.1/r",
        "HTTP://127.0.0.1/r",
        "http://",
        "http:///r",
        "",
    };
    setenv("CFNKIT_RESPONSE_URL_ALLOW", "127.0.0.1,::1,2130706433,127.1,bucket.s3.amazonaws.com",
           1);
    check_all(bad, COUNT(bad), CFN_EINVAL);
    assert_int_equal(cfn__response_url_check("http://u:SECRET@127.0.0.1/r"), CFN_EINVAL);
    assert_null(strstr(cfn_error_last(), "SECRET"));
    assert_int_equal(cfn__response_url_check(NULL), CFN_EINVAL);
}

static void listed_hosts_are_accepted(void **state)
{
    (void)state;
    setenv("CFNKIT_RESPONSE_URL_ALLOW", "127.0.0.1", 1);
    assert_int_equal(cfn__response_url_check("http://127.0.0.1:9/r?X-Amz-Signature=s"), 0);
    assert_int_equal(cfn__response_url_check("https://127.0.0.1/r"), 0);
    assert_int_equal(cfn__response_url_check("http://127.0.0.2/r"), CFN_EINVAL);
    assert_int_equal(cfn__response_url_check("http://localhost/r"), CFN_EINVAL);
    /* The list adds hosts; CloudFormation's stay accepted. */
    assert_int_equal(cfn__response_url_check("https://b12.s3.amazonaws.com/k"), 0);

    setenv("CFNKIT_RESPONSE_URL_ALLOW", " localhost , 127.0.0.1:8080,,[::1]:9000, fd00::5 ", 1);
    assert_int_equal(cfn__response_url_check("http://LOCALHOST:5/r"), 0);
    assert_int_equal(cfn__response_url_check("http://127.0.0.1:8080/r"), 0);
    assert_int_equal(cfn__response_url_check("http://127.0.0.1:8081/r"), CFN_EINVAL);
    assert_int_equal(cfn__response_url_check("http://127.0.0.1/r"), CFN_EINVAL);
    assert_int_equal(cfn__response_url_check("http://[::1]:9000/r"), 0);
    assert_int_equal(cfn__response_url_check("http://[::1]:9001/r"), CFN_EINVAL);
    assert_int_equal(cfn__response_url_check("http://[fd00::5]:1/r"), 0);

    setenv("CFNKIT_RESPONSE_URL_ALLOW", "127.0.0.1:80", 1);
    assert_int_equal(cfn__response_url_check("http://127.0.0.1/r"), 0);
    assert_int_equal(cfn__response_url_check("https://127.0.0.1/r"), CFN_EINVAL);

    setenv("CFNKIT_RESPONSE_URL_ALLOW", "", 1);
    assert_int_equal(cfn__response_url_check("http://127.0.0.1/r"), CFN_EINVAL);
    unsetenv("CFNKIT_RESPONSE_URL_ALLOW");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(s3_hosts_of_aws_are_accepted),
        cmocka_unit_test(other_hosts_are_refused_by_default),
        cmocka_unit_test(odd_forms_are_refused_even_when_listed),
        cmocka_unit_test(listed_hosts_are_accepted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
