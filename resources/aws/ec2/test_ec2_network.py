"""AWS::EC2::VPC, ::Subnet, ::InternetGateway, ::VPCGatewayAttachment,
::RouteTable, ::Route, ::SubnetRouteTableAssociation, ::EIP, ::NatGateway and
::VPCEndpoint through `cfnkit native-provider invoke` against moto_server:
each made, read back with boto3 (configuration, Ref, every GetAtt), updated in
place, deleted, and deleted again."""

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


class Network(NativeTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ec2 = cls.moto.client("ec2")

    def call(self, resource_type, action, props, **kw):
        self.resource_type = resource_type
        kw.setdefault("expect", "SUCCESS")
        return self.invoke(action, props, **kw)

    def create(self, resource_type, props, logical="Res"):
        return self.call(resource_type, "Create", props, logical=logical)

    def delete_twice(self, resource_type, props, physical_id):
        self.call(resource_type, "Delete", props, physical_id=physical_id)
        self.call(resource_type, "Delete", props, physical_id=physical_id)

    def gone(self, code, fn, **kw):
        with self.assertRaises(ClientError) as e:
            out = fn(**kw)
            # Some Describe calls answer an empty list rather than an error.
            if not any(v for k, v in out.items() if k != "ResponseMetadata"):
                raise ClientError({"Error": {"Code": code}}, "Describe")
        self.assertEqual(e.exception.response["Error"]["Code"], code)

    def test_vpc(self):
        props = {"CidrBlock": "10.1.0.0/16", "EnableDnsSupport": True, "EnableDnsHostnames": True,
                 "Tags": [{"Key": "team", "Value": "a"}, {"Key": "gone", "Value": "soon"}]}
        body = self.create("AWS::EC2::VPC", props, logical="Vpc")
        vpc_id = body["PhysicalResourceId"]
        self.assertTrue(vpc_id.startswith("vpc-"), vpc_id)
        vpc = self.ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
        self.assertEqual(vpc["CidrBlock"], "10.1.0.0/16")
        self.assertEqual(tags(vpc), {"team": "a", "gone": "soon"})
        attr = self.ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")
        self.assertTrue(attr["EnableDnsHostnames"]["Value"])
        sg = self.ec2.describe_security_groups(Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}])
        acl = self.ec2.describe_network_acls(Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "default", "Values": ["true"]}])
        self.assertEqual(body["Data"], {
            "VpcId": vpc_id, "CidrBlock": "10.1.0.0/16",
            "CidrBlockAssociations": [a["AssociationId"] for a in vpc["CidrBlockAssociationSet"]],
            "Ipv6CidrBlocks": [],
            "DefaultSecurityGroup": sg["SecurityGroups"][0]["GroupId"],
            "DefaultNetworkAcl": acl["NetworkAcls"][0]["NetworkAclId"]})

        new = dict(props, EnableDnsHostnames=False,
                   Tags=[{"Key": "team", "Value": "b"}, {"Key": "new", "Value": "1"}])
        up = self.call("AWS::EC2::VPC", "Update", new, physical_id=vpc_id, old=props, logical="Vpc")
        self.assertEqual(up["PhysicalResourceId"], vpc_id)
        self.assertEqual(up["Data"], body["Data"])
        attr = self.ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")
        self.assertFalse(attr["EnableDnsHostnames"]["Value"])
        self.assertEqual(tags(self.ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]),
                         {"team": "b", "new": "1"})

        self.delete_twice("AWS::EC2::VPC", new, vpc_id)
        self.gone("InvalidVpcID.NotFound", self.ec2.describe_vpcs, VpcIds=[vpc_id])

    def test_create_delivered_twice_makes_one(self):
        # An engine killed before it recorded the answer sends the Create again,
        # with the same RequestId: what the first delivery made is the answer.
        cases = [("AWS::EC2::VPC", {"CidrBlock": "10.3.0.0/16"}, "describe_vpcs", "Vpcs"),
                 ("AWS::EC2::InternetGateway", {}, "describe_internet_gateways",
                  "InternetGateways"),
                 ("AWS::EC2::EIP", {"Domain": "vpc"}, "describe_addresses", "Addresses")]
        for resource_type, props, describe, key in cases:
            with self.subTest(resource_type):
                rid = str(uuid.uuid4())
                a = self.call(resource_type, "Create", props, request_id=rid)
                b = self.call(resource_type, "Create", props, request_id=rid)
                self.assertEqual((a["PhysicalResourceId"], a["Data"]),
                                 (b["PhysicalResourceId"], b["Data"]))
                made = getattr(self.ec2, describe)(
                    Filters=[{"Name": "tag:cfnkit:request", "Values": [rid]}])[key]
                self.assertEqual(len(made), 1)
                self.call(resource_type, "Delete", props, physical_id=a["PhysicalResourceId"])
        vpc = self.call("AWS::EC2::VPC", "Create", {"CidrBlock": "10.8.0.0/16"})["PhysicalResourceId"]
        igw = self.call("AWS::EC2::InternetGateway", "Create", {})["PhysicalResourceId"]
        attach = {"VpcId": vpc, "InternetGatewayId": igw}
        rid = str(uuid.uuid4())
        for _ in range(2):
            self.assertEqual(self.call("AWS::EC2::VPCGatewayAttachment", "Create", attach,
                                       request_id=rid)["PhysicalResourceId"], f"IGW|{vpc}")
        self.call("AWS::EC2::VPCGatewayAttachment", "Delete", attach, physical_id=f"IGW|{vpc}")
        self.call("AWS::EC2::InternetGateway", "Delete", {}, physical_id=igw)
        rid = str(uuid.uuid4())
        props = {"VpcId": vpc, "CidrBlock": "10.8.1.0/24"}
        a = self.call("AWS::EC2::Subnet", "Create", props, request_id=rid)
        b = self.call("AWS::EC2::Subnet", "Create", props, request_id=rid)
        self.assertEqual(a["PhysicalResourceId"], b["PhysicalResourceId"])
        self.call("AWS::EC2::Subnet", "Delete", props, physical_id=a["PhysicalResourceId"])
        self.call("AWS::EC2::VPC", "Delete", {"CidrBlock": "10.8.0.0/16"}, physical_id=vpc)

    def test_unsupported_property_is_refused(self):
        before = len(self.ec2.describe_vpcs()["Vpcs"])
        body = self.call("AWS::EC2::VPC", "Create",
                         {"Ipv4IpamPoolId": "ipam-pool-1", "Ipv4NetmaskLength": 16},
                         expect="FAILED")
        self.assertIn("AWS::EC2::VPC property Ipv4IpamPoolId is not supported by cfnkit's local "
                      "engine", body["Reason"])
        self.assertEqual(len(self.ec2.describe_vpcs()["Vpcs"]), before)

    def test_network_with_a_way_out(self):
        vpc = self.create("AWS::EC2::VPC", {"CidrBlock": "10.2.0.0/16"}, "Vpc")["PhysicalResourceId"]

        subnet_props = {"VpcId": vpc, "CidrBlock": "10.2.1.0/24", "AvailabilityZone": "us-east-1a",
                        "MapPublicIpOnLaunch": True, "Tags": [{"Key": "tier", "Value": "public"}]}
        body = self.create("AWS::EC2::Subnet", subnet_props, "Subnet")
        subnet = body["PhysicalResourceId"]
        described = self.ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]
        self.assertTrue(described["MapPublicIpOnLaunch"])
        self.assertEqual(tags(described), {"tier": "public"})
        acl = self.ec2.describe_network_acls(
            Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"][0]
        assoc = [a for a in acl["Associations"] if a["SubnetId"] == subnet][0]
        self.assertEqual({k: v for k, v in body["Data"].items() if k != "BlockPublicAccessStates"}, {
            "SubnetId": subnet, "VpcId": vpc, "CidrBlock": "10.2.1.0/24",
            "AvailabilityZone": "us-east-1a", "AvailabilityZoneId": described["AvailabilityZoneId"],
            "Ipv6CidrBlocks": [], "NetworkAclAssociationId": assoc["NetworkAclAssociationId"]})
        new_subnet = dict(subnet_props, MapPublicIpOnLaunch=False)
        self.assertEqual(self.call("AWS::EC2::Subnet", "Update", new_subnet, physical_id=subnet,
                                   old=subnet_props)["PhysicalResourceId"], subnet)
        self.assertFalse(self.ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["MapPublicIpOnLaunch"])

        igw_props = {"Tags": [{"Key": "Name", "Value": "way-out"}]}
        body = self.create("AWS::EC2::InternetGateway", igw_props, "Igw")
        igw = body["PhysicalResourceId"]
        self.assertEqual(body["Data"], {"InternetGatewayId": igw})
        attach_props = {"VpcId": vpc, "InternetGatewayId": igw}
        body = self.create("AWS::EC2::VPCGatewayAttachment", attach_props, "Attach")
        self.assertEqual(body["PhysicalResourceId"], f"IGW|{vpc}")
        self.assertEqual(body["Data"], {"AttachmentType": "IGW"})
        gw = self.ec2.describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"][0]
        self.assertEqual([a["VpcId"] for a in gw["Attachments"]], [vpc])

        body = self.create("AWS::EC2::RouteTable", {"VpcId": vpc}, "Table")
        table = body["PhysicalResourceId"]
        self.assertEqual(body["Data"], {"RouteTableId": table})
        route_props = {"RouteTableId": table, "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw}
        body = self.create("AWS::EC2::Route", route_props, "Route")
        self.assertEqual(body["PhysicalResourceId"], f"{table}|0.0.0.0/0")
        self.assertEqual(body["Data"], {"CidrBlock": "0.0.0.0/0"})
        assoc_props = {"RouteTableId": table, "SubnetId": subnet}
        body = self.create("AWS::EC2::SubnetRouteTableAssociation", assoc_props, "Assoc")
        assoc = body["PhysicalResourceId"]
        self.assertEqual(body["Data"], {"Id": assoc})
        rt = self.ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]
        self.assertIn(subnet, [a.get("SubnetId") for a in rt["Associations"]])
        self.assertEqual([r.get("GatewayId") for r in rt["Routes"]
                          if r.get("DestinationCidrBlock") == "0.0.0.0/0"], [igw])

        eip_props = {"Domain": "vpc", "Tags": [{"Key": "for", "Value": "nat"}]}
        body = self.create("AWS::EC2::EIP", eip_props, "Eip")
        ip = body["PhysicalResourceId"]
        address = self.ec2.describe_addresses(PublicIps=[ip])["Addresses"][0]
        self.assertEqual(body["Data"], {"PublicIp": ip, "AllocationId": address["AllocationId"]})
        self.assertEqual(tags(address), {"for": "nat"})
        nat_props = {"SubnetId": subnet, "AllocationId": address["AllocationId"],
                     "Tags": [{"Key": "Name", "Value": "nat"}]}
        body = self.create("AWS::EC2::NatGateway", nat_props, "Nat")
        nat = body["PhysicalResourceId"]
        described = self.ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"][0]
        self.assertEqual(described["State"], "available")
        self.assertEqual(described["SubnetId"], subnet)
        self.assertEqual(body["Data"]["NatGatewayId"], nat)
        self.assertEqual(body["Data"]["EniId"],
                         described["NatGatewayAddresses"][0]["NetworkInterfaceId"])
        new_nat = dict(nat_props, Tags=[{"Key": "Name", "Value": "nat-2"}])
        self.call("AWS::EC2::NatGateway", "Update", new_nat, physical_id=nat, old=nat_props)
        self.assertEqual(tags(self.ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"][0]),
                         {"Name": "nat-2"})

        # The route's target changes in place (ReplaceRoute).
        new_route = {"RouteTableId": table, "DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": nat}
        up = self.call("AWS::EC2::Route", "Update", new_route, physical_id=f"{table}|0.0.0.0/0",
                       old=route_props)
        self.assertEqual(up["PhysicalResourceId"], f"{table}|0.0.0.0/0")
        rt = self.ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]
        self.assertEqual([r.get("NatGatewayId") for r in rt["Routes"]
                          if r.get("DestinationCidrBlock") == "0.0.0.0/0"], [nat])

        table2 = self.create("AWS::EC2::RouteTable", {"VpcId": vpc}, "Table2")["PhysicalResourceId"]
        vpce_props = {"VpcId": vpc, "ServiceName": "com.amazonaws.us-east-1.s3",
                      "VpcEndpointType": "Gateway", "RouteTableIds": [table, table2],
                      "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                          {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}}
        body = self.create("AWS::EC2::VPCEndpoint", vpce_props, "Endpoint")
        vpce = body["PhysicalResourceId"]
        described = self.ec2.describe_vpc_endpoints(VpcEndpointIds=[vpce])["VpcEndpoints"][0]
        self.assertEqual(described["RouteTableIds"], [table, table2])
        self.assertEqual(body["Data"]["Id"], vpce)
        self.assertEqual(body["Data"]["NetworkInterfaceIds"], described.get("NetworkInterfaceIds", []))
        self.assertEqual(body["Data"]["DnsEntries"],
                         [f"{d['HostedZoneId']}:{d['DnsName']}" for d in described.get("DnsEntries", [])])
        self.assertIn("CreationTimestamp", body["Data"])
        # moto's ModifyVpcEndpoint changes the list of route tables but not their
        # routes, and its DeleteVpcEndpoints then fails on a table added so: the
        # update here removes a table and changes the policy.
        new_vpce = dict(vpce_props, RouteTableIds=[table], PolicyDocument={
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]})
        self.call("AWS::EC2::VPCEndpoint", "Update", new_vpce, physical_id=vpce,
                  old=dict(vpce_props, RouteTableIds=[table, table2]))
        described = self.ec2.describe_vpc_endpoints(VpcEndpointIds=[vpce])["VpcEndpoints"][0]
        self.assertEqual(described["RouteTableIds"], [table])
        self.assertIn("s3:GetObject", described["PolicyDocument"])

        # Torn down in reverse order, each twice.
        self.delete_twice("AWS::EC2::VPCEndpoint", new_vpce, vpce)
        # EC2 shows a deleted endpoint a while as "deleted".
        self.assertEqual(self.ec2.describe_vpc_endpoints(VpcEndpointIds=[vpce])["VpcEndpoints"][0]["State"],
                         "deleted")
        self.delete_twice("AWS::EC2::RouteTable", {"VpcId": vpc}, table2)
        self.delete_twice("AWS::EC2::Route", new_route, f"{table}|0.0.0.0/0")
        self.delete_twice("AWS::EC2::NatGateway", new_nat, nat)
        self.assertEqual(self.ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"][0]["State"],
                         "deleted")
        self.delete_twice("AWS::EC2::EIP", eip_props, ip)
        self.gone("InvalidAddress.NotFound", self.ec2.describe_addresses, PublicIps=[ip])
        self.delete_twice("AWS::EC2::SubnetRouteTableAssociation", assoc_props, assoc)
        rt = self.ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]
        self.assertNotIn(subnet, [a.get("SubnetId") for a in rt["Associations"]])
        self.delete_twice("AWS::EC2::RouteTable", {"VpcId": vpc}, table)
        self.delete_twice("AWS::EC2::VPCGatewayAttachment", attach_props, f"IGW|{vpc}")
        gw = self.ec2.describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"][0]
        self.assertEqual(gw["Attachments"], [])
        self.delete_twice("AWS::EC2::InternetGateway", igw_props, igw)
        self.delete_twice("AWS::EC2::Subnet", new_subnet, subnet)
        self.gone("InvalidSubnetID.NotFound", self.ec2.describe_subnets, SubnetIds=[subnet])
        self.delete_twice("AWS::EC2::VPC", {"CidrBlock": "10.2.0.0/16"}, vpc)
        self.gone("InvalidVpcID.NotFound", self.ec2.describe_vpcs, VpcIds=[vpc])


if __name__ == "__main__":
    unittest.main()
