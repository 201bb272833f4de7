"""AWS::CloudWatch::Alarm through `cfnkit native-provider` against moto: the
alarm as asked read back with boto3, Ref and Fn::GetAtt Arn, update in place
(the whole definition), tags, delete and delete again."""

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "integration"))
from harness import NativeTest  # noqa: E402

REQUEST = "5d1e9a8c-7b1f-4c2e-9d3a-2f6b8e4c1a07"


class Alarm(NativeTest):
    resource_type = "AWS::CloudWatch::Alarm"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cw = cls.moto.client("cloudwatch")
        cls.topic = cls.moto.client("sns").create_topic(Name="pager")["TopicArn"]

    def alarm(self, name):
        alarms = self.cw.describe_alarms(AlarmNames=[name])["MetricAlarms"]
        return alarms[0] if alarms else None

    def tags(self, arn):
        return {t["Key"]: t["Value"]
                for t in self.cw.list_tags_for_resource(ResourceARN=arn)["Tags"]}

    def test_lifecycle(self):
        props = {"AlarmName": "errors", "AlarmDescription": "too many errors",
                 "Namespace": "AWS/Lambda", "MetricName": "Errors", "Statistic": "Sum",
                 # A JSON template's strings.
                 "Period": "60", "EvaluationPeriods": "2", "Threshold": "1.5",
                 "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                 "Dimensions": [{"Name": "FunctionName", "Value": "f"}],
                 "AlarmActions": [self.topic], "TreatMissingData": "notBreaching",
                 "Tags": [{"Key": "team", "Value": "a"}, {"Key": "gone", "Value": "x"}]}
        body = self.invoke("Create", props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "errors")
        a = self.alarm("errors")
        self.assertEqual(body["Data"], {"Arn": a["AlarmArn"]})
        self.assertEqual((a["Period"], a["EvaluationPeriods"], a["Threshold"]), (60, 2, 1.5))
        self.assertEqual(a["Dimensions"], [{"Name": "FunctionName", "Value": "f"}])
        self.assertEqual(a["AlarmActions"], [self.topic])
        self.assertEqual(a["TreatMissingData"], "notBreaching")
        self.assertEqual(self.tags(a["AlarmArn"]), {"team": "a", "gone": "x"})

        new = dict(props, Threshold=5, Period=300, Tags=[{"Key": "team", "Value": "b"}])
        del new["AlarmActions"]
        body = self.invoke("Update", new, physical_id="errors", old=props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "errors")
        a = self.alarm("errors")
        self.assertEqual((a["Period"], a["Threshold"]), (300, 5.0))
        self.assertEqual(a["AlarmActions"], [])
        self.assertEqual(self.tags(a["AlarmArn"]), {"team": "b"})

        self.invoke("Delete", new, physical_id="errors", expect="SUCCESS")
        self.assertIsNone(self.alarm("errors"))
        self.invoke("Delete", new, physical_id="errors", expect="SUCCESS")

    def test_generated_name(self):
        props = {"Namespace": "N", "MetricName": "M", "Statistic": "Average", "Period": 60,
                 "EvaluationPeriods": 1, "Threshold": 0, "ComparisonOperator": "LessThanThreshold"}
        body = self.invoke("Create", props, logical="LowAlarm", expect="SUCCESS")
        name = body["PhysicalResourceId"]
        self.assertRegex(name, r"^[A-Za-z0-9-]+-LowAlarm-[A-Z0-9]{12}$")
        self.assertIsNotNone(self.alarm(name))
        self.invoke("Delete", props, physical_id=name, expect="SUCCESS")

    def test_bad_and_unsupported_properties(self):
        body = self.invoke("Create", {"AlarmName": "b", "Period": "a minute"}, expect="FAILED")
        self.assertIn("AWS::CloudWatch::Alarm property Period must be a number", body["Reason"])
        body = self.invoke("Create", {"AlarmName": "u", "EvaluationCriteria": {}},
                           expect="FAILED")
        self.assertIn("AWS::CloudWatch::Alarm property EvaluationCriteria is not supported by "
                      "cfnkit's local engine", body["Reason"])


    def test_create_delivered_twice(self):
        # The same Create again (a redelivery): the same resource, no error.
        props = {"Namespace": "N", "MetricName": "M", "Statistic": "Sum", "Period": 60,
                 "EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": "LessThanThreshold"}
        first = self.invoke("Create", props, logical="Twice", request_id=REQUEST, expect="SUCCESS")
        again = self.invoke("Create", props, logical="Twice", request_id=REQUEST, expect="SUCCESS")
        pid = first["PhysicalResourceId"]
        self.assertEqual(again["PhysicalResourceId"], pid)
        self.assertEqual(again["Data"], first["Data"])
        self.assertIsNotNone(self.alarm(pid))
        self.invoke("Delete", props, physical_id=pid, expect="SUCCESS")

class Dashboard(NativeTest):
    resource_type = "AWS::CloudWatch::Dashboard"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cw = cls.moto.client("cloudwatch")

    def names(self):
        return [d["DashboardName"] for d in self.cw.list_dashboards()["DashboardEntries"]]

    def test_lifecycle(self):
        widget = {"type": "text", "x": 0, "y": 0, "width": 6, "height": 3,
                  "properties": {"markdown": "hello"}}
        props = {"DashboardBody": json.dumps({"widgets": [widget]})}
        body = self.invoke("Create", props, logical="Board", expect="SUCCESS")
        name = body["PhysicalResourceId"]
        self.assertRegex(name, r"^[A-Za-z0-9-]+-Board-[A-Z0-9]{12}$")
        got = json.loads(self.cw.get_dashboard(DashboardName=name)["DashboardBody"])
        self.assertEqual(got, {"widgets": [widget]})

        new = {"DashboardBody": json.dumps({"widgets": [widget, widget]})}
        body = self.invoke("Update", new, physical_id=name, old=props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], name)
        got = json.loads(self.cw.get_dashboard(DashboardName=name)["DashboardBody"])
        self.assertEqual(len(got["widgets"]), 2)

        self.invoke("Delete", new, physical_id=name, expect="SUCCESS")
        self.assertNotIn(name, self.names())
        self.invoke("Delete", new, physical_id=name, expect="SUCCESS")


if __name__ == "__main__":
    unittest.main()
