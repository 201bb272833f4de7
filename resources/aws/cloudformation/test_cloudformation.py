"""AWS::CloudFormation::WaitConditionHandle through `cfnkit native-provider
invoke`, each response read back from the local S3 (moto_server) with boto3."""

import os
import re
import sys
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "integration"))
from harness import NativeTest  # noqa: E402


class WaitConditionHandle(NativeTest):
    resource_type = "AWS::CloudFormation::WaitConditionHandle"

    def test_create_gives_a_presigned_looking_url_and_delete_succeeds(self):
        body = self.invoke("Create", {}, logical="Handle", expect="SUCCESS")
        url = body["PhysicalResourceId"]
        parts = urllib.parse.urlsplit(url)
        self.assertEqual(parts.scheme, "https")
        self.assertEqual(parts.netloc, "cloudformation-waitcondition-us-east-1.s3.amazonaws.com")
        key = urllib.parse.unquote(parts.path)
        self.assertTrue(key.startswith("/arn:aws:cloudformation:us-east-1:"), key)
        self.assertTrue(key.endswith("/Handle"), key)
        query = urllib.parse.parse_qs(parts.query)
        self.assertEqual(query["X-Amz-Algorithm"], ["AWS4-HMAC-SHA256"])
        self.assertRegex(query["X-Amz-Signature"][0], r"^[0-9a-f]{64}$")
        self.assertLessEqual(len(url), 1024)
        self.assertNotIn("Data", body)
        again = self.invoke("Create", {}, logical="Handle", expect="SUCCESS")
        self.assertNotEqual(again["PhysicalResourceId"], url, "each handle is a fresh URL")
        self.invoke("Delete", {}, physical_id=url, logical="Handle", expect="SUCCESS")

    def test_a_property_is_refused(self):
        body = self.invoke("Create", {"Timeout": 5}, logical="Handle", expect="FAILED")
        self.assertIn("Encountered unsupported property Timeout", body["Reason"])

    def test_update_is_refused_as_cloudformation_documents(self):
        body = self.invoke("Update", {}, physical_id="https://x/y", logical="Handle",
                           expect="FAILED")
        self.assertTrue(re.search(r"cannot be updated|update", body["Reason"], re.I),
                        body["Reason"])
        self.assertEqual(body["PhysicalResourceId"], "https://x/y")


if __name__ == "__main__":
    unittest.main()
