"""cfnkit deploy and its companions (#11) against moto_server, with the test
provider (tests/fixtures/testprovider.c) recording every request it gets;
the state is checked in DynamoDB with boto3, independently of the engine."""

import json
import os
import random
import signal
import subprocess
import tempfile
import time
import unittest

from harness import Moto, program, run


class DeployTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        cls.tool = program("CFNKIT_TOOL")
        cls.provider = program("CFNKIT_TESTPROVIDER")
        cls.tmp = tempfile.TemporaryDirectory()
        cls.ddb = cls.moto.client("dynamodb")

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()
        cls.tmp.cleanup()

    def setUp(self):
        self.rec = os.path.join(self.tmp.name, self.id().split(".")[-1] + ".jsonl")

    # ---- helpers ----

    def res(self, depends=None, type_="Custom::Test", **props):
        r = {"Type": type_, "Properties": {"ServiceToken": "local", "RecordFile": self.rec}}
        r["Properties"].update({k: v for k, v in props.items()})
        if depends:
            r["DependsOn"] = depends
        return r

    def template(self, resources, outputs=None, parameters=None):
        t = {"Resources": resources}
        if outputs:
            t["Outputs"] = outputs
        if parameters:
            t["Parameters"] = parameters
        path = os.path.join(self.tmp.name, f"t{random.getrandbits(48):x}.json")
        with open(path, "w") as f:
            json.dump(t, f)
        return path

    def cfnkit(self, *args, timeout=120):
        return run([self.tool, *args], env=self.moto.env(), timeout=timeout)

    def deploy(self, stack, resources, *extra, outputs=None, parameters=None, timeout=120):
        path = self.template(resources, outputs, parameters)
        return self.cfnkit("deploy", "--template-file", path, "--stack-name", stack,
                           "--provider", self.provider, *extra, timeout=timeout)

    def delete(self, stack, *extra):
        return self.cfnkit("delete-stack", "--stack-name", stack, "--provider", self.provider,
                           *extra)

    def records(self):
        if not os.path.exists(self.rec):
            return []
        with open(self.rec) as f:
            return [json.loads(line) for line in f if line.strip()]

    def of(self, logical, kind=None):
        return [r for r in self.records() if r["LogicalResourceId"] == logical
                and (kind is None or r["RequestType"] == kind)]

    def stack_doc(self, stack):
        """The stack document as stored, read with boto3."""
        item = self.ddb.get_item(TableName="cfnkit-stacks", ConsistentRead=True,
                                 Key={"pk": {"S": "stacks"}, "sk": {"S": stack}}).get("Item")
        return json.loads(item["doc"]["S"]) if item else None

    def stored_resources(self, stack):
        items = self.ddb.query(TableName="cfnkit-stacks", ConsistentRead=True,
                               KeyConditionExpression="pk = :p AND begins_with(sk, :r)",
                               ExpressionAttributeValues={":p": {"S": f"stack#{stack}"},
                                                          ":r": {"S": "resource#"}})["Items"]
        return {i["sk"]["S"][len("resource#"):]: json.loads(i["doc"]["S"]) for i in items}

    def events(self, stack):
        out = self.cfnkit("describe-stack-events", "--stack-name", stack)
        self.assertEqual(out.returncode, 0, out.stderr)
        return json.loads(out.stdout)["StackEvents"]

    def ok(self, out):
        self.assertEqual(out.returncode, 0, f"stdout:\n{out.stdout}\nstderr:\n{out.stderr}")

    # ---- tests ----

    def test_provider_runs_with_its_functions_environment(self):
        """A custom resource whose ServiceToken is a Lambda function of the
        target AWS is served with that function's Environment.Variables and
        name, as the provider runs as that function in CloudFormation; a
        token naming no function changes nothing."""
        role = {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": {"Service": "lambda.amazonaws.com"}}]}}}
        fn = {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "index.handler", "FunctionName": "fnenv-provider",
            "Role": {"Fn::GetAtt": ["Role", "Arn"]}, "Code": {"ZipFile": "def handler(e, c):\n    pass\n"},
            "Environment": {"Variables": {"CFNKIT_TEST_GREETING": "hello", "TZ": "Europe/Paris"}}}}
        mine = self.res(ServiceToken={"Fn::GetAtt": ["Fn", "Arn"]})
        other = self.res()
        self.ok(self.deploy("fnenv", {"Role": role, "Fn": fn, "Mine": mine, "Other": other},
                            "--capabilities", "CAPABILITY_IAM"))
        env = self.of("Mine", "Create")[0]["Environment"]
        self.assertEqual(env.get("CFNKIT_TEST_GREETING"), "hello")
        self.assertEqual(env.get("AWS_LAMBDA_FUNCTION_NAME"), "fnenv-provider")
        self.assertEqual(env.get("TZ"), ":UTC")  # Lambda's own, as in Lambda
        self.assertIn("AWS_ENDPOINT_URL", env)  # the target AWS's settings stay
        env = self.of("Other", "Create")[0]["Environment"]
        self.assertNotIn("CFNKIT_TEST_GREETING", env)
        self.ok(self.delete("fnenv"))

    def test_order_parallel_and_delete_in_reverse(self):
        out = self.deploy("order", {
            "A": self.res(Sleep="400"), "B": self.res(Sleep="400", Data={"Name": "bee"}),
            "C": self.res(Sleep="100", Up={"Ref": "A"}, Up2={"Fn::GetAtt": ["B", "Name"]}),
            "D": self.res(depends=["C"])})
        self.ok(out)
        self.assertIn("CREATE_COMPLETE", out.stdout)
        a, b = self.of("A", "Create")[0], self.of("B", "Create")[0]
        c, d = self.of("C", "Create")[0], self.of("D", "Create")[0]
        # Independent resources overlap; none starts before its dependencies end.
        self.assertLess(a["StartMs"], b["EndMs"])
        self.assertLess(b["StartMs"], a["EndMs"])
        self.assertGreaterEqual(c["StartMs"], max(a["EndMs"], b["EndMs"]))
        self.assertGreaterEqual(d["StartMs"], c["EndMs"])
        self.assertEqual(c["ResourceProperties"]["Up2"], "bee")
        self.assertTrue(c["StackId"].startswith("arn:aws:cloudformation:us-east-1:123456789012:"
                                                "stack/order/"))
        self.assertEqual(self.stack_doc("order")["StackStatus"], "CREATE_COMPLETE")
        self.assertEqual(sorted(self.stored_resources("order")), ["A", "B", "C", "D"])
        stacks = json.loads(self.cfnkit("describe-stacks").stdout)["Stacks"]
        self.assertIn(("order", "CREATE_COMPLETE"),
                      [(x["StackName"], x["StackStatus"]) for x in stacks])
        described = json.loads(self.cfnkit("describe-stack-resources", "--stack-name",
                                           "order").stdout)["StackResources"]
        self.assertEqual({r["LogicalResourceId"] for r in described}, {"A", "B", "C", "D"})
        self.ok(self.delete("order"))
        da, db = self.of("A", "Delete")[0], self.of("B", "Delete")[0]
        dc, dd = self.of("C", "Delete")[0], self.of("D", "Delete")[0]
        self.assertGreaterEqual(dc["StartMs"], dd["EndMs"])
        self.assertGreaterEqual(min(da["StartMs"], db["StartMs"]), dc["EndMs"])
        self.assertLess(da["StartMs"], db["EndMs"])  # deletes in parallel too
        self.assertIsNone(self.stack_doc("order"))
        self.assertEqual(self.stored_resources("order"), {})
        # --max-concurrency bounds what runs at once.
        os.remove(self.rec)
        self.ok(self.deploy("order1", {"A": self.res(Sleep="300"), "B": self.res(Sleep="300")},
                            "--max-concurrency", "1"))
        a, b = sorted((self.of("A")[0], self.of("B")[0]), key=lambda r: r["StartMs"])
        self.assertGreaterEqual(b["StartMs"], a["EndMs"])
        self.ok(self.delete("order1"))

    def test_outputs_exports_and_imports(self):
        out = self.deploy("exporter", {"A": self.res(Id="a-id")}, outputs={
            "AId": {"Value": {"Ref": "A"}, "Export": {"Name": "exp-a"}}})
        self.ok(out)
        self.assertIn("AId = a-id", out.stdout)
        exports = json.loads(self.cfnkit("list-exports").stdout)["Exports"]
        self.assertIn("exp-a", [e["Name"] for e in exports])
        # ServiceToken is evaluated like any property: imported from the provider stack.
        self.ok(self.deploy("importer", {"B": self.res(From={"Fn::ImportValue": "exp-a"},
                                                       ServiceToken={"Fn::ImportValue": "exp-a"})}))
        self.assertEqual(self.of("B", "Create")[0]["ResourceProperties"]["From"], "a-id")
        self.assertEqual(self.of("B", "Create")[0]["ResourceProperties"]["ServiceToken"], "a-id")
        # Neither deleted nor changed while imported: the error names the importer.
        out = self.delete("exporter")
        self.assertEqual(out.returncode, 1)
        self.assertIn("Export exp-a cannot be deleted as it is in use by importer", out.stderr)
        out = self.deploy("exporter", {"A": self.res(Id="a-id")}, outputs={
            "AId": {"Value": "other", "Export": {"Name": "exp-a"}}})
        self.assertEqual(out.returncode, 1)
        self.assertIn("in use by importer", out.stdout + out.stderr)
        self.assertEqual(self.stack_doc("exporter")["StackStatus"], "UPDATE_ROLLBACK_COMPLETE")
        # A second stack cannot export the same name.
        # (its rollback gives up the export it had claimed, and its import)
        out = self.deploy("exporter2", {"A2": self.res(From={"Fn::ImportValue": "exp-a"})},
                          outputs={"Z": {"Value": "z", "Export": {"Name": "exp-z"}},
                                   "X": {"Value": "x", "Export": {"Name": "exp-a"}}})
        self.assertEqual(out.returncode, 1)
        self.assertIn("already exported by stack exporter", out.stdout + out.stderr)
        self.assertEqual(self.stack_doc("exporter2")["StackStatus"], "ROLLBACK_COMPLETE")
        self.assertNotIn("exp-z", [e["Name"] for e in json.loads(
            self.cfnkit("list-exports").stdout)["Exports"]])
        self.ok(self.delete("exporter2"))
        # An update that stops importing lets the exporter go.
        self.ok(self.deploy("importer", {"C": self.res()}))  # B (and its import) removed
        self.ok(self.delete("exporter"))
        self.ok(self.delete("importer"))
        self.assertNotIn("exp-a", [e["Name"] for e in json.loads(
            self.cfnkit("list-exports").stdout)["Exports"]])

    def test_create_failure_rolls_back(self):
        out = self.deploy("fails", {
            "A": self.res(Id="a1"),
            "B": self.res(FailOn="Create", Up={"Ref": "A"}),
            "C": self.res(Up={"Ref": "B"}),
            "Slow": self.res(Sleep="600"),
            "Later": self.res(Up={"Ref": "Slow"}),
            "Kept": self.res(Id="kept-1", depends=["A"]) | {"DeletionPolicy": "Retain"},
        })
        self.assertEqual(out.returncode, 1)
        self.assertIn("Failures:", out.stdout)
        self.assertIn("FailOn asked this Create of B to fail", out.stdout)
        self.assertEqual(self.stack_doc("fails")["StackStatus"], "ROLLBACK_COMPLETE")
        self.assertEqual(len(self.of("A", "Delete")), 1)
        self.assertEqual(self.of("C"), [])
        self.assertEqual(self.of("Later"), [])  # not started once B failed
        statuses = {(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason"))
                    for e in self.events("fails")}
        # The failed one gets its Delete (which the framework answers for a
        # failed Create's id without calling the module: not recorded).
        self.assertIn(("B", "DELETE_COMPLETE", None), statuses)
        self.assertIn(("Later", "CREATE_FAILED", "Resource creation cancelled"), statuses)
        self.assertIn(("fails", "ROLLBACK_COMPLETE", None), statuses)
        if self.of("Kept", "Create"):
            self.assertEqual(self.of("Kept", "Delete"), [])  # Retain holds on rollback too
        out = self.deploy("fails", {"A": self.res()})
        self.assertEqual(out.returncode, 1)
        self.assertIn("ROLLBACK_COMPLETE state and can not be updated", out.stderr)
        self.assertIn("can only be deleted", out.stderr)
        self.ok(self.delete("fails"))
        self.assertIsNone(self.stack_doc("fails"))

    def test_disable_rollback_keeps_what_worked(self):
        out = self.deploy("keep", {"A": self.res(), "B": self.res(FailOn="Create")},
                          "--disable-rollback")
        self.assertEqual(out.returncode, 1)
        self.assertEqual(self.stack_doc("keep")["StackStatus"], "CREATE_FAILED")
        self.assertEqual(self.of("A", "Delete"), [])
        out = self.deploy("keep", {"A": self.res()})
        self.assertEqual(out.returncode, 1)
        self.assertIn("CREATE_FAILED state and can not be updated", out.stderr)
        self.ok(self.delete("keep"))
        self.assertEqual(len(self.of("A", "Delete")), 1)

    def test_update_in_place_and_no_updates(self):
        base = {"A": self.res(Id="a", Size="1"), "B": self.res(Id="b")}
        self.ok(self.deploy("inplace", base))
        out = self.deploy("inplace", base)
        self.ok(out)
        self.assertIn("No updates are to be performed.", out.stdout)
        out = self.deploy("inplace", {"A": self.res(Id="a", Size="2"), "B": self.res(Id="b")},
                          "--no-execute-changeset")
        self.ok(out)
        self.assertIn("Modify  A", out.stdout)
        self.assertEqual(self.of("A", "Update"), [])
        out = self.deploy("inplace", {"A": self.res(Id="a", Size="2"), "B": self.res(Id="b")})
        self.ok(out)
        up = self.of("A", "Update")
        self.assertEqual(len(up), 1)
        self.assertEqual(up[0]["PhysicalResourceId"], "a")
        self.assertEqual(up[0]["ResourceProperties"]["Size"], "2")
        self.assertEqual(up[0]["OldResourceProperties"]["Size"], "1")
        self.assertEqual(self.of("B", "Update"), [])  # unchanged: not touched
        self.assertEqual(self.stack_doc("inplace")["StackStatus"], "UPDATE_COMPLETE")
        # --output json: one JSON document a line, changes and events, then the end.
        out = self.deploy("inplace", {"A": self.res(Id="a", Size="3"), "B": self.res(Id="b")},
                          "--output", "json")
        self.ok(out)
        lines = [json.loads(line) for line in out.stdout.splitlines()]
        self.assertEqual(lines[0]["ResourceChange"]["LogicalResourceId"], "A")
        self.assertIn(("A", "UPDATE_COMPLETE"),
                      [(x.get("LogicalResourceId"), x.get("ResourceStatus")) for x in lines])
        self.assertEqual(lines[-1]["Stack"]["StackStatus"], "UPDATE_COMPLETE")
        self.assertEqual(lines[-1]["Failures"], [])
        self.ok(self.delete("inplace"))

    def test_update_in_place_keeps_attributes_the_answer_leaves_out(self):
        """An attribute AWS gives only when a resource is made (an access
        key's secret) is still read by Fn::GetAtt after an update in place
        whose answer leaves it out; attributes answered again are new."""
        outputs = {"Secret": {"Value": {"Fn::GetAtt": ["A", "Secret"]}},
                   "Kept": {"Value": {"Fn::GetAtt": ["A", "Keep"]}}}
        self.ok(self.deploy("keepdata", {"A": self.res(Id="a", Data={"Secret": "s1", "Keep": "k1"})},
                            outputs=outputs))
        self.ok(self.deploy("keepdata", {"A": self.res(Id="a", Data={"Keep": "k2"})}, outputs=outputs))
        out = json.loads(self.cfnkit("describe-stacks", "--stack-name", "keepdata").stdout)
        got = {o["OutputKey"]: o["OutputValue"] for o in out["Stacks"][0]["Outputs"]}
        self.assertEqual(got, {"Secret": "s1", "Kept": "k2"})
        self.ok(self.delete("keepdata"))

    def test_replacement_with_cleanup(self):
        self.ok(self.deploy("repl", {
            "A": self.res(Id="old-a", NewIdOnUpdate="true", Size="1"),
            "B": self.res(Up={"Ref": "A"})}))
        out = self.deploy("repl", {
            "A": self.res(Id="old-a", NewIdOnUpdate="true", Size="2"),
            "B": self.res(Up={"Ref": "A"})})
        self.ok(out)
        self.assertIn("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", out.stdout)
        new_id = self.stored_resources("repl")["A"]["PhysicalResourceId"]
        self.assertNotEqual(new_id, "old-a")
        b_up = self.of("B", "Update")
        self.assertEqual(b_up[0]["ResourceProperties"]["Up"], new_id)  # dependents updated
        old_del = [r for r in self.of("A", "Delete") if r["PhysicalResourceId"] == "old-a"]
        self.assertEqual(len(old_del), 1)
        self.assertEqual(old_del[0]["ResourceProperties"]["Size"], "1")  # old properties
        self.assertGreaterEqual(old_del[0]["StartMs"], b_up[0]["EndMs"])  # in cleanup
        self.assertEqual(sorted(self.stored_resources("repl")), ["A", "B"])
        self.ok(self.delete("repl"))
        self.assertEqual([r["PhysicalResourceId"] for r in self.of("A", "Delete")],
                         ["old-a", new_id])

    def test_update_failure_rolls_back_with_swapped_properties(self):
        self.ok(self.deploy("uproll", {"A": self.res(Id="a", Size="1"),
                                       "B": self.res(Id="b", Up={"Ref": "A"}, Size="1")}))
        out = self.deploy("uproll", {"A": self.res(Id="a", Size="2"),
                                     "B": self.res(Id="b", Up={"Ref": "A"}, Size="2",
                                                   FailOn="Update"),
                                     "N": self.res(Id="n")})
        self.assertEqual(out.returncode, 1)
        self.assertEqual(self.stack_doc("uproll")["StackStatus"], "UPDATE_ROLLBACK_COMPLETE")
        ups = self.of("A", "Update")
        self.assertEqual(len(ups), 2)
        self.assertEqual(ups[1]["ResourceProperties"]["Size"], "1")
        self.assertEqual(ups[1]["OldResourceProperties"]["Size"], "2")
        bup = self.of("B", "Update")
        self.assertEqual(bup[-1]["ResourceProperties"]["Size"], "1")
        self.assertNotIn("FailOn", bup[-1]["ResourceProperties"])
        if self.of("N", "Create"):
            self.assertEqual(len(self.of("N", "Delete")), 1)  # made during the update: deleted
        self.assertEqual(sorted(self.stored_resources("uproll")), ["A", "B"])
        # The stack can be updated again.
        self.ok(self.deploy("uproll", {"A": self.res(Id="a", Size="3"),
                                       "B": self.res(Id="b", Up={"Ref": "A"}, Size="1")}))
        self.ok(self.delete("uproll"))

    def test_delete_policies(self):
        self.ok(self.deploy("policies", {
            "R": self.res(Id="r") | {"DeletionPolicy": "Retain"},
            "E": self.res(Id="e") | {"DeletionPolicy": "RetainExceptOnCreate"},
            "D": self.res(Id="d")}))
        self.ok(self.delete("policies"))
        self.assertEqual(self.of("R", "Delete"), [])
        self.assertEqual(self.of("E", "Delete"), [])
        self.assertEqual(len(self.of("D", "Delete")), 1)
        # RetainExceptOnCreate deletes what the failed create made; Retain keeps it.
        out = self.deploy("policies2", {
            "R": self.res(Id="r2") | {"DeletionPolicy": "Retain"},
            "E": self.res(Id="e2") | {"DeletionPolicy": "RetainExceptOnCreate"},
            "F": self.res(FailOn="Create", depends=["R", "E"])})
        self.assertEqual(out.returncode, 1)
        self.assertEqual([r["PhysicalResourceId"] for r in self.of("E", "Delete")], ["e2"])
        self.assertEqual([r for r in self.of("R", "Delete") if r["PhysicalResourceId"] == "r2"],
                         [])
        self.ok(self.delete("policies2"))
        out = self.deploy("snap", {"S": self.res() | {"DeletionPolicy": "Snapshot"}})
        self.assertEqual(out.returncode, 1)
        self.assertIn("Snapshot", out.stderr)
        self.assertIn("not supported locally", out.stderr)
        self.assertEqual(self.of("S"), [])

    def test_two_deploys_at_once(self):
        path = self.template({"A": self.res(Sleep="2500")})
        argv = [self.tool, "deploy", "--template-file", path, "--stack-name", "busy",
                "--provider", self.provider]
        env = dict(os.environ, **self.moto.env())
        procs = [subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
        outs = [p.communicate(timeout=60) for p in procs]
        codes = sorted(p.returncode for p in procs)
        self.assertEqual(codes, [0, 1], outs)
        refused = [o for p, o in zip(procs, outs) if p.returncode == 1][0]
        self.assertIn("in use by another cfnkit engine", refused[1])
        self.assertEqual(len(self.of("A", "Create")), 1)
        self.ok(self.delete("busy"))

    def test_unserved_type_refused_before_anything(self):
        out = self.deploy("unserved", {"A": self.res(), "N": self.res(type_="Custom::Nobody")})
        self.assertEqual(out.returncode, 1)
        self.assertIn("Custom::Nobody", out.stderr)
        self.assertIn("Types served:", out.stderr)  # what is served is listed
        self.assertIn("Custom::Test", out.stderr)
        self.assertEqual(self.records(), [])
        self.assertIsNone(self.stack_doc("unserved"))

    def test_malformed_answers_and_timeout(self):
        out = self.deploy("malformed", {
            "Long": self.res(Malformed="TooLong"), "Empty": self.res(Malformed="EmptyId"),
            "NoReason": self.res(Malformed="NoReason"), "NotJson": self.res(Malformed="NotJson"),
            "Silent": self.res(Malformed="NoAnswer", ServiceTimeout="2")}, "--disable-rollback",
            timeout=60)
        self.assertEqual(out.returncode, 1)
        failed = {e["LogicalResourceId"]: e.get("ResourceStatusReason", "")
                  for e in self.events("malformed") if e["ResourceStatus"] == "CREATE_FAILED"
                  and e["ResourceType"] == "Custom::Test"}
        self.assertEqual(sorted(failed), ["Empty", "Long", "NoReason", "NotJson", "Silent"],
                         out.stdout)
        for logical, reason in failed.items():
            self.assertTrue(reason, logical)
        self.assertEqual(failed["Long"], "Response object is too long.")  # CloudFormation's
        self.assertIn("failed to stabilize in expected time (ServiceTimeout 2 s", failed["Silent"])
        self.assertEqual(self.stack_doc("malformed")["StackStatus"], "CREATE_FAILED")
        # Their Deletes are answered as badly: DELETE_FAILED, then kept by
        # --retain-resources, as CloudFormation allows for a stack in DELETE_FAILED.
        out = self.delete("malformed", "--retain-resources", "Long")
        self.assertEqual(out.returncode, 1)
        self.assertIn("only for a stack in DELETE_FAILED", out.stderr)
        out = self.delete("malformed")
        self.assertEqual(out.returncode, 1)
        self.assertEqual(self.stack_doc("malformed")["StackStatus"], "DELETE_FAILED")
        self.ok(self.delete("malformed", "--retain-resources", "Long", "Empty", "NoReason",
                            "NotJson", "Silent"))
        self.assertIsNone(self.stack_doc("malformed"))

    def test_noecho_masked_everywhere(self):
        out = self.deploy("secret", {"A": self.res(Pass={"Ref": "Pw"}),
                                     "S": self.res(NoEcho="true", Data={"Key": "s3cr3t-data"})},
                          "--parameter-overrides", "Pw=hunter2-pw",
                          outputs={"O": {"Value": {"Fn::Sub": "pw ${Pw}"}},
                                   "D": {"Value": {"Fn::GetAtt": ["S", "Key"]}}},
                          parameters={"Pw": {"Type": "String", "NoEcho": True}})
        self.ok(out)
        shown = out.stdout + out.stderr
        for cmd in (["describe-stacks", "--stack-name", "secret"],
                    ["describe-stack-events", "--stack-name", "secret"],
                    ["describe-stack-resources", "--stack-name", "secret"]):
            shown += self.cfnkit(*cmd).stdout
        self.assertNotIn("hunter2-pw", shown)
        self.assertNotIn("s3cr3t-data", shown)
        self.assertIn("****", shown)
        self.assertEqual(self.of("A", "Create")[0]["ResourceProperties"]["Pass"], "hunter2-pw")
        self.ok(self.delete("secret"))

    def test_native_type_conditions_and_intrinsics(self):
        """A template of AWS::CloudFormation::WaitConditionHandle only (served
        by cfnkit native-provider): conditions decide what exists, outputs
        evaluate the intrinsic functions, a resource new in an update is
        created (CREATE_* events)."""
        resources = {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"},
                     "ProdOnly": {"Type": "AWS::CloudFormation::WaitConditionHandle",
                                  "Condition": "IsProd"}}
        outputs = {"Url": {"Value": {"Ref": "Handle"}},
                   "Joined": {"Value": {"Fn::Join": ["-", [
                       {"Ref": "Env"}, {"Fn::Select": [1, {"Fn::Split": [",", "a,b,c"]}]},
                       {"Fn::If": ["IsProd", "p", "d"]}]]}}}
        parameters = {"Env": {"Type": "String", "Default": "dev", "AllowedValues": ["dev", "prod"]}}
        path = os.path.join(self.tmp.name, "native.json")
        with open(path, "w") as f:
            json.dump({"Parameters": parameters, "Resources": resources, "Outputs": outputs,
                       "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}}}, f)
        out = self.cfnkit("deploy", "--template-file", path, "--stack-name", "native")
        self.ok(out)
        self.assertIn("Joined = dev-b-d", out.stdout)
        self.assertEqual(sorted(self.stored_resources("native")), ["Handle"])
        url = self.stored_resources("native")["Handle"]["PhysicalResourceId"]
        self.assertTrue(url.startswith("https://cloudformation-waitcondition-us-east-1."), url)
        out = self.cfnkit("deploy", "--template-file", path, "--stack-name", "native",
                          "--parameter-overrides", "Env=prod")
        self.ok(out)
        self.assertIn("Joined = prod-b-p", out.stdout)
        self.assertEqual(sorted(self.stored_resources("native")), ["Handle", "ProdOnly"])
        statuses = [(e["LogicalResourceId"], e["ResourceStatus"]) for e in self.events("native")]
        self.assertIn(("ProdOnly", "CREATE_COMPLETE"), statuses)
        self.assertNotIn(("Handle", "UPDATE_IN_PROGRESS"), statuses)  # unchanged: not touched
        self.ok(self.cfnkit("deploy", "--template-file", path, "--stack-name", "native"))
        self.assertEqual(sorted(self.stored_resources("native")), ["Handle"])  # removed in cleanup
        self.ok(self.cfnkit("delete-stack", "--stack-name", "native"))
        self.assertIsNone(self.stack_doc("native"))

    def test_usage(self):
        for cmd in ("deploy", "delete-stack", "describe-stacks", "describe-stack-resources",
                    "describe-stack-events", "list-exports"):
            out = self.cfnkit(cmd, "--help")
            self.assertEqual(out.returncode, 0, cmd)
            self.assertIn(f"cfnkit {cmd}", out.stdout)
        out = self.cfnkit("deploy", "--stack-name", "x")
        self.assertEqual(out.returncode, 2)
        self.assertIn("--template-file is required", out.stderr)
        out = self.cfnkit("deploy", "--template-file", "t", "--stack-name", "x",
                          "--max-concurrency", "0")
        self.assertEqual(out.returncode, 2)
        self.assertIn("--max-concurrency is 1 to 1000, not 0", out.stderr)
        out = self.cfnkit("delete-stack", "--stack-name", "x", "--template-file", "t")
        self.assertEqual(out.returncode, 2)
        self.assertIn("unknown option: --template-file", out.stderr)
        out = self.cfnkit("describe-stacks", "--stack-name", "nosuch")
        self.assertEqual(out.returncode, 1)
        self.assertIn("Stack with id nosuch does not exist", out.stderr)

    def test_capabilities(self):
        role = {"R": {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": "cfnkit-caps-role",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole"}]}}}}
        path = self.template(role)
        out = self.cfnkit("deploy", "--template-file", path, "--stack-name", "caps")
        self.assertEqual(out.returncode, 1)
        self.assertIn("Requires capabilities : [CAPABILITY_NAMED_IAM]", out.stderr)
        out = self.cfnkit("deploy", "--template-file", path, "--stack-name", "caps",
                          "--capabilities", "CAPABILITY_IAM")
        self.assertEqual(out.returncode, 1)
        self.assertIsNone(self.stack_doc("caps"))
        self.ok(self.cfnkit("deploy", "--template-file", path, "--stack-name", "caps",
                            "--capabilities", "CAPABILITY_NAMED_IAM"))
        self.moto.client("iam").get_role(RoleName="cfnkit-caps-role")
        self.ok(self.cfnkit("delete-stack", "--stack-name", "caps"))
        # A RolePolicy's RoleName names the role it goes in, not a name of its
        # own: CAPABILITY_IAM is enough (templates/provider.yaml's case).
        role["R"]["Properties"].pop("RoleName")
        role["P"] = {"Type": "AWS::IAM::RolePolicy", "Properties": {
            "RoleName": {"Ref": "R"}, "PolicyName": "p", "PolicyDocument": {
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket",
                                                        "Resource": "*"}]}}}
        path = self.template(role)
        self.ok(self.cfnkit("deploy", "--template-file", path, "--stack-name", "caps2",
                            "--capabilities", "CAPABILITY_IAM"))
        self.ok(self.cfnkit("delete-stack", "--stack-name", "caps2"))

    def test_ssm_parameter_values(self):
        self.moto.client("ssm").put_parameter(Name="/cfnkit/test/size", Value="42",
                                              Type="String")
        out = self.deploy("ssm", {"A": self.res(Size={"Ref": "Size"})}, parameters={
            "Size": {"Type": "AWS::SSM::Parameter::Value<String>",
                     "Default": "/cfnkit/test/size"}})
        self.ok(out)
        self.assertEqual(self.of("A", "Create")[0]["ResourceProperties"]["Size"], "42")
        self.ok(self.delete("ssm"))

    def test_live_view_on_a_terminal(self):
        """On a terminal, a table redrawn in place (waiting, in progress with
        its time, done); delete-stack without the provider is refused first."""
        import pty
        path = self.template({"A": self.res(Sleep="800"), "B": self.res(Up={"Ref": "A"})})
        master, slave = pty.openpty()
        p = subprocess.Popen([self.tool, "deploy", "--template-file", path, "--stack-name",
                              "live", "--provider", self.provider], stdout=slave, stderr=slave,
                             env=dict(os.environ, **self.moto.env()))
        os.close(slave)
        shown = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        os.close(master)
        self.assertEqual(p.wait(30), 0, shown)
        text = shown.decode()
        self.assertIn("\033[2K", text)
        self.assertRegex(text, r"A +Custom::Test +in progress +CREATE_IN_PROGRESS +0\.[2-9] s")
        self.assertRegex(text, r"B +Custom::Test +waiting")
        self.assertRegex(text, r"B +Custom::Test +done +CREATE_COMPLETE")
        out = self.cfnkit("delete-stack", "--stack-name", "live")
        self.assertEqual(out.returncode, 1)
        self.assertIn("no provider serves Custom::Test", out.stderr)
        self.assertEqual(self.stack_doc("live")["StackStatus"], "CREATE_COMPLETE")
        self.ok(self.delete("live"))

    def test_native_replacement_and_attributes(self):
        """Native types (cfnkit native-provider against moto): GetAtt of a
        declared attribute, refused for an undeclared one before anything is
        made; a createOnly property (TableName) changed replaces the table,
        its dependent is updated to the new ARN, the old table goes in cleanup;
        checked with boto3."""
        ddb, ssm = self.ddb, self.moto.client("ssm")

        def template(name, attr="Arn"):
            return {"T": {"Type": "AWS::DynamoDB::Table", "Properties": {
                        "TableName": name, "BillingMode": "PAY_PER_REQUEST",
                        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}},
                    "P": {"Type": "AWS::SSM::Parameter", "Properties": {
                        "Name": "/cfnkit/test/table-arn", "Type": "String",
                        "Value": {"Fn::GetAtt": ["T", attr]}}}}

        out = self.deploy("natives", template("natives-one", "Nope"))
        self.assertEqual(out.returncode, 1)
        self.assertIn("does not support attribute type Nope", out.stderr)
        self.assertIsNone(self.stack_doc("natives"))
        self.ok(self.deploy("natives", template("natives-one")))
        arn = ddb.describe_table(TableName="natives-one")["Table"]["TableArn"]
        self.assertEqual(ssm.get_parameter(Name="/cfnkit/test/table-arn")["Parameter"]["Value"],
                         arn)
        out = self.deploy("natives", template("natives-two"))
        self.ok(out)
        self.assertRegex(out.stdout, r"Modify +T +AWS::DynamoDB::Table +Replacement: True "
                                     r"\(TableName: Always\)")
        self.assertIn("Requested update requires the creation of a new physical resource",
                      out.stdout)
        tables = ddb.list_tables()["TableNames"]
        self.assertIn("natives-two", tables)
        self.assertNotIn("natives-one", tables)
        self.assertEqual(ssm.get_parameter(Name="/cfnkit/test/table-arn")["Parameter"]["Value"],
                         ddb.describe_table(TableName="natives-two")["Table"]["TableArn"])
        self.ok(self.cfnkit("delete-stack", "--stack-name", "natives"))
        self.assertNotIn("natives-two", ddb.list_tables()["TableNames"])
        self.assertEqual(ssm.get_parameters(Names=["/cfnkit/test/table-arn"])["Parameters"], [])

    def test_sigkill_at_random_moments(self):
        """Killed at a random instant of create, update, update rollback or delete, the next
        command finishes or rolls back: after the final delete-stack, every
        resource the provider made has been deleted, none forgotten."""
        rng = random.Random(11)
        trials, started = 24, time.monotonic()
        env = dict(os.environ, **self.moto.env())
        for n in range(trials):
            stack = f"kill{n}"
            v1 = {f"R{i}": self.res(Id=f"{stack}-r{i}", Sleep="150",
                                    Up={"Ref": f"R{i - 1}"} if i else "none")
                  for i in range(4)}
            v2 = {k: v for k, v in v1.items() if k != "R3"}
            v2["R1"] = self.res(Id=f"{stack}-r1", Sleep="150", Up={"Ref": "R0"}, Size="2")
            v2["X"] = self.res(Id=f"{stack}-x", Sleep="150")
            v3 = dict(v2, Y=self.res(Id=f"{stack}-y", Sleep="300", FailOn="Create"))
            phase = n % 4  # create, update, delete, update rolled back
            if phase >= 1:
                self.ok(self.deploy(stack, v1))
            steps = [["deploy", "--template-file",
                      self.template({0: v1, 1: v2, 3: v3}.get(phase, v1)),
                      "--stack-name", stack, "--provider", self.provider]]
            if phase == 2:
                steps = [["delete-stack", "--stack-name", stack, "--provider", self.provider]]
            p = subprocess.Popen([self.tool, *steps[0]], env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.0, 0.9))
            p.send_signal(signal.SIGKILL)
            p.wait()
            # The next command finishes or rolls back what was left, then deletes.
            if phase != 2:
                again = self.deploy(stack, v2)
                self.assertIn(again.returncode, (0, 1), again.stderr)
            out = self.delete(stack)
            if phase == 2 and "does not exist" in out.stderr:
                self.assertEqual(out.returncode, 1)  # killed after the delete had finished
            else:
                self.ok(out)
            self.assertIsNone(self.stack_doc(stack))
        made, deleted = set(), set()
        for r in self.records():
            if r["Outcome"] != "SUCCESS":
                continue
            if r["RequestType"] == "Create":
                made.add(r["ResourceProperties"]["Id"])
            if r["RequestType"] == "Delete":
                deleted.add(r["PhysicalResourceId"])
        self.assertTrue(made)
        self.assertEqual(made - deleted, set())
        self.assertLess(time.monotonic() - started, 240)


if __name__ == "__main__":
    unittest.main()
