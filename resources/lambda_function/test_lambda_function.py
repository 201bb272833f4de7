"""Custom::LambdaFunction against the local AWS (moto_server): functions
from one shared code object, per-stage .env read back with python-dotenv from
the deployed package, every update path, deletes, and bad input; state
checked with boto3."""

import glob
import io
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import uuid
import zipfile

import dotenv

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
from harness import ModuleTest, request  # noqa: E402

ASSUME = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
TRICKY = 'he said "hi" # not a comment, cost $5, ${HOME} stays, back\\slash,\nnew line, tab\there, caf\u00e9'


def descendants(pid):
    """The processes below `pid` (the handler runs in its own process group)."""
    children = {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.split("/")[2]))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def holds_secret(path, secret):
    """True when the file, or the .env of the zip it is, holds `secret`."""
    try:
        with open(path, "rb") as f:
            data = f.read()
        if secret in data:
            return True
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return any(secret in z.read(n) for n in z.namelist() if n.endswith(".env"))
    except (OSError, zipfile.BadZipFile, EOFError):
        return False


def package(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


class LambdaFunction(ModuleTest):
    resource_type = "Custom::LambdaFunction"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s3 = cls.moto.client("s3")
        cls.lam = cls.moto.client("lambda")
        cls.role = cls.moto.client("iam").create_role(RoleName="hits-role",
                                                      AssumeRolePolicyDocument=ASSUME)["Role"]["Arn"]
        cls.s3.create_bucket(Bucket="code")
        cls.code = package({"index.py": "def handler(e, c):\n    return 1\n",
                            ".env": "EXISTING=kept\nTABLE=from-build\n"})
        cls.s3.put_object(Bucket="code", Key="hits/app.zip", Body=cls.code)
        cls.etag = cls.s3.head_object(Bucket="code", Key="hits/app.zip")["ETag"]

    def props(self, **extra):
        base = {"Code": {"S3Bucket": "code", "S3Key": "hits/app.zip"}, "Handler": "index.handler",
                "Runtime": "python3.12", "Role": self.role}
        base.update(extra)
        return base

    def artifact(self, name):
        arn = self.lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
        where = self.lam.list_tags(Resource=arn)["Tags"]["cfnkit:artifact"]
        bucket, key = where[5:].split("/", 1)
        return bucket, key

    def deployed_env(self, name):
        bucket, key = self.artifact(name)
        data = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            text = z.read(".env").decode()
            self.assertEqual(z.read("index.py"), b"def handler(e, c):\n    return 1\n")
        return dict(dotenv.dotenv_values(stream=io.StringIO(text))), key

    def original_untouched(self):
        self.assertEqual(self.s3.get_object(Bucket="code", Key="hits/app.zip")["Body"].read(), self.code)
        self.assertEqual(self.s3.head_object(Bucket="code", Key="hits/app.zip")["ETag"], self.etag)

    def test_two_stages_from_one_code_object(self):
        dev = self.invoke("Create", self.props(FunctionName="hits-dev", MemorySize="256", Timeout="10",
                                               Description="dev stage",
                                               Env={"TABLE": "hits-dev", "TRICKY": TRICKY},
                                               Environment={"Variables": {"STAGE": "dev"}}),
                          logical="HitsDev", expect="SUCCESS")
        self.invoke("Create", self.props(FunctionName="hits-prod", Env={"TABLE": "hits-prod"}),
                    logical="HitsProd", expect="SUCCESS")
        self.assertEqual((dev["PhysicalResourceId"], dev["Data"]["FunctionName"]), ("hits-dev", "hits-dev"))
        conf = self.lam.get_function_configuration(FunctionName="hits-dev")
        self.assertEqual(dev["Data"]["Arn"], conf["FunctionArn"])
        self.assertEqual((conf["MemorySize"], conf["Timeout"], conf["Description"], conf["Handler"],
                          conf["Runtime"], conf["Role"]),
                         (256, 10, "dev stage", "index.handler", "python3.12", self.role))
        self.assertEqual(conf["Environment"]["Variables"], {"STAGE": "dev"})
        self.assertEqual(conf["State"], "Active")
        dev_env, dev_key = self.deployed_env("hits-dev")
        prod_env, prod_key = self.deployed_env("hits-prod")
        self.assertEqual(dev_env, {"EXISTING": "kept", "TABLE": "hits-dev", "TRICKY": TRICKY})
        self.assertEqual(prod_env, {"EXISTING": "kept", "TABLE": "hits-prod"})
        self.assertNotEqual(dev_key, prod_key)
        self.assertTrue(dev_key.startswith("hits/app-") and dev_key.endswith(".zip"))
        self.original_untouched()
        # The same code and settings give the same package, byte for byte.
        again = self.invoke("Create", self.props(FunctionName="hits-dev-copy",
                                                 Env={"TABLE": "hits-dev", "TRICKY": TRICKY}),
                            logical="HitsDevCopy", expect="SUCCESS")
        self.assertEqual(self.artifact(again["PhysicalResourceId"])[1], dev_key)

    def test_update_paths(self):
        first = self.props(Env={"TABLE": "v1"}, MemorySize="128")
        made = self.invoke("Create", first, logical="Upd", expect="SUCCESS")
        name = made["PhysicalResourceId"]
        self.assertTrue(name.startswith("ports-Upd-"))
        self.assertLessEqual(len(name), 64)
        sha1 = self.lam.get_function_configuration(FunctionName=name)["CodeSha256"]
        _, key1 = self.deployed_env(name)
        # Env change: new code in place, same function.
        second = self.props(Env={"TABLE": "v2"}, MemorySize="128")
        body = self.invoke("Update", second, physical_id=name, old=first, logical="Upd", expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], name)
        env2, key2 = self.deployed_env(name)
        self.assertEqual(env2["TABLE"], "v2")
        self.assertNotEqual(self.lam.get_function_configuration(FunctionName=name)["CodeSha256"], sha1)
        self.assertNotIn(key1, [o["Key"] for o in self.s3.list_objects_v2(Bucket="code").get("Contents", [])])
        # Configuration change: updated in place.
        third = self.props(Env={"TABLE": "v2"}, MemorySize="512", Timeout="30")
        self.invoke("Update", third, physical_id=name, old=second, logical="Upd", expect="SUCCESS")
        conf = self.lam.get_function_configuration(FunctionName=name)
        self.assertEqual((conf["MemorySize"], conf["Timeout"]), (512, 30))
        self.assertEqual(self.deployed_env(name)[1], key2)
        # New FunctionName: a replacement; CloudFormation deletes the old one.
        fourth = dict(third, FunctionName="upd-renamed")
        body = self.invoke("Update", fourth, physical_id=name, old=third, logical="Upd", expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "upd-renamed")
        self.assertEqual(self.lam.get_function_configuration(FunctionName="upd-renamed")["MemorySize"], 512)
        self.invoke("Delete", third, physical_id=name, logical="Upd", expect="SUCCESS")
        names = [f["FunctionName"] for f in self.lam.list_functions()["Functions"]]
        self.assertNotIn(name, names)
        self.assertIn("upd-renamed", names)
        self.original_untouched()

    def test_delete_twice_removes_function_and_package(self):
        made = self.invoke("Create", self.props(FunctionName="short-lived", Env={"TABLE": "gone"}),
                           logical="Gone", expect="SUCCESS")
        _, key = self.artifact("short-lived")
        self.invoke("Delete", self.props(FunctionName="short-lived", Env={"TABLE": "gone"}),
                    physical_id=made["PhysicalResourceId"], logical="Gone", expect="SUCCESS")
        self.assertNotIn("short-lived", [f["FunctionName"] for f in self.lam.list_functions()["Functions"]])
        self.assertNotIn(key, [o["Key"] for o in self.s3.list_objects_v2(Bucket="code").get("Contents", [])])
        self.invoke("Delete", self.props(), physical_id=made["PhysicalResourceId"], logical="Gone",
                    expect="SUCCESS")
        self.original_untouched()

    def test_delete_after_failed_create_finds_the_function(self):
        # Issue #14.2: CreateFunction took effect but CloudFormation was told
        # FAILED; the Delete with the failed-create marker deletes the
        # function (generated name and explicit name) and its package, and
        # never another resource's function of that name.
        names = [f["FunctionName"] for f in self.lam.list_functions()["Functions"]]
        for extra in ({}, {"FunctionName": "late-made", "Env": {"TABLE": "late"}}):
            rid = str(uuid.uuid4())
            made = self.invoke("Create", self.props(**extra), request_id=rid, logical="Late",
                               expect="SUCCESS")
            name = made["PhysicalResourceId"]
            _, key = self.artifact(name)
            marker = f"cfnkit-failed-create-Late-{rid}"
            # Another resource's failed Create leaves this function alone.
            self.invoke("Delete", self.props(**extra), physical_id=f"cfnkit-failed-create-Else-{rid}",
                        logical="Else", expect="SUCCESS")
            self.assertIn(name, [f["FunctionName"] for f in self.lam.list_functions()["Functions"]])
            self.invoke("Delete", self.props(**extra), physical_id=marker, logical="Late",
                        expect="SUCCESS")
            now = [f["FunctionName"] for f in self.lam.list_functions()["Functions"]]
            self.assertNotIn(name, now)
            if extra:
                self.assertNotIn(key, [o["Key"] for o in
                                       self.s3.list_objects_v2(Bucket="code").get("Contents", [])])
            self.invoke("Delete", self.props(**extra), physical_id=marker, logical="Late",
                        expect="SUCCESS")
        self.assertEqual(sorted(names), sorted(f["FunctionName"] for f in self.lam.list_functions()["Functions"]))
        # Properties the Create refused: nothing was made.
        self.invoke("Delete", {"Code": "nonsense"}, physical_id=f"cfnkit-failed-create-Late-{uuid.uuid4()}",
                    logical="Late", expect="SUCCESS")
        self.original_untouched()

    def test_aws_errors_are_the_reason(self):
        """A callback failing on an AWS call without a reason of its own
        answers with the AWS error (#15)."""
        props = self.props(FunctionName="vanishing")
        made = self.invoke("Create", props, logical="Gone2", expect="SUCCESS")
        self.lam.delete_function(FunctionName="vanishing")
        body = self.invoke("Update", dict(props, MemorySize="256"), physical_id=made["PhysicalResourceId"],
                           old=props, logical="Gone2", expect="FAILED")
        self.assertIn("Lambda GetFunction: ResourceNotFoundException", body["Reason"])
        body = self.invoke("Create", self.props(FunctionName="no-role", Role="not-an-arn"), logical="NoRole",
                           expect="FAILED")
        self.assertIn("Lambda CreateFunction:", body["Reason"])

    def test_zip64_package(self):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, text in (("index.py", "def handler(e, c):\n    return 1\n"), (".env", "A=1\n")):
                with z.open(name, "w", force_zip64=True) as f:
                    f.write(text.encode())
        data = buf.getvalue()
        self.assertIn(b"\x01\x00\x10\x00", data)  # the zip64 extra field is there
        self.s3.put_object(Bucket="code", Key="zip64.zip", Body=data)
        self.invoke("Create", self.props(FunctionName="zip64-fn", Code={"S3Bucket": "code", "S3Key": "zip64.zip"},
                                         Env={"TABLE": "t64"}), logical="Z64", expect="SUCCESS")
        env, _ = self.deployed_env("zip64-fn")
        self.assertEqual(env, {"A": "1", "TABLE": "t64"})

    def test_killed_invoke_leaves_no_package(self):
        """#14.8: SIGKILL of invoke and its handler at random moments leaves
        nothing in TMPDIR, and no package holding the secret in /tmp."""
        secret = "s3cr3t-" + uuid.uuid4().hex
        # The built package's own .env (stored, not deflated) holds a secret too.
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(".env", f"BUILD_KEY={secret}\n", compress_type=zipfile.ZIP_STORED)
            z.writestr("index.py", "def handler(e, c):\n    return 1\n")
            z.writestr("assets/blob.bin", os.urandom(24 * 1024 * 1024))
        big = buf.getvalue()
        self.s3.put_object(Bucket="code", Key="big/app.zip", Body=big)
        props = self.props(FunctionName="killed-fn", Code={"S3Bucket": "code", "S3Key": "big/app.zip"},
                           Env={"API_KEY": secret})
        before = set(glob.glob("/tmp/cfnkit-package-*"))
        rng = random.Random(os.getpid())
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, **self.env, TMPDIR=tmp)
            start = time.monotonic()
            self.invoke("Create", props, logical="Killed", env={"TMPDIR": tmp}, expect="SUCCESS")
            whole = time.monotonic() - start
            self.lam.delete_function(FunctionName="killed-fn")
            for attempt in range(8):
                ev = request("Create", self.resource_type, self.bucket.presign("resp/killed"), props,
                             request_id=str(uuid.uuid4()))
                proc = subprocess.Popen([self.tool, "invoke", "--event", "-"], stdin=subprocess.PIPE,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
                proc.stdin.write(json.dumps(ev).encode())
                proc.stdin.close()
                # One random moment in each eighth of a whole run.
                time.sleep((attempt + rng.random()) / 8 * whole)
                for pid in [proc.pid] + descendants(proc.pid):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                proc.wait(timeout=30)
                with self.subTest(attempt=attempt):
                    self.assertEqual(os.listdir(tmp), [])
                try:
                    self.lam.delete_function(FunctionName="killed-fn")
                except self.lam.exceptions.ResourceNotFoundException:
                    pass
        left = [p for p in set(glob.glob("/tmp/cfnkit-package-*")) - before
                if holds_secret(p, secret.encode())]
        for p in left:
            os.unlink(p)
        self.assertEqual(left, [])

    def test_bad_input_named(self):
        self.s3.put_object(Bucket="code", Key="broken.zip", Body=b"PK\x03\x04 this is not really a zip")
        self.s3.put_object(Bucket="code", Key="open-quote.zip",
                           Body=package({"index.py": "", ".env": "A=1\nB=\"never closed\n"}))
        cases = [
            ({"Handler": "h", "Runtime": "python3.12", "Role": self.role}, "property Code is required"),
            (self.props(Code={"S3Bucket": "code", "S3Key": "nope.zip"}, Env={"A": "1"}),
             "code object s3://code/nope.zip not found"),
            (self.props(Code={"S3Bucket": "code", "S3Key": "broken.zip"}, Env={"A": "1"}),
             "s3://code/broken.zip: the code object is not a valid zip archive"),
            (self.props(Code={"S3Bucket": "code", "S3Key": "open-quote.zip"}, Env={"A": "1"}),
             "the package's .env cannot be merged: a quoted value is never closed (B, line 2)"),
            (self.props(Env="TABLE=x"), "property Env must be a map, got \"TABLE=x\""),
            (self.props(Env={"1BAD": "x"}), 'Env name "1BAD" is invalid'),
            (self.props(Env={"GOOD": ["x"]}), "property Env.GOOD must be a string"),
            (self.props(FunctionName="bad name!"), 'FunctionName "bad name!" is invalid'),
            (self.props(MemorySize="lots"), 'property MemorySize must be an integer, got "lots"'),
            (self.props(Colour="blue"), "unknown property Colour of Custom::LambdaFunction"),
            (self.props(EnvFile="../escape.env", Env={"A": "1"}), 'EnvFile "../escape.env" must be a relative path'),
            ({"Code": {"S3Bucket": "code", "S3Key": "hits/app.zip"}, "Handler": "h", "Runtime": "python3.12"},
             "property Role is required"),
        ]
        for props, reason in cases:
            with self.subTest(reason=reason):
                body = self.invoke("Create", props, logical="Bad", expect="FAILED")
                self.assertIn(reason, body["Reason"])
        names = [f["FunctionName"] for f in self.lam.list_functions()["Functions"]]
        self.assertFalse([n for n in names if n.startswith("ports-Bad-")])
        self.original_untouched()


if __name__ == "__main__":
    unittest.main()
