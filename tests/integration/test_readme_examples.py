"""The C examples of the READMEs (#13.6): every ```c block of README.md, of
each resources/*/README.md and of tests/example_module/README.md is a whole
program, built only against an installed cfnkit (pkg-config) with warnings as
errors, and runs: it lists the types it registers."""

import glob
import os
import re
import shutil
import tempfile
import unittest

from harness import HERE, run

ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
BLOCK = re.compile(r"^```c\n(.*?)^```$", re.S | re.M)


def readmes():
    return [os.path.join(ROOT, "README.md"),
            *sorted(glob.glob(os.path.join(ROOT, "resources", "*", "README.md"))),
            os.path.join(ROOT, "tests", "example_module", "README.md")]


class ReadmeExamples(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        build = os.environ.get("CFNKIT_BUILD_DIR")
        if not build:
            raise unittest.SkipTest("CFNKIT_BUILD_DIR is not set: run the tests through ctest")
        cls.tmp = tempfile.mkdtemp()
        prefix = os.path.join(cls.tmp, "prefix")
        out = run(["cmake", "--install", build, "--prefix", prefix], timeout=120)
        if out.returncode != 0:
            raise RuntimeError(out.stdout + out.stderr)
        libdir = next(os.path.join(prefix, d) for d in ("lib", "lib64", "lib/x86_64-linux-gnu")
                      if os.path.exists(os.path.join(prefix, d, "pkgconfig", "cfnkit.pc")))
        cls.env = {"PKG_CONFIG_PATH": os.path.join(libdir, "pkgconfig"), "LD_LIBRARY_PATH": libdir}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_every_c_block_builds_and_runs(self):
        flags = run(["pkg-config", "--cflags", "--libs", "cfnkit"], env=self.env)
        self.assertEqual(flags.returncode, 0, flags.stderr)
        extra = os.environ.get("CFNKIT_EXTRA_CFLAGS", "").split()
        built = 0
        for readme in readmes():
            with open(readme) as f:
                text = f.read()
            for n, block in enumerate(BLOCK.findall(text)):
                where = f"{os.path.relpath(readme, ROOT)} block {n + 1}"
                with self.subTest(example=where):
                    src = os.path.join(self.tmp, f"example{built}.c")
                    exe = src[:-2]
                    with open(src, "w") as f:
                        f.write(block)
                    cc = run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", *extra, "-o", exe, src,
                              *flags.stdout.split()], env=self.env)
                    self.assertEqual(cc.returncode, 0, where + ":\n" + cc.stderr)
                    types = run([exe, "types"], env=self.env)
                    self.assertEqual(types.returncode, 0, types.stderr)
                    self.assertIn("Custom::", types.stdout)
                built += 1
        self.assertGreaterEqual(built, 2)


if __name__ == "__main__":
    unittest.main()
