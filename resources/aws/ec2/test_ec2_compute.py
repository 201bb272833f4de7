"""AWS::EC2::KeyPair, ::LaunchTemplate and ::Instance through `cfnkit
native-provider invoke` against moto_server (which runs no VM: an instance is
"running" as soon as moto says so), read back with boto3."""

import base64
import json
import os
import sys
import unittest
import uuid

from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "integration"))
from harness import NativeTest  # noqa: E402


def tags(resource):
    """The template's tags (cfnkit's own cfnkit:request tag left out)."""
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])
            if not t["Key"].startswith("cfnkit:")}


class Compute(NativeTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ec2 = cls.moto.client("ec2")
        cls.ssm = cls.moto.client("ssm")
        cls.ami = cls.ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
        cls.vpc = cls.ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
        cls.subnet = cls.ec2.create_subnet(VpcId=cls.vpc, CidrBlock="10.7.1.0/24")["Subnet"]["SubnetId"]
        cls.sg = cls.ec2.create_security_group(GroupName="app", Description="app",
                                               VpcId=cls.vpc)["GroupId"]

    def call(self, resource_type, action, props, **kw):
        self.resource_type = resource_type
        kw.setdefault("expect", "SUCCESS")
        return self.invoke(action, props, **kw)

    def test_key_pair_made_by_ec2(self):
        props = {"KeyName": "made", "KeyType": "ed25519", "Tags": [{"Key": "k", "Value": "v"}]}
        body = self.call("AWS::EC2::KeyPair", "Create", props)
        self.assertEqual(body["PhysicalResourceId"], "made")  # Ref: the name
        key = self.ec2.describe_key_pairs(KeyNames=["made"])["KeyPairs"][0]
        self.assertEqual(body["Data"], {"KeyPairId": key["KeyPairId"],
                                        "KeyFingerprint": key["KeyFingerprint"]})
        self.assertEqual(tags(key), {"k": "v"})
        # The private key is in SSM, as CloudFormation keeps it, and nowhere in the answer.
        param = f"/ec2/keypair/{key['KeyPairId']}"
        p = self.ssm.get_parameter(Name=param, WithDecryption=True)["Parameter"]
        self.assertEqual(p["Type"], "SecureString")
        self.assertIn("PRIVATE KEY", p["Value"])
        self.assertNotIn("PRIVATE KEY", json.dumps(body))
        up = self.call("AWS::EC2::KeyPair", "Update", props, physical_id="made", old=props)
        self.assertEqual((up["PhysicalResourceId"], up["Data"]), ("made", body["Data"]))
        self.call("AWS::EC2::KeyPair", "Delete", props, physical_id="made")
        self.call("AWS::EC2::KeyPair", "Delete", props, physical_id="made")
        self.assertEqual(self.ec2.describe_key_pairs(
            Filters=[{"Name": "key-name", "Values": ["made"]}])["KeyPairs"], [])
        with self.assertRaises(ClientError):
            self.ssm.get_parameter(Name=param)

    def test_key_pair_create_delivered_twice(self):
        # The same RequestId again (an engine killed before it recorded the
        # answer): the key the first delivery made is the answer, its private
        # key stored once.
        rid = str(uuid.uuid4())
        props = {"KeyName": "twice"}
        a = self.call("AWS::EC2::KeyPair", "Create", props, request_id=rid)
        b = self.call("AWS::EC2::KeyPair", "Create", props, request_id=rid)
        self.assertEqual((a["PhysicalResourceId"], a["Data"]), (b["PhysicalResourceId"], b["Data"]))
        self.ssm.get_parameter(Name=f"/ec2/keypair/{a['Data']['KeyPairId']}")
        self.call("AWS::EC2::KeyPair", "Delete", props, physical_id="twice")

    def test_key_pair_imported(self):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519
        public = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
        props = {"KeyName": "imported", "PublicKeyMaterial": public}
        body = self.call("AWS::EC2::KeyPair", "Create", props)
        key = self.ec2.describe_key_pairs(KeyNames=["imported"])["KeyPairs"][0]
        self.assertEqual(body["Data"], {"KeyPairId": key["KeyPairId"],
                                        "KeyFingerprint": key["KeyFingerprint"]})
        self.call("AWS::EC2::KeyPair", "Delete", props, physical_id="imported")
        self.call("AWS::EC2::KeyPair", "Delete", props, physical_id="imported")

    def test_launch_template(self):
        props = {"LaunchTemplateData": {"ImageId": self.ami, "InstanceType": "t3.micro"},
                 "VersionDescription": "first"}
        body = self.call("AWS::EC2::LaunchTemplate", "Create", props, logical="AppTemplate")
        lt = body["PhysicalResourceId"]
        described = self.ec2.describe_launch_templates(LaunchTemplateIds=[lt])["LaunchTemplates"][0]
        self.assertRegex(described["LaunchTemplateName"], r"^ports-AppTemplate-[A-Z0-9]{12}$")
        self.assertEqual(body["Data"], {"LaunchTemplateId": lt, "DefaultVersionNumber": "1",
                                        "LatestVersionNumber": "1"})
        # New data: a new version, made the default.
        new = {"LaunchTemplateData": {"ImageId": self.ami, "InstanceType": "t3.small"},
               "VersionDescription": "second"}
        up = self.call("AWS::EC2::LaunchTemplate", "Update", new, physical_id=lt, old=props,
                       logical="AppTemplate")
        self.assertEqual(up["Data"], {"LaunchTemplateId": lt, "DefaultVersionNumber": "2",
                                      "LatestVersionNumber": "2"})
        v = self.ec2.describe_launch_template_versions(LaunchTemplateId=lt, Versions=["$Default"])
        self.assertEqual(v["LaunchTemplateVersions"][0]["LaunchTemplateData"]["InstanceType"],
                         "t3.small")
        self.call("AWS::EC2::LaunchTemplate", "Delete", new, physical_id=lt)
        self.call("AWS::EC2::LaunchTemplate", "Delete", new, physical_id=lt)
        self.assertNotIn(lt, [t["LaunchTemplateId"] for t in
                              self.ec2.describe_launch_templates()["LaunchTemplates"]])

    def test_instance(self):
        props = {"ImageId": self.ami, "InstanceType": "t3.micro", "SubnetId": self.subnet,
                 "SecurityGroupIds": [self.sg], "SourceDestCheck": False,
                 "Tags": [{"Key": "Name", "Value": "app"}]}
        rid = str(uuid.uuid4())
        body = self.call("AWS::EC2::Instance", "Create", props, request_id=rid)
        iid = body["PhysicalResourceId"]
        i = self.ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
        # The RequestId is the ClientToken: EC2 runs one instance for a Create delivered twice.
        self.assertEqual(i["ClientToken"], rid)
        self.assertEqual(i["State"]["Name"], "running")
        self.assertEqual((i["InstanceType"], i["SubnetId"], i["ImageId"]),
                         ("t3.micro", self.subnet, self.ami))
        self.assertEqual([g["GroupId"] for g in i["SecurityGroups"]], [self.sg])
        self.assertEqual(tags(i), {"Name": "app"})
        self.assertFalse(i["SourceDestCheck"])
        expected = {"InstanceId": iid, "PrivateDnsName": i["PrivateDnsName"],
                    "PrivateIp": i["PrivateIpAddress"], "VpcId": self.vpc,
                    "AvailabilityZone": i["Placement"]["AvailabilityZone"],
                    "State": {"Code": 16, "Name": "running"}}
        for k in ("PublicDnsName", "PublicIpAddress"):
            if i.get(k):
                expected[k.replace("Address", "")] = i[k]
        self.assertEqual(body["Data"], expected)

        # InstanceType and UserData change with a stop and a start; tags and
        # SourceDestCheck in place.
        user_data = base64.b64encode(b"#!/bin/sh\necho hello\n").decode()
        new = dict(props, InstanceType="t3.small", SourceDestCheck=True, UserData=user_data,
                   Tags=[{"Key": "Name", "Value": "app-2"}])
        up = self.call("AWS::EC2::Instance", "Update", new, physical_id=iid, old=props)
        self.assertEqual(up["PhysicalResourceId"], iid)
        i = self.ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
        self.assertEqual((i["InstanceType"], i["State"]["Name"], i["SourceDestCheck"], tags(i)),
                         ("t3.small", "running", True, {"Name": "app-2"}))
        attr = self.ec2.describe_instance_attribute(InstanceId=iid, Attribute="userData")
        self.assertEqual(base64.b64decode(attr["UserData"]["Value"]), b"#!/bin/sh\necho hello\n")

        # What the engine cannot change in place is refused, by name.
        body = self.call("AWS::EC2::Instance", "Update", dict(new, IamInstanceProfile="other"),
                         physical_id=iid, old=new, expect="FAILED")
        self.assertIn("IamInstanceProfile", body["Reason"])

        self.call("AWS::EC2::Instance", "Delete", new, physical_id=iid)
        self.call("AWS::EC2::Instance", "Delete", new, physical_id=iid)
        i = self.ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
        self.assertEqual(i["State"]["Name"], "terminated")

    def test_unsupported_instance_property(self):
        body = self.call("AWS::EC2::Instance", "Create",
                         {"ImageId": self.ami, "CpuOptions": {"CoreCount": 1}}, expect="FAILED")
        self.assertIn("AWS::EC2::Instance property CpuOptions is not supported by cfnkit's local "
                      "engine", body["Reason"])


if __name__ == "__main__":
    unittest.main()
