"""CloudFormation itself as the engine (`cfnkit cloudformation ...`,
framework/src/stack/remote.c) against moto's CloudFormation API, with
templates of native types only (moto runs custom resources only through
Docker), the result checked with boto3.

What moto's CloudFormation does and does not do, as these tests found it
(moto 5.2): change sets are computed at once (CREATE_COMPLETE at the first
DescribeChangeSet) and executed synchronously; its events are the stack's
own (no resource events); its Modify changes carry no Replacement or
Details; a stack made by a change set has no Outputs or exports (its output
map is built from the empty template of REVIEW_IN_PROGRESS), so outputs are
tested on a stack that boto3's CreateStack made; a failing create has no
rollback: ExecuteChangeSet answers the resource's error, the stack stays in
REVIEW_IN_PROGRESS and what was made before the failure stays until the
stack is deleted (CreateStack leaves CREATE_IN_PROGRESS for ever); an unchanged update with parameters is refused by
CreateChangeSet itself ("No updates are to be performed."), without
parameters it gives a FAILED change set as CloudFormation does; a TemplateURL
is read only when its host is "localhost" or an amazonaws.com name, so the
S3 endpoint is given as localhost (still loopback)."""
import hashlib
import json
import os
import tempfile
import unittest

from harness import Moto, program, run

QUEUE_TEMPLATE = """\
Parameters:
  QueueName: {Type: String}
  Label: {Type: String, Default: first}
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties: {QueueName: !Ref QueueName}
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      Tags: [{Key: label, Value: !Ref Label}]
"""

PLAIN_TEMPLATE = """\
Resources:
  Topic: {Type: AWS::SNS::Topic}
"""

OUTPUT_TEMPLATE = """\
Parameters:
  Label: {Type: String, Default: one}
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties: {QueueName: !Sub '${AWS::StackName}-q'}
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      Tags: [{Key: label, Value: !Ref Label}]
Outputs:
  QueueUrl:
    Value: !Ref Queue
    Export: {Name: !Sub '${AWS::StackName}-QueueUrl'}
  TopicArn:
    Value: !Ref Topic
"""

ROLE_TEMPLATE = """\
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: taken
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com},
                     Action: 'sts:AssumeRole'}]
"""


HALF_TEMPLATE = """\
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties: {QueueName: half-made}
  Role:
    Type: AWS::IAM::Role
    DependsOn: Queue
    Properties:
      RoleName: held
      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}
"""


class CloudFormationEngine(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        cls.tool = program("CFNKIT_TOOL")
        cls.cfn = cls.moto.client("cloudformation")
        cls.dir = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()
        cls.dir.cleanup()

    def template(self, name, text):
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def cfnkit(self, *argv, env=None):
        full = self.moto.env()
        full.update(env or {})
        return run([self.tool, "cloudformation", *argv], env=full, timeout=120)

    def status(self, stack):
        return self.cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]

    def test_create_update_no_changes_delete(self):
        t = self.template("queue.yaml", QUEUE_TEMPLATE)
        r = self.cfnkit("deploy", "--template-file", t, "--stack-name", "life",
                        "--parameter-overrides", "QueueName=life-a")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # The change set first, then the events, then the final status.
        lines = r.stdout.splitlines()
        add_q = next(i for i, line in enumerate(lines) if line.split()[:3] ==
                     ["Add", "Queue", "AWS::SQS::Queue"])
        self.assertTrue(any(line.split()[:3] == ["Add", "Topic", "AWS::SNS::Topic"]
                            for line in lines))
        begin = next(i for i, line in enumerate(lines) if "CREATE_IN_PROGRESS" in line)
        end = next(i for i, line in enumerate(lines) if "CREATE_COMPLETE" in line)
        self.assertLess(add_q, begin)
        self.assertLess(begin, end)
        self.assertEqual(lines[-1], "Stack life: CREATE_COMPLETE")
        self.assertEqual(self.status("life"), "CREATE_COMPLETE")
        sqs = self.moto.client("sqs")
        self.assertIn("life-a", sqs.get_queue_url(QueueName="life-a")["QueueUrl"])
        params = {p["ParameterKey"]: p["ParameterValue"]
                  for p in self.cfn.describe_stacks(StackName="life")["Stacks"][0]["Parameters"]}
        self.assertEqual(params, {"QueueName": "life-a", "Label": "first"})

        # An update: the template changes (moto's change set compares
        # templates, not parameter values), Label changes, QueueName keeps
        # its previous value.
        t = self.template("queue2.yaml", QUEUE_TEMPLATE.replace(
            "Value: !Ref Label", "Value: !Sub '${Label}-x'") + "  Extra: {Type: AWS::SNS::Topic}\n")
        r = self.cfnkit("deploy", "--template-file", t, "--stack-name", "life",
                        "--parameter-overrides", "Label=second")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        shown = [line.split()[:3] for line in r.stdout.splitlines()]
        self.assertIn(["Modify", "Topic", "AWS::SNS::Topic"], shown)
        self.assertIn(["Add", "Extra", "AWS::SNS::Topic"], shown)
        self.assertIn("UPDATE_COMPLETE", r.stdout)
        self.assertEqual(self.status("life"), "UPDATE_COMPLETE")
        params = {p["ParameterKey"]: p["ParameterValue"]
                  for p in self.cfn.describe_stacks(StackName="life")["Stacks"][0]["Parameters"]}
        self.assertEqual(params, {"QueueName": "life-a", "Label": "second"})

        # The same again: nothing to do, exit 0, nothing executed.
        events_before = self.cfn.describe_stack_events(StackName="life")["StackEvents"]
        r = self.cfnkit("deploy", "--template-file", t, "--stack-name", "life",
                        "--parameter-overrides", "Label=second")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("No updates are to be performed.", r.stdout)
        self.assertEqual(self.cfn.describe_stack_events(StackName="life")["StackEvents"],
                         events_before)

        stack_id = self.cfn.describe_stacks(StackName="life")["Stacks"][0]["StackId"]
        r = self.cfnkit("delete-stack", "--stack-name", "life")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("DELETE_IN_PROGRESS", r.stdout)
        self.assertEqual(r.stdout.splitlines()[-1], "Stack life: DELETE_COMPLETE")
        self.assertEqual(self.cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"],
                         "DELETE_COMPLETE")
        with self.assertRaises(self.cfn.exceptions.ClientError):
            self.cfn.describe_stacks(StackName="life")
        with self.assertRaises(sqs.exceptions.ClientError):
            sqs.get_queue_url(QueueName="life-a")

        r = self.cfnkit("delete-stack", "--stack-name", "life")
        self.assertEqual(r.returncode, 1)
        self.assertIn("Stack with id life does not exist", r.stderr)

    def test_engine_option_of_the_stack_commands(self):
        # `cfnkit deploy --engine cloudformation` is the path above; without
        # --engine a local endpoint (moto here) picks the local engine, whose
        # stack CloudFormation never sees; a bad value is a usage error.
        t = self.template("plain-engine.yaml", PLAIN_TEMPLATE)
        full = self.moto.env()
        r = run([self.tool, "deploy", "--engine", "cloudformation", "--template-file", t,
                 "--stack-name", "by-cfn"], env=full, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.status("by-cfn"), "CREATE_COMPLETE")
        r = run([self.tool, "describe-stacks", "--engine=cloudformation", "--stack-name", "by-cfn"],
                env=full, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["Stacks"][0]["StackName"], "by-cfn")
        r = run([self.tool, "deploy", "--template-file", t, "--stack-name", "by-local"], env=full,
                timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        names = [s["StackName"] for s in self.cfn.describe_stacks()["Stacks"]]
        self.assertIn("by-cfn", names)
        self.assertNotIn("by-local", names)
        r = run([self.tool, "describe-stacks", "--stack-name", "by-local"], env=full, timeout=60)
        self.assertEqual(json.loads(r.stdout)["Stacks"][0]["StackStatus"], "CREATE_COMPLETE")
        for argv in (["--engine", "bogus"], ["--engine"]):
            r = run([self.tool, "deploy", "--template-file", t, "--stack-name", "x", *argv],
                    env=full, timeout=60)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("local or cloudformation", r.stderr)
        for engine, stack in (("local", "by-local"), ("cloudformation", "by-cfn")):
            r = run([self.tool, "delete-stack", "--engine", engine, "--stack-name", stack], env=full,
                    timeout=120)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_empty_change_set_is_deleted(self):
        t = self.template("plain.yaml", PLAIN_TEMPLATE)
        r = self.cfnkit("deploy", "--template-file", t, "--stack-name", "plain")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = self.cfnkit("deploy", "--template-file", t, "--stack-name", "plain")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("No updates are to be performed.", r.stdout)
        left = [c for c in self.cfn.list_change_sets(StackName="plain")["Summaries"]
                if c["StackName"] == "plain" and c["Status"] == "FAILED"]
        self.assertEqual(left, [])
        self.assertEqual(self.status("plain"), "CREATE_COMPLETE")

    def test_events_streamed_as_json(self):
        t = self.template("plain.yaml", PLAIN_TEMPLATE)
        r = self.cfnkit("deploy", "--template-file", t, "--stack-name", "jsonic", "--output", "json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        docs = [json.loads(line) for line in r.stdout.splitlines()]
        changes = [d for d in docs if "ResourceChange" in d]
        events = [d for d in docs if "EventId" in d]
        self.assertEqual([c["ResourceChange"]["Action"] for c in changes], ["Add"])
        # Exactly the events of this operation, oldest first, as boto3 sees them.
        theirs = [e for e in reversed(self.cfn.describe_stack_events(
            StackName="jsonic")["StackEvents"]) if e["ResourceStatus"] != "REVIEW_IN_PROGRESS"]
        self.assertEqual([e["EventId"] for e in events], [e["EventId"] for e in theirs])
        self.assertEqual([e["ResourceStatus"] for e in events],
                         ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"])
        self.assertEqual(docs[-1]["Stack"]["StackStatus"], "CREATE_COMPLETE")
        self.assertEqual(docs[-1]["Failures"], [])

    def test_outputs_describe_and_exports(self):
        t = self.template("outputs.yaml", OUTPUT_TEMPLATE)
        with open(t) as f:
            self.cfn.create_stack(StackName="outs", TemplateBody=f.read())
        r = self.cfnkit("deploy", "--template-file", t, "--stack-name", "outs",
                        "--parameter-overrides", "Label=two")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        theirs = self.cfn.describe_stacks(StackName="outs")["Stacks"][0]
        self.assertTrue(theirs["Outputs"])
        shown = r.stdout.split("\nOutputs:\n", 1)[1].split("\n\n", 1)[0].splitlines()
        want = []
        for o in sorted(theirs["Outputs"], key=lambda o: o["OutputKey"]):
            export = f" (export {o['ExportName']})" if o.get("ExportName") else ""
            want.append(f"  {o['OutputKey']} = {o['OutputValue']}{export}")
        self.assertEqual(sorted(shown), want)

        r = self.cfnkit("describe-stacks", "--stack-name", "outs")
        self.assertEqual(r.returncode, 0, r.stderr)
        mine = json.loads(r.stdout)["Stacks"]
        self.assertEqual(len(mine), 1)
        for key in ("StackId", "StackName", "StackStatus", "Outputs", "Parameters"):
            self.assertEqual(mine[0][key], theirs[key], key)
        r = self.cfnkit("list-exports")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["Exports"], self.cfn.list_exports()["Exports"])
        r = self.cfnkit("describe-stack-resources", "--stack-name", "outs")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(
            sorted((x["LogicalResourceId"], x["PhysicalResourceId"])
                   for x in json.loads(r.stdout)["StackResources"]),
            sorted((x["LogicalResourceId"], x["PhysicalResourceId"]) for x in
                   self.cfn.describe_stack_resources(StackName="outs")["StackResources"]))
        r = self.cfnkit("describe-stack-events", "--stack-name", "outs")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([e["EventId"] for e in json.loads(r.stdout)["StackEvents"]],
                         [e["EventId"] for e in
                          self.cfn.describe_stack_events(StackName="outs")["StackEvents"]])
        r = self.cfnkit("describe-stacks", "--stack-name", "nowhere")
        self.assertEqual(r.returncode, 1)
        self.assertIn("Stack with id nowhere does not exist", r.stderr)

    def test_failing_create(self):
        self.moto.client("iam").create_role(RoleName="taken", AssumeRolePolicyDocument="{}")
        t = self.template("role.yaml", ROLE_TEMPLATE)
        r = self.cfnkit("deploy", "--template-file", t, "--stack-name", "failing",
                        "--capabilities", "CAPABILITY_NAMED_IAM")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("Role with name taken already exists", r.stderr)
        # moto: no rollback; the stack stays where the refusal left it, and
        # cfnkit says so rather than waiting for a final status.
        self.assertEqual(self.status("failing"), "REVIEW_IN_PROGRESS")
        self.assertIn("Stack failing: REVIEW_IN_PROGRESS", r.stdout)
        # A stack in REVIEW_IN_PROGRESS was never created: the next deploy
        # is a CREATE again (moto then makes a second stack of that name,
        # where CloudFormation reuses the first: checked by the id).
        self.moto.client("iam").delete_role(RoleName="taken")
        r = self.cfnkit("deploy", "--template-file", t, "--stack-name", "failing",
                        "--capabilities", "CAPABILITY_NAMED_IAM", "--output", "json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        stack_id = json.loads(r.stdout.splitlines()[-1])["Stack"]["StackId"]
        self.assertEqual(self.status(stack_id), "CREATE_COMPLETE")
        self.assertEqual(self.moto.client("iam").get_role(RoleName="taken")["Role"]["RoleName"],
                         "taken")

    def test_failed_create_then_delete(self):
        """moto has no rollback: what was made before the failure stays until
        the stack is deleted, which delete-stack then does."""
        self.moto.client("iam").create_role(RoleName="held", AssumeRolePolicyDocument="{}")
        t = self.template("half.yaml", HALF_TEMPLATE)
        r = self.cfnkit("deploy", "--template-file", t, "--stack-name", "half",
                        "--capabilities", "CAPABILITY_NAMED_IAM")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("EntityAlreadyExists", r.stderr)
        sqs = self.moto.client("sqs")
        self.assertIn("half-made", sqs.get_queue_url(QueueName="half-made")["QueueUrl"])
        r = self.cfnkit("delete-stack", "--stack-name", "half")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(r.stdout.splitlines()[-1], "Stack half: DELETE_COMPLETE")
        with self.assertRaises(sqs.exceptions.ClientError):
            sqs.get_queue_url(QueueName="half-made")

    def test_no_execute_changeset(self):
        t = self.template("plain.yaml", PLAIN_TEMPLATE)
        r = self.cfnkit("deploy", "--template-file", t, "--stack-name", "review",
                        "--no-execute-changeset")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("Add     Topic", r.stdout)
        self.assertIn("not executed", r.stdout)
        self.assertEqual(self.status("review"), "REVIEW_IN_PROGRESS")
        sets = [c for c in self.cfn.list_change_sets(StackName="review")["Summaries"]
                if c["StackName"] == "review"]
        self.assertEqual([c["ExecutionStatus"] for c in sets], ["AVAILABLE"])

    def test_large_template_through_s3(self):
        # Over 51,200 bytes: a resource's Metadata carries the bulk.
        text = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
        text += "    Metadata: {Blob: %s}\n" % ("x" * 60000)
        t = self.template("large.yaml", text)
        self.assertGreater(os.path.getsize(t), 51200)
        r = self.cfnkit("deploy", "--template-file", t, "--stack-name", "large")
        self.assertEqual(r.returncode, 1)
        self.assertIn("51,200 bytes", r.stderr)
        self.assertIn("--s3-bucket", r.stderr)

        s3 = self.moto.client("s3")
        s3.create_bucket(Bucket="templates")
        env = {"AWS_ENDPOINT_URL_S3": f"http://localhost:{self.moto.port}"}
        r = self.cfnkit("deploy", "--template-file", t, "--stack-name", "large",
                        "--s3-bucket", "templates", "--s3-prefix", "stacks/", env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.status("large"), "CREATE_COMPLETE")
        with open(t, "rb") as f:
            body = f.read()
        key = f"stacks/{hashlib.md5(body).hexdigest()}.template"
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="templates").get("Contents", [])]
        self.assertEqual(keys, [key])
        self.assertEqual(s3.get_object(Bucket="templates", Key=key)["Body"].read(), body)
        self.assertEqual(self.cfn.get_template(StackName="large")["TemplateBody"], body.decode())

    def test_bad_input(self):
        t = self.template("queue.yaml", QUEUE_TEMPLATE)
        r = self.cfnkit("deploy", "--template-file", t, "--stack-name", "bad",
                        "--parameter-overrides", "QueueName")
        self.assertEqual(r.returncode, 1)
        self.assertIn('"QueueName" is not Key=Value', r.stderr)
        r = self.cfnkit("deploy", "--template-file", t, "--stack-name", "bad",
                        "--parameter-overrides", "Nope=1")
        self.assertEqual(r.returncode, 1)
        self.assertIn("the template has no parameter Nope", r.stderr)
        r = self.cfnkit("deploy", "--template-file", t, "--stack-name", "bad", "--engine", "x")
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown option", r.stderr)
        r = self.cfnkit("deploy", "--template-file", t, "--stack-name", "bad",
                        "--provider", "/bin/true")
        self.assertEqual(r.returncode, 2)
        self.assertIn("an option of the local engine, not of CloudFormation: --provider", r.stderr)
        r = self.cfnkit("launch")
        self.assertEqual(r.returncode, 2)
        self.assertIn("cfnkit cloudformation: unknown command: launch", r.stderr)
        r = self.cfnkit("deploy", "--stack-name", "bad")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--template-file is required", r.stderr)
        r = self.cfnkit("deploy", "--template-file", os.path.join(self.dir.name, "missing.yaml"),
                        "--stack-name", "bad")
        self.assertEqual(r.returncode, 1)
        self.assertIn("missing.yaml", r.stderr)
        with self.assertRaises(self.cfn.exceptions.ClientError):
            self.cfn.describe_stacks(StackName="bad")


if __name__ == "__main__":
    unittest.main()
