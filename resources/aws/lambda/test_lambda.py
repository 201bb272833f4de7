"""AWS::Lambda::Function and AWS::Lambda::Permission against the local AWS
(moto_server), through `cfnkit native-provider invoke`, with the state read
back with boto3. moto runs CreateFunction without Docker; only Invoke needs it,
so no test invokes a function."""

import io
import json
import os
import sys
import unittest
import uuid
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "integration"))
from harness import NativeTest  # noqa: E402

ASSUME = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})
CODE = "def handler(event, context):\n    return 'hi'\n"


def package(text):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", text)
    return buf.getvalue()


class LambdaTest(NativeTest):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lam = cls.moto.client("lambda")
        iam = cls.moto.client("iam")
        cls.role = iam.create_role(RoleName="fn-role", AssumeRolePolicyDocument=ASSUME)["Role"]["Arn"]
        cls.s3 = cls.moto.client("s3")
        cls.code_bucket = "code-" + uuid.uuid4().hex[:8]
        cls.s3.create_bucket(Bucket=cls.code_bucket)
        cls.s3.put_object(Bucket=cls.code_bucket, Key="v1.zip", Body=package(CODE))
        cls.s3.put_object(Bucket=cls.code_bucket, Key="v2.zip", Body=package(CODE + "# v2\n"))

    def setUp(self):
        self.resource_type = "AWS::Lambda::Function"

    def inline(self, **extra):
        props = {"Role": self.role, "Runtime": "python3.12", "Handler": "index.handler",
                 "Code": {"ZipFile": CODE}}
        props.update(extra)
        return props

    def test_inline_create_update_delete(self):
        props = self.inline(Timeout=10, MemorySize=256, Description="first",
                            Environment={"Variables": {"STAGE": "dev", "N": "1"}},
                            Tags=[{"Key": "team", "Value": "a"}, {"Key": "cost", "Value": "x"}])
        body = self.invoke("Create", props, logical="Fn", expect="SUCCESS")
        name = body["PhysicalResourceId"]
        # CloudFormation's generated name: stack, logical id, 12 characters.
        self.assertRegex(name, r"^ports-Fn-[A-Z0-9]{12}$")
        fn = self.lam.get_function(FunctionName=name)
        conf = fn["Configuration"]
        self.assertEqual(body["Data"]["Arn"], conf["FunctionArn"])
        self.assertEqual(body["Data"]["SnapStartResponse"],
                         {"ApplyOn": "None", "OptimizationStatus": "Off"})
        self.assertEqual((body["Data"]["SnapStartResponse.ApplyOn"],
                          body["Data"]["SnapStartResponse.OptimizationStatus"]), ("None", "Off"))
        self.assertEqual(conf["State"], "Active")
        self.assertEqual((conf["Runtime"], conf["Handler"], conf["Timeout"], conf["MemorySize"],
                          conf["Description"], conf["Role"]),
                         ("python3.12", "index.handler", 10, 256, "first", self.role))
        self.assertEqual(conf["Environment"]["Variables"], {"STAGE": "dev", "N": "1"})
        self.assertEqual(fn["Tags"], {"team": "a", "cost": "x"})
        self.assertGreater(conf["CodeSize"], 0)
        sha = conf["CodeSha256"]

        # In place: new code, a changed timeout, MemorySize dropped (back to
        # Lambda's 128), one tag changed and one dropped.
        new = self.inline(Timeout=20, Description="second", Code={"ZipFile": CODE + "# v2\n"},
                          Environment={"Variables": {"STAGE": "prod"}},
                          Tags=[{"Key": "team", "Value": "b"}])
        body = self.invoke("Update", new, physical_id=name, old=props, logical="Fn",
                           expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], name)
        fn = self.lam.get_function(FunctionName=name)
        conf = fn["Configuration"]
        self.assertEqual((conf["Timeout"], conf["MemorySize"], conf["Description"]),
                         (20, 128, "second"))
        self.assertEqual(conf["Environment"]["Variables"], {"STAGE": "prod"})
        self.assertNotEqual(conf["CodeSha256"], sha)
        self.assertEqual(fn["Tags"], {"team": "b"})

        self.invoke("Delete", new, physical_id=name, logical="Fn", expect="SUCCESS")
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.get_function(FunctionName=name)
        self.invoke("Delete", new, physical_id=name, logical="Fn", expect="SUCCESS")

    def test_s3_code_named(self):
        props = self.inline(FunctionName="named-fn", Code={"S3Bucket": self.code_bucket,
                                                          "S3Key": "v1.zip"},
                            Architectures=["arm64"], Layers=[], TracingConfig={"Mode": "Active"},
                            EphemeralStorage={"Size": "1024"})
        body = self.invoke("Create", props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "named-fn")
        conf = self.lam.get_function_configuration(FunctionName="named-fn")
        self.assertEqual((conf["Architectures"], conf["TracingConfig"]["Mode"],
                          conf["EphemeralStorage"]["Size"]), (["arm64"], "Active", 1024))
        sha = conf["CodeSha256"]
        # A given name that exists fails as CloudFormation says.
        body = self.invoke("Create", props, expect="FAILED")
        self.assertIn("'named-fn' already exists", body["Reason"])
        # New code. (Dropping TracingConfig or EphemeralStorage sends Lambda's
        # defaults, but moto's UpdateFunctionConfiguration ignores both, as
        # it does from boto3: test_inline_create_update_delete checks the
        # reset with MemorySize instead.)
        new = dict(props, Code={"S3Bucket": self.code_bucket, "S3Key": "v2.zip"})
        self.invoke("Update", new, physical_id="named-fn", old=props, expect="SUCCESS")
        conf = self.lam.get_function_configuration(FunctionName="named-fn")
        self.assertNotEqual(conf["CodeSha256"], sha)
        self.invoke("Delete", new, physical_id="named-fn", expect="SUCCESS")
        self.assertNotIn("named-fn",
                         [f["FunctionName"] for f in self.lam.list_functions()["Functions"]])

    def test_create_delivered_twice(self):
        rid = str(uuid.uuid4())
        props = self.inline()
        first = self.invoke("Create", props, request_id=rid, logical="Twice", expect="SUCCESS")
        again = self.invoke("Create", props, request_id=rid, logical="Twice", expect="SUCCESS")
        self.assertEqual(first["PhysicalResourceId"], again["PhysicalResourceId"])
        self.assertEqual(first["Data"], again["Data"])
        self.invoke("Delete", props, physical_id=first["PhysicalResourceId"], expect="SUCCESS")

    def test_bad_input(self):
        body = self.invoke("Create", self.inline(ReservedConcurrentExecutions=5), expect="FAILED")
        self.assertIn("AWS::Lambda::Function property ReservedConcurrentExecutions is not "
                      "supported by cfnkit's local engine", body["Reason"])
        body = self.invoke("Create", self.inline(Runtime="java21"), expect="FAILED")
        self.assertIn("ZipFile is for Node.js and Python runtimes only", body["Reason"])
        body = self.invoke("Create", {"Code": {"ZipFile": CODE}}, expect="FAILED")
        self.assertIn("property Role is required", body["Reason"])
        body = self.invoke("Create", self.inline(FunctionName="bad name"), expect="FAILED")
        self.assertIn("FunctionName \"bad name\" is invalid", body["Reason"])
        self.assertEqual(self.lam.list_functions()["Functions"], [])
        # A Delete of an id this type never gave, after a failed Create.
        self.invoke("Delete", self.inline(), physical_id="ports-Res-not a function",
                    expect="SUCCESS")

    def test_permission(self):
        fn = self.invoke("Create", self.inline(FunctionName="perm-fn"), expect="SUCCESS")
        arn = fn["Data"]["Arn"]
        self.resource_type = "AWS::Lambda::Permission"
        props = {"FunctionName": "perm-fn", "Action": "lambda:InvokeFunction",
                 "Principal": "s3.amazonaws.com", "SourceAccount": "123456789012",
                 "SourceArn": "arn:aws:s3:::some-bucket"}
        body = self.invoke("Create", props, logical="Perm", expect="SUCCESS")
        sid = body["Data"]["Id"]
        self.assertRegex(sid, r"^ports-Perm-[A-Z0-9]{12}$")
        self.assertEqual(body["PhysicalResourceId"], arn + "|" + sid)
        policy = json.loads(self.lam.get_policy(FunctionName="perm-fn")["Policy"])
        [st] = [s for s in policy["Statement"] if s["Sid"] == sid]
        self.assertEqual(st["Action"], "lambda:InvokeFunction")
        self.assertEqual(st["Principal"], {"Service": "s3.amazonaws.com"})
        self.assertEqual(st["Condition"]["ArnLike"]["AWS:SourceArn"], "arn:aws:s3:::some-bucket")
        self.assertEqual(st["Condition"]["StringEquals"]["AWS:SourceAccount"], "123456789012")
        # Every property is create-only: an Update keeps the statement.
        again = self.invoke("Update", props, physical_id=body["PhysicalResourceId"], old=props,
                            logical="Perm", expect="SUCCESS")
        self.assertEqual(again["PhysicalResourceId"], body["PhysicalResourceId"])
        self.invoke("Delete", props, physical_id=body["PhysicalResourceId"], expect="SUCCESS")
        # The last statement gone, Lambda has no policy left.
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.get_policy(FunctionName="perm-fn")
        self.invoke("Delete", props, physical_id=body["PhysicalResourceId"], expect="SUCCESS")
        # FunctionName as templates often give it: the function's ARN.
        by_arn = dict(props, FunctionName=arn, Principal="events.amazonaws.com")
        body = self.invoke("Create", by_arn, logical="PermArn", expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], arn + "|" + body["Data"]["Id"])
        self.assertIn(body["Data"]["Id"], self.lam.get_policy(FunctionName="perm-fn")["Policy"])
        self.invoke("Delete", by_arn, physical_id=body["PhysicalResourceId"], expect="SUCCESS")
        body = self.invoke("Create", dict(props, Qualifier="x"), expect="FAILED")
        self.assertIn("property Qualifier is not supported", body["Reason"])
        self.resource_type = "AWS::Lambda::Function"
        self.invoke("Delete", {}, physical_id="perm-fn", expect="SUCCESS")
        # The function gone, its permission's Delete still succeeds.
        self.resource_type = "AWS::Lambda::Permission"
        self.invoke("Delete", props, physical_id=arn + "|gone", expect="SUCCESS")


    def test_layer_version(self):
        self.resource_type = "AWS::Lambda::LayerVersion"
        props = {"Content": {"S3Bucket": self.code_bucket, "S3Key": "v1.zip"},
                 "CompatibleRuntimes": ["python3.12"], "Description": "shared code",
                 "LicenseInfo": "MIT"}
        body = self.invoke("Create", props, logical="Layer", expect="SUCCESS")
        arn = body["PhysicalResourceId"]
        self.assertRegex(arn, r"^arn:aws:lambda:us-east-1:123456789012:layer:"
                              r"ports-Layer-[A-Z0-9]{12}:1$")
        self.assertEqual(body["Data"], {"LayerVersionArn": arn})
        name = arn.split(":")[6]
        [v] = self.lam.list_layer_versions(LayerName=name)["LayerVersions"]
        self.assertEqual((v["LayerVersionArn"], v["Description"], v["LicenseInfo"],
                          v["CompatibleRuntimes"]),
                         (arn, "shared code", "MIT", ["python3.12"]))
        # Every property is create-only: an Update keeps the version.
        again = self.invoke("Update", props, physical_id=arn, old=props, expect="SUCCESS")
        self.assertEqual(again["PhysicalResourceId"], arn)
        self.invoke("Delete", props, physical_id=arn, expect="SUCCESS")
        self.assertEqual(self.lam.list_layer_versions(LayerName=name)["LayerVersions"], [])
        self.invoke("Delete", props, physical_id=arn, expect="SUCCESS")

    def test_event_source_mapping(self):
        sqs = self.moto.client("sqs")
        queue = sqs.create_queue(QueueName="jobs")["QueueUrl"]
        qarn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        self.invoke("Create", self.inline(FunctionName="esm-fn"), expect="SUCCESS")
        self.resource_type = "AWS::Lambda::EventSourceMapping"
        props = {"FunctionName": "esm-fn", "EventSourceArn": qarn, "BatchSize": 5,
                 "Enabled": True}
        body = self.invoke("Create", props, logical="Feed", expect="SUCCESS")
        uuid_ = body["PhysicalResourceId"]
        got = self.lam.get_event_source_mapping(UUID=uuid_)
        self.assertEqual(body["Data"]["Id"], uuid_)
        self.assertTrue(body["Data"]["EventSourceMappingArn"].endswith(uuid_))
        self.assertEqual((got["EventSourceArn"], got["BatchSize"]), (qarn, 5))
        self.assertTrue(got["FunctionArn"].endswith(":function:esm-fn"))
        new = dict(props, BatchSize="7")
        self.invoke("Update", new, physical_id=uuid_, old=props, expect="SUCCESS")
        self.assertEqual(self.lam.get_event_source_mapping(UUID=uuid_)["BatchSize"], 7)
        self.invoke("Delete", new, physical_id=uuid_, expect="SUCCESS")
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.get_event_source_mapping(UUID=uuid_)
        self.invoke("Delete", new, physical_id=uuid_, expect="SUCCESS")
        self.resource_type = "AWS::Lambda::Function"
        self.invoke("Delete", {}, physical_id="esm-fn", expect="SUCCESS")


    def test_replacement(self):
        old = self.inline(FunctionName="first-fn")
        self.invoke("Create", old, logical="Fn", expect="SUCCESS")
        # FunctionName is create-only: the engine creates the new function,
        # then deletes the old one in its cleanup.
        new = self.inline(FunctionName="second-fn")
        body = self.invoke("Create", new, logical="Fn", expect="SUCCESS")
        self.assertEqual(body["Data"]["Arn"],
                         self.lam.get_function(FunctionName="second-fn")["Configuration"][
                             "FunctionArn"])
        self.invoke("Delete", old, physical_id="first-fn", logical="Fn", expect="SUCCESS")
        names = [f["FunctionName"] for f in self.lam.list_functions()["Functions"]]
        self.assertIn("second-fn", names)
        self.assertNotIn("first-fn", names)
        self.invoke("Delete", new, physical_id="second-fn", logical="Fn", expect="SUCCESS")


    def test_version(self):
        self.invoke("Create", self.inline(FunctionName="ver-fn"), expect="SUCCESS")
        sha = self.lam.get_function_configuration(FunctionName="ver-fn")["CodeSha256"]
        self.resource_type = "AWS::Lambda::Version"
        props = {"FunctionName": "ver-fn", "Description": "first", "CodeSha256": sha}
        body = self.invoke("Create", props, logical="V1", expect="SUCCESS")
        arn = body["PhysicalResourceId"]
        self.assertEqual(body["Data"], {"FunctionArn": arn, "Version": "1"})
        self.assertTrue(arn.endswith(":function:ver-fn:1"))
        got = self.lam.get_function_configuration(FunctionName="ver-fn", Qualifier="1")
        self.assertEqual((got["FunctionArn"], got["Description"]), (arn, "first"))
        # (moto does not check CodeSha256 against the code, as Lambda does.)
        again = self.invoke("Update", props, physical_id=arn, old=props, expect="SUCCESS")
        self.assertEqual(again["PhysicalResourceId"], arn)
        self.invoke("Delete", props, physical_id=arn, expect="SUCCESS")
        versions = [v["Version"] for v in self.lam.list_versions_by_function(
            FunctionName="ver-fn")["Versions"]]
        self.assertNotIn("1", versions)
        self.invoke("Delete", props, physical_id=arn, expect="SUCCESS")
        self.resource_type = "AWS::Lambda::Function"
        self.invoke("Delete", {}, physical_id="ver-fn", expect="SUCCESS")


if __name__ == "__main__":
    unittest.main()
