/* The AWS input builders: members added in order, NULL values left out, and
 * under a failing allocator no input at all instead of one missing a member
 * (the counting hooks also prove nothing leaks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "awsjson.h"

static int allocs_left = -1, live = 0;

static void *counting_malloc(size_t n)
{
    if (allocs_left == 0)
        return NULL;
    if (allocs_left > 0)
        allocs_left--;
    void *p = malloc(n);
    live += p != NULL;
    return p;
}

static void counting_free(void *p)
{
    live -= p != NULL;
    free(p);
}

static cJSON *build(void)
{
    cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "FunctionName", "f", "Qualifier", NULL,
                                    "StatementId", "s", NULL);
    in = cfnkit_json_number(in, "limit", 500);
    return cfnkit_json_item(in, "Tags",
                            cfnkit_json_strings(cJSON_CreateObject(), "owner", "o", NULL));
}

static void builds_every_member(void **state)
{
    (void)state;
    cJSON *in = build();
    char *text = cJSON_PrintUnformatted(in);
    assert_string_equal(
        text,
        "{\"FunctionName\":\"f\",\"StatementId\":\"s\",\"limit\":500,\"Tags\":{\"owner\":\"o\"}}");
    cJSON_free(text);
    cJSON_Delete(in);
    assert_null(cfnkit_json_strings(NULL, "a", "b", NULL));
    assert_null(cfnkit_json_item(cJSON_CreateObject(), "a", NULL));
}

static void out_of_memory_builds_nothing(void **state)
{
    (void)state;
    cJSON_Hooks hooks = {counting_malloc, counting_free};
    cJSON_InitHooks(&hooks);
    int failures = 0;
    for (int n = 0; n < 64; n++) {
        allocs_left = n;
        cJSON *in = build();
        allocs_left = -1;
        if (in) {
            assert_int_equal(cJSON_GetArraySize(in), 4);
            assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(in, "Tags")), 1);
        } else {
            failures++;
        }
        cJSON_Delete(in);
        assert_int_equal(live, 0);
    }
    cJSON_InitHooks(NULL);
    assert_true(failures > 0);
}

static char *camel_text(const char *json)
{
    static const char *const renames[] = {"EFSVolumeConfiguration=efsVolumeConfiguration", NULL};
    static const char *const verbatim[] = {"DockerLabels", NULL};
    cJSON *in = cJSON_Parse(json), *out = cfnkit_json_camel(in, renames, verbatim);
    char *text = cJSON_PrintUnformatted(out);
    cJSON_Delete(in);
    cJSON_Delete(out);
    return text;
}

/* Member names lose their first capital at every depth, in lists too, except
 * where renamed and inside the user's own maps. */
static void camel_case_names(void **state)
{
    (void)state;
    char *text = camel_text("{\"ContainerDefinitions\":[{\"Name\":\"web\",\"PortMappings\":"
                            "[{\"HostPort\":80}],\"DockerLabels\":{\"Team\":\"A\"}}],"
                            "\"Volumes\":[{\"EFSVolumeConfiguration\":{\"FileSystemId\":\"f\"}}],"
                            "\"RequiresCompatibilities\":[\"EC2\"]}");
    assert_string_equal(text, "{\"containerDefinitions\":[{\"name\":\"web\",\"portMappings\":"
                              "[{\"hostPort\":80}],\"dockerLabels\":{\"Team\":\"A\"}}],"
                              "\"volumes\":[{\"efsVolumeConfiguration\":{\"fileSystemId\":\"f\"}}],"
                              "\"requiresCompatibilities\":[\"EC2\"]}");
    cJSON_free(text);
}

static void coerces_named_members(void **state)
{
    (void)state;
    static const char *const ints[] = {"hostPort", NULL}, *const bools[] = {"essential", NULL},
                             *const strings[] = {"value", NULL};
    const char *bad = NULL;
    cJSON *in = cJSON_Parse("{\"c\":[{\"hostPort\":\"20001\",\"essential\":\"true\","
                            "\"env\":[{\"value\":8080},{\"value\":true}],\"other\":\"1\"}]}");
    assert_int_equal(cfnkit_json_coerce(in, ints, bools, strings, &bad), 0);
    char *text = cJSON_PrintUnformatted(in);
    assert_string_equal(text, "{\"c\":[{\"hostPort\":20001,\"essential\":true,"
                              "\"env\":[{\"value\":\"8080\"},{\"value\":\"true\"}],"
                              "\"other\":\"1\"}]}");
    cJSON_free(text);
    cJSON_Delete(in);
    in = cJSON_Parse("{\"a\":{\"hostPort\":\"80x\"}}");
    assert_int_equal(cfnkit_json_coerce(in, ints, bools, strings, &bad), -1);
    assert_string_equal(bad, "hostPort");
    cJSON_Delete(in);
    in = cJSON_Parse("{\"essential\":\"yes\"}");
    assert_int_equal(cfnkit_json_coerce(in, ints, bools, strings, &bad), -1);
    assert_string_equal(bad, "essential");
    cJSON_Delete(in);
    /* Numbers read as the template wrote them, as CloudFormation passes a
     * YAML number on as text ("0.1" was sent as "0.10000000000000001"). */
    in = cJSON_Parse("[{\"value\":0.1},{\"value\":1.5},{\"value\":-2.25e-7},{\"value\":1e21}]");
    assert_int_equal(cfnkit_json_coerce(in, ints, bools, strings, &bad), 0);
    text = cJSON_PrintUnformatted(in);
    assert_string_equal(text, "[{\"value\":\"0.1\"},{\"value\":\"1.5\"},"
                              "{\"value\":\"-2.25e-07\"},{\"value\":\"1e+21\"}]");
    cJSON_free(text);
    cJSON_Delete(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builds_every_member),
        cmocka_unit_test(out_of_memory_builds_nothing),
        cmocka_unit_test(camel_case_names),
        cmocka_unit_test(coerces_named_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
