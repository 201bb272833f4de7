"""AWS::Logs::LogGroup through `cfnkit native-provider` against moto: the
group as asked (retention, tags) read back with boto3, Ref and Fn::GetAtt
Arn, update in place, delete and delete again."""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "integration"))
from harness import NativeTest  # noqa: E402

REQUEST = "5d1e9a8c-7b1f-4c2e-9d3a-2f6b8e4c1a07"


class LogGroup(NativeTest):
    resource_type = "AWS::Logs::LogGroup"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.logs = cls.moto.client("logs")

    def group(self, name):
        groups = self.logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        return next((g for g in groups if g["logGroupName"] == name), None)

    def tags(self, arn):
        return self.logs.list_tags_for_resource(resourceArn=arn.removesuffix(":*"))["tags"]

    def test_lifecycle(self):
        props = {"LogGroupName": "/aws/lambda/app", "RetentionInDays": 7,
                 "Tags": [{"Key": "team", "Value": "a"}, {"Key": "gone", "Value": "x"}]}
        body = self.invoke("Create", props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "/aws/lambda/app")
        g = self.group("/aws/lambda/app")
        self.assertEqual(g["retentionInDays"], 7)
        self.assertEqual(body["Data"], {"Arn": g["arn"]})
        self.assertTrue(g["arn"].endswith(":log-group:/aws/lambda/app:*"), g["arn"])
        self.assertEqual(self.tags(g["arn"]), {"team": "a", "gone": "x"})

        new = dict(props, RetentionInDays="30", Tags=[{"Key": "team", "Value": "b"}])
        body = self.invoke("Update", new, physical_id="/aws/lambda/app", old=props,
                           expect="SUCCESS")
        g = self.group("/aws/lambda/app")
        self.assertEqual(g["retentionInDays"], 30)
        self.assertEqual(self.tags(g["arn"]), {"team": "b"})

        plain = {"LogGroupName": "/aws/lambda/app"}
        self.invoke("Update", plain, physical_id="/aws/lambda/app", old=new, expect="SUCCESS")
        self.assertNotIn("retentionInDays", self.group("/aws/lambda/app"))

        self.invoke("Delete", plain, physical_id="/aws/lambda/app", expect="SUCCESS")
        self.assertIsNone(self.group("/aws/lambda/app"))
        self.invoke("Delete", plain, physical_id="/aws/lambda/app", expect="SUCCESS")

    def test_log_group_class(self):
        props = {"LogGroupName": "infrequent", "LogGroupClass": "INFREQUENT_ACCESS"}
        self.invoke("Create", props, expect="SUCCESS")
        g = self.group("infrequent")
        # moto keeps no class (DescribeLogGroups has no logGroupClass there);
        # on AWS the group is INFREQUENT_ACCESS.
        self.assertIsNotNone(g)
        if "logGroupClass" in g:
            self.assertEqual(g["logGroupClass"], "INFREQUENT_ACCESS")
        body = self.invoke("Update", dict(props, LogGroupClass="STANDARD"),
                           physical_id="infrequent", old=props, expect="FAILED")
        self.assertIn("LogGroupClass cannot change on an existing log group", body["Reason"])
        self.invoke("Delete", props, physical_id="infrequent", expect="SUCCESS")

    def test_generated_name(self):
        body = self.invoke("Create", {}, logical="AppLogs", expect="SUCCESS")
        name = body["PhysicalResourceId"]
        self.assertRegex(name, r"^[A-Za-z0-9-]+-AppLogs-[A-Z0-9]{12}$")
        self.assertIsNotNone(self.group(name))
        self.invoke("Delete", {}, physical_id=name, expect="SUCCESS")

    def test_unsupported_property_is_refused(self):
        body = self.invoke("Create", {"LogGroupName": "u", "DataProtectionPolicy": {}},
                           expect="FAILED")
        self.assertIn("AWS::Logs::LogGroup property DataProtectionPolicy is not supported by "
                      "cfnkit's local engine", body["Reason"])
        self.assertIsNone(self.group("u"))


    def test_create_delivered_twice(self):
        # The same Create again (a redelivery): the same resource, no error.
        props = {"RetentionInDays": 1}
        first = self.invoke("Create", props, logical="Twice", request_id=REQUEST, expect="SUCCESS")
        again = self.invoke("Create", props, logical="Twice", request_id=REQUEST, expect="SUCCESS")
        pid = first["PhysicalResourceId"]
        self.assertEqual(again["PhysicalResourceId"], pid)
        self.assertEqual(again["Data"], first["Data"])
        self.assertIsNotNone(self.group(pid))
        self.invoke("Delete", props, physical_id=pid, expect="SUCCESS")

if __name__ == "__main__":
    unittest.main()
