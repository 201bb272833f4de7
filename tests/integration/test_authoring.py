"""The module author's loop: `cfnkit event` requests accepted by the built-in
modules against the local AWS (moto_server), `cfnkit lambda-run` running
providers as Lambda bootstraps, and `cfnkit check` holding providers to the
promises CloudFormation relies on."""

import io
import json
import os
import sys
import unittest
import uuid
import zipfile

from harness import Moto, ResponseBucket, program, run

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "resources", "unique_port"))
from test_unique_port import table_from_template  # noqa: E402

ASSUME = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def code_zip(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


class BuiltinSetup:
    """What the three built-in modules need in the local AWS: the port table,
    a role, a code object and a function to integrate."""

    def __init__(self, moto):
        self.table = "cfnkit-ports"
        table_from_template(moto, self.table)
        self.role = moto.client("iam").create_role(RoleName="authoring-role",
                                                   AssumeRolePolicyDocument=ASSUME)["Role"]["Arn"]
        s3 = moto.client("s3")
        s3.create_bucket(Bucket="code")
        s3.put_object(Bucket="code", Key="app.zip",
                      Body=code_zip({"index.py": "def handler(e, c):\n    return 1\n"}))
        self.fn = moto.client("lambda").create_function(
            FunctionName="target", Runtime="python3.12", Role=self.role, Handler="index.handler",
            Code={"ZipFile": code_zip({"index.py": "def handler(e, c): return {}\n"})})["FunctionArn"]
        self.env = dict(moto.env(), CFNKIT_UNIQUE_PORT_TABLE=self.table)

    def cases(self):
        """(type, create properties, update properties) for each module, as a
        template would write them: numbers and booleans as JSON."""
        return [
            ("Custom::UniquePort", {"Key": "authoring", "PortRange": "20000-20099"},
             {"Key": "authoring", "PortRange": "20000-20199"}),
            ("Custom::LambdaFunction",
             {"FunctionName": "authored", "Code": {"S3Bucket": "code", "S3Key": "app.zip"},
              "Handler": "index.handler", "Runtime": "python3.12", "Role": self.role,
              "MemorySize": 256, "Timeout": 10, "Env": {"DEBUG": True, "LIMIT": 5}},
             {"FunctionName": "authored", "Code": {"S3Bucket": "code", "S3Key": "app.zip"},
              "Handler": "index.handler", "Runtime": "python3.12", "Role": self.role,
              "MemorySize": 512, "Timeout": 10, "Env": {"DEBUG": False, "LIMIT": 5}}),
            ("Custom::APIGatewayResource",
             {"Path": "items/{id}", "Method": "GET",
              "IntegrationRequest": {"Type": "Lambda", "FunctionArn": self.fn}},
             {"Path": "items/{id}", "Method": "GET", "StageName": "dev",
              "IntegrationRequest": {"Type": "Lambda", "FunctionArn": self.fn}}),
        ]


def all_strings(value):
    if isinstance(value, dict):
        return all(all_strings(v) for v in value.values())
    if isinstance(value, list):
        return all(all_strings(v) for v in value)
    return isinstance(value, str)


class Event(unittest.TestCase):
    """`cfnkit event` on its own: the shape CloudFormation gives a request."""

    @classmethod
    def setUpClass(cls):
        cls.tool = program("CFNKIT_TOOL")

    def event(self, *args, env=None):
        res = run([self.tool, "event", *args],
                  env=dict({"AWS_REGION": "eu-west-1"}, **(env or {})))
        self.assertEqual(res.returncode, 0, res.stderr)
        return json.loads(res.stdout)

    def test_properties_stringified_as_cloudformation_does(self):
        props = {"Port": 8080, "Ratio": 1.5, "On": True, "Off": False, "Gone": None,
                 "List": [1, "a", {"Deep": True}], "Map": {"N": -3, "S": "x"}}
        ev = self.event("update", "--type", "Custom::Thing", "--properties", json.dumps(props),
                        "--old-properties", json.dumps({"Port": 80}), "--physical-id", "id-1",
                        "--account", "111122223333", "--stack-name", "web", "--logical-id", "Thing")
        self.assertEqual(ev["ResourceProperties"], {
            "ServiceToken": "arn:aws:lambda:eu-west-1:111122223333:function:cfnkit-provider",
            "Port": "8080", "Ratio": "1.5", "On": "true", "Off": "false",
            "List": ["1", "a", {"Deep": "true"}], "Map": {"N": "-3", "S": "x"}})
        self.assertEqual(ev["OldResourceProperties"]["Port"], "80")
        self.assertEqual(ev["ServiceToken"], ev["ResourceProperties"]["ServiceToken"])
        self.assertEqual((ev["RequestType"], ev["PhysicalResourceId"], ev["LogicalResourceId"],
                          ev["ResourceType"]), ("Update", "id-1", "Thing", "Custom::Thing"))
        self.assertRegex(ev["StackId"], r"^arn:aws:cloudformation:eu-west-1:111122223333:stack/web/"
                                        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        self.assertRegex(ev["RequestId"], r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        self.assertTrue(ev["ResponseURL"].startswith(
            "https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/arn%3Aaws%3A"))
        self.assertEqual(list(ev), ["RequestType", "ServiceToken", "ResponseURL", "StackId", "RequestId",
                                    "LogicalResourceId", "PhysicalResourceId", "ResourceType",
                                    "ResourceProperties", "OldResourceProperties"])

    def test_fresh_ids_and_defaults(self):
        a = self.event("create", "--type", "Custom::T", "--account", "1")
        b = self.event("create", "--type", "Custom::T", "--account", "1")
        self.assertNotEqual(a["RequestId"], b["RequestId"])
        self.assertEqual(a["StackId"], b["StackId"])  # one stack, named alike
        other = self.event("create", "--type", "Custom::T", "--account", "1", "--stack-name", "b")
        self.assertNotEqual(a["StackId"].split("/")[-1], other["StackId"].split("/")[-1])
        self.assertNotIn("PhysicalResourceId", a)
        self.assertNotIn("OldResourceProperties", a)
        self.assertEqual(a["LogicalResourceId"], "MyResource")
        self.assertIn(":stack/my-stack/", a["StackId"])
        gov = self.event("create", "--type", "Custom::T", "--account", "1",
                         env={"AWS_REGION": "us-gov-west-1"})
        self.assertTrue(gov["StackId"].startswith("arn:aws-us-gov:cloudformation:us-gov-west-1:1:"))

    def test_properties_from_file_and_stdin(self):
        path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"props-{uuid.uuid4().hex}.json")
        with open(path, "w") as f:
            json.dump({"Size": 3}, f)
        try:
            self.assertEqual(self.event("create", "--type", "Custom::T", "--account", "1",
                                        "--properties", "@" + path)["ResourceProperties"]["Size"], "3")
        finally:
            os.unlink(path)
        res = run([self.tool, "event", "create", "--type", "Custom::T", "--account", "1",
                   "--properties", "-"], stdin='{"A": [true]}', env={"AWS_REGION": "us-east-1"})
        self.assertEqual(json.loads(res.stdout)["ResourceProperties"]["A"], ["true"])

    def test_usage_errors(self):
        for args, says in [(["create"], "--type is required"),
                           (["delete", "--type", "Custom::T"], "--physical-id"),
                           (["remove", "--type", "Custom::T"], "create, update or delete"),
                           (["create", "--type", "Custom::T", "--properties", "[1"], "not JSON"),
                           (["create", "--type", "Custom::T", "--properties", "[1]"], "JSON object"),
                           (["create", "--type", "Custom::T", "--bogus", "1"], "unknown option --bogus")]:
            with self.subTest(args=args):
                res = run([self.tool, "event", *args, "--account", "1"], env={"AWS_REGION": "us-east-1"})
                self.assertEqual(res.returncode, 2, res.stdout)
                self.assertIn(says, res.stderr)
        res = run([self.tool, "event", "--help"])
        self.assertEqual(res.returncode, 0)
        self.assertIn("Usage: cfnkit event", res.stdout)


class EventAgainstLocalAws(unittest.TestCase):
    """Requests from `cfnkit event` run by `cfnkit invoke` through each built-in
    module against moto, responses read back from its S3 with boto3."""

    @classmethod
    def setUpClass(cls):
        cls.tool = program("CFNKIT_TOOL")
        cls.moto = Moto()
        cls.bucket = ResponseBucket(cls.moto)
        cls.setup = BuiltinSetup(cls.moto)

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def lifecycle_step(self, action, rtype, props, physical_id=None, old=None):
        key = "event/" + uuid.uuid4().hex
        args = [self.tool, "event", action.lower(), "--type", rtype, "--properties", json.dumps(props),
                "--response-url", self.bucket.presign(key), "--stack-name", "authoring",
                "--logical-id", "Res"]
        if physical_id:
            args += ["--physical-id", physical_id]
        if old is not None:
            args += ["--old-properties", json.dumps(old)]
        gen = run(args, env=self.setup.env)
        self.assertEqual(gen.returncode, 0, gen.stderr)
        ev = json.loads(gen.stdout)
        self.assertTrue(all_strings(ev["ResourceProperties"]))
        self.assertIn(":123456789012:stack/authoring/", ev["StackId"])  # moto's account, from STS
        res = run([self.tool, "invoke", "--event", "-"], stdin=gen.stdout, env=self.setup.env)
        body = self.bucket.read(key)
        self.assertEqual(body["Status"], "SUCCESS", body.get("Reason"))
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual((body["RequestId"], body["StackId"]), (ev["RequestId"], ev["StackId"]))
        return body

    def test_builtin_modules_accept_generated_requests(self):
        for rtype, create, update in self.setup.cases():
            with self.subTest(type=rtype):
                made = self.lifecycle_step("Create", rtype, create)
                pid = made["PhysicalResourceId"]
                changed = self.lifecycle_step("Update", rtype, update, physical_id=pid, old=create)
                self.assertEqual(changed["PhysicalResourceId"], pid)
                self.lifecycle_step("Delete", rtype, update, physical_id=pid)
        self.assertEqual(self.moto.client("lambda").list_functions()["Functions"][0]["FunctionName"],
                         "target")
        self.assertEqual(len(self.moto.client("lambda").list_functions()["Functions"]), 1)


if __name__ == "__main__":
    unittest.main()
