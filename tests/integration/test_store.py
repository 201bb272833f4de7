"""The deployment engine's state store (framework/src/stack/store.c) against
the local AWS, through its driver program (tests/fixtures/store_driver.c),
with every state checked by boto3: the table made on first use, leases
(concurrent, expiry, dead-process takeover), export uniqueness and imports,
large documents, event pagination, deleting a stack."""

import json
import os
import signal
import subprocess
import time
import unittest
import uuid

from harness import Moto, program, run

ARN = "arn:aws:cloudformation:us-east-1:123456789012:stack/{}/0f2a6c10-982a-11e3-aff7-50e2416294e0"
BUSY, EXISTS, NOTFOUND = 3, 4, 5


class StoreAgainstMoto(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        cls.driver = program("CFNKIT_STORE_DRIVER")
        cls.ddb = cls.moto.client("dynamodb")

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def setUp(self):
        # One table per test: tests do not see each other's state.
        self.table = "state-" + uuid.uuid4().hex[:10]

    def env(self, table=None):
        full = dict(self.moto.env())
        full["CFNKIT_STATE_TABLE"] = table or self.table
        return full

    def store(self, *args, expect=0, stdin=None):
        res = run([self.driver, *args], stdin=stdin, env=self.env())
        self.assertEqual(res.returncode, expect, f"{args}: {res.stderr}")
        return res

    def store_json(self, *args):
        return json.loads(self.store(*args).stdout)

    def spawn(self, *args):
        full = dict(os.environ)
        full.update(self.env())
        return subprocess.Popen([self.driver, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=full)

    def items(self, pk):
        out, kw = [], {}
        for _ in range(1000):
            page = self.ddb.query(TableName=self.table, KeyConditionExpression="pk = :p",
                                  ExpressionAttributeValues={":p": {"S": pk}}, ConsistentRead=True, **kw)
            out += page["Items"]
            if "LastEvaluatedKey" not in page:
                return out
            kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        self.fail("unbounded query")

    def item(self, pk, sk):
        return self.ddb.get_item(TableName=self.table, Key={"pk": {"S": pk}, "sk": {"S": sk}},
                                 ConsistentRead=True).get("Item")

    # --- the table ------------------------------------------------------------

    def test_table_made_on_first_use_by_concurrent_engines(self):
        procs = [self.spawn("list-stacks") for _ in range(4)]
        for p in procs:
            out, err = p.communicate(timeout=120)
            self.assertEqual(p.returncode, 0, err)
            self.assertEqual(json.loads(out), [])
        desc = self.ddb.describe_table(TableName=self.table)["Table"]
        self.assertEqual(desc["TableStatus"], "ACTIVE")
        self.assertEqual(desc["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        self.assertEqual(sorted((k["AttributeName"], k["KeyType"]) for k in desc["KeySchema"]),
                         [("pk", "HASH"), ("sk", "RANGE")])
        default = run([self.driver, "list-stacks"], env=dict(self.moto.env()))
        self.assertEqual(default.returncode, 0, default.stderr)
        self.assertIn("cfnkit-stacks", self.ddb.list_tables()["TableNames"])

    def test_a_table_of_another_shape_is_refused(self):
        self.ddb.create_table(TableName=self.table, BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
        res = self.store("list-stacks", expect=1)
        self.assertIn(f"table {self.table} is not a cfnkit state table", res.stderr)
        self.assertIn("CFNKIT_STATE_TABLE", res.stderr)
        bad = run([self.driver, "list-stacks"], env=self.env("no/slash"))
        self.assertEqual(bad.returncode, 1)
        self.assertIn('CFNKIT_STATE_TABLE="no/slash" is not a DynamoDB table name', bad.stderr)

    # --- leases ---------------------------------------------------------------

    def test_concurrent_lease_one_wins_the_others_are_told_who_holds_it(self):
        self.store("list-stacks")  # the table exists: the race is on the lease
        procs = [self.spawn("lease", "dev", "self", "600", "--hold") for _ in range(4)]
        winners, refused = [], []
        for p in procs:
            line = p.stdout.readline()
            if line.startswith("taken "):
                winners.append((p, line.split()[1]))
            else:
                p.wait(60)
                refused.append((p.returncode, p.stderr.read()))
        self.assertEqual(len(winners), 1, refused)
        holder = winners[0][1]
        self.assertEqual(len(refused), 3)
        for code, err in refused:
            self.assertEqual(code, BUSY, err)
            self.assertIn(f"stack dev is in use by another cfnkit engine: lease held by {holder} until",
                          err)
        lease = self.item("stack#dev", "lease")
        self.assertEqual(lease["owner"]["S"], holder)
        host, pid, _ = holder.split("/")
        self.assertEqual(int(pid), winners[0][0].pid)
        self.assertGreater(int(lease["expires"]["N"]), time.time() * 1000 + 590_000)
        # A live holder on this host keeps it; once it dies it is taken at once.
        self.store("lease", "dev", "other/1/x", "60", expect=BUSY)
        winners[0][0].stdin.close()
        winners[0][0].wait(30)
        self.assertIn("taken other/1/x", self.store("lease", "dev", "other/1/x", "60").stdout)
        self.assertEqual(self.item("stack#dev", "lease")["owner"]["S"], "other/1/x")

    def test_lease_of_an_engine_killed_with_sigkill_is_taken_over_at_once(self):
        hold = self.spawn("lease", "prod", "self", "3600", "--hold")
        owner = hold.stdout.readline().split()[1]
        self.assertEqual(self.item("stack#prod", "lease")["owner"]["S"], owner)
        os.kill(hold.pid, signal.SIGKILL)
        hold.wait(30)
        start = time.monotonic()
        self.store("lease", "prod", "next/2/y", "60")
        self.assertLess(time.monotonic() - start, 10)
        self.assertEqual(self.item("stack#prod", "lease")["owner"]["S"], "next/2/y")

    def test_lease_of_another_host_waits_for_its_expiry(self):
        # A process of another host cannot be checked: only expiry frees it,
        # even when a process with its pid is dead here.
        self.store("lease", "dev", "elsewhere/999999/abc", "3")
        res = self.store("lease", "dev", "me/1/x", "60", expect=BUSY)
        self.assertIn("lease held by elsewhere/999999/abc until", res.stderr)
        self.assertRegex(res.stderr, r"\([1-3] s from now\)")
        time.sleep(3.5)
        self.store("lease", "dev", "me/1/x", "60")
        self.assertEqual(self.item("stack#dev", "lease")["owner"]["S"], "me/1/x")

    def test_renew_and_release_only_by_the_holder(self):
        self.store("lease", "dev", "a/1/x", "5")
        before = int(self.item("stack#dev", "lease")["expires"]["N"])
        res = self.store("renew", "dev", "b/1/x", "60", expect=BUSY)
        self.assertIn("the lease on stack dev is no longer b/1/x's: held by a/1/x", res.stderr)
        res = self.store("release", "dev", "b/1/x", expect=BUSY)
        self.assertIn("held by a/1/x", res.stderr)
        self.store("renew", "dev", "a/1/x", "600")
        self.assertGreater(int(self.item("stack#dev", "lease")["expires"]["N"]), before + 500_000)
        self.store("release", "dev", "a/1/x")
        self.assertIsNone(self.item("stack#dev", "lease"))
        self.store("release", "dev", "a/1/x")  # already free
        res = self.store("renew", "dev", "a/1/x", "60", expect=BUSY)
        self.assertIn("no longer a/1/x's: free", res.stderr)

    # --- exports and imports --------------------------------------------------

    def test_exports_are_unique_in_the_account_and_region(self):
        self.store("list-stacks")
        procs = [self.spawn("claim-export", "SharedVpc", f"vpc-{i}", ARN.format(f"net{i}"))
                 for i in range(5)]
        codes = []
        for p in procs:
            _, err = p.communicate(timeout=60)
            codes.append((p.returncode, err))
        self.assertEqual(sorted(c for c, _ in codes), [0, EXISTS, EXISTS, EXISTS, EXISTS], codes)
        item = self.item("exports", "SharedVpc")
        winner = item["ExportingStackId"]["S"].split("/")[1]
        for code, err in codes:
            if code:
                self.assertIn(f"Export with name SharedVpc is already exported by stack {winner}", err)
        self.assertEqual(item["Value"]["S"], "vpc-" + winner[3:])
        listed = self.store_json("list-exports")
        self.assertEqual(listed, [{"ExportingStackId": ARN.format(winner), "Name": "SharedVpc",
                                   "Value": item["Value"]["S"]}])
        # The losers left no back reference; the winner has one.
        for i in range(5):
            ref = self.item(f"stack#net{i}", "export#SharedVpc")
            self.assertEqual(ref is not None, f"net{i}" == winner)

    def test_an_imported_export_can_be_neither_changed_nor_released(self):
        net = ARN.format("net")
        res = self.store("add-import", "VpcId", "app", expect=NOTFOUND)
        self.assertIn("No export named VpcId found", res.stderr)
        self.store("claim-export", "VpcId", "vpc-1", net)
        self.store("claim-export", "VpcId", "vpc-2", net)  # not imported: may change
        self.store("add-import", "VpcId", "app")
        self.store("add-import", "VpcId", "app")  # recorded once
        self.store("add-import", "VpcId", "web")
        self.assertEqual(self.store_json("importers", "VpcId"), ["app", "web"])
        self.assertEqual(self.item("exports", "VpcId")["importers"]["N"], "2")
        res = self.store("claim-export", "VpcId", "vpc-3", net, expect=BUSY)
        self.assertIn("Export VpcId cannot be updated as it is in use by app, web", res.stderr)
        self.store("claim-export", "VpcId", "vpc-2", net)  # unchanged value: fine
        res = self.store("release-export", "VpcId", net, expect=BUSY)
        self.assertIn("Export VpcId cannot be deleted as it is in use by app, web", res.stderr)
        self.store("put-stack", "net", '{"StackName": "net"}')
        res = self.store("delete-stack", "net", expect=BUSY)
        self.assertIn("Export VpcId cannot be deleted as it is in use by app, web", res.stderr)
        self.assertIsNotNone(self.item("stacks", "net"))  # nothing removed
        self.store("remove-import", "VpcId", "app")
        self.store("remove-import", "VpcId", "app")  # already gone
        self.store("delete-stack", "web")  # its imports go with it
        self.assertEqual(self.store_json("importers", "VpcId"), [])
        self.assertEqual(self.item("exports", "VpcId")["importers"]["N"], "0")
        self.assertIsNone(self.item("stack#web", "import#VpcId"))
        self.store("delete-stack", "net")  # its exports go with it
        self.assertIsNone(self.item("exports", "VpcId"))
        self.assertEqual(self.store_json("list-exports"), [])
        self.store("release-export", "VpcId", net)  # already free

    def test_an_export_never_goes_while_an_import_of_it_lands(self):
        # Release and import race: either the import landed and the export
        # stays, or the export went and the import was refused; never an
        # import of an export that is gone.
        net = ARN.format("net")
        for i in range(10):
            name = f"Race{i}"
            self.store("claim-export", name, "v", net)
            release = self.spawn("release-export", name, net)
            add = self.spawn("add-import", name, "app")
            _, rerr = release.communicate(timeout=60)
            _, aerr = add.communicate(timeout=60)
            exported = self.item("exports", name) is not None
            imported = self.item(f"import#{name}", "app") is not None
            if add.returncode == 0:
                self.assertEqual((release.returncode, exported, imported), (BUSY, True, True), rerr)
                self.assertEqual(self.item("exports", name)["importers"]["N"], "1")
            else:
                self.assertEqual((add.returncode, release.returncode, exported, imported),
                                 (NOTFOUND, 0, False, False), aerr + rerr)

    # --- documents ------------------------------------------------------------

    def test_large_documents_round_trip_in_chunks(self):
        # A 1 MB template body (multi-byte characters across the cuts): over
        # DynamoDB's 400 KB item limit, which moto enforces too.
        body = ("Resources: # é€😀\n" * 40000) + "x" * 200000
        doc = {"StackName": "big", "TemplateBody": body}
        self.store("list-stacks")
        with self.assertRaises(Exception) as too_big:
            self.ddb.put_item(TableName=self.table, Item={
                "pk": {"S": "probe"}, "sk": {"S": "probe"}, "doc": {"S": json.dumps(doc)}})
        self.assertIn("Item size has exceeded", str(too_big.exception))
        self.store("put-stack", "big", "-", stdin=json.dumps(doc))
        self.assertEqual(self.store_json("get-stack", "big"), doc)
        main = self.item("stacks", "big")
        self.assertNotIn("doc", main)
        chunks = self.items("chunk#stacks#big")
        self.assertEqual(len(chunks), int(main["chunks"]["N"]))
        self.assertGreaterEqual(len(chunks), 4)
        self.assertTrue(all(c["sk"]["S"].startswith(main["gen"]["S"] + "#") for c in chunks))
        self.assertEqual("".join(c["part"]["S"] for c in chunks).encode(),
                         json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode())
        # The same as a resource document, listed among small ones.
        self.store("put-resource", "big", "Table", "-", stdin=json.dumps(doc))
        self.store("put-resource", "big", "Queue", '{"PhysicalResourceId": "q-1"}')
        self.assertEqual(self.store_json("list-resources", "big"),
                         {"Queue": {"PhysicalResourceId": "q-1"}, "Table": doc})
        # Replaced by a small document: the chunks go.
        self.store("put-stack", "big", '{"StackName": "big", "StackStatus": "UPDATE_COMPLETE"}')
        self.assertEqual(self.items("chunk#stacks#big"), [])
        self.assertEqual(self.store_json("get-stack", "big")["StackStatus"], "UPDATE_COMPLETE")
        self.store("delete-resource", "big", "Table")
        self.assertEqual(self.items("chunk#stack#big#resource#Table"), [])
        self.assertEqual(list(self.store_json("list-resources", "big")), ["Queue"])

    def test_events_newest_first_over_many_pages_and_delete_removes_all(self):
        self.store("put-stack", "many", '{"StackName": "many"}')
        self.store("put-stack", "other", '{"StackName": "other"}')
        self.store("add-event", "other", '{"EventId": "keep"}')
        self.store("add-events", "many", "250")
        self.store("put-resource", "many", "Big", "-", stdin=json.dumps({"x": "y" * 700000}))
        self.store("lease", "many", "me/1/x", "60")
        events = self.store_json("list-events", "many")
        self.assertEqual([e["Seq"] for e in events], list(range(249, -1, -1)))
        self.assertEqual(len([i for i in self.items("stack#many") if i["sk"]["S"].startswith("event#")]),
                         250)
        self.assertEqual(sorted(s["StackName"] for s in self.store_json("list-stacks")),
                         ["many", "other"])
        self.store("delete-stack", "many")
        # All gone but the lease, which its holder releases.
        self.assertEqual([i["sk"]["S"] for i in self.items("stack#many")], ["lease"])
        self.assertEqual(self.items("chunk#stack#many#resource#Big"), [])
        self.assertIsNone(self.item("stacks", "many"))
        self.assertEqual(self.store_json("get-stack", "many"), None)
        self.assertEqual(self.store_json("list-events", "many"), [])
        self.assertEqual([s["StackName"] for s in self.store_json("list-stacks")], ["other"])
        self.assertEqual(self.store_json("list-events", "other"), [{"EventId": "keep"}])

    def test_bad_names_are_refused_with_the_rule(self):
        res = self.store("put-stack", "1-starts-with-a-digit", "{}", expect=1)
        self.assertIn('stack name "1-starts-with-a-digit" is not valid: it must start with a letter',
                      res.stderr)
        res = self.store("claim-export", "E", "v", "not-an-arn", expect=1)
        self.assertIn('"not-an-arn" is not a stack id', res.stderr)
        res = self.store("lease", "dev", "x", "0", expect=1)
        self.assertIn("a lease lasts at least 1 s", res.stderr)


if __name__ == "__main__":
    unittest.main()
