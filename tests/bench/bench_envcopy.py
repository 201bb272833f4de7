#!/usr/bin/env python3
"""Custom::LambdaFunction's .env injection on S3 code objects of 20 MB and
200 MB (1 GB with --gigabyte) of 2,000 and 20,000 entries, against the local
AWS (moto_server): bytes moved through the provider, wall time and peak RSS
of the remote rewrite (range copies inside S3) beside today's local rewrite
(download, libzip, upload) and beside `cp` of the same file. Judge by bytes
moved: moto's server-side copy is slow Python, S3's is done inside S3."""

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile

import dotenv

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import Moto  # noqa: E402

MIB = 1024 * 1024


def timed(argv, env):
    """Runs argv under GNU time; returns (seconds, peak RSS KiB, stdout)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        t0 = time.perf_counter()
        res = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out.name, *argv], env=env,
                             capture_output=True, text=True)
        if res.returncode != 0:
            sys.exit(f"{' '.join(argv)}: {res.stderr.strip()}")
        return round(time.perf_counter() - t0, 3), int(out.read().split()[-1]), res.stdout


def make_archive(path, megabytes, entries):
    """Generated: half the entries small deflated sources, half stored
    blocks of zeros making up the size; the .env in the middle."""
    blob = b"\0" * (megabytes * MIB // (entries // 2))
    src = b"def handler(event, context):\n    return {'statusCode': 200}\n" * 4
    with zipfile.ZipFile(path, "w") as z:
        for i in range(entries):
            if i == entries // 2:
                z.writestr(zipfile.ZipInfo(".env", (2024, 1, 1, 0, 0, 0)), "EXISTING=1\n",
                           zipfile.ZIP_DEFLATED)
            if i % 2:
                z.writestr(zipfile.ZipInfo(f"assets/b{i:05d}.bin", (2024, 1, 1, 0, 0, 0)), blob,
                           zipfile.ZIP_STORED)
            else:
                z.writestr(zipfile.ZipInfo(f"src/m{i:05d}.py", (2024, 1, 1, 0, 0, 0)), src,
                           zipfile.ZIP_DEFLATED)


def check(s3, key):
    """The remote result reads back: every entry, and the .env."""
    data = s3.get_object(Bucket="code", Key=key)["Body"].read()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        env = dotenv.dotenv_values(stream=io.StringIO(z.read(".env").decode()))
    assert dict(env) == {"EXISTING": "1", "TABLE": "hits-dev"}, env


def one(args, moto, s3, env, tmp, megabytes, entries):
    moto.reset()
    s3.create_bucket(Bucket="code")
    src = os.path.join(tmp, "package.zip")
    make_archive(src, megabytes, entries)
    size = os.path.getsize(src)
    s3.upload_file(src, "code", "app.zip")
    cp = timed(["cp", src, os.path.join(tmp, "copy.zip")], env)
    os.unlink(os.path.join(tmp, "copy.zip"))
    local = timed([args.bench, "local", "code", "app.zip", "TABLE=hits-dev"], env)
    remote = timed([args.bench, "remote", "code", "app.zip", "TABLE=hits-dev"], env)
    os.unlink(src)
    lo, re_ = json.loads(local[2]), json.loads(remote[2])
    if megabytes <= 200:
        check(s3, re_["key"])
    row = {"archive_mb": round(size / MIB, 1), "entries": entries,
           "cp": {"seconds": cp[0], "peak_rss_kib": cp[1], "bytes_moved": 2 * size},
           "local_rewrite": {"seconds": local[0], "peak_rss_kib": local[1],
                             "bytes_moved": lo["bytes_read"] + lo["bytes_sent"]},
           "remote_rewrite": {"seconds": remote[0], "peak_rss_kib": remote[1],
                              "bytes_moved": re_["bytes_read"] + re_["bytes_sent"],
                              "bytes_copied_in_s3": re_["bytes_copied"], "parts": re_["parts"],
                              "requests": re_["requests"]}}
    print(f".env into a {row['archive_mb']} MB zip of {entries} entries:")
    for name in ("cp", "local_rewrite", "remote_rewrite"):
        r = row[name]
        extra = (f"   ({r['bytes_copied_in_s3']} B copied inside S3, {r['parts']} parts, "
                 f"{r['requests']} requests)") if name == "remote_rewrite" else ""
        print(f"  {name:<16} moved {r['bytes_moved']:>11} B  {r['seconds']:>7} s  "
              f"peak RSS {r['peak_rss_kib']:>7} KiB{extra}")
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", required=True, help="the bench_envcopy program")
    ap.add_argument("--gigabyte", action="store_true", help="also 1 GB objects (slow on moto)")
    ap.add_argument("--threshold", action="store_true",
                    help="only local and remote wall time for 2 to 64 MB, 2,000 entries")
    ap.add_argument("--megabytes", type=int, action="append", help="only these sizes")
    ap.add_argument("--entries", type=int, action="append", help="only these entry counts")
    args = ap.parse_args()
    moto = Moto()
    try:
        s3 = moto.client("s3")
        env = dict(os.environ, **moto.env())
        rows = []
        with tempfile.TemporaryDirectory() as tmp:
            if args.threshold:
                for mb in (2, 8, 16, 32, 64):
                    rows.append(one(args, moto, s3, env, tmp, mb, 2000))
            else:
                for mb in args.megabytes or (20, 200) + ((1024,) if args.gigabyte else ()):
                    for entries in args.entries or (2000, 20000):
                        rows.append(one(args, moto, s3, env, tmp, mb, entries))
        print(json.dumps(rows))
    finally:
        moto.stop()


if __name__ == "__main__":
    main()
