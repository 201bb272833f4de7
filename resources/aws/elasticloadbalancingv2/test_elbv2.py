"""AWS::ElasticLoadBalancingV2::LoadBalancer, ::TargetGroup, ::Listener and
::ListenerRule through `cfnkit native-provider` against moto_server, checked
with boto3: the chain templates/ecs-unique-port.yaml uses (a target group on a
port a !GetAtt gives as a string, a path rule forwarding to it)."""

import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "integration"))
from harness import NativeTest  # noqa: E402

GENERATED = re.compile(r"^[A-Za-z0-9-]+-Res-[A-Z0-9]{12}$")


class Elbv2(NativeTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.elb = cls.moto.client("elbv2")
        ec2 = cls.moto.client("ec2")
        cls.vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        cls.subnets = [ec2.create_subnet(VpcId=cls.vpc, CidrBlock=f"10.0.{i}.0/24",
                                         AvailabilityZone=f"us-east-1{az}")["Subnet"]["SubnetId"]
                       for i, az in ((1, "a"), (2, "b"), (3, "c"))]
        cls.sgs = [ec2.create_security_group(GroupName=f"lb{i}", Description="lb",
                                             VpcId=cls.vpc)["GroupId"] for i in range(2)]

    def typed(self, name):
        self.resource_type = name

    def load_balancer(self, name):
        self.typed("AWS::ElasticLoadBalancingV2::LoadBalancer")
        props = {"Name": name, "Subnets": self.subnets[:2], "SecurityGroups": self.sgs[:1],
                 "Scheme": "internal", "Type": "application",
                 "LoadBalancerAttributes": [{"Key": "idle_timeout.timeout_seconds", "Value": 30}],
                 "Tags": [{"Key": "team", "Value": "a"}]}
        return props, self.invoke("Create", props, expect="SUCCESS")

    def test_load_balancer(self):
        props, body = self.load_balancer("web")
        arn = body["PhysicalResourceId"]  # Ref: the ARN
        lb = self.elb.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0]
        self.assertEqual(body["Data"], {
            "LoadBalancerArn": arn, "LoadBalancerName": "web",
            "LoadBalancerFullName": arn.split(":loadbalancer/")[1],
            "DNSName": lb["DNSName"], "CanonicalHostedZoneID": lb["CanonicalHostedZoneId"],
            "SecurityGroups": self.sgs[:1]})
        self.assertEqual((lb["Scheme"], lb["Type"], lb["State"]["Code"]),
                         ("internal", "application", "active"))
        attrs = {a["Key"]: a["Value"] for a in
                 self.elb.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]}
        self.assertEqual(attrs["idle_timeout.timeout_seconds"], "30")

        new = dict(props, Subnets=self.subnets[1:], SecurityGroups=self.sgs,
                   Tags=[{"Key": "team", "Value": "b"}],
                   LoadBalancerAttributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "60"}])
        body = self.invoke("Update", new, physical_id=arn, old=props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], arn)
        self.assertEqual(body["Data"]["SecurityGroups"], self.sgs)
        lb = self.elb.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0]
        self.assertEqual(sorted(z["SubnetId"] for z in lb["AvailabilityZones"]),
                         sorted(self.subnets[1:]))
        tags = self.elb.describe_tags(ResourceArns=[arn])["TagDescriptions"][0]["Tags"]
        self.assertEqual(tags, [{"Key": "team", "Value": "b"}])
        attrs = {a["Key"]: a["Value"] for a in
                 self.elb.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]}
        self.assertEqual(attrs["idle_timeout.timeout_seconds"], "60")

        for _ in range(2):
            self.invoke("Delete", new, physical_id=arn, expect="SUCCESS")
        names = [b["LoadBalancerName"] for b in self.elb.describe_load_balancers()["LoadBalancers"]]
        self.assertNotIn("web", names)

    def test_generated_name_and_unsupported(self):
        self.typed("AWS::ElasticLoadBalancingV2::TargetGroup")
        body = self.invoke("Create", {"VpcId": self.vpc, "Protocol": "HTTP", "Port": 80},
                           expect="SUCCESS")
        name = body["Data"]["TargetGroupName"]
        self.assertLessEqual(len(name), 32)
        self.assertRegex(name, r"^[A-Za-z0-9-]+-[A-Z0-9]{12}$")
        self.invoke("Delete", {}, physical_id=body["PhysicalResourceId"], expect="SUCCESS")
        body = self.invoke("Create", {"VpcId": self.vpc, "TargetControlPort": 1}, expect="FAILED")
        self.assertIn("AWS::ElasticLoadBalancingV2::TargetGroup property TargetControlPort is not "
                      "supported by cfnkit's local engine", body["Reason"])

    def test_create_delivered_twice(self):
        """The same Create twice gives the same load balancer and target group,
        as ELBv2's Create calls do on AWS for the same name and settings (moto
        makes a second load balancer and refuses the second target group); a
        target group of that name with other settings is still refused."""
        rid = "5d1e8a40-0000-4000-8000-000000000001"
        self.typed("AWS::ElasticLoadBalancingV2::LoadBalancer")
        lb = {"Subnets": self.subnets[:2], "Scheme": "internal"}
        made = self.invoke("Create", lb, request_id=rid, expect="SUCCESS")
        again = self.invoke("Create", lb, request_id=rid, expect="SUCCESS")
        self.assertEqual(made, again)
        name = made["Data"]["LoadBalancerName"]
        lbs = self.elb.describe_load_balancers()["LoadBalancers"]
        self.assertEqual([b["LoadBalancerName"] for b in lbs].count(name), 1)
        self.typed("AWS::ElasticLoadBalancingV2::TargetGroup")
        tg = {"Name": "twice", "VpcId": self.vpc, "Protocol": "HTTP", "Port": 8080}
        first = self.invoke("Create", tg, request_id=rid, expect="SUCCESS")
        again = self.invoke("Create", tg, request_id=rid, expect="SUCCESS")
        self.assertEqual(first["PhysicalResourceId"], again["PhysicalResourceId"])
        other = self.invoke("Create", dict(tg, Port=9090), expect="FAILED")
        self.assertIn("DuplicateTargetGroupName", other["Reason"])
        self.invoke("Delete", tg, physical_id=first["PhysicalResourceId"], expect="SUCCESS")
        self.typed("AWS::ElasticLoadBalancingV2::LoadBalancer")
        self.invoke("Delete", lb, physical_id=made["PhysicalResourceId"], expect="SUCCESS")
        lbs = self.elb.describe_load_balancers()["LoadBalancers"]
        self.assertNotIn(name, [b["LoadBalancerName"] for b in lbs])

    def test_target_group_listener_and_rule(self):
        _, lb = self.load_balancer("front")
        lb_arn = lb["PhysicalResourceId"]

        self.typed("AWS::ElasticLoadBalancingV2::TargetGroup")
        # As in templates/ecs-unique-port.yaml: the port from a !GetAtt (a string).
        tg_props = {"VpcId": self.vpc, "Name": "web", "Protocol": "HTTP", "Port": "20001",
                    "TargetType": "instance", "HealthCheckPath": "/",
                    "Matcher": {"HttpCode": "200-399"},
                    "TargetGroupAttributes": [{"Key": "deregistration_delay.timeout_seconds",
                                               "Value": "20"}]}
        body = self.invoke("Create", tg_props, expect="SUCCESS")
        tg_arn = body["PhysicalResourceId"]
        tg = self.elb.describe_target_groups(TargetGroupArns=[tg_arn])["TargetGroups"][0]
        self.assertEqual(body["Data"], {"TargetGroupArn": tg_arn, "TargetGroupName": "web",
                                        "TargetGroupFullName": tg_arn.split(":targetgroup/")[1],
                                        "LoadBalancerArns": []})
        self.assertEqual((tg["Port"], tg["Protocol"], tg["HealthCheckPath"], tg["Matcher"]),
                         (20001, "HTTP", "/", {"HttpCode": "200-399"}))
        attrs = {a["Key"]: a["Value"] for a in
                 self.elb.describe_target_group_attributes(TargetGroupArn=tg_arn)["Attributes"]}
        self.assertEqual(attrs["deregistration_delay.timeout_seconds"], "20")
        new_tg = dict(tg_props, HealthCheckPath="/health", HealthyThresholdCount="3",
                      Matcher={"HttpCode": "200"})
        body = self.invoke("Update", new_tg, physical_id=tg_arn, old=tg_props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], tg_arn)
        tg = self.elb.describe_target_groups(TargetGroupArns=[tg_arn])["TargetGroups"][0]
        self.assertEqual((tg["HealthCheckPath"], tg["HealthyThresholdCount"], tg["Matcher"]),
                         ("/health", 3, {"HttpCode": "200"}))

        self.typed("AWS::ElasticLoadBalancingV2::Listener")
        ln_props = {"LoadBalancerArn": lb_arn, "Protocol": "HTTP", "Port": 80,
                    "DefaultActions": [{"Type": "fixed-response", "FixedResponseConfig": {
                        "StatusCode": 404, "ContentType": "text/plain", "MessageBody": "none"}}]}
        body = self.invoke("Create", ln_props, expect="SUCCESS")
        ln_arn = body["PhysicalResourceId"]
        self.assertEqual(body["Data"], {"ListenerArn": ln_arn})
        ln = self.elb.describe_listeners(ListenerArns=[ln_arn])["Listeners"][0]
        self.assertEqual((ln["Port"], ln["Protocol"]), (80, "HTTP"))
        self.assertEqual(ln["DefaultActions"][0]["FixedResponseConfig"]["StatusCode"], "404")
        new_ln = dict(ln_props, Port=8080)
        body = self.invoke("Update", new_ln, physical_id=ln_arn, old=ln_props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], ln_arn)
        self.assertEqual(self.elb.describe_listeners(ListenerArns=[ln_arn])["Listeners"][0]["Port"],
                         8080)

        self.typed("AWS::ElasticLoadBalancingV2::ListenerRule")
        rule_props = {"ListenerArn": ln_arn, "Priority": 100,
                      "Conditions": [{"Field": "path-pattern",
                                      "PathPatternConfig": {"Values": ["/*"]}}],
                      "Actions": [{"Type": "forward", "TargetGroupArn": tg_arn}]}
        body = self.invoke("Create", rule_props, expect="SUCCESS")
        rule_arn = body["PhysicalResourceId"]
        self.assertEqual(body["Data"], {"RuleArn": rule_arn, "IsDefault": False})
        rule = self.elb.describe_rules(RuleArns=[rule_arn])["Rules"][0]
        self.assertEqual(rule["Priority"], "100")
        self.assertEqual(rule["Actions"][0]["TargetGroupArn"], tg_arn)
        self.assertEqual(rule["Conditions"][0]["PathPatternConfig"]["Values"], ["/*"])
        tg = self.elb.describe_target_groups(TargetGroupArns=[tg_arn])["TargetGroups"][0]
        self.assertEqual(tg["LoadBalancerArns"], [lb_arn])

        new_rule = dict(rule_props, Priority="200",
                        Conditions=[{"Field": "path-pattern", "Values": ["/api/*"]}])
        body = self.invoke("Update", new_rule, physical_id=rule_arn, old=rule_props,
                           expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], rule_arn)
        rule = self.elb.describe_rules(RuleArns=[rule_arn])["Rules"][0]
        self.assertEqual(rule["Priority"], "200")
        self.assertEqual(rule["Conditions"][0]["Values"], ["/api/*"])

        # Leaves first, each twice.
        for rtype, props, arn in (
                ("AWS::ElasticLoadBalancingV2::ListenerRule", new_rule, rule_arn),
                ("AWS::ElasticLoadBalancingV2::Listener", new_ln, ln_arn),
                ("AWS::ElasticLoadBalancingV2::TargetGroup", new_tg, tg_arn),
                ("AWS::ElasticLoadBalancingV2::LoadBalancer", {}, lb_arn)):
            self.typed(rtype)
            for _ in range(2):
                self.invoke("Delete", props, physical_id=arn, expect="SUCCESS")
        self.assertEqual(self.elb.describe_target_groups()["TargetGroups"], [])


if __name__ == "__main__":
    unittest.main()
