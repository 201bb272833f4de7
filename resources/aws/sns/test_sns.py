"""AWS::SNS::Topic and AWS::SNS::Subscription through `cfnkit
native-provider` against moto: topics (attributes, inline subscriptions, tags)
and subscriptions (attributes) read back with boto3, Ref and every Fn::GetAtt,
updates in place, delete and delete again."""

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "integration"))
from harness import NativeTest  # noqa: E402

REQUEST = "5d1e9a8c-7b1f-4c2e-9d3a-2f6b8e4c1a07"


def queue_arn(moto, name):
    sqs = moto.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return sqs.get_queue_attributes(QueueUrl=url,
                                    AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


class Topic(NativeTest):
    resource_type = "AWS::SNS::Topic"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sns = cls.moto.client("sns")
        cls.q1, cls.q2 = queue_arn(cls.moto, "q1"), queue_arn(cls.moto, "q2")

    def endpoints(self, arn):
        subs = self.sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        return sorted(s["Endpoint"] for s in subs)

    def test_lifecycle(self):
        props = {"TopicName": "alerts", "DisplayName": "Alerts",
                 "Subscription": [{"Protocol": "sqs", "Endpoint": self.q1}],
                 "Tags": [{"Key": "team", "Value": "a"}, {"Key": "gone", "Value": "x"}]}
        body = self.invoke("Create", props, expect="SUCCESS")
        arn = body["PhysicalResourceId"]
        self.assertEqual(arn, "arn:aws:sns:us-east-1:123456789012:alerts")
        self.assertEqual(body["Data"], {"TopicArn": arn, "TopicName": "alerts"})
        a = self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertEqual(a["DisplayName"], "Alerts")
        self.assertEqual(self.endpoints(arn), [self.q1])
        tags = self.sns.list_tags_for_resource(ResourceArn=arn)["Tags"]
        self.assertEqual({t["Key"]: t["Value"] for t in tags}, {"team": "a", "gone": "x"})

        new = dict(props, DisplayName="Paging", Subscription=[
            {"Protocol": "sqs", "Endpoint": self.q2}], Tags=[{"Key": "team", "Value": "b"}])
        body = self.invoke("Update", new, physical_id=arn, old=props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], arn)
        self.assertEqual(self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"],
                         "Paging")
        self.assertEqual(self.endpoints(arn), [self.q2])
        tags = self.sns.list_tags_for_resource(ResourceArn=arn)["Tags"]
        self.assertEqual({t["Key"]: t["Value"] for t in tags}, {"team": "b"})

        self.invoke("Delete", new, physical_id=arn, expect="SUCCESS")
        arns = [t["TopicArn"] for t in self.sns.list_topics()["Topics"]]
        self.assertNotIn(arn, arns)
        self.invoke("Delete", new, physical_id=arn, expect="SUCCESS")

    def test_generated_fifo_name(self):
        props = {"FifoTopic": True, "ContentBasedDeduplication": True}
        body = self.invoke("Create", props, logical="Events", expect="SUCCESS")
        name = body["Data"]["TopicName"]
        self.assertRegex(name, r"^[A-Za-z0-9-]+-Events-[A-Z0-9]{12}\.fifo$")
        a = self.sns.get_topic_attributes(TopicArn=body["PhysicalResourceId"])["Attributes"]
        self.assertEqual((a["FifoTopic"], a["ContentBasedDeduplication"]), ("true", "true"))
        self.invoke("Delete", props, physical_id=body["PhysicalResourceId"], expect="SUCCESS")

    def test_unsupported_property_is_refused(self):
        body = self.invoke("Create", {"TopicName": "u", "ArchivePolicy": {}}, expect="FAILED")
        self.assertIn("AWS::SNS::Topic property ArchivePolicy is not supported by cfnkit's "
                      "local engine", body["Reason"])


    def test_create_delivered_twice(self):
        # The same Create again (a redelivery): the same resource, no error.
        props = {"DisplayName": "d"}
        first = self.invoke("Create", props, logical="Twice", request_id=REQUEST, expect="SUCCESS")
        again = self.invoke("Create", props, logical="Twice", request_id=REQUEST, expect="SUCCESS")
        pid = first["PhysicalResourceId"]
        self.assertEqual(again["PhysicalResourceId"], pid)
        self.assertEqual(again["Data"], first["Data"])
        self.sns.get_topic_attributes(TopicArn=pid)
        self.invoke("Delete", props, physical_id=pid, expect="SUCCESS")

class Subscription(NativeTest):
    resource_type = "AWS::SNS::Subscription"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sns = cls.moto.client("sns")
        cls.topic = cls.sns.create_topic(Name="t")["TopicArn"]
        cls.q = queue_arn(cls.moto, "q")

    def test_lifecycle(self):
        policy = {"kind": ["order"]}
        props = {"TopicArn": self.topic, "Protocol": "sqs", "Endpoint": self.q,
                 "RawMessageDelivery": "true", "FilterPolicy": policy}
        body = self.invoke("Create", props, expect="SUCCESS")
        arn = body["PhysicalResourceId"]
        self.assertTrue(arn.startswith(self.topic + ":"), arn)
        self.assertEqual(body["Data"], {"Arn": arn})
        a = self.sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
        self.assertEqual((a["Endpoint"], a["Protocol"]), (self.q, "sqs"))
        self.assertEqual(a["RawMessageDelivery"], "true")
        self.assertEqual(json.loads(a["FilterPolicy"]), policy)

        new = dict(props, RawMessageDelivery=False, FilterPolicy={"kind": ["refund"]})
        body = self.invoke("Update", new, physical_id=arn, old=props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], arn)
        a = self.sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
        self.assertEqual(a["RawMessageDelivery"], "false")
        self.assertEqual(json.loads(a["FilterPolicy"]), {"kind": ["refund"]})

        self.invoke("Delete", new, physical_id=arn, expect="SUCCESS")
        subs = self.sns.list_subscriptions_by_topic(TopicArn=self.topic)["Subscriptions"]
        self.assertEqual(subs, [])
        self.invoke("Delete", new, physical_id=arn, expect="SUCCESS")


class TopicPolicy(NativeTest):
    resource_type = "AWS::SNS::TopicPolicy"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sns = cls.moto.client("sns")

    def policy(self, arn):
        return json.loads(self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])

    def test_lifecycle(self):
        t1 = self.sns.create_topic(Name="p1")["TopicArn"]
        t2 = self.sns.create_topic(Name="p2")["TopicArn"]
        default = self.policy(t1)
        doc = {"Version": "2012-10-17", "Statement": [{
            "Sid": "events", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sns:Publish", "Resource": "*"}]}
        props = {"PolicyDocument": doc, "Topics": [t1, t2]}
        body = self.invoke("Create", props, logical="TPolicy", expect="SUCCESS")
        pid = body["PhysicalResourceId"]
        self.assertRegex(pid, r"-TPolicy-[A-Z0-9]{12}$")
        self.assertEqual(body["Data"], {"Id": pid})
        self.assertEqual((self.policy(t1), self.policy(t2)), (doc, doc))

        new = {"PolicyDocument": json.dumps(doc), "Topics": [t2]}
        self.invoke("Update", new, physical_id=pid, old=props, expect="SUCCESS")
        # No longer covered: back to the policy SNS gives a new topic.
        self.assertEqual(self.policy(t1), default)
        self.assertEqual(self.policy(t2), doc)

        self.invoke("Delete", new, physical_id=pid, expect="SUCCESS")
        self.assertEqual(self.policy(t2)["Id"], "__default_policy_ID")
        self.sns.delete_topic(TopicArn=t2)
        self.invoke("Delete", new, physical_id=pid, expect="SUCCESS")


class TopicInlinePolicy(NativeTest):
    resource_type = "AWS::SNS::TopicInlinePolicy"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sns = cls.moto.client("sns")

    def test_lifecycle(self):
        t = self.sns.create_topic(Name="inline")["TopicArn"]
        doc = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "sns:Publish", "Resource": t}]}
        props = {"PolicyDocument": doc, "TopicArn": t}
        body = self.invoke("Create", props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], t)
        got = self.sns.get_topic_attributes(TopicArn=t)["Attributes"]["Policy"]
        self.assertEqual(json.loads(got), doc)
        self.invoke("Delete", props, physical_id=t, expect="SUCCESS")
        got = self.sns.get_topic_attributes(TopicArn=t)["Attributes"]["Policy"]
        self.assertEqual(json.loads(got)["Id"], "__default_policy_ID")
        self.sns.delete_topic(TopicArn=t)
        self.invoke("Delete", props, physical_id=t, expect="SUCCESS")


if __name__ == "__main__":
    unittest.main()
