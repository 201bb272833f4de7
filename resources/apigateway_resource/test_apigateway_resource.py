"""Custom::APIGatewayResource against the local AWS (moto_server): segments,
methods, integrations, the function's policy and stages checked with boto3;
resources sharing a prefix removed in either order; owned APIs; parallel
Creates and Deletes sharing segments, on moto and behind a loopback proxy that
keeps API Gateway's rule (a parent's children have unique path parts)."""

import http.client
import http.server
import io
import json
import os
import re
import subprocess
import sys
import threading
import unittest
import uuid
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
from harness import ModuleTest, request  # noqa: E402

ASSUME = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


class Base(ModuleTest):
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


class APIGatewayResource(Base):
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

    def test_delete_after_failed_create_deletes_its_api(self):
        # Issue #14.2: the Create made its API (and the function's
        # permission) but CloudFormation was told FAILED; the Delete with the
        # failed-create marker finds the API by its owner and RequestId tags.
        props = self.lam_props("late/{id}", StageName="dev")
        rid = str(uuid.uuid4())
        made = self.invoke("Create", props, request_id=rid, logical="Late", expect="SUCCESS")
        api = made["Data"]["RestApiId"]
        other = self.invoke("Create", self.lam_props("kept"), logical="Kept", expect="SUCCESS")
        # Another request's marker, or another resource's: nothing happens.
        self.invoke("Delete", props, physical_id=f"cfnkit-failed-create-Late-{uuid.uuid4()}",
                    logical="Late", expect="SUCCESS")
        self.invoke("Delete", props, physical_id=f"cfnkit-failed-create-Else-{rid}", logical="Else",
                    expect="SUCCESS")
        self.assertIn(api, [a["id"] for a in self.ag.get_rest_apis()["items"]])
        self.invoke("Delete", props, physical_id=f"cfnkit-failed-create-Late-{rid}", logical="Late",
                    expect="SUCCESS")
        apis = [a["id"] for a in self.ag.get_rest_apis()["items"]]
        self.assertNotIn(api, apis)
        self.assertIn(other["Data"]["RestApiId"], apis)
        self.assertFalse([s for s in self.statements() if api in json.dumps(s)])
        self.assertTrue([s for s in self.statements() if other["Data"]["RestApiId"] in json.dumps(s)])
        self.invoke("Delete", props, physical_id=f"cfnkit-failed-create-Late-{rid}", logical="Late",
                    expect="SUCCESS")
        self.invoke("Delete", self.lam_props("kept"), physical_id=other["PhysicalResourceId"],
                    logical="Kept", expect="SUCCESS")

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

    def apis_of(self, api):
        """The APIs tagged with the same owner as `api`."""
        owner = self.ag.get_rest_api(restApiId=api)["tags"]["cfnkit:resource"]
        return sorted(a["id"] for a in self.ag.get_rest_apis(limit=500)["items"]
                      if a.get("tags", {}).get("cfnkit:resource") == owner)

    def twins(self, props, rid, logical):
        """The same Create delivered twice at the same moment."""
        procs = []
        for _ in range(2):
            key = "resp/" + uuid.uuid4().hex
            ev = request("Create", self.resource_type, self.bucket.presign(key), props, request_id=rid)
            ev["LogicalResourceId"] = logical
            p = subprocess.Popen([self.tool, "invoke", "--event", "-"], stdin=subprocess.PIPE,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
                                 env=dict(os.environ, **self.env))
            p.stdin.write(json.dumps(ev))
            p.stdin.close()
            procs.append((p, key))
        bodies = []
        for p, key in procs:
            p.wait(120)
            bodies.append(self.bucket.read(key))
        return bodies

    def test_create_delivered_twice_makes_one_api(self):
        props = self.lam_props("twice/{id}", StageName="dev")
        rid = str(uuid.uuid4())
        first = self.invoke("Create", props, request_id=rid, logical="Twice", expect="SUCCESS")
        again = self.invoke("Create", props, request_id=rid, logical="Twice", expect="SUCCESS")
        api = first["Data"]["RestApiId"]
        self.assertEqual((again["PhysicalResourceId"], again["Data"]), (first["PhysicalResourceId"], first["Data"]))
        self.assertEqual(self.apis_of(api), [api])
        self.assertEqual(self.paths(api), ["/", "/twice", "/twice/{id}"])
        self.invoke("Delete", props, physical_id=first["PhysicalResourceId"], logical="Twice", expect="SUCCESS")
        self.assertEqual(self.ag.get_rest_apis()["items"], [])
        # Both deliveries at once: one API, the same answer.
        for _ in range(3):
            one, two = self.twins(props, str(uuid.uuid4()), "Twins")
            self.assertEqual((one["Status"], two["Status"]), ("SUCCESS", "SUCCESS"), (one, two))
            api = one["Data"]["RestApiId"]
            self.assertEqual((two["PhysicalResourceId"], two["Data"]), (one["PhysicalResourceId"], one["Data"]))
            self.assertEqual(self.apis_of(api), [api])
            self.assertEqual(self.paths(api), ["/", "/twice", "/twice/{id}"])
            self.invoke("Delete", props, physical_id=one["PhysicalResourceId"], logical="Twins", expect="SUCCESS")
            self.assertEqual(self.ag.get_rest_apis()["items"], [])

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

    def test_integration_change_updates_the_method_in_place(self):
        api = self.ag.create_rest_api(name="integration")["id"]
        first = self.lam_props("calls", RestApiId=api, StageName="v1")
        made = self.invoke("Create", first, logical="I", expect="SUCCESS")
        pid, rid = made["PhysicalResourceId"], made["Data"]["ResourceId"]
        # Set on the method by someone else: an integration change keeps it.
        self.ag.put_method_response(restApiId=api, resourceId=rid, httpMethod="GET", statusCode="200")
        mock = dict(first, IntegrationRequest={"Type": "MOCK"})
        body = self.invoke("Update", mock, physical_id=pid, old=first, logical="I", expect="SUCCESS")
        self.assertEqual((body["PhysicalResourceId"], body["Data"]), (pid, made["Data"]))
        method = self.ag.get_method(restApiId=api, resourceId=rid, httpMethod="GET")
        self.assertEqual(method["methodIntegration"]["type"], "MOCK")
        self.assertIn("200", method.get("methodResponses", {}))
        self.assertFalse([s for s in self.statements() if api in json.dumps(s)])
        back = self.invoke("Update", first, physical_id=pid, old=mock, logical="I", expect="SUCCESS")
        self.assertEqual(back["PhysicalResourceId"], pid)
        method = self.ag.get_method(restApiId=api, resourceId=rid, httpMethod="GET")
        self.assertEqual(method["methodIntegration"]["type"], "AWS_PROXY")
        self.assertIn(self.fn, method["methodIntegration"]["uri"])
        self.assertIn("200", method.get("methodResponses", {}))
        self.assertEqual(len([s for s in self.statements() if api in json.dumps(s)]), 1)
        self.invoke("Delete", first, physical_id=pid, logical="I", expect="SUCCESS")
        self.assertEqual(self.paths(api), ["/"])

    def test_aws_errors_are_the_reason(self):
        """A callback failing on an AWS call without a reason of its own
        answers with the AWS error (#15)."""
        api = self.ag.create_rest_api(name="vanishing")["id"]
        first = self.lam_props("gone", RestApiId=api)
        made = self.invoke("Create", first, logical="V", expect="SUCCESS")
        self.ag.delete_rest_api(restApiId=api)
        body = self.invoke("Update", dict(first, IntegrationRequest={"Type": "MOCK"}),
                           physical_id=made["PhysicalResourceId"], old=first, logical="V", expect="FAILED")
        self.assertIn("API Gateway GetResources: NotFoundException", body["Reason"])

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


class RulesProxy:
    """A loopback proxy in front of moto for API Gateway calls. It keeps the
    rule moto does not: CreateResource of a path part that its parent already
    has answers 409 ConflictException (checked and forwarded under one lock,
    as API Gateway decides it). `inject` more CreateResources are first
    forwarded and then answered with a conflict, as if another creator had
    won the race. Counts the conflicts it answered. `prune` lists calls
    ("method", "integration") after each of which, once, the resource it
    went to is deleted, as by a parallel Delete that had found it empty just
    before."""

    CREATE = re.compile(r"^/restapis/([^/?]+)/resources/([^/?]+)$")
    PUT = re.compile(r"^/restapis/([^/?]+)/resources/([^/?]+)/methods/[A-Z]+(/integration)?$")

    def __init__(self, moto, inject=0, prune=()):
        self.moto = moto
        self.ag = moto.client("apigateway")
        self.inject = inject
        self.prune = list(prune)
        self.pruned = []
        self.conflicts = 0
        self.lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def handle_any(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                m = proxy.CREATE.match(self.path) if self.command == "POST" else None
                put = proxy.PUT.match(self.path) if self.command == "PUT" else None
                if put and proxy.prune and proxy.prune[0] == ("integration" if put.group(3) else "method"):
                    reply = proxy.forward(self.command, self.path, self.headers, body)
                    if reply[0] < 300:
                        proxy.prune.pop(0)
                        proxy.ag.delete_resource(restApiId=put.group(1), resourceId=put.group(2))
                        proxy.pruned.append(put.group(2))
                    return self.relay(*reply)
                if not m:
                    return self.relay(*proxy.forward(self.command, self.path, self.headers, body))
                with proxy.lock:
                    part = json.loads(body or b"{}").get("pathPart")
                    items = proxy.ag.get_resources(restApiId=m.group(1), limit=500)["items"]
                    taken = any(r.get("parentId") == m.group(2) and r.get("pathPart") == part for r in items)
                    if not taken:
                        reply = proxy.forward(self.command, self.path, self.headers, body)
                        if proxy.inject <= 0 or reply[0] != 201:
                            return self.relay(*reply)
                        proxy.inject -= 1
                    proxy.conflicts += 1
                msg = json.dumps({"message": f"Another resource with the same parent already has this name: {part}"})
                self.relay(409, [("x-amzn-ErrorType", "ConflictException"),
                                 ("Content-Type", "application/json")], msg.encode())

            def relay(self, status, headers, data):
                self.send_response(status)
                for k, v in headers:
                    if k.lower() not in ("content-length", "transfer-encoding", "connection", "date", "server"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def forward(self, method, path, headers, body):
        conn = http.client.HTTPConnection("127.0.0.1", self.moto.port, timeout=30)
        conn.request(method, path, body=body, headers={k: v for k, v in headers.items() if k.lower() != "host"})
        res = conn.getresponse()
        reply = (res.status, res.getheaders(), res.read())
        conn.close()
        return reply

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class SharedSegments(Base):
    """CloudFormation creates unrelated resources in parallel: every one of
    them must converge on one copy of each shared segment."""

    ROUTES = [("users/{id}", m) for m in ("GET", "POST", "PUT", "DELETE")] + \
             [("users/{id}/orders", m) for m in ("GET", "POST", "PUT", "DELETE")]

    def props(self, api, path, method):
        if method == "GET":
            return self.lam_props(path, method, RestApiId=api, StageName="v1")
        return {"Path": path, "Method": method, "RestApiId": api, "StageName": "v1",
                "IntegrationRequest": {"Type": "MOCK"}}

    def parallel(self, action, jobs, env=None):
        """Runs (logical id, props, physical id) jobs as concurrent `cfnkit
        invoke` processes; returns their responses in order."""
        procs = []
        for logical, props, physical in jobs:
            key = "resp/" + uuid.uuid4().hex
            ev = request(action, self.resource_type, self.bucket.presign(key), props,
                         physical_id=physical, request_id=str(uuid.uuid4()))
            ev["LogicalResourceId"] = logical
            p = subprocess.Popen([self.tool, "invoke", "--event", "-"], stdin=subprocess.PIPE,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                 env=dict(os.environ, **self.env, **(env or {})))
            p.stdin.write(json.dumps(ev))
            p.stdin.close()
            procs.append((p, key))
        bodies = []
        for p, key in procs:
            with p.stderr:
                err = p.stderr.read()
            p.wait(120)
            body = self.bucket.read(key)
            self.assertEqual(body["Status"], "SUCCESS", body.get("Reason", "") + err[-2000:])
            bodies.append(body)
        return bodies

    def tree(self, api):
        return self.ag.get_resources(restApiId=api, limit=500)["items"]

    def round_trip(self, env=None, rounds=3):
        for n in range(rounds):
            api = self.ag.create_rest_api(name=f"shared-{uuid.uuid4().hex[:6]}")["id"]
            jobs = [(f"R{i}", self.props(api, path, method), None) for i, (path, method) in enumerate(self.ROUTES)]
            made = self.parallel("Create", jobs, env)
            items = self.tree(api)
            self.assertEqual(sorted(r["path"] for r in items), ["/", "/users", "/users/{id}", "/users/{id}/orders"],
                             f"round {n}: one copy of each segment")
            by_path = {r["path"]: r for r in items}
            for (path, method), body in zip(self.ROUTES, made):
                seg = by_path["/" + path]
                self.assertEqual(body["Data"]["ResourceId"], seg["id"], f"round {n}: {method} {path}")
                self.assertIn(method, seg.get("resourceMethods", {}), f"round {n}: {method} {path}")
            jobs = [(f"R{i}", self.props(api, path, method), body["PhysicalResourceId"])
                    for i, ((path, method), body) in enumerate(zip(self.ROUTES, made))]
            self.parallel("Delete", jobs, env)
            self.assertEqual([r["path"] for r in self.tree(api)], ["/"], f"round {n}: only the root is left")
            self.assertFalse([s for s in self.statements() if api in json.dumps(s)])

    def test_parallel_creates_and_deletes_on_moto(self):
        # moto accepts a second child with the same path part: duplicates
        # must be found and given up, every creator agreeing on one.
        self.round_trip()

    def test_parallel_creates_and_deletes_under_api_gateway_rule(self):
        proxy = RulesProxy(self.moto)
        try:
            self.round_trip(env={"AWS_ENDPOINT_URL_API_GATEWAY": proxy.url})
        finally:
            proxy.close()

    def test_conflict_uses_the_existing_segment(self):
        # Each of the first two CreateResources is made and then answered
        # with a conflict, as when another creator got there first.
        proxy = RulesProxy(self.moto, inject=2)
        env = {"AWS_ENDPOINT_URL_API_GATEWAY": proxy.url}
        try:
            api = self.ag.create_rest_api(name="conflict")["id"]
            props = self.props(api, "users/{id}/orders", "POST")
            body = self.invoke("Create", props, logical="C", env=env, expect="SUCCESS")
            self.assertEqual(proxy.conflicts, 2)
            items = self.tree(api)
            self.assertEqual(sorted(r["path"] for r in items), ["/", "/users", "/users/{id}", "/users/{id}/orders"])
            leaf = [r for r in items if r["path"] == "/users/{id}/orders"][0]
            self.assertEqual(body["Data"]["ResourceId"], leaf["id"])
            self.assertIn("POST", leaf.get("resourceMethods", {}))
            self.invoke("Delete", props, physical_id=body["PhysicalResourceId"], logical="C", env=env,
                        expect="SUCCESS")
            self.assertEqual([r["path"] for r in self.tree(api)], ["/"])
        finally:
            proxy.close()

    def test_segment_pruned_under_a_create(self):
        # A parallel Delete removes the leaf just after this Create put its
        # method there, and again just after its integration: the Create
        # makes the segment and the method again, and says so in its log.
        proxy = RulesProxy(self.moto, prune=["method", "integration"])
        env = {"AWS_ENDPOINT_URL_API_GATEWAY": proxy.url}
        try:
            api = self.ag.create_rest_api(name="pruned")["id"]
            props = self.props(api, "users/{id}", "GET")
            body = self.invoke("Create", props, logical="P", env=env, expect="SUCCESS")
            self.assertEqual(len(proxy.pruned), 2)
            items = self.tree(api)
            self.assertEqual(sorted(r["path"] for r in items), ["/", "/users", "/users/{id}"])
            leaf = [r for r in items if r["path"] == "/users/{id}"][0]
            self.assertNotIn(leaf["id"], proxy.pruned)
            self.assertEqual(body["Data"]["ResourceId"], leaf["id"])
            self.assertEqual(self.ag.get_integration(restApiId=api, resourceId=leaf["id"], httpMethod="GET")["type"],
                             "AWS_PROXY")
            # The permission names the live resource, not the pruned ones.
            ours = [st for st in self.statements() if api in json.dumps(st)]
            self.assertEqual(len(ours), 1)
            self.invoke("Delete", props, physical_id=body["PhysicalResourceId"], logical="P", env=env,
                        expect="SUCCESS")
            self.assertEqual([r["path"] for r in self.tree(api)], ["/"])
            self.assertFalse([st for st in self.statements() if api in json.dumps(st)])
        finally:
            proxy.close()


if __name__ == "__main__":
    unittest.main()
