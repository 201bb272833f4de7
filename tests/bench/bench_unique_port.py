#!/usr/bin/env python3
"""Custom::UniquePort figures against the local AWS (moto_server): allocations
per second and DynamoDB requests per allocation with 1, 8 and 32 concurrent
allocators on one pool, and on a pool 90% full. Each allocation is one
`cfnkit invoke` process (one Lambda invocation); responses go to a loopback
endpoint so that S3 is not measured."""

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import Moto, RuntimeApi  # noqa: E402

LINE = re.compile(r"allocated with (\d+) DynamoDB requests \((\d+) writes\)")


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
            stats["ok"] += 1
            stats["requests"] += int(m.group(1))
            stats["writes"] += int(m.group(2))


def run(tool, env, url, key, port_range, concurrency, total):
    stats = {"ok": 0, "failed": 0, "requests": 0, "writes": 0}
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
    secs = time.perf_counter() - t0
    ok = max(stats["ok"], 1)
    return {"concurrency": concurrency, "allocations": stats["ok"], "failed": stats["failed"],
            "allocations_per_s": round(stats["ok"] / secs, 1),
            "ddb_requests_per_allocation": round(stats["requests"] / ok, 2),
            "ddb_writes_per_allocation": round(stats["writes"] / ok, 2)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tool", required=True)
    ap.add_argument("--allocations", type=int, default=200)
    args = ap.parse_args()
    moto = Moto()
    sink = RuntimeApi([])
    try:
        ddb = moto.client("dynamodb")
        ddb.create_table(TableName="ports", BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "pool", "KeyType": "HASH"},
                                    {"AttributeName": "port", "KeyType": "RANGE"}],
                         AttributeDefinitions=[{"AttributeName": "pool", "AttributeType": "S"},
                                               {"AttributeName": "port", "AttributeType": "N"}])
        env = dict(os.environ, **moto.env(), CFNKIT_UNIQUE_PORT_TABLE="ports")
        results = []
        for c in (1, 8, 32):
            results.append(dict(run(args.tool, env, sink.response_url, f"open-{c}", "10000-50000", c,
                                    args.allocations), pool="10000-50000, empty"))
        # 90% full: 900 of 1000 ports taken, then 50 more allocations.
        with_items = [{"PutRequest": {"Item": {"pool": {"S": "pool#full"}, "port": {"N": str(p)},
                                               "owner": {"S": "bench"}}}} for p in range(30000, 30900)]
        for i in range(0, len(with_items), 25):
            ddb.batch_write_item(RequestItems={"ports": with_items[i:i + 25]})
        results.append(dict(run(args.tool, env, sink.response_url, "full", "30000-30999", 8, 50),
                            pool="30000-30999, 90% full"))
    finally:
        sink.close()
        moto.stop()
    for r in results:
        print(f"{r['concurrency']:>2} allocators, pool {r['pool']}: {r['allocations_per_s']} allocations/s, "
              f"{r['ddb_requests_per_allocation']} DynamoDB requests ({r['ddb_writes_per_allocation']} writes) "
              f"per allocation, {r['allocations']} ok, {r['failed']} failed")
    print("seed design (lock item + bitset): at least 4 round trips and 400 ms of sleep per allocation, "
          "serialised by the lock: at most 2.5 allocations/s whatever the concurrency")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
