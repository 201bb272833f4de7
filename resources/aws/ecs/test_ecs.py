"""AWS::ECS::Cluster, ::TaskDefinition and ::Service through `cfnkit
native-provider` against moto_server, checked with boto3. moto runs no
containers: it reports MOTO_ECS_SERVICE_RUNNING tasks running for every
service, so the class starts it with 2 for a service to become stable."""

import json
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "integration"))
from harness import NativeTest, request, run  # noqa: E402

# The stack of the sample events (tests/fixtures/events).
GENERATED = re.compile(r"^[A-Za-z0-9-]+-Res-[A-Z0-9]{12}$")


class Ecs(NativeTest):
    @classmethod
    def setUpClass(cls):
        saved = os.environ.get("MOTO_ECS_SERVICE_RUNNING")
        os.environ["MOTO_ECS_SERVICE_RUNNING"] = "2"
        try:
            super().setUpClass()
        finally:
            if saved is None:
                del os.environ["MOTO_ECS_SERVICE_RUNNING"]
            else:
                os.environ["MOTO_ECS_SERVICE_RUNNING"] = saved
        cls.ecs = cls.moto.client("ecs")

    def typed(self, name):
        self.resource_type = name

    def test_cluster(self):
        self.typed("AWS::ECS::Cluster")
        props = {"ClusterName": "web", "Tags": [{"Key": "team", "Value": "a"}],
                 "ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}]}
        body = self.invoke("Create", props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "web")  # Ref: the name
        c = self.ecs.describe_clusters(clusters=["web"], include=["TAGS", "SETTINGS"])["clusters"][0]
        self.assertEqual(body["Data"], {"Arn": c["clusterArn"]})
        self.assertEqual(c["status"], "ACTIVE")
        self.assertEqual(c["tags"], [{"key": "team", "value": "a"}])
        self.assertEqual(c["settings"], [{"name": "containerInsights", "value": "enabled"}])

        new = dict(props, Tags=[{"Key": "owner", "Value": "b"}],
                   ClusterSettings=[{"Name": "containerInsights", "Value": "disabled"}])
        body = self.invoke("Update", new, physical_id="web", old=props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "web")
        c = self.ecs.describe_clusters(clusters=["web"], include=["TAGS", "SETTINGS"])["clusters"][0]
        self.assertEqual(c["tags"], [{"key": "owner", "value": "b"}])
        self.assertEqual(c["settings"], [{"name": "containerInsights", "value": "disabled"}])

        for _ in range(2):
            self.invoke("Delete", new, physical_id="web", expect="SUCCESS")
        gone = self.ecs.describe_clusters(clusters=["web"])["clusters"]
        self.assertTrue(not gone or gone[0]["status"] == "INACTIVE", gone)

    def test_cluster_name_generated_and_unsupported_property(self):
        self.typed("AWS::ECS::Cluster")
        body = self.invoke("Create", {}, expect="SUCCESS")
        self.assertRegex(body["PhysicalResourceId"], GENERATED)
        self.invoke("Delete", {}, physical_id=body["PhysicalResourceId"], expect="SUCCESS")
        body = self.invoke("Create", {"ClusterName": "x", "Colour": "red"}, expect="FAILED")
        self.assertIn("AWS::ECS::Cluster property Colour is not supported by cfnkit's local engine",
                      body["Reason"])

    def taskdef_props(self, host_port):
        return {
            "Family": "web", "NetworkMode": "bridge", "RequiresCompatibilities": ["EC2"],
            "Cpu": 256, "Memory": "512",
            "ContainerDefinitions": [{
                "Name": "web", "Image": "nginx", "Memory": 256, "Essential": True,
                # A !GetAtt of a custom resource gives a string; ECS wants a number.
                "PortMappings": [{"ContainerPort": 80, "HostPort": host_port, "Protocol": "tcp"}],
                "Environment": [{"Name": "PUBLIC_PORT", "Value": 20001}],
                "DockerLabels": {"Team.Name": "a"},
            }],
            "Tags": [{"Key": "team", "Value": "a"}],
        }

    def test_task_definition(self):
        self.typed("AWS::ECS::TaskDefinition")
        props = self.taskdef_props("20001")
        body = self.invoke("Create", props, expect="SUCCESS")
        arn = body["PhysicalResourceId"]  # Ref: the ARN
        self.assertEqual(body["Data"], {"TaskDefinitionArn": arn})
        out = self.ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"])
        td = out["taskDefinition"]
        self.assertEqual(td["family"], "web")
        self.assertEqual(td["revision"], 1)
        self.assertEqual((td["cpu"], td["memory"]), ("256", "512"))
        c = td["containerDefinitions"][0]
        self.assertEqual(c["portMappings"], [{"containerPort": 80, "hostPort": 20001, "protocol": "tcp"}])
        self.assertEqual(c["environment"], [{"name": "PUBLIC_PORT", "value": "20001"}])
        self.assertEqual(c["dockerLabels"], {"Team.Name": "a"})
        self.assertTrue(c["essential"])
        self.assertEqual(out["tags"], [{"key": "team", "value": "a"}])

        # Tags change in place; any other property is create-only: the engine
        # creates a new revision and deletes the old one.
        new = dict(props, Tags=[{"Key": "team", "Value": "b"}])
        body = self.invoke("Update", new, physical_id=arn, old=props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], arn)
        tags = self.ecs.list_tags_for_resource(resourceArn=arn)["tags"]
        self.assertEqual(tags, [{"key": "team", "value": "b"}])
        second = self.invoke("Create", self.taskdef_props("20002"), expect="SUCCESS")
        self.assertNotEqual(second["PhysicalResourceId"], arn)
        self.assertTrue(second["PhysicalResourceId"].endswith(":2"))

        for _ in range(2):
            self.invoke("Delete", props, physical_id=arn, expect="SUCCESS")
        td = self.ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
        self.assertEqual(td["status"], "INACTIVE")
        self.invoke("Delete", props, physical_id=second["PhysicalResourceId"], expect="SUCCESS")

    def test_task_definition_wrong_type(self):
        self.typed("AWS::ECS::TaskDefinition")
        body = self.invoke("Create", self.taskdef_props("eighty"), expect="FAILED")
        self.assertIn("hostPort has a value of the wrong type", body["Reason"])

    def test_service(self):
        self.ecs.create_cluster(clusterName="svc")
        td1 = self.ecs.register_task_definition(
            family="svc", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 128}]
        )["taskDefinition"]["taskDefinitionArn"]
        td2 = self.ecs.register_task_definition(
            family="svc", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 256}]
        )["taskDefinition"]["taskDefinitionArn"]
        self.typed("AWS::ECS::Service")
        props = {"Cluster": "svc", "ServiceName": "web", "TaskDefinition": td1,
                 "DesiredCount": "2", "LaunchType": "EC2",
                 # As in templates/ecs-unique-port.yaml; moto keeps no placement.
                 "PlacementConstraints": [{"Type": "distinctInstance"}],
                 "LoadBalancers": [{"ContainerName": "web", "ContainerPort": 80,
                                    "TargetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:"
                                    "123456789012:targetgroup/tg/0123456789abcdef"}],
                 "Tags": [{"Key": "team", "Value": "a"}]}
        body = self.invoke("Create", props, expect="SUCCESS")
        arn = body["PhysicalResourceId"]  # Ref: the ARN
        self.assertEqual(body["Data"], {"ServiceArn": arn, "Name": "web"})
        s = self.ecs.describe_services(cluster="svc", services=[arn], include=["TAGS"])["services"][0]
        self.assertEqual((s["status"], s["desiredCount"], s["taskDefinition"]), ("ACTIVE", 2, td1))
        self.assertEqual(s["loadBalancers"][0]["containerPort"], 80)
        self.assertEqual(s["launchType"], "EC2")
        self.assertEqual(s["tags"], [{"key": "team", "value": "a"}])

        new = dict(props, TaskDefinition=td2, DesiredCount=1)
        body = self.invoke("Update", new, physical_id=arn, old=props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], arn)
        s = self.ecs.describe_services(cluster="svc", services=[arn])["services"][0]
        self.assertEqual((s["desiredCount"], s["taskDefinition"]), (1, td2))

        for _ in range(2):
            self.invoke("Delete", new, physical_id=arn, expect="SUCCESS")
        s = self.ecs.describe_services(cluster="svc", services=[arn])["services"]
        self.assertTrue(not s or s[0]["status"] == "INACTIVE")

    def test_service_never_stable(self):
        """moto reports 2 tasks running: a service wanting 3 never becomes
        stable, and its Create fails at its deadline saying why, leaving no
        service behind (a failed Create gets no Delete)."""
        self.ecs.create_cluster(clusterName="busy")
        td = self.ecs.register_task_definition(
            family="busy", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 128}]
        )["taskDefinition"]["taskDefinitionArn"]
        key = "resp/never-stable"
        ev = request("Create", "AWS::ECS::Service", self.bucket.presign(key),
                     {"Cluster": "busy", "ServiceName": "big", "TaskDefinition": td,
                      "DesiredCount": 3})
        res = run([self.tool, "native-provider", "invoke", "--event", "-", "--timeout", "8"],
                  stdin=json.dumps(ev), env=self.env)
        self.assertEqual(res.returncode, 1, res.stderr)
        body = self.bucket.read(key)
        self.assertEqual(body["Status"], "FAILED")
        self.assertIn("did not become stable in time (status ACTIVE, 1 deployment(s) rolling out "
                      "IN_PROGRESS, 2 of 3 tasks running)", body["Reason"])
        self.assertIn("MOTO_ECS_SERVICE_RUNNING", body["Reason"])
        s = self.ecs.describe_services(cluster="busy", services=["big"])["services"]
        self.assertTrue(not s or s[0]["status"] != "ACTIVE", s)

    def test_create_delivered_twice(self):
        """The same Create twice gives the same cluster (ECS's CreateCluster is
        idempotent; the generated name is the request's) and the same service
        (the RequestId is CreateService's clientToken)."""
        self.typed("AWS::ECS::Cluster")
        first = self.invoke("Create", {}, request_id="b2c7ad9e-0000-4000-8000-000000000001",
                            expect="SUCCESS")
        again = self.invoke("Create", {}, request_id="b2c7ad9e-0000-4000-8000-000000000001",
                            expect="SUCCESS")
        self.assertEqual(first["PhysicalResourceId"], again["PhysicalResourceId"])
        cluster = first["PhysicalResourceId"]
        td = self.ecs.register_task_definition(
            family="twice", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 64}]
        )["taskDefinition"]["taskDefinitionArn"]
        self.typed("AWS::ECS::Service")
        props = {"Cluster": cluster, "TaskDefinition": td, "DesiredCount": 1}
        rid = "b2c7ad9e-0000-4000-8000-000000000002"
        first = self.invoke("Create", props, request_id=rid, expect="SUCCESS")
        again = self.invoke("Create", props, request_id=rid, expect="SUCCESS")
        self.assertEqual(first["PhysicalResourceId"], again["PhysicalResourceId"])
        self.assertEqual(len(self.ecs.list_services(cluster=cluster)["serviceArns"]), 1)
        self.invoke("Delete", props, physical_id=first["PhysicalResourceId"], expect="SUCCESS")

    def test_service_unsupported(self):
        self.typed("AWS::ECS::Service")
        body = self.invoke("Create", {"Cluster": "svc", "ServiceConnectConfiguration": {}},
                           expect="FAILED")
        self.assertIn("AWS::ECS::Service property ServiceConnectConfiguration is not supported",
                      body["Reason"])


if __name__ == "__main__":
    unittest.main()
