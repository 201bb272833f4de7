#!/usr/bin/env python3
"""Framework-core figures: cold start to response delivered, per-request time
in the Runtime API loop beside the floor and beside a baseline build, and the
size of the stripped tool binary.

Everything runs on loopback: the integration tests' minimal Runtime API takes
the response PUTs and feeds the warm loop (@vercel/fun's own per-invocation
cost would hide ours). The warm loop is measured three ways: wall time per
request (rounds interleaved between the programs, median), CPU time per
request of the whole process tree (user + system, from the children's
rusage), and instructions per request under callgrind, which the machine's
load does not change: every process's own count (callgrind's counters are
dumped and zeroed before each fork, so no child counts its parent's work),
the difference between two runs of different lengths. Callgrind counts user
space only: what the kernel does for a fork or an exit is in the CPU time."""

import argparse
import json
import glob
import os
import resource
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


def warm_once(argv, total, wrap=()):
    """Runs one Runtime API loop of `total` Creates; returns (wall ms per
    request, CPU ms per request of the process tree)."""
    api = RuntimeApi([CREATE] * total)
    api.payloads = [dict(CREATE, ResponseURL=api.response_url)] * total
    env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=api.address, AWS_LAMBDA_LOG_LEVEL="WARN")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        proc = subprocess.run([*wrap, *[a.replace("@API@", api.address).replace("@URL@", api.response_url)
                                        for a in argv]], env=env, capture_output=True, text=True, timeout=900)
    finally:
        api.close()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    puts = 0 if argv[0].endswith("bench_floor") and "--put" not in argv else total
    if proc.returncode != 0 or len(api.results) != total or len(api.puts) != puts:
        sys.exit(f"bench: {argv[0]}: {len(api.results)} answered, {len(api.puts)} responses of {total}: "
                 f"{proc.stderr[-300:]}")
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return (api.end - api.start) * 1000 / total, cpu / total


def instructions(argv, short=10, long=30):
    """Instructions per request under callgrind, all processes together."""
    counts = []
    for n in (short, long):
        with tempfile.TemporaryDirectory() as tmp:
            warm_once(argv, n, ["valgrind", "--tool=callgrind", "--dump-before=fork",
                                f"--callgrind-out-file={tmp}/cg.%p"])
            total = 0
            for path in glob.glob(os.path.join(tmp, "cg.*")):
                with open(path) as f:
                    total += sum(int(line.split()[1]) for line in f if line.startswith("totals:"))
            counts.append(total)
    return round((counts[1] - counts[0]) / (long - short))


def warm(progs, total, rounds=5):
    """Per-request wall and CPU time of each program's Runtime API loop: the
    median of `rounds` interleaved rounds of total/rounds requests."""
    per = {label: [] for label in progs}
    for _ in range(rounds):
        for label, argv in progs.items():
            per[label].append(warm_once(argv, max(total // rounds, 1)))
    out = {}
    for label, v in per.items():
        out[label] = {"requests": total, "per_request_ms": round(statistics.median(w for w, _ in v), 3),
                      "cpu_ms": round(statistics.median(c for _, c in v), 3)}
    if shutil.which("valgrind"):
        for label, argv in progs.items():
            out[label]["instructions"] = instructions(argv)
    return out


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
    ap.add_argument("--baseline-provider", help="the same program built from an earlier commit")
    ap.add_argument("--floor", help="the bench_floor program: next and response only (with --put, and the PUT)")
    ap.add_argument("--tool", required=True, help="the cfnkit tool binary")
    ap.add_argument("--cold-runs", type=int, default=50)
    ap.add_argument("--warm-requests", type=int, default=1000)
    args = ap.parse_args()
    if not shutil.which("strip") or not os.path.exists("/usr/bin/time"):
        sys.exit("bench: needs strip (binutils) and /usr/bin/time (time); tools/setup.sh installs them")
    progs = {}
    if args.floor:
        progs["floor"] = [args.floor, "@API@"]
        progs["floor+put"] = [args.floor, "@API@", "--put", "@URL@"]
    if args.baseline_provider:
        progs["baseline"] = [args.baseline_provider]
    progs["now"] = [args.provider]
    results = {"cold_create": cold(args.provider, args.cold_runs),
               "warm_runtime_loop": warm(progs, args.warm_requests),
               "tool_binary": size(args.tool)}
    c, w, s = results["cold_create"], results["warm_runtime_loop"], results["tool_binary"]
    print(f"cold Create, start to response delivered: median {c['median_ms']} ms, "
          f"p90 {c['p90_ms']} ms, peak RSS {c['peak_rss_kib']} KiB ({c['runs']} runs)")
    print(f"warm runtime loop, per request ({args.warm_requests} requests each, interleaved rounds; "
          "floor: next + response only, floor+put: and the response PUT; baseline: the build before the "
          "kept supervisor; now: the handler forked from the kept supervisor)")
    print(f"{'':10} {'wall ms':>8} {'CPU ms':>8} {'instructions':>13}")
    for label, r in w.items():
        print(f"{label:10} {r['per_request_ms']:>8} {r['cpu_ms']:>8} {r.get('instructions', '-'):>13}")
    print(f"cfnkit tool: {s['stripped_bytes']} bytes stripped, {s['shared_libraries']} shared libraries")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
