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

    def test_query_protocol(self):
        # IAM: member lists (Tags.member.1.Key), URL-encoded policy documents
        # read back as JSON, as boto3 and the CLI give them.
        assume = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole"}]}
        created = self.call("iam", "CreateRole", {
            "RoleName": "task", "Path": "/app/", "AssumeRolePolicyDocument": json.dumps(assume),
            "Tags": [{"Key": "team", "Value": "a"}, {"Key": "tier", "Value": "web"}]})
        self.assertTrue(created["Role"]["Arn"].endswith(":role/app/task"))
        iam = self.moto.client("iam")
        self.assertEqual(iam.list_role_tags(RoleName="task")["Tags"],
                         [{"Key": "team", "Value": "a"}, {"Key": "tier", "Value": "web"}])
        got = self.same("iam", "GetRole", {"RoleName": "task"}, "get_role")
        self.assertEqual(got["Role"]["AssumeRolePolicyDocument"], assume)
        logs = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}]}
        self.call("iam", "PutRolePolicy", {"RoleName": "task", "PolicyName": "logs",
                                           "PolicyDocument": json.dumps(logs)})
        self.same("iam", "GetRolePolicy", {"RoleName": "task", "PolicyName": "logs"}, "get_role_policy")
        self.same("iam", "ListRolePolicies", {"RoleName": "task"}, "list_role_policies")
        self.same("iam", "ListRoles", {"PathPrefix": "/app/"}, "list_roles")
        err = self.call("iam", "GetRole", {"RoleName": "nobody"}, expect=1)
        self.assertIn("IAM GetRole: NoSuchEntity", err)
        # SNS: maps (Attributes.entry.1.key/value).
        arn = self.call("sns", "CreateTopic", {"Name": "alerts", "Attributes": {
            "DisplayName": "Alerts", "FifoTopic": "false"}, "Tags": [{"Key": "k", "Value": "v"}]})["TopicArn"]
        sns = self.moto.client("sns")
        self.assertEqual(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"], "Alerts")
        self.same("sns", "GetTopicAttributes", {"TopicArn": arn}, "get_topic_attributes")
        self.same("sns", "ListTagsForResource", {"ResourceArn": arn}, "list_tags_for_resource")
        # Elastic Load Balancing v2 (endpoint prefix elasticloadbalancing).
        vpc = self.moto.client("ec2").describe_vpcs()["Vpcs"][0]["VpcId"]
        tg = self.call("elbv2", "CreateTargetGroup", {
            "Name": "web", "Protocol": "HTTP", "Port": 8080, "VpcId": vpc,
            "HealthCheckPath": "/health", "Matcher": {"HttpCode": "200-299"}})["TargetGroups"][0]
        elb = self.moto.client("elbv2")
        self.assertEqual(elb.describe_target_groups(Names=["web"])["TargetGroups"][0]["Port"], 8080)
        self.same("elbv2", "DescribeTargetGroups", {"TargetGroupArns": [tg["TargetGroupArn"]]},
                  "describe_target_groups")
        self.call("elbv2", "ModifyTargetGroupAttributes", {
            "TargetGroupArn": tg["TargetGroupArn"],
            "Attributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}]})
        self.same("elbv2", "DescribeTargetGroupAttributes", {"TargetGroupArn": tg["TargetGroupArn"]},
                  "describe_target_group_attributes")

    def test_ec2_protocol(self):
        # EC2: lists as Name.N with queryName/locationName, <item> answers.
        ec2 = self.moto.client("ec2")
        vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
        group = self.call("ec2", "CreateSecurityGroup", {
            "GroupName": "web", "Description": "web tier", "VpcId": vpc,
            "TagSpecifications": [{"ResourceType": "security-group",
                                   "Tags": [{"Key": "Name", "Value": "web"}]}]})["GroupId"]
        self.call("ec2", "AuthorizeSecurityGroupIngress", {"GroupId": group, "IpPermissions": [{
            "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
            "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "inside"}]}]})
        seen = ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]
        self.assertEqual(seen["Tags"], [{"Key": "Name", "Value": "web"}])
        self.assertEqual(seen["IpPermissions"][0]["IpRanges"], [{"CidrIp": "10.0.0.0/8", "Description": "inside"}])
        self.same("ec2", "DescribeSecurityGroups", {"GroupIds": [group]}, "describe_security_groups")
        self.same("ec2", "DescribeSecurityGroups", {"Filters": [{"Name": "group-name", "Values": ["web"]}]},
                  "describe_security_groups")
        self.same("ec2", "DescribeVpcs", {}, "describe_vpcs")
        err = self.call("ec2", "DeleteSecurityGroup", {"GroupId": "sg-00000000000000000"}, expect=1)
        self.assertIn("EC2 DeleteSecurityGroup: InvalidGroup.NotFound", err)

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
