/* cfn_aws_call without a network: each protocol's request (URL, headers,
 * body as the SDKs serialise it) and its answer read into the AWS CLI's
 * JSON, input checks, and the XML tree parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_http.h"
#include "xml.h"

#include <cfnkit/cfnkit.h>

static int setup(void **state)
{
    unsetenv("AWS_MAX_ATTEMPTS");
    unsetenv("AWS_SESSION_TOKEN");
    setenv("HOME", "/nonexistent", 1);
    setenv("AWS_REGION", "us-east-1", 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9", 1);
    return fake_http_setup(state);
}

static cfn_aws *client(void)
{
    cfn_aws *aws;
    assert_int_equal(cfn_aws_new(&aws, NULL), 0);
    return aws;
}

/* Calls with `input` (JSON text) and returns the answer printed compactly. */
static char *call(cfn_aws *aws, const char *svc, const char *op, const char *input)
{
    cJSON *in = input ? cJSON_Parse(input) : NULL, *out = NULL;
    assert_true(!input || in);
    int rc = cfn_aws_call(aws, svc, op, in, &out);
    cJSON_Delete(in);
    if (rc < 0)
        fail_msg("%s %s: %s", svc, op, cfn_error_last());
    char *text = cJSON_PrintUnformatted(out);
    cJSON_Delete(out);
    return text;
}

/* Answers compare as JSON: members in any order. */
static void same_json(const char *got, const char *want)
{
    cJSON *a = cJSON_Parse(got), *b = cJSON_Parse(want);
    assert_non_null(b);
    if (!cJSON_Compare(a, b, true))
        fail_msg("got %s\nwant %s", got, want);
    cJSON_Delete(a);
    cJSON_Delete(b);
}

static void has_header(size_t i, const char *line)
{
    if (!strstr(fake.sent[i].headers, line))
        fail_msg("no \"%s\" in:\n%s", line, fake.sent[i].headers);
}

static void json_protocol(void **state)
{
    (void)state;
    cfn_aws *aws = client();
    fake_http_push(&fake, (fake_answer){.status = 200, .body = "{\"QueueUrl\":\"u\",\"x\":1}"});
    char *out = call(aws, "sqs", "CreateQueue",
                     "{\"QueueName\":\"q\",\"Attributes\":"
                     "{\"DelaySeconds\":\"5\"}}");
    same_json(out, "{\"QueueUrl\":\"u\"}"); /* members not in the model: left out */
    free(out);
    assert_string_equal(fake.sent[0].method, "POST");
    assert_string_equal(fake.sent[0].url, "http://127.0.0.1:9/");
    assert_string_equal(fake.sent[0].content_type, "application/x-amz-json-1.0");
    has_header(0, "X-Amz-Target: AmazonSQS.CreateQueue\n");
    has_header(0, "x-amzn-query-mode: true\n");
    has_header(0, "Credential=AKIDTEST/");
    assert_string_equal(fake.sent[0].body,
                        "{\"QueueName\":\"q\",\"Attributes\":{\"DelaySeconds\":\"5\"}}");
    /* JSON 1.1, the CLI's operation spelling, epoch timestamps to ISO 8601,
     * nulls left out. */
    fake_http_push(&fake, (fake_answer){.status = 200,
                                        .body = "{\"Parameter\":{\"Name\":\"p\",\"Version\":3,"
                                                "\"LastModifiedDate\":1700000000.5,"
                                                "\"Selector\":null}}"});
    out = call(aws, "ssm", "get-parameter", "{\"Name\":\"p\",\"WithDecryption\":true}");
    same_json(out, "{\"Parameter\":{\"Name\":\"p\",\"Version\":3,"
                   "\"LastModifiedDate\":\"2023-11-14T22:13:20.500000+00:00\"}}");
    free(out);
    assert_string_equal(fake.sent[1].content_type, "application/x-amz-json-1.1");
    has_header(1, "X-Amz-Target: AmazonSSM.GetParameter\n");
    /* Timestamps given as ISO 8601 go as epoch seconds. */
    fake_http_push(&fake, (fake_answer){.status = 200, .body = "{}"});
    out = call(aws, "logs", "GetLogEvents", "{\"logGroupName\":\"g\",\"logStreamName\":\"s\"}");
    free(out);
    fake_http_push(&fake, (fake_answer){.status = 200, .body = "{}"});
    out = call(aws, "ecs", "ListServices", NULL);
    same_json(out, "{}");
    free(out);
    assert_string_equal(fake.sent[3].body, "{}");
    has_header(3, "X-Amz-Target: AmazonEC2ContainerServiceV20141113.ListServices\n");
    /* Documents (any JSON value) go and come back as they are. */
    static const char doc[] = "{\"deploymentConfiguration\":{\"lifecycleHooks\":[{"
                              "\"hookDetails\":{\"any\":[1,{\"x\":null}]}}]}}";
    char answer[256];
    snprintf(answer, sizeof(answer), "{\"service\":%s}", doc);
    fake_http_push(&fake, (fake_answer){.status = 200, .body = answer});
    char service[256];
    snprintf(service, sizeof(service), "{\"serviceName\":\"s\",%s", doc + 1);
    out = call(aws, "ecs", "CreateService", service);
    same_json(out, answer);
    free(out);
    same_json(fake.sent[4].body, service);
    /* Error codes: the query-compatible one when given, else the type
     * without its namespace. */
    fake_http_push(&fake, (fake_answer){.status = 400,
                                        .headers = "x-amzn-query-error: AWS.SimpleQueueService."
                                                   "NonExistentQueue;Sender\r\n"
                                                   "X-Amzn-ErrorType: com.amazonaws.sqs#"
                                                   "QueueDoesNotExist\r\n",
                                        .body = "{\"message\":\"gone\"}"});
    cJSON *in = cJSON_Parse("{\"QueueName\":\"q\"}");
    assert_int_equal(cfn_aws_call(aws, "sqs", "GetQueueUrl", in, NULL), CFN_ERROR);
    assert_true(cfn_aws_error_is(aws, "AWS.SimpleQueueService.NonExistentQueue"));
    assert_string_equal(cfn_error_last(),
                        "SQS GetQueueUrl: AWS.SimpleQueueService.NonExistentQueue: gone");
    fake_http_push(&fake, (fake_answer){.status = 400,
                                        .headers = "X-Amzn-ErrorType: com.amazonaws.sqs#"
                                                   "QueueDoesNotExist\r\n",
                                        .body = "{\"message\":\"gone\"}"});
    assert_int_equal(cfn_aws_call(aws, "sqs", "GetQueueUrl", in, NULL), CFN_ERROR);
    assert_true(cfn_aws_error_is(aws, "QueueDoesNotExist"));
    cJSON_Delete(in);
    cfn_aws_free(aws);
}

static void query_protocol(void **state)
{
    (void)state;
    cfn_aws *aws = client();
    fake_http_push(&fake,
                   (fake_answer){.status = 200,
                                 .body = "<CreateRoleResponse xmlns=\"https://iam.amazonaws.com/"
                                         "doc/2010-05-08/\"><CreateRoleResult><Role><Path>/</Path>"
                                         "<Arn>arn:aws:iam::1:role/r</Arn><RoleName>r</RoleName>"
                                         "<AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-"
                                         "17%22%7D</AssumeRolePolicyDocument>"
                                         "<CreateDate>2024-01-02T03:04:05Z</CreateDate>"
                                         "<MaxSessionDuration>3600</MaxSessionDuration>"
                                         "<Tags><member><Key>k</Key><Value>v &amp; w</Value>"
                                         "</member></Tags><Unknown>x</Unknown></Role>"
                                         "</CreateRoleResult><ResponseMetadata><RequestId>1"
                                         "</RequestId></ResponseMetadata></CreateRoleResponse>"});
    char *out = call(aws, "iam", "CreateRole",
                     "{\"RoleName\":\"r\",\"AssumeRolePolicyDocument\":\"{}\",\"Tags\":"
                     "[{\"Key\":\"k\",\"Value\":\"v & w\"},{\"Key\":\"a\",\"Value\":\"\"}]}");
    same_json(out, "{\"Role\":{\"Path\":\"/\",\"RoleName\":\"r\",\"Arn\":\"arn:aws:"
                   "iam::1:role/r\",\"CreateDate\":\"2024-01-02T03:04:05+00:00\","
                   "\"AssumeRolePolicyDocument\":{\"Version\":\"2012-10-17\"},"
                   "\"MaxSessionDuration\":3600,\"Tags\":[{\"Key\":\"k\",\"Value\":"
                   "\"v & w\"}]}}");
    free(out);
    assert_string_equal(fake.sent[0].content_type,
                        "application/x-www-form-urlencoded; charset=utf-8");
    assert_string_equal(fake.sent[0].body,
                        "Action=CreateRole&Version=2010-05-08&RoleName=r&AssumeRolePolicyDocument="
                        "%7B%7D&Tags.member.1.Key=k&Tags.member.1.Value=v%20%26%20w"
                        "&Tags.member.2.Key=a&Tags.member.2.Value=");
    /* Maps are entry.N.key/value; an empty list is sent as "Name=". */
    fake_http_push(&fake, (fake_answer){.status = 200,
                                        .body = "<GetTopicAttributesResponse>"
                                                "<GetTopicAttributesResult><Attributes><entry>"
                                                "<key>Owner</key><value>1</value></entry><entry>"
                                                "<key>Policy</key><value/></entry></Attributes>"
                                                "</GetTopicAttributesResult>"
                                                "</GetTopicAttributesResponse>"});
    out = call(aws, "sns", "GetTopicAttributes", "{\"TopicArn\":\"t\"}");
    same_json(out, "{\"Attributes\":{\"Owner\":\"1\",\"Policy\":\"\"}}");
    free(out);
    fake_http_push(&fake, (fake_answer){.status = 200, .body = "<CreateTopicResponse/>"});
    out = call(aws, "sns", "CreateTopic",
               "{\"Name\":\"t\",\"Attributes\":{\"DisplayName\":\"d\"},\"Tags\":[]}");
    same_json(out, "{}");
    free(out);
    assert_string_equal(fake.sent[2].body, "Action=CreateTopic&Version=2010-03-31&Name=t"
                                           "&Attributes.entry.1.key=DisplayName"
                                           "&Attributes.entry.1.value=d&Tags=");
    /* Elastic Load Balancing v2 signs as elasticloadbalancing. */
    fake_http_push(&fake, (fake_answer){.status = 200,
                                        .body = "<DescribeTargetGroupsResponse>"
                                                "<DescribeTargetGroupsResult><TargetGroups>"
                                                "<member><Port>80</Port><HealthCheckEnabled>true"
                                                "</HealthCheckEnabled><LoadBalancerArns/>"
                                                "</member></TargetGroups>"
                                                "</DescribeTargetGroupsResult>"
                                                "</DescribeTargetGroupsResponse>"});
    out = call(aws, "elbv2", "DescribeTargetGroups", "{\"Names\":[\"a\",\"b\"]}");
    same_json(out, "{\"TargetGroups\":[{\"Port\":80,\"HealthCheckEnabled\":true,"
                   "\"LoadBalancerArns\":[]}]}");
    free(out);
    assert_string_equal(fake.sent[3].body, "Action=DescribeTargetGroups&Version=2015-12-01"
                                           "&Names.member.1=a&Names.member.2=b");
    has_header(3, "/us-east-1/elasticloadbalancing/aws4_request");
    cfn_aws_free(aws);
}

static void ec2_protocol(void **state)
{
    (void)state;
    cfn_aws *aws = client();
    fake_http_push(
        &fake,
        (fake_answer){.status = 200,
                      .body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                              "<DescribeSecurityGroupsResponse xmlns=\"http://ec2.amazonaws.com/"
                              "doc/2016-11-15/\"><requestId>r</requestId><securityGroupInfo><item>"
                              "<groupId>sg-1</groupId><groupName>web</groupName><ipPermissions>"
                              "<item><ipProtocol>tcp</ipProtocol><fromPort>443</fromPort>"
                              "<ipRanges><item><cidrIp>10.0.0.0/8</cidrIp></item></ipRanges>"
                              "</item></ipPermissions><tagSet><item><key>Name</key><value>w"
                              "</value></item></tagSet></item></securityGroupInfo>"
                              "</DescribeSecurityGroupsResponse>"});
    char *out = call(aws, "ec2", "DescribeSecurityGroups",
                     "{\"GroupIds\":[\"sg-1\"],\"Filters\":[{\"Name\":\"vpc-id\",\"Values\":"
                     "[\"v1\",\"v2\"]}],\"DryRun\":false}");
    same_json(out, "{\"SecurityGroups\":[{\"GroupId\":\"sg-1\",\"IpPermissions\":[{"
                   "\"IpProtocol\":\"tcp\",\"FromPort\":443,\"IpRanges\":[{\"CidrIp\":"
                   "\"10.0.0.0/8\"}]}],\"GroupName\":\"web\",\"Tags\":[{\"Key\":"
                   "\"Name\",\"Value\":\"w\"}]}]}");
    free(out);
    /* EC2's names: queryName (GroupId), capitalised locationName (Filter),
     * lists as Name.N with no "member", empty lists not sent. */
    assert_string_equal(fake.sent[0].body,
                        "Action=DescribeSecurityGroups&Version=2016-11-15&GroupId.1=sg-1"
                        "&Filter.1.Name=vpc-id&Filter.1.Value.1=v1&Filter.1.Value.2=v2"
                        "&DryRun=false");
    fake_http_push(&fake, (fake_answer){.status = 200,
                                        .body = "<CreateSecurityGroupResponse>"
                                                "<groupId>sg-2</groupId>"
                                                "</CreateSecurityGroupResponse>"});
    out = call(aws, "ec2", "CreateSecurityGroup",
               "{\"GroupName\":\"g\",\"Description\":\"d\",\"TagSpecifications\":[{"
               "\"ResourceType\":\"security-group\",\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"}]}]}");
    same_json(out, "{\"GroupId\":\"sg-2\"}");
    free(out);
    assert_string_equal(fake.sent[1].body,
                        "Action=CreateSecurityGroup&Version=2016-11-15&GroupName=g"
                        "&GroupDescription=d&TagSpecification.1.ResourceType=security-group"
                        "&TagSpecification.1.Tag.1.Key=k&TagSpecification.1.Tag.1.Value=v");
    cfn_aws_free(aws);
}

static void rest_json_protocol(void **state)
{
    (void)state;
    cfn_aws *aws = client();
    /* Path members, a body member whose wire name differs (httpMethod). */
    fake_http_push(&fake, (fake_answer){.status = 201,
                                        .body = "{\"type\":\"AWS_PROXY\",\"httpMethod\":\"POST\","
                                                "\"uri\":\"u\"}"});
    char *out = call(aws, "apigateway", "PutIntegration",
                     "{\"restApiId\":\"a1\",\"resourceId\":\"r 1\",\"httpMethod\":\"GET\","
                     "\"type\":\"AWS_PROXY\",\"integrationHttpMethod\":\"POST\",\"uri\":\"u\"}");
    same_json(out, "{\"type\":\"AWS_PROXY\",\"httpMethod\":\"POST\",\"uri\":\"u\"}");
    free(out);
    assert_string_equal(fake.sent[0].method, "PUT");
    assert_string_equal(fake.sent[0].url,
                        "http://127.0.0.1:9/restapis/a1/resources/r%201/methods/GET/integration");
    assert_string_equal(fake.sent[0].content_type, "application/json");
    same_json(fake.sent[0].body, "{\"type\":\"AWS_PROXY\",\"httpMethod\":\"POST\",\"uri\":\"u\"}");
    /* Wire names in answers become the CLI's member names (item -> items). */
    fake_http_push(&fake, (fake_answer){.status = 200,
                                        .body = "{\"item\":[{\"id\":\"r0\",\"path\":\"/\"}],"
                                                "\"position\":\"p2\"}"});
    out = call(aws, "apigateway", "GetResources", "{\"restApiId\":\"a1\",\"limit\":25}");
    same_json(out, "{\"position\":\"p2\",\"items\":[{\"id\":\"r0\",\"path\":\"/\"}]}");
    free(out);
    assert_string_equal(fake.sent[1].method, "GET");
    assert_string_equal(fake.sent[1].url, "http://127.0.0.1:9/restapis/a1/resources?limit=25");
    assert_int_equal(fake.sent[1].has_content_type, 0);
    /* A blob payload goes as it is; the status code and a header come back
     * as members. */
    fake_http_push(&fake, (fake_answer){.status = 200,
                                        .headers = "X-Amz-Function-Error: Unhandled\r\n"
                                                   "X-Amz-Executed-Version: 7\r\n",
                                        .body = "{\"errorMessage\":\"boom\"}"});
    out = call(aws, "lambda", "Invoke",
               "{\"FunctionName\":\"f\",\"InvocationType\":\"RequestResponse\","
               "\"Payload\":\"{\\\"a\\\":1}\"}");
    same_json(out, "{\"StatusCode\":200,\"FunctionError\":\"Unhandled\","
                   "\"Payload\":\"{\\\"errorMessage\\\":\\\"boom\\\"}\","
                   "\"ExecutedVersion\":\"7\"}");
    free(out);
    assert_string_equal(fake.sent[2].url, "http://127.0.0.1:9/2015-03-31/functions/f/invocations");
    assert_string_equal(fake.sent[2].body, "{\"a\":1}");
    has_header(2, "X-Amz-Invocation-Type: RequestResponse\n");
    /* A URL member missing, or a dot segment, is refused before sending. */
    cJSON *in = cJSON_Parse("{\"FunctionName\":\"..\"}");
    assert_int_equal(cfn_aws_call(aws, "lambda", "GetFunction", in, NULL), CFN_EINVAL);
    assert_string_equal(cfn_error_last(), "Lambda GetFunction: FunctionName cannot be \"..\"");
    cJSON_Delete(in);
    assert_int_equal(cfn_aws_call(aws, "lambda", "GetFunction", NULL, NULL), CFN_EINVAL);
    assert_string_equal(cfn_error_last(), "Lambda GetFunction: FunctionName is required");
    assert_int_equal(fake.nsent, 3);
    cfn_aws_free(aws);
}

static void rest_xml_protocol(void **state)
{
    (void)state;
    cfn_aws *aws = client();
    fake_http_push(&fake, (fake_answer){.status = 200});
    char *out = call(aws, "s3", "PutBucketTagging",
                     "{\"Bucket\":\"bkt\",\"Tagging\":{\"TagSet\":[{\"Key\":\"a<b\",\"Value\":"
                     "\"c\"}]}}");
    same_json(out, "{}");
    free(out);
    assert_string_equal(fake.sent[0].method, "PUT");
    assert_string_equal(fake.sent[0].url, "http://127.0.0.1:9/bkt/?tagging=");
    assert_string_equal(fake.sent[0].body,
                        "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet><Tag>"
                        "<Key>a&lt;b</Key><Value>c</Value></Tag></TagSet></Tagging>");
    has_header(0, "X-Amz-Content-Sha256: ");
    has_header(0, "Content-MD5: /6xyplBUNeRoDbMNPVbU8g==\n"); /* S3 requires it here */
    /* Headers both ways, a greedy key keeping its slashes. */
    fake_http_push(&fake, (fake_answer){.status = 200,
                                        .headers = "Content-Length: 5\r\nETag: \"e\"\r\n"
                                                   "Last-Modified: Tue, 02 Jan 2024 03:04:05 GMT"
                                                   "\r\nx-amz-meta-Owner: me\r\n"});
    out = call(aws, "s3", "HeadObject", "{\"Bucket\":\"bkt\",\"Key\":\"a b/c+d\"}");
    same_json(out, "{\"LastModified\":\"2024-01-02T03:04:05+00:00\","
                   "\"ContentLength\":5,\"ETag\":\"\\\"e\\\"\","
                   "\"Metadata\":{\"owner\":\"me\"}}");
    free(out);
    assert_string_equal(fake.sent[1].method, "HEAD");
    assert_string_equal(fake.sent[1].url, "http://127.0.0.1:9/bkt/a%20b/c%2Bd");
    fake_http_push(&fake, (fake_answer){.status = 200});
    out = call(aws, "s3", "PutObject",
               "{\"Bucket\":\"bkt\",\"Key\":\"k\",\"Body\":\"hello\",\"ContentType\":"
               "\"text/plain\",\"Metadata\":{\"owner\":\"me\"}}");
    free(out);
    assert_string_equal(fake.sent[2].body, "hello");
    has_header(2, "Content-Type: text/plain\n");
    has_header(2, "x-amz-meta-owner: me\n");
    /* Flattened lists (Contents) in an answer. */
    fake_http_push(&fake, (fake_answer){.status = 200,
                                        .body = "<ListBucketResult><Name>bkt</Name><Contents>"
                                                "<Key>a</Key><Size>1</Size></Contents><Contents>"
                                                "<Key>b</Key><Size>2</Size></Contents>"
                                                "<IsTruncated>false</IsTruncated>"
                                                "</ListBucketResult>"});
    out = call(aws, "s3", "ListObjectsV2", "{\"Bucket\":\"bkt\",\"Prefix\":\"a/\"}");
    same_json(out, "{\"IsTruncated\":false,\"Contents\":[{\"Key\":\"a\",\"Size\":1},"
                   "{\"Key\":\"b\",\"Size\":2}],\"Name\":\"bkt\"}");
    free(out);
    assert_string_equal(fake.sent[3].url, "http://127.0.0.1:9/bkt/?list-type=2&prefix=a%2F");
    /* Route 53: the input's root element and namespace from the model. */
    fake_http_push(&fake,
                   (fake_answer){.status = 200,
                                 .body = "<ChangeResourceRecordSetsResponse><ChangeInfo>"
                                         "<Id>/change/C1</Id><Status>PENDING</Status>"
                                         "</ChangeInfo></ChangeResourceRecordSetsResponse>"});
    out = call(aws, "route53", "ChangeResourceRecordSets",
               "{\"HostedZoneId\":\"Z1\",\"ChangeBatch\":{\"Changes\":[{\"Action\":\"UPSERT\","
               "\"ResourceRecordSet\":{\"Name\":\"a.example.com\",\"Type\":\"A\",\"TTL\":60,"
               "\"ResourceRecords\":[{\"Value\":\"10.0.0.1\"}]}}]}}");
    same_json(out, "{\"ChangeInfo\":{\"Id\":\"/change/C1\",\"Status\":\"PENDING\"}}");
    free(out);
    assert_string_equal(fake.sent[4].url, "http://127.0.0.1:9/2013-04-01/hostedzone/Z1/rrset/");
    assert_string_equal(
        fake.sent[4].body,
        "<ChangeResourceRecordSetsRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
        "<ChangeBatch><Changes><Change><Action>UPSERT</Action><ResourceRecordSet><Name>"
        "a.example.com</Name><Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord>"
        "<Value>10.0.0.1</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>"
        "</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>");
    has_header(4, "/us-east-1/route53/aws4_request");
    /* Bucket names are checked as S3's own calls check them. */
    cJSON *in = cJSON_Parse("{\"Bucket\":\"a/../b\",\"Key\":\"k\"}");
    assert_int_equal(cfn_aws_call(aws, "s3", "GetObject", in, NULL), CFN_EINVAL);
    assert_non_null(strstr(cfn_error_last(), "invalid bucket name"));
    cJSON_Delete(in);
    cfn_aws_free(aws);
}

static void bad_names_and_input(void **state)
{
    (void)state;
    cfn_aws *aws = client();
    static const struct {
        const char *svc, *op, *input, *error;
    } cases[] = {
        {"sqss", "ListQueues", NULL, "unknown AWS service \"sqss\" (closest: sqs, sns, ssm)"},
        {NULL, "ListQueues", NULL, "unknown AWS service \"\""},
        {"sqs", "ListQueue", NULL,
         "SQS: unknown operation \"ListQueue\" (closest: ListQueues, ListQueueTags, TagQueue)"},
        {"sqs", NULL, NULL, "SQS: unknown operation \"\""},
        {"sqs", "CreateQueue", "[]", "SQS CreateQueue: the input must be a JSON object"},
        {"sqs", "CreateQueue", "{\"QueueNam\":\"q\"}",
         "SQS CreateQueue: unknown parameter QueueNam (closest: QueueName, tags, Attributes)"},
        {"sqs", "CreateQueue", "{\"QueueName\":5}", "SQS CreateQueue: QueueName must be a string"},
        {"sqs", "CreateQueue", "{}", "SQS CreateQueue: QueueName is required"},
        {"iam", "CreateRole",
         "{\"RoleName\":\"r\",\"AssumeRolePolicyDocument\":\"{}\",\"Tags\":[{\"Value\":\"v\"}]}",
         "IAM CreateRole: Tags[0].Key is required"},
        {"sqs", "CreateQueue", "{\"QueueName\":\"q\",\"Attributes\":{\"A\":1}}",
         "SQS CreateQueue: Attributes.A must be a string"},
        {"ec2", "DescribeVpcs", "{\"VpcIds\":\"vpc-1\"}",
         "EC2 DescribeVpcs: VpcIds must be a list"},
        {"ec2", "DescribeVpcs", "{\"MaxResults\":5.5}",
         "EC2 DescribeVpcs: MaxResults must be an integer"},
        {"ec2", "DescribeVpcs", "{\"DryRun\":\"true\"}",
         "EC2 DescribeVpcs: DryRun must be true or false"},
        {"ec2", "DescribeVpcs", "{\"Filters\":[{\"Name\":\"a\",\"Value\":[]}]}",
         "EC2 DescribeVpcs: unknown parameter Filters[0].Value (closest: Values, Name)"},
        {"logs", "GetLogEvents",
         "{\"logGroupName\":\"g\",\"logStreamName\":\"s\",\"startTime\":\"soon\"}",
         "CloudWatch Logs GetLogEvents: startTime must be an integer"},
        {"sts", "GetCallerIdentity", "{\"X\":1}",
         "STS GetCallerIdentity: unknown parameter X (closest: none)"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cJSON *in = cases[i].input ? cJSON_Parse(cases[i].input) : NULL;
        assert_int_equal(cfn_aws_call(aws, cases[i].svc, cases[i].op, in, NULL), CFN_EINVAL);
        if (!strstr(cfn_error_last(), cases[i].error))
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, cfn_error_last(), cases[i].error);
        cJSON_Delete(in);
    }
    assert_int_equal(fake.nsent, 0);
    assert_string_equal(cfn_aws_service_name(0), "acm");
    assert_null(cfn_aws_service_name(30));
    cfn_aws_free(aws);
}

static void xml_parser(void **state)
{
    (void)state;
    xml_node *root;
    const char *good = "<?xml version=\"1.0\"?><!-- c --><a:R xmlns:a=\"u\" k='v &amp; w'>"
                       "<X>1 &lt; 2 &#x263A; &#65;</X><Y><![CDATA[<raw>&amp;]]></Y><Z/>"
                       "</a:R>\n";
    assert_int_equal(cfn__xml_parse(good, strlen(good), &root), 0);
    assert_string_equal(root->name, "R");
    assert_int_equal(root->nattrs, 2);
    assert_string_equal(root->attrs[1].name, "k");
    assert_string_equal(root->attrs[1].value, "v & w");
    assert_string_equal(root->child->text, "1 < 2 \xe2\x98\xba A");
    assert_string_equal(root->child->next->text, "<raw>&amp;");
    assert_string_equal(root->child->next->next->name, "Z");
    assert_string_equal(root->child->next->next->text, "");
    cfn__xml_free(root);
    static const char *const bad[] = {
        "",
        "text",
        "<a>",
        "<a></b>",
        "<a/><b/>",
        "<a>x</a>y",
        "<!DOCTYPE a>",
        "<a b=c/>",
        "<a b=\"c/>",
        "<a><!-- </a>",
        "<a><![CDATA[x</a>",
        "</a>",
        "<a></a></a>",
        "<a<b/>",
        "<a>&#0;</a",
        "<a b=\"1\" b=\"2\"/>", /* XML forbids a repeated attribute; it leaked a value */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(cfn__xml_parse(bad[i], strlen(bad[i]), &root), CFN_EINVAL);
        assert_null(root);
        assert_non_null(strstr(cfn_error_last(), "malformed XML answer"));
    }
    /* Nesting is bounded. */
    char deep[2000] = "";
    for (int i = 0; i < 201; i++)
        strcat(deep, "<a>");
    assert_int_equal(cfn__xml_parse(deep, strlen(deep), &root), CFN_EINVAL);
    assert_non_null(strstr(cfn_error_last(), "nested too deeply"));
    /* So are an element's attributes (each was checked against the others). */
    char many[4000] = "<a";
    for (int i = 0; i < 65; i++)
        snprintf(many + strlen(many), sizeof(many) - strlen(many), " b%d=\"\"", i);
    strcat(many, "/>");
    assert_int_equal(cfn__xml_parse(many, strlen(many), &root), CFN_EINVAL);
    assert_non_null(strstr(cfn_error_last(), "too many attributes"));
}

static void xml_answer_not_xml(void **state)
{
    (void)state;
    cfn_aws *aws = client();
    fake_http_push(&fake, (fake_answer){.status = 200, .body = "<GetRoleResponse><GetRoleResult>"});
    cJSON *in = cJSON_Parse("{\"RoleName\":\"r\"}"), *out = NULL;
    assert_int_equal(cfn_aws_call(aws, "iam", "GetRole", in, &out), CFN_ERROR);
    assert_null(out);
    assert_string_equal(cfn_error_last(),
                        "IAM GetRole: malformed XML answer: unclosed element at byte 32");
    cJSON_Delete(in);
    cfn_aws_free(aws);
}

/* A header bound from the input cannot carry a line break: it would add
 * headers (or a request) of its own to what is signed and sent. */
static void header_injection_refused(void **state)
{
    (void)state;
    cfn_aws *aws = client();
    static const struct {
        const char *input, *error;
    } cases[] = {
        {"{\"Bucket\":\"bkt\",\"Key\":\"k\",\"Body\":\"x\",\"ContentType\":"
         "\"text/plain\\r\\nx-amz-acl: public-read\"}",
         "S3 PutObject: header Content-Type holds a control character (a line break would start "
         "another header)"},
        {"{\"Bucket\":\"bkt\",\"Key\":\"k\",\"Body\":\"x\",\"Metadata\":{\"owner\":"
         "\"me\\nx-amz-acl: public-read\"}}",
         "S3 PutObject: header x-amz-meta-owner holds a control character (a line break would "
         "start another header)"},
        {"{\"Bucket\":\"bkt\",\"Key\":\"k\",\"Body\":\"x\",\"Metadata\":{\"a: b\":"
         "\"c\"}}",
         "S3 PutObject: header x-amz-meta-a: b has a name that is not an HTTP token"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cJSON *in = cJSON_Parse(cases[i].input), *out = NULL;
        assert_non_null(in);
        assert_int_equal(cfn_aws_call(aws, "s3", "PutObject", in, &out), CFN_EINVAL);
        assert_null(out);
        assert_string_equal(cfn_error_last(), cases[i].error);
        cJSON_Delete(in);
    }
    assert_int_equal(fake.nsent, 0); /* nothing was sent */
    cfn_aws_free(aws);
}

/* S3 may answer CopyObject, UploadPartCopy and CompleteMultipartUpload with
 * 200 and an Error document: a failure, not a success. Any other answer,
 * such as an object whose content is an Error document, is what it is. */
static void s3_error_in_200(void **state)
{
    (void)state;
    cfn_aws *aws = client();
    static const char error[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\n<Error><Code>"
                                "AccessDenied</Code><Message>Access Denied</Message></Error>";
    fake_http_push(&fake, (fake_answer){.status = 200, .body = error});
    cJSON *in = cJSON_Parse("{\"Bucket\":\"bkt\",\"Key\":\"k\",\"UploadId\":\"u\","
                            "\"MultipartUpload\":{\"Parts\":[{\"ETag\":\"e\",\"PartNumber\":1}]}}"),
          *out = NULL;
    assert_int_equal(cfn_aws_call(aws, "s3", "CompleteMultipartUpload", in, &out), CFN_ERROR);
    assert_null(out);
    assert_string_equal(cfn_aws_error_code(aws), "AccessDenied");
    assert_string_equal(cfn_error_last(),
                        "S3 CompleteMultipartUpload: AccessDenied: Access Denied");
    cJSON_Delete(in);
    fake_http_push(&fake, (fake_answer){.status = 200, .body = error});
    in = cJSON_Parse("{\"Bucket\":\"bkt\",\"Key\":\"k\",\"CopySource\":\"src/k\"}");
    assert_int_equal(cfn_aws_call(aws, "s3", "CopyObject", in, NULL), CFN_ERROR);
    cJSON_Delete(in);
    fake_http_push(&fake, (fake_answer){.status = 200, .body = error});
    in = cJSON_Parse("{\"Bucket\":\"bkt\",\"Key\":\"k\"}");
    assert_int_equal(cfn_aws_call(aws, "s3", "GetObject", in, &out), 0);
    cJSON_Delete(out);
    cJSON_Delete(in);
    cfn_aws_free(aws);
}

/* A listing whose answer hands back the continuation token it was given
 * stops with an error instead of asking forever. */
static void s3_listing_that_never_ends(void **state)
{
    (void)state;
    cfn_aws *aws = client();
    fake_http_push(&fake, (fake_answer){.status = 200,
                                        .body = "<ListBucketResult><IsTruncated>true</IsTruncated>"
                                                "<NextContinuationToken>t1</NextContinuationToken>"
                                                "</ListBucketResult>"});
    fake.fallback = (fake_answer){.status = 200,
                                  .body = "<ListBucketResult><IsTruncated>true</IsTruncated>"
                                          "<NextContinuationToken>t2</NextContinuationToken>"
                                          "</ListBucketResult>"};
    cJSON *list = NULL;
    assert_int_equal(cfn_s3_list_objects(aws, "bkt", NULL, &list), CFN_EIO);
    assert_null(list);
    assert_string_equal(cfn_error_last(),
                        "S3 ListObjectsV2: the same continuation token came back");
    assert_int_equal(fake.nsent, 3); /* t1 then t2 taken, t2 again refused */
    cfn_aws_free(aws);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, fake_http_teardown)
    const struct CMUnitTest tests[] = {
        T(json_protocol),
        T(query_protocol),
        T(ec2_protocol),
        T(rest_json_protocol),
        T(rest_xml_protocol),
        T(bad_names_and_input),
        T(xml_parser),
        T(xml_answer_not_xml),
        T(header_injection_refused),
        T(s3_error_in_200),
        T(s3_listing_that_never_ends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
