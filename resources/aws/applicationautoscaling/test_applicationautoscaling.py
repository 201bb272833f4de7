"""AWS::ApplicationAutoScaling::ScalableTarget and ::ScalingPolicy through
`cfnkit native-provider` against moto_server, checked with boto3: an ECS
service's desired count scaled by target tracking."""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "integration"))
from harness import NativeTest  # noqa: E402

RESOURCE = "service/scale/web"
DIMENSION = "ecs:service:DesiredCount"


class ApplicationAutoScaling(NativeTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.aas = cls.moto.client("application-autoscaling")
        ecs = cls.moto.client("ecs")
        ecs.create_cluster(clusterName="scale")
        td = ecs.register_task_definition(
            family="web", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 128}]
        )["taskDefinition"]["taskDefinitionArn"]
        ecs.create_service(cluster="scale", serviceName="web", taskDefinition=td, desiredCount=1)

    def typed(self, name):
        self.resource_type = name

    def targets(self):
        return self.aas.describe_scalable_targets(ServiceNamespace="ecs",
                                                  ResourceIds=[RESOURCE])["ScalableTargets"]

    def test_target_and_policy(self):
        self.typed("AWS::ApplicationAutoScaling::ScalableTarget")
        t_props = {"ServiceNamespace": "ecs", "ResourceId": RESOURCE,
                   "ScalableDimension": DIMENSION, "MinCapacity": "1", "MaxCapacity": 4,
                   "ScheduledActions": [{"ScheduledActionName": "night",
                                         "Schedule": "cron(0 22 * * ? *)",
                                         "ScalableTargetAction": {"MinCapacity": 1,
                                                                  "MaxCapacity": "2"}}]}
        body = self.invoke("Create", t_props, expect="SUCCESS")
        tid = body["PhysicalResourceId"]
        self.assertEqual(tid, f"{RESOURCE}|{DIMENSION}|ecs")  # Ref, as CloudFormation gives it
        self.assertEqual(body["Data"], {"Id": tid})
        t = self.targets()[0]
        self.assertEqual((t["MinCapacity"], t["MaxCapacity"]), (1, 4))
        acts = self.aas.describe_scheduled_actions(ServiceNamespace="ecs")["ScheduledActions"]
        self.assertEqual([(a["ScheduledActionName"], a["ScalableTargetAction"]) for a in acts],
                         [("night", {"MinCapacity": 1, "MaxCapacity": 2})])

        new_t = dict(t_props, MinCapacity=2, MaxCapacity=6, ScheduledActions=[])
        body = self.invoke("Update", new_t, physical_id=tid, old=t_props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], tid)
        t = self.targets()[0]
        self.assertEqual((t["MinCapacity"], t["MaxCapacity"]), (2, 6))
        self.assertEqual(
            self.aas.describe_scheduled_actions(ServiceNamespace="ecs")["ScheduledActions"], [])

        self.typed("AWS::ApplicationAutoScaling::ScalingPolicy")
        p_props = {"PolicyName": "cpu", "PolicyType": "TargetTrackingScaling",
                   "ScalingTargetId": tid,
                   "TargetTrackingScalingPolicyConfiguration": {
                       "TargetValue": "50.5", "ScaleInCooldown": 60,
                       "PredefinedMetricSpecification": {
                           "PredefinedMetricType": "ECSServiceAverageCPUUtilization"}}}
        body = self.invoke("Create", p_props, expect="SUCCESS")
        arn = body["PhysicalResourceId"]  # Ref: the policy's ARN
        self.assertEqual(body["Data"], {"Arn": arn})
        pol = self.aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
        self.assertEqual([(p["PolicyName"], p["PolicyARN"], p["ResourceId"]) for p in pol],
                         [("cpu", arn, RESOURCE)])
        cfg = pol[0]["TargetTrackingScalingPolicyConfiguration"]
        self.assertEqual((cfg["TargetValue"], cfg["ScaleInCooldown"]), (50.5, 60))

        new_p = dict(p_props, TargetTrackingScalingPolicyConfiguration=dict(
            p_props["TargetTrackingScalingPolicyConfiguration"], TargetValue=70))
        body = self.invoke("Update", new_p, physical_id=arn, old=p_props, expect="SUCCESS")
        pol = self.aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
        self.assertEqual(pol[0]["TargetTrackingScalingPolicyConfiguration"]["TargetValue"], 70)

        for _ in range(2):
            self.invoke("Delete", new_p, physical_id=arn, expect="SUCCESS")
        self.assertEqual(
            self.aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"], [])
        self.typed("AWS::ApplicationAutoScaling::ScalableTarget")
        for _ in range(2):
            self.invoke("Delete", new_t, physical_id=tid, expect="SUCCESS")
        self.assertEqual(self.targets(), [])

    def test_bad_target_id_and_unsupported(self):
        self.typed("AWS::ApplicationAutoScaling::ScalingPolicy")
        body = self.invoke("Create", {"PolicyName": "p", "PolicyType": "StepScaling",
                                      "ScalingTargetId": "nope"}, expect="FAILED")
        self.assertIn('ScalingTargetId "nope" is not a scalable target', body["Reason"])
        body = self.invoke("Create", {"PolicyName": "p", "PolicyType": "PredictiveScaling",
                                      "PredictiveScalingPolicyConfiguration": {}},
                           expect="FAILED")
        self.assertIn("property PredictiveScalingPolicyConfiguration is not supported",
                      body["Reason"])


if __name__ == "__main__":
    unittest.main()
