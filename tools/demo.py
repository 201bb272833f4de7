#!/usr/bin/env python3
"""The demo's AWS part, started by tools/demo.sh: the hit-counter stack's
custom resources deployed for two stages from one code object by the
packaged cfnkit provider running under a real Lambda Runtime API, against a
local AWS (moto_server on loopback); the deployed functions called; a
UniquePort pool; and everything torn down again. State is read back with
the AWS CLI."""

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
import zipfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from harness import HERE, Moto, ResponseBucket, fun_run, request  # noqa: E402

STACK = "arn:aws:cloudformation:us-east-1:123456789012:stack/hits-{stage}/0f3c11f1"


def say(text=""):
    print(text, flush=True)


class Demo:
    def __init__(self, args, moto, tmp):
        self.args, self.moto, self.tmp = args, moto, tmp
        self.bucket = ResponseBucket(moto)
        self.provider = os.path.join(tmp, "provider")
        self.env = dict(moto.env(), CFNKIT_UNIQUE_PORT_TABLE="cfnkit-ports", AWS_LAMBDA_FUNCTION_TIMEOUT="60",
                        CFNKIT_RESPONSE_URL_ALLOW="127.0.0.1")

    def cli(self, *args):
        out = subprocess.run(["aws", "--endpoint-url", self.moto.url, *args], capture_output=True, text=True,
                             env=dict(os.environ, **self.moto.env()), timeout=60, check=True)
        return json.loads(out.stdout) if out.stdout.strip() else None

    def custom(self, action, rtype, logical, props, stage, physical_id=None, old=None):
        """One request through the packaged provider under the Runtime API."""
        key = f"responses/{uuid.uuid4().hex}"
        ev = request(action, rtype, self.bucket.presign(key), props, physical_id=physical_id, old=old,
                     request_id=str(uuid.uuid4()))
        ev["StackId"] = STACK.format(stage=stage)
        ev["LogicalResourceId"] = logical
        result = fun_run(self.provider, [ev], self.env)[0]
        if result["FunctionError"]:
            raise SystemExit(f"demo: the provider failed: {result['Payload']}")
        body = self.bucket.read(key)
        detail = body.get("Reason") or json.dumps(body.get("Data", {}))
        say(f"   {action:<6} {rtype} {logical:<10} {body['Status']:<8} {body['PhysicalResourceId']}")
        say(f"          {detail}")
        if body["Status"] != "SUCCESS":
            raise SystemExit("demo: a resource failed")
        return body

    def provider_setup(self):
        say("== the provider: the package of tools/package.sh, and its table from templates/provider.yaml")
        with zipfile.ZipFile(self.args.package) as z:
            z.extractall(self.provider)
            for info in z.infolist():
                os.chmod(os.path.join(self.provider, info.filename), (info.external_attr >> 16) & 0o777)
        s3 = self.moto.client("s3")
        s3.create_bucket(Bucket="builds")
        s3.upload_file(self.args.package, "builds", "cfnkit-provider.zip")
        from cfnlint.decode import cfn_yaml
        props = cfn_yaml.load(os.path.join(ROOT, "templates", "provider.yaml"))["Resources"]["PortTable"]["Properties"]
        self.moto.client("dynamodb").create_table(
            TableName="cfnkit-ports", BillingMode=props["BillingMode"],
            AttributeDefinitions=[dict(a) for a in props["AttributeDefinitions"]],
            KeySchema=[dict(k) for k in props["KeySchema"]])
        size = os.path.getsize(self.args.package) / 1048576
        say(f"   s3://builds/cfnkit-provider.zip ({size:.1f} MB: the tool, its libraries and loader), "
            f"table cfnkit-ports")

    def code_object(self):
        say("== the hit counter's code: ONE object in S3 for every stage")
        buf = io.BytesIO()
        src = os.path.join(ROOT, "templates", "hit-counter", "function")
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name in sorted(os.listdir(src)):
                z.write(os.path.join(src, name), name)
        self.code = buf.getvalue()
        self.moto.client("s3").put_object(Bucket="builds", Key="hit-counter/function.zip", Body=self.code)
        say(f"   s3://builds/hit-counter/function.zip ({len(self.code)} bytes)")

    def deploy_stage(self, stage):
        say(f"== stage {stage}: templates/hit-counter/template.yaml, resources in dependency order")
        table = f"hits-{stage}"
        self.moto.client("dynamodb").create_table(
            TableName=table, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "name", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "name", "KeyType": "HASH"}])
        role = self.moto.client("iam").create_role(
            RoleName=f"hits-{stage}-role", AssumeRolePolicyDocument=json.dumps({
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                        "Principal": {"Service": "lambda.amazonaws.com"}}]}))["Role"]["Arn"]
        say(f"   AWS::DynamoDB::Table HitsTable {table}, AWS::IAM::Role FunctionRole (made with boto3: "
            f"no deployment engine yet)")
        fn_props = {"Code": {"S3Bucket": "builds", "S3Key": "hit-counter/function.zip"},
                    "Env": {"TABLE": table, "STAGE": stage}, "Handler": "index.handler",
                    "Runtime": "python3.12", "Role": role, "MemorySize": "256", "Timeout": "10"}
        fn = self.custom("Create", "Custom::LambdaFunction", "HitCounter", fn_props, stage)
        route_props = {"Path": "{name}", "Method": "GET", "StageName": stage,
                       "IntegrationRequest": {"Type": "Lambda", "FunctionArn": fn["Data"]["Arn"]}}
        route = self.custom("Create", "Custom::APIGatewayResource", "HitsRoute", route_props, stage)
        name = fn["PhysicalResourceId"]
        arn = self.cli("lambda", "get-function", "--function-name", name)["Configuration"]["FunctionArn"]
        bucket, key = self.cli("lambda", "list-tags", "--resource", arn)["Tags"]["cfnkit:artifact"][5:].split("/", 1)
        data = self.moto.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
        task = os.path.join(self.tmp, f"fn-{stage}")
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            z.extractall(task)
            env_text = z.read(".env").decode()
        say(f"   deployed package s3://{bucket}/{key}, its .env:")
        for line in env_text.splitlines():
            say(f"     {line}")
        return {"stage": stage, "table": table, "fn": (fn_props, fn), "route": (route_props, route), "task": task}

    def call(self, deployed, names):
        events = [{"httpMethod": "GET", "path": f"/{n}", "pathParameters": {"name": n}} for n in names]
        results = fun_run(deployed["task"], events, dict(self.moto.env()), runtime="python3", handler="index.handler")
        for n, r in zip(names, results):
            if r["FunctionError"]:
                raise SystemExit(f"demo: the hit counter failed: {r['Payload']}")
            body = json.loads(json.loads(r["Payload"])["body"])
            say(f"   {deployed['stage']:<5} GET /{n:<6} -> {body}")

    def unique_ports(self):
        say("== Custom::UniquePort: host ports for two services of one ECS cluster (templates/ecs-unique-port.yaml)")
        props = {"Key": "prod-cluster-host-ports", "PortRange": "20000-29999"}
        web = self.custom("Create", "Custom::UniquePort", "WebPort", props, "ecs")
        admin = self.custom("Create", "Custom::UniquePort", "AdminPort", props, "ecs")
        items = self.cli("dynamodb", "scan", "--table-name", "cfnkit-ports")["Items"]
        say(f"   table cfnkit-ports holds ports {sorted(int(i['port']['N']) for i in items)}")
        return [("WebPort", props, web), ("AdminPort", props, admin)]

    def teardown(self, stages, ports):
        say("== tear down, in reverse dependency order")
        for logical, props, body in ports:
            self.custom("Delete", "Custom::UniquePort", logical, props, "ecs", physical_id=body["PhysicalResourceId"])
        for d in reversed(stages):
            props, body = d["route"]
            self.custom("Delete", "Custom::APIGatewayResource", "HitsRoute", props, d["stage"],
                        physical_id=body["PhysicalResourceId"])
            props, body = d["fn"]
            self.custom("Delete", "Custom::LambdaFunction", "HitCounter", props, d["stage"],
                        physical_id=body["PhysicalResourceId"])
        functions = self.cli("lambda", "list-functions")["Functions"]
        apis = self.cli("apigateway", "get-rest-apis")["items"]
        objects = [o["Key"] for o in self.cli("s3api", "list-objects-v2", "--bucket", "builds").get("Contents", [])]
        ports = self.cli("dynamodb", "scan", "--table-name", "cfnkit-ports")["Items"]
        say(f"   left: {len(functions)} functions, {len(apis)} REST APIs, {len(ports)} ports, objects {objects}")
        original = self.moto.client("s3").get_object(Bucket="builds", Key="hit-counter/function.zip")["Body"].read()
        say(f"   the shared code object was never written: {'yes' if original == self.code else 'NO'}")
        if functions or apis or ports or original != self.code:
            raise SystemExit("demo: something was left behind")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--package", required=True, help="the provider package (tools/package.sh)")
    args = ap.parse_args()
    if not os.path.isdir(os.path.join(HERE, "node_modules", "@vercel", "fun")) or not shutil.which("node"):
        raise SystemExit("demo: @vercel/fun is not installed (tools/setup.sh installs it)")
    say("== the local AWS: moto_server on 127.0.0.1")
    moto = Moto()
    tmp = tempfile.mkdtemp()
    try:
        say(f"   {moto.url}")
        demo = Demo(args, moto, tmp)
        demo.provider_setup()
        demo.code_object()
        stages = [demo.deploy_stage("dev"), demo.deploy_stage("prod")]
        say("== the deployed hit counters, run by a local Lambda Runtime API, each counting in its own table")
        demo.call(stages[0], ["alice", "alice", "bob"])
        demo.call(stages[1], ["alice"])
        for d in stages:
            items = demo.cli("dynamodb", "scan", "--table-name", d["table"])["Items"]
            say(f"   {d['table']}: " + ", ".join(f"{i['name']['S']}={i['hits']['N']}" for i in items))
        ports = demo.unique_ports()
        demo.teardown(stages, ports)
        say("== done: two stages from one code object, every request answered exactly once, nothing left behind")
        return 0
    finally:
        moto.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
