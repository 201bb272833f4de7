"""`cfnkit validate-template` and `cfnkit graph --parameter-overrides` on
small templates: broken ones exit 1 naming the problem and where; a good one
prints the AWS CLI's validate-template summary with NoEcho masked.
Sources: UserGuide/template-formats.html, parameters-section-structure.html,
intrinsic-function-reference.html, transform-section-structure.html,
cloudformation-limits.html, control-access-with-iam.html (capabilities)."""
import json
import os
import subprocess
import tempfile
import unittest

TOOL = os.environ.get("CFNKIT_TOOL", "cfnkit")

GOOD = """\
AWSTemplateFormatVersion: 2010-09-09
Description: a small stack
Parameters:
  Env: {Type: String, Default: dev, AllowedValues: [dev, prod], Description: stage}
  Password: {Type: String, NoEcho: true, Default: hunter2}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
  Extra:
    Type: AWS::SNS::Topic
    Condition: IsProd
    Properties: {TopicName: !Sub '${AWS::StackName}-${Env}'}
  Fn:
    Type: Custom::Thing
    DependsOn: Role
    Properties:
      ServiceToken: !GetAtt Role.Arn
      Secret: !Ref Password
      Extra: !If [IsProd, !Ref Extra, !Ref AWS::NoValue]
Outputs:
  Arn: {Value: !GetAtt Role.Arn, Export: {Name: !Sub '${AWS::StackName}-Arn'}}
"""

BROKEN = {
    "cycle": ("Resources:\n  A: {Type: X::Y, Properties: {P: !Ref B}}\n"
              "  B: {Type: X::Y, Properties: {P: !GetAtt A.Arn}}\n",
              ["Circular dependency between resources: [A, B]"]),
    "unresolved": ("Resources:\n  A:\n    Type: X::Y\n    DependsOn: Nope\n"
                   "    Properties: {P: !Ref Gone, Q: !GetAtt Lost.Arn}\n",
                   ["t.yaml:4:16: Template format error: Unresolved resource dependencies [Nope]",
                    "Unresolved resource dependencies [Gone]", "(at Resources/A/Properties/P/Ref)",
                    "t.yaml:5:35: Template error: instance of Fn::GetAtt references undefined "
                    "resource Lost"]),
    "misplaced": ("Resources:\n  A:\n    Type: X::Y\n    Properties:\n      P: !Equals [a, b]\n",
                  ["t.yaml:5:10:", "Fn::Equals is a condition function",
                   "(at Resources/A/Properties/P/Fn::Equals)"]),
    "condition ref": ("Parameters: {E: {Type: String, Default: a}}\nConditions:\n"
                      "  C: !Equals [!Ref A, x]\nResources:\n  A: {Type: X::Y}\n",
                      ["Cannot reference resources in the Conditions block of the template",
                       "(at Conditions/C/Fn::Equals/Ref)"]),
    "transform": ("Transform: AWS::Serverless-2016-10-31\nResources:\n  A: {Type: X::Y}\n",
                  ["t.yaml:1:12: Transform AWS::Serverless-2016-10-31 is not supported"]),
    "macro": ("Resources:\n  A:\n    Type: X::Y\n    Properties:\n"
              "      P: {Fn::Transform: {Name: AWS::Include}}\n",
              ["Fn::Transform is not supported"]),
    "yaml": ("Resources:\n  A: {Type: X::Y\n", ["t.yaml:3:1: YAML not well-formed"]),
    "json": ('{"Resources": {"A": {"Type": "X::Y",}}}', ["t.yaml:1:", "JSON not well-formed"]),
    "no resources": ("Parameters: {}\n", ["At least one Resources member must be defined."]),
    "no type": ("Resources:\n  A: {Properties: {}}\n",
                ["[/Resources/A] Every Resources object must contain a Type member."]),
    "attribute": ("Resources:\n  A: {Type: X::Y, Description: x}\n",
                  ["t.yaml:2:19: Template format error: Invalid template resource property "
                   "'Description'"]),
    "section": ("Resource:\n  A: {Type: X::Y}\nResources:\n  A: {Type: X::Y}\n",
                ["t.yaml:1:1: Template format error: Invalid template property or properties "
                 "[Resource]"]),
    "deletion policy": ("Resources:\n  A: {Type: X::Y, DeletionPolicy: Keep}\n",
                        ["Keep is not one of the values CloudFormation accepts"]),
    "alias": ("Resources:\n  A: &a {Type: X::Y}\n  B: *a\n", ["t.yaml:3:6: aliases"]),
    "parameter type": ("Parameters: {P: {Type: Text}}\nResources:\n  A: {Type: X::Y}\n",
                       ["Unrecognized parameter type: Text"]),
    "quota": ("Resources:\n" + "".join(f"  R{i}: {{Type: X::Y}}\n" for i in range(501)),
              ["Number of resources, 501, is greater than maximum allowed, 500"]),
    "name": ("Resources:\n  A-1: {Type: X::Y}\n", ["t.yaml:2:3: Template format error: Resource name A-1 is non "
                                                "alphanumeric."]),
    "mapping": ("Mappings:\n  M:\n    K: {A: !Ref AWS::Region}\nResources:\n  A: {Type: X::Y}\n",
                ["t.yaml:3:8: Template format error: Every Mappings attribute must be a String or "
                 "a List (in mapping M)"]),
    "default": ("Parameters:\n  P: {Type: String, Default: !Ref AWS::Region}\n"
                "Resources:\n  A: {Type: X::Y}\n",
                ["the Default of parameter P must be a literal value"]),
    "export name": ("Resources:\n  A: {Type: X::Y}\nOutputs:\n"
                    "  O: {Value: x, Export: {Name: !Sub '${A}-x'}}\n",
                    ["the Name of an Export can't include Ref or GetAtt functions that depend on "
                     "a resource (A)", "(at Outputs/O/Export/Name/Fn::Sub)"]),
    "list output": ("Parameters:\n  L: {Type: CommaDelimitedList, Default: 'a,b'}\n"
                    "Resources:\n  A: {Type: X::Y}\nOutputs:\n  O: {Value: !Ref L}\n"
                    "  M: {Value: {k: v}}\n",
                    ["The Value field of every Outputs member must evaluate to a String and not a "
                     "List. (at Outputs/O/Value)",
                     "must evaluate to a String and not a Map. (at Outputs/M/Value)"]),
    "import": ("Resources:\n  A: {Type: X::Y}\n  B:\n    Type: X::Y\n    Properties:\n"
               "      P: {Fn::ImportValue: !GetAtt A.Name}\n",
               ["Fn::ImportValue can't include Ref or GetAtt functions that depend on a resource"]),
}

PARAMS = ("Parameters:\n"
          "  S: {Type: String, AllowedValues: [a, b], Default: a}\n"
          "  P: {Type: String, AllowedPattern: '[a-z]+', Default: x}\n"
          "  L: {Type: String, MinLength: 2, MaxLength: 3, Default: xx}\n"
          "  N: {Type: Number, MinValue: 1, MaxValue: 5, Default: 2}\n"
          "  D: {Type: String, AllowedValues: [a], ConstraintDescription: only a, Default: a}\n"
          "  R: {Type: String}\n"
          "Resources:\n  A: {Type: X::Y}\n")


class Tool(unittest.TestCase):
    def run_tool(self, text, *args):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "t.yaml")
            with open(path, "w") as f:
                f.write(text)
            p = subprocess.run([TOOL, *args[:1], "--template-file", path, *args[1:]],
                               capture_output=True, text=True, timeout=60)
        return p.returncode, p.stdout, p.stderr.replace(path, "t.yaml")

    def test_good_template_summary(self):
        rc, out, err = self.run_tool(GOOD, "validate-template")
        self.assertEqual(rc, 0, err)
        o = json.loads(out)
        self.assertEqual(o["Description"], "a small stack")
        self.assertEqual(o["Parameters"], [
            {"ParameterKey": "Env", "DefaultValue": "dev", "NoEcho": False,
             "Description": "stage"},
            {"ParameterKey": "Password", "DefaultValue": "****", "NoEcho": True}])
        self.assertEqual(o["Capabilities"], ["CAPABILITY_IAM"])
        self.assertEqual(o["CapabilitiesReason"],
                         "The following resource(s) require capabilities: [AWS::IAM::Role]")
        self.assertNotIn("hunter2", out + err)

    def test_named_iam(self):
        rc, out, err = self.run_tool(GOOD.replace("AssumeRolePolicyDocument: {}",
                                                  "AssumeRolePolicyDocument: {}\n      RoleName: r"),
                                     "validate-template")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["Capabilities"], ["CAPABILITY_NAMED_IAM"])

    def test_broken_templates(self):
        for name, (text, parts) in BROKEN.items():
            with self.subTest(name):
                rc, out, err = self.run_tool(text, "validate-template")
                self.assertEqual(rc, 1, f"{name}: {out}{err}")
                for part in parts:
                    self.assertIn(part, err, name)

    def test_every_problem_reported(self):
        rc, _, err = self.run_tool(BROKEN["unresolved"][0], "validate-template")
        self.assertEqual(rc, 1)
        self.assertEqual(len(err.strip().splitlines()), 3, err)

    def test_parameter_constraints(self):
        cases = {
            "S=c": "Parameter 'S' must be one of AllowedValues",
            "P=x1": "Parameter 'P' must match pattern [a-z]+",
            "L=x": "Parameter 'L' must contain at least 2 characters",
            "L=wxyz": "Parameter 'L' must contain at most 3 characters",
            "N=x": "Parameter 'N' must be a number",
            "N=0": "Parameter 'N' must be a number not less than 1",
            "N=6": "Parameter 'N' must be a number not greater than 5",
            "D=b": "Parameter D failed to satisfy constraint: only a",
            "Q=1": "Parameters: [Q] do not exist in the template",
        }
        for kv, msg in cases.items():
            with self.subTest(kv):
                rc, out, err = self.run_tool(PARAMS, "validate-template",
                                             "--parameter-overrides", "R=r", kv)
                self.assertEqual(rc, 1, out + err)
                self.assertIn(msg, err)
        rc, _, err = self.run_tool(PARAMS, "validate-template", "--parameter-overrides", "S=b")
        self.assertEqual(rc, 1)
        self.assertIn("Parameters: [R] must have values", err)
        rc, _, err = self.run_tool(PARAMS, "validate-template", "--parameter-overrides", "R=r")
        self.assertEqual(rc, 0, err)

    def test_parameter_overrides_file_forms(self):
        # The three JSON forms `aws cloudformation deploy` reads from file://.
        forms = {
            "cli": ["R=r", "N=3"],
            "cloudformation": [{"ParameterKey": "R", "ParameterValue": "r"},
                               {"ParameterKey": "N", "ParameterValue": 3}],
            "codepipeline": {"Parameters": {"R": "r", "N": "3"}},
        }
        with tempfile.TemporaryDirectory() as d:
            for name, doc in forms.items():
                with self.subTest(name):
                    path = os.path.join(d, name + ".json")
                    with open(path, "w") as f:
                        json.dump(doc, f)
                    rc, out, err = self.run_tool(PARAMS, "validate-template",
                                                 "--parameter-overrides", "file://" + path)
                    self.assertEqual(rc, 0, err)
                    # A value given after the file is read too: N=9 breaks MaxValue.
                    rc, out, err = self.run_tool(PARAMS, "validate-template",
                                                 "--parameter-overrides", "file://" + path, "N=9")
                    self.assertEqual(rc, 1)
                    self.assertIn("Parameter 'N' must be a number not greater than 5", err)
            bad = {"notjson.json": ("{", "is not JSON"),
                   "shape.json": ('"R=r"', "expected"),
                   "entry.json": ("[5]", "every entry is"),
                   "value.json": ('{"Parameters": {"R": ["a"]}}', "parameter R: a value must be")}
            for name, (text, msg) in bad.items():
                with self.subTest(name):
                    path = os.path.join(d, name)
                    with open(path, "w") as f:
                        f.write(text)
                    rc, out, err = self.run_tool(PARAMS, "validate-template",
                                                 "--parameter-overrides", "file://" + path)
                    self.assertEqual(rc, 2, err)
                    self.assertIn(msg, err)
            rc, out, err = self.run_tool(PARAMS, "graph", "--parameter-overrides",
                                         "file://" + os.path.join(d, "missing.json"))
            self.assertEqual(rc, 2)
            self.assertIn("missing.json: No such file", err)

    def test_noecho_never_printed(self):
        text = ("Parameters:\n  Pw: {Type: String, NoEcho: true, MinLength: 9}\n"
                "Resources:\n  A: {Type: X::Y}\n")
        rc, out, err = self.run_tool(text, "validate-template", "--parameter-overrides",
                                     "Pw=s3cret")
        self.assertEqual(rc, 1)
        self.assertIn("Parameter 'Pw' must contain at least 9 characters", err)
        self.assertNotIn("s3cret", out + err)

    def test_graph_with_parameters_keeps_created_resources(self):
        rc, out, err = self.run_tool(GOOD, "graph")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out), {
            "nodes": ["Extra", "Fn", "Role"],
            "edges": [["Fn", "Extra", "Ref", 1], ["Fn", "Role", "DependsOn", 1],
                      ["Fn", "Role", "GetAtt", 1]]})
        rc, out, err = self.run_tool(GOOD, "graph", "--parameter-overrides", "Env=dev")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out), {
            "nodes": ["Fn", "Role"],
            "edges": [["Fn", "Role", "DependsOn", 1], ["Fn", "Role", "GetAtt", 1]]})
        rc, out, err = self.run_tool(GOOD, "graph", "--parameter-overrides", "Env=test")
        self.assertEqual(rc, 1)
        self.assertIn("Parameter 'Env' must be one of AllowedValues", err)

    def test_graph_dot(self):
        rc, out, err = self.run_tool(GOOD, "graph", "--format", "dot")
        self.assertEqual(rc, 0, err)
        self.assertTrue(out.startswith("digraph template {"))
        self.assertIn('"Fn" -> "Role" [label="GetAtt"];', out)

    def test_usage(self):
        p = subprocess.run([TOOL, "validate-template"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--template-file is required", p.stderr)
        p = subprocess.run([TOOL, "graph", "--format", "png", "x"], capture_output=True,
                           text=True)
        self.assertEqual(p.returncode, 2)


if __name__ == "__main__":
    unittest.main()
