"""AWS::KMS::Key and AWS::KMS::Alias through `cfnkit native-provider` against
moto: key settings, policy, rotation, tags and aliases read back with boto3,
Ref and every Fn::GetAtt, updates in place, delete (a key's deletion scheduled)
and delete again."""

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "integration"))
from harness import NativeTest  # noqa: E402

POLICY = {"Version": "2012-10-17", "Statement": [{
    "Sid": "root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
    "Action": "kms:*", "Resource": "*"}]}


class Key(NativeTest):
    resource_type = "AWS::KMS::Key"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kms = cls.moto.client("kms")

    def test_lifecycle(self):
        props = {"Description": "app key", "KeyPolicy": POLICY, "EnableKeyRotation": True,
                 "PendingWindowInDays": 7,
                 "Tags": [{"Key": "team", "Value": "a"}, {"Key": "gone", "Value": "x"}]}
        body = self.invoke("Create", props, expect="SUCCESS")
        kid = body["PhysicalResourceId"]
        m = self.kms.describe_key(KeyId=kid)["KeyMetadata"]
        self.assertEqual(body["Data"], {"Arn": m["Arn"], "KeyId": kid})
        self.assertEqual((m["Description"], m["KeyState"]), ("app key", "Enabled"))
        self.assertTrue(self.kms.get_key_rotation_status(KeyId=kid)["KeyRotationEnabled"])
        self.assertEqual(json.loads(self.kms.get_key_policy(KeyId=kid,
                                                            PolicyName="default")["Policy"]),
                         POLICY)
        tags = self.kms.list_resource_tags(KeyId=kid)["Tags"]
        self.assertEqual({t["TagKey"]: t["TagValue"] for t in tags}, {"team": "a", "gone": "x"})

        policy2 = dict(POLICY, Statement=[dict(POLICY["Statement"][0], Sid="root2")])
        new = dict(props, Description="renamed", KeyPolicy=json.dumps(policy2),
                   EnableKeyRotation="false", Enabled=False,
                   Tags=[{"Key": "team", "Value": "b"}])
        body = self.invoke("Update", new, physical_id=kid, old=props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], kid)
        m = self.kms.describe_key(KeyId=kid)["KeyMetadata"]
        self.assertEqual((m["Description"], m["KeyState"]), ("renamed", "Disabled"))
        self.assertFalse(self.kms.get_key_rotation_status(KeyId=kid)["KeyRotationEnabled"])
        self.assertEqual(json.loads(self.kms.get_key_policy(KeyId=kid,
                                                            PolicyName="default")["Policy"]),
                         policy2)
        tags = self.kms.list_resource_tags(KeyId=kid)["Tags"]
        self.assertEqual({t["TagKey"]: t["TagValue"] for t in tags}, {"team": "b"})

        body = self.invoke("Update", dict(new, KeyUsage="SIGN_VERIFY"), physical_id=kid, old=new,
                           expect="FAILED")
        self.assertIn("KeyUsage cannot change on an existing key", body["Reason"])

        self.invoke("Delete", new, physical_id=kid, expect="SUCCESS")
        m = self.kms.describe_key(KeyId=kid)["KeyMetadata"]
        self.assertEqual(m["KeyState"], "PendingDeletion")
        self.invoke("Delete", new, physical_id=kid, expect="SUCCESS")

    def test_unsupported_property_is_refused(self):
        body = self.invoke("Create", {"Description": "u", "Other": 1}, expect="FAILED")
        self.assertIn("AWS::KMS::Key property Other is not supported by cfnkit's local engine",
                      body["Reason"])


class Alias(NativeTest):
    resource_type = "AWS::KMS::Alias"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kms = cls.moto.client("kms")

    def aliases(self):
        return {a["AliasName"]: a.get("TargetKeyId")
                for a in self.kms.list_aliases()["Aliases"]}

    def test_lifecycle(self):
        k1 = self.kms.create_key()["KeyMetadata"]["KeyId"]
        k2 = self.kms.create_key()["KeyMetadata"]["KeyId"]
        props = {"AliasName": "alias/app", "TargetKeyId": k1}
        body = self.invoke("Create", props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "alias/app")
        self.assertEqual(self.aliases()["alias/app"], k1)

        new = dict(props, TargetKeyId=k2)
        self.invoke("Update", new, physical_id="alias/app", old=props, expect="SUCCESS")
        self.assertEqual(self.aliases()["alias/app"], k2)

        self.invoke("Delete", new, physical_id="alias/app", expect="SUCCESS")
        self.assertNotIn("alias/app", self.aliases())
        self.invoke("Delete", new, physical_id="alias/app", expect="SUCCESS")

    def test_bad_name(self):
        body = self.invoke("Create", {"AliasName": "app", "TargetKeyId": "x"}, expect="FAILED")
        self.assertIn("AliasName must begin with alias/", body["Reason"])


if __name__ == "__main__":
    unittest.main()
