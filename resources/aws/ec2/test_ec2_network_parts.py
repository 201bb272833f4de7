"""AWS::EC2::DHCPOptions, ::VPCDHCPOptionsAssociation, ::NetworkAcl,
::NetworkAclEntry, ::SubnetNetworkAclAssociation, ::EgressOnlyInternetGateway,
::VPCCidrBlock and ::EIPAssociation through `cfnkit native-provider invoke`
against moto_server, read back with boto3: made, updated in place where the
type can be, deleted twice."""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "integration"))
from harness import NativeTest  # noqa: E402


def tags(resource):
    """The template's tags (cfnkit's own cfnkit:request tag left out)."""
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])
            if not t["Key"].startswith("cfnkit:")}


class NetworkParts(NativeTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ec2 = cls.moto.client("ec2")

    def setUp(self):
        self.vpc = self.ec2.create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]["VpcId"]

    def call(self, resource_type, action, props, **kw):
        self.resource_type = resource_type
        kw.setdefault("expect", "SUCCESS")
        return self.invoke(action, props, **kw)

    def delete_twice(self, resource_type, props, physical_id):
        self.call(resource_type, "Delete", props, physical_id=physical_id)
        self.call(resource_type, "Delete", props, physical_id=physical_id)

    def test_dhcp_options(self):
        props = {"DomainName": "example.internal", "DomainNameServers": ["AmazonProvidedDNS"],
                 "NtpServers": ["10.5.0.1"], "Tags": [{"Key": "k", "Value": "1"}]}
        body = self.call("AWS::EC2::DHCPOptions", "Create", props)
        dopt = body["PhysicalResourceId"]
        self.assertEqual(body["Data"], {"DhcpOptionsId": dopt})
        d = self.ec2.describe_dhcp_options(DhcpOptionsIds=[dopt])["DhcpOptions"][0]
        conf = {c["Key"]: [v["Value"] for v in c["Values"]] for c in d["DhcpConfigurations"]}
        self.assertEqual(conf, {"domain-name": ["example.internal"],
                                "domain-name-servers": ["AmazonProvidedDNS"],
                                "ntp-servers": ["10.5.0.1"]})
        new = dict(props, Tags=[{"Key": "k", "Value": "2"}])
        self.call("AWS::EC2::DHCPOptions", "Update", new, physical_id=dopt, old=props)
        self.assertEqual(tags(self.ec2.describe_dhcp_options(DhcpOptionsIds=[dopt])["DhcpOptions"][0]),
                         {"k": "2"})

        assoc_props = {"DhcpOptionsId": dopt, "VpcId": self.vpc}
        body = self.call("AWS::EC2::VPCDHCPOptionsAssociation", "Create", assoc_props)
        self.assertEqual(body["PhysicalResourceId"], f"{dopt}|{self.vpc}")
        self.assertEqual(self.ec2.describe_vpcs(VpcIds=[self.vpc])["Vpcs"][0]["DhcpOptionsId"], dopt)
        self.delete_twice("AWS::EC2::VPCDHCPOptionsAssociation", assoc_props, f"{dopt}|{self.vpc}")
        self.assertNotEqual(self.ec2.describe_vpcs(VpcIds=[self.vpc])["Vpcs"][0].get("DhcpOptionsId"),
                            dopt)
        self.delete_twice("AWS::EC2::DHCPOptions", new, dopt)
        self.assertEqual(self.ec2.describe_dhcp_options(
            Filters=[{"Name": "dhcp-options-id", "Values": [dopt]}])["DhcpOptions"], [])

    def test_network_acl(self):
        subnet = self.ec2.create_subnet(VpcId=self.vpc, CidrBlock="10.5.1.0/24")["Subnet"]["SubnetId"]
        body = self.call("AWS::EC2::NetworkAcl", "Create",
                         {"VpcId": self.vpc, "Tags": [{"Key": "Name", "Value": "private"}]})
        acl = body["PhysicalResourceId"]
        self.assertEqual(body["Data"], {"Id": acl})
        self.assertEqual(tags(self.ec2.describe_network_acls(NetworkAclIds=[acl])["NetworkAcls"][0]),
                         {"Name": "private"})

        entry = {"NetworkAclId": acl, "RuleNumber": 100, "Protocol": 6, "RuleAction": "allow",
                 "CidrBlock": "10.0.0.0/8", "PortRange": {"From": 443, "To": 443}}
        body = self.call("AWS::EC2::NetworkAclEntry", "Create", entry)
        eid = body["PhysicalResourceId"]
        self.assertEqual(eid, f"{acl}|ingress|100")
        self.assertEqual(body["Data"], {"Id": eid})

        def rule():
            entries = self.ec2.describe_network_acls(NetworkAclIds=[acl])["NetworkAcls"][0]["Entries"]
            return [e for e in entries if e["RuleNumber"] == 100 and not e["Egress"]]
        self.assertEqual([(e["Protocol"], e["RuleAction"], e["CidrBlock"], e["PortRange"]["From"])
                          for e in rule()], [("6", "allow", "10.0.0.0/8", 443)])
        new_entry = dict(entry, RuleAction="deny")
        up = self.call("AWS::EC2::NetworkAclEntry", "Update", new_entry, physical_id=eid, old=entry)
        self.assertEqual(up["PhysicalResourceId"], eid)
        self.assertEqual([e["RuleAction"] for e in rule()], ["deny"])

        assoc_props = {"SubnetId": subnet, "NetworkAclId": acl}
        body = self.call("AWS::EC2::SubnetNetworkAclAssociation", "Create", assoc_props)
        assoc = body["PhysicalResourceId"]
        self.assertEqual(body["Data"], {"AssociationId": assoc})

        def acl_of_subnet():
            a = self.ec2.describe_network_acls(
                Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"]
            return a[0]["NetworkAclId"]
        self.assertEqual(acl_of_subnet(), acl)
        self.delete_twice("AWS::EC2::SubnetNetworkAclAssociation", assoc_props, assoc)
        default = self.ec2.describe_network_acls(Filters=[
            {"Name": "vpc-id", "Values": [self.vpc]},
            {"Name": "default", "Values": ["true"]}])["NetworkAcls"][0]["NetworkAclId"]
        self.assertEqual(acl_of_subnet(), default)

        self.delete_twice("AWS::EC2::NetworkAclEntry", new_entry, eid)
        self.assertEqual(rule(), [])
        self.delete_twice("AWS::EC2::NetworkAcl", {"VpcId": self.vpc}, acl)
        self.assertNotIn(acl, [a["NetworkAclId"] for a in
                               self.ec2.describe_network_acls()["NetworkAcls"]])

    def test_ipv6_way_out(self):
        body = self.call("AWS::EC2::VPCCidrBlock", "Create",
                         {"VpcId": self.vpc, "AmazonProvidedIpv6CidrBlock": True})
        assoc = body["Data"]["Id"]
        self.assertEqual(body["PhysicalResourceId"], f"{assoc}|{self.vpc}")
        blocks = self.ec2.describe_vpcs(VpcIds=[self.vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"]
        self.assertEqual([b["AssociationId"] for b in blocks], [assoc])
        body4 = self.call("AWS::EC2::VPCCidrBlock", "Create",
                          {"VpcId": self.vpc, "CidrBlock": "10.6.0.0/16"})
        assoc4 = body4["Data"]["Id"]
        cidrs = self.ec2.describe_vpcs(VpcIds=[self.vpc])["Vpcs"][0]["CidrBlockAssociationSet"]
        self.assertIn(("10.6.0.0/16", assoc4), [(c["CidrBlock"], c["AssociationId"]) for c in cidrs])

        body = self.call("AWS::EC2::EgressOnlyInternetGateway", "Create", {"VpcId": self.vpc})
        eigw = body["PhysicalResourceId"]
        self.assertEqual(body["Data"], {"Id": eigw})
        gw = self.ec2.describe_egress_only_internet_gateways(
            EgressOnlyInternetGatewayIds=[eigw])["EgressOnlyInternetGateways"][0]
        self.assertEqual([a["VpcId"] for a in gw["Attachments"]], [self.vpc])

        self.delete_twice("AWS::EC2::EgressOnlyInternetGateway", {"VpcId": self.vpc}, eigw)
        self.assertEqual(self.ec2.describe_egress_only_internet_gateways(
            EgressOnlyInternetGatewayIds=[eigw])["EgressOnlyInternetGateways"], [])
        self.delete_twice("AWS::EC2::VPCCidrBlock", {"VpcId": self.vpc, "CidrBlock": "10.6.0.0/16"},
                          body4["PhysicalResourceId"])
        cidrs = self.ec2.describe_vpcs(VpcIds=[self.vpc])["Vpcs"][0]["CidrBlockAssociationSet"]
        self.assertNotIn(assoc4, [c["AssociationId"] for c in cidrs
                                  if c["CidrBlockState"]["State"] == "associated"])

    def test_eip_association(self):
        ami = self.ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
        iid = self.ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
        alloc = self.ec2.allocate_address(Domain="vpc")
        props = {"AllocationId": alloc["AllocationId"], "InstanceId": iid}
        body = self.call("AWS::EC2::EIPAssociation", "Create", props)
        aid = body["PhysicalResourceId"]
        self.assertEqual(body["Data"], {"Id": aid})
        address = self.ec2.describe_addresses(AllocationIds=[alloc["AllocationId"]])["Addresses"][0]
        self.assertEqual((address["AssociationId"], address["InstanceId"]), (aid, iid))
        self.delete_twice("AWS::EC2::EIPAssociation", props, aid)
        address = self.ec2.describe_addresses(AllocationIds=[alloc["AllocationId"]])["Addresses"][0]
        self.assertNotIn("AssociationId", address)


if __name__ == "__main__":
    unittest.main()
