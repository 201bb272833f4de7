"""AWS::SQS::Queue and AWS::SQS::QueuePolicy through `cfnkit native-provider`
against moto: queue attributes, FIFO names, tags and policies read back with
boto3, Ref and every Fn::GetAtt, updates in place, delete and delete again."""

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "integration"))
from harness import NativeTest  # noqa: E402

REQUEST = "5d1e9a8c-7b1f-4c2e-9d3a-2f6b8e4c1a07"


class Queue(NativeTest):
    resource_type = "AWS::SQS::Queue"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sqs = cls.moto.client("sqs")

    def attrs(self, url):
        return self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]

    def test_lifecycle(self):
        dlq = self.sqs.create_queue(QueueName="dead")["QueueUrl"]
        dlq_arn = self.attrs(dlq)["QueueArn"]
        props = {"QueueName": "jobs", "VisibilityTimeout": 45, "DelaySeconds": "5",
                 "RedrivePolicy": {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3},
                 "Tags": [{"Key": "team", "Value": "a"}, {"Key": "gone", "Value": "x"}]}
        body = self.invoke("Create", props, expect="SUCCESS")
        url = body["PhysicalResourceId"]
        self.assertEqual(url, self.sqs.get_queue_url(QueueName="jobs")["QueueUrl"])
        a = self.attrs(url)
        self.assertEqual(body["Data"], {"Arn": a["QueueArn"], "QueueName": "jobs",
                                        "QueueUrl": url})
        self.assertEqual((a["VisibilityTimeout"], a["DelaySeconds"]), ("45", "5"))
        self.assertEqual(json.loads(a["RedrivePolicy"]),
                         {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"],
                         {"team": "a", "gone": "x"})

        new = {"QueueName": "jobs", "VisibilityTimeout": 60,
               "Tags": [{"Key": "team", "Value": "b"}]}
        body = self.invoke("Update", new, physical_id=url, old=props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], url)
        a = self.attrs(url)
        # DelaySeconds removed: back to SQS's default.
        self.assertEqual((a["VisibilityTimeout"], a["DelaySeconds"]), ("60", "0"))
        self.assertNotIn("RedrivePolicy", a)
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"team": "b"})

        self.invoke("Delete", new, physical_id=url, expect="SUCCESS")
        self.assertNotIn(url, self.sqs.list_queues().get("QueueUrls", []))
        self.invoke("Delete", new, physical_id=url, expect="SUCCESS")

    def test_generated_fifo_name(self):
        props = {"FifoQueue": True, "ContentBasedDeduplication": "true"}
        body = self.invoke("Create", props, logical="OrderQueue", expect="SUCCESS")
        name = body["Data"]["QueueName"]
        self.assertRegex(name, r"^[A-Za-z0-9-]+-OrderQueue-[A-Z0-9]{12}\.fifo$")
        self.assertLessEqual(len(name), 80)
        a = self.attrs(body["PhysicalResourceId"])
        self.assertEqual((a["FifoQueue"], a["ContentBasedDeduplication"]), ("true", "true"))
        self.invoke("Delete", props, physical_id=body["PhysicalResourceId"], expect="SUCCESS")

    def test_unsupported_property_is_refused(self):
        body = self.invoke("Create", {"QueueName": "u", "Policy": "x"}, expect="FAILED")
        self.assertIn("AWS::SQS::Queue property Policy is not supported by cfnkit's local "
                      "engine", body["Reason"])
        self.assertNotIn("QueueUrls", self.sqs.list_queues(QueueNamePrefix="u"))


    def test_create_delivered_twice(self):
        # The same Create again (a redelivery): the same resource, no error.
        props = {"VisibilityTimeout": 40}
        first = self.invoke("Create", props, logical="Twice", request_id=REQUEST, expect="SUCCESS")
        again = self.invoke("Create", props, logical="Twice", request_id=REQUEST, expect="SUCCESS")
        pid = first["PhysicalResourceId"]
        self.assertEqual(again["PhysicalResourceId"], pid)
        self.assertEqual(again["Data"], first["Data"])
        self.attrs(pid)
        self.invoke("Delete", props, physical_id=pid, expect="SUCCESS")

class QueuePolicy(NativeTest):
    resource_type = "AWS::SQS::QueuePolicy"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sqs = cls.moto.client("sqs")

    def policy(self, url):
        a = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
        p = a.get("Attributes", {}).get("Policy")
        return json.loads(p) if p else None

    def test_lifecycle(self):
        q1 = self.sqs.create_queue(QueueName="one")["QueueUrl"]
        q2 = self.sqs.create_queue(QueueName="two")["QueueUrl"]
        doc = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage", "Resource": "*"}]}
        props = {"PolicyDocument": doc, "Queues": [q1, q2]}
        body = self.invoke("Create", props, logical="QPolicy", expect="SUCCESS")
        pid = body["PhysicalResourceId"]
        self.assertRegex(pid, r"-QPolicy-[A-Z0-9]{12}$")
        self.assertEqual(body["Data"], {"Id": pid})
        self.assertEqual(self.policy(q1), doc)
        self.assertEqual(self.policy(q2), doc)

        doc2 = dict(doc, Statement=[dict(doc["Statement"][0], Action="sqs:*")])
        new = {"PolicyDocument": json.dumps(doc2), "Queues": [q2]}
        body = self.invoke("Update", new, physical_id=pid, old=props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], pid)
        self.assertIsNone(self.policy(q1))
        self.assertEqual(self.policy(q2), doc2)

        self.invoke("Delete", new, physical_id=pid, expect="SUCCESS")
        self.assertIsNone(self.policy(q2))
        self.sqs.delete_queue(QueueUrl=q2)
        self.invoke("Delete", new, physical_id=pid, expect="SUCCESS")


class QueueInlinePolicy(NativeTest):
    resource_type = "AWS::SQS::QueueInlinePolicy"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sqs = cls.moto.client("sqs")

    def test_lifecycle(self):
        q = self.sqs.create_queue(QueueName="inline")["QueueUrl"]
        doc = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}]}
        props = {"PolicyDocument": doc, "Queue": q}
        body = self.invoke("Create", props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], q)
        a = self.sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["Policy"])["Attributes"]
        self.assertEqual(json.loads(a["Policy"]), doc)
        doc2 = dict(doc, Statement=[dict(doc["Statement"][0], Action="sqs:*")])
        self.invoke("Update", dict(props, PolicyDocument=doc2), physical_id=q, old=props,
                    expect="SUCCESS")
        a = self.sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["Policy"])["Attributes"]
        self.assertEqual(json.loads(a["Policy"]), doc2)
        self.invoke("Delete", props, physical_id=q, expect="SUCCESS")
        a = self.sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["Policy"])
        self.assertNotIn("Policy", a.get("Attributes", {}))
        self.sqs.delete_queue(QueueUrl=q)
        self.invoke("Delete", props, physical_id=q, expect="SUCCESS")

    def test_policy_document_refused_by_name(self):
        # The reason names this type (it named AWS::SQS::QueuePolicy).
        q = self.sqs.create_queue(QueueName="inline-bad")["QueueUrl"]
        body = self.invoke("Create", {"Queue": q}, expect="FAILED")
        self.assertEqual(body["Reason"],
                         "AWS::SQS::QueueInlinePolicy property PolicyDocument is required")
        body = self.invoke("Create", {"Queue": q, "PolicyDocument": ["x"]}, expect="FAILED")
        self.assertEqual(body["Reason"], "AWS::SQS::QueueInlinePolicy property PolicyDocument "
                         "must be a JSON object or string")
        self.sqs.delete_queue(QueueUrl=q)


if __name__ == "__main__":
    unittest.main()
