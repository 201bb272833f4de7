"""The native resources of templates/ecs-unique-port.yaml, made, changed and
deleted in the template's dependency order through `cfnkit native-provider`
against moto_server, each taking the Ref and Fn::GetAtt values of those
before it, as the engine will pass them; checked with boto3. The template's
parameters (VPC, security groups, a listener, the cluster) and its resources
of other modules (the role, the Custom::UniquePort ports, given as the
strings a custom resource's Fn::GetAtt gives) are made first with boto3."""

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "integration"))
from harness import NativeTest  # noqa: E402

ASSUME = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})
STACK = "ports"  # the stack name of the sample events' StackId


class EcsExample(NativeTest):
    @classmethod
    def setUpClass(cls):
        saved = os.environ.get("MOTO_ECS_SERVICE_RUNNING")
        os.environ["MOTO_ECS_SERVICE_RUNNING"] = "2"  # the services' DesiredCount
        try:
            super().setUpClass()
        finally:
            if saved is None:
                del os.environ["MOTO_ECS_SERVICE_RUNNING"]
            else:
                os.environ["MOTO_ECS_SERVICE_RUNNING"] = saved
        cls.ecs, cls.elb = cls.moto.client("ecs"), cls.moto.client("elbv2")
        ec2 = cls.moto.client("ec2")
        cls.vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=cls.vpc, CidrBlock=f"10.0.{i}.0/24",
                                     AvailabilityZone=f"us-east-1{az}")["Subnet"]["SubnetId"]
                   for i, az in ((1, "a"), (2, "b"))]
        lb_sg = ec2.create_security_group(GroupName="alb", Description="alb",
                                          VpcId=cls.vpc)["GroupId"]
        alb = cls.elb.create_load_balancer(Name="alb", Subnets=subnets, SecurityGroups=[lb_sg])
        cls.alb = alb["LoadBalancers"][0]["LoadBalancerArn"]
        cls.listener = cls.elb.create_listener(
            LoadBalancerArn=cls.alb, Protocol="HTTP", Port=80,
            DefaultActions=[{"Type": "fixed-response",
                             "FixedResponseConfig": {"StatusCode": "404"}}]
        )["Listeners"][0]["ListenerArn"]
        cls.ecs.create_cluster(clusterName="prod")
        cls.role = cls.moto.client("iam").create_role(
            RoleName="task", AssumeRolePolicyDocument=ASSUME)["Role"]["Arn"]

    def make(self, rtype, logical, props, action="Create", physical_id=None, old=None):
        self.resource_type = rtype
        return self.invoke(action, props, physical_id=physical_id, old=old, logical=logical,
                           expect="SUCCESS")

    def resources(self, web, admin):
        """The template's native resources for host ports `web` and `admin`."""
        task = {
            "Family": f"{STACK}-web", "NetworkMode": "bridge", "RequiresCompatibilities": ["EC2"],
            "TaskRoleArn": self.role,
            "ContainerDefinitions": [{
                "Name": "web", "Image": "public.ecr.aws/nginx/nginx:stable", "Memory": 256,
                "Essential": True,
                "PortMappings": [{"ContainerPort": 80, "HostPort": web, "Protocol": "tcp"},
                                 {"ContainerPort": 8081, "HostPort": admin, "Protocol": "tcp"}],
                "Environment": [{"Name": "PUBLIC_PORT", "Value": web},
                                {"Name": "ADMIN_PORT", "Value": admin}]}]}
        group = {"VpcId": self.vpc, "Protocol": "HTTP", "Port": web, "TargetType": "instance",
                 "HealthCheckPath": "/", "Matcher": {"HttpCode": "200-399"}}
        return task, group

    def rule(self, group_arn):
        return {"ListenerArn": self.listener, "Priority": 100,
                "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/*"]}}],
                "Actions": [{"Type": "forward", "TargetGroupArn": group_arn}]}

    def service(self, task_arn, group_arn):
        return {"Cluster": "prod", "TaskDefinition": task_arn, "DesiredCount": 2,
                "LaunchType": "EC2", "PlacementConstraints": [{"Type": "distinctInstance"}],
                "LoadBalancers": [{"ContainerName": "web", "ContainerPort": 80,
                                   "TargetGroupArn": group_arn}]}

    def check(self, svc_arn, task_arn, group_arn, web, linked=True):
        svc = self.ecs.describe_services(cluster="prod", services=[svc_arn])["services"][0]
        self.assertEqual((svc["status"], svc["taskDefinition"], svc["desiredCount"]),
                         ("ACTIVE", task_arn, 2))
        self.assertEqual(svc["loadBalancers"][0]["targetGroupArn"], group_arn)
        td = self.ecs.describe_task_definition(taskDefinition=task_arn)["taskDefinition"]
        self.assertEqual(td["taskRoleArn"], self.role)
        c = td["containerDefinitions"][0]
        self.assertEqual(c["portMappings"][0]["hostPort"], int(web))
        self.assertEqual(c["environment"][0], {"name": "PUBLIC_PORT", "value": web})
        tg = self.elb.describe_target_groups(TargetGroupArns=[group_arn])["TargetGroups"][0]
        self.assertEqual(tg["Port"], int(web))
        if linked:
            self.assertEqual(tg["LoadBalancerArns"], [self.alb])
        rules = self.elb.describe_rules(ListenerArn=self.listener)["Rules"]
        forward = [r for r in rules if r["Priority"] == "100"]
        self.assertEqual(forward[0]["Actions"][0]["TargetGroupArn"], group_arn)

    def test_deploy_update_delete(self):
        # Create, in the template's order: TaskDefinition and TargetGroup
        # (after the ports), ListenerRule (Ref TargetGroup), Service
        # (DependsOn ListenerRule, Ref TaskDefinition and TargetGroup).
        task, group = self.resources("20001", "20002")
        td = self.make("AWS::ECS::TaskDefinition", "TaskDefinition", task)["PhysicalResourceId"]
        tg = self.make("AWS::ElasticLoadBalancingV2::TargetGroup", "TargetGroup",
                       group)["PhysicalResourceId"]
        rule = self.make("AWS::ElasticLoadBalancingV2::ListenerRule", "ListenerRule",
                         self.rule(tg))["PhysicalResourceId"]
        svc_props = self.service(td, tg)
        svc = self.make("AWS::ECS::Service", "Service", svc_props)["PhysicalResourceId"]
        self.check(svc, td, tg, "20001")

        # The web port changes: TaskDefinition and TargetGroup (Port is
        # create-only) are replaced by new ones, the rule and the service are
        # updated in place to them, and the old ones go in the cleanup phase.
        task2, group2 = self.resources("20005", "20002")
        td2 = self.make("AWS::ECS::TaskDefinition", "TaskDefinition", task2)["PhysicalResourceId"]
        tg2 = self.make("AWS::ElasticLoadBalancingV2::TargetGroup", "TargetGroup",
                        group2)["PhysicalResourceId"]
        self.assertNotEqual((td2, tg2), (td, tg))
        self.assertTrue(td2.endswith(f"{STACK}-web:2"), td2)
        body = self.make("AWS::ElasticLoadBalancingV2::ListenerRule", "ListenerRule",
                         self.rule(tg2), action="Update", physical_id=rule, old=self.rule(tg))
        self.assertEqual(body["PhysicalResourceId"], rule)
        svc2_props = self.service(td2, tg2)
        body = self.make("AWS::ECS::Service", "Service", svc2_props, action="Update",
                         physical_id=svc, old=svc_props)
        self.assertEqual(body["PhysicalResourceId"], svc)
        self.make("AWS::ECS::TaskDefinition", "TaskDefinition", task, action="Delete",
                  physical_id=td)
        self.make("AWS::ElasticLoadBalancingV2::TargetGroup", "TargetGroup", group,
                  action="Delete", physical_id=tg)
        # moto links a target group to its load balancer when a rule is made
        # forwarding to it, not when ModifyRule points a rule at it: its
        # LoadBalancerArns stays empty there (AWS lists the load balancer).
        self.check(svc, td2, tg2, "20005", linked=False)
        self.assertEqual(self.ecs.describe_task_definition(taskDefinition=td)
                         ["taskDefinition"]["status"], "INACTIVE")
        self.assertEqual([g["TargetGroupArn"] for g in
                          self.elb.describe_target_groups()["TargetGroups"]], [tg2])

        # Delete, in reverse order.
        self.make("AWS::ECS::Service", "Service", svc2_props, action="Delete", physical_id=svc)
        self.make("AWS::ElasticLoadBalancingV2::ListenerRule", "ListenerRule", self.rule(tg2),
                  action="Delete", physical_id=rule)
        self.make("AWS::ElasticLoadBalancingV2::TargetGroup", "TargetGroup", group2,
                  action="Delete", physical_id=tg2)
        self.make("AWS::ECS::TaskDefinition", "TaskDefinition", task2, action="Delete",
                  physical_id=td2)
        self.assertEqual(self.ecs.describe_services(cluster="prod", services=[svc])
                         ["services"][0]["status"], "INACTIVE")
        self.assertEqual(self.elb.describe_target_groups()["TargetGroups"], [])
        self.assertEqual([r["Priority"] for r in
                          self.elb.describe_rules(ListenerArn=self.listener)["Rules"]],
                         ["default"])
        self.assertEqual(self.ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"],
                         [])


if __name__ == "__main__":
    unittest.main()
