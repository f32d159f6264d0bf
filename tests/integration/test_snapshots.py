"""etcd's data, kept: verified snapshots in Blob Storage (Azurite), retention, the snapshot taken
before a rung that would wipe etcd's WAL, data-loss detection, and what happens when storage is
down. frankenetes-sim in process mode (the real /usr/bin/etcd with the original Frankenetes
layout: --data-dir on the share, --wal-dir in the container), the real frankenetesd, Azurite
from tests/azurite, etcdctl from Debian's etcd-client.

Measured numbers are printed as "[test] key=value" lines.
"""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import time
import unittest
import urllib.request

import azurite
from daemon_harness import wait_until
from sim_cluster import MUTATING, HealTestCase, log_events, parse_log_time, parse_time

CLUSTER = "sim"  # the cluster name daemon_config() writes
CONTAINER = "frankenetes"
KEYS = 1000


def etcd_post(ip, path, body, timeout=5):
    request = urllib.request.Request(f"http://{ip}:2379{path}", data=json.dumps(body).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as r:
        return json.loads(r.read())


def b64(text):
    return base64.b64encode(text.encode()).decode()


def write_keys(ip, count=KEYS):
    for i in range(count):
        etcd_post(ip, "/v3/kv/put", {"key": b64(f"/registry/test/key-{i:04d}"), "value": b64(f"value-{i}")})


def etcd_status(ip):
    """(cluster id as 16 hex digits, revision) from maintenance/status."""
    s = etcd_post(ip, "/v3/maintenance/status", {})
    return f'{int(s["header"]["cluster_id"]):016x}', int(s["header"]["revision"])


def snapshot_status(path):
    """`etcdctl snapshot status -w json` of a file: {"hash", "revision", "totalKey", "totalSize"}."""
    out = subprocess.run(["etcdctl", "snapshot", "status", path, "-w", "json"], check=True,
                         capture_output=True, text=True, timeout=30,
                         env={**os.environ, "ETCDCTL_API": "3"})
    return json.loads(out.stdout)


def expected_retention(names_with_times, now, retain, days):
    """The names an independent reading of the retention rule keeps: the newest `retain`, plus
    the newest of each of the last `days` UTC days (today included)."""
    ordered = sorted(names_with_times, key=lambda nt: nt[1], reverse=True)
    keep = {n for n, _ in ordered[:retain]}
    today = int(now // 86400)
    newest_per_day = {}
    for name, when in ordered:
        day = int(when // 86400)
        if today - day < days and day not in newest_per_day:
            newest_per_day[day] = name
    return keep | set(newest_per_day.values())


class Snapshots(HealTestCase):
    DEADLINE = 300

    def setUp(self):
        super().setUp()
        self.azurite = azurite.start_for(self)
        if shutil.which("etcdctl") is None:
            self.skipTest("etcdctl is missing (Debian etcd-client)")
        self.blobs = self.azurite.client(CONTAINER)
        self.key_file = os.path.join(self.tmp.name, "storage-key")
        with open(self.key_file, "w") as f:
            f.write(azurite.KEY + "\n")

    def storage_yaml(self, endpoint=None, interval="24h", retain=24, keep_daily="168h",
                     max_age="10m", timeout="2m"):
        return (
            self.azurite.storage_section(CONTAINER, self.key_file, endpoint) +
            "etcd:\n"
            "  snapshots:\n"
            f"    interval: {interval}\n"
            f"    retain: {retain}\n"
            f"    keepDailyFor: {keep_daily}\n"
            f"    maxAgeForDisruption: {max_age}\n"
            f"    timeout: {timeout}\n")

    def snapshots(self):
        return {b["name"]: b for b in self.blobs.list(f"snapshots/{CLUSTER}/etcd/")}

    def download(self, name):
        _, body = self.blobs.get(name)
        path = os.path.join(self.tmp.name, os.path.basename(name))
        with open(path, "wb") as f:
            f.write(body)
        return path, body

    def etcd_ip(self, sim):
        """The etcd group's IP once etcd answers there (the group is Running before etcd
        listens)."""
        wait_until(lambda: self.answering_status(sim), 30, "etcd answering")
        return sim.group("etcd")["ip"]

    # Acceptance 1: 1000 keys; a periodic snapshot lands with correct metadata and a SHA-256
    # etcdctl accepts; retention deletes exactly the expected old blobs.
    def test_01_periodic_snapshot_metadata_and_retention(self):
        sim = self.start_sim()
        ip = self.etcd_ip(sim)
        write_keys(ip)
        cluster_id, revision = etcd_status(ip)
        # Older snapshots (as an earlier daemon left them): several per day over ten days.
        now = time.time()
        self.blobs.create()
        old = []
        for hours_ago in (1, 2, 3, 5, 25, 26, 49, 75, 100, 130, 160, 170, 200, 240):
            when = int(now - hours_ago * 3600)
            name = azurite.snapshot_name(CLUSTER, "etcd", when, 10 + hours_ago)
            self.blobs.put(name, b"old", {"revision": str(10 + hours_ago)})
            old.append((name, when))
        self.blobs.put(f"snapshots/{CLUSTER}/etcd/notes.txt", b"not a snapshot")

        daemon = self.start_daemon(sim, members=("etcd",),
                                   extra=self.storage_yaml(interval="1h", retain=3))
        taken = wait_until(lambda: log_events(daemon.log(), "etcd.snapshot.taken", member="etcd"),
                           60, "the first periodic snapshot")
        blobs = self.snapshots()
        new = [n for n in blobs if n not in dict(old) and n.endswith(".db")]
        self.assertEqual(len(new), 1, blobs.keys())
        name = new[0]
        self.assertIn(f"-rev{revision}.db", name)
        meta = blobs[name]["metadata"]
        path, body = self.download(name)
        self.assertEqual(meta["revision"], str(revision))
        self.assertEqual(meta["clusterid"], cluster_id)
        self.assertRegex(meta["memberid"], r"^[0-9a-f]{16}$")
        self.assertEqual(meta["sha256"], hashlib.sha256(body).hexdigest())
        self.assertEqual(int(meta["size"]), len(body))
        self.assertEqual(meta["revisionexact"], "true")
        self.assertTrue(meta["daemonversion"])
        status = snapshot_status(path)  # verifies etcd's own SHA-256 trailer
        self.assertEqual(status["revision"], revision)
        self.assertGreaterEqual(status["totalKey"], KEYS)
        self.assertIn("trigger=periodic", taken[0])

        # Retention: exactly the independent expectation is left, the stranger untouched.
        expected = expected_retention(old + [(name, now)], time.time(), 3, 7)
        left = {n for n in self.snapshots() if n.endswith(".db")}
        self.assertEqual(left, expected)
        self.assertIn(f"snapshots/{CLUSTER}/etcd/notes.txt", self.snapshots())
        removed = log_events(daemon.log(), "etcd.snapshot.removed", member="etcd")
        self.assertEqual(len(removed), len(old) + 1 - len(expected))
        self.assertEqual(daemon.metric("frankenetes_etcd_snapshot_size_bytes", member="etcd"), len(body))
        self.assertEqual(daemon.metric("frankenetes_etcd_snapshot_failures_total", member="etcd"), 0)
        self.report(snapshot_bytes=len(body), kept=len(left), removed=len(removed))

    # Acceptance 2: etcd with the original layout crash-loops past restart: a snapshot is
    # uploaded before the stop/start; afterwards data-loss detection fires exactly when the
    # revision went back or the cluster id changed; the snapshot named holds all 1000 keys.
    def test_02_snapshot_before_stop_start_then_data_loss_detection(self):
        # etcd runs 15 s between crashes (crashRunTime 150 s at time scale 0.1), as a
        # crash-looping etcd does: the snapshot is taken while it answers.
        sim = self.start_sim(edit_scenario=lambda text: text.replace(
            "\naci:\n", "\naci:\n  crashRunTime: 150s\n", 1))
        ip = self.etcd_ip(sim)
        write_keys(ip)
        before = etcd_status(ip)
        # A snapshot from 5 minutes ago: older than maxAgeForDisruption (1m), and the periodic
        # one is a day away, so only the planner's request can explain a new snapshot.
        self.blobs.create()
        self.blobs.put(azurite.snapshot_name(CLUSTER, "etcd", int(time.time() - 300), 1), b"old")
        daemon = self.start_daemon(sim, members=("etcd",), extra=self.storage_yaml(max_age="1m"))
        since = sim.last_seq()
        sim.act("crash", group="etcd", container="etcd", always=True, exitCode=1)
        stop = wait_until(lambda: [e for e in sim.requests(api="arm", method="POST", since=since)
                                   if e["path"].split("?")[0].endswith("/containerGroups/etcd/stop")],
                          180, "the stop/start rung")[0]
        sim.act("clearCrash", group="etcd", container="etcd")
        taken = log_events(daemon.log(), "etcd.snapshot.taken", member="etcd")
        self.assertEqual(len(taken), 1, daemon.log()[-3000:])
        self.assertIn("trigger=\"before a disruptive rung\"", taken[0])
        taken_at = parse_log_time(taken[0])
        stop_at = parse_time(stop["time"])
        self.assertLess(taken_at, stop_at, "the snapshot must be committed before the stop")
        name = taken[0].split(" name=")[1].split()[0]
        blob = self.snapshots()[name]
        self.assertLessEqual(blob["created"], stop_at)
        mutations = [e for e in sim.requests(api="arm", since=since) if e["method"] in MUTATING]
        self.assertEqual([e["path"].split("?")[0].rsplit("/", 1)[1] for e in mutations][:2],
                         ["restart", "stop"])
        self.report(snapshot_to_stop_s=round(stop_at - taken_at, 3))

        def answering():
            g = sim.group("etcd")
            try:
                return g["state"] == "Running" and g["ip"] and etcd_status(g["ip"])
            except OSError:
                return None
        after = wait_until(answering, 60, "etcd answering after stop/start")
        lost = after[0] != before[0] or after[1] < before[1]
        if lost:
            event = wait_until(lambda: log_events(daemon.log(), "etcd.data_loss_detected", member="etcd"),
                               20, "the data-loss event")
            self.assertIn(name, event[0], "the event names the newest snapshot")
            self.wait_metric(daemon, "frankenetes_etcd_data_loss_detected", lambda v: v == 1, 10,
                             member="etcd")
            _, _, verbose = daemon.ready_status()
            self.assertIn("DATA LOSS", verbose)
        else:
            time.sleep(3)
            self.assertFalse(log_events(daemon.log(), "etcd.data_loss_detected"))
            self.assertEqual(daemon.metric("frankenetes_etcd_data_loss_detected", member="etcd"), 0)
        path, _ = self.download(name)
        self.assertGreaterEqual(snapshot_status(path)["totalKey"], KEYS)
        self.report(status_before=before, status_after=after, data_loss_detected=lost)

    # Acceptance 4 (storage down): failures counted, disruptive etcd rungs stay blocked, the
    # rest of the control plane is healed as usual.
    def test_03_storage_down_blocks_only_disruptive_etcd_rungs(self):
        sim = self.start_sim()
        port = self.azurite.port
        self.azurite.stop()  # nothing listens there any more
        daemon = self.start_daemon(
            sim, members=("etcd", "apiserver"),
            extra=self.storage_yaml(endpoint=f"http://127.0.0.1:{port}/{azurite.ACCOUNT}"))
        self.wait_metric(daemon, "frankenetes_etcd_snapshot_failures_total", lambda v: v >= 1, 30,
                         member="etcd")
        # The apiserver is healed as usual.
        since = sim.last_seq()
        sim.act("hang", group="apiserver", container="apiserver")
        wait_until(lambda: [e for e in sim.requests(api="arm", method="POST", since=since)
                            if "/containerGroups/apiserver/restart" in e["path"]],
                   30, "the apiserver's restart")
        self.wait_healthy(daemon, ["apiserver"], timeout=30)
        # etcd crash-loops: its restart runs, the stop/start waits for a snapshot that cannot
        # be stored, and stays blocked.
        since = sim.last_seq()
        sim.act("crash", group="etcd", container="etcd", always=True, exitCode=1)
        self.wait_metric(daemon, "frankenetes_etcd_data_at_risk", lambda v: v == 1, 90, member="etcd")
        skipped = log_events(daemon.log(), "remediation.skipped", member="etcd", reason="etcd_data_at_risk")
        self.assertTrue(skipped)
        self.assertIn("the latest attempt failed", skipped[-1])
        time.sleep(3)
        etcd_calls = [e["path"].split("?")[0].rsplit("/", 1)[1]
                      for e in sim.requests(api="arm", since=since)
                      if e["method"] in MUTATING and "/containerGroups/etcd" in e["path"]]
        self.assertEqual(etcd_calls, ["restart"])
        _, _, verbose = daemon.ready_status()
        self.assertIn("snapshots failing", verbose)
        sim.act("clearCrash", group="etcd", container="etcd")
        failures = daemon.metric("frankenetes_etcd_snapshot_failures_total", member="etcd")
        self.report(snapshot_failures=failures)

    def start_sim_with_etcd_share(self):
        """The sim, its etcd share in Azurite's account, 1000 keys written. Returns (sim,
        revision, the storage and etcd sections of a daemon config that can restore)."""
        def edit(text):
            # The etcd share belongs to the storage account of the snapshots (as in the
            # original setup): here Azurite's account, whose key the sim's File service uses too.
            text = text.replace("azureFile: {shareName: etcd, storageAccountName: frankenetes}",
                                f"azureFile: {{shareName: etcd, storageAccountName: {azurite.ACCOUNT}}}")
            return text + (f"storageAccounts:\n  - name: {azurite.ACCOUNT}\n"
                           f"    key: \"{azurite.KEY}\"\n    shares: [etcd]\n")
        sim = self.start_sim(edit_scenario=edit)
        ip = self.etcd_ip(sim)
        write_keys(ip)
        _, revision = etcd_status(ip)
        extra = self.storage_yaml(interval="1h").replace(
            "  keyFile:", f"  fileEndpoint: {sim.endpoints['fileBaseUrl']}/{azurite.ACCOUNT}\n  keyFile:", 1)
        return sim, revision, extra

    def restore_setup(self, with_spec=False):
        """Sim whose etcd share belongs to Azurite's account; 1000 keys; a daemon that took one
        snapshot and was stopped. Returns (sim, daemon, snapshot name, revision, restore)."""
        sim, revision, extra = self.start_sim_with_etcd_share()
        specs = None
        if with_spec:
            specs = {"etcd": os.path.join(self.tmp.name, "etcd.json")}
            with open(specs["etcd"], "w") as f:
                json.dump(sim.arm_spec("etcd"), f)
        daemon = self.start_daemon(sim, members=("etcd", "apiserver"), extra=extra, specs=specs)
        taken = wait_until(lambda: log_events(daemon.log(), "etcd.snapshot.taken", member="etcd"),
                           60, "the first periodic snapshot")
        name = taken[0].split(" name=")[1].split()[0]
        daemon.proc.terminate()  # the restore needs the state directory (and no daemon)
        daemon.proc.wait(10)

        def restore(*args):
            run = subprocess.run([os.environ["FRANKENETESD"], "etcd", "restore", "--config",
                                  daemon.config_path, "--cluster", CLUSTER, "--member", "etcd", *args],
                                 capture_output=True, text=True, timeout=240,
                                 env=dict(os.environ, STATE_DIRECTORY=os.path.join(daemon.dir.name, "state")))
            return run.returncode, run.stdout + run.stderr
        return sim, name, revision, restore

    def wipe_share(self, sim):
        share = os.path.join(sim.endpoints["stateDir"], "shares", azurite.ACCOUNT, "etcd")
        for entry in os.listdir(share):
            shutil.rmtree(os.path.join(share, entry), ignore_errors=True)

    def assert_restored(self, sim, revision):
        ip = self.etcd_ip(sim)
        count = etcd_post(ip, "/v3/kv/range", {"key": b64("/registry/test/"), "range_end": b64("/registry/test0"),
                                               "count_only": True})
        self.assertEqual(int(count["count"]), KEYS)
        self.assertEqual(etcd_status(ip)[1], revision)

    # Acceptance 3 and the second half of 4: etcd's data destroyed on its share ->
    # `frankenetesd etcd restore --yes` -> all 1000 keys back at the snapshot's revision, the
    # apiserver restarted; a tampered blob refused before anything changes.
    def test_04_restore_after_the_data_was_destroyed(self):
        sim, name, revision, restore = self.restore_setup()
        # A tampered copy (one byte changed, metadata kept) is refused; nothing is sent to ARM.
        headers, body = self.blobs.get(name)
        tampered = azurite.snapshot_name(CLUSTER, "etcd", int(time.time() - 3600), revision)  # older
        meta = {k[len("x-ms-meta-"):]: v for k, v in headers.items() if k.lower().startswith("x-ms-meta-")}
        flipped = bytearray(body)
        flipped[len(flipped) // 2] ^= 0x01
        self.blobs.put(tampered, bytes(flipped), meta)
        since = sim.last_seq()
        code, output = restore("--snapshot", tampered, "--yes")
        self.assertEqual(code, 2, output)
        self.assertIn("does not verify: snapshot SHA-256 mismatch", output)
        self.assertFalse([e for e in sim.requests(api="arm", since=since) if e["method"] in MUTATING])

        # Destroy the data: empty the share, and let etcd come back on nothing.
        self.wipe_share(sim)
        sim.control("POST", "/groups/frankenetes/etcd/stop")
        wait_until(lambda: sim.group("etcd")["state"] == "Stopped", 30, "etcd stopped")
        sim.control("POST", "/groups/frankenetes/etcd/start")
        wiped = wait_until(lambda: self.answering_status(sim), 60, "etcd answering after the wipe")
        self.assertLess(wiped[1], revision, "the keys are gone")
        code, output = restore()
        self.assertEqual(code, 2, output)
        self.assertIn("Pass --yes", output, "a Running group needs --yes")

        since = sim.last_seq()
        started = time.time()
        code, output = restore("--yes")
        self.assertEqual(code, 0, output)
        self.assertIn(f"etcd answers at revision {revision}, the snapshot's", output)
        self.assert_restored(sim, revision)
        calls = [(e["method"], e["path"].split("?")[0].rsplit("/", 2)[-2:]) for e in
                 sim.requests(api="arm", since=since) if e["method"] in MUTATING]
        self.assertEqual(calls, [("POST", ["etcd", "stop"]), ("POST", ["etcd", "start"]),
                                 ("POST", ["apiserver", "restart"])], calls)
        self.assertTrue([e for e in sim.requests(api="files", since=since) if e["method"] == "PUT"])
        self.report(restore_s=round(time.time() - started, 1), revision=revision)

    # Acceptance 3 as written: the etcd group deleted and its share emptied -> the restore
    # writes the data directory, recreates the group from its spec, and all keys are back.
    def test_05_restore_of_a_destroyed_group(self):
        sim, _, revision, restore = self.restore_setup(with_spec=True)
        sim.control("DELETE", "/groups/frankenetes/etcd")
        wait_until(lambda: sim.group("etcd") is None, 60, "the etcd group gone")
        self.wipe_share(sim)
        since = sim.last_seq()
        started = time.time()
        code, output = restore("--yes")
        self.assertEqual(code, 0, output)
        self.assertIn("recreated frankenetes/etcd", output)
        self.assert_restored(sim, revision)
        calls = [(e["method"], e["path"].split("?")[0].rsplit("/", 2)[-2:]) for e in
                 sim.requests(api="arm", since=since) if e["method"] in MUTATING]
        self.assertEqual(calls[0][0], "PUT", calls)
        self.assertEqual(calls[-1], ("POST", ["apiserver", "restart"]), calls)
        self.report(restore_s=round(time.time() - started, 1), revision=revision)

    # etcd.autoRestore: the data destroyed under a running daemon -> data loss detected -> the
    # daemon restores the snapshot of the lost data by itself: all keys back, the apiserver
    # restarted, the record cleared, and no snapshot of the emptied store taken meanwhile.
    def test_06_automatic_restore_after_a_data_loss(self):
        sim, revision, extra = self.start_sim_with_etcd_share()
        daemon = self.start_daemon(sim, members=("etcd", "apiserver"),
                                   extra=extra + "  autoRestore: true\n")
        wait_until(lambda: log_events(daemon.log(), "etcd.snapshot.taken", member="etcd"),
                   60, "the first periodic snapshot")
        # The daemon's baseline is the data with the 1000 keys (persisted in its state file).
        state_file = os.path.join(daemon.dir.name, "state", "state.json")

        def baseline():
            try:
                with open(state_file) as f:
                    state = json.load(f)
            except (OSError, ValueError):
                return None
            return [m["etcd"] for m in state.get("members", []) if m["member"] == "etcd" and "etcd" in m]
        wait_until(lambda: (baseline() or [{}])[0].get("revision") == revision, 30,
                   "the daemon's etcd baseline at the revision with the keys")

        since = sim.last_seq()
        self.wipe_share(sim)
        sim.control("POST", "/groups/frankenetes/etcd/stop")
        wait_until(lambda: sim.group("etcd")["state"] == "Stopped", 30, "etcd stopped")
        sim.control("POST", "/groups/frankenetes/etcd/start")
        detected = wait_until(lambda: log_events(daemon.log(), "etcd.data_loss_detected", member="etcd"),
                              90, "the data-loss event")
        started = parse_log_time(detected[0])
        done = wait_until(lambda: log_events(daemon.log(), "etcd.restore.done", member="etcd")
                          or log_events(daemon.log(), "etcd.restore.failed", member="etcd"),
                          240, "the automatic restore")
        self.assertIn("etcd.restore.done", done[0], daemon.log()[-4000:])
        restore_s = parse_log_time(done[0]) - started
        self.assert_restored(sim, revision)
        self.wait_metric(daemon, "frankenetes_etcd_data_loss_detected", lambda v: v == 0, 30,
                         member="etcd")
        # A new baseline is read from the restored data, and it is no data loss.
        wait_until(lambda: (baseline() or [{}])[0].get("revision") == revision
                   and "dataLoss" not in baseline()[0], 30, "the baseline after the restore")
        self.assertEqual(len(log_events(daemon.log(), "etcd.data_loss_detected", member="etcd")), 1)
        # The steps, in order, after the loss: stop and start etcd, restart the apiserver.
        calls = [(e["method"], e["path"].split("?")[0].rsplit("/", 2)[-2:]) for e in
                 sim.requests(api="arm", since=since) if e["method"] in MUTATING
                 and parse_time(e["time"]) >= started]
        self.assertEqual(calls, [("POST", ["etcd", "stop"]), ("POST", ["etcd", "start"]),
                                 ("POST", ["apiserver", "restart"])], calls)
        steps = log_events(daemon.log(), "etcd.restore.step", member="etcd")
        self.assertTrue(any("SHA-256 verified" in s for s in steps), steps)
        self.assertTrue(any("the most of the lost data" in s for s in steps), steps)
        # No snapshot of the emptied store between the loss and the restore.
        taken = [parse_log_time(line) for line in log_events(daemon.log(), "etcd.snapshot.taken", member="etcd")]
        self.assertFalse([t for t in taken if started <= t <= parse_log_time(done[0])])
        self.report(detect_to_restored_s=round(restore_s, 1), revision=revision)

    def answering_status(self, sim):
        g = sim.group("etcd")
        try:
            return g and g["state"] == "Running" and g["ip"] and etcd_status(g["ip"])
        except OSError:
            return None


if __name__ == "__main__":
    unittest.main()
