"""The template corpus against the local engine (issue #12, "Show"): how many
of tests/corpus's templates use only types cfnkit can create, and of those how
many `cfnkit deploy` creates and `cfnkit delete-stack` deletes cleanly on a
local AWS (moto_server on 127.0.0.1, one for the whole run), with parameter
values generated from each parameter's type, name, default and constraints,
and the VPC, subnets, security group, key pair, image, hosted zone, KMS key,
bucket, topic, instance profile and SSM parameters they name made in moto
first. A template counts as deployed only if every
resource was created (the engine never skips one) and the delete left the
stack gone. One process drives every template; each deploy and delete is
bounded in time.

Usage: corpus_deploy.py --tool build/tools/cfnkit [--corpus tests/corpus]
                        [--limit N] [--only SUBSTRING] [--timeout S] [--json OUT]
"""

import argparse
import collections
import csv
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from harness import Moto  # noqa: E402

CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]


def load(path):
    from cfnlint.decode import decode
    tpl, errors = decode(path)
    if errors or not isinstance(tpl, dict):
        return None
    return tpl


def template_types(tpl):
    out = set()

    def walk(resources):
        for key, r in (resources or {}).items():
            if key.startswith("Fn::ForEach::") and isinstance(r, list) and len(r) == 3:
                walk(r[2])
            elif isinstance(r, dict) and isinstance(r.get("Type"), str):
                out.add(r["Type"])
    walk(tpl.get("Resources"))
    return out


class Prerequisites:
    """What parameters of AWS-specific types name, made once in moto."""

    def __init__(self, moto):
        self.moto = moto
        ec2 = moto.client("ec2")
        self.vpc = ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
        self.subnets = [ec2.create_subnet(VpcId=self.vpc, CidrBlock=f"10.99.{i}.0/24",
                                          AvailabilityZone=f"us-east-1{'abc'[i]}")["Subnet"]["SubnetId"]
                        for i in range(3)]
        self.sg = ec2.create_security_group(GroupName="corpus", Description="corpus",
                                            VpcId=self.vpc)["GroupId"]
        ec2.create_key_pair(KeyName="corpus-key")
        self.key = "corpus-key"
        images = ec2.describe_images(Owners=["amazon"])["Images"] or ec2.describe_images()["Images"]
        self.image = images[0]["ImageId"] if images else "ami-12c6146b"
        zone = moto.client("route53").create_hosted_zone(Name="corpus.example.com",
                                                         CallerReference=str(time.time()))
        self.zone = zone["HostedZone"]["Id"].split("/")[-1]
        self.ssm = moto.client("ssm")
        self.kms = moto.client("kms").create_key()["KeyMetadata"]["Arn"]
        moto.client("s3").create_bucket(Bucket="corpus-bucket")
        self.bucket = "corpus-bucket"
        self.topic = moto.client("sns").create_topic(Name="corpus")["TopicArn"]
        # The instance profile AWS's CloudWatch agent templates expect to exist.
        iam = moto.client("iam")
        iam.create_role(RoleName="CloudWatchAgentAdminRole", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "ec2.amazonaws.com"}}]}))
        iam.create_instance_profile(InstanceProfileName="CloudWatchAgentAdminRole")
        iam.add_role_to_instance_profile(InstanceProfileName="CloudWatchAgentAdminRole",
                                         RoleName="CloudWatchAgentAdminRole")

    def ssm_parameter(self, name, default):
        value = default if default else "cfnkit-corpus"
        try:
            self.ssm.put_parameter(Name=name, Value=value, Type="String", Overwrite=True)
        except Exception:  # a name moto refuses: the deploy will say so
            pass


def sample_string(p):
    """A value meeting a String parameter's constraints, as far as a guess can."""
    if "AllowedValues" in p:
        return str(p["AllowedValues"][0])
    pattern = p.get("AllowedPattern")
    lo = int(p.get("MinLength", 1))
    hi = int(p.get("MaxLength", 64))
    for candidate in ("cfnkit", "cfnkit-corpus", "a", "10.0.0.0/16", "0.0.0.0/0", "admin@example.com",
                      "example.com", "Passw0rd!Passw0rd", "1", "t3.micro", "us-east-1a", "abc123"):
        if lo <= len(candidate) <= hi and (not pattern or re.fullmatch(pattern, candidate)):
            return candidate
    return ("x" * max(lo, 1))[:hi]


def by_name(name, t, p, pre):
    """A value from what a String parameter's name says it is, or None."""
    n = name.lower()
    many = t == "CommaDelimitedList"
    if "cidr" in n:
        return "10.0.0.0/16"
    if "vpc" in n and "peer" not in n:
        return pre.vpc
    if "subnet" in n:
        return ",".join(pre.subnets[:2]) if many else pre.subnets[0]
    if "securitygroup" in n or n.endswith("sg") or n.endswith("sgid"):
        return pre.sg
    if "keyname" in n or "keypair" in n:
        return pre.key
    if n.endswith("ami") or "amiid" in n or "imageid" in n:
        return pre.image
    if "kms" in n:
        return pre.kms
    if "topic" in n and "arn" in n:
        return pre.topic
    if "bucket" in n:
        return pre.bucket
    if "hostedzoneid" in n or n == "zoneid":
        return pre.zone
    if "email" in n:
        return "admin@example.com"
    if "domain" in n or "hostname" in n:
        return "corpus.example.com"
    return None


def names_a_new_bucket(tpl, name):
    """Whether parameter `name` is the BucketName of a bucket the template makes."""
    for r in (tpl.get("Resources") or {}).values():
        if isinstance(r, dict) and r.get("Type") == "AWS::S3::Bucket":
            bn = (r.get("Properties") or {}).get("BucketName")
            if bn == {"Ref": name} or (isinstance(bn, dict) and "${" + name + "}" in json.dumps(bn)):
                return True
    return False


def parameter_values(tpl, pre):
    values = []
    for name, p in (tpl.get("Parameters") or {}).items():
        if not isinstance(p, dict):
            continue
        t = str(p.get("Type", "String"))
        default = p.get("Default")
        if t.startswith("AWS::SSM::Parameter::Value<"):
            pre.ssm_parameter(str(default or f"/corpus/{name}"), None)
            if default is None:
                values.append(f"{name}=/corpus/{name}")
            continue
        if default is not None and t not in ("AWS::EC2::KeyPair::KeyName",):
            continue
        if t == "AWS::EC2::VPC::Id":
            v = pre.vpc
        elif t == "AWS::EC2::Subnet::Id":
            v = pre.subnets[0]
        elif t == "List<AWS::EC2::Subnet::Id>":
            v = ",".join(pre.subnets[:2])
        elif t == "AWS::EC2::SecurityGroup::Id":
            v = pre.sg
        elif t == "List<AWS::EC2::SecurityGroup::Id>":
            v = pre.sg
        elif t == "AWS::EC2::KeyPair::KeyName":
            v = pre.key
        elif t == "AWS::EC2::Image::Id":
            v = pre.image
        elif t == "AWS::EC2::AvailabilityZone::Name":
            v = "us-east-1a"
        elif t == "List<AWS::EC2::AvailabilityZone::Name>":
            v = "us-east-1a,us-east-1b"
        elif t == "AWS::Route53::HostedZone::Id":
            v = pre.zone
        elif t == "Number":
            v = str(p.get("MinValue", 1))
        elif t == "List<Number>":
            v = "1,2"
        elif t == "CommaDelimitedList":
            v = "a,b"
        else:
            v = by_name(name, t, p, pre) if "AllowedValues" not in p else None
            if v == pre.bucket and names_a_new_bucket(tpl, name):
                v = f"corpus-new-{len(values)}-{int(time.time() * 1000) % 100000}"
            pattern = p.get("AllowedPattern")
            if v is None or (pattern and not re.fullmatch(pattern, v)):
                v = sample_string(p)
        values.append(f"{name}={v}")
    return values


def run(argv, env, timeout):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout)
        return p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        return -9, out + f"\n(timed out after {timeout} s)"


def first_reason(text):
    """The first failure a deploy printed, shortened for grouping."""
    for line in text.splitlines():
        if "FAILED" in line or "rror" in line or "not supported" in line or "refused" in line:
            line = re.sub(r"\s+", " ", line.strip())
            return line[:200]
    lines = [line for line in text.splitlines() if line.strip()]
    return (lines[-1][:200] if lines else "no output")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tool", required=True)
    ap.add_argument("--corpus", default=os.path.join(ROOT, "tests", "corpus"))
    ap.add_argument("--limit", type=int, default=0, help="stop after N supported templates")
    ap.add_argument("--only", default="", help="only templates whose path holds this")
    ap.add_argument("--timeout", type=int, default=180, help="seconds per deploy and per delete")
    ap.add_argument("--json", help="write every template's result here")
    args = ap.parse_args()

    served = set(subprocess.run([args.tool, "native-provider", "types"], capture_output=True, text=True,
                                check=True).stdout.split())
    with open(os.path.join(args.corpus, "index.tsv")) as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t")]
    moto = Moto()
    env = dict(os.environ, **moto.env())
    env["CFNKIT_RESPONSE_URL_ALLOW"] = "127.0.0.1"
    pre = Prerequisites(moto)
    unsupported = collections.Counter()
    results = []
    total = supported = 0
    start = time.monotonic()
    try:
        for r in rows:
            if r.get("dup_of") or (args.only and args.only not in r["path"]):
                continue
            total += 1
            path = os.path.join(args.corpus, "templates", r["path"])
            tpl = load(path)
            if tpl is None:
                results.append({"path": r["path"], "result": "unreadable"})
                continue
            missing = sorted(template_types(tpl) - served)
            if missing:
                for t in missing:
                    unsupported[t] += 1
                results.append({"path": r["path"], "result": "unsupported", "types": missing})
                continue
            supported += 1
            stack = "corpus-%d" % supported
            params = parameter_values(tpl, pre)
            t0 = time.monotonic()
            rc, out = run([args.tool, "deploy", "--template-file", path, "--stack-name", stack,
                           "--capabilities", *CAPABILITIES] + (["--parameter-overrides", *params] if params else []),
                          env, args.timeout)
            took = time.monotonic() - t0
            res = {"path": r["path"], "stack": stack, "deploy_rc": rc, "deploy_s": round(took, 2)}
            if rc != 0:
                res["reason"] = first_reason(out)
                res["result"] = ("needs another stack" if "No export named" in res["reason"]
                                 else "needs AWS's public SSM parameters"
                                 if "/aws/service/" in res["reason"] else "deploy failed")
            drc, dout = run([args.tool, "delete-stack", "--stack-name", stack], env, args.timeout)
            res["delete_rc"] = drc
            if drc != 0:
                res.setdefault("result", "delete failed")
                res.setdefault("reason", first_reason(dout))
            res.setdefault("result", "deployed and deleted")
            results.append(res)
            print(f"{res['result']:22} {took:6.1f} s  {r['path']}" +
                  (f"\n{'':32}{res['reason']}" if "reason" in res else ""), flush=True)
            if args.limit and supported >= args.limit:
                break
    finally:
        moto.stop()
    clean = sum(1 for x in results if x.get("result") == "deployed and deleted")
    outcome = collections.Counter(x.get("result") for x in results if x.get("result") not in
                                  ("unsupported", "unreadable"))
    print()
    print(f"templates (duplicates left out): {total}")
    print(f"every type supported:            {supported}")
    print(f"deployed and deleted cleanly:    {clean}")
    for what, n in sorted(outcome.items()):
        print(f"  {what:30} {n}")
    print(f"wall time:                       {time.monotonic() - start:.0f} s")
    print("types that kept most templates out:")
    for t, n in unsupported.most_common(15):
        print(f"  {n:4}  {t}")
    reasons = collections.Counter(x["reason"] for x in results if "reason" in x)
    if reasons:
        print("failures by first reason:")
        for why, n in reasons.most_common(15):
            print(f"  {n:4}  {why}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
