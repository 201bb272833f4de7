"""AWS::SecretsManager::Secret through `cfnkit native-provider` against moto:
given and generated secret values read back with boto3, Ref and Fn::GetAtt Id
(the ARN), update in place, delete (no recovery window) and delete again, and
the secret value in no response."""

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "integration"))
from harness import NativeTest  # noqa: E402

REQUEST = "5d1e9a8c-7b1f-4c2e-9d3a-2f6b8e4c1a07"


class Secret(NativeTest):
    resource_type = "AWS::SecretsManager::Secret"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sm = cls.moto.client("secretsmanager")

    def value(self, arn):
        return self.sm.get_secret_value(SecretId=arn)["SecretString"]

    def test_lifecycle(self):
        props = {"Name": "app/db", "Description": "db", "SecretString": "s3cr3t-one",
                 "Tags": [{"Key": "team", "Value": "a"}, {"Key": "gone", "Value": "x"}]}
        body = self.invoke("Create", props, expect="SUCCESS")
        arn = body["PhysicalResourceId"]
        d = self.sm.describe_secret(SecretId="app/db")
        self.assertEqual(arn, d["ARN"])
        self.assertEqual(body["Data"], {"Id": arn})
        self.assertNotIn("s3cr3t", json.dumps(body))
        self.assertEqual(self.value(arn), "s3cr3t-one")
        self.assertEqual(d["Description"], "db")
        self.assertEqual({t["Key"]: t["Value"] for t in d["Tags"]}, {"team": "a", "gone": "x"})

        new = dict(props, Description="database", SecretString="s3cr3t-two",
                   Tags=[{"Key": "team", "Value": "b"}])
        body = self.invoke("Update", new, physical_id=arn, old=props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], arn)
        self.assertNotIn("s3cr3t", json.dumps(body))
        d = self.sm.describe_secret(SecretId=arn)
        self.assertEqual(d["Description"], "database")
        self.assertEqual(self.value(arn), "s3cr3t-two")
        self.assertEqual({t["Key"]: t["Value"] for t in d["Tags"]}, {"team": "b"})

        self.invoke("Delete", new, physical_id=arn, expect="SUCCESS")
        with self.assertRaises(self.sm.exceptions.ResourceNotFoundException):
            self.sm.describe_secret(SecretId=arn)
        self.invoke("Delete", new, physical_id=arn, expect="SUCCESS")
        # No recovery window: the name is free again at once.
        body = self.invoke("Create", props, expect="SUCCESS")
        self.invoke("Delete", props, physical_id=body["PhysicalResourceId"], expect="SUCCESS")

    def test_generated_secret_and_name(self):
        props = {"GenerateSecretString": {
            "SecretStringTemplate": '{"username": "admin"}', "GenerateStringKey": "password",
            "PasswordLength": 20, "ExcludeCharacters": "\"@/\\", "ExcludePunctuation": "true"}}
        body = self.invoke("Create", props, logical="DbSecret", expect="SUCCESS")
        arn = body["PhysicalResourceId"]
        name = self.sm.describe_secret(SecretId=arn)["Name"]
        self.assertRegex(name, r"^[A-Za-z0-9-]+-DbSecret-[A-Z0-9]{12}$")
        secret = json.loads(self.value(arn))
        self.assertEqual(secret["username"], "admin")
        self.assertEqual(len(secret["password"]), 20)
        self.assertTrue(secret["password"].isalnum(), "punctuation excluded")

        # An update that leaves GenerateSecretString alone keeps the password.
        new = dict(props, Description="d")
        self.invoke("Update", new, physical_id=arn, old=props, expect="SUCCESS")
        self.assertEqual(json.loads(self.value(arn)), secret)
        self.invoke("Delete", new, physical_id=arn, expect="SUCCESS")

    def test_both_values_are_refused(self):
        body = self.invoke("Create", {"Name": "both", "SecretString": "x",
                                      "GenerateSecretString": {}}, expect="FAILED")
        self.assertIn("SecretString and GenerateSecretString are mutually exclusive",
                      body["Reason"])

    def test_unsupported_property_is_refused(self):
        body = self.invoke("Create", {"Name": "u", "SecretString": "hidden-value",
                                      "ReplicaRegions": [{"Region": "eu-west-1"}]},
                           expect="FAILED")
        self.assertIn("AWS::SecretsManager::Secret property ReplicaRegions is not supported by "
                      "cfnkit's local engine", body["Reason"])
        self.assertNotIn("hidden-value", json.dumps(body))
        self.assertEqual(self.sm.list_secrets(
            Filters=[{"Key": "name", "Values": ["u"]}])["SecretList"], [])


    def test_create_delivered_twice(self):
        # The same Create again (a redelivery): the same resource, no error.
        props = {"GenerateSecretString": {}}
        first = self.invoke("Create", props, logical="Twice", request_id=REQUEST, expect="SUCCESS")
        again = self.invoke("Create", props, logical="Twice", request_id=REQUEST, expect="SUCCESS")
        pid = first["PhysicalResourceId"]
        self.assertEqual(again["PhysicalResourceId"], pid)
        self.assertEqual(again["Data"], first["Data"])
        self.sm.describe_secret(SecretId=pid)
        self.invoke("Delete", props, physical_id=pid, expect="SUCCESS")

class ResourcePolicy(NativeTest):
    resource_type = "AWS::SecretsManager::ResourcePolicy"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sm = cls.moto.client("secretsmanager")

    def policy(self, arn):
        got = self.sm.get_resource_policy(SecretId=arn).get("ResourcePolicy")
        return json.loads(got) if got else None

    def test_lifecycle(self):
        arn = self.sm.create_secret(Name="guarded", SecretString="x")["ARN"]
        doc = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}
        props = {"SecretId": "guarded", "ResourcePolicy": doc, "BlockPublicPolicy": True}
        body = self.invoke("Create", props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], arn)
        self.assertEqual(body["Data"], {"Id": arn})
        self.assertEqual(self.policy(arn), doc)

        doc2 = dict(doc, Statement=[dict(doc["Statement"][0], Action="secretsmanager:*")])
        new = dict(props, ResourcePolicy=json.dumps(doc2))
        self.invoke("Update", new, physical_id=arn, old=props, expect="SUCCESS")
        self.assertEqual(self.policy(arn), doc2)

        self.invoke("Delete", new, physical_id=arn, expect="SUCCESS")
        self.assertIsNone(self.policy(arn))
        self.sm.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)
        self.invoke("Delete", new, physical_id=arn, expect="SUCCESS")


if __name__ == "__main__":
    unittest.main()
