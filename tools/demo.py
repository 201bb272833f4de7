#!/usr/bin/env python3
"""The demo's AWS part: a local moto_server, presigned response URLs, the
example module run by `invoke` and under @vercel/fun, responses read back with
the AWS CLI. Started by tools/demo.sh."""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
from harness import HERE, Moto, ResponseBucket, request  # noqa: E402


def aws_cli_read(moto, bucket, key):
    out = subprocess.run(["aws", "--endpoint-url", moto.url, "s3", "cp", f"s3://{bucket}/{key}", "-"],
                         capture_output=True, text=True, check=True, timeout=60,
                         env=dict(os.environ, **moto.env()))
    return json.loads(out.stdout)


def show(step, body):
    extra = f" Data={json.dumps(body['Data'])}" if "Data" in body else ""
    reason = f" Reason={body['Reason']!r}" if "Reason" in body else ""
    print(f"   {step:<28} {body['Status']:<8} PhysicalResourceId={body['PhysicalResourceId']}{extra}{reason}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--module", required=True, help="the example module's executable")
    args = ap.parse_args()

    print("== starting the local AWS (moto_server on 127.0.0.1)")
    moto = Moto()
    try:
        bucket = ResponseBucket(moto)
        print(f"   {moto.url}, response bucket {bucket.name}")

        print("== invoke from the command line (responses read back with the AWS CLI)")
        steps = [
            ("Create", {"Message": "hello"}, None, None),
            ("Update (same message)", {"Message": "hello", "Upper": "true"}, "hello", {"Message": "hello"}),
            ("Update (replacement)", {"Message": "world"}, "hello", {"Message": "hello"}),
            ("Delete", {"Message": "world"}, "world", None),
            ("Create (bad property)", {"Message": "x", "Upper": "perhaps"}, None, None),
        ]
        for i, (step, props, pid, old) in enumerate(steps):
            action = step.split()[0]
            key = f"cli/{i}"
            ev = request(action, "Custom::Echo", bucket.presign(key), props, physical_id=pid, old=old,
                         request_id=f"demo-{i}")
            res = subprocess.run([args.module, "invoke", "--event", "-"], input=json.dumps(ev),
                                 capture_output=True, text=True, timeout=60)
            show(step, aws_cli_read(moto, bucket.name, key))
            print(f"   {'':<28} exit status {res.returncode}; log: {res.stderr.strip().splitlines()[-1]}")

        fun = os.path.join(HERE, "node_modules", "@vercel", "fun")
        print("== the same program as a Lambda bootstrap under a real Runtime API (@vercel/fun)")
        if not os.path.isdir(fun):
            print("   skipped: @vercel/fun is not installed (tools/setup.sh installs it)")
            return 0
        with tempfile.TemporaryDirectory() as tmp:
            task = os.path.join(tmp, "task")
            os.mkdir(task)
            shutil.copy(args.module, os.path.join(task, "bootstrap"))
            payloads = [request("Create", "Custom::Echo", bucket.presign("fun/0"), {"Message": "from lambda"},
                                request_id="fun-0"),
                        {"RequestType": "Create", "RequestId": "no-response-url"},
                        request("Delete", "Custom::Echo", bucket.presign("fun/1"), {"Message": "from lambda"},
                                physical_id="from lambda", request_id="fun-1")]
            pfile, efile = os.path.join(tmp, "p.json"), os.path.join(tmp, "e.json")
            with open(pfile, "w") as f:
                json.dump(payloads, f)
            with open(efile, "w") as f:
                json.dump({"LD_LIBRARY_PATH": os.environ.get("LD_LIBRARY_PATH", "")}, f)
            res = subprocess.run(["node", os.path.join(HERE, "fun_invoke.js"), task, pfile, efile],
                                 capture_output=True, text=True, timeout=240)
            if res.returncode != 0:
                print(res.stderr)
                return 1
            results = json.loads(res.stdout)
            show("Create (Lambda)", aws_cli_read(moto, bucket.name, "fun/0"))
            err = json.loads(results[1]["Payload"])
            print(f"   {'Unanswerable request':<28} invocation error {err['errorType']}: {err['errorMessage']}")
            show("Delete (Lambda)", aws_cli_read(moto, bucket.name, "fun/1"))
        print("== done: every answerable request got exactly one response")
        return 0
    finally:
        moto.stop()


if __name__ == "__main__":
    sys.exit(main())
