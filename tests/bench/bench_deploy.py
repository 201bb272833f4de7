#!/usr/bin/env python3
"""The stack engine (cfnkit deploy) against moto_server with the test
provider: 100 independent custom resources of 100 ms each and a chain of 20,
wall time beside the ideal (the critical path), and the engine's own
overhead per resource (wall time less the time the handlers slept, over the
resources of a chain, where nothing overlaps)."""

import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import Moto, run  # noqa: E402


def template(path, resources):
    with open(path, "w") as f:
        json.dump({"Resources": resources}, f)
    return path


def res(rec, sleep, up=None):
    props = {"ServiceToken": "local", "Sleep": str(sleep), "RecordFile": rec}
    if up:
        props["Up"] = {"Ref": up}
    return {"Type": "Custom::Test", "Properties": props}


def timed(argv, env):
    start = time.monotonic()
    out = run(argv, env=env, timeout=600)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:2])} failed:\n{out.stdout}\n{out.stderr}")
    return time.monotonic() - start


def records(rec):
    with open(rec) as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--provider", required=True)
    a = ap.parse_args()
    moto = Moto()
    tmp = tempfile.TemporaryDirectory()
    env = dict(os.environ, **moto.env())
    try:
        cases = [("100 independent x 100 ms", 100, 0.1, None, False, 100),
                 ("100 independent x 100 ms", 100, 0.1, None, False, 16),
                 ("chain of 20 x 100 ms", 20, 0.1, None, True, 16),
                 ("chain of 20 x 0 ms", 20, 0.0, None, True, 16)]
        for n, (name, count, sleep, _, chain, conc) in enumerate(cases):
            rec = os.path.join(tmp.name, f"r{n}.jsonl")
            resources = {f"R{i}": res(rec, int(sleep * 1000), f"R{i - 1}" if chain and i else None)
                         for i in range(count)}
            path = template(os.path.join(tmp.name, f"t{n}.json"), resources)
            stack = f"bench{n}"
            create = timed([a.tool, "deploy", "--template-file", path, "--stack-name", stack,
                            "--provider", a.provider, "--max-concurrency", str(conc)], env)
            delete = timed([a.tool, "delete-stack", "--stack-name", stack, "--provider",
                            a.provider, "--max-concurrency", str(conc)], env)
            rows = records(rec)
            handler = sum((r["EndMs"] - r["StartMs"]) / 1000 for r in rows
                          if r["RequestType"] == "Create")
            if chain:
                ideal = count * sleep
            else:
                ideal = -(-count // conc) * sleep
            overhead = (create - handler / (1 if chain else min(conc, count))) / count
            print(f"{name}, --max-concurrency {conc}: create {create:.2f} s "
                  f"(ideal {ideal:.2f} s, x{create / ideal if ideal else float('inf'):.1f}), "
                  f"delete {delete:.2f} s; engine overhead {overhead * 1000:.0f} ms a resource"
                  f"{'' if chain else ' (wall less handler time over the parallelism)'}")
    finally:
        moto.stop()
        tmp.cleanup()


if __name__ == "__main__":
    main()
