"""SSM parameter types read from the local AWS's Parameter Store (moto) by
`cfnkit graph` / `cfnkit validate-template` with parameter values, through
the framework's SSM client (JSON 1.1); values written and checked with boto3.
Source: UserGuide/parameters-section-structure.html#aws-ssm-parameter-types."""
import json
import os
import tempfile
import unittest

from harness import Moto, program, run

TEMPLATE = """\
Parameters:
  Stage: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /cfnkit/stage}
  Zones: {Type: 'AWS::SSM::Parameter::Value<List<String>>', Default: /cfnkit/zones}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  TwoZones: !Equals [!Select [1, !Ref Zones], b]
Resources:
  Always: {Type: AWS::SNS::Topic}
  ProdOnly: {Type: AWS::SNS::Topic, Condition: IsProd, Properties: {TopicName: !Ref Always}}
  Zoned: {Type: AWS::SNS::Topic, Condition: TwoZones}
"""


class SsmParameters(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        cls.tool = program("CFNKIT_TOOL")
        cls.ssm = cls.moto.client("ssm")
        cls.dir = tempfile.TemporaryDirectory()
        cls.path = os.path.join(cls.dir.name, "t.yaml")
        with open(cls.path, "w") as f:
            f.write(TEMPLATE)

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()
        cls.dir.cleanup()

    def tool_run(self, *args):
        return run([self.tool, *args], env=self.moto.env())

    def graph(self, *overrides):
        res = self.tool_run("graph", "--template-file", self.path, "--parameter-overrides",
                            *overrides)
        self.assertEqual(res.returncode, 0, res.stderr)
        return json.loads(res.stdout)

    def test_values_come_from_parameter_store(self):
        self.ssm.put_parameter(Name="/cfnkit/stage", Value="prod", Type="String", Overwrite=True)
        self.ssm.put_parameter(Name="/cfnkit/zones", Value="a,b", Type="StringList",
                               Overwrite=True)
        g = self.graph("Stage=/cfnkit/stage")
        self.assertEqual(g["nodes"], ["Always", "ProdOnly", "Zoned"])
        self.assertEqual(g["edges"], [["ProdOnly", "Always", "Ref", 1]])
        self.ssm.put_parameter(Name="/cfnkit/stage", Value="dev", Type="String", Overwrite=True)
        self.assertEqual(self.graph("Stage=/cfnkit/stage")["nodes"], ["Always", "Zoned"])
        # The override names another SSM parameter, as with CloudFormation.
        self.ssm.put_parameter(Name="/other/stage", Value="prod", Type="SecureString",
                               Overwrite=True)
        self.assertEqual(self.graph("Stage=/other/stage")["nodes"],
                         ["Always", "ProdOnly", "Zoned"])

    def test_missing_parameter_names_it(self):
        res = self.tool_run("validate-template", "--template-file", self.path,
                            "--parameter-overrides", "Stage=/cfnkit/nothing-here")
        self.assertEqual(res.returncode, 1)
        self.assertIn("Parameter 'Stage': SSM parameter /cfnkit/nothing-here", res.stderr)

    def test_aws_ssm_command(self):
        self.ssm.put_parameter(Name="/cfnkit/read", Value="v1", Type="String", Overwrite=True)
        res = self.tool_run("aws", "ssm", "GetParameters", json.dumps({"Names": ["/cfnkit/read"]}))
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(json.loads(res.stdout)["Parameters"][0]["Value"], "v1")
        res = self.tool_run("aws", "ssm", "PutParameter",
                            json.dumps({"Name": "/cfnkit/written", "Value": "w",
                                        "Type": "String"}))
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(self.ssm.get_parameter(Name="/cfnkit/written")["Parameter"]["Value"], "w")


if __name__ == "__main__":
    unittest.main()
