"""AWS::IAM::Role, RolePolicy, Policy, ManagedPolicy and InstanceProfile
against the local AWS (moto_server), through `cfnkit native-provider invoke`,
with the state read back with boto3."""

import json
import os
import sys
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "integration"))
from harness import NativeTest  # noqa: E402

ASSUME = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole"}]}


def doc(action, resource="*"):
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}


class IamTest(NativeTest):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.iam = cls.moto.client("iam")
        cls.managed = [cls.iam.create_policy(PolicyName=f"m{i}", PolicyDocument=json.dumps(
            doc("s3:GetObject")))["Policy"]["Arn"] for i in range(3)]
        cls.iam.create_user(UserName="alice")
        cls.iam.create_group(GroupName="devs")

    def use(self, resource_type):
        self.resource_type = resource_type

    def role_props(self, **extra):
        props = {"AssumeRolePolicyDocument": ASSUME}
        props.update(extra)
        return props

    def inline_names(self, role):
        return sorted(self.iam.list_role_policies(RoleName=role)["PolicyNames"])

    def attached(self, role):
        return sorted(p["PolicyArn"] for p in
                      self.iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"])

    def test_role(self):
        self.use("AWS::IAM::Role")
        props = self.role_props(
            Path="/svc/", MaxSessionDuration=7200, Description="first",
            Policies=[{"PolicyName": "logs", "PolicyDocument": doc("logs:*")},
                      {"PolicyName": "ddb", "PolicyDocument": json.dumps(doc("dynamodb:*"))}],
            ManagedPolicyArns=self.managed[:2],
            Tags=[{"Key": "team", "Value": "a"}, {"Key": "cost", "Value": "x"}])
        body = self.invoke("Create", props, logical="AppRole", expect="SUCCESS")
        name = body["PhysicalResourceId"]
        self.assertRegex(name, r"^ports-AppRole-[A-Z0-9]{12}$")
        role = self.iam.get_role(RoleName=name)["Role"]
        self.assertEqual(body["Data"], {"Arn": role["Arn"], "RoleId": role["RoleId"]})
        self.assertEqual((role["Path"], role["MaxSessionDuration"], role["Description"]),
                         ("/svc/", 7200, "first"))
        self.assertEqual(role["AssumeRolePolicyDocument"], ASSUME)
        self.assertEqual({t["Key"]: t["Value"] for t in role["Tags"]}, {"team": "a", "cost": "x"})
        self.assertEqual(self.inline_names(name), ["ddb", "logs"])
        self.assertEqual(self.iam.get_role_policy(RoleName=name, PolicyName="logs")
                         ["PolicyDocument"], doc("logs:*"))
        self.assertEqual(self.attached(name), sorted(self.managed[:2]))

        # In place: a policy dropped and one changed, a managed policy
        # swapped, a tag dropped, the description and duration changed.
        new = self.role_props(
            Path="/svc/", Description="second",
            Policies=[{"PolicyName": "logs", "PolicyDocument": doc("logs:PutLogEvents")}],
            ManagedPolicyArns=[self.managed[1], self.managed[2]],
            Tags=[{"Key": "team", "Value": "b"}])
        body = self.invoke("Update", new, physical_id=name, old=props, logical="AppRole",
                           expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], name)
        role = self.iam.get_role(RoleName=name)["Role"]
        self.assertEqual((role["MaxSessionDuration"], role["Description"]), (3600, "second"))
        self.assertEqual({t["Key"]: t["Value"] for t in role["Tags"]}, {"team": "b"})
        self.assertEqual(self.inline_names(name), ["logs"])
        self.assertEqual(self.iam.get_role_policy(RoleName=name, PolicyName="logs")
                         ["PolicyDocument"], doc("logs:PutLogEvents"))
        self.assertEqual(self.attached(name), sorted(self.managed[1:]))

        # Delete detaches and deletes the policies first, as IAM requires.
        self.invoke("Delete", new, physical_id=name, logical="AppRole", expect="SUCCESS")
        with self.assertRaises(self.iam.exceptions.NoSuchEntityException):
            self.iam.get_role(RoleName=name)
        self.invoke("Delete", new, physical_id=name, logical="AppRole", expect="SUCCESS")

    def test_role_named_and_twice(self):
        self.use("AWS::IAM::Role")
        props = self.role_props(RoleName="given-role")
        self.invoke("Create", props, expect="SUCCESS")
        body = self.invoke("Create", props, expect="FAILED")
        self.assertIn("'given-role' already exists", body["Reason"])
        self.invoke("Delete", props, physical_id="given-role", expect="SUCCESS")
        rid = str(uuid.uuid4())
        props = self.role_props(Policies=[{"PolicyName": "p", "PolicyDocument": doc("s3:*")}])
        first = self.invoke("Create", props, request_id=rid, logical="Twice", expect="SUCCESS")
        again = self.invoke("Create", props, request_id=rid, logical="Twice", expect="SUCCESS")
        self.assertEqual(first, dict(again, RequestId=first["RequestId"]))
        self.invoke("Delete", props, physical_id=first["PhysicalResourceId"], expect="SUCCESS")

    def test_bad_input(self):
        self.use("AWS::IAM::Role")
        body = self.invoke("Create", self.role_props(Foo=1), expect="FAILED")
        self.assertIn("AWS::IAM::Role property Foo is not supported by cfnkit's local engine",
                      body["Reason"])
        body = self.invoke("Create", {}, expect="FAILED")
        self.assertIn("property AssumeRolePolicyDocument is required", body["Reason"])
        body = self.invoke("Create", self.role_props(
            Policies=[{"PolicyName": "p", "PolicyDocument": doc("s3:*")}],
            ManagedPolicyArns=["arn:aws:iam::123456789012:policy/missing"]), expect="FAILED")
        self.assertIn("AttachRolePolicy", body["Reason"])
        # The failed Create left no role behind.
        self.assertEqual([r for r in self.iam.list_roles()["Roles"]
                          if r["RoleName"].startswith("ports-Res-")], [])
        self.invoke("Delete", {}, physical_id="not a role name!", expect="SUCCESS")

    def test_role_policy(self):
        self.iam.create_role(RoleName="rp-role", AssumeRolePolicyDocument=json.dumps(ASSUME))
        self.use("AWS::IAM::RolePolicy")
        props = {"RoleName": "rp-role", "PolicyName": "inline", "PolicyDocument": doc("sqs:*")}
        body = self.invoke("Create", props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "inline|rp-role")
        new = dict(props, PolicyDocument=doc("sns:*"))
        self.invoke("Update", new, physical_id="inline|rp-role", old=props, expect="SUCCESS")
        self.assertEqual(self.iam.get_role_policy(RoleName="rp-role", PolicyName="inline")
                         ["PolicyDocument"], doc("sns:*"))
        self.invoke("Delete", new, physical_id="inline|rp-role", expect="SUCCESS")
        self.assertEqual(self.inline_names("rp-role"), [])
        self.invoke("Delete", new, physical_id="inline|rp-role", expect="SUCCESS")
        self.iam.delete_role(RoleName="rp-role")

    def test_policy(self):
        self.iam.create_role(RoleName="p-role", AssumeRolePolicyDocument=json.dumps(ASSUME))
        self.use("AWS::IAM::Policy")
        props = {"PolicyName": "shared", "PolicyDocument": doc("sqs:*"), "Roles": ["p-role"],
                 "Users": ["alice"]}
        body = self.invoke("Create", props, logical="Pol", expect="SUCCESS")
        pid = body["PhysicalResourceId"]
        self.assertRegex(pid, r"^ports-Pol-[A-Z0-9]{12}$")
        self.assertEqual(body["Data"], {"Id": pid})
        self.assertEqual(self.iam.list_role_policies(RoleName="p-role")["PolicyNames"], ["shared"])
        self.assertEqual(self.iam.list_user_policies(UserName="alice")["PolicyNames"], ["shared"])
        # Renamed, moved from the user to the group: in place.
        new = {"PolicyName": "renamed", "PolicyDocument": doc("sns:*"), "Roles": ["p-role"],
               "Groups": ["devs"]}
        body = self.invoke("Update", new, physical_id=pid, old=props, logical="Pol",
                           expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], pid)
        self.assertEqual(self.iam.list_role_policies(RoleName="p-role")["PolicyNames"],
                         ["renamed"])
        self.assertEqual(self.iam.list_user_policies(UserName="alice")["PolicyNames"], [])
        self.assertEqual(self.iam.get_group_policy(GroupName="devs", PolicyName="renamed")
                         ["PolicyDocument"], doc("sns:*"))
        self.invoke("Delete", new, physical_id=pid, expect="SUCCESS")
        self.assertEqual(self.iam.list_role_policies(RoleName="p-role")["PolicyNames"], [])
        self.assertEqual(self.iam.list_group_policies(GroupName="devs")["PolicyNames"], [])
        self.invoke("Delete", new, physical_id=pid, expect="SUCCESS")
        body = self.invoke("Create", {"PolicyName": "x", "PolicyDocument": doc("s3:*")},
                           expect="FAILED")
        self.assertIn("needs at least one of Roles, Users or Groups", body["Reason"])
        self.iam.delete_role(RoleName="p-role")

    def test_managed_policy(self):
        self.iam.create_role(RoleName="mp-role", AssumeRolePolicyDocument=json.dumps(ASSUME))
        self.use("AWS::IAM::ManagedPolicy")
        props = {"PolicyDocument": doc("s3:*"), "Roles": ["mp-role"], "Path": "/team/",
                 "Description": "for the team"}
        body = self.invoke("Create", props, logical="Managed", expect="SUCCESS")
        arn = body["PhysicalResourceId"]
        self.assertRegex(arn, r"^arn:aws:iam::123456789012:policy/team/ports-Managed-[A-Z0-9]{12}$")
        pol = self.iam.get_policy(PolicyArn=arn)["Policy"]
        data = body["Data"]
        self.assertEqual((data["PolicyArn"], data["PolicyId"], data["DefaultVersionId"],
                          data["AttachmentCount"], data["IsAttachable"]),
                         (arn, pol["PolicyId"], "v1", 1, True))
        # moto's GetPolicy has no PermissionsBoundaryUsageCount: cfnkit counts
        # it with ListEntitiesForPolicy(PolicyUsageFilter=PermissionsBoundary),
        # whose filter moto ignores (it counts the role the policy is attached
        # to); on AWS both give 0 here.
        boundary = self.iam.list_entities_for_policy(PolicyArn=arn,
                                                     PolicyUsageFilter="PermissionsBoundary")
        self.assertEqual(data["PermissionsBoundaryUsageCount"],
                         pol.get("PermissionsBoundaryUsageCount",
                                 len(boundary["PolicyRoles"]) + len(boundary["PolicyUsers"])))
        self.assertTrue(data["CreateDate"].startswith(str(pol["CreateDate"].year)))
        self.assertIn("UpdateDate", data)
        self.assertEqual(self.attached("mp-role"), [arn])
        # A new document: a new default version; the role swapped for a user.
        versions = [doc(a) for a in ("sqs:*", "sns:*", "ec2:*", "ecs:*", "kms:*")]
        old = props
        for i, d in enumerate(versions):
            new = dict(props, PolicyDocument=d, Roles=[], Users=["alice"])
            body = self.invoke("Update", new, physical_id=arn, old=old, logical="Managed",
                               expect="SUCCESS")
            old = new
        # Six documents in all, IAM keeps five: the oldest went.
        listed = self.iam.list_policy_versions(PolicyArn=arn)["Versions"]
        self.assertEqual(len(listed), 5)
        default = [v["VersionId"] for v in listed if v["IsDefaultVersion"]]
        self.assertEqual(default, [body["Data"]["DefaultVersionId"]])
        got = self.iam.get_policy_version(PolicyArn=arn, VersionId=default[0])
        self.assertEqual(got["PolicyVersion"]["Document"], versions[-1])
        self.assertEqual(self.attached("mp-role"), [])
        self.assertEqual([p["PolicyArn"] for p in self.iam.list_attached_user_policies(
            UserName="alice")["AttachedPolicies"]], [arn])
        self.invoke("Delete", old, physical_id=arn, expect="SUCCESS")
        with self.assertRaises(self.iam.exceptions.NoSuchEntityException):
            self.iam.get_policy(PolicyArn=arn)
        self.assertEqual(self.iam.list_attached_user_policies(UserName="alice")
                         ["AttachedPolicies"], [])
        self.invoke("Delete", old, physical_id=arn, expect="SUCCESS")
        self.iam.delete_role(RoleName="mp-role")

    def test_instance_profile(self):
        for r in ("ip-a", "ip-b"):
            self.iam.create_role(RoleName=r, AssumeRolePolicyDocument=json.dumps(ASSUME))
        self.use("AWS::IAM::InstanceProfile")
        props = {"Roles": ["ip-a"], "Path": "/ec2/"}
        body = self.invoke("Create", props, logical="Profile", expect="SUCCESS")
        name = body["PhysicalResourceId"]
        self.assertRegex(name, r"^ports-Profile-[A-Z0-9]{12}$")
        prof = self.iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]
        self.assertEqual(body["Data"], {"Arn": prof["Arn"]})
        self.assertEqual(prof["Path"], "/ec2/")
        self.assertEqual([r["RoleName"] for r in prof["Roles"]], ["ip-a"])
        new = dict(props, Roles=["ip-b"])
        self.invoke("Update", new, physical_id=name, old=props, logical="Profile",
                    expect="SUCCESS")
        prof = self.iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]
        self.assertEqual([r["RoleName"] for r in prof["Roles"]], ["ip-b"])
        self.invoke("Delete", new, physical_id=name, expect="SUCCESS")
        with self.assertRaises(self.iam.exceptions.NoSuchEntityException):
            self.iam.get_instance_profile(InstanceProfileName=name)
        self.invoke("Delete", new, physical_id=name, expect="SUCCESS")
        for r in ("ip-a", "ip-b"):
            self.iam.delete_role(RoleName=r)


    def test_role_replacement(self):
        self.use("AWS::IAM::Role")
        old = self.role_props(RoleName="old-role", ManagedPolicyArns=self.managed[:1],
                              Policies=[{"PolicyName": "p", "PolicyDocument": doc("s3:*")}])
        self.invoke("Create", old, logical="R", expect="SUCCESS")
        # RoleName is create-only: the engine creates the new role, then
        # deletes the old one (with its old properties) in its cleanup.
        new = dict(old, RoleName="new-role")
        body = self.invoke("Create", new, logical="R", expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "new-role")
        self.invoke("Delete", old, physical_id="old-role", logical="R", expect="SUCCESS")
        with self.assertRaises(self.iam.exceptions.NoSuchEntityException):
            self.iam.get_role(RoleName="old-role")
        self.assertEqual(self.attached("new-role"), self.managed[:1])
        self.assertEqual(self.inline_names("new-role"), ["p"])
        self.invoke("Delete", new, physical_id="new-role", logical="R", expect="SUCCESS")


    def test_user_and_groups(self):
        self.use("AWS::IAM::Group")
        group_props = {"Path": "/teams/", "ManagedPolicyArns": self.managed[:1],
                       "Policies": [{"PolicyName": "g", "PolicyDocument": doc("s3:*")}]}
        body = self.invoke("Create", group_props, logical="Team", expect="SUCCESS")
        group = body["PhysicalResourceId"]
        self.assertRegex(group, r"^ports-Team-[A-Z0-9]{12}$")
        got = self.iam.get_group(GroupName=group)["Group"]
        self.assertEqual((body["Data"], got["Path"]), ({"Arn": got["Arn"]}, "/teams/"))
        self.assertEqual([p["PolicyArn"] for p in self.iam.list_attached_group_policies(
            GroupName=group)["AttachedPolicies"]], self.managed[:1])
        self.assertEqual(self.iam.list_group_policies(GroupName=group)["PolicyNames"], ["g"])

        self.use("AWS::IAM::User")
        user_props = {"Groups": [group], "Path": "/people/",
                      "LoginProfile": {"Password": "Sup3r-secret!", "PasswordResetRequired": True},
                      "Policies": [{"PolicyName": "u", "PolicyDocument": doc("sqs:*")}],
                      "ManagedPolicyArns": self.managed[1:2], "Tags": [{"Key": "k", "Value": "v"}]}
        body = self.invoke("Create", user_props, logical="Bob", expect="SUCCESS")
        user = body["PhysicalResourceId"]
        self.assertNotIn("Sup3r-secret!", json.dumps(body))
        got = self.iam.get_user(UserName=user)["User"]
        self.assertEqual((body["Data"], got["Path"]), ({"Arn": got["Arn"]}, "/people/"))
        self.assertEqual({t["Key"]: t["Value"] for t in got["Tags"]}, {"k": "v"})
        # moto keeps no PasswordResetRequired (False from boto3 too): the
        # profile's existence is what can be checked.
        self.assertEqual(self.iam.get_login_profile(UserName=user)["LoginProfile"]["UserName"],
                         user)
        self.assertEqual([g["GroupName"] for g in self.iam.list_groups_for_user(
            UserName=user)["Groups"]], [group])
        self.assertEqual(self.iam.list_user_policies(UserName=user)["PolicyNames"], ["u"])

        # In place: out of the group, no login profile, a new path.
        new_user = dict(user_props, Groups=[], Path="/moved/")
        del new_user["LoginProfile"]
        self.invoke("Update", new_user, physical_id=user, old=user_props, logical="Bob",
                    expect="SUCCESS")
        self.assertEqual(self.iam.get_user(UserName=user)["User"]["Path"], "/moved/")
        self.assertEqual(self.iam.list_groups_for_user(UserName=user)["Groups"], [])
        with self.assertRaises(self.iam.exceptions.NoSuchEntityException):
            self.iam.get_login_profile(UserName=user)

        self.use("AWS::IAM::UserToGroupAddition")
        add_props = {"GroupName": group, "Users": [user, "alice"]}
        body = self.invoke("Create", add_props, logical="Members", expect="SUCCESS")
        aid = body["PhysicalResourceId"]
        self.assertEqual(body["Data"], {"Id": aid})
        members = lambda: sorted(u["UserName"] for u in self.iam.get_group(GroupName=group)["Users"])  # noqa: E731
        self.assertEqual(members(), sorted([user, "alice"]))
        self.invoke("Update", dict(add_props, Users=["alice"]), physical_id=aid, old=add_props,
                    expect="SUCCESS")
        self.assertEqual(members(), ["alice"])
        self.invoke("Delete", dict(add_props, Users=["alice"]), physical_id=aid,
                    expect="SUCCESS")
        self.assertEqual(members(), [])
        self.invoke("Delete", dict(add_props, Users=["alice"]), physical_id=aid,
                    expect="SUCCESS")

        self.use("AWS::IAM::User")
        self.invoke("Delete", new_user, physical_id=user, expect="SUCCESS")
        with self.assertRaises(self.iam.exceptions.NoSuchEntityException):
            self.iam.get_user(UserName=user)
        self.invoke("Delete", new_user, physical_id=user, expect="SUCCESS")
        self.use("AWS::IAM::Group")
        self.invoke("Delete", group_props, physical_id=group, expect="SUCCESS")
        with self.assertRaises(self.iam.exceptions.NoSuchEntityException):
            self.iam.get_group(GroupName=group)
        self.invoke("Delete", group_props, physical_id=group, expect="SUCCESS")


    def test_access_key(self):
        self.iam.create_user(UserName="key-user")
        self.use("AWS::IAM::AccessKey")
        props = {"UserName": "key-user"}
        body = self.invoke("Create", props, logical="Key", expect="SUCCESS")
        kid = body["PhysicalResourceId"]
        self.assertTrue(body["NoEcho"])
        [meta] = self.iam.list_access_keys(UserName="key-user")["AccessKeyMetadata"]
        self.assertEqual((meta["AccessKeyId"], meta["Status"]), (kid, "Active"))
        self.assertEqual(body["Data"]["Id"], kid)
        self.assertEqual(len(body["Data"]["SecretAccessKey"]), 40)
        new = dict(props, Status="Inactive")
        self.invoke("Update", new, physical_id=kid, old=props, logical="Key", expect="SUCCESS")
        [meta] = self.iam.list_access_keys(UserName="key-user")["AccessKeyMetadata"]
        self.assertEqual(meta["Status"], "Inactive")
        self.invoke("Delete", new, physical_id=kid, expect="SUCCESS")
        self.assertEqual(self.iam.list_access_keys(UserName="key-user")["AccessKeyMetadata"], [])
        self.invoke("Delete", new, physical_id=kid, expect="SUCCESS")
        self.iam.delete_user(UserName="key-user")


if __name__ == "__main__":
    unittest.main()
