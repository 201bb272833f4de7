"""The AWS client against the local AWS (moto_server), through `cfnkit aws`,
with every resulting state checked by boto3 or the AWS CLI."""

import base64
import io
import json
import os
import subprocess
import tempfile
import unittest
import urllib.request
import zipfile

from harness import Moto, TlsEndpoint, program, run

ASSUME = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def zip_bytes(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


class AwsClientAgainstMoto(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        cls.tool = program("CFNKIT_TOOL")

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def aws(self, *args, stdin=None, expect=0, env=None):
        full = dict(self.moto.env())
        full.update(env or {})
        res = run([self.tool, "aws", *args], stdin=stdin, env=full)
        self.assertEqual(res.returncode, expect, res.stderr)
        return res

    def aws_json(self, *args, **kw):
        return json.loads(self.aws(*args, **kw).stdout or "null")

    def test_dynamodb_calls(self):
        ddb = self.moto.client("dynamodb")
        self.aws_json("dynamodb", "CreateTable", json.dumps({
            "TableName": "ports", "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pool", "KeyType": "HASH"},
                          {"AttributeName": "port", "KeyType": "RANGE"}],
            "AttributeDefinitions": [{"AttributeName": "pool", "AttributeType": "S"},
                                     {"AttributeName": "port", "AttributeType": "N"}]}))
        desc = self.aws_json("dynamodb", "DescribeTable", '{"TableName":"ports"}')
        self.assertEqual(desc["Table"]["TableName"], "ports")
        self.assertEqual(ddb.describe_table(TableName="ports")["Table"]["KeySchema"][0]["AttributeName"], "pool")
        item = {"pool": {"S": "web"}, "port": {"N": "10001"}, "owner": {"S": "a"}}
        self.aws("dynamodb", "PutItem", json.dumps({"TableName": "ports", "Item": item,
                 "ConditionExpression": "attribute_not_exists(port)"}))
        res = self.aws("dynamodb", "PutItem", json.dumps({"TableName": "ports", "Item": item,
                       "ConditionExpression": "attribute_not_exists(port)"}), expect=1)
        self.assertIn("DynamoDB PutItem: ConditionalCheckFailedException: The conditional request failed",
                      res.stderr)
        got = self.aws_json("dynamodb", "GetItem", json.dumps({"TableName": "ports", "Key": {
            "pool": {"S": "web"}, "port": {"N": "10001"}}}))
        self.assertEqual(got["Item"]["owner"]["S"], "a")
        self.aws("dynamodb", "UpdateItem", json.dumps({
            "TableName": "ports", "Key": {"pool": {"S": "web"}, "port": {"N": "10001"}},
            "UpdateExpression": "SET #o = :o", "ExpressionAttributeNames": {"#o": "owner"},
            "ExpressionAttributeValues": {":o": {"S": "b"}}}))
        self.assertEqual(ddb.get_item(TableName="ports", Key={"pool": {"S": "web"}, "port": {"N": "10001"}})
                         ["Item"]["owner"]["S"], "b")
        self.aws("dynamodb", "TransactWriteItems", json.dumps({"TransactItems": [
            {"Put": {"TableName": "ports", "Item": {"pool": {"S": "web"}, "port": {"N": str(p)}}}}
            for p in (10002, 10003)]}))
        q = self.aws_json("dynamodb", "Query", json.dumps({
            "TableName": "ports", "KeyConditionExpression": "pool = :p",
            "ExpressionAttributeValues": {":p": {"S": "web"}}}))
        self.assertEqual(q["Count"], 3)
        self.aws("dynamodb", "DeleteItem", json.dumps({"TableName": "ports", "Key": {
            "pool": {"S": "web"}, "port": {"N": "10001"}}}))
        self.assertEqual(ddb.scan(TableName="ports")["Count"], 2)
        self.aws("dynamodb", "DeleteTable", '{"TableName":"ports"}')
        self.assertNotIn("ports", ddb.list_tables()["TableNames"])
        res = self.aws("dynamodb", "DescribeTable", '{"TableName":"ports"}', expect=1)
        self.assertIn("ResourceNotFoundException", res.stderr)

    def test_paths_built_from_properties_stay_in_place(self):
        s3 = self.moto.client("s3")
        s3.create_bucket(Bucket="path-bucket")
        s3.create_bucket(Bucket="other-bucket")
        key = "a?b#c/..d/%2e%2e/x y"
        self.aws("s3", "put-object", "path-bucket", key, "--body", "exact")
        self.assertEqual(s3.get_object(Bucket="path-bucket", Key=key)["Body"].read(), b"exact")
        for bucket, k, why in [("path-bucket/../other-bucket", "k", "invalid bucket name"),
                               ("other-bucket?x=", "k", "invalid bucket name"),
                               ("Path-Bucket", "k", "invalid bucket name"),
                               ("path-bucket", "../other-bucket/escaped", "path segment"),
                               ("path-bucket", "a/../../other-bucket/escaped", "path segment")]:
            res = self.aws("s3", "put-object", bucket, k, "--body", "x", expect=1)
            self.assertIn(why, res.stderr)
        self.assertEqual([o["Key"] for o in s3.list_objects_v2(Bucket="path-bucket")["Contents"]], [key])
        self.assertNotIn("Contents", s3.list_objects_v2(Bucket="other-bucket"))
        res = self.aws("lambda", "GetPolicy", '{"FunctionName": ".."}', expect=1)
        self.assertIn("FunctionName cannot be \"..\"", res.stderr)

    def test_s3_calls(self):
        s3 = self.moto.client("s3")
        self.aws("s3", "create-bucket", "code-bucket")
        self.assertIn("code-bucket", [b["Name"] for b in s3.list_buckets()["Buckets"]])
        key = "dir/a key+\u00e9 (1).txt"
        put = self.aws_json("s3", "put-object", "code-bucket", key, "--body", "hello",
                            "--content-type", "text/plain")
        self.assertEqual(s3.get_object(Bucket="code-bucket", Key=key)["Body"].read(), b"hello")
        self.assertEqual(put["ETag"], s3.head_object(Bucket="code-bucket", Key=key)["ETag"])
        self.assertEqual(put["ETag"], '"5d41402abc4b2a76b9719d911017c592"')  # MD5 of "hello"
        self.assertEqual(self.aws("s3", "get-object", "code-bucket", key).stdout, "hello")
        head = self.aws_json("s3", "head-object", "code-bucket", key)
        self.assertEqual((head["ContentLength"], head["ContentType"]), (5, "text/plain"))
        with tempfile.TemporaryDirectory() as tmp:
            src, dst = os.path.join(tmp, "src.bin"), os.path.join(tmp, "dst.bin")
            with open(src, "wb") as f:
                f.write(os.urandom(3 * 1024 * 1024 + 17))
            self.aws("s3", "put-object", "code-bucket", "big.bin", "--file", src)
            self.assertEqual(s3.head_object(Bucket="code-bucket", Key="big.bin")["ContentLength"],
                             3 * 1024 * 1024 + 17)
            self.aws("s3", "get-object", "code-bucket", "big.bin", "--file", dst)
            with open(src, "rb") as a, open(dst, "rb") as b:
                self.assertEqual(a.read(), b.read())
            res = self.aws("s3", "get-object", "code-bucket", "missing", "--file", dst, expect=1)
            self.assertIn("S3 GetObject: NoSuchKey", res.stderr)
            self.assertFalse(os.path.exists(dst))  # no half-written file left
        # More than one page of ListObjectsV2 (1000 keys a page).
        for i in range(1003):
            s3.put_object(Bucket="code-bucket", Key=f"many/{i:04d}", Body=b"")
        listed = self.aws_json("s3", "list-objects", "code-bucket", "many/")
        self.assertEqual(len(listed), 1003)
        self.assertEqual(listed[0]["Key"], "many/0000")
        put_url = self.aws("s3", "presign", "PUT", "code-bucket", "presigned.txt", "600").stdout.strip()
        urllib.request.urlopen(urllib.request.Request(put_url, data=b"via url", method="PUT",
                                                      headers={"Content-Type": ""}), timeout=10)
        self.assertEqual(s3.get_object(Bucket="code-bucket", Key="presigned.txt")["Body"].read(), b"via url")
        get_url = self.aws("s3", "presign", "GET", "code-bucket", key).stdout.strip()
        self.assertIn("X-Amz-Signature=", get_url)
        self.assertEqual(urllib.request.urlopen(get_url, timeout=10).read(), b"hello")
        self.aws("s3", "delete-object", "code-bucket", key)
        self.assertNotIn(key, [o["Key"] for o in s3.list_objects_v2(Bucket="code-bucket").get("Contents", [])])
        self.aws("s3", "delete-object", "code-bucket", key)  # already gone: S3 says fine
        res = self.aws("s3", "delete-bucket", "code-bucket", expect=1)
        self.assertIn("BucketNotEmpty", res.stderr)
        self.aws("s3", "create-bucket", "empty-bucket")
        self.aws("s3", "delete-bucket", "empty-bucket")
        self.assertNotIn("empty-bucket", [b["Name"] for b in s3.list_buckets()["Buckets"]])

    def test_iam_and_sts_calls(self):
        arn = self.aws_json("iam", "create-role", "fn-role", ASSUME)["Arn"]
        self.assertTrue(arn.endswith(":role/fn-role"))
        self.assertEqual(self.aws_json("iam", "get-role", "fn-role")["Arn"], arn)
        doc = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}]})
        self.aws("iam", "put-role-policy", "fn-role", "read", doc)
        out = subprocess.run(["aws", "--endpoint-url", self.moto.url, "iam", "list-role-policies",
                              "--role-name", "fn-role"], capture_output=True, text=True,
                             env=dict(os.environ, **self.moto.env()), timeout=60)
        self.assertEqual(json.loads(out.stdout)["PolicyNames"], ["read"])
        self.aws("iam", "delete-role-policy", "fn-role", "read")
        self.aws("iam", "delete-role", "fn-role")
        res = self.aws("iam", "get-role", "fn-role", expect=1)
        self.assertIn("IAM GetRole: NoSuchEntity", res.stderr)
        ident = self.aws_json("sts", "get-caller-identity")
        self.assertEqual(ident["Account"], self.moto.client("sts").get_caller_identity()["Account"])

    def test_lambda_calls(self):
        role = self.moto.client("iam").create_role(RoleName="lambda-role", AssumeRolePolicyDocument=ASSUME)["Role"]["Arn"]
        lam = self.moto.client("lambda")
        code = base64.b64encode(zip_bytes({"index.py": "def h(e, c): return 1\n"})).decode()
        created = self.aws_json("lambda", "CreateFunction", json.dumps({
            "FunctionName": "hits", "Runtime": "python3.12", "Role": role, "Handler": "index.h",
            "Code": {"ZipFile": code}, "Timeout": 5, "MemorySize": 256}))
        self.assertEqual(created["FunctionName"], "hits")
        self.assertEqual(lam.get_function(FunctionName="hits")["Configuration"]["MemorySize"], 256)
        self.assertEqual(self.aws_json("lambda", "GetFunction", '{"FunctionName":"hits"}')
                         ["Configuration"]["Handler"], "index.h")
        self.assertEqual(self.aws_json("lambda", "GetFunctionConfiguration", '{"FunctionName":"hits"}')
                         ["Timeout"], 5)
        self.aws("lambda", "UpdateFunctionConfiguration", json.dumps({
            "FunctionName": "hits", "Timeout": 9, "Environment": {"Variables": {"STAGE": "dev"}}}))
        conf = lam.get_function_configuration(FunctionName="hits")
        self.assertEqual((conf["Timeout"], conf["Environment"]["Variables"]), (9, {"STAGE": "dev"}))
        new_code = base64.b64encode(zip_bytes({"index.py": "def h(e, c): return 2\n"})).decode()
        self.aws("lambda", "UpdateFunctionCode", json.dumps({"FunctionName": "hits", "ZipFile": new_code}))
        self.assertNotEqual(lam.get_function_configuration(FunctionName="hits")["CodeSha256"],
                            conf["CodeSha256"])
        self.aws("lambda", "AddPermission", json.dumps({
            "FunctionName": "hits", "StatementId": "apigw", "Action": "lambda:InvokeFunction",
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": "arn:aws:execute-api:us-east-1:123456789012:abc/*/GET/x"}))
        policy = json.loads(lam.get_policy(FunctionName="hits")["Policy"])
        self.assertEqual(policy["Statement"][0]["Sid"], "apigw")
        ours = json.loads(self.aws_json("lambda", "GetPolicy", '{"FunctionName":"hits"}')["Policy"])
        self.assertEqual(ours["Statement"][0]["Sid"], "apigw")
        self.aws("lambda", "RemovePermission", '{"FunctionName":"hits","StatementId":"apigw"}')
        with self.assertRaises(lam.exceptions.ResourceNotFoundException):
            lam.get_policy(FunctionName="hits")
        self.aws("lambda", "DeleteFunction", '{"FunctionName":"hits"}')
        self.assertNotIn("hits", [f["FunctionName"] for f in lam.list_functions()["Functions"]])
        res = self.aws("lambda", "DeleteFunction", '{"FunctionName":"hits"}', expect=1)
        self.assertIn("Lambda DeleteFunction: ResourceNotFoundException", res.stderr)

    def test_apigateway_calls(self):
        ag = self.moto.client("apigateway")
        api = self.aws_json("apigateway", "CreateRestApi", '{"name":"hits-api"}')
        api_id = api["id"]
        self.assertEqual(ag.get_rest_api(restApiId=api_id)["name"], "hits-api")
        self.assertEqual(self.aws_json("apigateway", "GetRestApi", json.dumps({"restApiId": api_id}))["name"],
                         "hits-api")
        items = self.aws_json("apigateway", "GetResources", json.dumps({"restApiId": api_id, "limit": 500}))["items"]
        root = [r for r in items if r["path"] == "/"][0]["id"]
        res = self.aws_json("apigateway", "CreateResource", json.dumps(
            {"restApiId": api_id, "parentId": root, "pathPart": "{name}"}))
        self.aws("apigateway", "PutMethod", json.dumps({
            "restApiId": api_id, "resourceId": res["id"], "httpMethod": "GET", "authorizationType": "NONE"}))
        uri = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
               "arn:aws:lambda:us-east-1:123456789012:function:hits/invocations")
        self.aws("apigateway", "PutIntegration", json.dumps({
            "restApiId": api_id, "resourceId": res["id"], "httpMethod": "GET", "type": "AWS_PROXY",
            "integrationHttpMethod": "POST", "uri": uri}))
        self.assertEqual(ag.get_integration(restApiId=api_id, resourceId=res["id"], httpMethod="GET")["uri"], uri)
        self.aws("apigateway", "CreateDeployment", json.dumps({"restApiId": api_id, "stageName": "dev"}))
        self.assertEqual(self.aws_json("apigateway", "GetStage", json.dumps(
            {"restApiId": api_id, "stageName": "dev"}))["stageName"], "dev")
        self.aws("apigateway", "DeleteMethod", json.dumps({"restApiId": api_id, "resourceId": res["id"],
                                                           "httpMethod": "GET"}))
        self.assertEqual(ag.get_resource(restApiId=api_id, resourceId=res["id"]).get("resourceMethods", {}), {})
        self.aws("apigateway", "DeleteResource", json.dumps({"restApiId": api_id, "resourceId": res["id"]}))
        self.assertEqual([r["path"] for r in ag.get_resources(restApiId=api_id)["items"]], ["/"])
        self.aws("apigateway", "DeleteRestApi", json.dumps({"restApiId": api_id}))
        self.assertNotIn(api_id, [a["id"] for a in ag.get_rest_apis()["items"]])

    def test_untrusted_certificate_is_not_retried(self):
        tls = TlsEndpoint()
        try:
            res = self.aws("sts", "get-caller-identity", expect=1,
                           env={"AWS_ENDPOINT_URL": tls.url, "AWS_MAX_ATTEMPTS": "3"})
        finally:
            tls.close()
        self.assertIn("STS GetCallerIdentity: ", res.stderr)
        self.assertIn("certificate", res.stderr)
        self.assertNotIn("attempts", res.stderr)
        self.assertEqual(tls.connections, 1)

    def test_errors_and_usage(self):
        res = self.aws("dynamodb", "GetItem", "{not json", expect=2)
        self.assertIn("not valid JSON", res.stderr)
        res = self.aws("lambda", "GetFunction", "{}", expect=1)
        self.assertIn("Lambda GetFunction: FunctionName is required", res.stderr)
        res = self.aws("sts", "get-caller-identity", expect=1,
                       env={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "HOME": "/nonexistent",
                            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_CONTAINER_CREDENTIALS_FULL_URI": ""})
        self.assertIn("no AWS credentials found (tried: environment variables", res.stderr)
        res = self.aws("sts", "get-caller-identity", expect=1,
                       env={"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "2"})
        self.assertIn("STS GetCallerIdentity: ", res.stderr)
        self.assertIn("(after 2 attempts)", res.stderr)


class EndpointAndCredentialSettings(unittest.TestCase):
    """Which endpoint and which key were used, seen from a loopback stub."""

    @classmethod
    def setUpClass(cls):
        cls.tool = program("CFNKIT_TOOL")

    def call(self, env, stub):
        base = {"AWS_REGION": "us-east-1", "HOME": "/nonexistent", "AWS_ACCESS_KEY_ID": "",
                "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
                "AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_DYNAMODB": stub.url + "/ddb",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_CONTAINER_CREDENTIALS_FULL_URI": ""}
        base.update(env)
        return run([self.tool, "aws", "dynamodb", "ListTables", "{}"], env=base)

    def test_service_endpoint_env_and_key_sources(self):
        stub = JsonStub()
        try:
            res = self.call({"AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "s",
                             "AWS_SESSION_TOKEN": "tok",
                             "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}, stub)
            self.assertEqual(res.returncode, 0, res.stderr)
            got = stub.requests[-1]
            self.assertEqual(got["path"], "/ddb/")
            self.assertIn("Credential=AKIDENV/", got["headers"]["Authorization"])
            self.assertEqual(got["headers"]["X-Amz-Security-Token"], "tok")
            self.assertEqual(got["headers"]["X-Amz-Target"], "DynamoDB_20120810.ListTables")
            with tempfile.TemporaryDirectory() as tmp:
                cred = os.path.join(tmp, "credentials")
                with open(cred, "w") as f:
                    f.write("[team]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\n")
                res = self.call({"AWS_SHARED_CREDENTIALS_FILE": cred, "AWS_PROFILE": "team"}, stub)
                self.assertEqual(res.returncode, 0, res.stderr)
                self.assertIn("Credential=AKIDPROFILE/", stub.requests[-1]["headers"]["Authorization"])
                token_file = os.path.join(tmp, "token")
                with open(token_file, "w") as f:
                    f.write("secret-token\n")
                res = self.call({"AWS_CONTAINER_CREDENTIALS_FULL_URI": stub.url + "/creds",
                                 "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": token_file}, stub)
                self.assertEqual(res.returncode, 0, res.stderr)
                creds_req = [r for r in stub.requests if r["path"] == "/creds"][-1]
                self.assertEqual(creds_req["headers"]["Authorization"], "secret-token")
                self.assertIn("Credential=AKIDCONTAINER/", stub.requests[-1]["headers"]["Authorization"])
                self.assertEqual(stub.requests[-1]["headers"]["X-Amz-Security-Token"], "container-token")
        finally:
            stub.close()

    def test_throttling_then_success_and_never_success(self):
        stub = JsonStub(script=[(400, {"__type": "com.amazonaws#ThrottlingException", "message": "slow down"}),
                                (500, {"message": "oops"})])
        env = {"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "s"}
        try:
            res = self.call(env, stub)
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertEqual(len(stub.requests), 3)
            stub.script = [(400, {"__type": "ThrottlingException", "message": "slow down"})] * 10
            stub.requests.clear()
            res = self.call(env, stub)
            self.assertEqual(res.returncode, 1)
            self.assertEqual(len(stub.requests), 3)
            self.assertIn("DynamoDB ListTables: ThrottlingException: slow down (after 3 attempts)", res.stderr)
        finally:
            stub.close()


class JsonStub:
    """A loopback endpoint answering POSTs from a script of (status, JSON),
    then {"TableNames": []}; GET /creds serves container credentials."""

    def __init__(self, script=()):
        import http.server
        import threading
        self.script = list(script)
        self.requests = []
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def answer(self, status, obj):
                body = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.0")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                stub.requests.append({"path": self.path, "headers": dict(self.headers)})
                self.answer(200, {"AccessKeyId": "AKIDCONTAINER", "SecretAccessKey": "s",
                                  "Token": "container-token", "Expiration": "2099-01-01T00:00:00Z"})

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                stub.requests.append({"path": self.path, "headers": dict(self.headers)})
                status, obj = stub.script.pop(0) if stub.script else (200, {"TableNames": []})
                self.answer(status, obj)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class SignaturesCheckedByMoto(unittest.TestCase):
    """moto's auth mode verifies SigV4: a real key works, a wrong secret is
    SignatureDoesNotMatch. (moto also rejects boto3's own REST GETs to Lambda
    and API Gateway in this mode, so those are left out.)"""

    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        cls.tool = program("CFNKIT_TOOL")
        iam = cls.moto.client("iam")
        iam.create_user(UserName="signer")
        iam.put_user_policy(UserName="signer", PolicyName="all", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        cls.key = iam.create_access_key(UserName="signer")["AccessKey"]
        iam.create_role(RoleName="signed-role", AssumeRolePolicyDocument=ASSUME)
        cls.moto.client("s3").create_bucket(Bucket="signed-bucket")
        cls.moto.client("dynamodb").create_table(
            TableName="signed", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}])
        urllib.request.urlopen(urllib.request.Request(
            cls.moto.url + "/moto-api/reset-auth", data=b"0", method="POST",
            headers={"Content-Type": "application/json"}), timeout=10)

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def aws(self, *args, secret=None):
        env = dict(self.moto.env(), AWS_ACCESS_KEY_ID=self.key["AccessKeyId"],
                   AWS_SECRET_ACCESS_KEY=secret or self.key["SecretAccessKey"])
        return run([self.tool, "aws", *args], env=env)

    def test_right_key_succeeds_wrong_secret_refused(self):
        calls = [("sts", "get-caller-identity"), ("iam", "get-role", "signed-role"),
                 ("dynamodb", "DescribeTable", '{"TableName":"signed"}'),
                 ("s3", "put-object", "signed-bucket", "k", "--body", "signed"),
                 ("s3", "get-object", "signed-bucket", "k")]
        for call in calls:
            with self.subTest(call=call[:2]):
                res = self.aws(*call)
                self.assertEqual(res.returncode, 0, res.stderr)
                bad = self.aws(*call, secret="not-the-secret")
                self.assertEqual(bad.returncode, 1)
                self.assertIn("SignatureDoesNotMatch", bad.stderr)
        self.assertIn("arn:aws:iam::", self.aws("sts", "get-caller-identity").stdout)
        self.assertIn(":user/signer", self.aws("sts", "get-caller-identity").stdout)


if __name__ == "__main__":
    unittest.main()
