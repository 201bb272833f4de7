/* cfn_main's command table: commands added by a program run with their own
 * arguments, names are unique and cfn_main's own cannot be taken. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <cfnkit/cfnkit.h>

static int seen_argc = -1;
static const char *seen_first;

static int record(int argc, char **argv)
{
    seen_argc = argc;
    seen_first = argc > 0 ? argv[0] : NULL;
    return 7;
}

static const cfn_command greet = {"greet", "say hello", record};

static void added_command_runs_with_its_arguments(void **state)
{
    (void)state;
    assert_int_equal(cfn_command_add(&greet), 0);
    char *argv[] = {"prog", "greet", "--name", "x", NULL};
    assert_int_equal(cfn_main(4, argv), 7);
    assert_int_equal(seen_argc, 2);
    assert_string_equal(seen_first, "--name");
}

static void names_are_unique(void **state)
{
    (void)state;
    static const cfn_command again = {"greet", "twice", record};
    assert_int_equal(cfn_command_add(&again), CFN_EEXISTS);
    static const cfn_command own = {"invoke", "taken", record};
    assert_int_equal(cfn_command_add(&own), CFN_EEXISTS);
    static const cfn_command types = {"types", "taken", record};
    assert_int_equal(cfn_command_add(&types), CFN_EEXISTS);
}

static void incomplete_descriptors_are_refused(void **state)
{
    (void)state;
    static const cfn_command no_run = {"norun", "x", NULL};
    assert_int_equal(cfn_command_add(&no_run), CFN_EINVAL);
    static const cfn_command no_name = {NULL, "x", record};
    assert_int_equal(cfn_command_add(&no_name), CFN_EINVAL);
    assert_int_equal(cfn_command_add(NULL), CFN_EINVAL);
}

static void unknown_command_is_an_error(void **state)
{
    (void)state;
    char *argv[] = {"prog", "nosuch", NULL};
    assert_int_equal(cfn_main(2, argv), 2);
}

static void table_has_a_bound(void **state)
{
    (void)state;
    static cfn_command many[40];
    static char names[40][8];
    int rc = 0;
    size_t i;
    for (i = 0; i < 40 && rc == 0; i++) {
        snprintf(names[i], sizeof(names[i]), "c%zu", i);
        many[i] = (cfn_command){names[i], "n", record};
        rc = cfn_command_add(&many[i]);
    }
    assert_int_equal(rc, CFN_ENOMEM);
    assert_true(i < 40);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(added_command_runs_with_its_arguments),
        cmocka_unit_test(names_are_unique),
        cmocka_unit_test(incomplete_descriptors_are_refused),
        cmocka_unit_test(unknown_command_is_an_error),
        cmocka_unit_test(table_has_a_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
