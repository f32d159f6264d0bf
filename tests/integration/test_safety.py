"""Never make it worse: the safety scenarios against frankenetes-sim in process mode (real etcd)
and the real frankenetesd. Every test asserts on the sim's request log: what the daemon sent,
and above all what it did not.

Faults come from the sim's per-group fault API (spurious 404s, GET bodies without
restartCount, slow deletes) and its ARM fault rules. Measured numbers are printed as
"[test] key=value" lines. etcd's original layout (WAL in the container, never stop/started or
recreated) is test_heal's test_01.
"""
import http.server
import json
import os
import signal
import ssl
import subprocess
import threading
import time
import unittest
import urllib.error

from daemon_harness import wait_until
from sim_cluster import (MEMBERS, MUTATING, RESOURCE_GROUP, HealDaemon, HealTestCase, Rebreaker,
                         daemon_config, log_events, parse_time)

POLL = 1.0  # policy.pollInterval of the generated configs, seconds


def mutations(entries, group=None):
    """(method, path) of the mutating ARM calls since a point, optionally on one group."""
    out = []
    for e in entries:
        if e["method"] not in MUTATING:
            continue
        path = e["path"].split("?")[0]
        if group and f"/containerGroups/{group}" not in path:
            continue
        if "/containerGroups/" not in path:
            continue
        out.append((e["method"], path.split("/containerGroups/")[1]))
    return out


class Safety(HealTestCase):
    DEADLINE = 180

    def write_specs(self, sim, names):
        specs = {}
        for name in names:
            specs[name] = os.path.join(self.tmp.name, f"{name}.json")
            with open(specs[name], "w") as f:
                json.dump(sim.arm_spec(name), f)
        return specs

    def fault(self, sim, group, kind, **body):
        return sim.control("POST", f"/groups/{RESOURCE_GROUP}/{group}/faults/{kind}", body)

    def wait_faulted_gets(self, sim, since, fault, group, count, timeout=20):
        def served():
            hits = [e for e in sim.requests(api="arm", method="GET", since=since, fault=fault)
                    if f"/containerGroups/{group}" in e["path"]]
            return len(hits) >= count and hits
        return wait_until(served, timeout, f"{count} GETs of {group} answered with {fault}")

    # A GET answering 404 with ARM's envelope, while LIST still shows the group, and a proxy's
    # HTML 404: nothing is deleted, restarted or re-created.
    def test_01_spurious_404s_change_nothing(self):
        sim = self.start_sim()
        specs = self.write_specs(sim, MEMBERS)
        daemon = self.start_daemon(sim, specs=specs)
        since = sim.last_seq()
        for group, body in (("scheduler", "arm"), ("etcd", "arm"), ("apiserver", "html")):
            self.fault(sim, group, "notFound", count=3, body=body)
        for group, body in (("scheduler", "arm"), ("etcd", "arm"), ("apiserver", "html")):
            self.wait_faulted_gets(sim, since, f"notFound:{body}", group, 3)
        time.sleep(4 * POLL)  # a quiet period after the last spurious answer
        arm = sim.requests(api="arm", since=since)
        self.assertEqual(mutations(arm), [])
        log = daemon.log()
        self.assertTrue(any("gone_unproven" in l for l in log_events(log, "member.state.changed")),
                        "an unproven 404 is reported as unknown")
        self.wait_healthy(daemon, list(MEMBERS), timeout=10)
        self.report(spurious_404s=9, mutating_calls=0)

    # A real deletion is proven (404 envelope + LIST without it + second 404) and recreated,
    # also when the first PUT is refused.
    def test_02_real_deletion_recreated_even_when_the_first_put_is_refused(self):
        sim = self.start_sim()
        specs = self.write_specs(sim, ["scheduler"])
        daemon = self.start_daemon(sim, specs=specs)
        since = sim.last_seq()
        sim.control("POST", "/faults/arm", {"operation": "put", "status": 409, "code": "Conflict",
                                            "message": "injected: another operation is in progress",
                                            "count": 1})
        deleted_at = time.time()
        sim.control("DELETE", f"/groups/{RESOURCE_GROUP}/scheduler")
        self.wait_metric(daemon, "frankenetes_remediation_actions_total", lambda v: v == 1, 60,
                         member="scheduler", action="recreate", result="succeeded")
        self.wait_groups_running(sim, ["scheduler"])
        arm = sim.requests(api="arm", since=since)
        puts = [e for e in arm if e["method"] == "PUT" and "/containerGroups/scheduler" in e["path"]]
        self.assertEqual([e["status"] for e in puts][:1], [409])
        self.assertIn(puts[-1]["status"], (200, 201))
        self.assertEqual([m for m in mutations(arm) if m[0] != "PUT"], [],
                         "a group proven gone needs no DELETE")
        first_404 = next(e for e in arm if e["method"] == "GET" and e["status"] == 404 and
                         e["path"].split("?")[0].endswith("/containerGroups/scheduler"))
        self.assertGreaterEqual(parse_time(puts[0]["time"]) - parse_time(first_404["time"]), POLL * 0.9,
                                "the proof needs a second 404 a poll interval after the first")
        self.assertTrue(log_events(daemon.log(), "remediation.recreate.put_failed", member="scheduler"))
        self.report(delete_to_recreated_s=parse_time(puts[-1]["time"]) - deleted_at,
                    puts=len(puts), first_put_status=puts[0]["status"])

    def break_until_recreate(self, sim, daemon, member, since, timeout=90):
        """Crash-loop `member` until the daemon sends the DELETE of its recreate rung."""
        breaker = Rebreaker(sim, member, member)
        breaker.start()
        self.addCleanup(breaker.stop)
        delete = wait_until(
            lambda: next((e for e in sim.requests(api="arm", method="DELETE", since=since)
                          if f"/containerGroups/{member}" in e["path"]), None),
            timeout, f"the recreate rung's DELETE of {member}")
        breaker.stop()
        return delete

    # The DELETE's async operation outlasts actionTimeout: the recreate still ends in a PUT.
    def test_03_slow_delete_outlasts_action_timeout(self):
        sim = self.start_sim()
        specs = self.write_specs(sim, ["scheduler"])
        daemon = self.start_daemon(sim, specs=specs, action_timeout="3s", backoff_initial="1s")
        since = sim.last_seq()
        self.fault(sim, "scheduler", "slowDelete", seconds=10)
        delete = self.break_until_recreate(sim, daemon, "scheduler", since)
        self.wait_metric(daemon, "frankenetes_remediation_actions_total", lambda v: v == 1, 60,
                         member="scheduler", action="recreate", result="succeeded")
        arm = sim.requests(api="arm", since=since)
        puts = [e for e in arm if e["method"] == "PUT" and "/containerGroups/scheduler" in e["path"]]
        self.assertEqual(len(puts), 1)
        waited = parse_time(puts[0]["time"]) - parse_time(delete["time"])
        self.assertGreaterEqual(waited, 9.0, "the PUT waited for the slow deletion")
        self.wait_groups_running(sim, ["scheduler"])
        self.report(delete_to_put_s=waited, action_timeout_s=3, slow_delete_s=10)

    # kill -9 between the DELETE and the PUT: the next daemon on the same state directory
    # sends the PUT (and no second DELETE).
    def test_04_kill_between_delete_and_put_is_resumed(self):
        sim = self.start_sim()
        specs = self.write_specs(sim, ["scheduler"])
        state_dir = os.path.join(self.tmp.name, "state")
        env = {"STATE_DIRECTORY": state_dir}
        daemon = self.start_daemon(sim, specs=specs, env=env, backoff_initial="1s")
        since = sim.last_seq()
        self.fault(sim, "scheduler", "slowDelete", seconds=6)
        self.break_until_recreate(sim, daemon, "scheduler", since)
        os.kill(daemon.proc.pid, signal.SIGKILL)
        daemon.proc.wait(10)
        killed_at = time.time()
        with open(os.path.join(state_dir, "state.json")) as f:
            state = json.load(f)
        self.assertEqual([o["member"] for o in state["operations"]], ["scheduler"])
        wait_until(lambda: sim.group("scheduler") is None, 20, "the slow deletion to finish")
        restarted = sim.last_seq()
        second = HealDaemon(daemon_config(sim.endpoints, specs=specs), env=env)
        self.addCleanup(second.stop)
        self.addCleanup(self.dump_on_failure, second, sim)
        second.wait_ready(timeout=20)
        self.wait_groups_running(sim, ["scheduler"], timeout=40)
        arm = sim.requests(api="arm", since=restarted)
        self.assertEqual(mutations(arm, "scheduler")[:1], [("PUT", "scheduler")])
        self.assertNotIn("DELETE", [m[0] for m in mutations(arm)])
        self.assertTrue(log_events(second.log(), "remediation.resumed", member="scheduler"))
        running_at = time.time()

        def operation_done():
            with open(os.path.join(state_dir, "state.json")) as f:
                return json.load(f)["operations"] == []
        wait_until(operation_done, 20, "the finished operation to leave the state file")
        self.report(kill_to_running_s=running_at - killed_at)

    # The ladder position, the back-off and the budget use survive kill -9.
    def test_05_budget_and_backoff_survive_a_restart(self):
        sim = self.start_sim()
        state_dir = os.path.join(self.tmp.name, "state")
        env = {"STATE_DIRECTORY": state_dir}
        daemon = self.start_daemon(sim, env=env, budget=2, backoff_initial="8s")
        since = sim.last_seq()
        sim.act("crash", group="scheduler", container="scheduler", always=True, exitCode=1)
        wait_until(lambda: mutations(sim.requests(api="arm", since=since), "scheduler"), 30,
                   "the daemon's first action on the scheduler")
        os.kill(daemon.proc.pid, signal.SIGKILL)
        daemon.proc.wait(10)
        restarted = sim.last_seq()
        second = self.start_daemon(sim, env=env, budget=2, backoff_initial="8s", wait_healthy=False)
        time.sleep(4 * POLL)  # inside the 8 s back-off that began before the kill
        self.assertEqual(mutations(sim.requests(api="arm", since=restarted)), [])
        # The next action is rung 1 (stop+start), and after it the budget (2/h) is spent.
        wait_until(lambda: mutations(sim.requests(api="arm", since=restarted), "scheduler"), 30,
                   "the second action after the restart")
        time.sleep(6 * POLL)
        arm = sim.requests(api="arm", since=since)
        self.assertEqual([m[0] for m in mutations(arm)][:1], ["POST"])
        ops = [e["path"].split("?")[0].rsplit("/", 1)[1] for e in arm
               if e["method"] == "POST" and "/containerGroups/scheduler/" in e["path"]]
        self.assertEqual(ops, ["restart", "stop", "start"])
        with open(os.path.join(state_dir, "state.json")) as f:
            state = json.load(f)
        self.assertEqual(len(state["actionStarts"]), 2, "both daemons' actions count against the budget")
        scheduler = next(m for m in state["members"] if m["member"] == "scheduler")
        self.assertEqual(scheduler["actionsTaken"], 2)
        self.report(actions_before_kill=1, actions_after_restart=1, budget=2)

    # A GET body without restartCount (between readings with the same count) is no evidence.
    def test_06_missing_restart_count_changes_nothing(self):
        sim = self.start_sim()
        for _ in range(3):  # restartCount 3 before the daemon ever looks
            sim.act("crash", group="scheduler", container="scheduler", exitCode=1)
            # The group stays Running through a crash; wait for the container itself to run again
            # (not Waiting in CrashLoopBackOff), or the daemon would rightly restart it.
            wait_until(lambda: sim.group("scheduler")["containers"][0]["phase"] == "running", 20,
                       "scheduler's container running again")
        daemon = self.start_daemon(sim)
        since = sim.last_seq()
        for served in range(1, 5):
            # The k-th fault armed is the k-th faulted GET (counting the log after arming raced
            # with the daemon: a GET served in between made the wait one GET too long).
            self.fault(sim, "scheduler", "omitRestartCount", count=1)
            self.wait_faulted_gets(sim, since, "omitRestartCount", "scheduler", served)
            time.sleep(POLL)
        time.sleep(3 * POLL)
        self.assertEqual(mutations(sim.requests(api="arm", since=since)), [])
        self.assertEqual(daemon.metric("frankenetes_member_up", member="scheduler"), 1)
        self.report(readings_without_restart_count=4, mutating_calls=0)


    # An HTTPS probe of a member whose certificate comes from a private CA: with caFile it is
    # healthy; without it the failure is probe_tls, alerted and never remediated.
    def test_07_https_probe_with_a_private_ca(self):
        server = PrivateCaServer(self.tmp.name)
        self.addCleanup(server.stop)
        sim = self.start_sim()
        url = f"https://127.0.0.1:{server.port}/healthz"
        daemon = self.start_daemon(sim, wait_healthy=False, probes={
            "scheduler": {"url": url, "caFile": server.ca_file},
            "controller-manager": {"url": url},
        })
        since = sim.last_seq()
        self.wait_healthy(daemon, ["etcd", "apiserver", "scheduler"], timeout=30)
        self.wait_metric(daemon, "frankenetes_actions_skipped_total", lambda v: v >= 3, 30,
                         member="controller-manager", reason="probe_tls")
        self.assertGreater(daemon.metric("frankenetes_probe_tls_failures_total",
                                         member="controller-manager"), 0)
        time.sleep(3 * POLL)
        self.assertEqual(mutations(sim.requests(api="arm", since=since)), [])
        self.assertEqual(daemon.metric("frankenetes_member_up", member="scheduler"), 1)
        self.assertTrue(server.hits > 0)
        self.report(https_probes_served=server.hits, mutating_calls=0)

    # A Cloudflare record whose ttl is a string: an error is counted, nothing is written, and
    # the daemon stays alive (it used to die of an uncaught nlohmann type_error).
    def test_08_wrong_typed_cloudflare_field(self):
        cloudflare = FakeCloudflare()
        self.addCleanup(cloudflare.stop)
        sim = self.start_sim()
        token = os.path.join(self.tmp.name, "cf-token")
        with open(token, "w") as f:
            f.write("test-token\n")
        config = daemon_config(sim.endpoints)
        config = config.replace("        containerGroup: scheduler\n",
                                "        containerGroup: scheduler\n"
                                "        dns: {provider: cf, name: scheduler.example.org}\n")
        config = config.replace("policy:\n", (
            "dns:\n  ownerId: fk-safety\n  providers:\n    cf:\n      type: cloudflare\n"
            "      zoneId: zone1\n      zoneName: example.org\n"
            f"      apiTokenFile: {token}\n"
            f"      baseUrl: http://127.0.0.1:{cloudflare.port}/client/v4\n"
            "policy:\n"), 1)
        daemon = HealDaemon(config)
        self.addCleanup(daemon.stop)
        self.addCleanup(self.dump_on_failure, daemon, sim)
        daemon.wait_ready(timeout=20)
        wait_until(lambda: cloudflare.reads >= 3, 30, "three reads of the Cloudflare records")
        self.wait_metric(daemon, "frankenetes_dns_skips_total", lambda v: v >= 1, 20,
                         member="scheduler", reason="provider_unreadable")
        self.assertIsNone(daemon.proc.poll(), "the daemon is alive")
        status, _, _ = daemon.get("/livez")
        self.assertEqual(status, 200)
        self.assertEqual(cloudflare.writes, [])
        self.assertTrue(any("ttl" in l for l in daemon.log().splitlines() if "cloudflare" in l))
        self.report(cloudflare_reads=cloudflare.reads, writes=0, daemon="alive")

    # What the ladder's stop/start would do to etcd with the original layout, shown on the
    # real etcd in the sim (no daemon): keys written before the stop, read after the start.
    def test_09_what_a_stop_start_does_to_etcd_with_the_wal_in_the_container(self):
        sim = self.start_sim()
        # The group is Running before etcd listens (under load, seconds before): wait for it.
        before = wait_until(lambda: etcd_answering(sim), 30, "etcd answering in the sim")
        for i in range(20):
            etcd_call(sim, "/v3/kv/put", {"key": b64(f"key-{i}"), "value": b64(f"value-{i}")})
        written = etcd_status(sim)
        sim.act("stop", group="etcd")
        wait_until(lambda: sim.group("etcd")["state"] == "Stopped", 20, "etcd stopped")
        sim.act("start", group="etcd")
        self.wait_groups_running(sim, ["etcd"])

        def answers():
            try:
                return etcd_status(sim)
            except OSError:
                return None
        after = wait_until(answers, 30, "etcd to answer after the start")
        found = etcd_call(sim, "/v3/kv/range", {"key": b64("key-"), "range_end": b64("key.")})
        kept = int(found.get("count", 0))
        revision_after = int(after["header"].get("revision", 0))
        # Whatever survives in the backend on the share, the write-ahead log is gone: etcd
        # starts a fresh raft log (raftIndex back near zero), so anything not yet in the
        # backend is lost and the member's history no longer matches its peers'.
        self.assertLess(int(after.get("raftIndex", 0)), int(written.get("raftIndex", 0)))
        self.assertLessEqual(revision_after, int(written["header"]["revision"]))
        self.report(keys_written=20, keys_found_after=kept,
                    revision_before=int(written["header"]["revision"]), revision_after=revision_after,
                    raft_index_before=int(written.get("raftIndex", 0)),
                    raft_index_after=int(after.get("raftIndex", 0)),
                    cluster_id_changed=before["header"]["cluster_id"] != after["header"]["cluster_id"])


def b64(text):
    import base64
    return base64.b64encode(text.encode()).decode()


def etcd_call(sim, path, body):
    import urllib.request
    ip = sim.group("etcd")["ip"]
    req = urllib.request.Request(f"http://{ip}:2379{path}", data=json.dumps(body).encode(),
                                 method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read())


def etcd_answering(sim):
    """etcd's status, or None while its port does not answer yet."""
    try:
        return etcd_status(sim)
    except (urllib.error.URLError, OSError):
        return None


def etcd_status(sim):
    return etcd_call(sim, "/v3/maintenance/status", {})


class LoopbackServer:
    """A ThreadingHTTPServer on 127.0.0.1 (any free port) serving `handler` in a thread."""

    def serve(self, handler, tls_context=None):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        if tls_context:
            self.httpd.socket = tls_context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class PrivateCaServer(LoopbackServer):
    """An HTTPS /healthz on 127.0.0.1 with a certificate from a CA made for the test."""

    def __init__(self, directory):
        self.ca_file = os.path.join(directory, "probe-ca.pem")
        key, csr, cert = (os.path.join(directory, n) for n in ("probe.key", "probe.csr", "probe.pem"))
        ca_key = os.path.join(directory, "probe-ca.key")
        ext = os.path.join(directory, "probe.ext")
        with open(ext, "w") as f:
            f.write("subjectAltName=IP:127.0.0.1\n")
        for cmd in (
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key,
             "-out", self.ca_file, "-days", "1", "-subj", "/CN=frankenetes test probe CA"],
            ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
             "-subj", "/CN=127.0.0.1"],
            ["openssl", "x509", "-req", "-in", csr, "-CA", self.ca_file, "-CAkey", ca_key,
             "-CAcreateserial", "-out", cert, "-days", "1", "-extfile", ext],
        ):
            subprocess.run(cmd, check=True, capture_output=True, timeout=30)
        outer = self
        self.hits = 0

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.hits += 1
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.serve(Handler, context)


class FakeCloudflare(LoopbackServer):
    """Cloudflare v4 on 127.0.0.1 whose record list has "ttl": "60" (a string)."""

    def __init__(self):
        outer = self
        self.reads = 0
        self.writes = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def reply(self, body):
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                outer.reads += 1
                record = {"id": "r1", "type": "A", "name": "scheduler.example.org",
                          "content": "127.0.0.9", "ttl": "60", "proxied": False}
                self.reply({"success": True, "errors": [], "messages": [], "result": [record],
                            "result_info": {"page": 1, "per_page": 100, "count": 1,
                                            "total_count": 1, "total_pages": 1}})

            def write(self):
                outer.writes.append((self.command, self.path))
                self.reply({"success": False, "errors": [{"code": 1000, "message": "no"}]})

            do_POST = do_PUT = do_PATCH = do_DELETE = write

            def log_message(self, *args):
                pass

        self.serve(Handler)


if __name__ == "__main__":
    unittest.main()
