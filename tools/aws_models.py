#!/usr/bin/env python3
"""Generates framework/src/aws/models.c, the service table and API models of
cfn_aws_call, from the botocore service models installed with boto3.

For each service: its signing name, endpoint prefix, protocol, API version,
JSON target prefix and version, and a pruned model (only the operations and
the shapes reachable from them, only what serialising a request and reading
an answer needs: no documentation, no constraints), deflated (zlib) so that
the table stays small. The model is text: a first line with the operations as
JSON, then one line per shape, "Name JSON", sorted by name; the client
inflates a service's model on its first call and parses a shape's JSON only
when a call needs it.

Usage: tools/aws_models.py [OUTPUT]   (default framework/src/aws/models.c)
"""

import json
import os
import sys
import zlib

import botocore
from botocore.loaders import Loader

# CLI name -> (protocol override or None). Everything issue #12 names, the
# services of the native AWS:: types, and the most frequent others of the
# template corpus (../shared/corpus/index.tsv, `types`).
SERVICES = [
    "acm", "apigateway", "application-autoscaling", "autoscaling", "cloudformation",
    "cloudfront", "cloudwatch", "dynamodb", "ec2", "ecr", "ecs", "efs", "elb", "elbv2",
    "elasticache", "events", "iam", "kinesis", "kms", "lambda", "logs", "rds", "route53",
    "s3", "secretsmanager", "sns", "sqs", "ssm", "stepfunctions", "sts",
]

# The protocols cfn_aws_call speaks, as the SDKs choose: the first of the
# model's `protocols` that the client supports.
SUPPORTED = ["json", "rest-json", "rest-xml", "query", "ec2"]

# Services with one endpoint per partition, signed for us-east-1 (botocore's
# endpoint rules): their endpoint has no region.
GLOBAL = {"iam", "route53", "cloudfront"}


def protocol_of(meta):
    for p in meta.get("protocols") or [meta["protocol"]]:
        if p in SUPPORTED:
            return p
    raise SystemExit(f"no supported protocol in {meta.get('protocols')}")


def member_ref(ref, shapes):
    """A member reference: target shape and serialisation names."""
    out = {"s": ref["shape"]}
    for key, short in (("locationName", "l"), ("queryName", "q"), ("location", "n")):
        if key in ref:
            out[short] = ref[key]
    if ref.get("flattened") or shapes[ref["shape"]].get("flattened"):
        out["f"] = 1
    if ref.get("xmlAttribute"):
        out["a"] = 1
    if "timestampFormat" in ref:
        out["tf"] = ref["timestampFormat"]
    if ref.get("jsonvalue"):
        out["j"] = 1
    namespace(ref, out)
    return out


def namespace(src, out):
    """An XML namespace: "x" its URI, "xp" its prefix."""
    ns = src.get("xmlNamespace")
    if ns:
        out["x"] = ns.get("uri", "")
        if ns.get("prefix"):
            out["xp"] = ns["prefix"]


def prune(model):
    shapes = model["shapes"]
    keep = {}

    def visit(name):
        if name in keep:
            return
        s = shapes[name]
        t = s["type"]
        c = {"t": t}
        keep[name] = c
        if s.get("document"):
            c["t"] = "document"  # any JSON value, sent and read as it is
        elif t == "structure":
            c["m"] = {m: member_ref(r, shapes) for m, r in s.get("members", {}).items()}
            if s.get("required"):
                c["r"] = s["required"]
            for key, short in (("payload", "p"), ("locationName", "l")):
                if key in s:
                    c[short] = s[key]
            namespace(s, c)
            if s.get("exception"):
                c["e"] = 1
            for r in s.get("members", {}).values():
                visit(r["shape"])
        elif t == "list":
            c["m"] = member_ref(s["member"], shapes)
            if s.get("flattened"):
                c["f"] = 1
            visit(s["member"]["shape"])
        elif t == "map":
            c["k"] = member_ref(s["key"], shapes)
            c["v"] = member_ref(s["value"], shapes)
            if s.get("flattened"):
                c["f"] = 1
            visit(s["key"]["shape"])
            visit(s["value"]["shape"])
        else:
            if "timestampFormat" in s:
                c["tf"] = s["timestampFormat"]
            if s.get("streaming") or s.get("eventstream"):
                c["st"] = 1

    ops = {}
    for name, op in sorted(model["operations"].items()):
        http = op.get("http", {})
        inp = op.get("input", {}).get("shape", "")
        out = op.get("output", {}).get("shape", "")
        wrapper = op.get("output", {}).get("resultWrapper", "")
        if inp:
            visit(inp)
            if "locationName" in op["input"]:
                keep[inp]["l"] = op["input"]["locationName"]
            namespace(op["input"], keep[inp])
        if out:
            visit(out)
        # S3 refuses these without a checksum of the body (Content-MD5).
        checksum = int(bool(op.get("httpChecksumRequired") or
                            op.get("httpChecksum", {}).get("requestChecksumRequired")))
        ops[name] = [http.get("method", "POST"), http.get("requestUri", "/"), inp, out, wrapper,
                     checksum]
    return {"o": ops, "s": keep}


def c_string(data):
    """Bytes as C string literal lines (octal escapes where needed)."""
    lines, cur = [], ""
    for b in data:
        ch = chr(b)
        if ch in '"\\?' or b < 32 or b > 126:
            piece = "\\%03o" % b
        else:
            piece = ch
        cur += piece
        if len(cur) >= 96:
            lines.append(cur)
            cur = ""
    if cur:
        lines.append(cur)
    return "\n".join(f'    "{s}"' for s in lines)


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "framework", "src", "aws", "models.c")
    loader = Loader()
    rows, blobs = [], []
    total_raw = total_z = 0
    for cli in SERVICES:
        model = loader.load_service_model(cli, "service-2")
        meta = model["metadata"]
        proto = protocol_of(meta)
        pruned = prune(model)
        lines = [json.dumps(pruned["o"], separators=(",", ":"))]
        lines += [f'{name} {json.dumps(shape, separators=(",", ":"))}'
                  for name, shape in sorted(pruned["s"].items())]
        text = "\n".join(lines).encode()
        z = zlib.compress(text, 9)
        total_raw += len(text)
        total_z += len(z)
        ident = cli.replace("-", "_")
        blobs.append(f"static const char model_{ident}[] =\n{c_string(z)};\n")
        env = meta["serviceId"].upper().replace(" ", "_")
        rows.append(
            f'    {{"{cli}", {{"{meta["serviceId"]}", "{meta.get("signingName", meta["endpointPrefix"])}", '
            f'"{meta["endpointPrefix"]}", "{env}", {"true" if cli in GLOBAL else "false"}}}, '
            f'AWS_PROTO_{proto.upper().replace("-", "_")}, "{meta["apiVersion"]}", '
            f'"{meta.get("targetPrefix", "")}", "{meta.get("jsonVersion", "1.0")}", '
            f'{"true" if "awsQueryCompatible" in meta else "false"}, '
            f"model_{ident}, sizeof(model_{ident}) - 1, {len(text)}}},")
    with open(out_path, "w") as f:
        f.write(f"/* Generated by tools/aws_models.py from botocore {botocore.__version__}'s service\n"
                f" * models ({len(SERVICES)} services; models {total_raw} bytes, {total_z}\n"
                " * deflated). Do not edit: run the script. */\n")
        f.write("/* clang-format off */\n")
        f.write('#include "model.h"\n\n')
        f.write("\n".join(blobs))
        f.write("\nconst aws_model_entry cfn__aws_models[] = {\n")
        f.write("\n".join(rows))
        f.write("\n    {NULL, {NULL, NULL, NULL, NULL, false}, 0, NULL, NULL, NULL, false, NULL, 0, 0}};\n")
    print(f"{out_path}: {len(SERVICES)} services, {total_raw} bytes of models, {total_z} deflated",
          file=sys.stderr)


if __name__ == "__main__":
    main()
