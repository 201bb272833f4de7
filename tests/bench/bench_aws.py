#!/usr/bin/env python3
"""AWS client figures against the local AWS (moto_server on loopback):
DynamoDB GetItem requests per second with the kept-alive connection and with
a new connection per request, and S3 of a 200 MB object to and from a file
(MB/s and peak RSS of the process)."""

import argparse
import http.server
import json
import threading
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import Moto  # noqa: E402


def timed(argv, env):
    """Runs argv under GNU time; returns (seconds, peak RSS in KiB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        t0 = time.perf_counter()
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out.name, *argv], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        secs = time.perf_counter() - t0
        return secs, int(out.read().split()[-1])


class KeepAliveDynamo(http.server.BaseHTTPRequestHandler):
    """A loopback HTTP/1.1 endpoint answering every POST with a GetItem
    result: moto closes each connection, so the client's own cost of a new
    connection shows only against an endpoint that keeps them."""
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    connections = set()

    def log_message(self, *a):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        KeepAliveDynamo.connections.add(self.client_address[1])
        body = b'{"Item":{"k":{"S":"a"}}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", required=True, help="the bench_aws program")
    ap.add_argument("--tool", required=True, help="the cfnkit tool")
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--megabytes", type=int, default=200)
    args = ap.parse_args()
    moto = Moto()
    try:
        env = dict(os.environ, **moto.env())
        ddb = moto.client("dynamodb")
        ddb.create_table(TableName="bench", BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}])
        ddb.put_item(TableName="bench", Item={"k": {"S": "a"}, "v": {"S": "x" * 100}})
        results = {}
        for mode in ("reuse", "fresh"):
            out = subprocess.run([args.bench, mode, str(args.requests), "bench", "a"], env=env,
                                 capture_output=True, text=True, check=True)
            results[f"getitem_{mode}"] = json.loads(out.stdout)
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), KeepAliveDynamo)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        stub_env = dict(env, AWS_ENDPOINT_URL_DYNAMODB=f"http://127.0.0.1:{srv.server_address[1]}")
        for mode in ("reuse", "fresh"):
            KeepAliveDynamo.connections = set()
            out = subprocess.run([args.bench, mode, str(args.requests), "bench", "a"], env=stub_env,
                                 capture_output=True, text=True, check=True)
            results[f"getitem_{mode}_keepalive_endpoint"] = dict(json.loads(out.stdout),
                                                                 connections=len(KeepAliveDynamo.connections))
        srv.shutdown()
        moto.client("s3").create_bucket(Bucket="bench-bucket")
        mb = args.megabytes
        with tempfile.TemporaryDirectory() as tmp:
            src, dst = os.path.join(tmp, "src.bin"), os.path.join(tmp, "dst.bin")
            with open(src, "wb") as f:
                for _ in range(mb):
                    f.write(os.urandom(1024 * 1024))
            up_s, up_rss = timed([args.tool, "aws", "s3", "put-object", "bench-bucket", "big", "--file", src], env)
            down_s, down_rss = timed([args.tool, "aws", "s3", "get-object", "bench-bucket", "big", "--file", dst], env)
            if os.path.getsize(dst) != mb * 1024 * 1024:
                sys.exit("bench: the downloaded object has the wrong size")
        results["s3_put_file"] = {"megabytes": mb, "mb_per_s": round(mb / up_s, 1), "peak_rss_kib": up_rss}
        results["s3_get_file"] = {"megabytes": mb, "mb_per_s": round(mb / down_s, 1), "peak_rss_kib": down_rss}
    finally:
        moto.stop()
    r, f = results["getitem_reuse"], results["getitem_fresh"]
    print(f"DynamoDB GetItem against moto: {r['requests_per_s']} req/s with keep-alive, "
          f"{f['requests_per_s']} req/s with a new connection each ({r['requests']} requests each; "
          f"moto answers 'Connection: close', so both modes connect every time)")
    r, f = results["getitem_reuse_keepalive_endpoint"], results["getitem_fresh_keepalive_endpoint"]
    print(f"DynamoDB GetItem against a keep-alive loopback endpoint: {r['requests_per_s']} req/s over "
          f"{r['connections']} connection(s), {f['requests_per_s']} req/s over {f['connections']} connections")
    for name in ("s3_put_file", "s3_get_file"):
        x = results[name]
        print(f"S3 {name[3:6].upper()} of a {x['megabytes']} MB object from/to a file: "
              f"{x['mb_per_s']} MB/s, peak RSS {x['peak_rss_kib']} KiB")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
