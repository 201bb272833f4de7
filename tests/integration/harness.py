"""Shared pieces of the integration tests: a moto_server on loopback started
and stopped by the tests, presigned response URLs of its S3, a loopback stub
endpoint, and running the programs under test with bounded time."""

import http.server
import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.request
import uuid

import boto3
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))
EVENTS = os.path.join(HERE, "..", "fixtures", "events")
REGION = "us-east-1"
ACCESS_KEY = "testing"
SECRET_KEY = "testing"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Moto:
    """One moto_server process on 127.0.0.1, alive for a test class."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()
        exe = shutil.which("moto_server")
        if not exe:
            raise unittest.SkipTest("moto_server is not installed (tools/setup.sh installs it)")
        self.proc = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", str(self.port)],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/moto-api/", timeout=1)
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("moto_server did not start")

    def env(self):
        return {"AWS_ENDPOINT_URL": self.url, "AWS_ACCESS_KEY_ID": ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_REGION": REGION,
                "AWS_DEFAULT_REGION": REGION}

    def client(self, service):
        return boto3.client(service, endpoint_url=self.url, region_name=REGION,
                            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                            config=Config(retries={"max_attempts": 2}))

    def reset(self):
        urllib.request.urlopen(urllib.request.Request(self.url + "/moto-api/reset", method="POST"),
                               timeout=10)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class ResponseBucket:
    """Presigned PUT URLs in a bucket of the local S3, and what landed there,
    read back with boto3 (an independent client)."""

    def __init__(self, moto):
        self.s3 = moto.client("s3")
        self.name = "cfn-responses-" + uuid.uuid4().hex[:8]
        self.s3.create_bucket(Bucket=self.name)

    def presign(self, key):
        return self.s3.generate_presigned_url(
            "put_object", Params={"Bucket": self.name, "Key": key}, ExpiresIn=3600)

    def read(self, key):
        return json.loads(self.s3.get_object(Bucket=self.name, Key=key)["Body"].read())

    def keys(self):
        out = self.s3.list_objects_v2(Bucket=self.name)
        return sorted(o["Key"] for o in out.get("Contents", []))


def event(name, **changes):
    """A sample request of shared/events, with fields replaced."""
    with open(os.path.join(EVENTS, name)) as f:
        ev = json.load(f)
    ev.update(changes)
    return ev


def request(action, resource_type, url, props, physical_id=None, old=None, request_id=None):
    ev = event({"Create": "create.json", "Update": "update.json", "Delete": "delete.json"}[action])
    ev["ResponseURL"] = url
    ev["ResourceType"] = resource_type
    ev["ResourceProperties"] = dict(props, ServiceToken="arn:aws:lambda:us-east-1:123456789012:function:t")
    if request_id:
        ev["RequestId"] = request_id
    if physical_id is not None:
        ev["PhysicalResourceId"] = physical_id
    if action == "Update":
        ev["OldResourceProperties"] = dict(old if old is not None else props)
    return ev


def program(name):
    """Path of a built program, given by ctest in the environment."""
    path = os.environ.get(name)
    if not path or not os.path.exists(path):
        raise unittest.SkipTest(f"{name} is not set: run the tests through ctest")
    return path


def run(argv, stdin=None, env=None, timeout=60):
    full = dict(os.environ)
    full.update(env or {})
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, env=full,
                          timeout=timeout)


class StubEndpoint:
    """A loopback HTTP endpoint answering PUTs from a script of status codes
    (0 drops the connection, -1 reads the request and never answers until
    closed), recording what it received."""

    def __init__(self, script, then=200):
        self.script = list(script)
        self.then = then
        self.received = []
        self.released = threading.Event()
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_PUT(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                stub.received.append({"path": self.path, "headers": dict(self.headers),
                                      "header_names": [k.lower() for k in self.headers.keys()],
                                      "body": body})
                status = stub.script.pop(0) if stub.script else stub.then
                if status == -1:
                    stub.released.wait(60)
                    self.close_connection = True
                    return
                if status == 0:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


class TlsEndpoint:
    """A loopback TLS endpoint with a self-signed certificate made for the
    test, which no client should trust; counts the connections it accepts."""

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory()
        cert, key = os.path.join(self.tmp.name, "cert.pem"), os.path.join(self.tmp.name, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cert], check=True, capture_output=True, timeout=60)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.connections = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.url = f"https://127.0.0.1:{self.sock.getsockname()[1]}"
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.done.is_set():
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            try:
                conn.settimeout(5)
                with self.context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1)
            except (ssl.SSLError, OSError):
                pass
            finally:
                conn.close()

    def close(self):
        self.done.set()
        self.thread.join(5)
        self.sock.close()
        self.tmp.cleanup()


class RuntimeApi:
    """A minimal Lambda Runtime API on loopback, serving `payloads` in order
    and taking response PUTs on the same port (ResponseURLs may point at
    `self.response_url`). After the last invocation it answers 410 and closes,
    so the runtime sees the API go away. Records the client ports it saw."""

    def __init__(self, payloads, deadline_ms=None):
        self.payloads = list(payloads)
        self.deadline_ms = deadline_ms
        self.lock = threading.Lock()
        self.served = 0
        self.results = []   # (path, body) of every POST
        self.puts = []      # bodies of the response PUTs
        self.ports = []     # client port of every request
        self.start = self.end = None
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def reply(self, status, body=b"", headers=()):
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def body(self):
                return self.rfile.read(int(self.headers.get("Content-Length", 0)))

            def do_GET(self):
                with api.lock:
                    api.ports.append(self.client_address[1])
                    n = api.served
                    api.served += 1
                if n >= len(api.payloads):
                    self.close_connection = True
                    self.reply(410)
                    return
                if n == 0:
                    api.start = time.perf_counter()
                deadline = api.deadline_ms or int(time.time() * 1000) + 60000
                self.reply(200, json.dumps(api.payloads[n]).encode(),
                           [("Lambda-Runtime-Aws-Request-Id", f"inv-{n}"),
                            ("Lambda-Runtime-Deadline-Ms", str(deadline))])

            def do_POST(self):
                data = self.body()
                with api.lock:
                    api.ports.append(self.client_address[1])
                    api.results.append((self.path, data))
                    if len(api.results) == len(api.payloads):
                        api.end = time.perf_counter()
                self.reply(202)

            def do_PUT(self):
                data = self.body()
                with api.lock:
                    api.ports.append(self.client_address[1])
                    api.puts.append(data)
                self.reply(200)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        self.response_url = f"http://{self.address}/response?X-Amz-Signature=secret"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def run(self, prog, env=None, timeout=300):
        """Runs `prog` as the bootstrap until it exits; returns the process."""
        full = dict(os.environ, AWS_LAMBDA_RUNTIME_API=self.address)
        full.update(env or {})
        return subprocess.run([prog], env=full, capture_output=True, text=True, timeout=timeout)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class ModuleTest(unittest.TestCase):
    """Base of a resource module's tests: a moto_server and a response bucket
    for the class, and `invoke` running one request through `cfnkit invoke`
    and reading its response back from S3."""

    resource_type = None  # "Custom::Name"
    command = ("invoke",)  # the tool's command serving the type

    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        cls.bucket = ResponseBucket(cls.moto)
        cls.tool = program("CFNKIT_TOOL")
        cls.env = cls.moto.env()

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def invoke(self, action, props, physical_id=None, old=None, request_id=None, logical="Res",
               env=None, expect=None):
        key = "resp/" + uuid.uuid4().hex
        ev = request(action, self.resource_type, self.bucket.presign(key), props,
                     physical_id=physical_id, old=old, request_id=request_id or str(uuid.uuid4()))
        ev["LogicalResourceId"] = logical
        res = run([self.tool, *self.command, "--event", "-"], stdin=json.dumps(ev),
                  env=dict(self.env, **(env or {})))
        body = self.bucket.read(key)
        if expect:
            self.assertEqual(body["Status"], expect, body.get("Reason"))
        self.assertEqual(res.returncode, 0 if body["Status"] == "SUCCESS" else 1, res.stderr)
        return body


class NativeTest(ModuleTest):
    """Base of a native AWS:: type's tests: requests go through `cfnkit
    native-provider invoke`, with the properties as the template gives them
    (typed JSON, not CloudFormation's strings for custom resources)."""

    command = ("native-provider", "invoke")


def fun_run(task_dir, payloads, env=None, runtime=None, handler=None, timeout=240):
    """Invokes a function under @vercel/fun once per payload; returns the
    results ({StatusCode, FunctionError, Payload}) in order."""
    with tempfile.TemporaryDirectory() as tmp:
        pfile, efile = os.path.join(tmp, "p.json"), os.path.join(tmp, "e.json")
        with open(pfile, "w") as f:
            json.dump(payloads, f)
        with open(efile, "w") as f:
            json.dump(env or {}, f)
        argv = ["node", os.path.join(HERE, "fun_invoke.js"), task_dir, pfile, efile]
        if runtime:
            argv += [runtime, handler]
        res = run(argv, timeout=timeout)
    if res.returncode != 0:
        raise RuntimeError("fun_invoke failed: " + res.stderr[-2000:])
    return json.loads(res.stdout)
