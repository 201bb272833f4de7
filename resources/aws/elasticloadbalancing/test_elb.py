"""AWS::ElasticLoadBalancing::LoadBalancer (Classic Load Balancer) through
`cfnkit native-provider` against moto: listeners, zones, health check,
attributes, instances and tags read back with boto3, Ref and every
Fn::GetAtt, updates in place, delete and delete again."""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "integration"))
from harness import NativeTest  # noqa: E402


class LoadBalancer(NativeTest):
    resource_type = "AWS::ElasticLoadBalancing::LoadBalancer"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.elb = cls.moto.client("elb")
        ec2 = cls.moto.client("ec2")
        image = ec2.describe_images()["Images"][0]["ImageId"]
        run = ec2.run_instances(ImageId=image, MinCount=2, MaxCount=2)
        cls.i1, cls.i2 = sorted(i["InstanceId"] for i in run["Instances"])

    def describe(self, name):
        return self.elb.describe_load_balancers(
            LoadBalancerNames=[name])["LoadBalancerDescriptions"][0]

    def attrs(self, name):
        return self.elb.describe_load_balancer_attributes(
            LoadBalancerName=name)["LoadBalancerAttributes"]

    def test_lifecycle(self):
        props = {"LoadBalancerName": "web",
                 "AvailabilityZones": ["us-east-1a"],
                 "Listeners": [{"LoadBalancerPort": "80", "InstancePort": "8080",
                                "Protocol": "HTTP"}],
                 "HealthCheck": {"Target": "HTTP:8080/", "HealthyThreshold": "3",
                                 "UnhealthyThreshold": "5", "Interval": "30", "Timeout": "5"},
                 "CrossZone": "true",
                 "ConnectionDrainingPolicy": {"Enabled": "true", "Timeout": 60},
                 "Instances": [self.i1],
                 "Tags": [{"Key": "team", "Value": "a"}, {"Key": "gone", "Value": "x"}]}
        body = self.invoke("Create", props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "web")
        d = self.describe("web")
        data = body["Data"]
        self.assertEqual(data["Id"], "web")
        self.assertEqual(data["DNSName"], d["DNSName"])
        self.assertEqual(data["CanonicalHostedZoneName"], d["CanonicalHostedZoneName"])
        # moto's DescribeLoadBalancers gives no CanonicalHostedZoneNameID: the
        # attribute is then left out (an Fn::GetAtt of it fails in the engine).
        self.assertEqual(data.get("CanonicalHostedZoneNameID"),
                         d.get("CanonicalHostedZoneNameID"))
        self.assertEqual(data["SourceSecurityGroup.GroupName"],
                         d["SourceSecurityGroup"]["GroupName"])
        self.assertEqual(data["SourceSecurityGroup.OwnerAlias"],
                         d["SourceSecurityGroup"]["OwnerAlias"])
        self.assertTrue(data["DNSName"])
        self.assertEqual([(lis["Listener"]["LoadBalancerPort"], lis["Listener"]["InstancePort"])
                          for lis in d["ListenerDescriptions"]], [(80, 8080)])
        self.assertEqual(d["HealthCheck"]["Target"], "HTTP:8080/")
        self.assertEqual(d["HealthCheck"]["HealthyThreshold"], 3)
        self.assertEqual([i["InstanceId"] for i in d["Instances"]], [self.i1])
        a = self.attrs("web")
        self.assertTrue(a["CrossZoneLoadBalancing"]["Enabled"])
        self.assertEqual(a["ConnectionDraining"], {"Enabled": True, "Timeout": 60})
        tags = self.elb.describe_tags(LoadBalancerNames=["web"])["TagDescriptions"][0]["Tags"]
        self.assertEqual({t["Key"]: t["Value"] for t in tags}, {"team": "a", "gone": "x"})

        new = dict(props, Listeners=[{"LoadBalancerPort": 443, "InstancePort": 8443,
                                      "Protocol": "TCP"}],
                   HealthCheck=dict(props["HealthCheck"], Target="TCP:8443"),
                   CrossZone=False, Instances=[self.i2],
                   Tags=[{"Key": "team", "Value": "b"}])
        body = self.invoke("Update", new, physical_id="web", old=props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "web")
        d = self.describe("web")
        self.assertEqual([(lis["Listener"]["LoadBalancerPort"], lis["Listener"]["Protocol"])
                          for lis in d["ListenerDescriptions"]], [(443, "TCP")])
        self.assertEqual(d["HealthCheck"]["Target"], "TCP:8443")
        self.assertEqual([i["InstanceId"] for i in d["Instances"]], [self.i2])
        self.assertFalse(self.attrs("web")["CrossZoneLoadBalancing"]["Enabled"])
        tags = self.elb.describe_tags(LoadBalancerNames=["web"])["TagDescriptions"][0]["Tags"]
        self.assertEqual({t["Key"]: t["Value"] for t in tags}, {"team": "b"})

        self.invoke("Delete", new, physical_id="web", expect="SUCCESS")
        names = [b["LoadBalancerName"] for b in
                 self.elb.describe_load_balancers()["LoadBalancerDescriptions"]]
        self.assertNotIn("web", names)
        self.invoke("Delete", new, physical_id="web", expect="SUCCESS")

    def test_generated_name(self):
        props = {"AvailabilityZones": ["us-east-1b"],
                 "Listeners": [{"LoadBalancerPort": 80, "InstancePort": 80, "Protocol": "HTTP"}]}
        body = self.invoke("Create", props, logical="PublicLoadBalancer", expect="SUCCESS")
        name = body["PhysicalResourceId"]
        self.assertLessEqual(len(name), 32)
        self.assertRegex(name, r"-[A-Z0-9]{12}$")
        self.assertEqual(self.describe(name)["LoadBalancerName"], name)
        self.invoke("Delete", props, physical_id=name, expect="SUCCESS")

    def test_unsupported_is_refused(self):
        body = self.invoke("Create", {"Listeners": [{"LoadBalancerPort": 80, "InstancePort": 80,
                                                     "Protocol": "HTTP"}],
                                      "AvailabilityZones": ["us-east-1a"],
                                      "AccessLoggingPolicy": {"Enabled": False}},
                           expect="FAILED")
        self.assertIn("AWS::ElasticLoadBalancing::LoadBalancer property AccessLoggingPolicy is "
                      "not supported by cfnkit's local engine", body["Reason"])
        body = self.invoke("Create", {"AvailabilityZones": ["us-east-1a"]}, expect="FAILED")
        self.assertIn("property Listeners is required", body["Reason"])


if __name__ == "__main__":
    unittest.main()
