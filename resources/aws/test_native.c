/* native_name: CloudFormation's "<stack>-<logical id>-<suffix>" names, cut to
 * a type's length, lowercase or without dashes when the type asks; and the
 * input native_take_call could not be given. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "native.h"

static char *name(const char *stack, const char *logical, const char *seed, size_t max,
                  unsigned flags)
{
    char *out = NULL;
    assert_int_equal(native_name_from(stack, logical, seed, max, flags, &out), 0);
    assert_non_null(out);
    assert_true(strlen(out) <= max);
    return out;
}

static void check_suffix(const char *s, int lower)
{
    size_t n = strlen(s);
    assert_true(n >= NATIVE_NAME_SUFFIX_LEN);
    for (const char *p = s + n - NATIVE_NAME_SUFFIX_LEN; *p; p++)
        assert_true(isdigit((unsigned char)*p) ||
                    (lower ? islower((unsigned char)*p) : isupper((unsigned char)*p)));
}

static void whole_when_it_fits(void **state)
{
    (void)state;
    char *n = name("MyStack", "MyQueue", "req-1", 80, 0);
    assert_int_equal(strlen(n), strlen("MyStack-MyQueue-") + NATIVE_NAME_SUFFIX_LEN);
    assert_memory_equal(n, "MyStack-MyQueue-", 16);
    check_suffix(n, 0);
    free(n);
}

static void same_seed_same_name_other_seed_other_name(void **state)
{
    (void)state;
    char *a = name("s", "L", "req-1", 64, 0), *b = name("s", "L", "req-1", 64, 0);
    char *c = name("s", "L", "req-2", 64, 0);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    free(a);
    free(b);
    free(c);
}

static void long_parts_share_the_room(void **state)
{
    (void)state;
    const char *stack = "AVeryLongStackNameThatGoesOnAndOnForeverAndEver";
    const char *logical = "AnEquallyLongLogicalIdentifierForTheResource";
    char *n = name(stack, logical, "r", 64, 0);
    /* 64 - 12 - 2 = 50: 25 for each part. */
    assert_int_equal(strlen(n), 64);
    assert_memory_equal(n, "AVeryLongStackNameThatGoe-AnEquallyLongLogicalIdent-", 52);
    check_suffix(n, 0);
    free(n);
}

static void short_part_gives_its_room(void **state)
{
    (void)state;
    char *n = name("s1", "AnEquallyLongLogicalIdentifierForTheResourceAndMore", "r", 32, 0);
    /* 32 - 14 = 18: the stack keeps its 2, the logical id gets 16. */
    assert_int_equal(strlen(n), 32);
    assert_memory_equal(n, "s1-AnEquallyLongLog-", 20);
    free(n);
    n = name("AVeryLongStackNameThatGoesOn", "Fn", "r", 32, 0);
    assert_memory_equal(n, "AVeryLongStackNa-Fn-", 20);
    free(n);
}

static void cut_never_leaves_two_dashes(void **state)
{
    (void)state;
    /* 40 - 14 = 26: 13 each, and the stack's 13th character is a dash. */
    char *n = name("my-long-stac-kname", "LogicalResourceIdentifier", "r", 40, 0);
    assert_null(strstr(n, "--"));
    assert_memory_equal(n, "my-long-stac-LogicalResour", 26);
    free(n);
}

static void lowercase_for_buckets(void **state)
{
    (void)state;
    char *n = name("MyStack", "MyBucket", "r", 63, NATIVE_NAME_LOWER);
    assert_memory_equal(n, "mystack-mybucket-", 17);
    check_suffix(n, 1);
    free(n);
}

static void no_dash(void **state)
{
    (void)state;
    char *n = name("my-stack", "Thing", "r", 64, NATIVE_NAME_NO_DASH);
    assert_null(strchr(n, '-'));
    assert_memory_equal(n, "mystackThing", 12);
    assert_int_equal(strlen(n), 12 + NATIVE_NAME_SUFFIX_LEN);
    free(n);
}

static void too_short_a_limit_fails(void **state)
{
    (void)state;
    char *out = (char *)1;
    assert_int_equal(native_name_from("s", "L", "r", NATIVE_NAME_SUFFIX_LEN + 3, 0, &out), -1);
    assert_null(out);
    char *n = name("stack", "Logical", "r", NATIVE_NAME_SUFFIX_LEN + 4, 0);
    assert_memory_equal(n, "s-L-", 4);
    free(n);
}

/* An input that could not be built (NULL) fails before any call, naming
 * the service and operation, with the answer reset. */
static void take_call_without_input(void **state)
{
    (void)state;
    cJSON *out = (cJSON *)1;
    assert_int_equal(native_take_call(NULL, "ecs", "ECS", "CreateCluster", NULL, &out), CFN_ENOMEM);
    assert_null(out);
    assert_string_equal(cfn_error_last(), "ECS CreateCluster: out of memory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_when_it_fits),
        cmocka_unit_test(same_seed_same_name_other_seed_other_name),
        cmocka_unit_test(long_parts_share_the_room),
        cmocka_unit_test(short_part_gives_its_room),
        cmocka_unit_test(cut_never_leaves_two_dashes),
        cmocka_unit_test(lowercase_for_buckets),
        cmocka_unit_test(no_dash),
        cmocka_unit_test(too_short_a_limit_fails),
        cmocka_unit_test(take_call_without_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
