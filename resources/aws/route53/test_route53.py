"""AWS::Route53::RecordSet through `cfnkit native-provider` against moto:
records by HostedZoneId and by HostedZoneName, plain and alias, read back
with boto3, Ref (the domain name) and Fn::GetAtt Id, updates in place (values,
TTL, a changed Type), delete and delete again."""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "integration"))
from harness import NativeTest  # noqa: E402


class RecordSet(NativeTest):
    resource_type = "AWS::Route53::RecordSet"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.r53 = cls.moto.client("route53")
        zone = cls.r53.create_hosted_zone(Name="example.com", CallerReference="cfnkit-test")
        cls.zone = zone["HostedZone"]["Id"].split("/")[-1]

    def records(self, name):
        sets = self.r53.list_resource_record_sets(HostedZoneId=self.zone)["ResourceRecordSets"]
        return {(r["Type"]): r for r in sets if r["Name"].rstrip(".") == name}

    def test_lifecycle(self):
        props = {"HostedZoneId": self.zone, "Name": "www.example.com", "Type": "A",
                 "TTL": "300", "ResourceRecords": ["192.0.2.1", "192.0.2.2"],
                 "Comment": "web"}
        body = self.invoke("Create", props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "www.example.com")
        self.assertEqual(body["Data"], {"Id": "www.example.com"})
        a = self.records("www.example.com")["A"]
        self.assertEqual(a["TTL"], 300)
        self.assertEqual(sorted(v["Value"] for v in a["ResourceRecords"]),
                         ["192.0.2.1", "192.0.2.2"])

        new = dict(props, TTL=60, ResourceRecords=["192.0.2.3"])
        body = self.invoke("Update", new, physical_id="www.example.com", old=props,
                           expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "www.example.com")
        a = self.records("www.example.com")["A"]
        self.assertEqual((a["TTL"], [v["Value"] for v in a["ResourceRecords"]]),
                         (60, ["192.0.2.3"]))

        txt = dict(new, Type="TXT", ResourceRecords=['"hello"'])
        self.invoke("Update", txt, physical_id="www.example.com", old=new, expect="SUCCESS")
        recs = self.records("www.example.com")
        self.assertEqual(sorted(recs), ["TXT"])
        self.assertEqual(recs["TXT"]["ResourceRecords"], [{"Value": '"hello"'}])

        self.invoke("Delete", txt, physical_id="www.example.com", expect="SUCCESS")
        self.assertEqual(self.records("www.example.com"), {})
        self.invoke("Delete", txt, physical_id="www.example.com", expect="SUCCESS")

    def test_zone_by_name_and_alias(self):
        props = {"HostedZoneName": "example.com.", "Name": "api.example.com.", "Type": "A",
                 "AliasTarget": {"HostedZoneId": "Z35SXDOTRQ7X7K",
                                 "DNSName": "lb-1.us-east-1.elb.amazonaws.com",
                                 "EvaluateTargetHealth": False}}
        body = self.invoke("Create", props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "api.example.com.")
        alias = self.records("api.example.com")["A"]["AliasTarget"]
        self.assertEqual((alias["HostedZoneId"], alias["DNSName"].rstrip(".")),
                         ("Z35SXDOTRQ7X7K", "lb-1.us-east-1.elb.amazonaws.com"))
        self.invoke("Delete", props, physical_id="api.example.com.", expect="SUCCESS")
        self.assertEqual(self.records("api.example.com"), {})
        gone = dict(props, HostedZoneName="nowhere.example.")
        self.invoke("Delete", gone, physical_id="api.example.com.", expect="SUCCESS")

    def test_bad_input_is_refused(self):
        body = self.invoke("Create", {"HostedZoneId": self.zone, "Name": "x.example.com",
                                      "Type": "A", "ResourceRecords": ["192.0.2.1"],
                                      "Weight": 1, "SetIdentifier": "a"}, expect="FAILED")
        self.assertRegex(body["Reason"], r"AWS::Route53::RecordSet property (Weight|SetIdentifier)"
                         r" is not supported by cfnkit's local engine")
        body = self.invoke("Create", {"Name": "x.example.com", "Type": "A",
                                      "ResourceRecords": ["192.0.2.1"]}, expect="FAILED")
        self.assertIn("exactly one of HostedZoneId and HostedZoneName", body["Reason"])
        body = self.invoke("Create", {"HostedZoneName": "missing.example", "Name": "x.missing",
                                      "Type": "A", "ResourceRecords": ["192.0.2.1"]},
                           expect="FAILED")
        self.assertIn("no hosted zone is named missing.example", body["Reason"])


if __name__ == "__main__":
    unittest.main()
