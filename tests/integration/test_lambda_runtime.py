"""A program built on cfn_main serving as a `provided` bootstrap under a real
Lambda Runtime API (@vercel/fun), with responses PUT to the local S3."""

import json
import os
import shutil
import tempfile
import unittest

from harness import HERE, Moto, ResponseBucket, RuntimeApi, program, request, run


def fun_available():
    return os.path.isdir(os.path.join(HERE, "node_modules", "@vercel", "fun")) and shutil.which("node")


@unittest.skipUnless(fun_available(), "@vercel/fun is not installed (tools/setup.sh installs it)")
class LambdaRuntimeUnderFun(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        cls.bucket = ResponseBucket(cls.moto)
        cls.task = tempfile.mkdtemp()
        shutil.copy(program("CFNKIT_TESTMOD"), os.path.join(cls.task, "bootstrap"))

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()
        shutil.rmtree(cls.task, ignore_errors=True)

    def run_fun(self, payloads, env):
        with tempfile.TemporaryDirectory() as tmp:
            pfile, efile = os.path.join(tmp, "p.json"), os.path.join(tmp, "e.json")
            with open(pfile, "w") as f:
                json.dump(payloads, f)
            with open(efile, "w") as f:
                # Responses go to the local S3 on loopback, which must be allowed.
                json.dump(dict(env, CFNKIT_RESPONSE_URL_ALLOW="127.0.0.1"), f)
            res = run(["node", os.path.join(HERE, "fun_invoke.js"), self.task, pfile, efile],
                      timeout=240)
        self.assertEqual(res.returncode, 0, res.stderr)
        return json.loads(res.stdout), res.stderr

    def test_requests_crash_hang_and_recovery(self):
        def url(key):
            return self.bucket.presign(key)

        payloads = [
            request("Create", "Custom::Echo", url("rt/create1"), {"Message": "one"}, request_id="r1"),
            request("Create", "Custom::Misbehave", url("rt/segv"), {"Mode": "segv"}, request_id="r2"),
            request("Create", "Custom::Misbehave", url("rt/hang"), {"Mode": "hang"}, request_id="r3"),
            {"RequestType": "Create", "RequestId": "no-url"},
            request("Create", "Custom::Echo", url("rt/create2"), {"Message": "two"}, request_id="r4"),
            request("Update", "Custom::Echo", url("rt/update"), {"Message": "three"},
                    physical_id="the-id", old={"Message": "two"}, request_id="r5"),
            request("Delete", "Custom::Echo", url("rt/delete"), {"Message": "three"},
                    physical_id="the-id", request_id="r6"),
        ]
        results, logs = self.run_fun(payloads, {"AWS_LAMBDA_FUNCTION_TIMEOUT": "3"})
        self.assertEqual(len(results), len(payloads))

        # The undeliverable one is the invocation's error, and only that one.
        errors = [i for i, r in enumerate(results) if r["FunctionError"]]
        self.assertEqual(errors, [3])
        err = json.loads(results[3]["Payload"])
        self.assertEqual(err["errorType"], "cfnkit.ResponseNotDelivered")
        self.assertIn("no ResponseURL", err["errorMessage"])

        one, two = self.bucket.read("rt/create1"), self.bucket.read("rt/create2")
        self.assertEqual((one["Status"], one["Data"]["Echo"]), ("SUCCESS", "one"))
        self.assertEqual((two["Status"], two["Data"]["Echo"]), ("SUCCESS", "two"))
        # Same runtime process before and after the crash and the hang.
        self.assertEqual(one["Data"]["RuntimePid"], two["Data"]["RuntimePid"])
        segv, hang = self.bucket.read("rt/segv"), self.bucket.read("rt/hang")
        self.assertEqual(segv["Status"], "FAILED")
        self.assertIn("crashed: signal 11 (SIGSEGV)", segv["Reason"])
        self.assertEqual(hang["Status"], "FAILED")
        self.assertIn("timed out after 2.0 s", hang["Reason"])
        self.assertEqual(self.bucket.read("rt/update")["PhysicalResourceId"], "the-id")
        self.assertEqual(self.bucket.read("rt/delete")["Status"], "SUCCESS")
        # Exactly one response per answerable request.
        self.assertEqual(self.bucket.keys(), sorted(
            ["rt/create1", "rt/segv", "rt/hang", "rt/create2", "rt/update", "rt/delete"]))
        # The invocation result names what was delivered.
        ok = json.loads(results[0]["Payload"])
        self.assertEqual(ok["responses"][0]["Status"], "SUCCESS")
        self.assertNotIn("X-Amz-Signature", logs)


class RuntimeLoopDetails(unittest.TestCase):
    """The loop against a minimal loopback Runtime API that records sockets."""

    def test_connections_are_reused_and_exit_is_clean(self):
        api = RuntimeApi([request("Create", "Custom::Echo", None, {"Message": str(i)}, request_id=f"r{i}")
                          for i in range(20)])
        for p in api.payloads:
            p["ResponseURL"] = api.response_url
        try:
            proc = api.run(program("CFNKIT_TESTMOD"), timeout=120)
        finally:
            api.close()
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("is gone", proc.stderr)
        self.assertEqual(len(api.puts), 20)
        self.assertEqual([path for path, _ in api.results],
                         [f"/2018-06-01/runtime/invocation/inv-{i}/response" for i in range(20)])
        # 20 GETs, 20 PUTs and 20 POSTs, then the GETs that find the API gone:
        # one connection carries them all until the server closes it.
        self.assertEqual(len(set(api.ports[:60])), 1, api.ports)

    def test_no_types_is_an_init_error(self):
        api = RuntimeApi([])
        try:
            proc = api.run(program("CFNKIT_NOTYPES"), timeout=60)
        finally:
            api.close()
        self.assertEqual(proc.returncode, 1)
        self.assertEqual([path for path, _ in api.results], ["/2018-06-01/runtime/init/error"])
        self.assertIn("no resource types are registered", api.results[0][1].decode())


if __name__ == "__main__":
    unittest.main()
