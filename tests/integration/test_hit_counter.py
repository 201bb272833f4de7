"""The hit-counter function (templates/hit-counter): deployed by
Custom::LambdaFunction from one code object, it reads its table from the
.env the module wrote, as python-dotenv does, and counts in that table."""

import importlib.util
import io
import json
import os
import shutil
import sys
import tempfile
import zipfile

import dotenv

from harness import ModuleTest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
TRICKY = 'quotes "x" # hash, $5, ${HOME}, back\\slash\nline two\ttab caf\u00e9'


class HitCounter(ModuleTest):
    resource_type = "Custom::LambdaFunction"

    def test_deployed_function_reads_its_stage_settings(self):
        s3, ddb = self.moto.client("s3"), self.moto.client("dynamodb")
        s3.create_bucket(Bucket="builds")
        buf = io.BytesIO()
        src = os.path.join(ROOT, "templates", "hit-counter", "function")
        with zipfile.ZipFile(buf, "w") as z:
            for name in os.listdir(src):
                z.write(os.path.join(src, name), name)
        s3.put_object(Bucket="builds", Key="hit-counter/function.zip", Body=buf.getvalue())
        ddb.create_table(TableName="hits-test", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "name", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "name", "KeyType": "HASH"}])
        role = self.moto.client("iam").create_role(RoleName="hits", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        body = self.invoke("Create", {"Code": {"S3Bucket": "builds", "S3Key": "hit-counter/function.zip"},
                                      "Env": {"TABLE": "hits-test", "STAGE": "test", "TRICKY": TRICKY},
                                      "Handler": "index.handler", "Runtime": "python3.12", "Role": role},
                           logical="HitCounter", expect="SUCCESS")
        lam = self.moto.client("lambda")
        arn = lam.get_function(FunctionName=body["PhysicalResourceId"])["Configuration"]["FunctionArn"]
        bucket, key = lam.list_tags(Resource=arn)["Tags"]["cfnkit:artifact"][5:].split("/", 1)
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp, True)
        task = os.path.join(tmp, "task")
        with zipfile.ZipFile(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read())) as z:
            z.extractall(task)
        # The function's reader and python-dotenv agree with what was set.
        old = dict(os.environ)
        os.environ.update(self.moto.env())
        try:
            spec = importlib.util.spec_from_file_location("hit_counter_index", os.path.join(task, "index.py"))
            index = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(index)
            env = index.read_env(os.path.join(task, ".env"))
            self.assertEqual((env["TABLE"], env["STAGE"], env["TRICKY"]), ("hits-test", "test", TRICKY))
            self.assertEqual(dotenv.dotenv_values(os.path.join(task, ".env"))["TRICKY"], TRICKY)
            hits = [json.loads(index.handler({"pathParameters": {"name": "alice"}}, None)["body"])["hits"]
                    for _ in range(3)]
        finally:
            os.environ.clear()
            os.environ.update(old)
            sys.modules.pop("hit_counter_index", None)
        self.assertEqual(hits, [1, 2, 3])
        item = ddb.get_item(TableName="hits-test", Key={"name": {"S": "alice"}})["Item"]
        self.assertEqual(item["hits"]["N"], "3")
