"""The shipped templates deployed by `cfnkit deploy` against the local AWS
(issue #13): the code bucket, the provider stack from the real provider
package, the hit-counter stack for two stages from one code object, the ECS
example on templates/ecs-network.yaml; an update shipping new code; the
deletes in order. Every result is read back with boto3."""

import io
import json
import os
import shutil
import subprocess
import tempfile
import unittest
import zipfile

from harness import HERE, Moto, program, run

ROOT = os.path.join(HERE, "..", "..")
TEMPLATES = os.path.join(ROOT, "templates")


class ShippedStacks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # moto runs no containers (its ECS reports a service's tasks as
        # running when told) and loads AWS's managed policies only when told.
        os.environ["MOTO_ECS_SERVICE_RUNNING"] = "2"
        os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
        cls.moto = Moto()
        cls.tool = program("CFNKIT_TOOL")
        cls.tmp = tempfile.TemporaryDirectory()
        cls.package = os.path.join(cls.tmp.name, "cfnkit-provider.zip")
        res = run([os.path.join(ROOT, "tools", "package.sh"), "--tool", program("CFNKIT_PROVIDER"),
                   "--out", cls.package], timeout=300)
        if res.returncode != 0:
            raise RuntimeError(res.stdout + res.stderr)

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()
        cls.tmp.cleanup()

    def cfnkit(self, *argv, ok=True):
        res = run([self.tool, *argv], env=self.moto.env(), timeout=300)
        if ok:
            self.assertEqual(res.returncode, 0, f"cfnkit {' '.join(argv)}\n{res.stdout}\n{res.stderr}")
        return res

    def deploy(self, template, stack, *params, caps=("CAPABILITY_IAM",)):
        argv = ["deploy", "--template-file", os.path.join(TEMPLATES, template), "--stack-name", stack,
                "--capabilities", *caps]
        if params:
            argv += ["--parameter-overrides", *params]
        res = self.cfnkit(*argv)
        return res, self.outputs(stack)

    def outputs(self, stack):
        out = json.loads(self.cfnkit("describe-stacks", "--stack-name", stack).stdout)
        return {o["OutputKey"]: o["OutputValue"] for o in out["Stacks"][0].get("Outputs", [])}

    def package_key(self, path, bucket, name, prefix=None):
        argv = ["package", path, "--s3-bucket", bucket, "--name", name, "--output", "json"]
        if prefix:
            argv += ["--s3-prefix", prefix]
        return json.loads(self.cfnkit(*argv).stdout)["Key"]

    def deployed_env(self, function):
        lam, s3 = self.moto.client("lambda"), self.moto.client("s3")
        arn = lam.get_function(FunctionName=function)["Configuration"]["FunctionArn"]
        bucket, key = lam.list_tags(Resource=arn)["Tags"]["cfnkit:artifact"][5:].split("/", 1)
        with zipfile.ZipFile(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read())) as z:
            return z.read(".env").decode(), z.read("index.py").decode()

    def test_shipped_stacks(self):
        s3, lam, ddb = self.moto.client("s3"), self.moto.client("lambda"), self.moto.client("dynamodb")
        _, code = self.deploy("code-bucket.yaml", "code")
        bucket = code["CodeBucket"]
        provider_key = self.package_key(self.package, bucket, "cfnkit-provider")
        code_key = self.package_key(os.path.join(TEMPLATES, "hit-counter", "function"), bucket, "function",
                                    prefix="hit-counter")
        _, provider = self.deploy("provider.yaml", "cfnkit", f"CodeBucket={bucket}", f"CodeKey={provider_key}",
                                  f"CodeObjectsBucket={bucket}")
        # The provider stack: its function from the package, its table, its exports.
        fn = lam.get_function_configuration(FunctionName="cfnkit-provider")
        self.assertEqual((fn["Runtime"], fn["Handler"]), ("provided.al2023", "bootstrap"))
        self.assertEqual(fn["Environment"]["Variables"]["CFNKIT_UNIQUE_PORT_TABLE"], provider["PortTableName"])
        self.assertEqual(provider["ServiceToken"], fn["FunctionArn"])
        exports = {e["Name"]: e["Value"] for e in json.loads(self.cfnkit("list-exports").stdout)["Exports"]}
        self.assertEqual(exports["cfnkit-ServiceToken"], fn["FunctionArn"])
        self.assertEqual(ddb.describe_table(TableName=provider["PortTableName"])["Table"]["TableStatus"], "ACTIVE")

        stages = {}
        for stage in ("dev", "prod"):
            _, stages[stage] = self.deploy("hit-counter/template.yaml", f"hits-{stage}", f"Stage={stage}",
                                           f"CodeBucket={bucket}", f"CodeKey={code_key}",
                                           "ProviderStackName=cfnkit")
        for stage, out in stages.items():
            env, _ = self.deployed_env(out["FunctionName"])
            self.assertIn(f'TABLE="{out["TableName"]}"', env)
            self.assertIn(f'STAGE="{stage}"', env)
            self.assertIn(f"/{stage}/{{name}}", out["Url"])
            ddb.describe_table(TableName=out["TableName"])
        self.assertNotEqual(stages["dev"]["TableName"], stages["prod"]["TableName"])
        # One code object for both stages, never written.
        objects = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
        self.assertIn(code_key, objects)

        # The provider cannot go while the stages import its export.
        res = self.cfnkit("delete-stack", "--stack-name", "cfnkit", ok=False)
        self.assertEqual(res.returncode, 1)
        self.assertIn("hits-", res.stderr + res.stdout)

        _, net = self.deploy("ecs-network.yaml", "net", caps=())
        _, web = self.deploy("ecs-unique-port.yaml", "web", "ProviderStackName=cfnkit",
                             f"Cluster={net['Cluster']}", f"VpcId={net['VpcId']}",
                             f"HostSecurityGroupId={net['HostSecurityGroupId']}",
                             f"LoadBalancerSecurityGroupId={net['LoadBalancerSecurityGroupId']}",
                             f"ListenerArn={net['ListenerArn']}")
        ports = sorted(int(i["port"]["N"]) for i in ddb.scan(TableName=provider["PortTableName"])["Items"])
        self.assertEqual(ports, sorted([int(web["WebHostPort"]), int(web["AdminHostPort"])]))
        self.assertTrue(all(20000 <= p <= 29999 for p in ports))
        groups = self.moto.client("ec2").describe_security_groups(GroupIds=[net["HostSecurityGroupId"]])
        rule_ports = [(r["FromPort"], r["ToPort"]) for r in groups["SecurityGroups"][0]["IpPermissions"]]
        self.assertIn((int(web["WebHostPort"]), int(web["WebHostPort"])), rule_ports)
        tgs = self.moto.client("elbv2").describe_target_groups()["TargetGroups"]
        self.assertIn(int(web["WebHostPort"]), [t["Port"] for t in tgs])

        # New code for dev: a new key, only the function updated.
        src = os.path.join(self.tmp.name, "function-v2")
        shutil.copytree(os.path.join(TEMPLATES, "hit-counter", "function"), src)
        with open(os.path.join(src, "index.py"), "a") as f:
            f.write("\n# v2\n")
        new_key = self.package_key(src, bucket, "function", prefix="hit-counter")
        self.assertNotEqual(new_key, code_key)
        res, after = self.deploy("hit-counter/template.yaml", "hits-dev", "Stage=dev", f"CodeBucket={bucket}",
                                 f"CodeKey={new_key}", "ProviderStackName=cfnkit")
        changes = [line.split()[:2] for line in res.stdout.splitlines() if line.strip().startswith(("Add", "Modify",
                                                                                                    "Remove"))]
        self.assertEqual(changes, [["Modify", "HitCounter"]])
        self.assertEqual(after["TableName"], stages["dev"]["TableName"])
        _, code_now = self.deployed_env(after["FunctionName"])
        self.assertIn("# v2", code_now)

        for stack in ("web", "net", "hits-prod", "hits-dev", "cfnkit"):
            self.cfnkit("delete-stack", "--stack-name", stack)
        subprocess.run(["aws", "s3", "rm", f"s3://{bucket}", "--recursive", "--quiet"], check=True, timeout=60,
                       env=dict(os.environ, **self.moto.env()))
        self.cfnkit("delete-stack", "--stack-name", "code")
        self.assertEqual(lam.list_functions()["Functions"], [])
        self.assertEqual(self.moto.client("apigateway").get_rest_apis()["items"], [])
        self.assertEqual(self.moto.client("iam").list_roles()["Roles"], [])
        self.assertEqual(s3.list_buckets()["Buckets"], [])
        self.assertEqual(sorted(ddb.list_tables()["TableNames"]), sorted([provider["PortTableName"], "cfnkit-stacks"]))
        self.assertEqual(json.loads(self.cfnkit("describe-stacks").stdout)["Stacks"], [])


if __name__ == "__main__":
    unittest.main()
