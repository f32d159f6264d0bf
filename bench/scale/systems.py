"""The two systems bench/scale measures against the same simulated world:

  DaemonSystem    frankenetesd (tests/integration's HealDaemon: temp dir, NOTIFY_SOCKET drained,
                  port from sd_notify), ready when every member is up in its /metrics and its
                  start-up grace is over.
  BaselineSystem  bench/scale/baseline_poller.py under /usr/bin/python3 (Microsoft's SDK from
                  Debian): what a user would write. Black box: ready when the request log shows
                  a GET of every group.

Both give the PID whose /proc figures are measured and can say whether a cluster is settled
again after a fault (the fault runner waits for it before breaking that cluster again).
"""
import json
import os
import signal
import subprocess
import tempfile
import time

import daemon_harness
import world
from daemon_harness import wait_until
from measure import scrape_metrics
from sim_cluster import HealDaemon, parse_metrics

# Seconds between scrapes of the daemon's /metrics while waiting for it (a Prometheus scrapes
# every 15-60 s; 2 s keeps the wait short without loading the daemon).
SCRAPE_EVERY = 2.0

HERE = os.path.dirname(os.path.abspath(__file__))
BASELINE = os.path.join(HERE, "baseline_poller.py")
DEBIAN_PYTHON = "/usr/bin/python3"


class DaemonSystem:
    name = "daemon"

    def __init__(self, binary):
        self.binary = binary
        self.daemon = None

    def start(self, endpoints, config_text):
        daemon_harness.FRANKENETESD = self.binary  # read by Daemon() when it starts the process
        self.daemon = HealDaemon(config_text)

        def ready():  # the drainer thread collects the datagrams; a bad config ends the process
            self._check_alive()
            return any(m.get("READY") == "1" for m in list(self.daemon.notify.messages))
        wait_until(ready, 60, "frankenetesd to send READY=1")
        self.daemon.wait_ready(timeout=5)  # learns the port from the STATUS line

    @property
    def pid(self):
        return self.daemon.proc.pid

    def alive(self):
        return self.daemon.proc.poll() is None

    def wait_steady(self, n, tally, timeout, grace=True, strict=True):
        """Every member up in /metrics, then (`grace`) the start-up grace over: no remediation
        before it. A daemon that does not get every member up within `timeout` raises when
        `strict`, else it is measured as it is (members_up() tells how far it got)."""
        def all_up():
            self._check_alive()
            up, total = self.members_up()
            return total == 4 * n and up == total
        try:
            # Scraped as a Prometheus would (every few seconds): a render of /metrics at 4000
            # members costs the daemon tens of milliseconds, and back-to-back scrapes made
            # the start-up measure the bench rather than the daemon.
            wait_until(all_up, timeout, f"all {4 * n} members up in the daemon's /metrics",
                       every=SCRAPE_EVERY)
        except AssertionError:
            if strict:
                raise
        if not grace:
            return

        def grace_over():
            status, _, body = self.daemon.get("/readyz?verbose", timeout=30)
            return "start-up grace" not in body
        wait_until(grace_over, timeout, "the daemon's start-up grace to end", every=SCRAPE_EVERY)

    def members_up(self):
        """(members with frankenetes_member_up 1, members reported)."""
        up = [v for name, _, v in self._samples() if name == "frankenetes_member_up"]
        return sum(1 for v in up if v == 1), len(up)

    def reload(self, config_text):
        """Replaces the configuration and sends SIGHUP; returns once the daemon applied it."""
        before = self._reloads_applied()
        self.daemon.write_config(config_text)
        self.daemon.signal(signal.SIGHUP)
        wait_until(lambda: self._reloads_applied() > before, 30, "the daemon to apply the reloaded configuration",
                   every=SCRAPE_EVERY)

    def _reloads_applied(self):
        return sum(v for name, labels, v in self._samples()
                   if name == "frankenetes_config_reload_total" and labels.get("result") == "success")

    def probes_done(self):
        """Probes finished so far, all members (frankenetes_probe_duration_seconds_count)."""
        return sum(v for name, _, v in self._samples() if name == "frankenetes_probe_duration_seconds_count")

    def settled(self, cluster):
        name = world.cluster_name(cluster)
        up = [v for n, labels, v in self._samples()
              if n == "frankenetes_member_up" and labels.get("cluster") == name]
        return len(up) == len(world.MEMBERS) and all(v == 1 for v in up)

    def metrics(self):
        return scrape_metrics(self.daemon.port)

    def explain(self, cluster, member, lines=6):
        """The daemon's last log lines about one member (why a fault went uncorrected)."""
        key = f"cluster={world.cluster_name(cluster)} member={member} "
        found = [l for l in self.daemon.log().splitlines() if key in l + " " and "dns.record.skipped" not in l]
        return "\n".join(found[-lines:]) or "(nothing in the daemon's log)"

    def _samples(self):
        status, _, body = self.daemon.get("/metrics", timeout=30)
        if status != 200:
            raise AssertionError(f"/metrics answered {status}")
        return parse_metrics(body)

    def _check_alive(self):
        if not self.alive():
            raise RuntimeError("frankenetesd exited:\n" + self.daemon.log()[-4000:])

    def log_tail(self, chars=4000):
        return self.daemon.log()[-chars:] if self.daemon else ""

    def stop(self):
        if self.daemon:
            self.daemon.stop()
            self.daemon = None


class BaselineSystem:
    name = "baseline"

    def __init__(self, interval_s, threads):
        self.interval_s, self.threads = interval_s, threads
        self.proc = None
        self.dir = None
        self.summary = None

    def start(self, endpoints, groups):
        """`groups`: baseline_poller.py's --groups list (world.baseline_groups)."""
        self.dir = tempfile.TemporaryDirectory(prefix="fk-bench-baseline-")
        paths = {}
        for name, doc in (("endpoints", endpoints), ("groups", groups)):
            paths[name] = os.path.join(self.dir.name, name + ".json")
            with open(paths[name], "w") as f:
                json.dump(doc, f)
        self.out_path = os.path.join(self.dir.name, "actions.jsonl")
        self.log_path = os.path.join(self.dir.name, "baseline.log")
        self.out_file = open(self.out_path, "w")
        self.log_file = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [DEBIAN_PYTHON, BASELINE, "--endpoints", paths["endpoints"], "--groups", paths["groups"],
             "--interval", f"{self.interval_s:g}", "--threads", str(self.threads),
             "--probe-timeout", f"{world.PROBE_TIMEOUT_S:g}",
             "--probe-failures", str(world.PROBE_FAILURE_THRESHOLD)],
            stdout=self.out_file, stderr=self.log_file)

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def wait_steady(self, n, tally, timeout, grace=True, strict=True):
        """A GET of every one of the 4N groups in the request log (one full pass)."""
        seen = set()

        def on_entry(e):
            if e["api"] == "arm" and e["operation"] == "get" and e["status"] == 200:
                seen.add(e["path"].split("?", 1)[0].lower())
        tally.listeners.append(on_entry)
        try:
            def full_pass():
                if not self.alive():
                    raise RuntimeError("baseline_poller exited:\n" + self.log_tail())
                tally.pull()
                return len(seen) >= 4 * n
            wait_until(full_pass, timeout, f"the baseline to GET all {4 * n} groups")
        finally:
            tally.listeners.remove(on_entry)

    def settled(self, cluster):
        return True

    def members_up(self):
        return None  # it keeps no such state

    def explain(self, cluster, member):
        return ""

    def metrics(self):
        return None  # no /metrics

    def probes_done(self):
        return None  # not counted

    def log_tail(self, chars=4000):
        if self.proc is None:
            return ""
        self.log_file.flush()
        with open(self.log_path) as f:
            return f.read()[-chars:]

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # it prints its summary line and exits
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.out_file.close()
        self.log_file.close()
        with open(self.out_path) as f:
            for line in f:
                if line.startswith('{"summary"'):
                    self.summary = json.loads(line)["summary"]
        self.dir.cleanup()
        self.proc = None


def wait_window(tally, seconds, alive, pull_every=1.0):
    """Pulls the request log every `pull_every` s for `seconds` (the steady-state window),
    failing fast when the measured process dies."""
    end = time.monotonic() + seconds
    while True:
        if not alive():
            raise RuntimeError("the measured process exited during the window")
        tally.pull()
        left = end - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(pull_every, left))
