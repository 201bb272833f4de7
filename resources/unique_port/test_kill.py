"""Custom::UniquePort under kills (#14 Show): 210 concurrent Creates against
moto, a third of the `cfnkit invoke` processes (with their handlers)
SIGKILLed at random moments, every request delivered again, then every
resource deleted: no port given twice, none left behind."""

import json
import os
import random
import signal
import subprocess
import sys
import time
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
from harness import ModuleTest, request  # noqa: E402
from test_unique_port import table_from_template  # noqa: E402

CREATES = 210
PROPS = {"Key": "kill", "PortRange": "40000-40399"}


class Kill(ModuleTest):
    resource_type = "Custom::UniquePort"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.table = "cfnkit-ports"
        table_from_template(cls.moto, cls.table)
        cls.ddb = cls.moto.client("dynamodb")
        cls.env = dict(os.environ, **cls.env, CFNKIT_UNIQUE_PORT_TABLE=cls.table)

    def start(self, ev):
        p = subprocess.Popen([self.tool, "invoke", "--event", "-"], stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.env,
                             start_new_session=True, text=True)
        p.stdin.write(json.dumps(ev))
        p.stdin.close()
        return p

    def deliver_all(self, events, width=40):
        """Each event once more, `width` at a time; the exit codes."""
        codes = []
        for i in range(0, len(events), width):
            procs = [self.start(ev) for ev in events[i:i + width]]
            codes += [p.wait(timeout=60) for p in procs]
        return codes

    def held(self):
        out = self.ddb.query(TableName=self.table, KeyConditionExpression="#p = :p", ConsistentRead=True,
                             ExpressionAttributeNames={"#p": "pool"},
                             ExpressionAttributeValues={":p": {"S": "pool#kill"}})
        return sorted(int(i["port"]["N"]) for i in out["Items"])

    def test_kills_then_redelivery_then_deletes(self):
        t0 = time.monotonic()
        rng = random.Random(14)
        events = []
        for i in range(CREATES):
            ev = request("Create", self.resource_type, self.bucket.presign(f"create/{i}"), PROPS,
                         request_id=str(uuid.uuid4()))
            ev["LogicalResourceId"] = f"Port{i}"
            events.append(ev)
        procs = [self.start(ev) for ev in events]
        # A third killed, at moments spread over the time the allocations
        # take (before, during and after their writes); the whole process
        # group, as Lambda does. One that finished already is replaced by
        # another still running.
        order = rng.sample(range(CREATES), CREATES)
        killed = 0
        for i in order:
            if killed == CREATES // 3:
                break
            # Short gaps: the 70 kills must land while the allocations still
            # run (about a second for 210 processes on 2 cores).
            time.sleep(rng.uniform(0, 0.006))
            if procs[i].poll() is None:
                os.killpg(procs[i].pid, signal.SIGKILL)
                killed += 1
        first = [p.wait(timeout=90) for p in procs]
        self.assertEqual(killed, CREATES // 3, "the processes ended before a third could be killed")
        # Every request again (Lambda's retry, SNS), same RequestId.
        second = self.deliver_all(events)
        bodies = [self.bucket.read(f"create/{i}") for i in range(CREATES)]
        self.assertEqual(second, [0] * CREATES)
        self.assertEqual([b["Status"] for b in bodies], ["SUCCESS"] * CREATES)
        ports = [int(b["Data"]["Port"]) for b in bodies]
        duplicates = len(ports) - len(set(ports))
        held = self.held()
        leaked = sorted(set(held) - set(ports))
        self.assertEqual(duplicates, 0)
        self.assertEqual(leaked, [])
        self.assertEqual(held, sorted(ports))
        deletes = []
        for i, b in enumerate(bodies):
            ev = request("Delete", self.resource_type, self.bucket.presign(f"delete/{i}"), PROPS,
                         physical_id=b["PhysicalResourceId"], request_id=str(uuid.uuid4()))
            ev["LogicalResourceId"] = f"Port{i}"
            deletes.append(ev)
        self.assertEqual(self.deliver_all(deletes), [0] * CREATES)
        left = self.held()
        self.assertEqual(left, [])
        secs = time.monotonic() - t0
        print(f"\n{CREATES} concurrent Creates, {killed} SIGKILLed ({sum(c != 0 for c in first)} first deliveries "
              f"not answered SUCCESS), all redelivered: {len(set(ports))} distinct ports, {duplicates} duplicates, "
              f"{len(leaked)} leaked; {CREATES} Deletes: {len(left)} ports left; {secs:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
