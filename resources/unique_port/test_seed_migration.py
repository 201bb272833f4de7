"""Migrating from the seed ("ECS Unique Port") to Custom::UniquePort, as a
seed user does it: the seed's function runs cfnkit's provider (its ServiceToken,
an SNS topic, stays), `cfnkit unique-port import-seed` copies the ports of a
table of the seed's shape once, seed-shaped requests arrive through SNS. Checked
with boto3 against moto."""

import json
import os
import struct
import subprocess
import sys
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
from harness import ModuleTest, request, run  # noqa: E402
from test_unique_port import table_from_template  # noqa: E402

SEED_LOW, SEED_BITS = 10000, 50000


def seed_members(allocated):
    """The seed's Members: willf/bitset's MarshalBinary of 50,000 bits, set
    meaning free, in big-endian words after the length."""
    words = [0xFFFFFFFFFFFFFFFF] * ((SEED_BITS + 63) // 64)
    words[-1] = (1 << (SEED_BITS % 64)) - 1
    for port in allocated:
        i = port - SEED_LOW
        words[i // 64] &= ~(1 << (i % 64))
    return struct.pack(">Q", SEED_BITS) + b"".join(struct.pack(">Q", w) for w in words)


class SeedMigration(ModuleTest):
    resource_type = "Custom::UniquePort"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ddb = cls.moto.client("dynamodb")
        cls.table = "cfnkit-ports"
        table_from_template(cls.moto, cls.table)
        cls.env = dict(cls.env, CFNKIT_UNIQUE_PORT_TABLE=cls.table)

    def seed_table(self, name, pools):
        # custom-cf-resource-uniqueport.json's PortsTable: hash key Key (S).
        self.ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": "Key", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "Key", "AttributeType": "S"}])
        for key, ports in pools.items():
            self.ddb.put_item(TableName=name, Item={"Key": {"S": key}, "Members": {"B": seed_members(ports)}})

    def seed_props(self, key, seed_table, **more):
        return dict({"Key": key, "DynamoTable": seed_table, "DynamoRegion": "us-east-1",
                     "DynamoEndpoint": "dynamodb.us-east-1.amazonaws.com",
                     "DynamoLockTable": "seed-locks"}, **more)

    def via_sns(self, action, props, physical_id=None, old=None, logical="Port1", request_id=None):
        """A request as the seed's users send it: through their SNS topic."""
        key = "resp/" + uuid.uuid4().hex
        inner = request(action, self.resource_type, self.bucket.presign(key), props, physical_id=physical_id,
                        old=old, request_id=request_id or str(uuid.uuid4()))
        inner["LogicalResourceId"] = logical
        inner["ResourceProperties"]["ServiceToken"] = "arn:aws:sns:us-east-1:123456789012:uniqueport-topic"
        ev = {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
                           "Sns": {"Type": "Notification", "Message": json.dumps(inner)}}]}
        res = run([self.tool, "invoke", "--event", "-"], stdin=json.dumps(ev), env=self.env)
        body = self.bucket.read(key)
        self.assertEqual(res.returncode, 0 if body["Status"] == "SUCCESS" else 1, res.stderr)
        return body

    def import_seed(self, seed_table):
        return subprocess.run([self.tool, "unique-port", "import-seed", "--seed-table", seed_table],
                              capture_output=True, text=True, env=dict(os.environ, **self.env), timeout=120)

    def item(self, key, port):
        return self.ddb.get_item(TableName=self.table, ConsistentRead=True,
                                 Key={"pool": {"S": "pool#" + key}, "port": {"N": str(port)}}).get("Item")

    def held(self, key):
        out = self.ddb.query(TableName=self.table, KeyConditionExpression="#p = :p", ConsistentRead=True,
                             ExpressionAttributeNames={"#p": "pool"},
                             ExpressionAttributeValues={":p": {"S": "pool#" + key}})
        return sorted(int(i["port"]["N"]) for i in out["Items"])

    def test_migration(self):
        # The seed handed out 7 ports of web (word boundaries 10063/10064
        # included) and the last port it has, 59999, of api.
        web = [10000, 10001, 10002, 10003, 10004, 10063, 10064]
        self.seed_table("seed-ports", {"web": web, "api": [59999]})
        before = self.ddb.scan(TableName="seed-ports")["Items"]
        small = {"InitialPortRanges": ["10000-10004", "10060-10066"]}

        # Before the import a seed-shaped request is refused with the command to run.
        body = self.via_sns("Create", self.seed_props("web", "seed-ports", **small))
        self.assertEqual(body["Status"], "FAILED")
        self.assertIn("run `cfnkit unique-port import-seed --seed-table seed-ports --table cfnkit-ports` once",
                      body["Reason"])
        body = self.via_sns("Delete", self.seed_props("web", "seed-ports"), physical_id="web-10063")
        self.assertEqual(body["Status"], "FAILED")
        self.assertEqual(self.held("web"), [])

        res = self.import_seed("seed-ports")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("seed table seed-ports: 8 ports imported into cfnkit-ports, 0 already there, 0 held twice",
                      res.stdout)
        self.assertEqual(self.held("web"), web)
        self.assertEqual(self.held("api"), [59999])
        self.assertEqual(self.item("web", 10063)["seed"], {"S": "seed-ports"})
        self.assertNotIn("owner", self.item("web", 10063))
        # Once: a second run finds everything there; the seed's table is only read.
        res = self.import_seed("seed-ports")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("0 ports imported into cfnkit-ports, 8 already there", res.stdout)
        self.assertEqual(self.ddb.scan(TableName="seed-ports")["Items"], before)

        # Seed-shaped Creates get only what the seed never handed out.
        got = []
        for i in range(5):
            body = self.via_sns("Create", self.seed_props("web", "seed-ports", **small), logical=f"New{i}")
            self.assertEqual(body["Status"], "SUCCESS", body.get("Reason"))
            got.append(int(body["Data"]["Port"]))
            self.assertEqual(body["PhysicalResourceId"], f"web-{got[-1]}")
        self.assertEqual(sorted(got), [10060, 10061, 10062, 10065, 10066])
        full = self.via_sns("Create", self.seed_props("web", "seed-ports", **small), logical="New9")
        self.assertEqual(full["Status"], "FAILED")
        self.assertIn("pool web is full", full["Reason"])

        # A seed-era resource updated (the seed failed every Update) keeps its
        # port and becomes its owner; its Delete then frees it, once.
        props = self.seed_props("web", "seed-ports", InitialPortRanges=["10000-60000"])
        body = self.via_sns("Update", props, physical_id="web-10063", old=props, logical="Old1")
        self.assertEqual((body["Status"], body["PhysicalResourceId"], body["Data"]),
                         ("SUCCESS", "web-10063", {"Port": "10063"}))
        self.assertIn("owner", self.item("web", 10063))
        other = self.via_sns("Delete", props, physical_id="web-10063", logical="Someone")
        self.assertEqual(other["Status"], "SUCCESS")
        self.assertIsNotNone(self.item("web", 10063))
        self.assertEqual(self.via_sns("Delete", props, physical_id="web-10063", logical="Old1")["Status"], "SUCCESS")
        self.assertIsNone(self.item("web", 10063))

        # A seed-era Delete (no Update before) frees its imported port; delivered
        # again after the port went to a new resource, it frees nothing.
        self.assertEqual(self.via_sns("Delete", props, physical_id="api-59999", logical="Old2")["Status"], "SUCCESS")
        self.assertEqual(self.held("api"), [])
        again = self.via_sns("Create", self.seed_props("api", "seed-ports", InitialPortRanges=["59999"]),
                             logical="New")
        self.assertEqual(again["PhysicalResourceId"], "api-59999")
        self.assertEqual(self.via_sns("Delete", props, physical_id="api-59999", logical="Old2")["Status"], "SUCCESS")
        self.assertEqual(self.held("api"), [59999])

        # Without a range the seed's real one, 10000-59999, not 10000-50000.
        self.assertEqual(self.via_sns("Update", self.seed_props("api", "seed-ports"), physical_id="api-59999",
                                      old=self.seed_props("api", "seed-ports"), logical="New")["PhysicalResourceId"],
                         "api-59999")

    def test_port_held_twice_is_reported(self):
        # A native resource took 30000 before the import; the seed had it too.
        native = self.invoke("Create", {"Key": "dup", "PortRange": "30000"}, expect="SUCCESS")
        self.assertEqual(native["PhysicalResourceId"], "dup-30000")
        self.seed_table("seed-dup", {"dup": [30000, 30001]})
        res = self.import_seed("seed-dup")
        self.assertEqual(res.returncode, 1)
        self.assertIn("pool dup: port 30000, allocated by the seed, is also held by", res.stderr)
        self.assertIn("1 ports imported into cfnkit-ports, 0 already there, 1 held twice", res.stdout)

    def test_seed_table_is_never_ours(self):
        self.seed_table("seed-own", {})
        body = self.via_sns("Create", self.seed_props("x", "seed-own"), logical="P")
        self.assertIn("run `cfnkit unique-port import-seed", body["Reason"])
        body = self.invoke("Create", self.seed_props("x", "seed-own"), env={"CFNKIT_UNIQUE_PORT_TABLE": ""},
                           expect="FAILED")
        self.assertIn("DynamoTable names the seed's bitset table", body["Reason"])
        body = self.invoke("Create", self.seed_props("x", "seed-own"), env={"CFNKIT_UNIQUE_PORT_TABLE": "seed-own"},
                           expect="FAILED")
        self.assertIn("DynamoTable seed-own is the seed's bitset table, not a cfnkit ports table", body["Reason"])
        res = subprocess.run([self.tool, "unique-port", "import-seed"], capture_output=True, text=True)
        self.assertEqual(res.returncode, 2)
        self.assertIn("--seed-table is required", res.stderr)


if __name__ == "__main__":
    unittest.main()
