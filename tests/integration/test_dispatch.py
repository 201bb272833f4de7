"""The deployment engine's dispatcher (framework/src/stack/dispatch.h) driven
by tests/fixtures/dispatch_driver.c: requests as CloudFormation sends them to
the test provider and to cfnkit itself, answers taken on the dispatcher's
ResponseURL server and checked as CloudFormation checks them, timeouts,
crashes, parallel requests; the built-in Custom::UniquePort against
moto_server, its port checked with boto3."""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "resources", "unique_port"))
from harness import Moto, program, run  # noqa: E402
from test_unique_port import table_from_template  # noqa: E402

TOKEN = "arn:aws:lambda:us-east-1:123456789012:function:cfnkit-provider"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


class Dispatch(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.driver = program("CFNKIT_DISPATCH_DRIVER")
        cls.provider = program("CFNKIT_TESTPROVIDER")
        cls.tool = program("CFNKIT_TOOL")

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.record = os.path.join(self.tmp.name, "record.jsonl")

    def tearDown(self):
        self.tmp.cleanup()

    def dispatch(self, requests, args=(), env=None, timeout=120, expect_rc=0, preexec=None):
        path = os.path.join(self.tmp.name, "requests.json")
        with open(path, "w") as f:
            json.dump(requests, f)
        full = dict(os.environ, **(env or {}))
        res = subprocess.run([self.driver, "--provider", self.provider, *args, path], env=full,
                             capture_output=True, text=True, timeout=timeout,
                             preexec_fn=preexec)
        self.assertEqual(res.returncode, expect_rc, res.stderr)
        results = {}
        for line in res.stdout.splitlines():
            r = json.loads(line)
            results[r["LogicalResourceId"]] = r
        if expect_rc == 0:
            self.assertEqual(sorted(results), sorted(r["LogicalResourceId"] for r in requests))
        return results, res

    def records(self):
        with open(self.record) as f:
            return [json.loads(line) for line in f]

    def req(self, logical, props, action="Create", type_="Custom::Test", **more):
        req = {"RequestType": action, "LogicalResourceId": logical, "ResourceType": type_,
               "Properties": dict({"ServiceToken": TOKEN}, **props)}
        req.update(more)
        return req

    def test_requests_are_cloudformations_and_answers_come_back(self):
        results, _ = self.dispatch([
            self.req("A", {"Id": "a-1", "Data": {"Port": 8080, "On": True},
                            "Sleep": 10, "RecordFile": self.record, "Nested": [1, None, False]}),
            self.req("B", {"NewIdOnUpdate": True, "X": 2, "RecordFile": self.record},
                      action="Update", PhysicalResourceId="b-old",
                      OldProperties={"ServiceToken": TOKEN, "X": 1}),
            self.req("C", {"RecordFile": self.record}, action="Delete",
                      PhysicalResourceId="c-1", type_="Custom::TestB"),
            self.req("D", {"FailOn": "Create", "RecordFile": self.record}),
            self.req("E", {"NoEcho": True, "Data": {"Secret": "s3cr3t"}}),
        ], env={"AWS_REGION": "eu-west-1", "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9"})
        a, b, c, d, e = (results[k] for k in "ABCDE")
        self.assertEqual((a["Status"], a["PhysicalResourceId"]), ("SUCCESS", "a-1"))
        self.assertEqual(a["Data"], {"Port": "8080", "On": "true"})
        self.assertEqual(b["Status"], "SUCCESS")
        self.assertRegex(b["PhysicalResourceId"], r"^B-\d+$")
        self.assertEqual((c["Status"], c["PhysicalResourceId"]), ("SUCCESS", "c-1"))
        self.assertEqual(d["Status"], "FAILED")
        self.assertEqual(d["Reason"], "FailOn asked this Create of D to fail")
        self.assertTrue(e["NoEcho"])
        seen = {r["LogicalResourceId"]: r for r in self.records()}
        self.assertEqual(sorted(seen), ["A", "B", "C", "D"])
        ids = set()
        for logical, r in seen.items():
            self.assertRegex(r["StackId"],
                             r"^arn:aws:cloudformation:eu-west-1:123456789012:stack/"
                             r"dispatch-test/[0-9a-f-]{36}$")
            self.assertRegex(r["RequestId"], UUID)
            self.assertEqual(r["RequestId"], results[logical]["RequestId"])
            ids.add(r["RequestId"])
            self.assertEqual(r["ResourceProperties"]["ServiceToken"], TOKEN)
            env = r["Environment"]
            self.assertEqual(env["AWS_REGION"], "eu-west-1")
            self.assertEqual(env["AWS_LAMBDA_FUNCTION_NAME"], "cfnkit_testprovider")
            self.assertEqual(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST")
            self.assertEqual(env["TZ"], ":UTC")
            self.assertNotIn("AWS_LAMBDA_RUNTIME_API", env)
            self.assertRegex(env["CFNKIT_RESPONSE_URL_ALLOW"], r"127\.0\.0\.1:\d+$")
        self.assertEqual(len(ids), 4, "a fresh RequestId per request")
        # Every property a string, nested too, nulls dropped (as CloudFormation sends them).
        props = seen["A"]["ResourceProperties"]
        self.assertEqual(props["Sleep"], "10")
        self.assertEqual(props["Nested"], ["1", "false"])
        self.assertEqual(props["Data"], {"Port": "8080", "On": "true"})
        self.assertEqual(seen["B"]["RequestType"], "Update")
        self.assertEqual(seen["B"]["PhysicalResourceId"], "b-old")
        self.assertEqual(seen["B"]["OldResourceProperties"], {"ServiceToken": TOKEN, "X": "1"})
        self.assertEqual(seen["B"]["ResourceProperties"]["X"], "2")
        self.assertIsNone(seen["A"]["OldResourceProperties"])
        self.assertEqual(seen["C"]["ResourceType"], "Custom::TestB")
        self.assertEqual(seen["C"]["PhysicalResourceId"], "c-1")

    def test_malformed_answers_fail_with_cloudformations_reason(self):
        kinds = {
            "TooLong": "Response object is too long.",
            "EmptyId": "Invalid PhysicalResourceId",
            "LongId": "Invalid PhysicalResourceId",
            "NoReason": "Invalid Response object: Reason is required when Status is FAILED",
            "NotJson": "Invalid Response object: the response is not a JSON object",
            "BadStatus": "Invalid Response object: 'DONE' is not a valid ResponseStatus",
            "WrongRequestId": "Invalid Response object: RequestId is not the request's",
        }
        results, _ = self.dispatch([self.req(k, {"Malformed": k}) for k in kinds])
        for kind, reason in kinds.items():
            self.assertEqual(results[kind]["Status"], "FAILED", kind)
            self.assertEqual(results[kind]["Reason"], reason, kind)
            self.assertNotIn("PhysicalResourceId", results[kind], kind)

    def test_the_response_url_takes_a_put_as_presigned_s3_does(self):
        results, _ = self.dispatch([self.req("P", {"Malformed": "Probe"}),
                                    self.req("T", {"Malformed": "Twice"})])
        self.assertEqual(results["P"]["Status"], "SUCCESS")
        # Another key or signature, or a Content-Type (which a presigned PUT
        # does not sign): 403 SignatureDoesNotMatch; another bucket: 404.
        self.assertEqual(results["P"]["Data"]["Probe"],
                         "key 403, signature 403, content-type 403, bucket 404")
        # The first answer counts; the second is refused, as CloudFormation ignores it.
        self.assertEqual(results["T"]["Status"], "SUCCESS")

    def test_no_answer_fails_after_service_timeout_and_the_group_is_killed(self):
        pid_file = os.path.join(self.tmp.name, "pid")
        start = time.monotonic()
        results, _ = self.dispatch([
            self.req("Silent", {"Malformed": "NoAnswer", "ServiceTimeout": "2",
                                 "PidFile": pid_file}),
            self.req("Quick", {"Sleep": 100}),
        ])
        took = time.monotonic() - start
        silent = results["Silent"]
        self.assertEqual(silent["Status"], "FAILED")
        self.assertTrue(silent["Reason"].startswith(
            "Custom Resource failed to stabilize in expected time (ServiceTimeout 2 s"),
            silent["Reason"])
        self.assertGreaterEqual(silent["EndedMs"] - silent["StartedMs"], 2000)
        self.assertLess(took, 15)
        self.assertEqual(results["Quick"]["Status"], "SUCCESS")
        self.assertLess(results["Quick"]["EndedMs"], silent["EndedMs"])
        with open(pid_file) as f:
            pid = int(f.read())
        with self.assertRaises(ProcessLookupError):
            os.kill(pid, 0)

    def test_the_default_timeout_applies_without_service_timeout(self):
        results, _ = self.dispatch([self.req("Silent", {"Malformed": "NoAnswer"})],
                                   args=("--default-timeout", "1"))
        self.assertIn("(ServiceTimeout 1 s", results["Silent"]["Reason"])

    def test_a_program_that_dies_without_answering_fails_at_once(self):
        start = time.monotonic()
        results, _ = self.dispatch([self.req("Exit", {"Malformed": "Exit"}),
                                    self.req("Crash", {"Malformed": "Crash"})])
        self.assertLess(time.monotonic() - start, 10)
        exit_, crash = results["Exit"], results["Crash"]
        self.assertEqual(exit_["Status"], "FAILED")
        self.assertIn("CloudFormation did not receive a response from your Custom Resource. "
                      f"Please check your logs for requestId [{exit_['RequestId']}]",
                      exit_["Reason"])
        self.assertIn("cfnkit_testprovider exited with status 3 without answering; its stderr "
                      "ends: testprovider: Malformed=Exit: leaving without an answer to http://",
                      exit_["Reason"])
        # The ResponseURL it printed is a credential: its signature is masked.
        self.assertRegex(exit_["Reason"], r"X-Amz-Signature=\*{64}\)$")
        self.assertIn("was killed by signal 9 (SIGKILL) without answering", crash["Reason"])

    def test_credentials_a_provider_prints_are_masked(self):
        # The session token's URL-encoded form (as in a presigned URL) too:
        # only its raw form was masked.
        token = "FwoGZXIvYXdzEJr//token+with/slashes=="
        results, _ = self.dispatch([self.req("Echo", {"Malformed": "EchoCredentials"})],
                                   env={"AWS_SESSION_TOKEN": token,
                                        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG"})
        reason = results["Echo"]["Reason"]
        self.assertIn("its stderr ends: testprovider: GET /?X-Amz-Security-Token=*", reason)
        encoded = urllib.parse.quote(token, safe="-_.~")
        for secret in (token, encoded, encoded[:40], "wJalrXUtnFEMI/K7MDENG"):
            self.assertNotIn(secret, reason)

    def test_an_engine_ignoring_sigchld_still_sees_deaths(self):
        def ignore():
            signal.signal(signal.SIGCHLD, signal.SIG_IGN)
        results, _ = self.dispatch([self.req("Exit", {"Malformed": "Exit"}),
                                    self.req("Fine", {})], preexec=ignore)
        self.assertIn("cfnkit_testprovider ended (its status was not kept) without answering",
                      results["Exit"]["Reason"])
        self.assertEqual(results["Fine"]["Status"], "SUCCESS")

    def test_independent_requests_overlap(self):
        n, sleep = 8, 600
        start = time.monotonic()
        results, _ = self.dispatch([self.req(f"R{i}", {"Sleep": sleep,
                                                        "RecordFile": self.record})
                                    for i in range(n)])
        took = time.monotonic() - start
        self.assertTrue(all(r["Status"] == "SUCCESS" for r in results.values()))
        spans = [(r["StartMs"], r["EndMs"]) for r in self.records()]
        self.assertEqual(len(spans), n)
        latest_start = max(s for s, _ in spans)
        earliest_end = min(e for _, e in spans)
        self.assertLess(latest_start, earliest_end, "all eight handlers ran at once")
        self.assertLess(took, n * sleep / 1000 / 2, f"{took:.2f} s for {n} x {sleep} ms")

    def test_builtin_and_native_types_go_to_cfnkit(self):
        results, _ = self.dispatch([
            self.req("Handle", {}, type_="AWS::CloudFormation::WaitConditionHandle"),
        ], args=("--self", self.tool))
        handle = results["Handle"]
        self.assertEqual(handle["Status"], "SUCCESS", handle.get("Reason"))
        self.assertTrue(handle["PhysicalResourceId"].startswith(
            "https://cloudformation-waitcondition-us-east-1.s3.amazonaws.com/"))

    def test_a_type_nobody_serves_is_refused_before_anything_runs(self):
        _, res = self.dispatch([self.req("Nope", {}, type_="Custom::Nope")], expect_rc=2)
        self.assertIn("no provider serves Custom::Nope", res.stderr)

    def test_a_type_served_twice_is_refused(self):
        _, res = self.dispatch([], args=("--provider", self.provider), expect_rc=2)
        self.assertIn("Custom::Test is served by both", res.stderr)

    def test_a_custom_resource_needs_a_service_token_and_a_valid_timeout(self):
        req = self.req("A", {})
        del req["Properties"]["ServiceToken"]
        _, res = self.dispatch([req], expect_rc=2)
        self.assertIn("A (Custom::Test) has no ServiceToken", res.stderr)
        _, res = self.dispatch([self.req("B", {"ServiceTimeout": "3601"})], expect_rc=2)
        self.assertIn("ServiceTimeout must be a whole number of seconds from 1 to 3600",
                      res.stderr)


class DispatchAws(unittest.TestCase):
    """A built-in module through the dispatcher, against moto_server: the
    provider gets the engine's AWS settings."""

    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        cls.driver = program("CFNKIT_DISPATCH_DRIVER")
        cls.tool = program("CFNKIT_TOOL")

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def test_unique_port_is_allocated_in_the_local_dynamodb(self):
        table = "ports-" + uuid.uuid4().hex[:8]
        table_from_template(self.moto, table)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "requests.json")
            with open(path, "w") as f:
                json.dump([{"RequestType": "Create", "LogicalResourceId": "Port",
                            "ResourceType": "Custom::UniquePort",
                            "Properties": {"ServiceToken": TOKEN, "Key": "web",
                                           "PortRange": "20000-20009", "TableName": table}}], f)
            res = run([self.driver, "--self", self.tool, path], env=self.moto.env(), timeout=120)
        self.assertEqual(res.returncode, 0, res.stderr)
        result = json.loads(res.stdout)
        self.assertEqual(result["Status"], "SUCCESS", result.get("Reason"))
        port = int(result["Data"]["Port"])
        self.assertTrue(20000 <= port <= 20009)
        items = self.moto.client("dynamodb").scan(TableName=table)["Items"]
        self.assertIn(str(port), json.dumps(items))


if __name__ == "__main__":
    unittest.main()
