#!/usr/bin/env python3
"""The template engine on the whole shared corpus (313 templates): read,
evaluate (every parameter, condition and intrinsic function) and graph, in
total and per template, beside `cfn-lint --build-graph` on a sample of the
same files (cfn-lint takes seconds a template, so it runs on a few, the
largest among them)."""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time


def corpus_files(root):
    out = []
    for d, _, files in os.walk(os.path.join(root, "templates")):
        for f in files:
            if f.endswith((".yaml", ".yml", ".json", ".template")):
                out.append(os.path.join(d, f))
    return sorted(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--lint-sample", type=int, default=2)
    a = ap.parse_args()
    files = corpus_files(a.corpus)
    start = time.monotonic()
    out = subprocess.run([a.bench, *files], capture_output=True, text=True, check=True).stdout
    wall = time.monotonic() - start
    rows = [json.loads(line) for line in out.splitlines()]
    us = [r["us"] for r in rows]
    largest = max(rows, key=lambda r: r["bytes"])
    print(f"cfnkit engine: {len(rows)} templates in {wall:.2f} s wall (one process); "
          f"engine time {sum(us) / 1e3:.1f} ms total, median {statistics.median(us) / 1e3:.2f} ms,"
          f" max {max(us) / 1e3:.2f} ms a template")
    print(f"  largest: {os.path.relpath(largest['file'], a.corpus)} ({largest['bytes']} bytes) in "
          f"{largest['us'] / 1e3:.2f} ms")
    lint = shutil.which("cfn-lint")
    if not lint:
        print("cfn-lint: not installed, no baseline")
        return
    sample = [largest["file"]] + [r["file"] for r in rows[:: max(1, len(rows) // a.lint_sample)]]
    sample = sample[: a.lint_sample + 1]
    times = []
    with tempfile.TemporaryDirectory() as d:
        for f in sample:
            copy = os.path.join(d, os.path.basename(f))
            shutil.copy(f, copy)
            t0 = time.monotonic()
            subprocess.run([lint, "--build-graph", copy], capture_output=True)
            times.append(time.monotonic() - t0)
    ours = {r["file"]: r["us"] for r in rows}
    print(f"cfn-lint --build-graph: {len(sample)} templates, mean {statistics.mean(times):.2f} s "
          f"a template (largest {times[0]:.2f} s); cfnkit on the same: "
          f"{statistics.mean(ours[f] for f in sample) / 1e3:.2f} ms a template")
    print(f"  projected cfn-lint on the whole corpus: {statistics.mean(times) * len(rows):.0f} s "
          f"against cfnkit's {wall:.2f} s")


if __name__ == "__main__":
    main()
