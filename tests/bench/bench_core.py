#!/usr/bin/env python3
"""Framework-core figures: cold start to response delivered, per-request time
in the Runtime API loop, and the size of the stripped tool binary.

Everything runs on loopback: a small HTTP endpoint takes the response PUTs,
and a small Runtime API emulator feeds the warm loop (@vercel/fun's own
per-invocation cost would hide ours)."""

import argparse
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

CREATE = {
    "RequestType": "Create",
    "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/bench/5b6f2a10",
    "RequestId": "bench-1",
    "ResourceType": "Custom::Echo",
    "LogicalResourceId": "Bench",
    "ResourceProperties": {"ServiceToken": "arn:x", "Message": "hello"},
}


class Sink(http.server.BaseHTTPRequestHandler):
    """Takes response PUTs (and, as a Runtime API, serves invocations)."""
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    state = None

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        st = self.state
        with st["lock"]:
            st["puts"] += 1
        self.reply(200)

    def do_GET(self):
        st = self.state
        with st["lock"]:
            n = st["served"]
            st["served"] += 1
        if n >= st["total"]:
            # Done: close the connection; the runtime sees the API gone.
            st["done"].set()
            self.close_connection = True
            self.reply(410)
            return
        if n == 0:
            st["start"] = time.perf_counter()
        body = st["payload"]
        self.reply(200, body, [("Lambda-Runtime-Aws-Request-Id", f"inv-{n}"),
                               ("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 60000))])

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        st = self.state
        if self.path.endswith("/response"):
            with st["lock"]:
                st["answered"] += 1
                if st["answered"] == st["total"]:
                    st["end"] = time.perf_counter()
        self.reply(202)


def serve(state):
    handler = type("H", (Sink,), {"state": state})
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"127.0.0.1:{srv.server_address[1]}"


def new_state(total=0, payload=b""):
    return {"lock": threading.Lock(), "puts": 0, "served": 0, "answered": 0, "total": total,
            "payload": payload, "done": threading.Event(), "start": None, "end": None}


def cold(prog, runs):
    state = new_state()
    srv, addr = serve(state)
    ev = dict(CREATE, ResponseURL=f"http://{addr}/resp?X-Amz-Signature=x")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(ev, f)
    walls, rss = [], []
    argv = [prog, "invoke", "--event", f.name]
    for _ in range(runs):
        t0 = time.perf_counter()
        code = subprocess.call(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append((time.perf_counter() - t0) * 1000)
        if code != 0:
            sys.exit(f"bench: invoke exited {code}")
    # Peak RSS through GNU time: a child's ru_maxrss also counts the image it
    # had before exec (here, Python's), so it cannot be read from wait4.
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as out:
        for _ in range(min(runs, 10)):
            subprocess.check_call(["/usr/bin/time", "-f", "%M", "-o", out.name, *argv],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            out.seek(0)
            rss.append(int(out.read().split()[-1]))
    os.unlink(f.name)
    srv.shutdown()
    assert state["puts"] == runs + min(runs, 10)
    walls.sort()
    return {"runs": runs, "median_ms": round(statistics.median(walls), 2),
            "p90_ms": round(walls[int(runs * 0.9) - 1], 2), "peak_rss_kib": max(rss)}


def warm(prog, total):
    state = new_state(total)
    srv, addr = serve(state)
    ev = dict(CREATE, ResponseURL=f"http://{addr}/resp?X-Amz-Signature=x")
    state["payload"] = json.dumps(ev).encode()
    env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=addr, AWS_LAMBDA_LOG_LEVEL="WARN")
    p = subprocess.Popen([prog], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        p.wait(timeout=300)
    except subprocess.TimeoutExpired:
        p.kill()
        sys.exit("bench: the runtime loop did not finish in 300 s")
    srv.shutdown()
    if state["answered"] != total or state["puts"] != total:
        sys.exit(f"bench: {state['answered']} answered, {state['puts']} responses of {total}")
    secs = state["end"] - state["start"]
    return {"requests": total, "per_request_ms": round(secs * 1000 / total, 3),
            "requests_per_s": round(total / secs, 1)}


def size(tool):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cfnkit")
        subprocess.run(["strip", "-o", out, tool], check=True)
        stripped = os.path.getsize(out)
    libs = subprocess.run(["ldd", tool], capture_output=True, text=True).stdout.count("=>")
    return {"stripped_bytes": stripped, "shared_libraries": libs}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--provider", required=True, help="a program built on cfn_main serving Custom::Echo")
    ap.add_argument("--tool", required=True, help="the cfnkit tool binary")
    ap.add_argument("--cold-runs", type=int, default=50)
    ap.add_argument("--warm-requests", type=int, default=1000)
    args = ap.parse_args()
    if not shutil.which("strip") or not os.path.exists("/usr/bin/time"):
        sys.exit("bench: needs strip (binutils) and /usr/bin/time (time); tools/setup.sh installs them")
    results = {"cold_create": cold(args.provider, args.cold_runs),
               "warm_runtime_loop": warm(args.provider, args.warm_requests),
               "tool_binary": size(args.tool)}
    c, w, s = results["cold_create"], results["warm_runtime_loop"], results["tool_binary"]
    print(f"cold Create, start to response delivered: median {c['median_ms']} ms, "
          f"p90 {c['p90_ms']} ms, peak RSS {c['peak_rss_kib']} KiB ({c['runs']} runs)")
    print(f"warm runtime loop: {w['per_request_ms']} ms per request, {w['requests_per_s']} requests/s "
          f"({w['requests']} requests, handler isolated in a child each time)")
    print(f"cfnkit tool: {s['stripped_bytes']} bytes stripped, {s['shared_libraries']} shared libraries")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
