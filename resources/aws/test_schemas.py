"""Every native AWS:: descriptor (cfnkit_native_types, printed by the
native_descriptors program) against the resource schema CloudFormation
publishes and cfn-lint ships: replaces = createOnlyProperties,
replaces_conditional = conditionalCreateOnlyProperties, write_only =
writeOnlyProperties, attributes = readOnlyProperties (Fn::GetAtt), all by
top-level property name. A new type is checked as soon as it is listed."""

import json
import os
import subprocess
import unittest

from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

REGION = "us-east-1"

# How the schemas' JSON pointers become descriptor entries:
# - "/properties/A" is A.
# - A nested create-only path "/properties/A/B" makes A conditional: a change of
#   A replaces the resource only when it changes B (a change set's
#   "Conditional"), so A is in replaces_conditional, not replaces.
# - A nested write-only path makes the whole top-level A write-only (the
#   engine compares A from the template).
# - A nested read-only path "/properties/A/B" is the attribute "A.B", as
#   Fn::GetAtt names it ("Endpoint.Address").
#
# Deliberate differences from the schemas, each with its reason: type ->
# field -> (entries added, entries removed, why).
DIFFERENCES = {
    "AWS::CloudFormation::WaitConditionHandle": {
        "attributes": (set(), {"Id"},
                       "the schema's read-only Id is the handle's identifier, which Ref returns "
                       "(the presigned URL); CloudFormation documents no Fn::GetAtt for the type"),
    },
    "AWS::SNS::Topic": {
        "attributes": ({"TopicName"}, set(),
                       "CloudFormation documents Fn::GetAtt TopicName; the schema lists only "
                       "TopicArn as read-only (TopicName is also a property)"),
    },
    "AWS::SQS::Queue": {
        "attributes": ({"QueueName"}, set(),
                       "CloudFormation documents Fn::GetAtt QueueName; the schema lists only "
                       "Arn and QueueUrl as read-only (QueueName is also a property)"),
    },
    "AWS::S3::Bucket": {
        "attributes": (set(), {
            "MetadataConfiguration.Destination",
            "MetadataConfiguration.InventoryTableConfiguration.TableArn",
            "MetadataConfiguration.InventoryTableConfiguration.TableName",
            "MetadataConfiguration.JournalTableConfiguration.TableArn",
            "MetadataConfiguration.JournalTableConfiguration.TableName",
            "MetadataTableConfiguration.S3TablesDestination.TableArn",
            "MetadataTableConfiguration.S3TablesDestination.TableNamespace"},
            "cfnkit refuses MetadataConfiguration and MetadataTableConfiguration (S3 "
            "Metadata tables, which moto lacks), so their read-only members never have a "
            "value"),
    },
    "AWS::SSM::Parameter": {
        "attributes": ({"Type", "Value"}, set(),
                       "CloudFormation documents Fn::GetAtt Type and Value (the "
                       "resource's return values) though the schema has no "
                       "readOnlyProperties"),
    },
}


def top(pointer):
    parts = pointer.split("/")
    if len(parts) < 3 or parts[0] != "" or parts[1] != "properties":
        raise ValueError(f"not a property pointer: {pointer}")
    return parts[2:]


def expected(schema):
    replaces, conditional, write_only, attributes = set(), set(), set(), set()
    for p in schema.get("createOnlyProperties", []):
        path = top(p)
        (replaces if len(path) == 1 else conditional).add(path[0])
    for p in schema.get("conditionalCreateOnlyProperties", []):
        conditional.add(top(p)[0])
    conditional -= replaces
    for p in schema.get("writeOnlyProperties", []):
        write_only.add(top(p)[0])
    for p in schema.get("readOnlyProperties", []):
        attributes.add(".".join(top(p)))
    return {"replaces": replaces, "replaces_conditional": conditional,
            "write_only": write_only, "attributes": attributes}


def descriptors():
    prog = os.environ.get("CFNKIT_NATIVE_DESCRIPTORS")
    if not prog or not os.path.exists(prog):
        raise unittest.SkipTest("CFNKIT_NATIVE_DESCRIPTORS is not set: run through ctest")
    res = subprocess.run([prog], capture_output=True, text=True, timeout=60)
    if res.returncode != 0:
        raise AssertionError(f"{prog} failed: {res.stderr}")
    return json.loads(res.stdout)


class Schemas(unittest.TestCase):
    def test_rules(self):
        s = {"createOnlyProperties": ["/properties/A", "/properties/B/C"],
             "conditionalCreateOnlyProperties": ["/properties/D"],
             "writeOnlyProperties": ["/properties/E/F"],
             "readOnlyProperties": ["/properties/Arn", "/properties/Endpoint/Address"]}
        self.assertEqual(expected(s), {"replaces": {"A"}, "replaces_conditional": {"B", "D"},
                                       "write_only": {"E"},
                                       "attributes": {"Arn", "Endpoint.Address"}})
        with self.assertRaises(ValueError):
            top("/definitions/X")

    def test_every_native_type_matches_its_schema(self):
        types = descriptors()
        self.assertTrue(types, "cfnkit_native_types lists no type")
        for name, desc in sorted(types.items()):
            with self.subTest(type=name):
                self.assertEqual(desc["version"], 2, f"{name}: descriptor version")
                schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(REGION, name).schema
                want = expected(schema)
                for field, (add, remove, _why) in DIFFERENCES.get(name, {}).items():
                    want[field] = (want[field] | add) - remove
                for field, value in want.items():
                    self.assertEqual(set(desc[field]), value,
                                     f"{name} {field}: ours {sorted(desc[field])}, "
                                     f"CloudFormation's schema {sorted(value)}")
                    self.assertEqual(len(desc[field]), len(set(desc[field])),
                                     f"{name} {field} lists a name twice")


if __name__ == "__main__":
    unittest.main()
