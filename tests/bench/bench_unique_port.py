#!/usr/bin/env python3
"""Custom::UniquePort figures against the local AWS (moto_server): DynamoDB
requests and write requests per allocation on pools of 400 and 40,000 ports
filled to 50%, 90% and 99%, with 1 and 32 concurrent allocators, beside the
same figures of baseline builds (tests/bench/run builds them: --baseline-tool,
the code before the free-port hints; --hints-tool, the free-port hints that
the probes replaced), and 0 duplicates checked with boto3. Each
allocation is one `cfnkit invoke` process (one Lambda invocation); responses go
to a loopback endpoint so that S3 is not measured. Pools are filled directly
with BatchWriteItem."""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import Moto, RuntimeApi  # noqa: E402

LINE = re.compile(r"port (\d+) allocated with (\d+) DynamoDB requests \((\d+) writes\)")
POOLS = {400: (30000, 30399), 40000: (10000, 49999)}


def allocate(tool, env, url, key, port_range, stats, lock):
    ev = {"RequestType": "Create", "ResponseURL": url, "RequestId": str(uuid.uuid4()),
          "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/bench/x",
          "ResourceType": "Custom::UniquePort", "LogicalResourceId": "P" + uuid.uuid4().hex[:8],
          "ResourceProperties": {"ServiceToken": "t", "Key": key, "PortRange": port_range}}
    res = subprocess.run([tool, "invoke", "--event", "-"], input=json.dumps(ev), capture_output=True,
                         text=True, env=env)
    m = LINE.search(res.stderr)
    with lock:
        if res.returncode != 0 or not m:
            stats["failed"] += 1
        else:
            stats["ports"].append(int(m.group(1)))
            stats["requests"] += int(m.group(2))
            stats["writes"] += int(m.group(3))


def run(tool, env, url, key, port_range, concurrency, total):
    stats = {"ports": [], "failed": 0, "requests": 0, "writes": 0}
    lock = threading.Lock()
    todo = list(range(total))

    def worker():
        while True:
            with lock:
                if not todo:
                    return
                todo.pop()
            allocate(tool, env, url, key, port_range, stats, lock)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stats["secs"] = time.perf_counter() - t0
    return stats


def fill(ddb, key, lo, hi, fraction, seed):
    ports = list(range(lo, hi + 1))
    random.Random(seed).shuffle(ports)
    held = set(ports[:round(len(ports) * fraction)])
    items = [{"PutRequest": {"Item": {"pool": {"S": "pool#" + key}, "port": {"N": str(p)},
                                      "owner": {"S": "bench"}}}} for p in sorted(held)]
    for i in range(0, len(items), 25):
        ddb.batch_write_item(RequestItems={"ports": items[i:i + 25]})
    return held


def held_now(ddb, key):
    ports, start = [], None
    while True:
        kw = {"ExclusiveStartKey": start} if start else {}
        out = ddb.query(TableName="ports", KeyConditionExpression="#p = :p", ConsistentRead=True,
                        ExpressionAttributeNames={"#p": "pool"}, ProjectionExpression="port",
                        ExpressionAttributeValues={":p": {"S": "pool#" + key}}, **kw)
        ports += [int(i["port"]["N"]) for i in out["Items"]]
        start = out.get("LastEvaluatedKey")
        if not start:
            return ports


def cases(ddb, tool, env, url, name, key, lo, hi, held, allocations):
    """1 then 32 concurrent allocators on a filled pool; `held` grows. The
    baseline reads the whole pool on a crowded one (a few seconds per
    allocation on 40,000 ports in moto): 3 allocations there."""
    rows = []
    for c in (1, 32):
        free = hi - lo + 1 - len(held)
        n = max(1, min(allocations if name != "today" or hi - lo < 1000 else 3, free // 2))
        stats = run(tool, env, url, key, f"{lo}-{hi}", min(c, n), n)
        got = stats["ports"]
        dup = len(got) - len(set(got)) + len(set(got) & held)
        full = round(100 * len(held) / (hi - lo + 1), 1)
        held |= set(got)
        ok = max(len(got), 1)
        rows.append({"tool": name, "pool": hi - lo + 1, "full": full, "allocators": min(c, n), "ok": len(got),
                     "failed": stats["failed"], "duplicates": dup,
                     "requests": round(stats["requests"] / ok, 2), "writes": round(stats["writes"] / ok, 2),
                     "per_s": round(len(got) / stats["secs"], 1)})
    return rows


def measure(ddb, tools, env, url, size, fraction, allocations):
    """Pools of 400 ports: one filled pool per tool. Pools of 40,000: one
    filled pool for all (the baseline first, before any hint exists), to keep
    the set-up short."""
    lo, hi = POOLS[size]
    rows = []
    shared = size > 1000
    held = None
    for name, tool in tools:
        key = f"{'all' if shared else name}-{size}-{int(fraction * 100)}"
        if held is None or not shared:
            held = fill(ddb, key, lo, hi, fraction, key)
        rows += cases(ddb, tool, env, url, name, key, lo, hi, held, allocations)
        for r in rows[-2:]:
            print("measured:", json.dumps(r), file=sys.stderr, flush=True)
        in_table = held_now(ddb, key)
        if len(in_table) != len(set(in_table)) or set(in_table) != held:
            rows[-1]["duplicates"] += 1
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tool", required=True)
    ap.add_argument("--baseline-tool", help="the same tool built from the code before the hints")
    ap.add_argument("--hints-tool", help="the same tool built from the code with the free-port hints")
    ap.add_argument("--allocations", type=int, default=32, help="per case at most")
    args = ap.parse_args()
    moto = Moto()
    sink = RuntimeApi([])
    tools = [("today", args.baseline_tool)] if args.baseline_tool else []
    tools += [("hints", args.hints_tool)] if args.hints_tool else []
    tools.append(("now", args.tool))
    try:
        ddb = moto.client("dynamodb")
        ddb.create_table(TableName="ports", BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "pool", "KeyType": "HASH"},
                                    {"AttributeName": "port", "KeyType": "RANGE"}],
                         AttributeDefinitions=[{"AttributeName": "pool", "AttributeType": "S"},
                                               {"AttributeName": "port", "AttributeType": "N"}])
        env = dict(os.environ, **moto.env(), CFNKIT_UNIQUE_PORT_TABLE="ports")
        rows = []
        for size in POOLS:
            for fraction in (0.5, 0.9, 0.99):
                rows += measure(ddb, tools, env, sink.response_url, size, fraction, args.allocations)
    finally:
        sink.close()
        moto.stop()
    print("DynamoDB requests (write requests) per allocation; pre-hints = the code before the free-port hints, "
          "hints = the free-port hints, now = the probes")
    print(f"{'pool':>6} {'full%':>6} {'alloc.':>6} {'pre-hints':>14} {'hints':>14} {'now':>14} {'ok':>4} "
          f"{'failed':>6} {'dup.':>4} {'now/s':>6}")
    now = [r for r in rows if r["tool"] == "now"]
    by_tool = {name: [r for r in rows if r["tool"] == name] for name in ("today", "hints")}
    for i, r in enumerate(now):
        base = {name: (got[i] if got else None) for name, got in by_tool.items()}
        cols = [f"{b['requests']} ({b['writes']})" if b else "-" for b in base.values()]
        dup = r["duplicates"] + sum(b["duplicates"] for b in base.values() if b)
        failed = r["failed"] + sum(b["failed"] for b in base.values() if b)
        print(f"{r['pool']:>6} {r['full']:>6} {r['allocators']:>6} {cols[0]:>14} {cols[1]:>14} "
              f"{str(r['requests']) + ' (' + str(r['writes']) + ')':>14} {r['ok']:>4} {failed:>6} "
              f"{dup:>4} {r['per_s']:>6}")
    print("seed design (lock item + bitset): at least 4 round trips and 400 ms of sleep per allocation, "
          "serialised by the lock: at most 2.5 allocations/s whatever the concurrency")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
