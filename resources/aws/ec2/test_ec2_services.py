"""AWS::EC2::Volume, ::FlowLog, ::VPCEndpointService,
::VPCEndpointServicePermissions, ::NetworkInterface and ::VPCPeeringConnection
through `cfnkit native-provider invoke`
against moto_server, read back with boto3: made, updated in place, deleted
twice."""

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


class Services(NativeTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ec2 = cls.moto.client("ec2")
        cls.vpc = cls.ec2.create_vpc(CidrBlock="10.4.0.0/16")["Vpc"]["VpcId"]
        cls.subnet = cls.ec2.create_subnet(VpcId=cls.vpc, CidrBlock="10.4.1.0/24",
                                           AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]

    def call(self, resource_type, action, props, **kw):
        self.resource_type = resource_type
        kw.setdefault("expect", "SUCCESS")
        return self.invoke(action, props, **kw)

    def delete_twice(self, resource_type, props, physical_id):
        self.call(resource_type, "Delete", props, physical_id=physical_id)
        self.call(resource_type, "Delete", props, physical_id=physical_id)

    def test_volume(self):
        props = {"AvailabilityZone": "us-east-1a", "Size": 8, "VolumeType": "gp3",
                 "Encrypted": True, "Tags": [{"Key": "data", "Value": "yes"}]}
        body = self.call("AWS::EC2::Volume", "Create", props)
        vol = body["PhysicalResourceId"]
        self.assertEqual(body["Data"], {"VolumeId": vol})
        v = self.ec2.describe_volumes(VolumeIds=[vol])["Volumes"][0]
        self.assertEqual((v["Size"], v["VolumeType"], v["Encrypted"], v["State"], tags(v)),
                         (8, "gp3", True, "available", {"data": "yes"}))
        new = dict(props, Size="16")  # a parameter's string, as CloudFormation passes it
        self.call("AWS::EC2::Volume", "Update", new, physical_id=vol, old=props)
        self.assertEqual(self.ec2.describe_volumes(VolumeIds=[vol])["Volumes"][0]["Size"], 16)
        body = self.call("AWS::EC2::Volume", "Update", dict(new, AvailabilityZone="us-east-1b"),
                         physical_id=vol, old=new, expect="FAILED")
        self.assertIn("AvailabilityZone", body["Reason"])
        self.delete_twice("AWS::EC2::Volume", new, vol)
        self.assertEqual(self.ec2.describe_volumes(
            Filters=[{"Name": "volume-id", "Values": [vol]}])["Volumes"], [])

    def test_flow_log(self):
        self.moto.client("s3").create_bucket(Bucket="flow-logs")
        props = {"ResourceId": self.vpc, "ResourceType": "VPC", "TrafficType": "ALL",
                 "LogDestinationType": "s3", "LogDestination": "arn:aws:s3:::flow-logs",
                 "MaxAggregationInterval": 60, "Tags": [{"Key": "k", "Value": "1"}]}
        body = self.call("AWS::EC2::FlowLog", "Create", props)
        fl = body["PhysicalResourceId"]
        self.assertEqual(body["Data"], {"Id": fl})
        f = self.ec2.describe_flow_logs(FlowLogIds=[fl])["FlowLogs"][0]
        self.assertEqual((f["ResourceId"], f["TrafficType"], f["LogDestination"],
                          f["MaxAggregationInterval"]),
                         (self.vpc, "ALL", "arn:aws:s3:::flow-logs", 60))
        new = dict(props, Tags=[{"Key": "k", "Value": "2"}])
        self.call("AWS::EC2::FlowLog", "Update", new, physical_id=fl, old=props)
        self.assertEqual(tags(self.ec2.describe_flow_logs(FlowLogIds=[fl])["FlowLogs"][0]),
                         {"k": "2"})
        self.delete_twice("AWS::EC2::FlowLog", new, fl)
        self.assertEqual(self.ec2.describe_flow_logs(FlowLogIds=[fl])["FlowLogs"], [])

        body = self.call("AWS::EC2::FlowLog", "Create",
                         dict(props, LogDestination="arn:aws:s3:::no-such-bucket"), expect="FAILED")
        self.assertIn("no-such-bucket", body["Reason"])

    def test_endpoint_service_and_permissions(self):
        elb = self.moto.client("elbv2")
        nlb = elb.create_load_balancer(Name="svc", Type="network", Scheme="internal",
                                       Subnets=[self.subnet])["LoadBalancers"][0]["LoadBalancerArn"]
        props = {"NetworkLoadBalancerArns": [nlb], "AcceptanceRequired": False}
        body = self.call("AWS::EC2::VPCEndpointService", "Create", props)
        svc = body["PhysicalResourceId"]
        self.assertEqual(body["Data"], {"ServiceId": svc})

        def config():
            return self.ec2.describe_vpc_endpoint_service_configurations(
                ServiceIds=[svc])["ServiceConfigurations"][0]
        c = config()
        self.assertEqual((c["NetworkLoadBalancerArns"], c["AcceptanceRequired"]), ([nlb], False))
        new = dict(props, AcceptanceRequired=True)
        self.call("AWS::EC2::VPCEndpointService", "Update", new, physical_id=svc, old=props)
        self.assertTrue(config()["AcceptanceRequired"])

        perm = {"ServiceId": svc, "AllowedPrincipals": ["arn:aws:iam::123456789012:root"]}
        body = self.call("AWS::EC2::VPCEndpointServicePermissions", "Create", perm)
        self.assertEqual(body["PhysicalResourceId"], svc)

        def principals():
            return sorted(p["Principal"] for p in self.ec2.describe_vpc_endpoint_service_permissions(
                ServiceId=svc)["AllowedPrincipals"])
        self.assertEqual(principals(), ["arn:aws:iam::123456789012:root"])
        new_perm = {"ServiceId": svc, "AllowedPrincipals": ["arn:aws:iam::111111111111:root"]}
        self.call("AWS::EC2::VPCEndpointServicePermissions", "Update", new_perm, physical_id=svc,
                  old=perm)
        self.assertEqual(principals(), ["arn:aws:iam::111111111111:root"])
        self.delete_twice("AWS::EC2::VPCEndpointServicePermissions", new_perm, svc)
        self.assertEqual(principals(), [])

        self.delete_twice("AWS::EC2::VPCEndpointService", new, svc)
        self.assertEqual(self.ec2.describe_vpc_endpoint_service_configurations()[
            "ServiceConfigurations"], [])

    def test_network_interface(self):
        sg = self.ec2.create_security_group(GroupName="eni", Description="eni",
                                            VpcId=self.vpc)["GroupId"]
        sg2 = self.ec2.create_security_group(GroupName="eni2", Description="eni2",
                                             VpcId=self.vpc)["GroupId"]
        props = {"SubnetId": self.subnet, "GroupSet": [sg], "Description": "first",
                 "SecondaryPrivateIpAddressCount": 1, "SourceDestCheck": False,
                 "Tags": [{"Key": "k", "Value": "1"}]}
        body = self.call("AWS::EC2::NetworkInterface", "Create", props)
        eni = body["PhysicalResourceId"]

        def read():
            return self.ec2.describe_network_interfaces(
                NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]
        n = read()
        self.assertEqual(([g["GroupId"] for g in n["Groups"]], n["Description"], n["SubnetId"],
                          n["SourceDestCheck"], tags({"Tags": n.get("TagSet", [])})),
                         ([sg], "first", self.subnet, False, {"k": "1"}))
        secondary = [a["PrivateIpAddress"] for a in n["PrivateIpAddresses"] if not a["Primary"]]
        self.assertEqual(len(secondary), 1)
        self.assertEqual({k: v for k, v in body["Data"].items() if k != "PrimaryIpv6Address"}, {
            "Id": eni, "PrimaryPrivateIpAddress": n["PrivateIpAddress"], "VpcId": self.vpc,
            "SecondaryPrivateIpAddresses": secondary})
        new = dict(props, GroupSet=[sg, sg2], Description="second", SourceDestCheck=True)
        up = self.call("AWS::EC2::NetworkInterface", "Update", new, physical_id=eni, old=props)
        self.assertEqual(up["PhysicalResourceId"], eni)
        n = read()
        self.assertEqual((sorted(g["GroupId"] for g in n["Groups"]), n["Description"],
                          n["SourceDestCheck"]), (sorted([sg, sg2]), "second", True))
        self.delete_twice("AWS::EC2::NetworkInterface", new, eni)
        self.assertEqual(self.ec2.describe_network_interfaces(
            Filters=[{"Name": "network-interface-id", "Values": [eni]}])["NetworkInterfaces"], [])

    def test_vpc_peering(self):
        peer = self.ec2.create_vpc(CidrBlock="10.44.0.0/16")["Vpc"]["VpcId"]
        props = {"VpcId": self.vpc, "PeerVpcId": peer, "PeerOwnerId": "123456789012",
                 "Tags": [{"Key": "k", "Value": "1"}]}
        body = self.call("AWS::EC2::VPCPeeringConnection", "Create", props)
        pcx = body["PhysicalResourceId"]
        self.assertEqual(body["Data"], {"Id": pcx})

        def read():
            return self.ec2.describe_vpc_peering_connections(
                VpcPeeringConnectionIds=[pcx])["VpcPeeringConnections"][0]
        p = read()
        # Accepted, as CloudFormation accepts a peering within one account.
        self.assertEqual((p["Status"]["Code"], p["RequesterVpcInfo"]["VpcId"],
                          p["AccepterVpcInfo"]["VpcId"], tags(p)),
                         ("active", self.vpc, peer, {"k": "1"}))
        new = dict(props, Tags=[{"Key": "k", "Value": "2"}])
        self.call("AWS::EC2::VPCPeeringConnection", "Update", new, physical_id=pcx, old=props)
        self.assertEqual(tags(read()), {"k": "2"})
        self.delete_twice("AWS::EC2::VPCPeeringConnection", new, pcx)
        self.assertEqual(read()["Status"]["Code"], "deleted")

        body = self.call("AWS::EC2::VPCPeeringConnection", "Create",
                         dict(props, PeerOwnerId="111111111111"), expect="FAILED")
        self.assertIn("another account (111111111111) is not supported", body["Reason"])


if __name__ == "__main__":
    unittest.main()
