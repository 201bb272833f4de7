"""Least privilege that stays true (#12 item 5): the built-in Custom::
modules' own integration tests run with CFNKIT_AWS_TRACE on for the requests
they serve (`cfnkit invoke`, what the provider Lambda runs), the calls are
turned into the IAM actions and resources they need, and compared with what
templates/provider.yaml grants ProviderRole: every call granted on the right
resource, every grant used by some call or listed below with its reason. The
same for the hit counter's FunctionRole and what its function calls.

Calls to IAM actions, from the Service Authorization Reference
(docs.aws.amazon.com/service-authorization/latest/reference/): Lambda and
DynamoDB are `prefix:Operation`; API Gateway's management actions are the
HTTP verb on the path's ARN (list_amazonapigatewaymanagement.html); S3's
object operations map to s3:GetObject (HeadObject too), s3:GetObjectVersion
with a versionId, s3:PutObject (the multipart upload's create, parts and
complete; UploadPartCopy also reads its source), s3:AbortMultipartUpload and
s3:DeleteObject (list_amazons3.html). Lambda's CreateFunction and
UpdateFunctionConfiguration pass the function's role: iam:PassRole
(list_awslambda.html, dependent actions), and Lambda reads the S3 code object
of CreateFunction and UpdateFunctionCode with the caller's s3:GetObject."""

import fnmatch
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest
import urllib.parse
import uuid
import zipfile

from cfnlint.decode import decode

from harness import ModuleTest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
REGION, ACCOUNT = "us-east-1", "123456789012"  # moto's account
ASSUME = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})

# The modules' own tests, run with the requests they serve traced.
MODULE_TESTS = [("unique_port", "test_unique_port"), ("unique_port", "test_seed_migration"),
                ("lambda_function", "test_lambda_function"), ("lambda_function", "test_env_remote_s3"),
                ("apigateway_resource", "test_apigateway_resource")]

# Granted, called by no module, and why it is needed all the same.
NOT_CALLED = {
    "logs:CreateLogStream": "the Lambda service writes the provider's own logs with the role",
    "logs:PutLogEvents": "the Lambda service writes the provider's own logs with the role",
    "s3:ListBucket": "S3 answers a missing code object 404 (not 403) only with it: the module "
                     "tells a missing package from a refused one",
}

# What the DynamoDB calls name in their body, not their path: unique_port's
# only table is CFNKIT_UNIQUE_PORT_TABLE, which provider.yaml sets to PortTable.
PORT_TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/<PortTable>"
ANY_BUCKET = "<CodeObjectsBucket>"


def needed(line):
    """The (action, resource) pairs one trace line needs."""
    service, op, method, bucket, path, query = line.rstrip("\n").split("\t")
    names = set(query.split(",")) - {"-"}
    if service == "apigateway":
        return [(f"apigateway:{method}", f"arn:aws:apigateway:{REGION}::{path}")]
    if service == "dynamodb":
        return [(f"dynamodb:{op}", PORT_TABLE)]
    if service == "lambda":
        m = re.match(r"^/20\d\d-\d\d-\d\d/(?:functions|tags)(?:/([^/]+))?", path)
        name = urllib.parse.unquote(m.group(1)) if m and m.group(1) else "<new>"
        arn = name if name.startswith("arn:") else f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
        out = [(f"lambda:{op}", arn)]
        if op in ("CreateFunction", "UpdateFunctionConfiguration"):
            out.append(("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/<function role>"))
        if op in ("CreateFunction", "UpdateFunctionCode"):
            # Lambda reads the S3 code object with the caller's permissions
            # (its AccessDenied asks for GetObject on the bucket and key).
            out.append(("s3:GetObject", f"arn:aws:s3:::{ANY_BUCKET}/<code object>"))
        return out
    if service == "s3":
        obj = f"arn:aws:s3:::{ANY_BUCKET}{path}"
        version = "versionId" in names
        action = {"GetObject": "s3:GetObjectVersion" if version else "s3:GetObject",
                  "HeadObject": "s3:GetObjectVersion" if version else "s3:GetObject",
                  "PutObject": "s3:PutObject", "CreateMultipartUpload": "s3:PutObject",
                  "UploadPart": "s3:PutObject", "CompleteMultipartUpload": "s3:PutObject",
                  "UploadPartCopy": "s3:PutObject",
                  "AbortMultipartUpload": "s3:AbortMultipartUpload",
                  "DeleteObject": "s3:DeleteObjectVersion" if version else "s3:DeleteObject",
                  "ListObjectsV2": "s3:ListBucket"}.get(op)
        if not action:
            raise AssertionError(f"no IAM mapping for S3 {op}: add it from list_amazons3.html")
        out = [(action, f"arn:aws:s3:::{ANY_BUCKET}" if action == "s3:ListBucket" else obj)]
        if op == "UploadPartCopy":  # its source is the code object, in the same bucket
            out.append(("s3:GetObject", f"arn:aws:s3:::{ANY_BUCKET}/<source>"))
        return out
    raise AssertionError(f"no IAM mapping for {service} {op}: add it to needed()")


class Resolver:
    """Evaluates a policy's intrinsic functions with the template's
    parameters as placeholders and GetAtt ...Arn as the resource's ARN."""

    def __init__(self, template, arns, params):
        self.t, self.arns, self.params = template, arns, params

    def ref(self, name):
        pseudo = {"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT}
        if name in pseudo:
            return pseudo[name]
        if name in self.params:
            return self.params[name]
        raise AssertionError(f"cannot resolve Ref {name} in a policy")

    def condition(self, name):
        return self.eval(self.t["Conditions"][name])

    def eval(self, v):
        if isinstance(v, list):
            return [x for x in (self.eval(i) for i in v) if x is not NoValue]
        if not isinstance(v, dict):
            return v
        if len(v) == 1:
            (k, a), = v.items()
            if k == "Ref":
                return NoValue if a == "AWS::NoValue" else self.ref(a)
            if k == "Fn::GetAtt":
                res, att = a if isinstance(a, list) else a.split(".", 1)
                if att != "Arn" or res not in self.arns:
                    raise AssertionError(f"cannot resolve GetAtt {res}.{att} in a policy")
                return self.arns[res]
            if k == "Fn::Sub" and isinstance(a, str):
                return re.sub(r"\$\{([^}!]+)\}", lambda m: self.ref(m.group(1)), a)
            if k == "Fn::If":
                return self.eval(a[1] if self.condition(a[0]) else a[2])
            if k == "Fn::Not":
                return not self.eval(a[0])
            if k == "Fn::Equals":
                return self.eval(a[0]) == self.eval(a[1])
            if k.startswith("Fn::") or k == "Condition":
                raise AssertionError(f"cannot resolve {k} in a policy: add it to Resolver")
        out = {k: self.eval(x) for k, x in v.items()}
        return {k: x for k, x in out.items() if x is not NoValue}


class _NoValue:
    pass


NoValue = _NoValue()


def grants(template, role, resolver):
    """(statement, action, resource pattern) of every Allow the template
    gives `role`: its inline Policies and the RolePolicy/Policy resources
    naming it."""
    docs = []
    props = template["Resources"][role]["Properties"]
    docs += [p["PolicyDocument"] for p in props.get("Policies", [])]
    for name, r in template["Resources"].items():
        roles = r.get("Properties", {}).get("RoleName") or r.get("Properties", {}).get("Roles")
        if r["Type"] in ("AWS::IAM::RolePolicy", "AWS::IAM::Policy") and \
                {"Ref": role} in (roles if isinstance(roles, list) else [roles]):
            docs.append(r["Properties"]["PolicyDocument"])
    out = []
    for doc in docs:
        for st in resolver.eval(doc)["Statement"]:
            assert st["Effect"] == "Allow", st
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
            for a in actions:
                for r in resources:
                    out.append((json.dumps(st, sort_keys=True), a, r, st.get("Condition")))
    return out


def granted(grant, action, resource):
    _, a, pattern, _ = grant
    return fnmatch.fnmatchcase(action.lower(), a.lower()) and fnmatch.fnmatchcase(resource, pattern)


def compare(test, calls, grant_list, not_called):
    # Every action named, and no resource "*": a wildcard would pass any call.
    for _, action, resource, _ in grant_list:
        test.assertNotRegex(action, r"[*?]", "a wildcard action")
        test.assertNotEqual(resource, "*", f"{action} on every resource")
    denied = sorted({c for c in calls if not any(granted(g, *c) for g in grant_list)})
    test.assertEqual(denied, [], "called but not granted (action, resource)")
    unused = sorted({(a, r) for (_, a, r, _) in grant_list
                     if a not in not_called and not any(granted((None, a, r, None), *c) for c in calls)})
    test.assertEqual(unused, [], "granted but called by no path (and not listed with a reason)")


class ProviderRole(ModuleTest):
    resource_type = "Custom::LambdaFunction"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp()
        cls.trace = os.path.join(cls.tmp, "trace")
        cls.tool_wrapper = os.path.join(cls.tmp, "cfnkit")
        with open(cls.tool_wrapper, "w") as f:
            f.write('#!/bin/sh\nunset CFNKIT_AWS_TRACE\n'
                    f'if [ "$1" = invoke ]; then export CFNKIT_AWS_TRACE={cls.trace}; fi\n'
                    f'exec {cls.tool} "$@"\n')
        os.chmod(cls.tool_wrapper, stat.S_IRWXU)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, True)
        super().tearDownClass()

    def read_trace(self):
        with open(self.trace) as f:
            lines = f.readlines()
        for line in lines:
            self.assertEqual(len(line.rstrip("\n").split("\t")), 6, line)
            self.assertNotIn("X-Amz-", line)
            self.assertNotIn("=", line)  # no query value
        return lines

    def versioned_code_object(self):
        """Code.S3ObjectVersion with an Env to write: the one path of
        Custom::LambdaFunction its own tests do not take (the versioned code
        object read: s3:GetObjectVersion)."""
        s3 = self.moto.client("s3")
        s3.create_bucket(Bucket="versioned")
        s3.put_bucket_versioning(Bucket="versioned", VersioningConfiguration={"Status": "Enabled"})
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("index.py", "def handler(e, c):\n    return 1\n")
        version = s3.put_object(Bucket="versioned", Key="app.zip", Body=buf.getvalue())["VersionId"]
        role = self.moto.client("iam").create_role(RoleName="privilege-" + uuid.uuid4().hex[:8],
                                                   AssumeRolePolicyDocument=ASSUME)["Role"]["Arn"]
        props = {"Code": {"S3Bucket": "versioned", "S3Key": "app.zip", "S3ObjectVersion": version},
                 "Handler": "index.handler", "Runtime": "python3.12", "Role": role, "Env": {"STAGE": "v"}}
        env = {"CFNKIT_AWS_TRACE": self.trace}
        body = self.invoke("Create", props, env=env, expect="SUCCESS")
        self.invoke("Delete", props, physical_id=body["PhysicalResourceId"], env=env, expect="SUCCESS")
        with open(self.trace) as f:
            traced = f.read()
        self.assertIn("\tHeadObject\tHEAD\tversioned\t/app.zip\tversionId\n", traced)
        self.assertNotIn(version, traced)  # a query's value is never traced

    def test_provider_role_grants_exactly_what_the_modules_call(self):
        for folder, module in MODULE_TESTS:
            env = dict(os.environ, CFNKIT_TOOL=self.tool_wrapper)
            env.pop("CFNKIT_AWS_TRACE", None)
            res = subprocess.run([sys.executable, "-m", "unittest", module], cwd=os.path.join(ROOT, "resources", folder),
                                 env=env, capture_output=True, text=True, timeout=900)
            self.assertEqual(res.returncode, 0, f"{module} failed: the trace is incomplete\n{res.stderr[-3000:]}")
        self.versioned_code_object()
        lines = self.read_trace()
        ops = {tuple(line.split("\t")[:2]) for line in lines}
        for op in [("dynamodb", "PutItem"), ("lambda", "CreateFunction"), ("apigateway", "PutIntegration"),
                   ("s3", "UploadPartCopy")]:
            self.assertIn(op, ops, "a module's test no longer takes this path")
        self.assertFalse(any(line.startswith("dynamodb\tScan\t") for line in lines),
                         "cfnkit unique-port seed (an operator's command) was traced as the provider")
        calls = {c for line in lines for c in needed(line)}

        template, matches = decode(os.path.join(ROOT, "templates", "provider.yaml"))
        self.assertEqual(matches, [])
        resolver = Resolver(template, {
            "PortTable": PORT_TABLE,
            "ProviderLogGroup": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/<stack>-provider:*"},
            {"CodeObjectsBucket": ANY_BUCKET, "AWS::StackName": "<stack>"})
        grant_list = grants(template, "ProviderRole", resolver)
        compare(self, calls, grant_list, NOT_CALLED)
        # iam:PassRole only to Lambda.
        passrole = [g for g in grant_list if g[1] == "iam:PassRole"]
        self.assertTrue(passrole)
        for g in passrole:
            self.assertEqual(g[3], {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}})


class HitCounterRole(unittest.TestCase):
    """templates/hit-counter/template.yaml's FunctionRole against the calls
    of templates/hit-counter/function, recorded by botocore's events."""

    def test_function_role_grants_exactly_what_the_function_calls(self):
        from harness import Moto
        moto = Moto()
        self.addCleanup(moto.stop)
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp, True)
        task = os.path.join(tmp, "task")
        shutil.copytree(os.path.join(ROOT, "templates", "hit-counter", "function"), task)
        with open(os.path.join(task, ".env"), "w") as f:
            f.write('TABLE="hits-privilege"\nSTAGE="test"\n')
        moto.client("dynamodb").create_table(
            TableName="hits-privilege", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "name", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "name", "KeyType": "HASH"}])
        calls = set()

        def record(params, model, **_):
            prefix = model.service_model.signing_name
            table = params.get("TableName")
            self.assertEqual(prefix, "dynamodb", f"the function calls {prefix}: map it in this test")
            calls.add((f"dynamodb:{model.name}", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{table}"))

        import boto3
        old_env, old_session = dict(os.environ), boto3.DEFAULT_SESSION
        os.environ.update(moto.env())
        try:
            boto3.setup_default_session()
            boto3.DEFAULT_SESSION.events.register("before-parameter-build", record)
            import importlib.util
            spec = importlib.util.spec_from_file_location("hit_counter_privilege", os.path.join(task, "index.py"))
            index = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(index)
            for name in ("alice", "alice", "bob"):
                self.assertEqual(index.handler({"pathParameters": {"name": name}}, None)["statusCode"], 200)
            index.handler({}, None)
        finally:
            os.environ.clear()
            os.environ.update(old_env)
            boto3.DEFAULT_SESSION = old_session
        self.assertEqual(calls, {("dynamodb:UpdateItem", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/hits-privilege")})

        template, matches = decode(os.path.join(ROOT, "templates", "hit-counter", "template.yaml"))
        self.assertEqual(matches, [])
        resolver = Resolver(template, {"HitsTable": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/hits-privilege"}, {})
        # No managed policy: what it grants is not in the template to check.
        self.assertNotIn("ManagedPolicyArns", template["Resources"]["FunctionRole"]["Properties"])
        logs = {a: "the Lambda service writes the function's logs with the role"
                for a in ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")}
        grant_list = grants(template, "FunctionRole", resolver)
        compare(self, calls, grant_list, logs)
        for _, action, resource, _ in grant_list:
            if action.startswith("logs:"):
                self.assertEqual(resource, f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/*")


if __name__ == "__main__":
    unittest.main()
