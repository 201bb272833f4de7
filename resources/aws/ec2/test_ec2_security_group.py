"""AWS::EC2::SecurityGroup (inline rules, EC2's default egress rule),
AWS::EC2::SecurityGroupIngress and ::SecurityGroupEgress through `cfnkit
native-provider invoke` against moto_server, read back with boto3."""

import os
import re
import sys
import unittest
import uuid

from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "integration"))
from harness import NativeTest  # noqa: E402

EVERYTHING_OUT = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}


def tags(resource):
    """The template's tags (cfnkit's own cfnkit:request tag left out)."""
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])
            if not t["Key"].startswith("cfnkit:")}


def rules(perms):
    """IpPermissions as comparable tuples, one per source."""
    out = set()
    for p in perms:
        base = (p["IpProtocol"], p.get("FromPort"), p.get("ToPort"))
        for r in p.get("IpRanges", []):
            out.add(base + (r["CidrIp"], r.get("Description")))
        for r in p.get("UserIdGroupPairs", []):
            out.add(base + (r["GroupId"], r.get("Description")))
    return out


class SecurityGroups(NativeTest):
    resource_type = "AWS::EC2::SecurityGroup"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ec2 = cls.moto.client("ec2")
        cls.vpc = cls.ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        cls.peer = cls.ec2.create_security_group(GroupName="peer", Description="peer",
                                                 VpcId=cls.vpc)["GroupId"]

    def group(self, group_id):
        return self.ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]

    def test_group_with_rules(self):
        props = {"GroupDescription": "web", "VpcId": self.vpc,
                 "SecurityGroupIngress": [
                     {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0",
                      "Description": "http"},
                     {"IpProtocol": "tcp", "FromPort": "443", "ToPort": "443",
                      "SourceSecurityGroupId": self.peer}],
                 "Tags": [{"Key": "app", "Value": "web"}]}
        body = self.invoke("Create", props, logical="WebGroup", expect="SUCCESS")
        gid = body["PhysicalResourceId"]
        self.assertTrue(gid.startswith("sg-"), gid)  # Ref: the id, as a VPC was given
        self.assertEqual(body["Data"], {"GroupId": gid, "Id": gid, "VpcId": self.vpc})
        g = self.group(gid)
        # The generated name: "<stack>-<logical id>-<12 characters>".
        self.assertRegex(g["GroupName"], r"^ports-WebGroup-[A-Z0-9]{12}$")
        self.assertEqual(g["Description"], "web")
        self.assertEqual(tags(g), {"app": "web"})
        self.assertEqual(rules(g["IpPermissions"]), {("tcp", 80, 80, "0.0.0.0/0", "http"),
                                                     ("tcp", 443, 443, self.peer, None)})
        self.assertEqual(rules(g["IpPermissionsEgress"]), rules([EVERYTHING_OUT]))

        # Rules change in place; egress rules of the template replace EC2's default one.
        new = dict(props, SecurityGroupIngress=[
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0",
             "Description": "http"},
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "10.0.0.0/8"}],
            SecurityGroupEgress=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                                  "CidrIp": "10.0.0.0/8"}],
            Tags=[{"Key": "app", "Value": "api"}])
        up = self.invoke("Update", new, physical_id=gid, old=props, logical="WebGroup",
                         expect="SUCCESS")
        self.assertEqual((up["PhysicalResourceId"], up["Data"]), (gid, body["Data"]))
        g = self.group(gid)
        self.assertEqual(rules(g["IpPermissions"]), {("tcp", 80, 80, "0.0.0.0/0", "http"),
                                                     ("tcp", 22, 22, "10.0.0.0/8", None)})
        self.assertEqual(rules(g["IpPermissionsEgress"]), {("tcp", 443, 443, "10.0.0.0/8", None)})
        self.assertEqual(tags(g), {"app": "api"})

        # Without egress rules, the default one comes back.
        last = {k: v for k, v in new.items() if k != "SecurityGroupEgress"}
        self.invoke("Update", last, physical_id=gid, old=new, logical="WebGroup", expect="SUCCESS")
        self.assertEqual(rules(self.group(gid)["IpPermissionsEgress"]), rules([EVERYTHING_OUT]))

        self.invoke("Delete", last, physical_id=gid, expect="SUCCESS")
        self.invoke("Delete", last, physical_id=gid, expect="SUCCESS")
        with self.assertRaises(ClientError) as e:
            self.group(gid)
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidGroup.NotFound")

    def test_create_delivered_twice_makes_one_group(self):
        # An engine killed before it recorded the answer sends the Create again,
        # with the same RequestId: the group the first made is the answer.
        props = {"GroupDescription": "twice", "VpcId": self.vpc,
                 "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
                                           "CidrIp": "0.0.0.0/0"}],
                 "SecurityGroupEgress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                                          "CidrIp": "10.0.0.0/8"}]}
        rid = str(uuid.uuid4())
        a = self.invoke("Create", props, logical="Twice", request_id=rid, expect="SUCCESS")
        b = self.invoke("Create", props, logical="Twice", request_id=rid, expect="SUCCESS")
        self.assertEqual((a["PhysicalResourceId"], a["Data"]), (b["PhysicalResourceId"], b["Data"]))
        made = self.ec2.describe_security_groups(
            Filters=[{"Name": "tag:cfnkit:request", "Values": [rid]}])["SecurityGroups"]
        self.assertEqual([g["GroupId"] for g in made], [a["PhysicalResourceId"]])
        self.assertEqual(rules(made[0]["IpPermissions"]), {("tcp", 80, 80, "0.0.0.0/0", None)})
        self.assertEqual(rules(made[0]["IpPermissionsEgress"]),
                         {("tcp", 443, 443, "10.0.0.0/8", None)})
        self.invoke("Delete", props, physical_id=a["PhysicalResourceId"], expect="SUCCESS")

    def test_group_in_the_default_vpc_is_named(self):
        props = {"GroupDescription": "plain", "GroupName": "plain-group"}
        body = self.invoke("Create", props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "plain-group")  # Ref: the name
        g = self.ec2.describe_security_groups(GroupNames=["plain-group"])["SecurityGroups"][0]
        self.assertEqual(body["Data"], {"GroupId": g["GroupId"], "Id": g["GroupId"],
                                        "VpcId": g["VpcId"]})
        self.invoke("Delete", props, physical_id="plain-group", expect="SUCCESS")
        self.invoke("Delete", props, physical_id="plain-group", expect="SUCCESS")
        self.assertEqual(self.ec2.describe_security_groups(
            Filters=[{"Name": "group-name", "Values": ["plain-group"]}])["SecurityGroups"], [])

    def test_bad_rules_are_refused_by_name(self):
        body = self.invoke("Create", {"GroupDescription": "x", "VpcId": self.vpc,
                                      "SecurityGroupIngress": [
                                          {"IpProtocol": "tcp", "FromPort": 1, "ToPort": 1,
                                           "CidrIp": "10.0.0.0/8", "CidrIpv6": "::/0"}]},
                           expect="FAILED")
        self.assertIn("SecurityGroupIngress.0", body["Reason"])
        self.assertIn("exactly one of CidrIp, CidrIpv6", body["Reason"])
        body = self.invoke("Create", {"GroupDescription": "x", "VpcId": self.vpc,
                                      "SecurityGroupEgress": [
                                          {"IpProtocol": "tcp", "CidrIp": "10.0.0.0/8",
                                           "SourceSecurityGroupId": self.peer}]},
                           expect="FAILED")
        self.assertIn("property SecurityGroupEgress.0.SourceSecurityGroupId is not supported",
                      body["Reason"])
        body = self.invoke("Create", {"GroupDescription": "x", "VpcId": self.vpc,
                                      "SecurityGroupIngress": [
                                          {"IpProtocol": "tcp", "FromPort": "http", "ToPort": 80,
                                           "CidrIp": "10.0.0.0/8"}]},
                           expect="FAILED")
        self.assertIn("SecurityGroupIngress.0.FromPort must be a port", body["Reason"])

    def description(self, group_id, egress):
        """The description of the group's one rule, read from the group
        (moto's DescribeSecurityGroupRules leaves out a group pair's)."""
        g = self.group(group_id)
        perm = [p for p in g["IpPermissionsEgress" if egress else "IpPermissions"]
                if p["IpProtocol"] == "tcp"][0]  # not EC2's default egress rule
        peers = perm.get("IpRanges") or perm.get("Ipv6Ranges") or perm.get("UserIdGroupPairs")
        return peers[0].get("Description")

    def rule_test(self, kind, props, new_desc):
        self.resource_type = f"AWS::EC2::SecurityGroup{kind}"
        body = self.invoke("Create", props, expect="SUCCESS")
        rid = body["PhysicalResourceId"]
        self.assertTrue(rid.startswith("sgr-"), rid)
        self.assertEqual(body["Data"], {"Id": rid})
        rule = self.ec2.describe_security_group_rules(SecurityGroupRuleIds=[rid])["SecurityGroupRules"][0]
        self.assertEqual((rule["IsEgress"], rule["IpProtocol"], rule["FromPort"], rule["ToPort"]),
                         (kind == "Egress", "tcp", 8080, 8081))
        self.assertEqual(self.description(props["GroupId"], kind == "Egress"), "first")
        new = dict(props, Description=new_desc)
        up = self.invoke("Update", new, physical_id=rid, old=props, expect="SUCCESS")
        self.assertEqual(up["PhysicalResourceId"], rid)
        self.assertEqual(self.description(props["GroupId"], kind == "Egress"), new_desc)
        self.invoke("Delete", new, physical_id=rid, expect="SUCCESS")
        self.invoke("Delete", new, physical_id=rid, expect="SUCCESS")
        left = self.ec2.describe_security_group_rules(
            Filters=[{"Name": "group-id", "Values": [props["GroupId"]]}])["SecurityGroupRules"]
        self.assertNotIn(rid, [r["SecurityGroupRuleId"] for r in left])
        return rule

    def test_ingress_rule(self):
        gid = self.ec2.create_security_group(GroupName="in", Description="in", VpcId=self.vpc)["GroupId"]
        rule = self.rule_test("Ingress", {"GroupId": gid, "IpProtocol": "tcp", "FromPort": "8080",
                                          "ToPort": 8081, "CidrIp": "192.168.0.0/16",
                                          "Description": "first"}, "second")
        self.assertEqual(rule["CidrIpv4"], "192.168.0.0/16")

    def test_egress_rule(self):
        gid = self.ec2.create_security_group(GroupName="out", Description="out", VpcId=self.vpc)["GroupId"]
        rule = self.rule_test("Egress", {"GroupId": gid, "IpProtocol": "tcp", "FromPort": 8080,
                                         "ToPort": 8081, "CidrIpv6": "2001:db8::/32",
                                         "Description": "first"}, "second")
        self.assertEqual(rule["CidrIpv6"], "2001:db8::/32")

    def test_egress_rule_to_a_group(self):
        # moto does not update the description of a rule whose peer is a group
        # (UpdateSecurityGroupRuleDescriptionsEgress matches it with the old
        # description), so this one is made and deleted only.
        self.resource_type = "AWS::EC2::SecurityGroupEgress"
        gid = self.ec2.create_security_group(GroupName="to-peer", Description="p", VpcId=self.vpc)["GroupId"]
        props = {"GroupId": gid, "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
                 "DestinationSecurityGroupId": self.peer, "Description": "db"}
        rid = self.invoke("Create", props, expect="SUCCESS")["PhysicalResourceId"]
        rule = self.ec2.describe_security_group_rules(SecurityGroupRuleIds=[rid])["SecurityGroupRules"][0]
        self.assertEqual(rule["ReferencedGroupInfo"]["GroupId"], self.peer)
        self.assertEqual(self.description(gid, True), "db")
        self.invoke("Delete", props, physical_id=rid, expect="SUCCESS")
        self.invoke("Delete", props, physical_id=rid, expect="SUCCESS")
        left = self.ec2.describe_security_group_rules(
            Filters=[{"Name": "group-id", "Values": [gid]}])["SecurityGroupRules"]
        self.assertNotIn(rid, [r["SecurityGroupRuleId"] for r in left])

    def test_rule_delete_when_its_group_is_gone(self):
        self.resource_type = "AWS::EC2::SecurityGroupIngress"
        gid = self.ec2.create_security_group(GroupName="brief", Description="b", VpcId=self.vpc)["GroupId"]
        props = {"GroupId": gid, "IpProtocol": "udp", "FromPort": 53, "ToPort": 53,
                 "CidrIp": "10.0.0.0/8"}
        rid = self.invoke("Create", props, expect="SUCCESS")["PhysicalResourceId"]
        self.ec2.delete_security_group(GroupId=gid)
        self.invoke("Delete", props, physical_id=rid, expect="SUCCESS")
        self.assertTrue(re.match(r"^sgr-", rid))


if __name__ == "__main__":
    unittest.main()
