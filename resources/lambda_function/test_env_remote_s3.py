"""Custom::LambdaFunction on code objects above env_remote's threshold,
against the local AWS (moto_server): the package is built inside S3 by a
multipart upload of range copies, byte for byte as the local rewrite where
the layout allows, read back with zipfile and python-dotenv where it cannot
(an existing .env first or in the middle, zip64, data descriptors); only a
few hundred KB pass through the provider; any failure aborts the upload and
leaves nothing; a package finished meanwhile by another request is kept."""

import http.client
import http.server
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import unittest
import zipfile

import dotenv

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
from harness import ModuleTest, free_port  # noqa: E402

ASSUME = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
MIB = 1024 * 1024
ENV_TEXT = "# from the build\nEXISTING=kept\nTABLE=from-build\n"
SETTINGS = {"TABLE": "hits-dev", "TRICKY": 'say "hi" ${HOME} $5'}


class Unseekable(io.RawIOBase):
    """A write-only stream: zipfile then writes data descriptors."""

    def __init__(self):
        self.buf = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.buf += b
        return len(b)


def package(env_at, entries=40, megabytes=20, stream=False, env_text=ENV_TEXT):
    """A zip of about `megabytes` (random, stored, so its size is known),
    small deflated sources, and the .env at "first", "middle", "last" or
    None (absent)."""
    out = Unseekable() if stream else io.BytesIO()
    blob = megabytes * MIB // (entries // 2)
    names = [f"src/m{i:05d}.py" if i % 2 else f"assets/b{i:05d}.bin" for i in range(entries)]
    at = {"first": 0, "middle": entries // 2, "last": entries, None: -1}[env_at]
    with zipfile.ZipFile(out, "w") as z:
        for i, name in enumerate(names + [None]):
            if i == at:
                z.writestr(zipfile.ZipInfo(".env", (2024, 1, 1, 0, 0, 0)), env_text,
                           zipfile.ZIP_DEFLATED)
            if name is None:
                break
            info = zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0))
            if name.endswith(".bin"):
                data, info.compress_type = os.urandom(blob), zipfile.ZIP_STORED
            else:
                data, info.compress_type = f"VALUE = {i}\n".encode() * 50, zipfile.ZIP_DEFLATED
            if stream:
                with z.open(info, "w") as f:
                    f.write(data)
            else:
                z.writestr(info, data)
    return bytes(out.buf) if stream else out.getvalue()


class Proxy:
    """A loopback proxy in front of moto's S3: counts the bytes each request
    moves and can answer a chosen request itself."""

    def __init__(self, target):
        self.target = target
        self.log = []
        self.fault = None  # (method, path, headers) -> (status, body) or None
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def handle_one(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                canned = proxy.fault and proxy.fault(self.command, self.path, self.headers)
                if canned:
                    status, out, headers = canned[0], canned[1], {}
                else:
                    conn = http.client.HTTPConnection("127.0.0.1", proxy.target, timeout=120)
                    conn.request(self.command, self.path, body, dict(self.headers.items()))
                    res = conn.getresponse()
                    status, out = res.status, res.read()
                    headers = {k: v for k, v in res.getheaders()
                               if k.lower() not in ("transfer-encoding", "connection",
                                                    "content-length")}
                    if self.command == "HEAD":
                        headers["Content-Length"] = res.getheader("Content-Length", "0")
                    conn.close()
                proxy.log.append({"method": self.command, "path": self.path,
                                  "range": self.headers.get("Range"),
                                  "copy": self.headers.get("x-amz-copy-source-range"),
                                  "sent": len(body), "received": len(out), "status": status})
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if self.command != "HEAD":
                    self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(out)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_one

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.port}"

    def moved(self):
        return sum(e["sent"] + e["received"] for e in self.log)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class EnvRemote(ModuleTest):
    resource_type = "Custom::LambdaFunction"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s3 = cls.moto.client("s3")
        cls.lam = cls.moto.client("lambda")
        cls.role = cls.moto.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=ASSUME)[
            "Role"]["Arn"]
        cls.s3.create_bucket(Bucket="code")
        cls.proxy = Proxy(cls.moto.port)
        cls.local_tool = os.path.join(os.environ.get("CFNKIT_BUILD_DIR", ""), "tests", "bench",
                                      "bench_envzip")

    @classmethod
    def tearDownClass(cls):
        cls.proxy.close()
        super().tearDownClass()

    def setUp(self):
        self.proxy.log.clear()
        self.proxy.fault = None

    def deploy(self, key, data, name, expect="SUCCESS", env=SETTINGS):
        self.s3.put_object(Bucket="code", Key=key, Body=data)
        props = {"Code": {"S3Bucket": "code", "S3Key": key}, "Handler": "index.handler",
                 "Runtime": "python3.12", "Role": self.role, "FunctionName": name, "Env": env}
        body = self.invoke("Create", props, logical=name.replace("-", ""),
                           env={"AWS_ENDPOINT_URL_S3": self.proxy.url}, expect=expect)
        self.assertEqual(self.s3.get_object(Bucket="code", Key=key)["Body"].read(), data)
        return body

    def artifact(self, name):
        arn = self.lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
        where = self.lam.list_tags(Resource=arn)["Tags"]["cfnkit:artifact"]
        bucket, key = where[5:].split("/", 1)
        return key, self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()

    def local_rewrite(self, data):
        if not os.path.exists(self.local_tool):
            self.skipTest("bench_envzip is not built (CFNKIT_BUILD_DIR)")
        with tempfile.NamedTemporaryFile(suffix=".zip") as f, \
                tempfile.NamedTemporaryFile(suffix=".zip") as out:
            f.write(data)
            f.flush()
            subprocess.run([self.local_tool, f.name, out.name]
                           + [f"{k}={v}" for k, v in SETTINGS.items()], check=True, timeout=60)
            with open(out.name, "rb") as r:
                return r.read()

    def read_back(self, original, built, had_env=True):
        """Every entry of the original but the .env, the same; the .env read
        back with python-dotenv; the .env in the directory once."""
        with zipfile.ZipFile(io.BytesIO(original)) as zo, zipfile.ZipFile(io.BytesIO(built)) as zb:
            self.assertIsNone(zb.testzip())
            names = [i.filename for i in zb.infolist()]
            self.assertEqual(names.count(".env"), 1)
            self.assertEqual(sorted(n for n in names if n != ".env"),
                             sorted(i.filename for i in zo.infolist() if i.filename != ".env"))
            for info in zo.infolist():
                if info.filename != ".env":
                    self.assertEqual(zb.read(info.filename), zo.read(info.filename), info.filename)
            env = dotenv.dotenv_values(stream=io.StringIO(zb.read(".env").decode()))
        want = dict(SETTINGS, EXISTING="kept") if had_env else dict(SETTINGS)
        self.assertEqual(dict(env), want)

    def no_uploads_left(self):
        self.assertEqual(self.s3.list_multipart_uploads(Bucket="code").get("Uploads", []), [])

    def test_env_last_and_absent_byte_for_byte(self):
        for where in ("last", None):
            with self.subTest(env=where):
                self.proxy.log.clear()
                data = package(where)
                self.assertGreater(len(data), 16 * MIB)
                name = f"fn-{where or 'absent'}"
                self.deploy(f"b/{name}.zip", data, name)
                key, built = self.artifact(name)
                self.assertRegex(key, rf"^b/{name}-[0-9a-f]{{16}}\.zip$")
                self.assertEqual(built, self.local_rewrite(data))
                # Never the whole object: ranged reads only, and a few
                # hundred KB through the provider for 20 MB.
                gets = [e for e in self.proxy.log if e["method"] == "GET" and "/code/b/" in e["path"]]
                self.assertTrue(gets and all(e["range"] for e in gets), gets)
                self.assertLess(self.proxy.moved(), 512 * 1024)
                self.assertTrue(any(e["copy"] for e in self.proxy.log))
                self.no_uploads_left()

    def test_env_first_and_middle_left_out(self):
        for where in ("first", "middle"):
            with self.subTest(env=where):
                self.proxy.log.clear()
                data = package(where)
                name = f"fn-{where}"
                self.deploy(f"f/{name}.zip", data, name)
                _, built = self.artifact(name)
                self.read_back(data, built)
                # The old .env (a few dozen bytes) is not copied.
                old = zipfile.ZipFile(io.BytesIO(data)).getinfo(".env")
                self.assertLess(len(built), len(data) + 4096)
                copied = [e["copy"] for e in self.proxy.log if e["copy"]]
                start = old.header_offset
                for c in copied:
                    first, last = (int(x) for x in c.split("=")[1].split("-"))
                    self.assertTrue(last < start or first > start + 30, (c, start))
                # Middle: the range before it is < 5 MiB... or not: either
                # way moto accepted the parts (EntityTooSmall otherwise).
                self.no_uploads_left()

    def test_zip64_and_data_descriptors(self):
        # 70,000 entries: zip64 end records; the .env last: as the local rewrite.
        data = package("last", entries=70000, megabytes=18)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            self.assertEqual(len(z.infolist()), 70001)
        self.deploy("z/zip64.zip", data, "fn-zip64")
        _, built = self.artifact("fn-zip64")
        self.assertEqual(built, self.local_rewrite(data))
        self.assertIn(b"PK\x06\x06", built[-200:])
        # Streamed entries with data descriptors, the .env among them.
        data = package("middle", stream=True)
        self.assertTrue(zipfile.ZipFile(io.BytesIO(data)).getinfo(".env").flag_bits & 0x08)
        self.deploy("z/dd.zip", data, "fn-dd")
        _, built = self.artifact("fn-dd")
        self.read_back(data, built)
        self.no_uploads_left()

    def test_key_with_spaces_and_non_ascii(self):
        # The copy source is an encoded header: a key S3 must decode right.
        data = package("middle", entries=20)
        self.deploy("odd dir/app +1 \u00e9.zip", data, "fn-odd")
        key, built = self.artifact("fn-odd")
        self.assertTrue(key.startswith("odd dir/app +1 \u00e9-"), key)
        self.read_back(data, built)
        self.assertTrue(any(e["copy"] for e in self.proxy.log))

    def test_same_input_same_key_built_once(self):
        data = package("middle", entries=20)
        self.deploy("s/app.zip", data, "fn-s1")
        self.proxy.log.clear()
        self.deploy("s/app.zip", data, "fn-s2")
        self.assertEqual(self.artifact("fn-s1"), self.artifact("fn-s2"))
        self.assertFalse([e for e in self.proxy.log if e["copy"] or "uploads" in e["path"]])
        # Another .env, another key.
        self.deploy("s/app.zip", data, "fn-s3", env={"TABLE": "other"})
        self.assertNotEqual(self.artifact("fn-s3")[0], self.artifact("fn-s1")[0])

    def test_failures_abort_the_upload(self):
        data = package("middle", entries=20)
        faults = {
            "a copied part refused": lambda m, p, h: (400, error("InvalidRequest"))
            if m == "PUT" and h.get("x-amz-copy-source") else None,
            "an uploaded part refused": lambda m, p, h: (400, error("InvalidDigest"))
            if m == "PUT" and "partNumber=" in p and not h.get("x-amz-copy-source") else None,
            "completion answered 200 with an error": lambda m, p, h: (200, error("InternalError"))
            if m == "POST" and "uploadId=" in p else None,
        }
        for i, (what, fault) in enumerate(faults.items()):
            with self.subTest(what):
                self.proxy.fault = fault
                body = self.deploy(f"x/app{i}.zip", data, f"fn-x{i}", expect="FAILED")
                self.assertIn("package", body["Reason"])
                self.no_uploads_left()
                keys = [o["Key"] for o in self.s3.list_objects_v2(Bucket="code", Prefix="x/")
                        .get("Contents", [])]
                self.assertEqual(keys, [f"x/app{j}.zip" for j in range(i + 1)])
                self.assertTrue(any(e["path"].startswith("/code/x/") and e["method"] == "DELETE"
                                    for e in self.proxy.log))
                self.proxy.log.clear()

    def test_finished_meanwhile_by_another_request(self):
        data = package("last", entries=20)
        taken = {}

        def first_complete_elsewhere(m, p, h):
            if m == "POST" and "uploadId=" in p and not taken:
                key = p.split("?")[0][len("/code/"):]
                taken["key"] = key
                self.s3.put_object(Bucket="code", Key=key, Body=b"built by the other request")
            return None

        self.proxy.fault = first_complete_elsewhere
        self.deploy("m/app.zip", data, "fn-m")
        key, built = self.artifact("fn-m")
        self.assertEqual(key, taken["key"])
        # The conditional write refused ours: the other one stays, ours aborted.
        self.assertEqual(built, b"built by the other request")
        self.no_uploads_left()


def error(code):
    return (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code>"
            f"<Message>injected by the test</Message></Error>").encode()


if __name__ == "__main__":
    unittest.main()
