"""The hit counter: every path /{name} returns how many times it was asked
for. The table it counts in is not in the code: cfnkit's
Custom::LambdaFunction writes it into this package's .env at deployment, so
every stage runs the same code object with its own table."""

import json
import os

import boto3

HERE = os.path.dirname(os.path.abspath(__file__))


def read_env(path):
    """The .env as cfnkit writes it: NAME="value" with \\ \" \\n \\r \\t
    escapes, and "${:-$}" for a literal "$" before "{"; unquoted values and
    comments as usual."""
    values = {}
    with open(path, encoding="utf-8") as f:
        text = f.read()
    i, n = 0, len(text)
    while i < n:
        end = text.find("\n", i)
        line = text[i:end if end >= 0 else n]
        stripped = line.strip()
        if stripped.startswith("export "):
            stripped = stripped[7:].lstrip()
        if not stripped or stripped.startswith("#") or "=" not in stripped:
            i = (end + 1) if end >= 0 else n
            continue
        name, rest = stripped.split("=", 1)
        rest = rest.lstrip()
        start = i + line.find(rest) if rest else i
        if rest[:1] in ('"', "'"):
            quote, j, out = rest[0], start + 1, []
            while j < n and text[j] != quote:
                if text[j] == "\\" and j + 1 < n:
                    nxt = text[j + 1]
                    out.append({"n": "\n", "r": "\r", "t": "\t"}.get(nxt, nxt) if quote == '"' or nxt in "\\'" else "\\" + nxt)
                    j += 2
                    continue
                out.append(text[j])
                j += 1
            value = "".join(out).replace("${:-$}", "$") if quote == '"' else "".join(out)
            end = text.find("\n", j)
        else:
            value = rest.split(" #", 1)[0].strip()
        values[name.strip()] = value
        i = (end + 1) if end >= 0 else n
    return values


ENV = read_env(os.path.join(HERE, ".env"))
TABLE = boto3.resource("dynamodb").Table(ENV["TABLE"])


def handler(event, context):
    name = (event.get("pathParameters") or {}).get("name") or event.get("name") or "/"
    result = TABLE.update_item(Key={"name": name}, UpdateExpression="ADD hits :one",
                               ExpressionAttributeValues={":one": 1}, ReturnValues="UPDATED_NEW")
    hits = int(result["Attributes"]["hits"])
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"name": name, "hits": hits, "stage": ENV.get("STAGE", "")})}
