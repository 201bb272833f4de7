/* The template reader: JSON and YAML into one form, YAML 1.1 scalars as
 * CloudFormation reads them, short-form tags, and errors naming
 * file:line:column. Sources: UserGuide/template-formats.html (YAML 1.1, no
 * aliases, no hash merges), yaml.org/type/{bool,int,float,null}.html,
 * UserGuide/intrinsic-function-reference.html (short forms). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cfnkit/error.h>

#include "node.h"

/* The template's JSON form (unformatted), or "ERROR: message". */
static char *read_as_json(const char *text)
{
    cfn_node *n = NULL;
    if (cfn_node_parse(text, strlen(text), "t.yaml", &n) < 0) {
        char *e = malloc(strlen(cfn_error_last()) + 8);
        sprintf(e, "ERROR: %s", cfn_error_last());
        return e;
    }
    cJSON *j = cfn_node_to_json(n);
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    cfn_node_free(n);
    return s;
}

static void expect(const char *text, const char *json)
{
    char *got = read_as_json(text);
    if (strcmp(got, json) != 0)
        fail_msg("%s\n  read as %s\n  expected %s", text, got, json);
    free(got);
}

static void expect_error(const char *text, const char *part)
{
    char *got = read_as_json(text);
    if (strncmp(got, "ERROR: ", 7) != 0 || !strstr(got, part))
        fail_msg("%s\n  read as %s\n  expected an error with \"%s\"", text, got, part);
    free(got);
}

/* YAML 1.1 plain scalars: CloudFormation supports YAML 1.1
 * (UserGuide/template-formats.html); its timestamp type is not supported, so
 * dates stay strings (AWSTemplateFormatVersion: 2010-09-09). */
static void yaml11_scalars(void **state)
{
    (void)state;
    static const char *cases[][2] = {
        {"A: yes", "{\"A\":true}"},
        {"A: No", "{\"A\":false}"},
        {"A: on", "{\"A\":true}"},
        {"A: OFF", "{\"A\":false}"},
        {"A: TRUE", "{\"A\":true}"},
        {"A: y", "{\"A\":\"y\"}"}, /* y/n are strings for PyYAML and SnakeYAML */
        {"A: 'yes'", "{\"A\":\"yes\"}"},
        {"A: 2010-09-09", "{\"A\":\"2010-09-09\"}"},
        {"A: 2001-12-14t21:59:43.10-05:00", "{\"A\":\"2001-12-14t21:59:43.10-05:00\"}"},
        {"A: 012345670123", "{\"A\":1402433619}"},       /* octal: the account id trap */
        {"A: 033677994240", "{\"A\":\"033677994240\"}"}, /* an 8 or 9: not octal */
        {"A: \"012345670123\"", "{\"A\":\"012345670123\"}"},
        {"A: 0x1F", "{\"A\":31}"},
        {"A: 0b101", "{\"A\":5}"},
        {"A: 1_000", "{\"A\":1000}"},
        {"A: 1:30", "{\"A\":90}"}, /* sexagesimal */
        {"A: -42", "{\"A\":-42}"},
        {"A: 0", "{\"A\":0}"},
        {"A: 1.5", "{\"A\":1.5}"},
        {"A: 1e5", "{\"A\":\"1e5\"}"}, /* YAML 1.1 floats need a dot */
        {"A: 1.0e+5", "{\"A\":1.0e+5}"},
        {"A: ~", "{\"A\":null}"},
        {"A:", "{\"A\":null}"},
        {"A: Null", "{\"A\":null}"},
        {"A: !!str 0755", "{\"A\":\"0755\"}"},
        {"A: 99999999999999999999999", "{\"A\":\"99999999999999999999999\"}"},
        {"A: 10.0.0.0/16", "{\"A\":\"10.0.0.0/16\"}"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect(cases[i][0], cases[i][1]);
}

/* Short forms become the long form (UserGuide/intrinsic-function-reference.html). */
static void short_forms(void **state)
{
    (void)state;
    expect("A: !Ref B", "{\"A\":{\"Ref\":\"B\"}}");
    expect("A: !GetAtt B.Arn", "{\"A\":{\"Fn::GetAtt\":[\"B\",\"Arn\"]}}");
    expect("A: !GetAtt B.Endpoint.Address",
           "{\"A\":{\"Fn::GetAtt\":[\"B\",\"Endpoint.Address\"]}}");
    expect("A: !GetAtt [B, Arn]", "{\"A\":{\"Fn::GetAtt\":[\"B\",\"Arn\"]}}");
    expect("A: !Sub 'x-${B}'", "{\"A\":{\"Fn::Sub\":\"x-${B}\"}}");
    expect("A: !Sub ['${X}', {X: !Ref B}]",
           "{\"A\":{\"Fn::Sub\":[\"${X}\",{\"X\":{\"Ref\":\"B\"}}]}}");
    expect("A: !Join [':', [a, !Ref B]]", "{\"A\":{\"Fn::Join\":[\":\",[\"a\",{\"Ref\":\"B\"}]]}}");
    expect("A: !If [C, 1, !Ref AWS::NoValue]",
           "{\"A\":{\"Fn::If\":[\"C\",1,{\"Ref\":\"AWS::NoValue\"}]}}");
    expect("A: !Not [!Condition C]", "{\"A\":{\"Fn::Not\":[{\"Condition\":\"C\"}]}}");
    expect("A: !Equals [!Ref E, prod]", "{\"A\":{\"Fn::Equals\":[{\"Ref\":\"E\"},\"prod\"]}}");
    expect("A: !And [!Or [a], b]", "{\"A\":{\"Fn::And\":[{\"Fn::Or\":[\"a\"]},\"b\"]}}");
    expect("A: !Select [0, !GetAZs '']", "{\"A\":{\"Fn::Select\":[0,{\"Fn::GetAZs\":\"\"}]}}");
    expect("A: !Split [',', !ImportValue X]",
           "{\"A\":{\"Fn::Split\":[\",\",{\"Fn::ImportValue\":\"X\"}]}}");
    expect("A: !FindInMap [M, !Ref AWS::Region, K]",
           "{\"A\":{\"Fn::FindInMap\":[\"M\",{\"Ref\":\"AWS::Region\"},\"K\"]}}");
    expect("A: !Base64 x", "{\"A\":{\"Fn::Base64\":\"x\"}}");
    expect("A: !Cidr [192.168.0.0/24, 6, 5]", "{\"A\":{\"Fn::Cidr\":[\"192.168.0.0/24\",6,5]}}");
    expect("A: !Length [1, 2]", "{\"A\":{\"Fn::Length\":[1,2]}}");
    expect("A: !ToJsonString {a: 1}", "{\"A\":{\"Fn::ToJsonString\":{\"a\":1}}}");
    expect("A: !Ref yes", "{\"A\":{\"Ref\":\"yes\"}}"); /* a tagged scalar is a string */
}

static void json_positions_and_numbers(void **state)
{
    (void)state;
    const char *t = "{\n  \"A\": {\"Ref\": \"B\"},\n  \"N\": 1.50,\n  \"L\": [1, \"x\"]\n}";
    cfn_node *n;
    assert_int_equal(cfn_node_parse(t, strlen(t), "t.json", &n), 0);
    const cfn_node *a = cfn_node_get(n, "A");
    assert_int_equal(a->line, 2);
    assert_int_equal(a->column, 8);
    assert_int_equal(cfn_node_get(a, "Ref")->column, 16);
    assert_int_equal(a->key_line, 2); /* a member's key: "A" */
    assert_int_equal(a->key_column, 3);
    assert_int_equal(cfn_node_get(a, "Ref")->key_column, 9);
    assert_string_equal(cfn_node_get(n, "N")->text, "1.50");
    const cfn_node *l = cfn_node_get(n, "L");
    assert_int_equal(l->items[1]->line, 4);
    assert_int_equal(l->items[1]->column, 12);
    cfn_node_free(n);
    expect("{\"A\": \"yes\", \"B\": 012}",
           "ERROR: t.yaml:1:19: JSON not well-formed: invalid number");
}

static void yaml_positions(void **state)
{
    (void)state;
    const char *t = "Resources:\n  B:\n    Type: X\n    Properties:\n      P: !GetAtt C.Arn\n";
    cfn_node *n;
    assert_int_equal(cfn_node_parse(t, strlen(t), "t.yaml", &n), 0);
    const cfn_node *p = cfn_node_get(
        cfn_node_get(cfn_node_get(cfn_node_get(n, "Resources"), "B"), "Properties"), "P");
    assert_int_equal(p->line, 5);
    assert_int_equal(p->column, 10);
    assert_int_equal(p->key_line, 5);
    assert_int_equal(p->key_column, 7);
    cfn_node_free(n);
}

static void errors_name_the_place(void **state)
{
    (void)state;
    expect_error("A: [1, 2\nB: 3\n", "t.yaml:2:2: YAML not well-formed");
    expect_error("A: &x 1\nB: *x\n", "t.yaml:2:4: aliases");
    expect_error("A: {a: 1}\nB:\n  <<: {a: 1}\n", "t.yaml:3:3: merge keys");
    expect_error("A: 1\nA: 2\n", "t.yaml:2:1: duplicate key \"A\"");
    expect_error("A: !Bogus x\n", "t.yaml:1:4: unknown tag !Bogus");
    expect_error("- 1\n", "a template is a mapping");
    expect_error("", "the template is empty");
    expect_error("A: 1\n---\nB: 2\n", "t.yaml:2:1: a template is one YAML document");
    expect_error("{\"A\": 1, \"A\": 2}", "t.yaml:1:15: duplicate key \"A\"");
    expect_error("{\"A\": 1} x", "t.yaml:1:10: JSON not well-formed");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(yaml11_scalars),
        cmocka_unit_test(short_forms),
        cmocka_unit_test(json_positions_and_numbers),
        cmocka_unit_test(yaml_positions),
        cmocka_unit_test(errors_name_the_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
