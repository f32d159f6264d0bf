"""Watch, detect, heal: issue 4's acceptance items 1-11 against frankenetes-sim in process mode
(real etcd, member stubs for the Kubernetes members) and the real frankenetesd.

Each test starts its own sim (config/sim-cluster.yaml, --time-scale shrinks platform delays)
and daemon (a config generated from the sim's endpoints.json; pollInterval 1 s so a poll
interval is short but still the unit the assertions are stated in). Measured numbers are
printed as "[test] key=value" lines.
"""
import os
import time
import unittest
import urllib.request

from daemon_harness import wait_until
from sim_cluster import (MEMBERS, MUTATING, HealTestCase, Rebreaker, daemon_config, fetch_token,
                         log_events, parse_log_time, parse_time, run_once)

POLL = 1.0  # policy.pollInterval of the generated configs, seconds


def first(entries):
    return entries[0] if entries else None


def member_path(name):
    return f"/containerGroups/{name}"


def http_ok(url, timeout=1.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status == 200 and r.read()
    except OSError:
        return None


def arm_mutations(entries):
    return [e for e in entries if e["method"] in MUTATING]


def actions_in_log(entries, member):
    """(operation, method) of the mutating ARM calls on one member's group, in order."""
    return [(e["operation"], e["method"]) for e in arm_mutations(entries)
            if f"/containerGroups/{member}/" in e["path"] + "/" and "/operations/" not in e["path"]]


class Heal(HealTestCase):
    # 1. etcd crash-loops -> remediation issued within 2 poll intervals of the loop being
    #    visible; etcd healthy again; exactly one action per rung.
    def test_01_etcd_crash_loop_one_action_per_rung(self):
        sim = self.start_sim()
        daemon = self.start_daemon(sim)
        since = sim.last_seq()
        # A crash that survives a group restart (the container keeps its crash plan) but not a
        # new deployment (start rebuilds the containers): rung 0 cannot fix it, rung 1 can.
        sim.act("crash", group="etcd", container="etcd", always=True, exitCode=1)

        def loop_visible():
            view = sim.group("etcd")["arm"]["properties"]["containers"][0]["properties"]["instanceView"]
            return view["currentState"].get("detailStatus", "").startswith("CrashLoopBackOff") and time.time()

        visible_at = wait_until(loop_visible, 10, "the crash loop in the ARM GET body")
        restart = wait_until(lambda: first(sim.requests(api="arm", method="POST", since=since,
                                                        path=member_path("etcd") + "/restart")),
                             10 * POLL, "the daemon's restart of etcd")
        detect = parse_time(restart["time"]) - visible_at
        self.assertLessEqual(detect, 2 * POLL, "restart issued more than 2 poll intervals after the loop was visible")

        def etcd_healthy():
            g = sim.group("etcd")
            return g["state"] == "Running" and g["ip"] and \
                http_ok(f"http://{g['ip']}:2379/health") == b'{"health":"true"}'
        wait_until(etcd_healthy, 40, "etcd /health to answer healthy")
        healed_at = time.time()
        self.wait_healthy(daemon, ["etcd"], timeout=10)
        # The counter moves when an action finishes (its long-running operation included).
        self.wait_metric(daemon, "frankenetes_remediation_actions_total", lambda v: v >= 1, 30,
                         member="etcd", action="stop_start")
        # Quiet for 3 more poll intervals: nothing else happens once etcd is healthy.
        time.sleep(3 * POLL)
        self.assertEqual(daemon.actions(), {("etcd", "restart", "succeeded"): 1,
                                            ("etcd", "stop_start", "succeeded"): 1})
        self.assertEqual(actions_in_log(sim.requests(api="arm", since=since), "etcd"),
                         [("restart", "POST"), ("stop", "POST"), ("start", "POST")])
        self.report(loop_visible_to_restart_s=detect, poll_interval_s=POLL,
                    crash_to_healthy_s=healed_at - visible_at,
                    actions="restart=1 stop_start=1 recreate=0")


if __name__ == "__main__":
    unittest.main()
