"""AWS::S3::Bucket and AWS::S3::BucketPolicy against the local AWS
(moto_server), through `cfnkit native-provider invoke`, with the state read
back with boto3."""

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "integration"))
from harness import NativeTest  # noqa: E402


class S3Test(NativeTest):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s3 = cls.moto.client("s3")

    def setUp(self):
        self.resource_type = "AWS::S3::Bucket"

    def test_bare_bucket(self):
        body = self.invoke("Create", {}, logical="Assets", expect="SUCCESS")
        name = body["PhysicalResourceId"]
        # Generated as CloudFormation does, lowercase for S3.
        self.assertRegex(name, r"^ports-assets-[a-z0-9]{12}$")
        self.s3.head_bucket(Bucket=name)
        self.assertEqual(body["Data"], {
            "Arn": f"arn:aws:s3:::{name}",
            "DomainName": f"{name}.s3.amazonaws.com",
            "RegionalDomainName": f"{name}.s3.us-east-1.amazonaws.com",
            "DualStackDomainName": f"{name}.s3.dualstack.us-east-1.amazonaws.com",
            "WebsiteURL": f"http://{name}.s3-website-us-east-1.amazonaws.com"})
        self.invoke("Delete", {}, physical_id=name, expect="SUCCESS")
        self.assertNotIn(name, [b["Name"] for b in self.s3.list_buckets()["Buckets"]])
        self.invoke("Delete", {}, physical_id=name, expect="SUCCESS")

    def test_not_empty(self):
        props = {"BucketName": "full-bucket"}
        self.invoke("Create", props, expect="SUCCESS")
        body = self.invoke("Create", props, expect="FAILED")
        self.assertIn("'full-bucket' already exists", body["Reason"])
        self.s3.put_object(Bucket="full-bucket", Key="k", Body=b"x")
        body = self.invoke("Delete", props, physical_id="full-bucket", expect="FAILED")
        self.assertIn("The bucket you tried to delete is not empty", body["Reason"])
        self.s3.head_bucket(Bucket="full-bucket")
        self.s3.delete_object(Bucket="full-bucket", Key="k")
        self.invoke("Delete", props, physical_id="full-bucket", expect="SUCCESS")

    def test_bad_input(self):
        body = self.invoke("Create", {"BucketName": "Bad_Name"}, expect="FAILED")
        self.assertIn("BucketName \"Bad_Name\" is invalid", body["Reason"])
        body = self.invoke("Create", {"AccelerateConfiguration": {}}, expect="FAILED")
        self.assertIn("AWS::S3::Bucket property AccelerateConfiguration is not supported by "
                      "cfnkit's local engine", body["Reason"])
        body = self.invoke("Create", {"LifecycleConfiguration": {"Rules": [
            {"Status": "Enabled", "ObjectSizeGreaterThan": 5}]}}, expect="FAILED")
        self.assertIn("LifecycleConfiguration.Rules.ObjectSizeGreaterThan is not supported",
                      body["Reason"])
        # Members of CORS rules and notification targets were dropped unread.
        body = self.invoke("Create", {"CorsConfiguration": {"CorsRules": [
            {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "AllowedHeader": ["x"]}]}},
            expect="FAILED")
        self.assertIn("CorsConfiguration.CorsRules.AllowedHeader is not supported",
                      body["Reason"])
        body = self.invoke("Create", {"NotificationConfiguration": {"QueueConfigurations": [
            {"Event": "s3:ObjectCreated:*", "Queue": "arn:aws:sqs:us-east-1:123456789012:q",
             "Filter": {"S3Key": {"Rules": []}, "Prefix": "a/"}}]}}, expect="FAILED")
        self.assertIn("NotificationConfiguration.QueueConfigurations.Filter.Prefix is not "
                      "supported", body["Reason"])
        # The failed Creates left no bucket behind.
        self.assertEqual([b["Name"] for b in self.s3.list_buckets()["Buckets"]
                          if b["Name"].startswith("ports-res-")], [])

    def test_configured_bucket(self):
        props = {
            "VersioningConfiguration": {"Status": "Enabled"},
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
            "LifecycleConfiguration": {"Rules": [
                {"Id": "old", "Status": "Enabled", "Prefix": "logs/", "ExpirationInDays": "30",
                 "NoncurrentVersionExpirationInDays": 7,
                 "Transitions": [{"StorageClass": "GLACIER", "TransitionInDays": 10}]},
                {"Id": "uploads", "Status": "Disabled",
                 "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2},
                 "NoncurrentVersionExpiration": {"NoncurrentDays": 9,
                                                 "NewerNoncurrentVersions": 3},
                 "NoncurrentVersionTransitions": [{"StorageClass": "STANDARD_IA",
                                                   "TransitionInDays": 40}]}]},
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                               "IgnorePublicAcls": True,
                                               "RestrictPublicBuckets": True},
            "CorsConfiguration": {"CorsRules": [{"AllowedMethods": ["GET"],
                                                 "AllowedOrigins": ["*"], "MaxAge": 300}]},
            "WebsiteConfiguration": {"IndexDocument": "index.html",
                                     "ErrorDocument": "error.html"},
            "Tags": [{"Key": "team", "Value": "a"}, {"Key": "cost", "Value": "x"}],
        }
        body = self.invoke("Create", props, logical="Site", expect="SUCCESS")
        name = body["PhysicalResourceId"]
        s3 = self.s3
        self.assertEqual(s3.get_bucket_versioning(Bucket=name)["Status"], "Enabled")
        rules = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
        self.assertEqual(rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "AES256")
        [rule, other] = s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
        self.assertEqual((other["ID"], other["Status"],
                          other["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"],
                          other["NoncurrentVersionExpiration"],
                          other["NoncurrentVersionTransitions"]),
                         # moto drops NewerNoncurrentVersions (from boto3 too).
                         ("uploads", "Disabled", 2, {"NoncurrentDays": 9},
                          [{"NoncurrentDays": 40, "StorageClass": "STANDARD_IA"}]))
        self.assertEqual((rule["ID"], rule["Status"], rule["Filter"]["Prefix"],
                          rule["Expiration"]["Days"],
                          rule["NoncurrentVersionExpiration"]["NoncurrentDays"],
                          rule["Transitions"][0]["Days"], rule["Transitions"][0]["StorageClass"]),
                         ("old", "Enabled", "logs/", 30, 7, 10, "GLACIER"))
        self.assertTrue(all(s3.get_public_access_block(Bucket=name)
                            ["PublicAccessBlockConfiguration"].values()))
        [cors] = s3.get_bucket_cors(Bucket=name)["CORSRules"]
        self.assertEqual((cors["AllowedMethods"], cors["AllowedOrigins"], cors["MaxAgeSeconds"]),
                         (["GET"], ["*"], 300))
        site = s3.get_bucket_website(Bucket=name)
        self.assertEqual((site["IndexDocument"]["Suffix"], site["ErrorDocument"]["Key"]),
                         ("index.html", "error.html"))
        self.assertEqual({t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=name)
                          ["TagSet"]}, {"team": "a", "cost": "x"})

        # In place: versioning suspended, encryption, CORS, website and the
        # lifecycle dropped, a tag dropped.
        new = {"VersioningConfiguration": {"Status": "Suspended"},
               "PublicAccessBlockConfiguration": props["PublicAccessBlockConfiguration"],
               "Tags": [{"Key": "team", "Value": "b"}]}
        body = self.invoke("Update", new, physical_id=name, old=props, logical="Site",
                           expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], name)
        self.assertEqual(s3.get_bucket_versioning(Bucket=name)["Status"], "Suspended")
        for call in (s3.get_bucket_lifecycle_configuration, s3.get_bucket_cors,
                     s3.get_bucket_website):
            with self.assertRaises(s3.exceptions.ClientError):
                call(Bucket=name)
        self.assertEqual(s3.get_bucket_tagging(Bucket=name)["TagSet"],
                         [{"Key": "team", "Value": "b"}])
        self.invoke("Delete", new, physical_id=name, expect="SUCCESS")
        self.invoke("Delete", new, physical_id=name, expect="SUCCESS")

    def test_bucket_policy(self):
        self.s3.create_bucket(Bucket="policy-bucket")
        self.resource_type = "AWS::S3::BucketPolicy"
        doc = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::policy-bucket/*"}]}
        props = {"Bucket": "policy-bucket", "PolicyDocument": doc}
        body = self.invoke("Create", props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "policy-bucket")
        self.assertEqual(json.loads(self.s3.get_bucket_policy(Bucket="policy-bucket")["Policy"]),
                         doc)
        doc2 = dict(doc, Statement=[dict(doc["Statement"][0], Action="s3:ListBucket",
                                         Resource="arn:aws:s3:::policy-bucket")])
        new = dict(props, PolicyDocument=json.dumps(doc2))
        self.invoke("Update", new, physical_id="policy-bucket", old=props, expect="SUCCESS")
        self.assertEqual(json.loads(self.s3.get_bucket_policy(Bucket="policy-bucket")["Policy"]),
                         doc2)
        self.invoke("Delete", new, physical_id="policy-bucket", expect="SUCCESS")
        with self.assertRaises(self.s3.exceptions.ClientError):
            self.s3.get_bucket_policy(Bucket="policy-bucket")
        self.invoke("Delete", new, physical_id="policy-bucket", expect="SUCCESS")
        self.s3.delete_bucket(Bucket="policy-bucket")
        self.invoke("Delete", new, physical_id="policy-bucket", expect="SUCCESS")


    def test_notification_and_replacement(self):
        sqs = self.moto.client("sqs")
        queue = sqs.create_queue(QueueName="uploads")["QueueUrl"]
        qarn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        props = {"BucketName": "first-name", "NotificationConfiguration": {"QueueConfigurations": [
            {"Event": "s3:ObjectCreated:*", "Queue": qarn,
             "Filter": {"S3Key": {"Rules": [{"Name": "suffix", "Value": ".jpg"}]}}}]}}
        self.invoke("Create", props, logical="Up", expect="SUCCESS")
        [conf] = self.s3.get_bucket_notification_configuration(
            Bucket="first-name")["QueueConfigurations"]
        self.assertEqual((conf["QueueArn"], conf["Events"],
                          conf["Filter"]["Key"]["FilterRules"]),
                         (qarn, ["s3:ObjectCreated:*"], [{"Name": "suffix", "Value": ".jpg"}]))
        # BucketName is create-only: the engine replaces the bucket by a Create
        # of the new one, then deletes the old one in its cleanup.
        new = dict(props, BucketName="second-name")
        body = self.invoke("Create", new, logical="Up", expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "second-name")
        self.invoke("Delete", props, physical_id="first-name", logical="Up", expect="SUCCESS")
        names = [b["Name"] for b in self.s3.list_buckets()["Buckets"]]
        self.assertIn("second-name", names)
        self.assertNotIn("first-name", names)
        # The notification dropped in place.
        self.invoke("Update", {"BucketName": "second-name"}, physical_id="second-name", old=new,
                    logical="Up", expect="SUCCESS")
        self.assertNotIn("QueueConfigurations",
                         self.s3.get_bucket_notification_configuration(Bucket="second-name"))
        self.invoke("Delete", new, physical_id="second-name", expect="SUCCESS")


if __name__ == "__main__":
    unittest.main()
