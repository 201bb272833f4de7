"""AWS::SSM::Parameter through `cfnkit native-provider` against moto: the
parameter as asked read back with boto3, Ref and Fn::GetAtt (Type, Value),
update in place (value, description, tags), delete and delete again."""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "integration"))
from harness import NativeTest  # noqa: E402

REQUEST = "5d1e9a8c-7b1f-4c2e-9d3a-2f6b8e4c1a07"


class SSMParameter(NativeTest):
    resource_type = "AWS::SSM::Parameter"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ssm = cls.moto.client("ssm")

    def tags(self, name):
        out = self.ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)
        return {t["Key"]: t["Value"] for t in out["TagList"]}

    def test_lifecycle(self):
        props = {"Name": "/app/endpoint", "Type": "String", "Value": "http://a",
                 "Description": "where", "Tags": {"team": "a", "gone": "x"}}
        body = self.invoke("Create", props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "/app/endpoint")
        self.assertEqual(body["Data"], {"Type": "String", "Value": "http://a"})
        p = self.ssm.get_parameter(Name="/app/endpoint")["Parameter"]
        self.assertEqual((p["Type"], p["Value"]), ("String", "http://a"))
        d = self.ssm.describe_parameters(
            ParameterFilters=[{"Key": "Name", "Values": ["/app/endpoint"]}])["Parameters"][0]
        self.assertEqual(d["Description"], "where")
        self.assertEqual(self.tags("/app/endpoint"), {"team": "a", "gone": "x"})

        new = dict(props, Type="StringList", Value="a,b", Tags={"team": "b", "new": "y"})
        body = self.invoke("Update", new, physical_id="/app/endpoint", old=props,
                           expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "/app/endpoint")
        self.assertEqual(body["Data"], {"Type": "StringList", "Value": "a,b"})
        p = self.ssm.get_parameter(Name="/app/endpoint")["Parameter"]
        self.assertEqual((p["Type"], p["Value"], p["Version"]), ("StringList", "a,b", 2))
        self.assertEqual(self.tags("/app/endpoint"), {"team": "b", "new": "y"})

        self.invoke("Delete", new, physical_id="/app/endpoint", expect="SUCCESS")
        with self.assertRaises(self.ssm.exceptions.ParameterNotFound):
            self.ssm.get_parameter(Name="/app/endpoint")
        self.invoke("Delete", new, physical_id="/app/endpoint", expect="SUCCESS")

    def test_generated_name(self):
        props = {"Type": "String", "Value": "v"}
        body = self.invoke("Create", props, logical="ConfigParam", expect="SUCCESS")
        name = body["PhysicalResourceId"]
        self.assertRegex(name, r"^[A-Za-z0-9-]+-ConfigParam-[A-Z0-9]{12}$")
        self.assertEqual(self.ssm.get_parameter(Name=name)["Parameter"]["Value"], "v")
        self.invoke("Delete", props, physical_id=name, expect="SUCCESS")

    def test_secure_string_is_refused(self):
        body = self.invoke("Create", {"Name": "s", "Type": "SecureString", "Value": "pw"},
                           expect="FAILED")
        self.assertIn("Type must be String or StringList", body["Reason"])
        self.assertNotIn("pw", body["Reason"])

    def test_unsupported_property_is_refused(self):
        body = self.invoke("Create", {"Name": "u", "Type": "String", "Value": "v", "Tier2": "x"},
                           expect="FAILED")
        self.assertIn("AWS::SSM::Parameter property Tier2 is not supported by cfnkit's local "
                      "engine", body["Reason"])
        self.assertEqual(self.ssm.describe_parameters(
            ParameterFilters=[{"Key": "Name", "Values": ["u"]}])["Parameters"], [])


    def test_create_delivered_twice(self):
        # The same Create again (a redelivery): the same resource, no error.
        props = {"Type": "String", "Value": "v"}
        first = self.invoke("Create", props, logical="Twice", request_id=REQUEST, expect="SUCCESS")
        again = self.invoke("Create", props, logical="Twice", request_id=REQUEST, expect="SUCCESS")
        pid = first["PhysicalResourceId"]
        self.assertEqual(again["PhysicalResourceId"], pid)
        self.assertEqual(again["Data"], first["Data"])
        self.ssm.get_parameter(Name=pid)
        self.invoke("Delete", props, physical_id=pid, expect="SUCCESS")

if __name__ == "__main__":
    unittest.main()
