#!/usr/bin/env python3
"""Custom::LambdaFunction's .env injection on a 200 MB zip of 2,000 entries:
wall time and peak RSS, beside `cp` of the same file and beside Python's
zipfile rewriting the archive the seed's way (every entry read and written
to a new zip)."""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile

REWRITE = r'''
import sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
    for info in zin.infolist():
        data = zin.read(info.filename)
        if info.filename == ".env":
            data = data + b"TABLE=hits-dev\n"
        zout.writestr(info, data)
'''


def timed(argv):
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        t0 = time.perf_counter()
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out.name, *argv], check=True,
                       stdout=subprocess.DEVNULL)
        return round(time.perf_counter() - t0, 3), int(out.read().split()[-1])


def make_archive(path, megabytes, entries):
    """Half the entries compressible text, half random bytes, as a package's
    code and assets; about `megabytes` on disk."""
    per = megabytes * 1024 * 1024 // entries
    text = (b"def handler(event, context):\n    return {'statusCode': 200}\n" * (per // 60 + 1))[:per]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr(".env", "EXISTING=1\n")
        for i in range(entries - 1):
            if i % 2:
                z.writestr(f"assets/blob{i:04d}.bin", os.urandom(per * 2 - per // 50))
            else:
                z.writestr(f"src/module{i:04d}.py", text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", required=True, help="the bench_envzip program")
    ap.add_argument("--megabytes", type=int, default=200)
    ap.add_argument("--entries", type=int, default=2000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "package.zip")
        make_archive(src, args.megabytes, args.entries)
        size_mb = round(os.path.getsize(src) / 1048576, 1)
        inject = timed([args.bench, src, os.path.join(tmp, "work.zip"), "TABLE=hits-dev"])
        copy = timed(["cp", src, os.path.join(tmp, "copy.zip")])
        python = timed([sys.executable, "-c", REWRITE, src, os.path.join(tmp, "python.zip")])
    results = {"archive_mb": size_mb, "entries": args.entries,
               "cfnkit_envzip": {"seconds": inject[0], "peak_rss_kib": inject[1]},
               "cp": {"seconds": copy[0], "peak_rss_kib": copy[1]},
               "python_zipfile_rewrite": {"seconds": python[0], "peak_rss_kib": python[1]}}
    print(f".env into a {size_mb} MB zip of {args.entries} entries:")
    for name in ("cfnkit_envzip", "cp", "python_zipfile_rewrite"):
        r = results[name]
        print(f"  {name:<24} {r['seconds']:>7} s   peak RSS {r['peak_rss_kib']} KiB")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
