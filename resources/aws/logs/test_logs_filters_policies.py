"""AWS::Logs::MetricFilter, ResourcePolicy and LogStream through `cfnkit
native-provider` against moto: read back with boto3, Ref, update in place,
delete and delete again."""

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "integration"))
from harness import NativeTest  # noqa: E402


class MetricFilter(NativeTest):
    resource_type = "AWS::Logs::MetricFilter"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.logs = cls.moto.client("logs")
        cls.logs.create_log_group(logGroupName="app")

    def filters(self):
        return {f["filterName"]: f for f in
                self.logs.describe_metric_filters(logGroupName="app")["metricFilters"]}

    def test_lifecycle(self):
        props = {"LogGroupName": "app", "FilterPattern": "ERROR",
                 "MetricTransformations": [{"MetricName": "Errors", "MetricNamespace": "App",
                                            "MetricValue": "1", "DefaultValue": "0"}]}
        body = self.invoke("Create", props, logical="ErrorFilter", expect="SUCCESS")
        name = body["PhysicalResourceId"]
        self.assertRegex(name, r"^[A-Za-z0-9-]+-ErrorFilter-[A-Z0-9]{12}$")
        f = self.filters()[name]
        self.assertEqual(f["filterPattern"], "ERROR")
        t = f["metricTransformations"][0]
        self.assertEqual((t["metricName"], t["metricNamespace"], t["metricValue"],
                          t["defaultValue"]), ("Errors", "App", "1", 0.0))

        new = dict(props, FilterPattern="WARN")
        body = self.invoke("Update", new, physical_id=name, old=props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], name)
        self.assertEqual(self.filters()[name]["filterPattern"], "WARN")

        self.invoke("Delete", new, physical_id=name, expect="SUCCESS")
        self.assertNotIn(name, self.filters())
        self.invoke("Delete", new, physical_id=name, expect="SUCCESS")


class ResourcePolicy(NativeTest):
    resource_type = "AWS::Logs::ResourcePolicy"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.logs = cls.moto.client("logs")

    def policies(self):
        return {p["policyName"]: json.loads(p["policyDocument"])
                for p in self.logs.describe_resource_policies()["resourcePolicies"]}

    def test_lifecycle(self):
        doc = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "es.amazonaws.com"},
            "Action": ["logs:PutLogEvents", "logs:CreateLogStream"], "Resource": "*"}]}
        props = {"PolicyName": "search", "PolicyDocument": json.dumps(doc)}
        body = self.invoke("Create", props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "search")
        self.assertEqual(self.policies()["search"], doc)

        doc2 = dict(doc, Statement=[dict(doc["Statement"][0], Action="logs:PutLogEvents")])
        new = dict(props, PolicyDocument=doc2)
        self.invoke("Update", new, physical_id="search", old=props, expect="SUCCESS")
        self.assertEqual(self.policies()["search"], doc2)

        self.invoke("Delete", new, physical_id="search", expect="SUCCESS")
        self.assertNotIn("search", self.policies())
        self.invoke("Delete", new, physical_id="search", expect="SUCCESS")


class LogStream(NativeTest):
    resource_type = "AWS::Logs::LogStream"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.logs = cls.moto.client("logs")
        cls.logs.create_log_group(logGroupName="streams")

    def streams(self):
        return [s["logStreamName"] for s in
                self.logs.describe_log_streams(logGroupName="streams")["logStreams"]]

    def test_lifecycle(self):
        props = {"LogGroupName": "streams", "LogStreamName": "app"}
        body = self.invoke("Create", props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "app")
        self.assertEqual(self.streams(), ["app"])
        self.invoke("Delete", props, physical_id="app", expect="SUCCESS")
        self.assertEqual(self.streams(), [])
        self.invoke("Delete", props, physical_id="app", expect="SUCCESS")

    def test_generated_name(self):
        props = {"LogGroupName": "streams"}
        body = self.invoke("Create", props, logical="Events", expect="SUCCESS")
        name = body["PhysicalResourceId"]
        self.assertRegex(name, r"^[A-Za-z0-9-]+-Events-[A-Z0-9]{12}$")
        self.assertIn(name, self.streams())
        self.invoke("Delete", props, physical_id=name, expect="SUCCESS")


if __name__ == "__main__":
    unittest.main()
