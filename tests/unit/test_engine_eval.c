/* Parameters, conditions and intrinsic functions, table-driven from
 * CloudFormation's documented examples and error cases (UserGuide/
 * intrinsic-function-reference-*.html, parameters-section-structure.html,
 * pseudo-parameter-reference.html). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cfnkit/error.h>

#include "eval.h"

static const char head[] = "Parameters:\n"
                           "  Env: {Type: String, Default: prod, AllowedValues: [dev, prod]}\n"
                           "  Subnets: {Type: CommaDelimitedList, Default: 'a, b,c'}\n"
                           "  Ports: {Type: List<Number>, Default: '80,443'}\n"
                           "  Secret: {Type: String, NoEcho: true, Default: hunter2}\n"
                           "Mappings:\n"
                           "  M: {us-east-1: {Ami: ami-1, Size: 3}}\n"
                           "Conditions:\n"
                           "  IsProd: !Equals [!Ref Env, prod]\n"
                           "  IsDev: !Not [!Condition IsProd]\n"
                           "  Both: !And [!Condition IsProd, !Equals [a, a]]\n"
                           "  Either: !Or [!Condition IsDev, !Equals [1, '1']]\n"
                           "  ViaIf: !If [IsProd, !Condition IsDev, !Condition IsProd]\n"
                           "Resources:\n"
                           "  Dead: {Type: AWS::SNS::Topic, Condition: IsDev}\n"
                           "  Live: {Type: AWS::SNS::Topic}\n"
                           "  R:\n"
                           "    Type: Custom::T\n"
                           "    Properties:\n"
                           "      P: ";

static int ref(void *arg, const char *id, cJSON **out)
{
    (void)arg;
    char s[128];
    snprintf(s, sizeof(s), "phys-%s", id);
    *out = cJSON_CreateString(s);
    return 0;
}

static int getatt(void *arg, const char *id, const char *attr, cJSON **out)
{
    (void)arg;
    char s[128];
    snprintf(s, sizeof(s), "%s.%s", id, attr);
    *out = cJSON_CreateString(s);
    return 0;
}

static const cfn_eval_ops engine = {.ref = ref, .getatt = getatt};

/* The value of P (unformatted JSON, "NOVALUE" for AWS::NoValue), or "ERROR: ..." */
static char *eval_p(const char *prefix, const char *expr, const cfn_eval_ops *ops,
                    const char *override)
{
    size_t n = strlen(prefix) + strlen(expr) + 2;
    char *y = malloc(n), *s;
    snprintf(y, n, "%s%s\n", prefix, expr);
    cfn_template *t = NULL;
    cfn_eval *e = NULL;
    cJSON *v = NULL;
    const char *o[] = {override};
    if (cfn_template_parse(y, strlen(y), "t.yaml", &t) < 0 ||
        cfn_eval_new(t, NULL, ops, o, override ? 1 : 0, 1, &e) < 0 ||
        cfn_eval_value(e,
                       cfn_node_get(cfn_node_get(cfn_template_resource(t, "R"), "Properties"), "P"),
                       "Resources/R/Properties/P", &v) < 0) {
        s = malloc(strlen(cfn_error_last()) + 8);
        sprintf(s, "ERROR: %s", cfn_error_last());
    } else {
        s = v ? cJSON_PrintUnformatted(v) : strdup("NOVALUE");
    }
    cJSON_Delete(v);
    cfn_eval_free(e);
    cfn_template_free(t);
    free(y);
    return s;
}

static void check(const char *expr, const char *want)
{
    char *got = eval_p(head, expr, &engine, NULL);
    int ok = strncmp(want, "ERROR: ", 7) == 0
                 ? strncmp(got, "ERROR: ", 7) == 0 && strstr(got, want + 7) != NULL
                 : strcmp(got, want) == 0;
    if (!ok)
        fail_msg("P: %s\n  gives %s\n  expected %s", expr, got, want);
    free(got);
}

static void ref_and_pseudo(void **state)
{
    (void)state;
    /* Resources named On and Off would be keys true and false (YAML 1.1). */
    check("!Ref Env", "\"prod\"");
    check("!Ref Subnets", "[\"a\",\"b\",\"c\"]"); /* members space-trimmed */
    check("!Ref Ports", "[\"80\",\"443\"]");
    check("!Ref Live", "\"phys-Live\"");
    check("!Ref AWS::Region", "\"us-east-1\"");
    check("!Ref AWS::AccountId", "\"123456789012\"");
    check("!Ref AWS::Partition", "\"aws\"");
    check("!Ref AWS::URLSuffix", "\"amazonaws.com\"");
    check("!Ref AWS::StackName", "\"stack\"");
    check("!Ref AWS::NotificationARNs", "[]");
    check("!Ref AWS::NoValue", "NOVALUE");
    check("!Ref Nope", "ERROR: Unresolved resource dependencies [Nope] in the Resources block");
    check("{Ref: [a]}", "ERROR: Every Ref object must have a single String value.");
    check("!Ref Dead", "ERROR: Unresolved resource dependencies [Dead]");
}

static void getatt_sub(void **state)
{
    (void)state;
    check("!GetAtt Live.TopicName", "\"Live.TopicName\"");
    check("{Fn::GetAtt: Live.A.B}", "\"Live.A.B\"");
    check("!GetAtt [Live, !Ref Env]", "\"Live.prod\"");
    check("!GetAtt Nope.Arn", "ERROR: instance of Fn::GetAtt references undefined resource Nope");
    check("!Sub '${AWS::Region}-${Env}-${Live}-${Live.Arn}'",
          "\"us-east-1-prod-phys-Live-Live.Arn\"");
    check("!Sub '${!Literal}-${!Live}'", "\"${Literal}-${Live}\""); /* -sub.html */
    check("!Sub ['${Live}-${X}', {Live: shadow, X: !Ref Env}]", "\"shadow-prod\"");
    check("!Sub '${Subnets}'", "ERROR: variable Subnets in Fn::Sub expression does not resolve");
    check("!Sub '${Nope}'", "ERROR: Unresolved resource dependencies [Nope]");
    check("!Sub [a, b]", "ERROR: Fn::Sub intrinsic functions don't specify expected arguments");
}

static void lists_and_strings(void **state)
{
    (void)state;
    check("!Split ['|', 'a||c|']", "[\"a\",\"\",\"c\",\"\"]"); /* -split.html */
    check("!Join ['', [a, b, !Ref Env]]", "\"abprod\"");
    check("!Join [',', !Ref Subnets]", "\"a,b,c\"");
    check("!Join [',', a]", "ERROR: every Fn::Join object requires two parameters");
    check("!Select ['1', [apples, grapes, oranges]]", "\"grapes\""); /* -select.html */
    check("!Select [1, !Ref Subnets]", "\"b\"");
    check("!Select [5, [a, b]]", "ERROR: Fn::Select cannot select nonexistent value at index 5");
    check("!Select [x, [a]]", "ERROR: Fn::Select requires an index");
    check("!Select [0, [~]]", "ERROR: not null");
    check("!Base64 'AWS CloudFormation'", "\"QVdTIENsb3VkRm9ybWF0aW9u\"");
    check("!GetAZs ''", "[\"us-east-1a\",\"us-east-1b\",\"us-east-1c\",\"us-east-1d\","
                        "\"us-east-1e\",\"us-east-1f\"]");
    check("{Fn::GetAZs: ~}", "[\"us-east-1a\",\"us-east-1b\",\"us-east-1c\",\"us-east-1d\","
                             "\"us-east-1e\",\"us-east-1f\"]");
    check("!GetAZs eu-west-1", "[\"eu-west-1a\",\"eu-west-1b\",\"eu-west-1c\"]");
    check("!Select [0, {Fn::GetAZs: !Ref AWS::Region}]", "\"us-east-1a\"");
    check("!Cidr [192.168.0.0/24, 6, 5]", /* -cidr.html */
          "[\"192.168.0.0/27\",\"192.168.0.32/27\",\"192.168.0.64/27\",\"192.168.0.96/27\","
          "\"192.168.0.128/27\",\"192.168.0.160/27\"]");
    check("!Cidr ['2001:db8::/56', 2, 64]", "[\"2001:db8::/64\",\"2001:db8:0:1::/64\"]");
    check("!Cidr [192.168.0.0/24, 9, 5]", "ERROR: holds 8 blocks of /27, not 9");
    check("!FindInMap [M, !Ref AWS::Region, Ami]", "\"ami-1\"");
    check("!FindInMap [M, !Ref AWS::Region, Size]", "3");
    check("!FindInMap [M, eu-west-1, Ami]", "ERROR: Unable to get mapping for M::eu-west-1::Ami");
    check("!FindInMap [N, a, b]", "ERROR: Mapping named 'N' is not present");
    check("!ImportValue x", "\"{{unknown}}\""); /* no exports table given */
}

static void conditions_and_if(void **state)
{
    (void)state;
    check("!If [IsProd, yes, no]", "true");
    check("!If [IsDev, a, b]", "\"b\"");
    check("!If [Both, a, b]", "\"a\"");
    check("!If [Either, a, b]", "\"a\"");
    check("!If [ViaIf, a, b]", "\"b\"");
    check("!If [Nope, a, b]", "ERROR: Unresolved condition dependency Nope");
    /* An untaken branch may refer to a resource whose condition is false. */
    check("!If [IsDev, !Ref Dead, !Ref Live]", "\"phys-Live\"");
    /* AWS::NoValue removes a property of a map and an element of a list. */
    check("{A: !If [IsProd, !Ref AWS::NoValue, x], B: 1}", "{\"B\":1}");
    check("[a, !If [IsProd, !Ref AWS::NoValue, x], c]", "[\"a\",\"c\"]");
    /* Condition functions only in Conditions and Fn::If's condition. */
    check("!Equals [a, a]", "ERROR: Fn::Equals is a condition function");
    check("{Fn::Bogus: 1}", "ERROR: Encountered unsupported function: Fn::Bogus");
    check("{Fn::Transform: {Name: M}}", "ERROR: Fn::Transform is not supported");
    check("!Length [a]", "ERROR: Fn::Length needs Transform: AWS::LanguageExtensions");
}

static void language_extensions(void **state)
{
    (void)state;
    char prefix[sizeof(head) + 64];
    snprintf(prefix, sizeof(prefix), "Transform: AWS::LanguageExtensions\n%s", head);
    static const char *cases[][2] = {
        {"!Length [a, b, !Ref AWS::NoValue]", "2"},
        {"{Fn::Length: !Ref Subnets}", "3"},
        {"!ToJsonString {a: !Ref Env, b: [1, true]}",
         "\"{\\\"a\\\":\\\"prod\\\",\\\"b\\\":[1,true]}\""},
        {"!FindInMap [M, eu-west-1, Ami, {DefaultValue: ami-0}]", "\"ami-0\""},
        {"!FindInMap [N, a, b, {DefaultValue: !Ref Env}]", "\"prod\""},
        /* Fn::ForEach inside resource properties, nested in a map and in a
         * list's map, with Ref of the identifier and &{} in keys. */
        {"{Fn::ForEach::Tags: [T, !Ref Subnets, {'Tag${T}': !Sub '${T}-${Env}'}], Keep: 1}",
         "{\"Taga\":\"a-prod\",\"Tagb\":\"b-prod\",\"Tagc\":\"c-prod\",\"Keep\":1}"},
        {"[{Fn::ForEach::L: [X, [x.1, y-2], {'K&{X}': !Ref X}]}]",
         "[{\"Kx1\":\"x.1\",\"Ky2\":\"y-2\"}]"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = eval_p(prefix, cases[i][0], &engine, NULL);
        if (strcmp(got, cases[i][1]) != 0)
            fail_msg("P: %s\n  gives %s\n  expected %s", cases[i][0], got, cases[i][1]);
        free(got);
    }
}

static void foreach_needs_the_transform(void **state)
{
    (void)state;
    /* Without AWS::LanguageExtensions a loop in properties is refused. */
    check("{Fn::ForEach::Tags: [T, [a], {'K${T}': v}], Keep: 1}",
          "ERROR: Fn::ForEach is expanded only");
    check("{Fn::ForEach::Tags: [T, [a], {'K${T}': v}]}",
          "ERROR: Encountered unsupported function: Fn::ForEach::Tags");
}

static void unknown_values(void **state)
{
    (void)state;
    /* Without the engine's table, resource values are unknown, and so is
     * what is computed from them; shapes are still checked. */
    char *got = eval_p(head, "!Join ['-', [a, !Ref Live]]", NULL, NULL);
    assert_string_equal(got, "\"{{unknown}}\"");
    free(got);
    got = eval_p(head, "!Select [9, !Split [',', !GetAtt Live.X]]", NULL, NULL);
    assert_string_equal(got, "\"{{unknown}}\"");
    free(got);
}

static void expect_param_error(const char *decl, const char *override, const char *part)
{
    char prefix[1024];
    snprintf(prefix, sizeof(prefix),
             "Parameters:\n  P1: %s\nResources:\n  R:\n    Type: X::Y\n    Properties:\n"
             "      P: ",
             decl);
    char *got = eval_p(prefix, "!Ref P1", NULL, override);
    if (strncmp(got, "ERROR: ", 7) != 0 || !strstr(got, part))
        fail_msg("%s with %s\n  gives %s\n  expected %s", decl, override, got, part);
    free(got);
}

static void parameter_constraints(void **state)
{
    (void)state;
    expect_param_error("{Type: String}", NULL, "Parameters: [P1] must have values");
    expect_param_error("{Type: String, AllowedValues: [a, b]}", "P1=c",
                       "Parameter 'P1' must be one of AllowedValues");
    expect_param_error("{Type: String, AllowedPattern: '[a-z]+'}", "P1=ab1",
                       "Parameter 'P1' must match pattern [a-z]+");
    expect_param_error("{Type: String, AllowedPattern: '\\d+'}", "P1=12a",
                       "must match pattern \\d+");
    expect_param_error("{Type: String, AllowedPattern: '[\\w\\-.]+'}", "P1=a b",
                       "must match pattern [\\w\\-.]+");
    /* Java's lookarounds and lazy quantifiers (PCRE2 reads them): a
     * password with a digit and a letter; the whole value must match. */
    expect_param_error("{Type: String, AllowedPattern: '(?=.*\\d)(?=.*[a-z]).{8,}'}", "P1=abcdefgh",
                       "Parameter 'P1' must match pattern");
    expect_param_error("{Type: String, AllowedPattern: 'a.*?b'}", "P1=axbz",
                       "Parameter 'P1' must match pattern");
    expect_param_error("{Type: String, AllowedPattern: '[a-z'}", "P1=a",
                       "AllowedPattern [a-z is not a regular expression: missing terminating ]");
    expect_param_error("{Type: String, MinLength: 3}", "P1=ab",
                       "Parameter 'P1' must contain at least 3 characters");
    expect_param_error("{Type: String, MaxLength: 2}", "P1=abc",
                       "Parameter 'P1' must contain at most 2 characters");
    expect_param_error("{Type: Number}", "P1=x", "Parameter 'P1' must be a number");
    expect_param_error("{Type: Number, MinValue: 2}", "P1=1",
                       "Parameter 'P1' must be a number not less than 2");
    expect_param_error("{Type: Number, MaxValue: 2}", "P1=3",
                       "Parameter 'P1' must be a number not greater than 2");
    expect_param_error("{Type: List<Number>}", "P1=1,x", "Parameter 'P1' must be a number");
    expect_param_error("{Type: String, AllowedValues: [a], ConstraintDescription: 'a only'}",
                       "P1=b", "Parameter P1 failed to satisfy constraint: a only");
    expect_param_error("{Type: Strin}", NULL, "Unrecognized parameter type: Strin");
    expect_param_error("{Type: String, Default: a}", "P2=b",
                       "Parameters: [P2] do not exist in the template");
    expect_param_error("{Type: 'AWS::SSM::Parameter::Value<String>', Default: /x}", NULL,
                       "is read from SSM Parameter Store");
    /* A pattern matches the whole value; a good value passes. */
    char prefix[256] = "Parameters:\n  P1: {Type: String, AllowedPattern: '[a-z]+', MinLength: 1}\n"
                       "Resources:\n  R:\n    Type: X::Y\n    Properties:\n      P: ";
    char *got = eval_p(prefix, "!Ref P1", NULL, "P1=abc");
    assert_string_equal(got, "\"abc\"");
    free(got);
    /* Java's classes inside brackets ([\w-.]). */
    snprintf(prefix, sizeof(prefix),
             "Parameters:\n  P1: {Type: String, AllowedPattern: "
             "'[\\w\\-.]+'}\nResources:\n  R:\n    Type: X::Y\n"
             "    Properties:\n      P: ");
    got = eval_p(prefix, "!Ref P1", NULL, "P1=a-b.c_d");
    assert_string_equal(got, "\"a-b.c_d\"");
    free(got);
    /* A lookahead pattern a good value satisfies. */
    snprintf(prefix, sizeof(prefix),
             "Parameters:\n  P1: {Type: String, AllowedPattern: "
             "'(?=.*\\d)(?=.*[a-z]).{8,}'}\nResources:\n  R:\n    Type: X::Y\n"
             "    Properties:\n      P: ");
    got = eval_p(prefix, "!Ref P1", NULL, "P1=abcd1234");
    assert_string_equal(got, "\"abcd1234\"");
    free(got);
}

/* The Rules section (UserGuide/rules-section-structure.html), checked with
 * the parameter values; "" when every rule holds. */
static char *rules_with(const char *override)
{
    const char *y = "Parameters:\n"
                    "  Env: {Type: String, Default: test}\n"
                    "  Size: {Type: String, Default: small}\n"
                    "  Zones: {Type: CommaDelimitedList, Default: 'a,b'}\n"
                    "Rules:\n"
                    "  ProdSize:\n"
                    "    RuleCondition: !Equals [!Ref Env, prod]\n"
                    "    Assertions:\n"
                    "      - Assert: !Contains [[large, xlarge], !Ref Size]\n"
                    "        AssertDescription: prod needs a large size\n"
                    "  KnownZones:\n"
                    "    Assertions:\n"
                    "      - Assert: !EachMemberIn [!Ref Zones, [a, b, c]]\n"
                    "      - Assert: !Not [!EachMemberEquals [!Ref Zones, c]]\n"
                    "        AssertDescription: not only c\n"
                    "Resources:\n  R: {Type: X::Y}\n";
    cfn_template *t = NULL;
    cfn_eval *e = NULL;
    strbuf p = {0};
    const char *o[] = {override};
    assert_int_equal(cfn_template_parse(y, strlen(y), "t.yaml", &t), 0);
    assert_int_equal(cfn_eval_new(t, NULL, NULL, o, override ? 1 : 0, 1, &e), 0);
    cfn_eval_rules(e, &p);
    cfn_eval_free(e);
    cfn_template_free(t);
    return p.data ? p.data : strdup("");
}

static void rules(void **state)
{
    (void)state;
    char *r = rules_with(NULL);
    assert_string_equal(r, "");
    free(r);
    r = rules_with("Env=prod");
    assert_non_null(strstr(r, "rule ProdSize failed: prod needs a large size"));
    assert_non_null(strstr(r, "(at Rules/ProdSize/Assertions/0)"));
    free(r);
    r = rules_with("Zones=a,d");
    assert_non_null(strstr(r, "rule KnownZones failed: its assertion is false"));
    free(r);
    r = rules_with("Zones=c,c");
    assert_non_null(strstr(r, "rule KnownZones failed: not only c"));
    free(r);
    r = rules_with("Size=large");
    assert_string_equal(r, "");
    free(r);
    check("!Contains [[a], a]", "ERROR: Fn::Contains is a rule function");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ref_and_pseudo),
        cmocka_unit_test(getatt_sub),
        cmocka_unit_test(lists_and_strings),
        cmocka_unit_test(conditions_and_if),
        cmocka_unit_test(language_extensions),
        cmocka_unit_test(unknown_values),
        cmocka_unit_test(parameter_constraints),
        cmocka_unit_test(rules),
        cmocka_unit_test(foreach_needs_the_transform),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
