"""`cfnkit check` against the local AWS (moto_server): the built-in modules
keep every promise CloudFormation relies on; providers broken on purpose
(tests/fixtures/broken.c) are caught, each with the request that showed it."""

import json
import re
import unittest

from harness import Moto, program, run
from test_authoring import BuiltinSetup


class Check(unittest.TestCase):
    """`cfnkit check` against moto: the built-in modules keep every promise;
    providers broken on purpose are caught, each with the request that showed it."""

    @classmethod
    def setUpClass(cls):
        cls.tool = program("CFNKIT_TOOL")
        cls.broken = program("CFNKIT_BROKEN")
        cls.moto = Moto()
        cls.setup = BuiltinSetup(cls.moto)
        cls.moto.client("s3").create_bucket(Bucket="notes")

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def check(self, provider, rtype, props, *extra):
        res = run([self.tool, "check", "--provider", provider, "--type", rtype,
                   "--properties", json.dumps(props), *extra], env=self.setup.env, timeout=600)
        return res.returncode, res.stdout + res.stderr

    # What each module may leave behind, seen by the AWS CLI (an independent client).
    looks = {"Custom::UniquePort": "aws dynamodb scan --table-name cfnkit-ports --query Items",
             "Custom::LambdaFunction": "aws lambda list-functions --query 'Functions[].FunctionName' "
                                       "&& aws s3api list-objects-v2 --bucket code --query 'Contents[].Key'",
             "Custom::APIGatewayResource": "aws apigateway get-rest-apis --query 'items[].id' && "
                                           "(aws lambda get-policy --function-name target --query Policy "
                                           "2>/dev/null || echo no-policy)"}

    def test_builtin_modules_keep_every_promise(self):
        for rtype, create, update in self.setup.cases():
            if rtype == "Custom::APIGatewayResource":  # on a given API; see the test below
                create, update = dict(create, RestApiId=self.setup.api), dict(update, RestApiId=self.setup.api)
            with self.subTest(type=rtype):
                code, out = self.check(self.tool, rtype, create, "--update-properties", json.dumps(update),
                                       "--replacement", "no", "--look", self.looks[rtype])
                self.assertEqual(code, 0, out)
                self.assertIn("0 broken, 0 skipped", out)
                self.assertNotIn("FAIL", out)

    def test_apigateway_owned_api_keeps_every_promise(self):
        """Found by `cfnkit check`: Custom::APIGatewayResource without RestApiId
        made a second RestApi (and a second permission) when its Create was
        delivered twice; the module now tags the API with the Create's
        RequestId and reuses it."""
        rtype, create, update = self.setup.cases()[2]
        code, out = self.check(self.tool, rtype, create, "--update-properties", json.dumps(update),
                               "--replacement", "no", "--look", self.looks[rtype])
        self.assertEqual(code, 0, out)

    def note(self, brk, *extra):
        props = {"Bucket": "notes", "Text": "a", "Break": brk}
        return self.check(self.broken, "Custom::Note", props, "--update-properties",
                          json.dumps(dict(props, Text="b")), "--replacement", "no",
                          "--look", f"{self.tool} aws s3 list-objects notes", *extra)

    def failures(self, out):
        lines = out.splitlines()
        return [(line, lines[i + 1]) for i, line in enumerate(lines) if line.startswith("FAIL")]

    def test_correct_note_passes(self):
        code, out = self.note("")
        self.assertEqual(code, 0, out)
        self.assertIn("10 held, 0 broken, 0 skipped", out)

    def test_delete_that_fails_when_gone(self):
        code, out = self.note("delete-when-gone")
        self.assertEqual(code, 1, out)
        (again, req), (never, _) = self.failures(out)
        self.assertIn("the same Delete delivered again: FAILED: S3 HeadObject", again)
        self.assertEqual(json.loads(req.split("request: ", 1)[1])["RequestType"], "Delete")
        self.assertIn("Delete of an id that never existed", never)

    def test_create_that_makes_a_second_resource(self):
        code, out = self.note("create-twice")
        self.assertEqual(code, 1, out)
        (dup, req), (left, _) = self.failures(out)
        self.assertIn("the same Create delivered twice gives the same id and Data", dup)
        self.assertIn("a second resource CloudFormation will never delete", dup)
        self.assertEqual(json.loads(req.split("request: ", 1)[1])["RequestType"], "Create")
        self.assertIn("nothing left after the Deletes", left)
        orphan = re.search(r"SUCCESS, id (\S+)", dup).group(1)
        self.assertIn(f'"Key":\t"{orphan}"', out.split(left, 1)[1])  # from the --look output

    def test_id_that_changes_on_a_noop_update(self):
        code, out = self.note("id-on-noop")
        self.assertEqual(code, 1, out)
        (noop, req), (changed, _) = self.failures(out)
        self.assertIn("an Update that changes nothing keeps the id", noop)
        ev = json.loads(req.split("request: ", 1)[1])
        self.assertEqual((ev["RequestType"], ev["ResourceProperties"], ev["OldResourceProperties"]["Text"]),
                         ("Update", ev["OldResourceProperties"], "a"))
        self.assertIn("(replaced; expected in place)", changed)

    def test_create_that_fails_stops_the_lifecycle(self):
        code, out = self.check(self.broken, "Custom::Note", {"Text": "no bucket"})
        self.assertEqual(code, 1, out)
        self.assertIn("FAIL  Create answered once, SUCCESS", out)
        self.assertIn("Bucket", out)
        self.assertIn("skip  the rest needs a successful Create", out)

    def test_usage_errors(self):
        for args, says in [([], "--provider, --type and --properties are required"),
                           (["--provider", "/nonexistent", "--type", "T", "--properties", "{}"],
                            "not an executable"),
                           (["--provider", self.broken, "--type", "T", "--properties", "{}",
                             "--replacement", "maybe"], "yes or no")]:
            with self.subTest(args=args):
                res = run([self.tool, "check", *args], env=self.setup.env)
                self.assertEqual(res.returncode, 2, res.stdout)
                self.assertIn(says, res.stderr)
        self.assertIn("Delete of an id that never existed", run([self.tool, "check", "--help"]).stdout)


if __name__ == "__main__":
    unittest.main()
