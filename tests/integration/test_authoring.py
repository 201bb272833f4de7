"""The module author's loop: `cfnkit event` requests accepted by the built-in
modules against the local AWS (moto_server), `invoke --response-file`,
`cfnkit lambda-run` running providers as Lambda bootstraps, the small
frictions, and the README's walkthrough run as written. `cfnkit check` is
tested in test_check.py."""

import io
import json
import os
import re
import stat
import subprocess
import sys
import tempfile
import time
import unittest
import uuid
import zipfile

from harness import HERE, Moto, ResponseBucket, StubEndpoint, program, run

sys.path.insert(0, os.path.join(HERE, "..", "..", "resources", "unique_port"))
from test_unique_port import table_from_template  # noqa: E402

ASSUME = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def code_zip(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


class BuiltinSetup:
    """What the three built-in modules need in the local AWS: the port table,
    a role, a code object and a function to integrate."""

    def __init__(self, moto):
        self.table = "cfnkit-ports"
        table_from_template(moto, self.table)
        self.role = moto.client("iam").create_role(RoleName="authoring-role",
                                                   AssumeRolePolicyDocument=ASSUME)["Role"]["Arn"]
        s3 = moto.client("s3")
        s3.create_bucket(Bucket="code")
        s3.put_object(Bucket="code", Key="app.zip",
                      Body=code_zip({"index.py": "def handler(e, c):\n    return 1\n"}))
        self.fn = moto.client("lambda").create_function(
            FunctionName="target", Runtime="python3.12", Role=self.role, Handler="index.handler",
            Code={"ZipFile": code_zip({"index.py": "def handler(e, c): return {}\n"})})["FunctionArn"]
        self.env = dict(moto.env(), CFNKIT_UNIQUE_PORT_TABLE=self.table)
        self.api = moto.client("apigateway").create_rest_api(name="shared")["id"]

    def cases(self):
        """(type, create properties, update properties) for each module, as a
        template would write them: numbers and booleans as JSON."""
        return [
            ("Custom::UniquePort", {"Key": "authoring", "PortRange": "20000-20099"},
             {"Key": "authoring", "PortRange": "20000-20199"}),
            ("Custom::LambdaFunction",
             {"FunctionName": "authored", "Code": {"S3Bucket": "code", "S3Key": "app.zip"},
              "Handler": "index.handler", "Runtime": "python3.12", "Role": self.role,
              "MemorySize": 256, "Timeout": 10, "Env": {"DEBUG": True, "LIMIT": 5}},
             {"FunctionName": "authored", "Code": {"S3Bucket": "code", "S3Key": "app.zip"},
              "Handler": "index.handler", "Runtime": "python3.12", "Role": self.role,
              "MemorySize": 512, "Timeout": 10, "Env": {"DEBUG": False, "LIMIT": 5}}),
            ("Custom::APIGatewayResource",
             {"Path": "items/{id}", "Method": "GET",
              "IntegrationRequest": {"Type": "Lambda", "FunctionArn": self.fn}},
             {"Path": "items/{id}", "Method": "GET", "StageName": "dev",
              "IntegrationRequest": {"Type": "Lambda", "FunctionArn": self.fn}}),
        ]


def all_strings(value):
    if isinstance(value, dict):
        return all(all_strings(v) for v in value.values())
    if isinstance(value, list):
        return all(all_strings(v) for v in value)
    return isinstance(value, str)


class Event(unittest.TestCase):
    """`cfnkit event` on its own: the shape CloudFormation gives a request."""

    @classmethod
    def setUpClass(cls):
        cls.tool = program("CFNKIT_TOOL")

    def event(self, *args, env=None):
        res = run([self.tool, "event", *args],
                  env=dict({"AWS_REGION": "eu-west-1"}, **(env or {})))
        self.assertEqual(res.returncode, 0, res.stderr)
        return json.loads(res.stdout)

    def test_properties_stringified_as_cloudformation_does(self):
        props = {"Port": 8080, "Ratio": 1.5, "On": True, "Off": False, "Gone": None,
                 "List": [1, "a", {"Deep": True}], "Map": {"N": -3, "S": "x"}}
        ev = self.event("update", "--type", "Custom::Thing", "--properties", json.dumps(props),
                        "--old-properties", json.dumps({"Port": 80}), "--physical-id", "id-1",
                        "--account", "111122223333", "--stack-name", "web", "--logical-id", "Thing")
        self.assertEqual(ev["ResourceProperties"], {
            "ServiceToken": "arn:aws:lambda:eu-west-1:111122223333:function:cfnkit-provider",
            "Port": "8080", "Ratio": "1.5", "On": "true", "Off": "false",
            "List": ["1", "a", {"Deep": "true"}], "Map": {"N": "-3", "S": "x"}})
        self.assertEqual(ev["OldResourceProperties"]["Port"], "80")
        self.assertEqual(ev["ServiceToken"], ev["ResourceProperties"]["ServiceToken"])
        self.assertEqual((ev["RequestType"], ev["PhysicalResourceId"], ev["LogicalResourceId"],
                          ev["ResourceType"]), ("Update", "id-1", "Thing", "Custom::Thing"))
        self.assertRegex(ev["StackId"], r"^arn:aws:cloudformation:eu-west-1:111122223333:stack/web/"
                                        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        self.assertRegex(ev["RequestId"], r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        self.assertTrue(ev["ResponseURL"].startswith(
            "https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/arn%3Aaws%3A"))
        self.assertEqual(list(ev), ["RequestType", "ServiceToken", "ResponseURL", "StackId", "RequestId",
                                    "LogicalResourceId", "PhysicalResourceId", "ResourceType",
                                    "ResourceProperties", "OldResourceProperties"])

    def test_fresh_ids_and_defaults(self):
        a = self.event("create", "--type", "Custom::T", "--account", "1")
        b = self.event("create", "--type", "Custom::T", "--account", "1")
        self.assertNotEqual(a["RequestId"], b["RequestId"])
        self.assertEqual(a["StackId"], b["StackId"])  # one stack, named alike
        other = self.event("create", "--type", "Custom::T", "--account", "1", "--stack-name", "b")
        self.assertNotEqual(a["StackId"].split("/")[-1], other["StackId"].split("/")[-1])
        self.assertNotIn("PhysicalResourceId", a)
        self.assertNotIn("OldResourceProperties", a)
        self.assertEqual(a["LogicalResourceId"], "MyResource")
        self.assertIn(":stack/my-stack/", a["StackId"])
        gov = self.event("create", "--type", "Custom::T", "--account", "1",
                         env={"AWS_REGION": "us-gov-west-1"})
        self.assertTrue(gov["StackId"].startswith("arn:aws-us-gov:cloudformation:us-gov-west-1:1:"))

    def test_properties_from_file_and_stdin(self):
        path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"props-{uuid.uuid4().hex}.json")
        with open(path, "w") as f:
            json.dump({"Size": 3}, f)
        try:
            self.assertEqual(self.event("create", "--type", "Custom::T", "--account", "1",
                                        "--properties", "@" + path)["ResourceProperties"]["Size"], "3")
        finally:
            os.unlink(path)
        res = run([self.tool, "event", "create", "--type", "Custom::T", "--account", "1",
                   "--properties", "-"], stdin='{"A": [true]}', env={"AWS_REGION": "us-east-1"})
        self.assertEqual(json.loads(res.stdout)["ResourceProperties"]["A"], ["true"])

    def test_usage_errors(self):
        for args, says in [(["create"], "--type is required"),
                           (["delete", "--type", "Custom::T"], "--physical-id"),
                           (["remove", "--type", "Custom::T"], "create, update or delete"),
                           (["create", "--type", "Custom::T", "--properties", "[1"], "not JSON"),
                           (["create", "--type", "Custom::T", "--properties", "[1]"], "JSON object"),
                           (["create", "--type", "Custom::T", "--bogus", "1"], "unknown option --bogus")]:
            with self.subTest(args=args):
                res = run([self.tool, "event", *args, "--account", "1"], env={"AWS_REGION": "us-east-1"})
                self.assertEqual(res.returncode, 2, res.stdout)
                self.assertIn(says, res.stderr)
        res = run([self.tool, "event", "--help"])
        self.assertEqual(res.returncode, 0)
        self.assertIn("Usage: cfnkit event", res.stdout)


class EventAgainstLocalAws(unittest.TestCase):
    """Requests from `cfnkit event` run by `cfnkit invoke` through each built-in
    module against moto, responses read back from its S3 with boto3."""

    @classmethod
    def setUpClass(cls):
        cls.tool = program("CFNKIT_TOOL")
        cls.moto = Moto()
        cls.bucket = ResponseBucket(cls.moto)
        cls.setup = BuiltinSetup(cls.moto)

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def lifecycle_step(self, action, rtype, props, physical_id=None, old=None):
        key = "event/" + uuid.uuid4().hex
        args = [self.tool, "event", action.lower(), "--type", rtype, "--properties", json.dumps(props),
                "--response-url", self.bucket.presign(key), "--stack-name", "authoring",
                "--logical-id", "Res"]
        if physical_id:
            args += ["--physical-id", physical_id]
        if old is not None:
            args += ["--old-properties", json.dumps(old)]
        gen = run(args, env=self.setup.env)
        self.assertEqual(gen.returncode, 0, gen.stderr)
        ev = json.loads(gen.stdout)
        self.assertTrue(all_strings(ev["ResourceProperties"]))
        self.assertIn(":123456789012:stack/authoring/", ev["StackId"])  # moto's account, from STS
        res = run([self.tool, "invoke", "--event", "-"], stdin=gen.stdout, env=self.setup.env)
        body = self.bucket.read(key)
        self.assertEqual(body["Status"], "SUCCESS", body.get("Reason"))
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual((body["RequestId"], body["StackId"]), (ev["RequestId"], ev["StackId"]))
        return body

    def test_builtin_modules_accept_generated_requests(self):
        for rtype, create, update in self.setup.cases():
            with self.subTest(type=rtype):
                made = self.lifecycle_step("Create", rtype, create)
                pid = made["PhysicalResourceId"]
                changed = self.lifecycle_step("Update", rtype, update, physical_id=pid, old=create)
                self.assertEqual(changed["PhysicalResourceId"], pid)
                self.lifecycle_step("Delete", rtype, update, physical_id=pid)
        self.assertEqual(self.moto.client("lambda").list_functions()["Functions"][0]["FunctionName"],
                         "target")
        self.assertEqual(len(self.moto.client("lambda").list_functions()["Functions"]), 1)


class ResponseFile(unittest.TestCase):
    """`invoke --response-file`: the bytes that would be PUT, byte for byte what
    a loopback endpoint receives, with the same exit codes."""

    @classmethod
    def setUpClass(cls):
        cls.tool = program("CFNKIT_TOOL")
        cls.testmod = program("CFNKIT_TESTMOD")
        cls.stub = StubEndpoint([])

    @classmethod
    def tearDownClass(cls):
        cls.stub.close()

    def test_same_bytes_as_the_endpoint_receives(self):
        cases = [("Custom::Misbehave", {"Mode": "sleep", "Millis": 1}, 0),
                 ("Custom::Misbehave", {"Mode": "long-reason"}, 1),  # Reason cut to fit 4096
                 ("Custom::Misbehave", {"Mode": "big-data"}, 1),     # Data that cannot fit
                 ("Custom::Misbehave", {"Mode": "escape"}, 1),       # control characters removed
                 ("Custom::Echo", {"Message": "s", "Secret": True, "Id": "fixed"}, 0)]  # NoEcho
        for rtype, props, code in cases:
            with self.subTest(props=props):
                gen = run([self.tool, "event", "create", "--type", rtype, "--properties", json.dumps(props),
                           "--account", "1", "--response-url", self.stub.url + "/cfn?X-Amz-Signature=s"],
                          env={"AWS_REGION": "us-east-1"})
                ev = json.loads(gen.stdout)
                sent = run([self.testmod, "invoke", "--event", "-"], stdin=json.dumps(ev))
                self.assertEqual(sent.returncode, code, sent.stderr)
                received = self.stub.received[-1]["body"]
                with tempfile.TemporaryDirectory() as tmp:
                    path = os.path.join(tmp, "response.json")
                    wrote = run([self.testmod, "invoke", "--event", "-", "--response-file", path],
                                stdin=json.dumps(ev))
                    self.assertEqual(wrote.returncode, code, wrote.stderr)
                    with open(path, "rb") as f:
                        written = f.read()
                if rtype == "Custom::Echo":  # Data carries the serving process's id
                    received, written = (re.sub(rb'"RuntimePid":"\d+"', b"", b) for b in (received, written))
                self.assertEqual(written, received)
                self.assertLessEqual(len(written), 4096)
                self.assertIn(("SUCCESS" if code == 0 else "FAILED") + " written to " + path, wrote.stdout)
                stdout = subprocess.run([self.testmod, "invoke", "--event", "-", "--response-file", "-"],
                                        input=json.dumps(ev).encode(), capture_output=True, timeout=60)
                self.assertEqual(stdout.returncode, code)
                if rtype != "Custom::Echo":
                    self.assertEqual(stdout.stdout, received)  # only the body on standard output
        self.assertIn('"Echo":"****"', wrote.stdout)  # the summary masks NoEcho Data, keys kept
        self.assertIn(b'"Echo":"s"', written)         # the file holds what CloudFormation gets

    def test_unwritable_file_is_exit_2(self):
        gen = run([self.tool, "event", "create", "--type", "Custom::Echo", "--properties", '{"Message": "m"}',
                   "--account", "1"], env={"AWS_REGION": "us-east-1"})
        res = run([self.testmod, "invoke", "--event", "-", "--response-file", "/nonexistent/dir/r.json"],
                  stdin=gen.stdout)
        self.assertEqual(res.returncode, 2)
        self.assertIn("cannot write /nonexistent/dir/r.json", res.stderr)


class LambdaRun(unittest.TestCase):
    """`cfnkit lambda-run`: providers run as bootstraps under the tool's own
    Runtime API; responses come back to the tool's ResponseURL."""

    @classmethod
    def setUpClass(cls):
        cls.tool = program("CFNKIT_TOOL")
        cls.testmod = program("CFNKIT_TESTMOD")
        cls.broken = program("CFNKIT_BROKEN")
        cls.env = {"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing",
                   "AWS_SECRET_ACCESS_KEY": "testing"}

    def events(self, *specs):
        """Requests from `cfnkit event`: (action, type, properties[, physical id])."""
        out = []
        for spec in specs:
            action, rtype, props = spec[:3]
            args = [self.tool, "event", action, "--type", rtype, "--properties", json.dumps(props),
                    "--account", "123456789012"]
            if len(spec) > 3:
                args += ["--physical-id", spec[3]]
            res = run(args, env=self.env)
            self.assertEqual(res.returncode, 0, res.stderr)
            out.append(json.loads(res.stdout))
        return out

    def lambda_run(self, prog, events, *extra, code=None):
        res = run([self.tool, "lambda-run", prog, "--event", "-", *extra], stdin=json.dumps(events),
                  env=self.env, timeout=120)
        if code is not None:
            self.assertEqual(res.returncode, code, res.stdout + res.stderr)
        lines = [json.loads(line) for line in res.stdout.splitlines()]
        self.assertEqual(len(lines), len(events), res.stdout + res.stderr)
        for line, ev in zip(lines, events):
            self.assertEqual(line["RequestId"], ev["RequestId"])
        return lines, res

    def test_good_module_stays_warm(self):
        evs = self.events(("create", "Custom::Echo", {"Message": "hi"}),
                          ("create", "Custom::Echo", {"Message": "again"}),
                          ("delete", "Custom::Echo", {"Message": "hi"}, "some-id"))
        (made, again, gone), _ = self.lambda_run(self.testmod, evs, code=0)
        self.assertEqual((made["Invocation"], made["Response"]["Status"]), ("response", "SUCCESS"))
        self.assertEqual(made["Response"]["Data"]["Echo"], "hi")
        self.assertEqual(made["Response"]["RequestId"], evs[0]["RequestId"])
        self.assertEqual(made["Payload"]["responses"][0]["Status"], "SUCCESS")
        self.assertEqual((gone["Response"]["Status"], gone["Response"]["PhysicalResourceId"]),
                         ("SUCCESS", "some-id"))
        # One bootstrap served every request: Lambda keeps a runtime warm.
        self.assertEqual(made["Response"]["Data"]["RuntimePid"], again["Response"]["Data"]["RuntimePid"])

    def test_lambda_environment_and_deadline(self):
        evs = self.events(("create", "Custom::Environment", {}))
        (line,), res = self.lambda_run(self.broken, evs, "--timeout", "30", "--memory", "512",
                                       "--function-name", "probe", "--env", "GREETING=hello", code=0)
        data = line["Response"]["Data"]
        root = os.path.dirname(os.path.realpath(self.broken))
        self.assertEqual(data["AWS_LAMBDA_FUNCTION_NAME"], "probe")
        self.assertEqual(data["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "512")
        self.assertEqual(data["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST")
        self.assertEqual(data["AWS_LAMBDA_LOG_GROUP_NAME"], "/aws/lambda/probe")
        self.assertRegex(data["AWS_LAMBDA_LOG_STREAM_NAME"], r"^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$")
        self.assertRegex(data["AWS_LAMBDA_RUNTIME_API"], r"^127\.0\.0\.1:\d+$")
        self.assertEqual((data["LAMBDA_TASK_ROOT"], data["Cwd"]), (root, root))
        self.assertEqual((data["_HANDLER"], data["TZ"], data["GREETING"]), ("bootstrap", ":UTC", "hello"))
        self.assertEqual((data["AWS_REGION"], data["AWS_DEFAULT_REGION"]), ("us-east-1", "us-east-1"))
        self.assertNotIn("HOME", data)  # Lambda's environment, not this shell's
        # The deadline header carries the 30 s limit, less the framework's margin.
        self.assertTrue(20000 < int(data["RemainingMs"]) <= 30000, data["RemainingMs"])

    def test_crashing_runtime_is_reported_and_restarted(self):
        evs = self.events(("create", "Custom::Environment", {}),
                          ("create", "Custom::KillRuntime", {}),
                          ("create", "Custom::Environment", {}))
        (first, crash, after), _ = self.lambda_run(self.broken, evs, code=2)
        self.assertEqual(first["Response"]["Status"], "SUCCESS")
        self.assertEqual(crash["Invocation"], "exit")
        self.assertEqual(crash["Detail"], "Runtime exited with error: signal 9 (Killed)")
        self.assertIsNone(crash["Response"])
        self.assertEqual(after["Response"]["Status"], "SUCCESS")

    def test_hanging_runtime_is_stopped_at_the_time_limit(self):
        evs = self.events(("create", "Custom::FreezeRuntime", {}),
                          ("create", "Custom::Environment", {}))
        start = time.monotonic()
        (frozen, after), res = self.lambda_run(self.broken, evs, "--timeout", "2", code=2)
        self.assertLess(time.monotonic() - start, 20)
        self.assertEqual((frozen["Invocation"], frozen["Detail"]),
                         ("timeout", "Task timed out after 2.00 seconds"))
        self.assertIsNone(frozen["Response"])
        self.assertEqual(after["Response"]["Status"], "SUCCESS")

    def test_hanging_handler_is_answered_by_the_framework_before_the_limit(self):
        evs = self.events(("create", "Custom::Misbehave", {"Mode": "hang"}))
        (line,), _ = self.lambda_run(self.testmod, evs, "--timeout", "3", code=1)
        self.assertEqual((line["Invocation"], line["Response"]["Status"]), ("response", "FAILED"))
        self.assertIn("timed out", line["Response"]["Reason"])

    def test_package_zip(self):
        with tempfile.TemporaryDirectory() as tmp:
            pkg = os.path.join(tmp, "provider.zip")
            with zipfile.ZipFile(pkg, "w") as z:
                info = zipfile.ZipInfo("bootstrap")
                info.external_attr = (stat.S_IFREG | 0o755) << 16
                z.writestr(info, f"#!/bin/sh\nexec {self.broken} \"$@\"\n")
            evs = self.events(("create", "Custom::Environment", {}))
            (line,), _ = self.lambda_run(pkg, evs, code=0)
            data = line["Response"]["Data"]
            self.assertTrue(data["LAMBDA_TASK_ROOT"].startswith("/tmp/cfnkit-task-"))
            self.assertEqual(data["Cwd"], data["LAMBDA_TASK_ROOT"])
            self.assertEqual(data["AWS_LAMBDA_FUNCTION_NAME"], "provider")
            self.assertFalse(os.path.exists(data["LAMBDA_TASK_ROOT"]))
            with zipfile.ZipFile(pkg, "w") as z:
                z.writestr("other", "x")
            res = run([self.tool, "lambda-run", pkg, "--event", "-"], stdin=json.dumps(evs), env=self.env)
            self.assertEqual(res.returncode, 2)
            self.assertIn("no executable bootstrap", res.stderr)

    def test_usage_errors(self):
        for args, says in [([], "which program"), ([self.testmod], "no requests"),
                           ([self.testmod, "--event", "-", "--timeout", "0"], "--timeout"),
                           ([self.testmod, "--event", "-", "--env", "NOEQUALS"], "NAME=VALUE"),
                           (["/nonexistent", "--event", "-"], "not an executable")]:
            with self.subTest(args=args):
                res = run([self.tool, "lambda-run", *args], stdin="{}", env=self.env)
                self.assertEqual(res.returncode, 2, res.stdout)
                self.assertIn(says, res.stderr)
        self.assertIn("Runtime API", run([self.tool, "lambda-run", "--help"]).stdout)


class Frictions(unittest.TestCase):
    """The small frictions of #17: a pkg-config build from a non-system prefix
    runs as built; every script's --help answers without running its job."""

    def test_pkg_config_binary_runs_without_ld_library_path(self):
        build = os.environ.get("CFNKIT_BUILD_DIR")
        if not build:
            raise unittest.SkipTest("CFNKIT_BUILD_DIR is not set: run the tests through ctest")
        with tempfile.TemporaryDirectory() as tmp:
            prefix = os.path.join(tmp, "prefix")
            out = run(["cmake", "--install", build, "--prefix", prefix], timeout=120)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
            pc = next(os.path.join(d, "cfnkit.pc") for d, _, files in os.walk(prefix) if "cfnkit.pc" in files)
            env = dict(os.environ, PKG_CONFIG_PATH=os.path.dirname(pc))
            env.pop("LD_LIBRARY_PATH", None)
            flags = subprocess.run(["pkg-config", "--cflags", "--libs", "cfnkit"], env=env,
                                   capture_output=True, text=True, timeout=30)
            self.assertEqual(flags.returncode, 0, flags.stderr)
            exe = os.path.join(tmp, "echo")
            cc = subprocess.run(["cc", *os.environ.get("CFNKIT_EXTRA_CFLAGS", "").split(), "-o", exe,
                                 os.path.join(HERE, "..", "example_module", "echo.c"), *flags.stdout.split()],
                                env=env, capture_output=True, text=True, timeout=120)
            self.assertEqual(cc.returncode, 0, cc.stderr)
            res = subprocess.run([exe, "types"], env=env, capture_output=True, text=True, timeout=30)
            self.assertEqual((res.returncode, res.stdout), (0, "Custom::Echo\n"), res.stderr)
            dyn = subprocess.run(["readelf", "-d", exe], capture_output=True, text=True).stdout
            self.assertIn(os.path.realpath(os.path.dirname(os.path.dirname(pc))), os.path.realpath(
                re.search(r"R(?:UN)?PATH.*\[(.*)\]", dyn).group(1)))

    def test_script_help_does_not_run_the_job(self):
        root = os.path.join(HERE, "..", "..")
        for script in ("demo.sh", "test.sh", "package.sh", "setup.sh"):
            with self.subTest(script=script):
                start = time.monotonic()
                res = subprocess.run([os.path.join(root, "tools", script), "--help"], capture_output=True,
                                     text=True, timeout=30, env=dict(os.environ, PATH="/usr/bin:/bin"))
                self.assertEqual(res.returncode, 0, res.stderr)
                self.assertIn("Usage: tools/" + script, res.stdout)
                self.assertNotIn("set -euo", res.stdout)
                self.assertEqual(res.stderr, "")
                self.assertLess(time.monotonic() - start, 5)
                bad = subprocess.run([os.path.join(root, "tools", script), "--bogus"], capture_output=True,
                                     text=True, timeout=30)
                self.assertEqual(bad.returncode, 2)
                self.assertIn("see --help", bad.stderr)


class Walkthrough(unittest.TestCase):
    """The README's walkthrough, run as written: its C block built with
    pkg-config from an installed prefix, its shell blocks run in order against
    moto, the results read back with boto3."""

    def blocks(self):
        with open(os.path.join(HERE, "..", "..", "README.md")) as f:
            text = f.read()
        part = text.split("## Walkthrough", 1)[1].split("\n## ", 1)[0]
        code = re.search(r"<!-- walkthrough:s3object.c -->\n```c\n(.*?)```", part, re.S).group(1)
        return code, re.findall(r"```sh\n(.*?)```", part, re.S)

    def test_walkthrough(self):
        build = os.environ.get("CFNKIT_BUILD_DIR")
        if not build:
            raise unittest.SkipTest("CFNKIT_BUILD_DIR is not set: run the tests through ctest")
        tool = program("CFNKIT_TOOL")
        code, shells = self.blocks()
        self.assertEqual(len(shells), 5)
        moto = Moto()
        self.addCleanup(moto.stop)
        s3 = moto.client("s3")
        s3.create_bucket(Bucket="my-bucket")
        with tempfile.TemporaryDirectory() as tmp:
            prefix, bindir = os.path.join(tmp, "prefix"), os.path.join(tmp, "bin")
            out = run(["cmake", "--install", build, "--prefix", prefix], timeout=120)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
            pc = next(d for d, _, files in os.walk(prefix) if "cfnkit.pc" in files)
            os.mkdir(bindir)
            os.symlink(tool, os.path.join(bindir, "cfnkit"))
            os.symlink(os.path.join(HERE, "..", "..", "tools"), os.path.join(tmp, "tools"))
            with open(os.path.join(bindir, "cc"), "w") as f:  # a sanitizer build needs its runtime
                f.write(f'#!/bin/sh\nexec /usr/bin/cc {os.environ.get("CFNKIT_EXTRA_CFLAGS", "")} "$@"\n')
            os.chmod(os.path.join(bindir, "cc"), 0o755)
            with open(os.path.join(tmp, "s3object.c"), "w") as f:
                f.write(code)
            for name, props in (("old.json", {"Bucket": "my-bucket", "Key": "hello.txt", "Body": "hi"}),
                                ("new.json", {"Bucket": "my-bucket", "Key": "hello.txt", "Body": "new"})):
                with open(os.path.join(tmp, name), "w") as f:
                    json.dump(props, f)
            env = dict(os.environ, **moto.env(), PKG_CONFIG_PATH=pc, PATH=bindir + ":" + os.environ["PATH"])
            env.pop("LD_LIBRARY_PATH", None)

            def sh(script, timeout=300):
                res = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp, env=env,
                                     capture_output=True, text=True, timeout=timeout)
                self.assertEqual(res.returncode, 0, script + res.stdout + res.stderr)
                return res.stdout

            sh(shells[0])  # build
            sh(shells[1])  # requests
            with open(os.path.join(tmp, "update.json")) as f:
                self.assertEqual(json.load(f)["ResourceProperties"]["Body"], "new")
            sh("cfnkit event delete --type Custom::S3Object --physical-id s3://my-bucket/hello.txt "
               "--properties @old.json > delete.json")
            invoked = sh(shells[2])  # invoke with --response-file -, then lambda-run create + delete
            first, end = json.JSONDecoder().raw_decode(invoked)  # the body, as PUT: no newline
            rest = invoked[end:]
            self.assertEqual(first["PhysicalResourceId"], "s3://my-bucket/hello.txt")
            made, gone = (json.loads(line) for line in rest.splitlines())
            self.assertEqual((made["Response"]["Status"], gone["Response"]["Status"]), ("SUCCESS", "SUCCESS"))
            self.assertNotIn("Contents", s3.list_objects_v2(Bucket="my-bucket"))
            checked = sh(shells[3])
            self.assertIn("0 broken, 0 skipped", checked)
            packaged = sh(shells[4])
            self.assertEqual(json.loads(packaged.splitlines()[-1])["Response"]["Status"], "SUCCESS")
            self.assertEqual(s3.get_object(Bucket="my-bucket", Key="hello.txt")["Body"].read(), b"hi")


if __name__ == "__main__":
    unittest.main()
