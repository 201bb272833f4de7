"""`cfnkit package` against the local AWS: code objects keyed by their
content hash, checked with boto3 and zipfile (an independent reader)."""

import hashlib
import io
import json
import os
import shutil
import stat
import tempfile
import unittest
import zipfile

from harness import Moto, program, run


def read(path):
    with open(path, "rb") as f:
        return f.read()


class CodePackageAgainstMoto(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        cls.tool = program("CFNKIT_TOOL")
        cls.s3 = cls.moto.client("s3")
        cls.s3.create_bucket(Bucket="code")

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.fn = self.folder("hits", {
            "bootstrap": ("#!/bin/sh\nexec ./handler\n", 0o755),
            ".env": ("TABLE=hits-dev\n", 0o600),
            "lib/util.txt": ("util " * 2000, 0o644),
            "lib/z/deep.bin": ("\x00\x01binary", 0o640),
            "README": ("hits\n", 0o644),
        })

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def folder(self, name, files):
        top = os.path.join(self.tmp, name)
        for rel, (text, mode) in files.items():
            path = os.path.join(top, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, mode)
        return top

    def package(self, path, *args, expect=0):
        res = run([self.tool, "package", path, "--s3-bucket", "code", *args], env=self.moto.env())
        self.assertEqual(res.returncode, expect, res.stderr)
        return res

    def package_json(self, path, *args):
        return json.loads(self.package(path, *args, "--output", "json").stdout)

    def fetch(self, key):
        return self.s3.get_object(Bucket="code", Key=key)["Body"].read()

    def keys(self, prefix=""):
        out = self.s3.list_objects_v2(Bucket="code", Prefix=prefix)
        return sorted(o["Key"] for o in out.get("Contents", []))

    def test_same_content_same_key_changed_content_new_key(self):
        first = self.package_json(self.fn, "--s3-prefix", "apps/")
        body = self.fetch(first["Key"])
        digest = hashlib.sha256(body).hexdigest()
        self.assertEqual(first["Key"], f"apps/hits-{digest[:16]}.zip")
        self.assertEqual(first, {"Bucket": "code", "Key": first["Key"], "Sha256": digest,
                                 "Size": len(body), "Entries": 5, "Uploaded": True})
        # Again, after touching every file, and from a copy elsewhere made in
        # another order: the same bytes, the same key, nothing uploaded.
        for root, _, files in os.walk(self.fn):
            for f in files:
                os.utime(os.path.join(root, f), (946684800, 946684800))
        again = self.package_json(self.fn, "--s3-prefix", "apps")
        self.assertEqual((again["Key"], again["Uploaded"]), (first["Key"], False))
        copy = os.path.join(self.tmp, "elsewhere", "hits")
        os.makedirs(copy)
        for rel in ["lib/z/deep.bin", "README", "bootstrap", "lib/util.txt", ".env"]:
            os.makedirs(os.path.dirname(os.path.join(copy, rel)), exist_ok=True)
            shutil.copy2(os.path.join(self.fn, rel), os.path.join(copy, rel))
        from_copy = self.package_json(copy + "/", "--s3-prefix", "apps")
        self.assertEqual((from_copy["Key"], from_copy["Uploaded"]), (first["Key"], False))
        self.assertEqual(self.keys("apps/"), [first["Key"]])

        # New content, or a new mode: new keys; the old object stays.
        with open(os.path.join(self.fn, "lib", "util.txt"), "a") as f:
            f.write("v2")
        changed = self.package_json(self.fn, "--s3-prefix", "apps")
        self.assertTrue(changed["Uploaded"])
        self.assertNotEqual(changed["Key"], first["Key"])
        os.chmod(os.path.join(self.fn, "README"), 0o755)
        moded = self.package_json(self.fn, "--s3-prefix", "apps")
        self.assertNotIn(moded["Key"], (first["Key"], changed["Key"]))
        self.assertEqual(self.keys("apps/"), sorted([first["Key"], changed["Key"], moded["Key"]]))

    def test_the_zip_keeps_env_files_and_modes_sorted_and_dated_1980(self):
        out = self.package(self.fn, "--name", "counter")
        lines = dict(line.split("\t") for line in out.stdout.splitlines())
        self.assertEqual(lines["Bucket"], "code")
        self.assertRegex(lines["Key"], r"^counter-[0-9a-f]{16}\.zip$")
        self.assertIn("uploaded s3://code/" + lines["Key"], out.stderr)
        z = zipfile.ZipFile(io.BytesIO(self.fetch(lines["Key"])))
        self.assertIsNone(z.testzip())
        names = [i.filename for i in z.infolist()]
        self.assertEqual(names, [".env", "README", "bootstrap", "lib/util.txt", "lib/z/deep.bin"])
        self.assertEqual(z.read(".env"), b"TABLE=hits-dev\n")
        self.assertEqual(z.read("lib/z/deep.bin"), b"\x00\x01binary")
        modes = {i.filename: i.external_attr >> 16 for i in z.infolist()}
        self.assertEqual(modes["bootstrap"], stat.S_IFREG | 0o755)
        self.assertEqual(modes[".env"], stat.S_IFREG | 0o600)
        self.assertEqual(modes["lib/z/deep.bin"], stat.S_IFREG | 0o640)
        self.assertTrue(all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in z.infolist()))
        self.assertTrue(all(i.create_system == 3 for i in z.infolist()))  # Unix

    def test_a_zip_is_checked_and_uploaded_as_it_is(self):
        good = os.path.join(self.tmp, "site.zip")
        with zipfile.ZipFile(good, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("index.js", "exports.handler = () => 1;\n" * 200)
            z.writestr(".env", "A=1\n")
        data = read(good)
        out = self.package_json(good, "--s3-prefix", "zips")
        self.assertEqual(out["Key"], f"zips/site-{hashlib.sha256(data).hexdigest()[:16]}.zip")
        self.assertEqual(self.fetch(out["Key"]), data)
        self.assertEqual(out["Entries"], 2)

    def test_corrupt_zips_are_refused_and_nothing_uploaded(self):
        stored = os.path.join(self.tmp, "stored.zip")
        with zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as z:
            z.writestr("index.js", "x" * 5000)
        data = bytearray(read(stored))
        cases = {}
        crc = bytearray(data)
        crc[100] ^= 0xFF  # inside the entry's bytes: its CRC no longer matches
        cases["crc.zip"] = (crc, 'crc.zip is not a whole zip: entry "index.js": CRC error')
        cases["cut.zip"] = (data[: len(data) // 2], "cut.zip is not a whole zip: Not a zip archive")
        cases["text.zip"] = (b"not a zip at all\n", "text.zip is not a whole zip: Not a zip archive")
        evil = io.BytesIO()
        with zipfile.ZipFile(evil, "w") as z:
            z.writestr("../outside", "x")
        cases["evil.zip"] = (evil.getvalue(), 'evil.zip: entry "../outside" would unpack outside its folder')
        empty = io.BytesIO()
        zipfile.ZipFile(empty, "w").close()
        cases["empty.zip"] = (empty.getvalue(), "empty.zip has no entries: nothing to package")
        for name, (content, message) in cases.items():
            path = os.path.join(self.tmp, name)
            with open(path, "wb") as f:
                f.write(content)
            res = self.package(path, "--s3-prefix", "bad", expect=1)
            self.assertIn(f"cfnkit package: {path}", res.stderr)
            self.assertIn(message, res.stderr)
        self.assertEqual(self.keys("bad/"), [])

    def test_clear_errors(self):
        empty = os.path.join(self.tmp, "nothing")
        os.makedirs(os.path.join(empty, "sub"))
        res = self.package(empty, expect=1)
        self.assertIn(f"{empty} has no files: nothing to package", res.stderr)
        os.symlink("..", os.path.join(self.fn, "lib", "loop"))
        res = self.package(self.fn, expect=1)
        self.assertIn("a symbolic link loops back to a folder above it", res.stderr)
        os.unlink(os.path.join(self.fn, "lib", "loop"))
        os.mkfifo(os.path.join(self.fn, "pipe"))
        res = self.package(self.fn, expect=1)
        self.assertIn("pipe is neither a file nor a folder", res.stderr)
        os.unlink(os.path.join(self.fn, "pipe"))
        res = run([self.tool, "package", self.fn, "--s3-bucket", "no-such-bucket"], env=self.moto.env())
        self.assertEqual(res.returncode, 1)
        self.assertIn("NoSuchBucket", res.stderr)
        res = run([self.tool, "package", self.fn], env=self.moto.env())
        self.assertEqual(res.returncode, 2)
        self.assertIn("--s3-bucket is required", res.stderr)
        res = self.package(self.fn, "--name", "a/b", expect=1)
        self.assertIn("must be 1 to 255 characters without '/'", res.stderr)


if __name__ == "__main__":
    unittest.main()
