"""AWS::ApiGateway::RestApi, ::Resource, ::Method, ::Deployment and ::Stage
through `cfnkit native-provider` against moto_server, checked with boto3: an
API with a path, a MOCK method with its responses, a deployment and a stage."""

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "integration"))
from harness import NativeTest  # noqa: E402

POLICY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*"}]}


class ApiGateway(NativeTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ag = cls.moto.client("apigateway")

    def typed(self, name):
        self.resource_type = name

    def test_rest_api(self):
        self.typed("AWS::ApiGateway::RestApi")
        props = {"Name": "hits", "Description": "counter", "BinaryMediaTypes": ["image/png"],
                 "EndpointConfiguration": {"Types": ["REGIONAL"]}, "Policy": POLICY,
                 "Tags": [{"Key": "team", "Value": "a"}]}
        body = self.invoke("Create", props, expect="SUCCESS")
        api = body["PhysicalResourceId"]  # Ref: the id
        got = self.ag.get_rest_api(restApiId=api)
        root = [r["id"] for r in self.ag.get_resources(restApiId=api)["items"] if r["path"] == "/"]
        self.assertEqual(body["Data"], {"RestApiId": api, "RootResourceId": root[0]})
        self.assertEqual((got["name"], got["description"]), ("hits", "counter"))
        self.assertEqual(got["binaryMediaTypes"], ["image/png"])
        self.assertEqual(got["endpointConfiguration"]["types"], ["REGIONAL"])
        self.assertEqual(json.loads(got["policy"]), POLICY)
        self.assertEqual(got["tags"], {"team": "a"})

        new = dict(props, Name="counter", Description="hit counter",
                   BinaryMediaTypes=["image/gif"], Policy=dict(POLICY, Id="p"))
        body = self.invoke("Update", new, physical_id=api, old=props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], api)
        got = self.ag.get_rest_api(restApiId=api)
        self.assertEqual((got["name"], got["description"]), ("counter", "hit counter"))
        self.assertEqual(got["binaryMediaTypes"], ["image/gif"])
        self.assertEqual(json.loads(got["policy"]), dict(POLICY, Id="p"))

        # moto tags stages only: a REST API's tags cannot change there, and
        # the Update says so instead of pretending.
        body = self.invoke("Update", dict(new, Tags=[{"Key": "team", "Value": "b"}]),
                           physical_id=api, old=new, expect="FAILED")
        self.assertIn(f"changing the tags of REST API {api} failed: API Gateway UntagResource",
                      body["Reason"])

        for _ in range(2):
            self.invoke("Delete", new, physical_id=api, expect="SUCCESS")
        self.assertNotIn(api, [a["id"] for a in self.ag.get_rest_apis()["items"]])

    def test_name_required_and_unsupported(self):
        self.typed("AWS::ApiGateway::RestApi")
        body = self.invoke("Create", {"Description": "x"}, expect="FAILED")
        self.assertIn("Name", body["Reason"])
        body = self.invoke("Create", {"Name": "x", "Body": {"openapi": "3.0.1"}}, expect="FAILED")
        self.assertIn("AWS::ApiGateway::RestApi property Body is not supported by cfnkit's local "
                      "engine", body["Reason"])

    def test_tags_without_key_or_value_refused(self):
        # A tag without Key was sent as "", one without Value left out.
        self.typed("AWS::ApiGateway::RestApi")
        before = self.ag.get_rest_apis()["items"]
        for tag, missing in (({"Value": "a"}, "Tags.0.Key"), ({"Key": "team"}, "Tags.0.Value")):
            body = self.invoke("Create", {"Name": "tagged", "Tags": [tag]}, expect="FAILED")
            self.assertIn(missing, body["Reason"])
        self.assertEqual(self.ag.get_rest_apis()["items"], before)  # nothing made

    def test_path_method_deployment_stage(self):
        api = self.ag.create_rest_api(name="chain")["id"]
        root = self.ag.get_resources(restApiId=api)["items"][0]["id"]

        self.typed("AWS::ApiGateway::Resource")
        res_props = {"RestApiId": api, "ParentId": root, "PathPart": "hits"}
        body = self.invoke("Create", res_props, expect="SUCCESS")
        rid = body["PhysicalResourceId"]  # Ref: the resource id
        self.assertEqual(body["Data"], {"ResourceId": rid})
        self.assertEqual(self.ag.get_resource(restApiId=api, resourceId=rid)["path"], "/hits")

        self.typed("AWS::ApiGateway::Method")
        m_props = {"RestApiId": api, "ResourceId": rid, "HttpMethod": "get",
                   "AuthorizationType": "NONE",
                   "RequestParameters": {"method.request.querystring.name": False},
                   "MethodResponses": [{"StatusCode": 200,
                                        "ResponseModels": {"application/json": "Empty"}}],
                   "Integration": {"Type": "MOCK",
                                   "RequestTemplates": {"application/json": '{"statusCode": 200}'},
                                   "IntegrationResponses": [{
                                       "StatusCode": "200",
                                       "ResponseTemplates": {"application/json": '{"hits": 1}'}}]}}
        body = self.invoke("Create", m_props, expect="SUCCESS")
        mid = body["PhysicalResourceId"]
        self.assertEqual(mid, f"{api}|{rid}|GET")
        m = self.ag.get_method(restApiId=api, resourceId=rid, httpMethod="GET")
        self.assertEqual(m["authorizationType"], "NONE")
        self.assertEqual(m["requestParameters"], {"method.request.querystring.name": False})
        self.assertEqual(m["methodResponses"]["200"]["responseModels"], {"application/json": "Empty"})
        self.assertEqual(m["methodIntegration"]["type"], "MOCK")
        self.assertEqual(m["methodIntegration"]["integrationResponses"]["200"]["responseTemplates"],
                         {"application/json": '{"hits": 1}'})

        new_m = dict(m_props, AuthorizationType="AWS_IAM",
                     Integration=dict(m_props["Integration"],
                                      RequestTemplates={"application/json": '{"statusCode": 201}'}))
        body = self.invoke("Update", new_m, physical_id=mid, old=m_props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], mid)
        m = self.ag.get_method(restApiId=api, resourceId=rid, httpMethod="GET")
        self.assertEqual(m["authorizationType"], "AWS_IAM")
        self.assertEqual(m["methodIntegration"]["requestTemplates"],
                         {"application/json": '{"statusCode": 201}'})

        self.typed("AWS::ApiGateway::Deployment")
        d_props = {"RestApiId": api, "Description": "first", "StageName": "dev"}
        body = self.invoke("Create", d_props, expect="SUCCESS")
        dep = body["PhysicalResourceId"]
        self.assertEqual(body["Data"], {"DeploymentId": dep})
        self.assertEqual(self.ag.get_deployment(restApiId=api, deploymentId=dep)["description"],
                         "first")
        self.assertEqual(self.ag.get_stage(restApiId=api, stageName="dev")["deploymentId"], dep)

        self.typed("AWS::ApiGateway::Stage")
        s_props = {"RestApiId": api, "StageName": "prod", "DeploymentId": dep,
                   "Description": "production", "Variables": {"Table": "hits"},
                   "TracingEnabled": True, "Tags": [{"Key": "team", "Value": "a"}]}
        body = self.invoke("Create", s_props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "prod")  # Ref: the stage name
        st = self.ag.get_stage(restApiId=api, stageName="prod")
        self.assertEqual((st["deploymentId"], st["description"], st["variables"],
                          st["tracingEnabled"], st["tags"]),
                         (dep, "production", {"Table": "hits"}, True, {"team": "a"}))
        new_s = dict(s_props, Description="live", Variables={"Table": "counts", "Mode": "x"},
                     TracingEnabled=False)
        body = self.invoke("Update", new_s, physical_id="prod", old=s_props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], "prod")
        st = self.ag.get_stage(restApiId=api, stageName="prod")
        self.assertEqual((st["description"], st["variables"], st["tracingEnabled"]),
                         ("live", {"Table": "counts", "Mode": "x"}, False))

        # Leaves first, each twice: the stage, the deployment (and the stage it
        # made), the method, the resource.
        self.typed("AWS::ApiGateway::Stage")
        for _ in range(2):
            self.invoke("Delete", new_s, physical_id="prod", expect="SUCCESS")
        self.typed("AWS::ApiGateway::Deployment")
        for _ in range(2):
            self.invoke("Delete", d_props, physical_id=dep, expect="SUCCESS")
        self.assertEqual(self.ag.get_stages(restApiId=api)["item"], [])
        self.assertEqual(self.ag.get_deployments(restApiId=api)["items"], [])
        self.typed("AWS::ApiGateway::Method")
        for _ in range(2):
            self.invoke("Delete", new_m, physical_id=mid, expect="SUCCESS")
        self.assertNotIn("resourceMethods", self.ag.get_resource(restApiId=api, resourceId=rid))
        self.typed("AWS::ApiGateway::Resource")
        for _ in range(2):
            self.invoke("Delete", res_props, physical_id=rid, expect="SUCCESS")
        self.assertEqual([r["path"] for r in self.ag.get_resources(restApiId=api)["items"]], ["/"])

    def test_authorizer(self):
        api = self.ag.create_rest_api(name="auth")["id"]
        self.typed("AWS::ApiGateway::Authorizer")
        uri = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
               "arn:aws:lambda:us-east-1:123456789012:function:auth/invocations")
        props = {"RestApiId": api, "Name": "token", "Type": "TOKEN", "AuthorizerUri": uri,
                 "IdentitySource": "method.request.header.Authorization",
                 "AuthorizerResultTtlInSeconds": "300"}
        body = self.invoke("Create", props, expect="SUCCESS")
        aid = body["PhysicalResourceId"]  # Ref: the authorizer id
        self.assertEqual(body["Data"], {"AuthorizerId": aid})
        a = self.ag.get_authorizer(restApiId=api, authorizerId=aid)
        self.assertEqual((a["name"], a["type"], a["authorizerUri"], a["identitySource"],
                          a["authorizerResultTtlInSeconds"]),
                         ("token", "TOKEN", uri, "method.request.header.Authorization", 300))
        new = dict(props, Name="bearer", AuthorizerResultTtlInSeconds=60)
        body = self.invoke("Update", new, physical_id=aid, old=props, expect="SUCCESS")
        self.assertEqual(body["PhysicalResourceId"], aid)
        a = self.ag.get_authorizer(restApiId=api, authorizerId=aid)
        self.assertEqual((a["name"], a["authorizerResultTtlInSeconds"]), ("bearer", 60))
        for _ in range(2):
            self.invoke("Delete", new, physical_id=aid, expect="SUCCESS")
        self.assertEqual(self.ag.get_authorizers(restApiId=api)["items"], [])

    def test_deployment_description_update_moto_lacks(self):
        """moto has no UpdateDeployment: changing a deployment's Description
        fails with the AWS error, saying which call."""
        api = self.ag.create_rest_api(name="d")["id"]
        root = self.ag.get_resources(restApiId=api)["items"][0]["id"]
        self.ag.put_method(restApiId=api, resourceId=root, httpMethod="GET",
                           authorizationType="NONE")
        self.ag.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
        self.typed("AWS::ApiGateway::Deployment")
        props = {"RestApiId": api, "Description": "a"}
        dep = self.invoke("Create", props, expect="SUCCESS")["PhysicalResourceId"]
        body = self.invoke("Update", dict(props, Description="b"), physical_id=dep, old=props,
                           expect="FAILED")
        self.assertIn("UpdateDeployment", body["Reason"])


if __name__ == "__main__":
    unittest.main()
