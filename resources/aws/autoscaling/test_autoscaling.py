"""AWS::AutoScaling::LaunchConfiguration, AutoScalingGroup, ScalingPolicy,
ScheduledAction and LifecycleHook through `cfnkit native-provider` against
moto: read back with boto3, Ref and every Fn::GetAtt, update in place, delete
and delete again. moto runs no VMs: the group's instances are moto's records,
InService at once."""

import base64
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "integration"))
from harness import NativeTest  # noqa: E402

AMI = "ami-12c6146b"  # one of moto's default images


class LaunchConfiguration(NativeTest):
    resource_type = "AWS::AutoScaling::LaunchConfiguration"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.asg = cls.moto.client("autoscaling")

    def lc(self, name):
        got = self.asg.describe_launch_configurations(
            LaunchConfigurationNames=[name])["LaunchConfigurations"]
        return got[0] if got else None

    def test_lifecycle(self):
        user_data = base64.b64encode(b"#!/bin/sh\necho hi\n").decode()
        props = {"ImageId": AMI, "InstanceType": "t3.micro", "KeyName": "k",
                 "SecurityGroups": ["sg-1"], "UserData": user_data,
                 "EbsOptimized": "true"}
        body = self.invoke("Create", props, logical="Conf", expect="SUCCESS")
        name = body["PhysicalResourceId"]
        self.assertRegex(name, r"^[A-Za-z0-9-]+-Conf-[A-Z0-9]{12}$")
        lc = self.lc(name)
        self.assertEqual((lc["ImageId"], lc["InstanceType"], lc["KeyName"]),
                         (AMI, "t3.micro", "k"))
        self.assertEqual(lc["SecurityGroups"], ["sg-1"])
        self.assertEqual(base64.b64decode(lc["UserData"]), b"#!/bin/sh\necho hi\n")
        self.assertIs(lc["EbsOptimized"], True)
        self.assertNotIn("Data", body)

        # Every property is create-only: an Update keeps the configuration.
        body = self.invoke("Update", props, physical_id=name, old=props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], name)

        self.invoke("Delete", props, physical_id=name, expect="SUCCESS")
        self.assertIsNone(self.lc(name))
        self.invoke("Delete", props, physical_id=name, expect="SUCCESS")

    def test_named_and_refused(self):
        props = {"LaunchConfigurationName": "web", "ImageId": AMI, "InstanceType": "t3.small"}
        body = self.invoke("Create", props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "web")
        self.assertIsNotNone(self.lc("web"))
        self.invoke("Delete", props, physical_id="web", expect="SUCCESS")
        body = self.invoke("Create", dict(props, MetadataOptions={}), expect="FAILED")
        self.assertIn("AWS::AutoScaling::LaunchConfiguration property MetadataOptions is not "
                      "supported by cfnkit's local engine", body["Reason"])
        body = self.invoke("Create", {"ImageId": AMI}, expect="FAILED")
        self.assertIn("InstanceType", body["Reason"])


class AutoScalingGroup(NativeTest):
    resource_type = "AWS::AutoScaling::AutoScalingGroup"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.asg = cls.moto.client("autoscaling")
        cls.asg.create_launch_configuration(LaunchConfigurationName="lc", ImageId=AMI,
                                            InstanceType="t3.micro")
        ec2 = cls.moto.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        cls.subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24",
                                         AvailabilityZone=f"us-east-1{z}")["Subnet"]["SubnetId"]
                       for i, z in ((1, "a"), (2, "b"))]

    def group(self, name):
        got = self.asg.describe_auto_scaling_groups(
            AutoScalingGroupNames=[name])["AutoScalingGroups"]
        return got[0] if got else None

    def tags(self, g):
        return {t["Key"]: (t["Value"], t["PropagateAtLaunch"]) for t in g["Tags"]}

    def test_lifecycle(self):
        props = {"LaunchConfigurationName": "lc", "MinSize": "1", "MaxSize": "3",
                 "DesiredCapacity": 2, "Cooldown": "120", "HealthCheckType": "EC2",
                 "HealthCheckGracePeriod": 60, "VPCZoneIdentifier": self.subnets,
                 "Tags": [{"Key": "team", "Value": "a", "PropagateAtLaunch": "true"},
                          {"Key": "gone", "Value": "x", "PropagateAtLaunch": False}]}
        body = self.invoke("Create", props, logical="Web", expect="SUCCESS")
        name = body["PhysicalResourceId"]
        self.assertRegex(name, r"^[A-Za-z0-9-]+-Web-[A-Z0-9]{12}$")
        g = self.group(name)
        self.assertEqual(body["Data"], {"AutoScalingGroupARN": g["AutoScalingGroupARN"]})
        self.assertEqual((g["MinSize"], g["MaxSize"], g["DesiredCapacity"]), (1, 3, 2))
        self.assertEqual((g["DefaultCooldown"], g["HealthCheckGracePeriod"]), (120, 60))
        self.assertEqual(g["LaunchConfigurationName"], "lc")
        self.assertEqual(sorted(g["VPCZoneIdentifier"].split(",")), sorted(self.subnets))
        self.assertEqual(len([i for i in g["Instances"] if i["LifecycleState"] == "InService"]),
                         2)
        self.assertEqual(self.tags(g), {"team": ("a", True), "gone": ("x", False)})

        new = dict(props, MaxSize=5, DesiredCapacity=3,
                   Tags=[{"Key": "team", "Value": "b", "PropagateAtLaunch": True}])
        body = self.invoke("Update", new, physical_id=name, old=props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], name)
        g = self.group(name)
        self.assertEqual((g["MaxSize"], g["DesiredCapacity"], len(g["Instances"])), (5, 3, 3))
        self.assertEqual(self.tags(g), {"team": ("b", True)})

        # Target groups follow the list: the one dropped detached, the new one attached.
        elb = self.moto.client("elbv2")
        vpc = self.moto.client("ec2").describe_subnets(
            SubnetIds=self.subnets[:1])["Subnets"][0]["VpcId"]
        tgs = [elb.create_target_group(Name=f"tg{i}", Protocol="HTTP", Port=80,
                                       VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
               for i in (1, 2)]
        with_tg = dict(new, TargetGroupARNs=tgs[:1])
        self.invoke("Update", with_tg, physical_id=name, old=new, expect="SUCCESS")
        self.assertEqual(self.group(name)["TargetGroupARNs"], tgs[:1])
        moved = dict(new, TargetGroupARNs=tgs[1:])
        self.invoke("Update", moved, physical_id=name, old=with_tg, expect="SUCCESS")
        self.assertEqual(self.group(name)["TargetGroupARNs"], tgs[1:])
        new = moved

        self.invoke("Delete", new, physical_id=name, expect="SUCCESS")
        self.assertIsNone(self.group(name))
        self.invoke("Delete", new, physical_id=name, expect="SUCCESS")

    def test_named_and_refused(self):
        props = {"AutoScalingGroupName": "workers", "LaunchConfigurationName": "lc",
                 "MinSize": 0, "MaxSize": 1, "AvailabilityZones": ["us-east-1a"]}
        body = self.invoke("Create", props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "workers")
        self.assertEqual(self.group("workers")["AvailabilityZones"], ["us-east-1a"])
        self.invoke("Delete", props, physical_id="workers", expect="SUCCESS")

        metered = dict(props, AutoScalingGroupName="metered", MetricsCollection=[
            {"Granularity": "1Minute", "Metrics": ["GroupMinSize", "GroupMaxSize"]}])
        self.invoke("Create", metered, expect="SUCCESS")
        self.assertEqual(sorted(m["Metric"] for m in self.group("metered")["EnabledMetrics"]),
                         ["GroupMaxSize", "GroupMinSize"])
        # moto 5 has no DisableMetricsCollection, which an update of them calls first.
        body = self.invoke("Update", dict(metered, MetricsCollection=[]), physical_id="metered",
                           old=metered, expect="FAILED")
        self.assertIn("DisableMetricsCollection", body["Reason"])
        self.invoke("Delete", metered, physical_id="metered", expect="SUCCESS")

        body = self.invoke("Create", dict(props, MixedInstancesPolicy={}), expect="FAILED")
        self.assertIn("AWS::AutoScaling::AutoScalingGroup property MixedInstancesPolicy is not "
                      "supported by cfnkit's local engine", body["Reason"])
        # moto 5 has no PutNotificationConfiguration: the failure names the call.
        topic = "arn:aws:sns:us-east-1:123456789012:t"
        body = self.invoke("Create", dict(props, AutoScalingGroupName="notified",
                                          NotificationConfigurations=[
                                              {"TopicARN": topic, "NotificationTypes": [
                                                  "autoscaling:EC2_INSTANCE_LAUNCH"]}]),
                           expect="FAILED")
        self.assertIn("PutNotificationConfiguration", body["Reason"])
        # A failed Create gets no Delete: the group made is deleted.
        self.assertIsNone(self.group("notified"))
        body = self.invoke("Create", dict(props, Cooldown="soon"), expect="FAILED")
        self.assertIn("property Cooldown must be a number", body["Reason"])


class ScalingPolicy(NativeTest):
    resource_type = "AWS::AutoScaling::ScalingPolicy"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.asg = cls.moto.client("autoscaling")
        cls.asg.create_launch_configuration(LaunchConfigurationName="lc", ImageId=AMI,
                                            InstanceType="t3.micro")
        cls.asg.create_auto_scaling_group(AutoScalingGroupName="g", LaunchConfigurationName="lc",
                                          MinSize=0, MaxSize=2,
                                          AvailabilityZones=["us-east-1a"])

    def policy(self, name):
        got = self.asg.describe_policies(AutoScalingGroupName="g",
                                         PolicyNames=[name])["ScalingPolicies"]
        return got[0] if got else None

    def test_lifecycle(self):
        props = {"AutoScalingGroupName": "g", "AdjustmentType": "ChangeInCapacity",
                 "ScalingAdjustment": "1", "Cooldown": "60"}
        body = self.invoke("Create", props, logical="Up", expect="SUCCESS")
        arn = body["PhysicalResourceId"]
        name = body["Data"]["PolicyName"]
        self.assertRegex(name, r"^[A-Za-z0-9-]+-Up-[A-Z0-9]{12}$")
        p = self.policy(name)
        self.assertEqual(body["Data"], {"Arn": p["PolicyARN"], "PolicyName": name})
        self.assertEqual(arn, p["PolicyARN"])
        self.assertEqual((p["AdjustmentType"], p["ScalingAdjustment"], p["Cooldown"]),
                         ("ChangeInCapacity", 1, 60))

        new = dict(props, ScalingAdjustment=2, Cooldown=300)
        body = self.invoke("Update", new, physical_id=arn, old=props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], arn)
        p = self.policy(name)
        self.assertEqual((p["ScalingAdjustment"], p["Cooldown"]), (2, 300))

        self.invoke("Delete", new, physical_id=arn, expect="SUCCESS")
        self.assertIsNone(self.policy(name))
        self.invoke("Delete", new, physical_id=arn, expect="SUCCESS")

    def test_refused(self):
        body = self.invoke("Create", {"AutoScalingGroupName": "g",
                                      "PredictiveScalingConfiguration": {}}, expect="FAILED")
        self.assertIn("AWS::AutoScaling::ScalingPolicy property PredictiveScalingConfiguration "
                      "is not supported by cfnkit's local engine", body["Reason"])
        body = self.invoke("Create", {"AdjustmentType": "ChangeInCapacity"}, expect="FAILED")
        self.assertIn("AutoScalingGroupName", body["Reason"])


class ScheduledAction(NativeTest):
    resource_type = "AWS::AutoScaling::ScheduledAction"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.asg = cls.moto.client("autoscaling")
        cls.asg.create_launch_configuration(LaunchConfigurationName="lc", ImageId=AMI,
                                            InstanceType="t3.micro")
        cls.asg.create_auto_scaling_group(AutoScalingGroupName="g", LaunchConfigurationName="lc",
                                          MinSize=0, MaxSize=2,
                                          AvailabilityZones=["us-east-1a"])

    def action(self, name):
        got = self.asg.describe_scheduled_actions(
            AutoScalingGroupName="g", ScheduledActionNames=[name])["ScheduledUpdateGroupActions"]
        return got[0] if got else None

    def test_lifecycle(self):
        props = {"AutoScalingGroupName": "g", "MinSize": "1", "MaxSize": 2,
                 "Recurrence": "0 7 * * *"}
        body = self.invoke("Create", props, logical="Morning", expect="SUCCESS")
        name = body["PhysicalResourceId"]
        self.assertRegex(name, r"^[A-Za-z0-9-]+-Morning-[A-Z0-9]{12}$")
        self.assertEqual(body["Data"], {"ScheduledActionName": name})
        a = self.action(name)
        self.assertEqual((a["MinSize"], a["MaxSize"], a["Recurrence"]), (1, 2, "0 7 * * *"))

        new = dict(props, MaxSize=4, Recurrence="0 8 * * *")
        body = self.invoke("Update", new, physical_id=name, old=props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], name)
        a = self.action(name)
        self.assertEqual((a["MaxSize"], a["Recurrence"]), (4, "0 8 * * *"))

        self.invoke("Delete", new, physical_id=name, expect="SUCCESS")
        self.assertIsNone(self.action(name))
        self.invoke("Delete", new, physical_id=name, expect="SUCCESS")
        body = self.invoke("Create", dict(props, Unknown=1), expect="FAILED")
        self.assertIn("AWS::AutoScaling::ScheduledAction property Unknown is not supported by "
                      "cfnkit's local engine", body["Reason"])


class LifecycleHook(ScheduledAction):
    resource_type = "AWS::AutoScaling::LifecycleHook"

    def action(self, name):
        got = self.asg.describe_lifecycle_hooks(
            AutoScalingGroupName="g", LifecycleHookNames=[name])["LifecycleHooks"]
        return got[0] if got else None

    def test_lifecycle(self):
        props = {"AutoScalingGroupName": "g", "LifecycleHookName": "drain",
                 "LifecycleTransition": "autoscaling:EC2_INSTANCE_TERMINATING",
                 "DefaultResult": "CONTINUE", "HeartbeatTimeout": "300"}
        body = self.invoke("Create", props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "drain")
        self.assertNotIn("Data", body)
        h = self.action("drain")
        self.assertEqual((h["LifecycleTransition"], h["DefaultResult"], h["HeartbeatTimeout"]),
                         ("autoscaling:EC2_INSTANCE_TERMINATING", "CONTINUE", 300))

        new = dict(props, DefaultResult="ABANDON", HeartbeatTimeout=600)
        body = self.invoke("Update", new, physical_id="drain", old=props, expect="SUCCESS")
        h = self.action("drain")
        self.assertEqual((h["DefaultResult"], h["HeartbeatTimeout"]), ("ABANDON", 600))

        self.invoke("Delete", new, physical_id="drain", expect="SUCCESS")
        self.assertIsNone(self.action("drain"))
        self.invoke("Delete", new, physical_id="drain", expect="SUCCESS")
        body = self.invoke("Create", {"AutoScalingGroupName": "g"}, expect="FAILED")
        self.assertIn("LifecycleTransition", body["Reason"])


if __name__ == "__main__":
    unittest.main()
