#!/usr/bin/env python3
"""Framework-core figures: cold start to response delivered, per-request time
in the Runtime API loop, and the size of the stripped tool binary.

Everything runs on loopback: the integration tests' minimal Runtime API takes
the response PUTs and feeds the warm loop (@vercel/fun's own per-invocation
cost would hide ours)."""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import RuntimeApi  # noqa: E402

CREATE = {
    "RequestType": "Create",
    "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/bench/5b6f2a10",
    "RequestId": "bench-1",
    "ResourceType": "Custom::Echo",
    "LogicalResourceId": "Bench",
    "ResourceProperties": {"ServiceToken": "arn:x", "Message": "hello"},
}


def cold(prog, runs):
    api = RuntimeApi([])
    ev = dict(CREATE, ResponseURL=api.response_url)
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
    api.close()
    assert len(api.puts) == runs + min(runs, 10)
    walls.sort()
    return {"runs": runs, "median_ms": round(statistics.median(walls), 2),
            "p90_ms": round(walls[int(runs * 0.9) - 1], 2), "peak_rss_kib": max(rss)}


def warm(prog, total):
    api = RuntimeApi([CREATE] * total)
    api.payloads = [dict(CREATE, ResponseURL=api.response_url)] * total
    try:
        proc = api.run(prog, env={"AWS_LAMBDA_LOG_LEVEL": "WARN"}, timeout=300)
    finally:
        api.close()
    if proc.returncode != 0 or len(api.results) != total or len(api.puts) != total:
        sys.exit(f"bench: {len(api.results)} answered, {len(api.puts)} responses of {total}")
    secs = api.end - api.start
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
