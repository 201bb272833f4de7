"""CloudFormation's own properties of a custom resource (#13.5): every
built-in module takes ServiceToken and ServiceTimeout on Create, Update and
Delete as CloudFormation sends them (strings), and every shipped template
sets ServiceTimeout on its custom resources."""

import glob
import io
import json
import os
import sys
import unittest
import zipfile

from harness import ModuleTest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "resources", "unique_port"))
from test_unique_port import table_from_template  # noqa: E402

ASSUME = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def code_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def h(e, c): return {}\n")
    return buf.getvalue()


class Templates(unittest.TestCase):
    def test_every_custom_resource_sets_service_timeout(self):
        from cfnlint.decode import cfn_yaml
        paths = sorted(glob.glob(os.path.join(ROOT, "templates", "**", "*.yaml"), recursive=True))
        self.assertGreaterEqual(len(paths), 3)
        found = 0
        for path in paths:
            for name, res in cfn_yaml.load(path).get("Resources", {}).items():
                kind = res.get("Type", "")
                if not (kind.startswith("Custom::") or kind == "AWS::CloudFormation::CustomResource"):
                    continue
                found += 1
                with self.subTest(template=os.path.relpath(path, ROOT), resource=name):
                    timeout = res["Properties"].get("ServiceTimeout")
                    self.assertIsInstance(timeout, int)
                    self.assertTrue(1 <= timeout <= 3600, timeout)
        self.assertGreater(found, 0)


class ServiceProperties(ModuleTest):
    """One Create, an Update changing only ServiceTimeout, and a Delete, per
    module: all SUCCESS, the physical id kept."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        table_from_template(cls.moto, "cfnkit-ports")
        cls.env = dict(cls.env, CFNKIT_UNIQUE_PORT_TABLE="cfnkit-ports")
        s3, lam = cls.moto.client("s3"), cls.moto.client("lambda")
        cls.role = cls.moto.client("iam").create_role(RoleName="svc-role",
                                                      AssumeRolePolicyDocument=ASSUME)["Role"]["Arn"]
        s3.create_bucket(Bucket="code")
        s3.put_object(Bucket="code", Key="app.zip", Body=code_zip())
        cls.fn = lam.create_function(FunctionName="target", Runtime="python3.12", Role=cls.role,
                                     Handler="index.h", Code={"ZipFile": code_zip()})["FunctionArn"]

    def round_trip(self, resource_type, props):
        self.resource_type = resource_type
        first = dict(props, ServiceTimeout="600")
        made = self.invoke("Create", first, logical="Svc", expect="SUCCESS")
        pid = made["PhysicalResourceId"]
        second = dict(props, ServiceTimeout="900")
        updated = self.invoke("Update", second, physical_id=pid, old=first, logical="Svc", expect="SUCCESS")
        self.assertEqual(updated["PhysicalResourceId"], pid)
        self.assertEqual(updated["Data"], made["Data"])
        self.invoke("Delete", second, physical_id=pid, logical="Svc", expect="SUCCESS")

    def test_lambda_function(self):
        self.round_trip("Custom::LambdaFunction", {
            "Code": {"S3Bucket": "code", "S3Key": "app.zip"}, "Env": {"A": "1"}, "Handler": "index.h",
            "Runtime": "python3.12", "Role": self.role})

    def test_apigateway_resource(self):
        self.round_trip("Custom::APIGatewayResource", {
            "Path": "svc", "Method": "GET", "IntegrationRequest": {"Type": "Lambda", "FunctionArn": self.fn}})

    def test_unique_port(self):
        self.round_trip("Custom::UniquePort", {"Key": "svc-pool", "PortRange": "20000-20010"})


if __name__ == "__main__":
    unittest.main()
