#!/usr/bin/env python3
"""The static provider beside the dynamic one: package size, `ldd` of the
bootstrap, cold answer (process start to response delivered to a loopback
endpoint) beside `curl` doing the same single PUT, and the warm Runtime API
loop per request beside the floor (only next and response on one connection).

The cold request is the Delete that follows a failed Create: the framework
answers it without AWS or a handler, so the figures are the provider's own
(start, parse, respond), not a service's. The warm loop runs it too, and a
Create with a bad PortRange, which forks the handler (that fails at once) as
every real request does."""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import RuntimeApi  # noqa: E402

DELETE = {
    "RequestType": "Delete",
    "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/bench/5b6f2a10",
    "RequestId": "bench-1",
    "ResourceType": "Custom::UniquePort",
    "LogicalResourceId": "Bench",
    "PhysicalResourceId": "cfnkit-failed-create-bench-0",
    "ResourceProperties": {"ServiceToken": "arn:x"},
}
FORKED = dict(DELETE, RequestType="Create", ResourceProperties={
    "ServiceToken": "arn:x", "Key": "bench", "PortRange": "not-a-range"})


def cold(progs, runs):
    """Runs each program of `progs` ({label: argv}, "curl" for the same single
    PUT by curl) once per round, `runs` rounds, so that a busy machine weighs on
    all alike; each run must deliver exactly one response."""
    api = RuntimeApi([])
    ev = dict(DELETE, ResponseURL=api.response_url)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(ev, f)
    body = json.dumps({"Status": "SUCCESS", "Reason": "", "PhysicalResourceId": DELETE["PhysicalResourceId"],
                       "StackId": DELETE["StackId"], "RequestId": "bench-1", "LogicalResourceId": "Bench",
                       "Data": {}})
    full = {}
    for label, argv in progs.items():
        if argv == ["curl"]:
            full[label] = ["curl", "-sS", "-f", "-X", "PUT", "-H", "Content-Type:", "--data-binary", body,
                           api.response_url]
        else:
            full[label] = [*argv, "invoke", "--event", f.name]
    walls = {label: [] for label in progs}
    try:
        for _ in range(runs):
            for label, argv in full.items():
                before = len(api.puts)
                t0 = time.perf_counter()
                code = subprocess.call(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       env={"PATH": os.environ["PATH"]})
                walls[label].append((time.perf_counter() - t0) * 1000)
                if code != 0 or len(api.puts) != before + 1:
                    sys.exit(f"bench: {label} exited {code}, {len(api.puts) - before} responses")
    finally:
        os.unlink(f.name)
        api.close()
    out = {}
    for label, w in walls.items():
        w.sort()
        out[label] = {"runs": runs, "median_ms": round(statistics.median(w), 2),
                      "p90_ms": round(w[int(runs * 0.9) - 1], 2)}
    return out


def warm_once(argv, total, payload):
    api = RuntimeApi([payload] * total)
    api.payloads = [dict(payload, ResponseURL=api.response_url)] * total
    full = dict(os.environ, AWS_LAMBDA_RUNTIME_API=api.address, AWS_LAMBDA_LOG_LEVEL="WARN")
    try:
        proc = subprocess.run([a.replace("@API@", api.address).replace("@URL@", api.response_url)
                               for a in argv], env=full, capture_output=True, text=True, timeout=300)
    finally:
        api.close()
    if proc.returncode != 0 or len(api.results) != total:
        sys.exit(f"bench: {argv[0]}: {len(api.results)} answered of {total}: {proc.stderr[-500:]}")
    return (api.end - api.start) * 1000 / total


def warm(progs, total, payload, rounds=5):
    """Per-request time of each program's Runtime API loop: the median of
    `rounds` interleaved rounds of total/rounds requests."""
    per = {label: [] for label in progs}
    for _ in range(rounds):
        for label, argv in progs.items():
            per[label].append(warm_once(argv, max(total // rounds, 1), payload))
    return {label: round(statistics.median(v), 3) for label, v in per.items()}


def unpack(zip_path, dest):
    with zipfile.ZipFile(zip_path) as z:
        for info in z.infolist():
            path = z.extract(info, dest)
            os.chmod(path, (info.external_attr >> 16) & 0o777)
    return sum(os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(dest) for n in ns)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dynamic", required=True, help="the dynamic package (tools/package.sh)")
    ap.add_argument("--static", required=True, action="append", metavar="LABEL=ZIP",
                    help="a static package (tools/package.sh --static), e.g. musl=path.zip")
    ap.add_argument("--floor", required=True, help="the bench_floor program")
    ap.add_argument("--cold-runs", type=int, default=100)
    ap.add_argument("--warm-requests", type=int, default=1000)
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    pkgs = [("dynamic", args.dynamic)] + [tuple(s.split("=", 1)) for s in args.static]
    results, boots = {}, {}
    for label, zip_path in pkgs:
        task = os.path.join(tmp.name, label)
        unpacked = unpack(zip_path, task)
        boots[label] = [os.path.join(task, "bootstrap")]
        target = boots[label][0] if label != "dynamic" else os.path.join(task, "bin", "cfnkit")
        ldd = subprocess.run(["ldd", target], capture_output=True, text=True)
        results[label] = {
            "zip_bytes": os.path.getsize(zip_path), "unpacked_bytes": unpacked,
            "files": sum(len(ns) for _, _, ns in os.walk(task)),
            "ldd": (ldd.stdout + ldd.stderr).strip().splitlines()[0].strip() if label != "dynamic"
            else f"{(ldd.stdout).count('=>')} shared libraries"}
    results["curl"] = {}
    results["floor"] = {}
    results["floor+put"] = {}
    for label, r in cold(dict(boots, curl=["curl"]), args.cold_runs).items():
        results[label]["cold"] = r
    loops = dict(boots, floor=[args.floor, "@API@"])
    loops["floor+put"] = [args.floor, "@API@", "--put", "@URL@"]
    for label, ms in warm(loops, args.warm_requests, DELETE).items():
        results[label]["warm_ms"] = ms
    for label, ms in warm(boots, args.warm_requests, FORKED).items():
        results[label]["warm_forked_ms"] = ms
    tmp.cleanup()

    print(f"{'':10} {'zip':>10} {'unpacked':>10} {'files':>5}  {'cold median':>11} {'p90':>7}  "
          f"{'warm/request':>12} {'forked':>9}  ldd")
    for label, r in results.items():
        c = r.get("cold")
        print(f"{label:10} {r.get('zip_bytes', ''):>10} {r.get('unpacked_bytes', ''):>10} "
              f"{r.get('files', ''):>5}  "
              f"{(str(c['median_ms']) + ' ms') if c else '':>11} {(str(c['p90_ms'])) if c else '':>7}  "
              f"{(str(r['warm_ms']) + ' ms') if 'warm_ms' in r else '':>12} "
              f"{(str(r['warm_forked_ms']) + ' ms') if 'warm_forked_ms' in r else '':>9}  {r.get('ldd', '')}")
    print("cold: process start to the response PUT answered, a Delete after a failed Create "
          f"({args.cold_runs} runs; curl: the same single PUT); warm: {args.warm_requests} requests "
          "through a loopback Runtime API (floor: next + response only; floor+put: and the PUT; forked: a request whose handler is "
          "forked); programs interleaved run by run")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
