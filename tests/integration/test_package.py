"""The Lambda package of tools/package.sh: self-contained (every library and
the loader come from the package), and serving Custom::UniquePort as a
`provided` bootstrap under @vercel/fun against the local AWS."""

import json
import os
import stat
import subprocess
import tempfile
import unittest
import zipfile

from harness import HERE, Moto, ResponseBucket, program, request, run
from test_lambda_runtime import fun_available

ROOT = os.path.join(HERE, "..", "..")


def extract(zip_path, dest):
    with zipfile.ZipFile(zip_path) as z:
        for info in z.infolist():
            path = z.extract(info, dest)
            os.chmod(path, (info.external_attr >> 16) & 0o777)


class ProviderPackage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.zip = os.path.join(cls.tmp.name, "cfnkit-provider.zip")
        res = run([os.path.join(ROOT, "tools", "package.sh"), "--tool", program("CFNKIT_PROVIDER"),
                   "--out", cls.zip], timeout=300)
        if res.returncode != 0:
            raise RuntimeError(res.stdout + res.stderr)
        cls.task = os.path.join(cls.tmp.name, "task")
        extract(cls.zip, cls.task)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_layout_and_permissions(self):
        names = zipfile.ZipFile(self.zip).namelist()
        self.assertIn("bootstrap", names)
        self.assertIn("bin/cfnkit", names)
        self.assertTrue(any(n.startswith("lib/ld-linux") for n in names))
        self.assertTrue(any(n.startswith("lib/libc.so") for n in names))
        self.assertTrue(os.stat(os.path.join(self.task, "bootstrap")).st_mode & stat.S_IXUSR)

    def test_every_library_comes_from_the_package(self):
        lib = os.path.join(self.task, "lib")
        loader = [n for n in os.listdir(lib) if n.startswith("ld-linux")][0]
        out = subprocess.run([os.path.join(lib, loader), "--library-path", lib, "--list",
                              os.path.join(self.task, "bin", "cfnkit")], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        resolved = [line.split("=>")[1].split()[0] for line in out.stdout.splitlines() if "=> /" in line]
        self.assertTrue(resolved)
        outside = [p for p in resolved if not os.path.realpath(p).startswith(os.path.realpath(lib))]
        self.assertEqual(outside, [])

    def test_bootstrap_runs_with_an_empty_environment(self):
        out = subprocess.run(["env", "-i", os.path.join(self.task, "bootstrap"), "--version"],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("cfnkit", out.stdout)
        types = subprocess.run(["env", "-i", os.path.join(self.task, "bootstrap"), "types"],
                               capture_output=True, text=True, timeout=30)
        self.assertIn("Custom::UniquePort", types.stdout)

    @unittest.skipUnless(fun_available(), "@vercel/fun is not installed (tools/setup.sh installs it)")
    def test_serves_unique_port_under_a_lambda_runtime(self):
        moto = Moto()
        try:
            bucket = ResponseBucket(moto)
            moto.client("dynamodb").create_table(
                TableName="provider-ports", BillingMode="PAY_PER_REQUEST",
                KeySchema=[{"AttributeName": "pool", "KeyType": "HASH"},
                           {"AttributeName": "port", "KeyType": "RANGE"}],
                AttributeDefinitions=[{"AttributeName": "pool", "AttributeType": "S"},
                                      {"AttributeName": "port", "AttributeType": "N"}])
            payloads = [request("Create", "Custom::UniquePort", bucket.presign("pkg/create"),
                                {"Key": "pkg", "PortRange": "40000-40099"})]
            env = dict(moto.env(), CFNKIT_UNIQUE_PORT_TABLE="provider-ports", AWS_LAMBDA_FUNCTION_TIMEOUT="30",
                       CFNKIT_RESPONSE_URL_ALLOW="127.0.0.1")
            with tempfile.TemporaryDirectory() as tmp:
                pfile, efile = os.path.join(tmp, "p.json"), os.path.join(tmp, "e.json")
                with open(pfile, "w") as f:
                    json.dump(payloads, f)
                with open(efile, "w") as f:
                    json.dump(env, f)
                res = run(["node", os.path.join(HERE, "fun_invoke.js"), self.task, pfile, efile], timeout=240)
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertIsNone(json.loads(res.stdout)[0]["FunctionError"])
            body = bucket.read("pkg/create")
            self.assertEqual(body["Status"], "SUCCESS", body.get("Reason"))
            port = int(body["Data"]["Port"])
            item = moto.client("dynamodb").get_item(TableName="provider-ports", Key={
                "pool": {"S": "pool#pkg"}, "port": {"N": str(port)}})
            self.assertIn("Item", item)
        finally:
            moto.stop()


if __name__ == "__main__":
    unittest.main()
