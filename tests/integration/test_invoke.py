"""`invoke` of a program built on cfn_main: responses PUT to presigned URLs of
the local S3 (moto) and read back with boto3 and the AWS CLI."""

import json
import os
import socket
import subprocess
import time
import unittest

from harness import Moto, ResponseBucket, StubEndpoint, TlsEndpoint, event, program, request, run


class InvokeAgainstLocalS3(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        cls.bucket = ResponseBucket(cls.moto)
        cls.prog = program("CFNKIT_TESTMOD")

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def invoke(self, ev, *extra, env=None):
        text = ev if isinstance(ev, str) else json.dumps(ev)
        return run([self.prog, "invoke", "--event", "-", *extra], stdin=text, env=env)

    def roundtrip(self, key, action, rtype, props, expect_code, **kw):
        url = self.bucket.presign(key)
        res = self.invoke(request(action, rtype, url, props, **kw))
        self.assertEqual(res.returncode, expect_code, res.stderr)
        self.assertNotIn("X-Amz-Signature", res.stdout + res.stderr)
        return self.bucket.read(key), res

    def test_create_update_delete(self):
        body, res = self.roundtrip("echo/create", "Create", "Custom::Echo", {"Message": "hi"}, 0)
        self.assertEqual(body["Status"], "SUCCESS")
        self.assertEqual(body["Data"]["Echo"], "hi")
        self.assertTrue(body["PhysicalResourceId"].startswith("ports-WebPort-"))
        self.assertEqual(body["LogicalResourceId"], "WebPort")
        self.assertEqual(set(body), {"Status", "PhysicalResourceId", "StackId", "RequestId",
                                     "LogicalResourceId", "NoEcho", "Data"})
        self.assertIn("SUCCESS delivered to http://127.0.0.1:", res.stdout)
        pid = body["PhysicalResourceId"]
        body, _ = self.roundtrip("echo/update", "Update", "Custom::Echo", {"Message": "new"}, 0,
                                 physical_id=pid, old={"Message": "hi"})
        self.assertEqual((body["PhysicalResourceId"], body["Data"]["Echo"]), (pid, "new"))
        body, _ = self.roundtrip("echo/replace", "Update", "Custom::Echo",
                                 {"Message": "m", "Replace": "true"}, 0, physical_id=pid)
        self.assertEqual(body["PhysicalResourceId"], "replaced-id")
        body, _ = self.roundtrip("echo/delete", "Delete", "Custom::Echo", {"Message": "m"}, 0,
                                 physical_id=pid)
        self.assertEqual((body["Status"], body["PhysicalResourceId"]), ("SUCCESS", pid))

    def test_response_read_with_aws_cli(self):
        url = self.bucket.presign("cli/create")
        res = self.invoke(request("Create", "Custom::Echo", url, {"Message": "cli"}))
        self.assertEqual(res.returncode, 0, res.stderr)
        out = subprocess.run(["aws", "--endpoint-url", self.moto.url, "s3", "cp",
                              f"s3://{self.bucket.name}/cli/create", "-"],
                             capture_output=True, text=True, env=dict(os.environ, **self.moto.env()),
                             timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(json.loads(out.stdout)["Data"]["Echo"], "cli")

    def test_duplicate_delivery_gets_the_same_id(self):
        a, _ = self.roundtrip("dup/1", "Create", "Custom::Echo", {"Message": "x"}, 0)
        b, _ = self.roundtrip("dup/2", "Create", "Custom::Echo", {"Message": "x"}, 0)
        self.assertEqual(a["PhysicalResourceId"], b["PhysicalResourceId"])

    def test_failures_each_answered_once(self):
        cases = {"segv": "crashed: signal 11 (SIGSEGV)", "abort": "crashed: signal 6 (SIGABRT)",
                 "exit": "ended without reporting a result",
                 "silent": "failed without giving a reason",
                 "hang": "timed out after 2.0 s"}
        for mode, reason in cases.items():
            with self.subTest(mode=mode):
                url = self.bucket.presign(f"fail/{mode}")
                res = self.invoke(request("Create", "Custom::Misbehave", url, {"Mode": mode}),
                                  "--timeout", "3")
                self.assertEqual(res.returncode, 1, res.stderr)
                body = self.bucket.read(f"fail/{mode}")
                self.assertEqual(body["Status"], "FAILED")
                self.assertIn(reason, body["Reason"])
                self.assertTrue(body["PhysicalResourceId"].startswith("cfnkit-failed-create-"))

    def test_delete_after_failed_create_succeeds(self):
        body, _ = self.roundtrip("marker/create", "Create", "Custom::Misbehave", {"Mode": "segv"}, 1)
        marker = body["PhysicalResourceId"]
        body, _ = self.roundtrip("marker/delete", "Delete", "Custom::Misbehave", {"Mode": "segv"},
                                 0, physical_id=marker)
        self.assertEqual((body["Status"], body["PhysicalResourceId"]), ("SUCCESS", marker))

    def test_reason_is_cleaned_and_fitted(self):
        body, _ = self.roundtrip("reason/escape", "Create", "Custom::Misbehave", {"Mode": "escape"}, 1)
        self.assertEqual(body["Reason"], "bad[31m value second line: caf\u00e9")
        url = self.bucket.presign("reason/long")
        self.invoke(request("Create", "Custom::Misbehave", url, {"Mode": "long-reason"}))
        raw = self.bucket.s3.get_object(Bucket=self.bucket.name, Key="reason/long")["Body"].read()
        self.assertLessEqual(len(raw), 4096)
        self.assertIn("[truncated;", json.loads(raw)["Reason"])

    def test_oversize_data_is_a_clear_failure(self):
        body, _ = self.roundtrip("data/big", "Create", "Custom::Misbehave", {"Mode": "big-data"}, 1)
        self.assertIn("response Data is too large", body["Reason"])
        self.assertNotIn("Data", body)

    def test_bad_properties_named(self):
        body, _ = self.roundtrip("props/missing", "Create", "Custom::Echo", {}, 1)
        self.assertEqual(body["Reason"], "property Message is required but missing")
        body, _ = self.roundtrip("props/int", "Create", "Custom::Misbehave",
                                 {"Mode": "sleep", "Millis": "ten"}, 1)
        self.assertEqual(body["Reason"], 'property Millis must be an integer, got "ten"')
        body, _ = self.roundtrip("props/bool", "Create", "Custom::Echo",
                                 {"Message": "m", "Secret": "maybe"}, 1)
        self.assertIn("property Secret must be a boolean", body["Reason"])

    def test_unknown_type_and_request_type(self):
        body, _ = self.roundtrip("unknown/type", "Create", "Custom::Nope", {}, 1)
        self.assertIn("unknown ResourceType Custom::Nope (this provider serves: Custom::Echo, "
                      "Custom::Misbehave)", body["Reason"])
        url = self.bucket.presign("unknown/rt")
        ev = request("Create", "Custom::Echo", url, {"Message": "m"})
        ev["RequestType"] = "Rename"
        res = self.invoke(ev)
        self.assertEqual(res.returncode, 1)
        self.assertIn('unknown RequestType "Rename"', self.bucket.read("unknown/rt")["Reason"])

    def test_malformed_requests(self):
        res = self.invoke("{not json")
        self.assertEqual(res.returncode, 2)
        self.assertIn("not valid JSON", res.stderr)
        url = self.bucket.presign("malformed/missing")
        res = self.invoke({"RequestType": "Create", "ResponseURL": url, "RequestId": "r"})
        self.assertEqual(res.returncode, 1)
        reason = self.bucket.read("malformed/missing")["Reason"]
        for name in ("StackId", "ResourceType", "LogicalResourceId", "ResourceProperties"):
            self.assertIn(name, reason)
        res = self.invoke({"RequestType": "Create", "RequestId": "r"})
        self.assertEqual(res.returncode, 2)
        self.assertIn("no ResponseURL", res.stderr)

    def test_sns_wrapped_request(self):
        url = self.bucket.presign("sns/create")
        ev = event("create-via-sns.json")
        inner = json.loads(ev["Records"][0]["Sns"]["Message"])
        inner.update(ResponseURL=url, ResourceType="Custom::Echo",
                     ResourceProperties={"ServiceToken": "t", "Message": "via sns"})
        ev["Records"][0]["Sns"]["Message"] = json.dumps(inner)
        res = self.invoke(ev)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(self.bucket.read("sns/create")["Data"]["Echo"], "via sns")

    def test_noecho_never_printed_or_logged(self):
        url = self.bucket.presign("noecho/create")
        res = self.invoke(request("Create", "Custom::Echo", url,
                                  {"Message": "hunter2-secret", "Secret": "true"}),
                          env={"AWS_LAMBDA_LOG_LEVEL": "TRACE"})
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertNotIn("hunter2-secret", res.stdout + res.stderr)
        body = self.bucket.read("noecho/create")
        self.assertEqual((body["NoEcho"], body["Data"]["Echo"]), (True, "hunter2-secret"))

    def test_json_log_lines(self):
        url = self.bucket.presign("log/json")
        res = self.invoke(request("Create", "Custom::Echo", url, {"Message": "m"}),
                          env={"AWS_LAMBDA_LOG_FORMAT": "JSON"})
        lines = [json.loads(line) for line in res.stderr.splitlines()]
        summary = [entry for entry in lines if entry.get("outcome")]
        self.assertEqual(len(summary), 1)
        self.assertEqual(summary[0]["resourceType"], "Custom::Echo")
        self.assertEqual(summary[0]["logicalResourceId"], "WebPort")
        self.assertEqual(summary[0]["requestType"], "Create")
        self.assertEqual(summary[0]["outcome"], "SUCCESS")
        self.assertIn("durationMs", summary[0])

    def test_event_file_and_cli_errors(self):
        res = run([self.prog, "invoke", "--event", "/nonexistent/event.json"])
        self.assertEqual(res.returncode, 2)
        self.assertIn("cannot read /nonexistent/event.json", res.stderr)
        self.assertEqual(run([self.prog, "invoke"]).returncode, 2)
        self.assertEqual(run([self.prog, "invoke", "--event", "-", "--timeout", "0"]).returncode, 2)
        self.assertEqual(run([self.prog, "frobnicate"]).returncode, 2)
        res = run([self.prog, "--help"])
        self.assertEqual(res.returncode, 0)
        self.assertIn("invoke --event FILE|-", res.stdout)
        self.assertIn("cfnkit", run([self.prog, "--version"]).stdout)
        self.assertEqual(run([self.prog, "types"]).stdout.split(), ["Custom::Echo", "Custom::Misbehave"])


class InvokeAgainstStubEndpoint(unittest.TestCase):
    """Delivery against a loopback endpoint that misbehaves on purpose."""

    @classmethod
    def setUpClass(cls):
        cls.prog = program("CFNKIT_TESTMOD")

    def invoke_to(self, stub, *extra):
        ev = request("Create", "Custom::Echo", stub.url + "/resp?X-Amz-Signature=secret", {"Message": "m"})
        return run([self.prog, "invoke", "--event", "-", *extra], stdin=json.dumps(ev))

    def test_fails_twice_then_accepts(self):
        stub = StubEndpoint([500, 0], then=200)
        try:
            res = self.invoke_to(stub)
        finally:
            stub.close()
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(len(stub.received), 3)
        self.assertEqual(len({r["body"] for r in stub.received}), 1)
        self.assertIn("retrying", res.stderr)
        self.assertNotIn("secret", res.stderr + res.stdout)

    def test_always_fails_is_bounded(self):
        stub = StubEndpoint([], then=503)
        try:
            res = self.invoke_to(stub, "--timeout", "4")
        finally:
            stub.close()
        self.assertEqual(res.returncode, 2)
        self.assertIn("not delivered after", res.stderr)
        self.assertGreaterEqual(len(stub.received), 2)
        self.assertLessEqual(len(stub.received), 8)

    def test_endpoint_that_hangs_once_still_gets_the_response(self):
        # One attempt may take a third of the time left: with 8 s, a stalled
        # first PUT leaves time for a second one.
        stub = StubEndpoint([-1], then=200)
        try:
            start = time.monotonic()
            res = self.invoke_to(stub, "--timeout", "8")
            took = time.monotonic() - start
        finally:
            stub.close()
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(len(stub.received), 2)
        self.assertIn("retrying", res.stderr)
        self.assertLess(took, 8)

    def test_untrusted_certificate_is_not_retried(self):
        tls = TlsEndpoint()
        try:
            res = self.invoke_to(tls, "--timeout", "10")
        finally:
            tls.close()
        self.assertEqual(res.returncode, 2, res.stderr)
        self.assertIn("certificate", res.stderr)
        self.assertNotIn("retrying", res.stderr)
        self.assertEqual(tls.connections, 1)

    def test_unreachable_endpoint(self):
        ev = request("Create", "Custom::Echo", "http://127.0.0.1:9/resp?X-Amz-Signature=secret",
                     {"Message": "m"})
        res = run([self.prog, "invoke", "--event", "-", "--timeout", "3"], stdin=json.dumps(ev))
        self.assertEqual(res.returncode, 2)
        self.assertIn("http://127.0.0.1:9/resp", res.stderr)
        self.assertNotIn("secret", res.stderr)

    def test_request_has_no_content_type_and_exact_length(self):
        stub = StubEndpoint([], then=200)
        try:
            res = self.invoke_to(stub)
        finally:
            stub.close()
        self.assertEqual(res.returncode, 0, res.stderr)
        got = stub.received[0]
        self.assertEqual(got["headers"].get("Content-Type", ""), "")
        self.assertEqual(int(got["headers"]["Content-Length"]), len(got["body"]))
        self.assertEqual(json.loads(got["body"])["Status"], "SUCCESS")
        port = stub.url.rsplit(":", 1)[1]
        self.assertIn(f"response delivered to {stub.url}/resp at 127.0.0.1:{port}", res.stderr)


class InvokeRefusesResponseURLs(unittest.TestCase):
    """A ResponseURL outside the policy is refused before any connection: a
    loopback listener that must see nothing."""

    @classmethod
    def setUpClass(cls):
        cls.prog = program("CFNKIT_TESTMOD")

    def setUp(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]

    def tearDown(self):
        self.listener.close()

    def assert_refused(self, url, allow):
        ev = request("Create", "Custom::Echo", url, {"Message": "m"})
        res = run([self.prog, "invoke", "--event", "-", "--timeout", "5"], stdin=json.dumps(ev),
                  env={"CFNKIT_RESPONSE_URL_ALLOW": allow})
        self.assertEqual(res.returncode, 2, res.stderr)
        self.assertIn("ResponseURL refused", res.stderr)
        self.assertNotIn("secret", res.stderr + res.stdout)
        self.listener.settimeout(0.3)
        with self.assertRaises(socket.timeout, msg=f"{url} was contacted"):
            self.listener.accept()[0].close()
        return res

    def test_unlisted_host_is_refused(self):
        res = self.assert_refused(f"http://127.0.0.1:{self.port}/resp?X-Amz-Signature=secret", "")
        self.assertIn("CFNKIT_RESPONSE_URL_ALLOW", res.stderr)
        self.assert_refused(f"http://127.0.0.1:{self.port}/resp?X-Amz-Signature=secret",
                            "localhost, 127.0.0.1:1")

    def test_odd_forms_are_refused_even_when_listed(self):
        for host in ["user:secret@127.0.0.1", "127.0.0.1\\@bucket.s3.amazonaws.com", "2130706433",
                     "0x7f000001", "0x7f.0.0.1", "0177.0.0.1", "127.1", "127.0.0.1.", "127.0.0.%31"]:
            with self.subTest(host=host):
                self.assert_refused(f"http://{host}:{self.port}/resp?X-Amz-Signature=secret",
                                    "127.0.0.1,2130706433,127.1")

    def test_listed_host_is_answered(self):
        self.listener.close()
        stub = StubEndpoint([], then=200)
        try:
            ev = request("Create", "Custom::Echo", stub.url + "/r", {"Message": "m"})
            res = run([self.prog, "invoke", "--event", "-"], stdin=json.dumps(ev),
                      env={"CFNKIT_RESPONSE_URL_ALLOW": "localhost,127.0.0.1"})
        finally:
            stub.close()
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(len(stub.received), 1)


if __name__ == "__main__":
    unittest.main()
