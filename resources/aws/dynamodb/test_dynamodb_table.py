"""AWS::DynamoDB::Table through `cfnkit native-provider` against moto: the
table as asked (keys, billing, indexes, stream, TTL, tags) read back with
boto3, Ref and Fn::GetAtt, updates in place, delete and delete again."""

import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "integration"))
from harness import NativeTest  # noqa: E402

REQUEST = "5d1e9a8c-7b1f-4c2e-9d3a-2f6b8e4c1a07"

KEYS = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
ATTRS = [{"AttributeName": "pk", "AttributeType": "S"},
         {"AttributeName": "sk", "AttributeType": "S"},
         {"AttributeName": "gk", "AttributeType": "N"}]


def gsi(name, key="gk", projection="ALL", rcu=None):
    g = {"IndexName": name, "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
         "Projection": {"ProjectionType": projection}}
    if rcu:
        g["ProvisionedThroughput"] = {"ReadCapacityUnits": rcu, "WriteCapacityUnits": 1}
    return g


class DynamoDBTable(NativeTest):
    resource_type = "AWS::DynamoDB::Table"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ddb = cls.moto.client("dynamodb")

    def describe(self, name):
        return self.ddb.describe_table(TableName=name)["Table"]

    def test_lifecycle(self):
        props = {"TableName": "orders", "KeySchema": KEYS, "AttributeDefinitions": ATTRS,
                 "BillingMode": "PROVISIONED",
                 # A JSON template's strings and a YAML template's numbers.
                 "ProvisionedThroughput": {"ReadCapacityUnits": "5", "WriteCapacityUnits": 2},
                 "GlobalSecondaryIndexes": [gsi("by-g", rcu=3)],
                 "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
                 "TimeToLiveSpecification": {"AttributeName": "expires", "Enabled": True},
                 "Tags": [{"Key": "team", "Value": "a"}, {"Key": "old", "Value": "x"}]}
        body = self.invoke("Create", props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "orders")
        t = self.describe("orders")
        self.assertEqual(t["TableStatus"], "ACTIVE")
        self.assertEqual(t["KeySchema"], KEYS)
        self.assertEqual(t["ProvisionedThroughput"]["ReadCapacityUnits"], 5)
        self.assertEqual(t["ProvisionedThroughput"]["WriteCapacityUnits"], 2)
        self.assertEqual([g["IndexName"] for g in t["GlobalSecondaryIndexes"]], ["by-g"])
        self.assertEqual(t["StreamSpecification"],
                         {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        self.assertEqual(body["Data"], {"Arn": t["TableArn"], "StreamArn": t["LatestStreamArn"]})
        ttl = self.ddb.describe_time_to_live(TableName="orders")["TimeToLiveDescription"]
        self.assertEqual((ttl["TimeToLiveStatus"], ttl["AttributeName"]), ("ENABLED", "expires"))
        tags = self.ddb.list_tags_of_resource(ResourceArn=t["TableArn"])["Tags"]
        self.assertEqual(sorted((x["Key"], x["Value"]) for x in tags),
                         [("old", "x"), ("team", "a")])

        new = dict(props, ProvisionedThroughput={"ReadCapacityUnits": 7, "WriteCapacityUnits": 3},
                   GlobalSecondaryIndexes=[gsi("by-g", rcu=4), gsi("by-g2", key="sk", rcu=1)],
                   TimeToLiveSpecification={"AttributeName": "ttl", "Enabled": "true"},
                   Tags=[{"Key": "team", "Value": "b"}])
        new.pop("StreamSpecification")
        body = self.invoke("Update", new, physical_id="orders", old=props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "orders")
        t = self.describe("orders")
        self.assertEqual(t["ProvisionedThroughput"]["ReadCapacityUnits"], 7)
        idx = {g["IndexName"]: g for g in t["GlobalSecondaryIndexes"]}
        self.assertEqual(sorted(idx), ["by-g", "by-g2"])
        self.assertEqual(idx["by-g"]["ProvisionedThroughput"]["ReadCapacityUnits"], 4)
        self.assertFalse(t.get("StreamSpecification", {}).get("StreamEnabled", False))
        self.assertNotIn("StreamArn", body["Data"])
        ttl = self.ddb.describe_time_to_live(TableName="orders")["TimeToLiveDescription"]
        self.assertEqual((ttl["TimeToLiveStatus"], ttl["AttributeName"]), ("ENABLED", "ttl"))
        tags = self.ddb.list_tags_of_resource(ResourceArn=t["TableArn"])["Tags"]
        self.assertEqual(tags, [{"Key": "team", "Value": "b"}])

        billing = dict(new, BillingMode="PAY_PER_REQUEST",
                       GlobalSecondaryIndexes=[gsi("by-g2", key="sk", projection="KEYS_ONLY")])
        billing.pop("ProvisionedThroughput")
        self.invoke("Update", billing, physical_id="orders", old=new, expect="SUCCESS")
        t = self.describe("orders")
        self.assertEqual(t["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        idx = {g["IndexName"]: g for g in t["GlobalSecondaryIndexes"]}
        self.assertEqual(list(idx), ["by-g2"])
        self.assertEqual(idx["by-g2"]["Projection"]["ProjectionType"], "KEYS_ONLY")

        self.invoke("Delete", billing, physical_id="orders", expect="SUCCESS")
        self.assertNotIn("orders", self.ddb.list_tables()["TableNames"])
        self.invoke("Delete", billing, physical_id="orders", expect="SUCCESS")

    def test_protection_recovery_and_encryption(self):
        props = {"TableName": "guarded", "KeySchema": KEYS[:1], "AttributeDefinitions": ATTRS[:1],
                 "BillingMode": "PAY_PER_REQUEST", "DeletionProtectionEnabled": "true",
                 "SSESpecification": {"SSEEnabled": True},
                 "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}}
        self.invoke("Create", props, expect="SUCCESS")
        t = self.describe("guarded")
        self.assertTrue(t["DeletionProtectionEnabled"])
        self.assertEqual(t["SSEDescription"]["Status"], "ENABLED")
        pitr = self.ddb.describe_continuous_backups(TableName="guarded")[
            "ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
        self.assertEqual(pitr["PointInTimeRecoveryStatus"], "ENABLED")
        # Protected: the delete fails with DynamoDB's reason, the table stays.
        body = self.invoke("Delete", props, physical_id="guarded", expect="FAILED")
        self.assertIn("guarded", body["Reason"])
        self.assertIn("guarded", self.ddb.list_tables()["TableNames"])

        new = dict(props, DeletionProtectionEnabled=False,
                   PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})
        self.invoke("Update", new, physical_id="guarded", old=props, expect="SUCCESS")
        self.assertFalse(self.describe("guarded")["DeletionProtectionEnabled"])
        pitr = self.ddb.describe_continuous_backups(TableName="guarded")[
            "ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
        self.assertEqual(pitr["PointInTimeRecoveryStatus"], "DISABLED")
        self.invoke("Delete", new, physical_id="guarded", expect="SUCCESS")
        self.assertNotIn("guarded", self.ddb.list_tables()["TableNames"])

    def test_generated_name(self):
        props = {"KeySchema": KEYS[:1], "AttributeDefinitions": ATTRS[:1],
                 "BillingMode": "PAY_PER_REQUEST"}
        body = self.invoke("Create", props, logical="HitsTable", expect="SUCCESS")
        name = body["PhysicalResourceId"]
        # "<stack>-<logical id>-<suffix>", as CloudFormation names it.
        self.assertRegex(name, r"^[A-Za-z0-9-]+-HitsTable-[A-Z0-9]{12}$")
        t = self.describe(name)
        self.assertEqual(body["Data"], {"Arn": t["TableArn"]})
        self.invoke("Delete", props, physical_id=name, expect="SUCCESS")

    def test_key_schema_change_is_not_in_place(self):
        props = {"TableName": "keyed", "KeySchema": KEYS[:1], "AttributeDefinitions": ATTRS[:1],
                 "BillingMode": "PAY_PER_REQUEST"}
        self.invoke("Create", props, expect="SUCCESS")
        new = dict(props, KeySchema=KEYS, AttributeDefinitions=ATTRS[:2])
        body = self.invoke("Update", new, physical_id="keyed", old=props, expect="FAILED")
        self.assertIn("KeySchema cannot change in place", body["Reason"])
        self.assertEqual(self.describe("keyed")["KeySchema"], KEYS[:1])
        self.invoke("Delete", props, physical_id="keyed", expect="SUCCESS")

    def test_unsupported_property_is_refused(self):
        props = {"TableName": "refused", "KeySchema": KEYS[:1], "AttributeDefinitions": ATTRS[:1],
                 "BillingMode": "PAY_PER_REQUEST", "KinesisStreamSpecification": {"StreamArn": "x"}}
        body = self.invoke("Create", props, expect="FAILED")
        self.assertIn("AWS::DynamoDB::Table property KinesisStreamSpecification is not supported "
                      "by cfnkit's local engine", body["Reason"])
        self.assertNotIn("refused", self.ddb.list_tables()["TableNames"])

    def test_bad_throughput_names_the_property(self):
        props = {"TableName": "bad", "KeySchema": KEYS[:1], "AttributeDefinitions": ATTRS[:1],
                 "ProvisionedThroughput": {"ReadCapacityUnits": "five", "WriteCapacityUnits": 1}}
        body = self.invoke("Create", props, expect="FAILED")
        self.assertTrue(re.search(r"ReadCapacityUnits must be a number", body["Reason"]),
                        body["Reason"])


    def test_create_delivered_twice(self):
        # The same Create again (a redelivery): the same resource, no error.
        props = {"KeySchema": KEYS[:1], "AttributeDefinitions": ATTRS[:1],
                 "BillingMode": "PAY_PER_REQUEST"}
        first = self.invoke("Create", props, logical="Twice", request_id=REQUEST, expect="SUCCESS")
        again = self.invoke("Create", props, logical="Twice", request_id=REQUEST, expect="SUCCESS")
        pid = first["PhysicalResourceId"]
        self.assertEqual(again["PhysicalResourceId"], pid)
        self.assertEqual(again["Data"], first["Data"])
        self.assertIn(pid, self.ddb.list_tables()["TableNames"])
        self.invoke("Delete", props, physical_id=pid, expect="SUCCESS")

if __name__ == "__main__":
    unittest.main()
