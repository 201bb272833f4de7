"""Handlers do not outlive their supervisor (#14.4): what a handler leaves
behind is killed when the request ends, a killed provider takes its handler
with it, and a SIGTERMed provider stops the handler and still answers."""
import json
import os
import signal
import subprocess
import tempfile
import time
import unittest

from harness import RuntimeApi, StubEndpoint, program, request


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_for(cond, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


class Supervision(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.prog = program("CFNKIT_TESTMOD")

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.pidfile = os.path.join(self.dir.name, "pid")
        self.stub = StubEndpoint([], then=200)
        self.pids = []

    def tearDown(self):
        for pid in self.pids:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        self.stub.close()
        self.dir.cleanup()

    def start(self, mode, timeout="60"):
        ev = request("Create", "Custom::Misbehave", self.stub.url + "/resp",
                     {"Mode": mode, "PidFile": self.pidfile})
        path = os.path.join(self.dir.name, "event.json")
        with open(path, "w") as f:
            json.dump(ev, f)
        # The helper inherits stdout: communicate() also checks it is closed.
        return subprocess.Popen([self.prog, "invoke", "--event", path, "--timeout", timeout],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def handler_pid(self):
        self.assertTrue(wait_for(lambda: os.path.exists(self.pidfile), 10), "no pid written")
        with open(self.pidfile) as f:
            pid = int(f.read())
        self.pids.append(pid)
        return pid

    def test_helper_that_left_the_session_is_killed(self):
        proc = self.start("escape-session")
        out, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 0, err)
        pid = self.handler_pid()
        self.assertTrue(wait_for(lambda: not alive(pid), 2),
                        "the helper that called setsid() outlived the request")

    def test_killed_provider_takes_its_handler(self):
        proc = self.start("hang-pid")
        pid = self.handler_pid()
        proc.kill()
        proc.communicate(timeout=10)
        self.assertTrue(wait_for(lambda: not alive(pid), 3),
                        "the handler outlived its SIGKILLed provider")

    def test_sigtermed_provider_stops_the_handler_and_answers(self):
        proc = self.start("hang-pid")
        pid = self.handler_pid()
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
        took = time.monotonic() - started
        self.assertEqual(proc.returncode, 1, err)
        self.assertLess(took, 3.0)
        self.assertEqual(len(self.stub.received), 1)
        body = json.loads(self.stub.received[0]["body"])
        self.assertEqual(body["Status"], "FAILED")
        self.assertIn("SIGTERM", body["Reason"])
        self.assertTrue(wait_for(lambda: not alive(pid), 2))

    def test_sigtermed_runtime_stops_the_handler_and_answers(self):
        ev = request("Create", "Custom::Misbehave", None, {"Mode": "hang-pid", "PidFile": self.pidfile})
        api = RuntimeApi([ev])
        ev["ResponseURL"] = api.response_url
        try:
            proc = subprocess.Popen([self.prog], env=dict(os.environ, AWS_LAMBDA_RUNTIME_API=api.address),
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            pid = self.handler_pid()
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=10)
            took = time.monotonic() - started
        finally:
            api.close()
        self.assertLess(took, 3.0)
        self.assertEqual(len(api.puts), 1, err)
        body = json.loads(api.puts[0])
        self.assertEqual(body["Status"], "FAILED")
        self.assertIn("SIGTERM", body["Reason"])
        self.assertEqual([path for path, _ in api.results],
                         ["/2018-06-01/runtime/invocation/inv-0/response"])
        self.assertTrue(wait_for(lambda: not alive(pid), 2))

    def test_runtime_kept_supervisor_cleans_up_after_each_request(self):
        # The runtime loop keeps one supervisor across invocations (from the
        # second): what a handler leaves is still killed when its request
        # ends (checked while the runtime serves a later one), a hung one at
        # its deadline, and the requests after them are served.
        pidfile2 = os.path.join(self.dir.name, "pid2")
        evs = [request("Create", "Custom::Echo", None, {"Message": "first"}),
               request("Create", "Custom::Misbehave", None, {"Mode": "escape-session", "PidFile": self.pidfile}),
               request("Create", "Custom::Misbehave", None, {"Mode": "hang-pid", "PidFile": pidfile2}),
               request("Create", "Custom::Echo", None, {"Message": "after"}),
               request("Create", "Custom::Misbehave", None, {"Mode": "sleep", "Millis": "1800"})]
        api = RuntimeApi(evs, deadline_ms=1)  # implausible: the budget is AWS_LAMBDA_FUNCTION_TIMEOUT
        for ev in evs:
            ev["ResponseURL"] = api.response_url
        try:
            proc = subprocess.Popen([self.prog], env=dict(os.environ, AWS_LAMBDA_RUNTIME_API=api.address,
                                                          AWS_LAMBDA_FUNCTION_TIMEOUT="3"),
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            self.assertTrue(wait_for(lambda: len(api.puts) >= 4, 20), "the first four were not answered")
            helper = self.handler_pid()
            with open(pidfile2) as f:
                hung = int(f.read())
            self.pids.append(hung)
            self.assertTrue(wait_for(lambda: not alive(helper), 1), "the helper outlived its request")
            self.assertTrue(wait_for(lambda: not alive(hung), 1), "the hung handler outlived its request")
            self.assertIsNone(proc.poll(), "the runtime ended before the checks")
            out, err = proc.communicate(timeout=30)
        finally:
            api.close()
        self.assertEqual(proc.returncode, 0, err)
        bodies = [json.loads(b) for b in api.puts]
        self.assertEqual([b["Status"] for b in bodies], ["SUCCESS", "SUCCESS", "FAILED", "SUCCESS", "SUCCESS"],
                         bodies)
        self.assertIn("timed out", bodies[2]["Reason"])
        self.assertEqual(bodies[3]["Data"]["Echo"], "after")

    def test_killed_runtime_takes_its_handler(self):
        # The second request: its handler runs under the kept supervisor.
        evs = [request("Create", "Custom::Echo", None, {"Message": "first"}),
               request("Create", "Custom::Misbehave", None, {"Mode": "hang-pid", "PidFile": self.pidfile})]
        api = RuntimeApi(evs)
        for ev in evs:
            ev["ResponseURL"] = api.response_url
        try:
            proc = subprocess.Popen([self.prog], env=dict(os.environ, AWS_LAMBDA_RUNTIME_API=api.address),
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            pid = self.handler_pid()
            proc.kill()
            proc.wait(timeout=10)
        finally:
            api.close()
        self.assertTrue(wait_for(lambda: not alive(pid), 3), "the handler outlived its SIGKILLed runtime")


if __name__ == "__main__":
    unittest.main()
