"""Custom::APIGatewayResource against the local AWS (moto_server): segments,
methods, integrations, the function's policy and stages checked with boto3;
resources sharing a prefix removed in either order; owned APIs."""

import io
import json
import os
import sys
import unittest
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
from harness import ModuleTest  # noqa: E402

ASSUME = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


class APIGatewayResource(ModuleTest):
    resource_type = "Custom::APIGatewayResource"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ag = cls.moto.client("apigateway")
        cls.lam = cls.moto.client("lambda")
        role = cls.moto.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=ASSUME)["Role"]["Arn"]
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("index.py", "def h(e, c): return {}\n")
        cls.fn = cls.lam.create_function(FunctionName="hits", Runtime="python3.12", Role=role,
                                         Handler="index.h", Code={"ZipFile": buf.getvalue()})["FunctionArn"]

    def lam_props(self, path, method="GET", **extra):
        props = {"Path": path, "Method": method,
                 "IntegrationRequest": {"Type": "Lambda", "FunctionArn": self.fn}}
        props.update(extra)
        return props

    def paths(self, api):
        return sorted(r["path"] for r in self.ag.get_resources(restApiId=api, limit=500)["items"])

    def statements(self):
        try:
            return json.loads(self.lam.get_policy(FunctionName="hits")["Policy"])["Statement"]
        except self.lam.exceptions.ResourceNotFoundException:
            return []

    def test_owned_api_with_lambda_and_stage(self):
        body = self.invoke("Create", self.lam_props("{name}", StageName="dev"), logical="Hits", expect="SUCCESS")
        d = body["Data"]
        api = d["RestApiId"]
        self.assertEqual(body["PhysicalResourceId"], f"{api}/{d['ResourceId']}/GET")
        self.assertEqual(d["Url"], f"https://{api}.execute-api.us-east-1.amazonaws.com/dev/{{name}}")
        self.assertEqual(self.paths(api), ["/", "/{name}"])
        root = [r for r in self.ag.get_resources(restApiId=api)["items"] if r["path"] == "/"][0]["id"]
        self.assertEqual(d["RootResourceId"], root)
        integ = self.ag.get_integration(restApiId=api, resourceId=d["ResourceId"], httpMethod="GET")
        self.assertEqual(integ["type"], "AWS_PROXY")
        self.assertEqual(integ["httpMethod"], "POST")
        self.assertEqual(integ["uri"], "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                                       f"{self.fn}/invocations")
        ours = [s for s in self.statements() if api in json.dumps(s)]
        self.assertEqual(len(ours), 1)
        self.assertEqual(ours[0]["Principal"], {"Service": "apigateway.amazonaws.com"})
        self.assertIn(f":{api}/*/GET/*", json.dumps(ours[0]["Condition"]))
        self.assertEqual(self.ag.get_stage(restApiId=api, stageName="dev")["stageName"], "dev")
        self.invoke("Delete", self.lam_props("{name}", StageName="dev"), physical_id=body["PhysicalResourceId"],
                    logical="Hits", expect="SUCCESS")
        self.assertNotIn(api, [a["id"] for a in self.ag.get_rest_apis()["items"]])
        self.assertFalse([s for s in self.statements() if api in json.dumps(s)])
        self.invoke("Delete", self.lam_props("{name}"), physical_id=body["PhysicalResourceId"],
                    logical="Hits", expect="SUCCESS")

    def shared_prefix(self, first_deleted):
        api = self.ag.create_rest_api(name=f"shared-{first_deleted}")["id"]
        a = self.invoke("Create", self.lam_props("users/{id}", RestApiId=api), logical="A", expect="SUCCESS")
        b = self.invoke("Create", {"Path": "users/{id}/orders", "Method": "POST", "RestApiId": api,
                                   "IntegrationRequest": {"Type": "MOCK"}}, logical="B", expect="SUCCESS")
        self.assertEqual(self.paths(api), ["/", "/users", "/users/{id}", "/users/{id}/orders"])
        order = [("A", a, self.lam_props("users/{id}", RestApiId=api)),
                 ("B", b, {"Path": "users/{id}/orders", "Method": "POST", "RestApiId": api,
                           "IntegrationRequest": {"Type": "MOCK"}})]
        if first_deleted == "B":
            order.reverse()
        (n1, r1, p1), (n2, r2, p2) = order
        self.invoke("Delete", p1, physical_id=r1["PhysicalResourceId"], logical=n1, expect="SUCCESS")
        # The other one still works: its method and segments are there.
        other_rid = r2["Data"]["ResourceId"]
        method = "POST" if n2 == "B" else "GET"
        self.assertEqual(self.ag.get_method(restApiId=api, resourceId=other_rid, httpMethod=method)["httpMethod"],
                         method)
        self.invoke("Delete", p2, physical_id=r2["PhysicalResourceId"], logical=n2, expect="SUCCESS")
        self.assertEqual(self.paths(api), ["/"])
        # A given API is never deleted.
        self.assertIn(api, [x["id"] for x in self.ag.get_rest_apis()["items"]])
        self.assertFalse([s for s in self.statements() if api in json.dumps(s)])

    def test_shared_prefix_deleted_leaf_first(self):
        self.shared_prefix("B")

    def test_shared_prefix_deleted_parent_first(self):
        self.shared_prefix("A")

    def test_updates_in_place_and_replacements(self):
        api = self.ag.create_rest_api(name="updates")["id"]
        first = self.lam_props("items", RestApiId=api, StageName="v1")
        made = self.invoke("Create", first, logical="U", expect="SUCCESS")
        pid, rid = made["PhysicalResourceId"], made["Data"]["ResourceId"]
        auth = dict(first, AuthorizationType="AWS_IAM")
        body = self.invoke("Update", auth, physical_id=pid, old=first, logical="U", expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], pid)
        self.assertEqual(self.ag.get_method(restApiId=api, resourceId=rid, httpMethod="GET")["authorizationType"],
                         "AWS_IAM")
        mock = dict(auth, IntegrationRequest={"Type": "MOCK"})
        body = self.invoke("Update", mock, physical_id=pid, old=auth, logical="U", expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], pid)
        self.assertEqual(self.ag.get_integration(restApiId=api, resourceId=rid, httpMethod="GET")["type"], "MOCK")
        self.assertFalse([s for s in self.statements() if api in json.dumps(s)])  # permission gone with Lambda
        post = dict(mock, Method="POST")
        body = self.invoke("Update", post, physical_id=pid, old=mock, logical="U", expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], f"{api}/{rid}/POST")
        self.invoke("Delete", mock, physical_id=pid, logical="U", expect="SUCCESS")
        methods = self.ag.get_resource(restApiId=api, resourceId=rid).get("resourceMethods", {})
        self.assertEqual(sorted(methods), ["POST"])
        moved = dict(post, Path="things/{thing}")
        body = self.invoke("Update", moved, physical_id=f"{api}/{rid}/POST", old=post, logical="U",
                           expect="SUCCESS")
        self.assertNotEqual(body["Data"]["ResourceId"], rid)
        self.invoke("Delete", post, physical_id=f"{api}/{rid}/POST", logical="U", expect="SUCCESS")
        self.assertEqual(self.paths(api), ["/", "/things", "/things/{thing}"])

    def test_root_http_and_parent(self):
        api = self.ag.create_rest_api(name="misc")["id"]
        root = self.invoke("Create", {"Path": "/", "Method": "ANY", "RestApiId": api,
                                      "IntegrationRequest": {"Type": "HTTP_PROXY", "Uri": "https://example.com/"}},
                           logical="Root", expect="SUCCESS")
        self.assertEqual(root["Data"]["ResourceId"], root["Data"]["RootResourceId"])
        integ = self.ag.get_integration(restApiId=api, resourceId=root["Data"]["ResourceId"], httpMethod="ANY")
        self.assertEqual((integ["type"], integ["uri"]), ("HTTP_PROXY", "https://example.com/"))
        parent = self.ag.create_resource(restApiId=api, parentId=root["Data"]["RootResourceId"], pathPart="v1")["id"]
        child = self.invoke("Create", {"Path": "status", "Method": "get", "RestApiId": api, "ParentId": parent,
                                       "IntegrationRequest": {"Type": "MOCK"}}, logical="Child", expect="SUCCESS")
        self.assertIn("/v1/status", self.paths(api))
        self.assertTrue(child["Data"]["Url"].endswith("amazonaws.com/v1/status"))
        self.invoke("Delete", {"Path": "status", "Method": "GET", "RestApiId": api, "ParentId": parent,
                               "IntegrationRequest": {"Type": "MOCK"}},
                    physical_id=child["PhysicalResourceId"], logical="Child", expect="SUCCESS")
        self.assertEqual(self.paths(api), ["/", "/v1"])  # the given parent stays

    def test_bad_input_named(self):
        cases = [
            (self.lam_props("bad path"), "Path \"bad path\" has an invalid character ' '"),
            (self.lam_props("users/{id"), "is not a parameter like {name}"),
            (self.lam_props("a//b"), "has an empty segment"),
            (self.lam_props("{all+}/more"), "a greedy parameter {name+} must come last"),
            (self.lam_props("x", Method="FETCH"), 'Method "FETCH" is unknown'),
            ({"Path": "x", "Method": "GET", "IntegrationRequest": {"Type": "Lambda"}},
             "IntegrationRequest.FunctionArn is required for a Lambda integration"),
            ({"Path": "x", "Method": "GET", "IntegrationRequest": {"Type": "Lambda", "FunctionArn": "arn:aws:s3:::b"}},
             'IntegrationRequest.FunctionArn "arn:aws:s3:::b" is not a Lambda function ARN'),
            ({"Path": "x", "Method": "GET", "IntegrationRequest": {"Type": "SOAP"}},
             'IntegrationRequest.Type "SOAP" is unknown'),
            ({"Path": "x", "Method": "GET", "IntegrationRequest": {"Type": "HTTP"}},
             "IntegrationRequest.Uri is required for a HTTP integration"),
            ({"Path": "x", "Method": "GET"}, "property IntegrationRequest is required but missing"),
            (self.lam_props("x", RestApiId="nope"), "NotFoundException"),
        ]
        before = len(self.ag.get_rest_apis()["items"])
        for props, reason in cases:
            with self.subTest(reason=reason):
                body = self.invoke("Create", props, logical="Bad", expect="FAILED")
                self.assertIn(reason, body["Reason"])
        self.assertEqual(len(self.ag.get_rest_apis()["items"]), before)


if __name__ == "__main__":
    unittest.main()
