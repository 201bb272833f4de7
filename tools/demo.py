#!/usr/bin/env python3
"""The demo's AWS part, started by tools/demo.sh: the shipped templates
deployed by `cfnkit deploy` against a local AWS (moto_server on loopback),
exactly as a team would deploy them: the code bucket, the provider stack from
the packaged provider, the hit-counter stack for two stages from ONE code
object, each stage's counter called and counting in its own table, the ECS
example on a small network with its unique host ports, new code shipped to
one stage (only what changed is updated), and every stack deleted in order,
checked with the AWS CLI. No resource is made by hand."""

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from harness import HERE, Moto, fun_run  # noqa: E402

TEMPLATES = os.path.join(ROOT, "templates")


def say(text=""):
    print(text, flush=True)


class Demo:
    def __init__(self, args, moto, tmp):
        self.args, self.moto, self.tmp = args, moto, tmp
        self.env = dict(os.environ, **moto.env(), CFNKIT_RESPONSE_URL_ALLOW="127.0.0.1")

    def cfnkit(self, *argv, show=True):
        """One cfnkit command; its output shown indented; stops the demo on failure."""
        start = time.monotonic()
        res = subprocess.run([self.args.tool, *argv], capture_output=True, text=True, env=self.env,
                             timeout=600)
        if show:
            for line in (res.stdout + res.stderr).rstrip().splitlines():
                say(f"   {line}")
        if res.returncode != 0:
            if not show:
                say(res.stdout + res.stderr)
            raise SystemExit(f"demo: cfnkit {argv[0]} failed (exit {res.returncode})")
        return res.stdout, time.monotonic() - start

    def cli(self, *args):
        out = subprocess.run(["aws", *args], capture_output=True, text=True, env=self.env, timeout=60,
                             check=True)
        return json.loads(out.stdout) if out.stdout.strip() else None

    def deploy(self, template, stack, *params, caps=()):
        argv = ["deploy", "--template-file", os.path.join(TEMPLATES, template), "--stack-name", stack]
        if params:
            argv += ["--parameter-overrides", *params]
        if caps:
            argv += ["--capabilities", *caps]
        say(f"== cfnkit deploy {template} as stack {stack}")
        _, took = self.cfnkit(*argv)
        say(f"   ({took:.1f} s)")
        return self.outputs(stack)

    def outputs(self, stack):
        out, _ = self.cfnkit("describe-stacks", "--stack-name", stack, show=False)
        return {o["OutputKey"]: o["OutputValue"] for o in json.loads(out)["Stacks"][0].get("Outputs", [])}

    def package(self, path, bucket, name, prefix=None):
        argv = ["package", path, "--s3-bucket", bucket, "--name", name, "--output", "json"]
        if prefix:
            argv += ["--s3-prefix", prefix]
        out, _ = self.cfnkit(*argv, show=False)
        obj = json.loads(out)
        key = obj.get("Key") or obj.get("S3Key")
        say(f"   s3://{bucket}/{key}")
        return key

    def counter_task(self, stage, outputs):
        """The stage's deployed package (its .env written at deployment), unpacked for a local Lambda."""
        fn = outputs["FunctionName"]
        arn = self.cli("lambda", "get-function", "--function-name", fn)["Configuration"]["FunctionArn"]
        bucket, key = self.cli("lambda", "list-tags", "--resource", arn)["Tags"]["cfnkit:artifact"][5:].split("/", 1)
        data = self.moto.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
        task = os.path.join(self.tmp, f"fn-{stage}-{len(os.listdir(self.tmp))}")
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            z.extractall(task)
            env_text = z.read(".env").decode()
        say(f"   {stage}: function {fn}, package s3://{bucket}/{key}, .env: "
            + "; ".join(env_text.splitlines()))
        return task

    def call(self, stage, task, names):
        events = [{"httpMethod": "GET", "path": f"/{n}", "pathParameters": {"name": n}} for n in names]
        results = fun_run(task, events, dict(self.moto.env()), runtime="python3", handler="index.handler")
        for n, r in zip(names, results):
            if r["FunctionError"]:
                raise SystemExit(f"demo: the hit counter failed: {r['Payload']}")
            say(f"   {stage:<5} GET /{n:<6} -> {json.loads(json.loads(r['Payload'])['body'])}")

    def table(self, name):
        items = self.cli("dynamodb", "scan", "--table-name", name)["Items"]
        return ", ".join(sorted(f"{i['name']['S']}={i['hits']['N']}" for i in items))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--package", required=True, help="the provider package (tools/package.sh)")
    ap.add_argument("--tool", required=True, help="the cfnkit tool")
    args = ap.parse_args()
    if not os.path.isdir(os.path.join(HERE, "node_modules", "@vercel", "fun")) or not shutil.which("node"):
        raise SystemExit("demo: @vercel/fun is not installed (tools/setup.sh installs it)")
    started = time.monotonic()
    say("== the local AWS: moto_server on 127.0.0.1, with AWS's managed IAM policies loaded (the "
        "hit counter's role attaches one); it runs no containers: its ECS reports services' tasks "
        "as running")
    os.environ["MOTO_ECS_SERVICE_RUNNING"] = "2"
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    moto = Moto()
    tmp = tempfile.mkdtemp()
    try:
        say(f"   {moto.url}")
        d = Demo(args, moto, tmp)
        bucket = d.deploy("code-bucket.yaml", "cfnkit-code")["CodeBucket"]

        say("== cfnkit package: the provider package and the hit counter's code, keyed by their content")
        provider_key = d.package(args.package, bucket, "cfnkit-provider")
        code_key = d.package(os.path.join(TEMPLATES, "hit-counter", "function"), bucket, "function",
                             prefix="hit-counter")

        provider = d.deploy("provider.yaml", "cfnkit", f"CodeBucket={bucket}", f"CodeKey={provider_key}",
                            f"CodeObjectsBucket={bucket}", caps=["CAPABILITY_IAM"])
        stages = {}
        for stage in ("dev", "prod"):
            stages[stage] = d.deploy("hit-counter/template.yaml", f"hits-{stage}", f"Stage={stage}",
                                     f"CodeBucket={bucket}", f"CodeKey={code_key}",
                                     "ProviderStackName=cfnkit", caps=["CAPABILITY_IAM"])

        say("== the hit counters, from ONE code object, run by a local Lambda Runtime API, each "
            "counting in its own table")
        tasks = {s: d.counter_task(s, o) for s, o in stages.items()}
        d.call("dev", tasks["dev"], ["alice", "alice", "bob"])
        d.call("prod", tasks["prod"], ["alice"])
        for s, o in stages.items():
            say(f"   table {o['TableName']}: {d.table(o['TableName'])}")

        net = d.deploy("ecs-network.yaml", "ecs-net")
        web = d.deploy("ecs-unique-port.yaml", "ecs-web", "ProviderStackName=cfnkit",
                       f"Cluster={net['Cluster']}", f"VpcId={net['VpcId']}",
                       f"HostSecurityGroupId={net['HostSecurityGroupId']}",
                       f"LoadBalancerSecurityGroupId={net['LoadBalancerSecurityGroupId']}",
                       f"ListenerArn={net['ListenerArn']}", caps=["CAPABILITY_IAM"])
        ports = d.cli("dynamodb", "scan", "--table-name", provider["PortTableName"])["Items"]
        say(f"   host ports: web {web['WebHostPort']}, admin {web['AdminHostPort']}; the pool's table "
            f"{provider['PortTableName']} holds {sorted(int(i['port']['N']) for i in ports)}")

        say("== shipping new code to dev: a new code object, a new key, a redeploy (only the "
            "function changes)")
        src = os.path.join(tmp, "function-v2")
        shutil.copytree(os.path.join(TEMPLATES, "hit-counter", "function"), src)
        with open(os.path.join(src, "index.py"), "a") as f:
            f.write("\n# v2: shipped by the demo\n")
        new_key = d.package(src, bucket, "function", prefix="hit-counter")
        stages["dev"] = d.deploy("hit-counter/template.yaml", "hits-dev", "Stage=dev", f"CodeBucket={bucket}",
                                 f"CodeKey={new_key}", "ProviderStackName=cfnkit", caps=["CAPABILITY_IAM"])
        task = d.counter_task("dev", stages["dev"])
        d.call("dev", task, ["alice"])
        say(f"   table {stages['dev']['TableName']} kept counting: {d.table(stages['dev']['TableName'])}")

        for stack in ("ecs-web", "ecs-net", "hits-prod", "hits-dev", "cfnkit"):
            say(f"== cfnkit delete-stack {stack}")
            d.cfnkit("delete-stack", "--stack-name", stack)
        say("== the code bucket: emptied (as any bucket must be before CloudFormation deletes it), "
            "then its stack deleted")
        subprocess.run(["aws", "s3", "rm", f"s3://{bucket}", "--recursive", "--quiet"], env=d.env, check=True,
                       timeout=60)
        d.cfnkit("delete-stack", "--stack-name", "cfnkit-code")

        say("== what is left, read with the AWS CLI")
        functions = d.cli("lambda", "list-functions")["Functions"]
        apis = d.cli("apigateway", "get-rest-apis")["items"]
        roles = d.cli("iam", "list-roles")["Roles"]
        buckets = d.cli("s3api", "list-buckets")["Buckets"]
        arns = d.cli("ecs", "list-clusters")["clusterArns"]
        services = [c for c in (d.cli("ecs", "describe-clusters", "--clusters", *arns)["clusters"] if arns else [])
                    if c["status"] == "ACTIVE"]  # a deleted cluster stays listed, INACTIVE
        vpcs = [v for v in d.cli("ec2", "describe-vpcs")["Vpcs"] if not v.get("IsDefault")]
        tables = d.cli("dynamodb", "list-tables")["TableNames"]
        stacks, _ = d.cfnkit("describe-stacks", show=False)
        kept = [t for t in tables if t == provider["PortTableName"]]
        state = [t for t in tables if t == "cfnkit-stacks"]
        other = sorted(set(tables) - set(kept) - set(state))
        say(f"   {len(functions)} functions, {len(apis)} REST APIs, {len(roles)} roles, {len(buckets)} buckets, "
            f"{len(services)} ECS clusters, {len(vpcs)} VPCs, tables {other}, "
            f"{len(json.loads(stacks)['Stacks'])} stacks")
        say(f"   kept on purpose: {kept} (the port table's DeletionPolicy is Retain: deleting the provider "
            f"must not free ports in use) and cfnkit's own state table {state}")
        if functions or apis or roles or buckets or services or vpcs or other or json.loads(stacks)["Stacks"]:
            raise SystemExit("demo: something was left behind")
        say(f"== done in {time.monotonic() - started:.0f} s: five stacks deployed by cfnkit deploy, two stages "
            f"from one code object, unique ports, an update, everything deleted")
        return 0
    finally:
        moto.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
