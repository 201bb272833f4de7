"""AWS::Events::Rule through `cfnkit native-provider` against moto: the rule,
its targets and tags read back with boto3, Ref (the name, "BUS|NAME" on a
custom bus) and Fn::GetAtt Arn, update in place, delete and delete again."""

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "integration"))
from harness import NativeTest  # noqa: E402

REQUEST = "5d1e9a8c-7b1f-4c2e-9d3a-2f6b8e4c1a07"


class Rule(NativeTest):
    resource_type = "AWS::Events::Rule"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.events = cls.moto.client("events")
        sqs = cls.moto.client("sqs")
        cls.queues = []
        for n in ("t1", "t2"):
            url = sqs.create_queue(QueueName=n)["QueueUrl"]
            cls.queues.append(sqs.get_queue_attributes(
                QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])

    def targets(self, name, bus=None):
        kw = {"EventBusName": bus} if bus else {}
        return {t["Id"]: t["Arn"] for t in
                self.events.list_targets_by_rule(Rule=name, **kw)["Targets"]}

    def test_lifecycle(self):
        pattern = {"source": ["app.orders"]}
        props = {"Name": "orders", "Description": "d", "EventPattern": pattern,
                 "Targets": [{"Id": "a", "Arn": self.queues[0]}],
                 "Tags": [{"Key": "team", "Value": "a"}]}
        body = self.invoke("Create", props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "orders")
        r = self.events.describe_rule(Name="orders")
        self.assertEqual(body["Data"], {"Arn": r["Arn"]})
        self.assertEqual((r["State"], r["Description"]), ("ENABLED", "d"))
        self.assertEqual(json.loads(r["EventPattern"]), pattern)
        self.assertEqual(self.targets("orders"), {"a": self.queues[0]})
        tags = self.events.list_tags_for_resource(ResourceARN=r["Arn"])["Tags"]
        self.assertEqual(tags, [{"Key": "team", "Value": "a"}])

        new = dict(props, State="DISABLED", EventPattern=json.dumps({"source": ["app.x"]}),
                   Targets=[{"Id": "b", "Arn": self.queues[1]}],
                   Tags=[{"Key": "team", "Value": "b"}])
        body = self.invoke("Update", new, physical_id="orders", old=props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "orders")
        r = self.events.describe_rule(Name="orders")
        self.assertEqual(r["State"], "DISABLED")
        self.assertEqual(json.loads(r["EventPattern"]), {"source": ["app.x"]})
        self.assertEqual(self.targets("orders"), {"b": self.queues[1]})
        tags = self.events.list_tags_for_resource(ResourceARN=r["Arn"])["Tags"]
        self.assertEqual(tags, [{"Key": "team", "Value": "b"}])

        self.invoke("Delete", new, physical_id="orders", expect="SUCCESS")
        names = [x["Name"] for x in self.events.list_rules()["Rules"]]
        self.assertNotIn("orders", names)
        self.invoke("Delete", new, physical_id="orders", expect="SUCCESS")

    def test_custom_bus_and_generated_name(self):
        self.events.create_event_bus(Name="apps")
        props = {"EventBusName": "apps", "EventPattern": {"source": ["app.tick"]},
                 "Targets": [{"Id": "a", "Arn": self.queues[0]}]}
        body = self.invoke("Create", props, logical="Tick", expect="SUCCESS")
        bus, name = body["PhysicalResourceId"].split("|")
        self.assertEqual(bus, "apps")
        self.assertRegex(name, r"^[A-Za-z0-9-]+-Tick-[A-Z0-9]{12}$")
        self.assertLessEqual(len(name), 64)
        r = self.events.describe_rule(Name=name, EventBusName="apps")
        self.assertEqual(body["Data"], {"Arn": r["Arn"]})
        self.assertEqual(self.targets(name, "apps"), {"a": self.queues[0]})
        self.invoke("Delete", props, physical_id=body["PhysicalResourceId"], expect="SUCCESS")
        names = [x["Name"] for x in self.events.list_rules(EventBusName="apps")["Rules"]]
        self.assertNotIn(name, names)

    def test_unsupported_property_is_refused(self):
        body = self.invoke("Create", {"Name": "u", "ScheduleExpression": "rate(1 day)",
                                      "Other": 1}, expect="FAILED")
        self.assertIn("AWS::Events::Rule property Other is not supported by cfnkit's local "
                      "engine", body["Reason"])


    def test_create_delivered_twice(self):
        # The same Create again (a redelivery): the same resource, no error.
        props = {"ScheduleExpression": "rate(1 hour)"}
        first = self.invoke("Create", props, logical="Twice", request_id=REQUEST, expect="SUCCESS")
        again = self.invoke("Create", props, logical="Twice", request_id=REQUEST, expect="SUCCESS")
        pid = first["PhysicalResourceId"]
        self.assertEqual(again["PhysicalResourceId"], pid)
        self.assertEqual(again["Data"], first["Data"])
        self.events.describe_rule(Name=pid)
        self.invoke("Delete", props, physical_id=pid, expect="SUCCESS")

class EventBus(NativeTest):
    resource_type = "AWS::Events::EventBus"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.events = cls.moto.client("events")

    def test_lifecycle(self):
        policy = {"Version": "2012-10-17", "Statement": [{
            "Sid": "others", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "events:PutEvents", "Resource": "arn:aws:events:us-east-1:123456789012:event-bus/orders"}]}
        props = {"Name": "orders", "Policy": policy, "Tags": [{"Key": "team", "Value": "a"}]}
        body = self.invoke("Create", props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "orders")
        b = self.events.describe_event_bus(Name="orders")
        self.assertEqual(body["Data"], {"Arn": b["Arn"]})
        self.assertEqual(json.loads(b["Policy"])["Statement"][0]["Sid"], "others")
        tags = self.events.list_tags_for_resource(ResourceARN=b["Arn"])["Tags"]
        self.assertEqual(tags, [{"Key": "team", "Value": "a"}])

        new = {"Name": "orders", "Tags": [{"Key": "team", "Value": "b"}]}
        self.invoke("Update", new, physical_id="orders", old=props, expect="SUCCESS")
        b = self.events.describe_event_bus(Name="orders")
        self.assertNotIn("Policy", b)
        tags = self.events.list_tags_for_resource(ResourceARN=b["Arn"])["Tags"]
        self.assertEqual(tags, [{"Key": "team", "Value": "b"}])

        self.invoke("Delete", new, physical_id="orders", expect="SUCCESS")
        names = [x["Name"] for x in self.events.list_event_buses()["EventBuses"]]
        self.assertNotIn("orders", names)
        self.invoke("Delete", new, physical_id="orders", expect="SUCCESS")


if __name__ == "__main__":
    unittest.main()
