"""cfn_aws_call (the generic AWS call) against the local AWS, through
`cfnkit aws SERVICE OPERATION JSON`: one service or more per protocol, each
answer compared with boto3's for the same call, and each change checked with
boto3."""

import base64
import datetime
import json
import unittest

from harness import Moto, program, run


def as_cli(value):
    """A boto3 answer as `aws ... --output json` prints it (and cfnkit aws)."""
    if isinstance(value, dict):
        return {k: as_cli(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [as_cli(v) for v in value]
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


class GenericCall(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        cls.tool = program("CFNKIT_TOOL")

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def call(self, service, operation, payload=None, expect=0):
        args = [self.tool, "aws", service, operation]
        if payload is not None:
            args.append(json.dumps(payload))
        res = run(args, env=self.moto.env())
        self.assertEqual(res.returncode, expect, res.stderr)
        return json.loads(res.stdout) if expect == 0 else res.stderr

    def same(self, service, operation, payload, boto_method):
        """cfnkit's answer equals boto3's, as the CLI prints it."""
        ours = self.call(service, operation, payload)
        theirs = as_cli(getattr(self.moto.client(service), boto_method)(**payload))
        self.assertEqual(ours, theirs)
        return ours

    def test_json_protocol(self):
        # SQS (JSON 1.0), CloudWatch Logs and SSM (JSON 1.1), EventBridge.
        url = self.call("sqs", "CreateQueue", {"QueueName": "jobs",
                                               "Attributes": {"VisibilityTimeout": "40"}})["QueueUrl"]
        sqs = self.moto.client("sqs")
        self.assertEqual(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
                         ["Attributes"]["VisibilityTimeout"], "40")
        self.same("sqs", "GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["All"]},
                  "get_queue_attributes")
        self.call("logs", "create-log-group", {"logGroupName": "/app/web", "tags": {"team": "a"}})
        self.same("logs", "DescribeLogGroups", {"logGroupNamePrefix": "/app"}, "describe_log_groups")
        self.call("ssm", "PutParameter", {"Name": "/app/db", "Value": "h", "Type": "String"})
        got = self.same("ssm", "GetParameter", {"Name": "/app/db"}, "get_parameter")
        self.assertRegex(got["Parameter"]["LastModifiedDate"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$")
        self.call("events", "PutRule", {"Name": "tick", "ScheduleExpression": "rate(5 minutes)"})
        self.same("events", "DescribeRule", {"Name": "tick"}, "describe_rule")
        err = self.call("ssm", "GetParameter", {"Name": "/missing"}, expect=1)
        self.assertIn("SSM GetParameter: ParameterNotFound", err)

    def test_bad_names_and_input(self):
        err = self.call("sqsx", "ListQueues", {}, expect=2)
        self.assertIn('unknown AWS service "sqsx" (closest: sqs', err)
        err = self.call("sqs", "ListQueue", {}, expect=1)
        self.assertIn('SQS: unknown operation "ListQueue" (closest: ListQueues', err)
        err = self.call("sqs", "CreateQueue", {"QueueNam": "x"}, expect=1)
        self.assertIn("SQS CreateQueue: unknown parameter QueueNam (closest: QueueName", err)
        err = self.call("logs", "PutRetentionPolicy", {"logGroupName": "g", "retentionInDays": "7"},
                        expect=1)
        self.assertIn("CloudWatch Logs PutRetentionPolicy: retentionInDays must be an integer", err)
        err = self.call("ssm", "AddTagsToResource", {"ResourceType": "Parameter", "ResourceId": "p",
                                                     "Tags": [{"Key": "k", "Valu": "v"}]}, expect=1)
        self.assertIn("unknown parameter Tags[0].Valu (closest: Value", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
