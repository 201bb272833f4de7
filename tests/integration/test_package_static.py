"""The static provider package (tools/package.sh --static): one statically
linked `bootstrap` with no loader and no library, serving Custom::UniquePort
under @vercel/fun against the local AWS, and in an older userland (a Debian 11
chroot made by debootstrap) where it finds the local AWS by DNS and
/etc/hosts names.

Building the static libraries takes minutes, so the test runs when
CFNKIT_TEST_STATIC=1 or when tools/static/deps.sh's cache is already built."""

import http.server
import json
import os
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import unittest
import zipfile

from harness import HERE, Moto, ResponseBucket, request, run
from test_lambda_runtime import fun_available

ROOT = os.path.realpath(os.path.join(HERE, "..", ".."))
CACHE = os.path.join(ROOT, "build-static")
LIBC = os.environ.get("CFNKIT_STATIC_LIBC", "musl")
CHROOT = shutil.which("chroot") or "/usr/sbin/chroot"
DNS_ADDR = "127.0.0.153"   # a loopback address of its own: port 53 of 127.0.0.1 may be taken


def wanted():
    if os.environ.get("CFNKIT_TEST_STATIC") == "1":
        return True
    return os.path.exists(os.path.join(CACHE, LIBC, ".stamp"))


def extract(zip_path, dest):
    with zipfile.ZipFile(zip_path) as z:
        for info in z.infolist():
            path = z.extract(info, dest)
            os.chmod(path, (info.external_attr >> 16) & 0o777)


class Dns:
    """A DNS server on DNS_ADDR:53 (UDP) answering A queries for `names` with
    127.0.0.1 and every other query with no record; counts the A queries."""

    def __init__(self, names):
        self.names = {n.lower() for n in names}
        self.asked = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((DNS_ADDR, 53))
        self.sock.settimeout(0.2)
        self.stopping = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stopping:
            try:
                data, peer = self.sock.recvfrom(512)
            except socket.timeout:
                continue
            if len(data) < 12:
                continue
            i, labels = 12, []
            while i < len(data) and data[i]:
                labels.append(data[i + 1:i + 1 + data[i]].decode("ascii", "replace"))
                i += 1 + data[i]
            question = data[12:i + 5]
            qtype = struct.unpack(">H", data[i + 1:i + 3])[0]
            name = ".".join(labels).lower()
            answer = b""
            if qtype == 1 and name in self.names:
                self.asked.append(name)
                answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton("127.0.0.1")
            rcode = 0 if name in self.names else 3
            head = data[:2] + struct.pack(">HHHHH", 0x8180 | rcode, 1, 1 if answer else 0, 0, 0)
            self.sock.sendto(head + question + answer, peer)

    def close(self):
        self.stopping = True
        self.thread.join()
        self.sock.close()


class HttpsEndpoint:
    """A loopback HTTPS server with a fresh self-signed certificate for
    127.0.0.1 (its PEM in `self.cert`), taking PUTs."""

    def __init__(self, folder):
        self.cert = os.path.join(folder, "cert.pem")
        key = os.path.join(folder, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", self.cert], check=True, capture_output=True)
        self.puts = []
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_PUT(self):
                api.puts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, key)
        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}/response?X-Amz-Signature=s"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def failed_create_delete(url):
    """A Delete after a failed Create: answered SUCCESS without AWS."""
    ev = request("Delete", "Custom::UniquePort", url, {}, physical_id="cfnkit-failed-create-x")
    return ev


class StaticPackage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not wanted():
            raise unittest.SkipTest("the static libraries are not built: set CFNKIT_TEST_STATIC=1 "
                                    "to build them (tools/static/deps.sh, minutes) and run this test")
        cls.tmp = tempfile.TemporaryDirectory()
        cls.zip = os.path.join(cls.tmp.name, "cfnkit-provider-static.zip")
        res = run([os.path.join(ROOT, "tools", "package.sh"), "--static", "--libc", LIBC,
                   "--out", cls.zip], timeout=3600)
        if res.returncode != 0:
            raise RuntimeError(res.stdout + res.stderr)
        cls.task = os.path.join(cls.tmp.name, "task")
        extract(cls.zip, cls.task)
        cls.boot = os.path.join(cls.task, "bootstrap")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_one_static_executable(self):
        self.assertEqual(zipfile.ZipFile(self.zip).namelist(), ["bootstrap"])
        self.assertTrue(os.stat(self.boot).st_mode & 0o111)
        ldd = subprocess.run(["ldd", self.boot], capture_output=True, text=True)
        self.assertIn("not a dynamic executable", ldd.stdout + ldd.stderr)
        headers = subprocess.run(["readelf", "-lW", self.boot], capture_output=True, text=True).stdout
        self.assertNotIn("INTERP", headers)
        self.assertNotIn("DYNAMIC", headers)

    def test_runs_with_an_empty_environment(self):
        out = subprocess.run(["env", "-i", self.boot, "--version"], capture_output=True, text=True,
                             timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("cfnkit", out.stdout)
        types = subprocess.run(["env", "-i", self.boot, "types"], capture_output=True, text=True,
                               timeout=30)
        self.assertIn("Custom::UniquePort", types.stdout)

    @unittest.skipUnless(fun_available(), "@vercel/fun is not installed (tools/setup.sh installs it)")
    def test_serves_unique_port_under_a_lambda_runtime(self):
        moto = Moto()
        try:
            bucket = ResponseBucket(moto)
            make_table(moto)
            payloads = [request("Create", "Custom::UniquePort", bucket.presign("static/create"),
                                {"Key": "static", "PortRange": "40000-40099"})]
            env = dict(moto.env(), CFNKIT_UNIQUE_PORT_TABLE="provider-ports",
                       AWS_LAMBDA_FUNCTION_TIMEOUT="30", CFNKIT_RESPONSE_URL_ALLOW="127.0.0.1")
            with tempfile.TemporaryDirectory() as tmp:
                pfile, efile = os.path.join(tmp, "p.json"), os.path.join(tmp, "e.json")
                with open(pfile, "w") as f:
                    json.dump(payloads, f)
                with open(efile, "w") as f:
                    json.dump(env, f)
                res = run(["node", os.path.join(HERE, "fun_invoke.js"), self.task, pfile, efile],
                          timeout=240)
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertIsNone(json.loads(res.stdout)[0]["FunctionError"])
            check_port(self, moto, bucket.read("static/create"), "static")
        finally:
            moto.stop()

    def test_https_trusts_ssl_cert_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            https = HttpsEndpoint(tmp)
            try:
                efile = os.path.join(tmp, "e.json")
                with open(efile, "w") as f:
                    json.dump(failed_create_delete(https.url), f)
                # The endpoint is on loopback: listed, as the provider refuses any
                # ResponseURL host but AWS's S3 otherwise.
                argv = ["env", "-i", "CFNKIT_RESPONSE_URL_ALLOW=127.0.0.1", self.boot, "invoke",
                        "--event", efile, "--timeout", "5"]
                untrusted = subprocess.run(argv, capture_output=True, text=True, timeout=60)
                self.assertEqual(untrusted.returncode, 2, untrusted.stderr)
                self.assertEqual(https.puts, [])
                argv.insert(3, "SSL_CERT_FILE=" + https.cert)
                trusted = subprocess.run(argv, capture_output=True, text=True, timeout=60)
                self.assertEqual(trusted.returncode, 0, trusted.stderr)
                self.assertEqual([p["Status"] for p in https.puts], ["SUCCESS"])
            finally:
                https.close()

    def test_trusts_the_amazon_linux_ca_file_by_default(self):
        if os.geteuid() != 0:
            self.skipTest("chroot needs root")
        root = debian11()
        task = os.path.join(root, "task")
        os.makedirs(task, exist_ok=True)
        shutil.copy(self.boot, os.path.join(task, "bootstrap"))
        pki = os.path.join(root, "etc", "pki", "tls")
        with tempfile.TemporaryDirectory() as tmp:
            https = HttpsEndpoint(tmp)
            try:
                with open(os.path.join(task, "tls.json"), "w") as f:
                    json.dump(failed_create_delete(https.url), f)
                argv = [CHROOT, root, "/task/bootstrap", "invoke", "--event", "/task/tls.json",
                        "--timeout", "5"]
                shutil.rmtree(pki, ignore_errors=True)
                allow = {"CFNKIT_RESPONSE_URL_ALLOW": "127.0.0.1"}
                untrusted = subprocess.run(argv, env=allow, capture_output=True, text=True, timeout=60)
                self.assertEqual(untrusted.returncode, 2, untrusted.stderr)
                os.makedirs(pki)
                # Amazon Linux's path of its CA bundle (a link to the extracted one there).
                shutil.copy(https.cert, os.path.join(pki, "cert.pem"))
                # and an openssl.cnf there that this OpenSSL cannot load (Amazon
                # Linux's is made for its own build): it must not be read.
                with open(os.path.join(pki, "openssl.cnf"), "w") as f:
                    f.write("config_diagnostics = 1\nopenssl_conf = init\n[init]\nproviders = p\n"
                            "[p]\nfips = fips\n[fips]\nactivate = 1\n")
                trusted = subprocess.run(argv, env=allow, capture_output=True, text=True, timeout=60)
                self.assertEqual(trusted.returncode, 0, trusted.stderr)
                self.assertEqual([p["Status"] for p in https.puts], ["SUCCESS"])
            finally:
                https.close()
                shutil.rmtree(pki, ignore_errors=True)

    def test_runs_in_debian_11_resolving_names(self):
        if os.geteuid() != 0:
            self.skipTest("chroot needs root")
        root = debian11()
        moto = Moto()
        dns = Dns(["moto.cfnkit.test"])
        try:
            bucket = ResponseBucket(moto)
            make_table(moto)
            # The endpoint by DNS (resolv.conf), the response URL by /etc/hosts (a
            # name moto's S3 takes as path-style, and not curl's own "localhost").
            url = bucket.presign("chroot/create").replace("127.0.0.1", "localhost-cfnkit.test")
            ev = request("Create", "Custom::UniquePort", url, {"Key": "chroot", "PortRange": "40100-40199"})
            task = os.path.join(root, "task")
            os.makedirs(task, exist_ok=True)
            shutil.copy(self.boot, os.path.join(task, "bootstrap"))
            with open(os.path.join(task, "event.json"), "w") as f:
                json.dump(ev, f)
            with open(os.path.join(root, "etc", "resolv.conf"), "w") as f:
                f.write(f"nameserver {DNS_ADDR}\noptions timeout:2 attempts:1\n")
            with open(os.path.join(root, "etc", "hosts"), "w") as f:
                f.write("127.0.0.1 localhost localhost-cfnkit.test\n")
            env = dict(moto.env(), AWS_ENDPOINT_URL=f"http://moto.cfnkit.test:{moto.port}",
                       CFNKIT_UNIQUE_PORT_TABLE="provider-ports", PATH="/usr/bin:/bin",
                       CFNKIT_RESPONSE_URL_ALLOW="localhost-cfnkit.test")
            res = subprocess.run([CHROOT, root, "/task/bootstrap", "invoke", "--event",
                                  "/task/event.json", "--timeout", "60"],
                                 env=env, capture_output=True, text=True, timeout=120)
            self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
            check_port(self, moto, bucket.read("chroot/create"), "chroot")
            self.assertIn("moto.cfnkit.test", dns.asked)
        finally:
            dns.close()
            moto.stop()


def make_table(moto):
    moto.client("dynamodb").create_table(
        TableName="provider-ports", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pool", "KeyType": "HASH"},
                   {"AttributeName": "port", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pool", "AttributeType": "S"},
                              {"AttributeName": "port", "AttributeType": "N"}])


def check_port(test, moto, body, pool):
    test.assertEqual(body["Status"], "SUCCESS", body.get("Reason"))
    port = int(body["Data"]["Port"])
    item = moto.client("dynamodb").get_item(TableName="provider-ports", Key={
        "pool": {"S": f"pool#{pool}"}, "port": {"N": str(port)}})
    test.assertIn("Item", item)


def debian11():
    """A Debian 11 (bullseye) minbase chroot, made once by debootstrap and kept
    in build-static/debian11; the test is skipped, saying why, when no mirror
    answers."""
    root = os.path.join(CACHE, "debian11")
    if os.path.exists(os.path.join(root, "etc", "debian_version")):
        return root
    if not shutil.which("debootstrap"):
        raise unittest.SkipTest("debootstrap is not installed (apt-get install debootstrap)")
    tmp = root + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(CACHE, exist_ok=True)
    res = run(["debootstrap", "--variant=minbase", "bullseye", tmp, "http://deb.debian.org/debian"],
              timeout=1800)
    if res.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise unittest.SkipTest("debootstrap could not make a Debian 11 chroot (no mirror reachable?): "
                                + (res.stdout + res.stderr).strip().splitlines()[-1])
    os.rename(tmp, root)
    return root


if __name__ == "__main__":
    # Exit 77 (ctest's SKIP_RETURN_CODE) when nothing ran, so a skip shows as one.
    result = unittest.main(exit=False, verbosity=2).result
    if not result.wasSuccessful():
        sys.exit(1)
    sys.exit(77 if result.testsRun <= len(result.skipped) else 0)
