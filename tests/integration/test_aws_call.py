"""cfn_aws_call (the generic AWS call) against the local AWS, through
`cfnkit aws SERVICE OPERATION JSON`: one service or more per protocol, each
answer compared with boto3's for the same call, and each change checked with
boto3."""

import base64
import datetime
import json
import unittest

import botocore

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
        # SQS's code as the SDKs give it (x-amzn-query-error), as boto3 does.
        err = self.call("sqs", "GetQueueUrl", {"QueueName": "missing"}, expect=1)
        try:
            sqs.get_queue_url(QueueName="missing")
            self.fail("boto3 found the queue")
        except sqs.exceptions.ClientError as e:
            code = e.response["Error"]["Code"]
        self.assertEqual(code, "AWS.SimpleQueueService.NonExistentQueue")
        self.assertIn(f"SQS GetQueueUrl: {code}: ", err)

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
        # CloudFormation: a JSON TemplateBody is given parsed, as by the SDKs.
        template = {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}, "Outputs": {"U": {"Value": {"Ref": "Q"}}}}
        self.call("cloudformation", "CreateStack", {"StackName": "app", "TemplateBody": json.dumps(template),
                                                    "Tags": [{"Key": "team", "Value": "a"}]})
        self.same("cloudformation", "DescribeStacks", {"StackName": "app"}, "describe_stacks")
        self.assertEqual(self.same("cloudformation", "GetTemplate", {"StackName": "app"}, "get_template")
                         ["TemplateBody"], template)

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

    def test_rest_json_protocol(self):
        # API Gateway: members in the path ({restapi_id}), the query string
        # (limit) and the body, wire names (item) read as the CLI's (items).
        api = self.call("apigateway", "CreateRestApi", {"name": "shop", "description": "d",
                                                        "tags": {"team": "a"}})
        ag = self.moto.client("apigateway")
        self.assertEqual(ag.get_rest_api(restApiId=api["id"])["tags"], {"team": "a"})
        self.same("apigateway", "GetRestApi", {"restApiId": api["id"]}, "get_rest_api")
        root = self.same("apigateway", "GetResources", {"restApiId": api["id"], "limit": 50},
                         "get_resources")["items"][0]
        child = self.call("apigateway", "create-resource", {"restApiId": api["id"], "parentId": root["id"],
                                                            "pathPart": "{item}"})
        self.call("apigateway", "PutMethod", {"restApiId": api["id"], "resourceId": child["id"],
                                              "httpMethod": "GET", "authorizationType": "NONE"})
        self.same("apigateway", "GetMethod", {"restApiId": api["id"], "resourceId": child["id"],
                                              "httpMethod": "GET"}, "get_method")
        # Lambda: a path member and a query member (MaxItems).
        self.same("lambda", "ListFunctions", {"MaxItems": 5}, "list_functions")
        err = self.call("lambda", "GetFunction", {"FunctionName": "nothing"}, expect=1)
        self.assertIn("Lambda GetFunction: ResourceNotFoundException", err)
        err = self.call("lambda", "GetFunction", {}, expect=1)
        self.assertIn("Lambda GetFunction: FunctionName is required", err)

    def test_rest_xml_protocol(self):
        # S3: the bucket in the path, a greedy key, headers both ways
        # (Content-Type, x-amz-meta-*), XML payloads (Tagging).
        s3 = self.moto.client("s3")
        self.call("s3", "CreateBucket", {"Bucket": "assets"})
        self.call("s3", "PutBucketTagging", {"Bucket": "assets", "Tagging": {
            "TagSet": [{"Key": "team", "Value": "a"}, {"Key": "env", "Value": "dev"}]}})
        self.assertEqual(s3.get_bucket_tagging(Bucket="assets")["TagSet"],
                         [{"Key": "team", "Value": "a"}, {"Key": "env", "Value": "dev"}])
        self.same("s3", "GetBucketTagging", {"Bucket": "assets"}, "get_bucket_tagging")
        key = "site/a b+c.txt"
        self.call("s3", "PutObject", {"Bucket": "assets", "Key": key, "Body": "hello",
                                      "ContentType": "text/plain", "Metadata": {"owner": "me"}})
        got = s3.get_object(Bucket="assets", Key=key)
        self.assertEqual((got["Body"].read(), got["ContentType"], got["Metadata"]),
                         (b"hello", "text/plain", {"owner": "me"}))
        self.same("s3", "HeadObject", {"Bucket": "assets", "Key": key}, "head_object")
        # boto3 (a botocore customisation, not the API) asks for URL-encoded
        # keys and decodes them; cfnkit sends what it is given.
        listed = self.call("s3", "ListObjectsV2", {"Bucket": "assets", "Prefix": "site/"})
        theirs = as_cli(s3.list_objects_v2(Bucket="assets", Prefix="site/"))
        self.assertEqual(theirs.pop("EncodingType"), "url")
        self.assertEqual(listed, theirs)
        self.assertEqual(self.call("s3", "GetObject", {"Bucket": "assets", "Key": key})["Body"], "hello")
        self.same("s3", "GetBucketLocation", {"Bucket": "assets"}, "get_bucket_location")
        self.call("s3", "PutBucketVersioning", {"Bucket": "assets",
                                                "VersioningConfiguration": {"Status": "Enabled"}})
        self.same("s3", "GetBucketVersioning", {"Bucket": "assets"}, "get_bucket_versioning")
        self.call("s3", "PutPublicAccessBlock", {"Bucket": "assets", "PublicAccessBlockConfiguration": {
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
            "RestrictPublicBuckets": False}})
        self.same("s3", "GetPublicAccessBlock", {"Bucket": "assets"}, "get_public_access_block")
        err = self.call("s3", "GetObject", {"Bucket": "assets", "Key": "../other/k"}, expect=1)
        self.assertIn('path segment', err)
        err = self.call("s3", "HeadBucket", {"Bucket": "missing-bucket"}, expect=1)
        self.assertIn("S3 HeadBucket: NotFound", err)
        # Route 53: an XML body with the model's root element and namespace.
        zone = self.call("route53", "CreateHostedZone", {"Name": "example.com", "CallerReference": "z1"})
        zid = zone["HostedZone"]["Id"].split("/")[-1]
        self.call("route53", "ChangeResourceRecordSets", {"HostedZoneId": zid, "ChangeBatch": {"Changes": [{
            "Action": "CREATE", "ResourceRecordSet": {"Name": "www.example.com", "Type": "A", "TTL": 60,
                                                      "ResourceRecords": [{"Value": "10.0.0.1"}]}}]}})
        r53 = self.moto.client("route53")
        sets = r53.list_resource_record_sets(HostedZoneId=zid)["ResourceRecordSets"]
        self.assertIn({"Name": "www.example.com.", "Type": "A", "TTL": 60,
                       "ResourceRecords": [{"Value": "10.0.0.1"}]}, sets)
        self.same("route53", "ListResourceRecordSets", {"HostedZoneId": zid}, "list_resource_record_sets")
        self.same("route53", "GetHostedZone", {"Id": zid}, "get_hosted_zone")
        # Ids as Route 53 answers them ("/hostedzone/Z1") work too, as in the SDKs.
        self.same("route53", "GetHostedZone", {"Id": zone["HostedZone"]["Id"]}, "get_hosted_zone")

    def test_every_service_of_the_table(self):
        # One read-only call per service cfnkit knows (`cfnkit aws --help`
        # lists them), its answer equal to boto3's.
        calls = {"acm": ("ListCertificates", {}), "apigateway": ("GetRestApis", {}),
                 "application-autoscaling": ("DescribeScalableTargets", {"ServiceNamespace": "ecs"}),
                 "autoscaling": ("DescribeAutoScalingGroups", {}),
                 "cloudformation": ("ListStacks", {}), "cloudfront": ("ListDistributions", {}),
                 "cloudwatch": ("DescribeAlarms", {}), "dynamodb": ("ListTables", {}),
                 "ec2": ("DescribeSubnets", {}), "ecr": ("DescribeRepositories", {}),
                 "ecs": ("ListClusters", {}), "efs": ("DescribeFileSystems", {}),
                 "elb": ("DescribeLoadBalancers", {}), "elbv2": ("DescribeLoadBalancers", {}),
                 "elasticache": ("DescribeCacheClusters", {}), "events": ("ListRules", {}),
                 "iam": ("ListPolicies", {"Scope": "Local"}), "kinesis": ("ListStreams", {}),
                 "kms": ("ListKeys", {}), "lambda": ("ListFunctions", {}),
                 "logs": ("DescribeLogGroups", {}), "rds": ("DescribeDBInstances", {}),
                 "route53": ("ListHostedZones", {}), "s3": ("ListBuckets", {}),
                 "secretsmanager": ("ListSecrets", {}), "sns": ("ListTopics", {}),
                 "sqs": ("ListQueues", {}), "ssm": ("DescribeParameters", {}),
                 "stepfunctions": ("ListStateMachines", {}), "sts": ("GetCallerIdentity", {})}
        usage = run([self.tool, "aws", "--help"], env=self.moto.env()).stdout
        listed = usage.split("Services:")[1].split()
        self.assertEqual(sorted(listed), sorted(calls))
        for service, (operation, payload) in calls.items():
            with self.subTest(service=service):
                self.same(service, operation, payload, botocore.xform_name(operation))

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
