"""The example module, built only against an installed cfnkit (pkg-config and
CMake find_package), serving requests against the local S3."""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import HERE, Moto, ResponseBucket, request, run

EXAMPLE = os.path.join(HERE, "..", "example_module")


class ExampleModuleFromInstalledHeaders(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        build = os.environ.get("CFNKIT_BUILD_DIR")
        if not build:
            raise unittest.SkipTest("CFNKIT_BUILD_DIR is not set: run the tests through ctest")
        cls.tmp = tempfile.mkdtemp()
        cls.prefix = os.path.join(cls.tmp, "prefix")
        out = run(["cmake", "--install", build, "--prefix", cls.prefix], timeout=120)
        if out.returncode != 0:
            raise RuntimeError(out.stdout + out.stderr)
        cls.libdir = next(os.path.join(cls.prefix, d) for d in ("lib", "lib64", "lib/x86_64-linux-gnu")
                          if os.path.exists(os.path.join(cls.prefix, d, "pkgconfig", "cfnkit.pc")))
        cls.env = {"PKG_CONFIG_PATH": os.path.join(cls.libdir, "pkgconfig"),
                   "LD_LIBRARY_PATH": cls.libdir}
        cls.moto = Moto()
        cls.bucket = ResponseBucket(cls.moto)

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def cflags(self):
        # A sanitizer build of the library needs the same runtime in the module.
        return os.environ.get("CFNKIT_EXTRA_CFLAGS", "").split()

    def serve(self, exe, key):
        url = self.bucket.presign(key)
        ev = request("Create", "Custom::Echo", url, {"Message": "hello", "Upper": "true"})
        res = run([exe, "invoke", "--event", "-"], stdin=json.dumps(ev), env=self.env)
        self.assertEqual(res.returncode, 0, res.stderr)
        body = self.bucket.read(key)
        self.assertEqual(body["Data"], {"Echo": "HELLO", "Length": "5"})
        self.assertEqual(body["PhysicalResourceId"], "hello")

    def test_installed_files(self):
        for h in ("cfnkit.h", "aws.h", "common.h", "error.h", "log.h", "request.h", "resource.h",
                  "response.h", "version.h"):
            self.assertTrue(os.path.exists(os.path.join(self.prefix, "include", "cfnkit", h)), h)
        self.assertTrue(os.path.exists(os.path.join(self.libdir, "cmake", "cfnkit", "cfnkitConfig.cmake")))
        self.assertTrue(os.path.exists(os.path.join(self.prefix, "bin", "cfnkit")))

    def test_build_with_pkg_config(self):
        flags = run(["pkg-config", "--cflags", "--libs", "cfnkit"], env=self.env)
        self.assertEqual(flags.returncode, 0, flags.stderr)
        exe = os.path.join(self.tmp, "echo_pc")
        cc = run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", *self.cflags(), "-o", exe,
                  os.path.join(EXAMPLE, "echo.c"), *flags.stdout.split()], env=self.env)
        self.assertEqual(cc.returncode, 0, cc.stderr)
        self.serve(exe, "example/pkgconfig")

    def test_build_with_find_package(self):
        build = os.path.join(self.tmp, "cmake-build")
        conf = run(["cmake", "-S", EXAMPLE, "-B", build, f"-DCMAKE_PREFIX_PATH={self.prefix}",
                    "-DCMAKE_C_FLAGS=" + " ".join(self.cflags())], env=self.env, timeout=120)
        self.assertEqual(conf.returncode, 0, conf.stdout + conf.stderr)
        make = run(["cmake", "--build", build], env=self.env, timeout=120)
        self.assertEqual(make.returncode, 0, make.stdout + make.stderr)
        self.serve(os.path.join(build, "echo_module"), "example/cmake")

    def test_public_header_is_self_contained_and_hides_internals(self):
        lib = os.path.join(self.libdir, "libcfnkit.so")
        syms = subprocess.run(["nm", "-D", "--defined-only", lib], capture_output=True, text=True).stdout
        names = {line.split()[-1] for line in syms.splitlines() if line.strip()}
        self.assertIn("cfn_main", names)
        self.assertIn("cfn_prop_string", names)
        self.assertFalse([n for n in names if n.startswith(("request_", "serve_", "http_", "sb_"))])


if __name__ == "__main__":
    unittest.main()
