"""cfnkit graph on the 313 real templates of the shared corpus, compared
with the graphs cfn-lint 1.51 builds for them (corpus README.md). One run of
the tool for all files. Every difference is listed in KNOWN with its reason;
a difference not listed, or a listed one that no longer differs, fails."""
import json
import os
import subprocess
import time
import unittest

TOOL = os.environ.get("CFNKIT_TOOL", "cfnkit")
CORPUS = os.environ.get("CFNKIT_CORPUS", os.path.join(os.path.dirname(__file__), "..", "corpus"))

# Templates whose graph differs from cfn-lint's on purpose: path -> why.
KNOWN = {}

# Templates validate-template refuses (with their defaults, as a create
# would): path -> why CloudFormation refuses them too.
INVALID = {
    "aws-cloudformation-templates/Solutions/ADConnector/templates/ADCONNECTOR.cfn.json":
        "the Lambda function refers to ADConnectorDomainMembersSG unconditionally, a resource "
        "whose Condition is false with the default parameters",
    "aws-cloudformation-templates/Solutions/ADConnector/templates/ADCONNECTOR.cfn.yaml":
        "its YAML twin: the same unconditional reference",
    "aws-cloudformation-templates/Solutions/VPCFlowLogs/templates/VPCFlowLogs-main.cfn.json":
        "its rule CreateVPCFlowLogs asserts that one of two parameters is Yes; both default to "
        "No, so a create with the defaults fails the rule",
    "aws-cloudformation-templates/Solutions/VPCFlowLogs/templates/VPCFlowLogs-main.cfn.yaml":
        "its YAML twin (there Yes and No are YAML 1.1 booleans on both sides of the Equals)",
    "awslabs-aws-cloudformation-templates-2023/aws/solutions/VPCFlowLogs/templates/"
    "VPCFlowLogs-main.cfn.yaml":
        "the older copy of the same template and rule",
    "awslabs-aws-cloudformation-templates-2023/aws/solutions/AutomateCreatingHanaBackupBucket/"
    "CFT/CreateHanaBackupSecureBackut.yaml":
        "Description is not a resource attribute (cfn-lint E3001 too)",
    "awslabs-aws-cloudformation-templates-2023/aws/solutions/createVPCInterfaceEndpoint/"
    "lambda_vpce_interface.json":
        "Description is not a resource attribute (cfn-lint E3001 too)",
}


def corpus_files():
    root = os.path.join(CORPUS, "templates")
    out = []
    for d, _, files in os.walk(root):
        for f in files:
            if f.endswith((".yaml", ".yml", ".json", ".template")):
                out.append(os.path.relpath(os.path.join(d, f), root))
    return sorted(out)


class GraphCorpus(unittest.TestCase):
    def test_graphs_equal_cfn_lint(self):
        files = corpus_files()
        self.assertEqual(len(files), 313, "the corpus has 313 templates")
        root = os.path.join(CORPUS, "templates")
        start = time.monotonic()
        p = subprocess.run([TOOL, "graph", "--format", "json"] +
                           [os.path.join(root, f) for f in files],
                           capture_output=True, text=True, timeout=600)
        elapsed = time.monotonic() - start
        got = {}
        for line in p.stdout.splitlines():
            o = json.loads(line)
            got[os.path.relpath(o.pop("file"), root)] = o
        equal, differ = 0, {}
        for f in files:
            with open(os.path.join(CORPUS, "graphs", f + ".edges.json")) as fh:
                want = json.load(fh)
            g = got.get(f)
            if g == want:
                equal += 1
                self.assertNotIn(f, KNOWN, f"{f} is listed as differing but is equal")
            else:
                differ[f] = (g, want)
        print(f"\n{equal} of {len(files)} graphs equal to cfn-lint's; {len(differ)} differ; "
              f"{elapsed:.2f} s for all ({1000 * elapsed / len(files):.1f} ms a template)")
        unexplained = sorted(set(differ) - set(KNOWN))
        for f in unexplained:
            g, want = differ[f]
            print(f"UNEXPLAINED {f}:\n  cfnkit:   {json.dumps(g)[:600]}\n  cfn-lint: "
                  f"{json.dumps(want)[:600]}")
        for f in sorted(set(differ) & set(KNOWN)):
            print(f"known difference {f}: {KNOWN[f]}")
        self.assertEqual(unexplained, [])
        # YAML/JSON twins (the first collection generates JSON from YAML; a
        # few pairs have drifted apart, and cfn-lint's graphs show which).
        twins = 0
        for f in files:
            base, ext = os.path.splitext(f)
            if ext == ".yaml" and base + ".json" in got:
                with open(os.path.join(CORPUS, "graphs", f + ".edges.json")) as a, \
                        open(os.path.join(CORPUS, "graphs", base + ".json.edges.json")) as b:
                    same = json.load(a) == json.load(b)
                twins += same
                self.assertEqual(got[f] == got[base + ".json"], same, f"{f} and its JSON twin")
        print(f"{twins} YAML/JSON twins give the same graph")
        self.assertGreater(twins, 50)

    def test_validate_template(self):
        root = os.path.join(CORPUS, "templates")
        refused = {}
        for f in corpus_files():
            p = subprocess.run([TOOL, "validate-template", "--template-file",
                                os.path.join(root, f)], capture_output=True, text=True,
                               timeout=60)
            self.assertIn(p.returncode, (0, 1), p.stderr)
            if p.returncode:
                refused[f] = p.stderr
        print(f"\nvalidate-template accepts {313 - len(refused)} of 313 (with the defaults)")
        for f, err in refused.items():
            print(f"refused {f}: {err.splitlines()[0][-160:]}")
        self.assertEqual(sorted(refused), sorted(INVALID))


if __name__ == "__main__":
    unittest.main()
