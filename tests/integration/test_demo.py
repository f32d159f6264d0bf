"""The README's demo, end to end: `scripts/demo --once` with the test build's binaries
(FRANKENETESD, FRANKENETES_SIM: no install-deps, no release build) breaks each member once —
etcd crash loop, apiserver hang, apiserver IP change, scheduler deleted — and must print a
measured summary line for each, exit 0 and leave no process behind, all within 3 minutes.

It uses the demo's fixed ports (config/demo.yaml) and build/demo/ in the source tree, like
scripts/demo itself: it fails with the demo's own message when another demo runs on this
machine.
"""
import json
import os
import re
import signal
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.abspath(os.environ.get("FRANKENETES_SOURCE_DIR", os.path.join(HERE, "..", "..")))
sys.path.insert(0, HERE)

from sim_cluster import pids_mentioning  # noqa: E402

LIMIT_S = 180  # the acceptance: within 3 minutes
SUMMARIES = [
    ("crash loop", r"^demo: etcd crash loop → restart in \d+\.\d s \(healthy again after \d+\.\d s\)$"),
    ("hang", r"^demo: apiserver hang → restart in \d+\.\d s \(healthy again after \d+\.\d s\)$"),
    ("IP change", r"^demo: apiserver IP (127\.[\d.]+) → (127\.[\d.]+) → DNS answer follows in \d+\.\d s$"),
    ("deletion", r"^demo: scheduler deleted → recreated in \d+\.\d s \(healthy again after \d+\.\d s; "
                 r"new IP 127\.[\d.]+, DNS answer follows after \d+\.\d s\)$"),
    ("all healed", r"^demo: all 4 breaks healed in \d+\.\d s$"),
]


class Demo(unittest.TestCase):
    def test_specs_are_the_scenarios_groups(self):
        """config/sim-groups/*.json recreate what config/sim-cluster.yaml boots."""
        try:
            import yaml
        except ImportError:
            self.skipTest("PyYAML is not installed (Debian python3-yaml)")
        with open(os.path.join(SOURCE_DIR, "config", "sim-cluster.yaml")) as f:
            scenario = yaml.safe_load(f)
        groups = {g["name"]: g for g in scenario["containerGroups"]}
        for member in ("apiserver", "controller-manager", "scheduler"):
            with open(os.path.join(SOURCE_DIR, "config", "sim-groups", f"{member}.json")) as f:
                spec = json.load(f)
            self.assertEqual(spec, {"location": scenario["region"], "properties": groups[member]["properties"]},
                             member)

    def test_once(self):
        if not os.path.exists("/usr/bin/etcd"):
            self.skipTest("the demo runs the real /usr/bin/etcd (Debian package etcd-server)")
        env = dict(os.environ)
        for key in ("FRANKENETESD", "FRANKENETES_SIM"):
            self.assertTrue(env.get(key), f"{key} names the binary to run")
        env.pop("DEMO_ONCE", None)
        env.pop("NOTIFY_SOCKET", None)
        started = time.monotonic()
        # A session of its own, so that on a timeout the whole tree can be stopped.
        proc = subprocess.Popen(["bash", os.path.join(SOURCE_DIR, "scripts", "demo"), "--once"],
                                cwd=SOURCE_DIR, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, start_new_session=True)
        try:
            output, _ = proc.communicate(timeout=LIMIT_S + 30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGTERM)  # the script's trap stops the sim and the daemon
            try:
                output, _ = proc.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                output, _ = proc.communicate()
            self.fail(f"scripts/demo --once still running after {LIMIT_S + 30} s:\n{output}")
        took = time.monotonic() - started
        print(output)
        self.assertEqual(proc.returncode, 0, "scripts/demo --once failed (output above)")
        self.assertLess(took, LIMIT_S, f"scripts/demo --once took {took:.1f} s")
        lines = output.splitlines()
        found = {}
        for what, pattern in SUMMARIES:
            matches = [m for m in (re.match(pattern, line) for line in lines) if m]
            self.assertEqual(len(matches), 1, f"one summary line for the {what} (/{pattern}/)")
            found[what] = matches[0]
        new_ip = found["IP change"].group(2)
        dig = [i for i, l in enumerate(lines)
               if l.strip() == "$ dig @127.0.0.1 -p 8453 cp-apiserver.example.com A +short"]
        self.assertEqual(len(dig), 1, "the dig command line")
        self.assertEqual(lines[dig[0] + 1].split()[0], new_ip, "dig shows the new IP")
        left = pids_mentioning(os.path.join(SOURCE_DIR, "build", "demo", "sim"))
        self.assertEqual(left, [], "processes of the demo's sim left behind")
        print(f"\n  [demo.once] took_s={took:.1f} limit_s={LIMIT_S}", flush=True)


if __name__ == "__main__":
    unittest.main()
