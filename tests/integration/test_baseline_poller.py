"""bench/scale/baseline_poller.py, the SDK poller frankenetesd is benchmarked against.

RestartReasonTest: its decision on hand-made instance views (no SDK, no sim).
BaselinePollerTest: the poller against frankenetes-sim in virtual mode with --health-listen,
three groups in two resource groups and an Azure DNS zone; each fault of the scale benchmark
(crash loop, hang, IP change) must produce its corrective call, and nothing may leave loopback.

Run with /usr/bin/python3 (Debian's python3-azure) and FRANKENETES_SIM=path/to/frankenetes-sim:
  FRANKENETES_SIM=build/dev/sim/frankenetes-sim /usr/bin/python3 -m unittest -v test_baseline_poller
BaselinePollerTest is skipped without the SDK or the sim binary. ~20 s.
"""
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from types import SimpleNamespace as NS

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("FRANKENETES_SOURCE_DIR", os.path.join(HERE, "..", ".."))
POLLER = os.path.join(SOURCE_DIR, "bench", "scale", "baseline_poller.py")
sys.path.insert(0, os.path.join(SOURCE_DIR, "bench", "scale"))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "sim", "conformance"))

import baseline_poller  # noqa: E402
from daemon_harness import wait_until  # noqa: E402

FRANKENETES_SIM = os.environ.get("FRANKENETES_SIM", "")


def group(state="Running", containers=(), ip="127.1.0.1"):
    return NS(instance_view=NS(state=state), ip_address=NS(ip=ip), containers=list(containers))


def container(name="c", state="Running", detail="", restarts=0):
    return NS(name=name, instance_view=NS(current_state=NS(state=state, detail_status=detail),
                                          restart_count=restarts))


class RestartReasonTest(unittest.TestCase):
    def setUp(self):
        self.watch = baseline_poller.GroupWatch({"resourceGroup": "rg", "name": "g"})

    def reason(self, g, now=1000.0, probe=lambda: True):
        return baseline_poller.restart_reason(self.watch, g, now, probe, 3)

    def test_running_group_is_left_alone(self):
        self.assertIsNone(self.reason(group(containers=[container()])))

    def test_group_not_running(self):
        self.assertEqual(self.reason(group("Pending")), "group state Pending")
        self.assertEqual(self.reason(NS(instance_view=None, containers=[], ip_address=None)), "group state None")

    def test_crash_loop_back_off(self):
        c = container(state="Waiting", detail="CrashLoopBackOff: Back-off restarting failed")
        self.assertIn("CrashLoopBackOff", self.reason(group(containers=[c])))
        # Waiting for another reason (image pull) is not a crash loop.
        self.assertIsNone(self.reason(group(containers=[container(state="Waiting", detail="ContainerCreating")])))

    def test_restart_count_rising_by_three_within_ten_minutes(self):
        self.assertIsNone(self.reason(group(containers=[container(restarts=5)]), now=0))
        self.assertIsNone(self.reason(group(containers=[container(restarts=7)]), now=100))
        self.assertEqual(self.reason(group(containers=[container(restarts=8)]), now=200),
                         "container c restartCount 5 -> 8")

    def test_restart_count_sighting_is_forgotten_after_ten_minutes(self):
        self.assertIsNone(self.reason(group(containers=[container(restarts=5)]), now=0))
        self.assertIsNone(self.reason(group(containers=[container(restarts=8)]), now=601))  # new sighting
        self.assertIsNone(self.reason(group(containers=[container(restarts=10)]), now=700))
        self.assertIsNotNone(self.reason(group(containers=[container(restarts=11)]), now=800))

    def test_missing_restart_count_is_not_a_rise(self):
        c = container()
        c.instance_view.restart_count = None
        self.assertIsNone(self.reason(group(containers=[c])))

    def test_three_failed_probes_in_a_row(self):
        self.watch.probe_url = "http://127.0.0.1:1/health/{ip}"
        g = group(containers=[container()])
        self.assertIsNone(self.reason(g, probe=lambda: False))
        self.assertIsNone(self.reason(g, probe=lambda: False))
        self.assertIsNone(self.reason(g, probe=lambda: True))  # the run starts again
        self.assertIsNone(self.reason(g, probe=lambda: False))
        self.assertIsNone(self.reason(g, probe=lambda: False))
        self.assertEqual(self.reason(g, probe=lambda: False), "probe failed 3 times")

    def test_probe_only_when_everything_else_is_fine(self):
        probed = []
        self.watch.probe_url = "http://127.0.0.1:1/health/{ip}"
        self.reason(group("Pending"), probe=lambda: probed.append(1) or True)
        self.reason(group(ip=None, containers=[container()]), probe=lambda: probed.append(1) or True)
        self.assertEqual(probed, [])
        self.reason(group(containers=[container()]), probe=lambda: probed.append(1) or True)
        self.assertEqual(probed, [1])


SCENARIO = """
subscriptionId: 00000000-0000-0000-0000-000000000001
tenantId: 00000000-0000-0000-0000-0000000000aa
credentials: {clientId: frankenetes-demo}
resourceGroups: [rg-0, rg-1, dns-rg]
mode: virtual
containerGroups:
""" + "".join(f"""
  - resourceGroup: {rg}
    name: {name}
    properties:
      osType: Linux
      containers:
        - name: c
          properties: {{image: nginx, resources: {{requests: {{cpu: 1, memoryInGB: 1}}}}}}
      ipAddress: {{type: Public, ports: [{{port: 80}}]}}
""" for rg, name in (("rg-0", "a"), ("rg-0", "b"), ("rg-1", "c"))) + """
dns:
  azureDns:
    zones:
      - {resourceGroup: dns-rg, name: example.com}
"""


def have_sdk():
    try:
        import azure.identity  # noqa: F401
        import azure.mgmt.containerinstance  # noqa: F401
        import azure.mgmt.dns  # noqa: F401
        return True
    except ImportError:
        return False


@unittest.skipUnless(have_sdk(), "needs Debian's python3-azure (run with /usr/bin/python3)")
@unittest.skipUnless(FRANKENETES_SIM and os.path.exists(FRANKENETES_SIM), "set FRANKENETES_SIM")
class BaselinePollerTest(unittest.TestCase):
    def setUp(self):
        import sim_harness
        # Platform delays × 0.1: a restart takes 0.2 s, the crash back-off 1 s.
        self.sim = sim_harness.Sim(FRANKENETES_SIM, SCENARIO, ["--health-listen", "127.0.0.1:0", "--time-scale", "0.1"])
        self.addCleanup(self.sim.stop)
        self.dir = tempfile.mkdtemp(prefix="fk-baseline-poller-")
        health = self.sim.endpoints["healthUrl"]
        self.assertTrue(health.startswith("http://127.0.0.1:"), health)
        groups = [{"resourceGroup": rg, "name": name, "dnsZone": "example.com", "dnsZoneResourceGroup": "dns-rg",
                   "recordName": name, "probeUrl": health + "/health/{ip}"}
                  for rg, name in (("rg-0", "a"), ("rg-0", "b"), ("rg-1", "c"))]
        groups_file = os.path.join(self.dir, "groups.json")
        with open(groups_file, "w") as f:
            json.dump(groups, f)
        endpoints_file = os.path.join(self.sim.state, "endpoints.json")
        self.stderr = open(os.path.join(self.dir, "poller.err"), "w+")
        self.poller = subprocess.Popen(
            [sys.executable, POLLER, "--endpoints", endpoints_file, "--groups", groups_file, "--interval", "0.5",
             "--probe-timeout", "0.5", "--cooldown", "1"],
            stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        self.addCleanup(self.kill_poller)
        self.lines = queue.Queue()
        threading.Thread(target=self.read_stdout, daemon=True).start()
        self.seen = []

    def kill_poller(self):
        if self.poller.poll() is None:
            self.poller.kill()
            self.poller.wait()
        self.poller.stdout.close()
        self.stderr.seek(0)
        errors = self.stderr.read()
        self.stderr.close()
        if errors:
            print("poller stderr:\n" + errors[-4000:])

    def read_stdout(self):
        for line in self.poller.stdout:
            self.lines.put(json.loads(line))

    def wait_for(self, predicate, timeout, what):
        def found():
            while True:
                try:
                    self.seen.append(self.lines.get_nowait())
                except queue.Empty:
                    break
            return next((r for r in self.seen if predicate(r)), None)
        return wait_until(found, timeout, what)

    def ip_of(self, rg, name):
        return self.sim.control("GET", f"/groups/{rg}/{name}")["ip"]

    def restart_posts(self, rg, name):
        log = self.sim.control("GET", f"/requests?api=arm&method=POST&path=/resourceGroups/{rg}/providers/"
                                      f"Microsoft.ContainerInstance/containerGroups/{name}/restart&limit=0")
        return log["count"]

    def test_heals_crash_loop_hang_and_ip_change_and_stays_on_loopback(self):
        # First round: no A records yet → one write each, with the group's IP.
        for rg, name in (("rg-0", "a"), ("rg-0", "b"), ("rg-1", "c")):
            ip = self.ip_of(rg, name)
            self.wait_for(lambda r: r.get("action") == "dns" and r["group"] == f"{rg}/{name}" and r["ip"] == ip,
                          20, f"DNS write for {name}")

        # Crash loop → restart.
        self.sim.control("POST", "/groups/rg-0/a/containers/c/crash", {"always": True})
        restart = self.wait_for(lambda r: r.get("action") == "restart" and r["group"] == "rg-0/a", 10, "restart of a")
        self.sim.control("DELETE", "/groups/rg-0/a/containers/c/crash")
        self.assertTrue("CrashLoopBackOff" in restart["reason"] or "restartCount" in restart["reason"], restart)
        self.assertGreaterEqual(self.restart_posts("rg-0", "a"), 1)

        # Hang → three failed probes → restart (which ends the hang).
        self.sim.control("POST", "/groups/rg-0/b/containers/c/hang", {"hung": True})
        restart = self.wait_for(lambda r: r.get("action") == "restart" and r["group"] == "rg-0/b", 15, "restart of b")
        self.assertEqual(restart["reason"], "probe failed 3 times")
        wait_until(lambda: not self.sim.control("GET", "/groups/rg-0/b")["containers"][0]["hung"], 10, "b unhung")

        # IP change → the A record follows.
        self.sim.control("POST", "/groups/rg-1/c/ip", {})
        new_ip = self.ip_of("rg-1", "c")
        self.wait_for(lambda r: r.get("action") == "dns" and r["group"] == "rg-1/c" and r["ip"] == new_ip,
                      10, "DNS write for c's new IP")
        dns_puts = self.sim.control("GET", "/requests?api=dns&method=PUT&path=/A/c&limit=0")["count"]
        self.assertEqual(dns_puts, 2)

        self.poller.send_signal(signal.SIGTERM)
        summary = self.wait_for(lambda r: "summary" in r, 15, "the summary")["summary"]
        self.assertEqual(self.poller.wait(10), 0)
        self.assertEqual(summary["blockedHosts"], [])
        self.assertGreaterEqual(summary["restarts"], 2)
        self.assertEqual(summary["getErrors"], 0)
        # Everything it asked for came from the sim: token, OpenID configuration, ARM, DNS.
        apis = {e["api"] for e in self.sim.control("GET", "/requests?limit=100000")["entries"]}
        self.assertLessEqual(apis, {"token", "arm", "dns"})


if __name__ == "__main__":
    unittest.main()
