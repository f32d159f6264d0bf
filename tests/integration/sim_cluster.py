"""frankenetes-sim (process mode: real etcd, member stubs) plus the real frankenetesd.

A test gets a SimCluster: the sim started from config/sim-cluster.yaml on loopback ports of its
own (sim_harness.Sim from the SDK conformance suite does the starting), and a frankenetesd with a
config generated from the sim's endpoints.json (daemon_harness.Daemon does the starting). Helpers
read the daemon's /metrics, query the sim's request log and call its control API. Every wait has
a deadline; every test has a hard one (HealTestCase arms SIGALRM); processes are stopped by PID
in cleanups and temp dirs removed.
"""
import datetime
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("FRANKENETES_SOURCE_DIR", os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "sim", "conformance"))

import sim_harness  # noqa: E402  (tests/sim/conformance/sim_harness.py)
from daemon_harness import FRANKENETESD, Daemon, wait_until  # noqa: E402

FRANKENETES_SIM = os.environ.get("FRANKENETES_SIM", "frankenetes-sim")
SCENARIO = os.path.join(SOURCE_DIR, "config", "sim-cluster.yaml")
RESOURCE_GROUP = "frankenetes"
# The sim issues tokens for the public cloud's ARM audience only (as Azure does): a custom
# cloud must name that scope, the default (resourceManager + "/.default") is refused.
ARM_SCOPE = "https://management.azure.com/.default"
MUTATING = ("PUT", "POST", "PATCH", "DELETE")

# name, role, dependsOn, probe URL (the four groups of config/sim-cluster.yaml)
MEMBERS = {
    "etcd": ("etcd", [], "http://{ip}:2379/health"),
    "apiserver": ("apiserver", ["etcd"], "http://{ip}:6445/healthz"),
    "controller-manager": ("controller-manager", ["apiserver"], "http://{ip}:10252/healthz"),
    "scheduler": ("scheduler", ["apiserver"], "http://{ip}:10251/healthz"),
}


def parse_time(text):
    """The sim's request-log time ("2026-11-27T07:20:39.1234567Z") as Unix seconds."""
    whole, _, frac = text.rstrip("Z").partition(".")
    t = datetime.datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return t.timestamp() + (float("0." + frac) if frac else 0.0)


def parse_log_time(line):
    """Unix seconds of a text-format daemon log line ("2026-11-27T07:22:55.270Z info ...")."""
    stamp = line.split(" ", 1)[0]
    return parse_time(stamp)


_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    """Prometheus text exposition → [(name, {label: value}, float)]."""
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        if m:
            samples.append((m.group(1), dict(_LABEL.findall(m.group(2) or "")), float(m.group(3))))
    return samples


def log_events(text, event, **fields):
    """Daemon text-log lines of `event` whose key=value fields include `fields`."""
    out = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 3 or parts[2] != event:
            continue
        if all(f" {k}={v}" in line for k, v in fields.items()):
            out.append(line)
    return out


class Sim(sim_harness.Sim):
    """sim_harness.Sim plus request-log queries and a stray-process check on stop."""

    def __init__(self, time_scale=0.1, extra_args=(), edit_scenario=None):
        """`edit_scenario`: a function of the scenario text (config/sim-cluster.yaml) to the
        text the sim runs with, for a test that needs other platform settings."""
        with open(SCENARIO) as f:
            scenario = f.read()
        if edit_scenario:
            scenario = edit_scenario(scenario)
        super().__init__(FRANKENETES_SIM, scenario,
                         ["--time-scale", str(time_scale), "--mode", "process", *extra_args])
        self.pid = self.proc.pid

    def requests(self, **query):
        """Request-log entries (api=, method=, operation=, path=, status=, since=)."""
        query = {k: v for k, v in query.items() if v is not None}
        query.setdefault("limit", 100000)
        return self.control("GET", "/requests?" + urllib.parse.urlencode(query))["entries"]

    def last_seq(self):
        return self.control("GET", "/requests?limit=0")["lastSeq"]

    def group(self, name):
        try:
            return self.control("GET", f"/groups/{RESOURCE_GROUP}/{name}")
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return None
            raise

    def act(self, action, **fields):
        return self.control("POST", "/actions", {"action": action, **fields})

    def arm_spec(self, name):
        """The group's definition as a PUT body (what a member's spec file holds)."""
        arm = self.group(name)["arm"]
        props = json.loads(json.dumps(arm["properties"]))
        for key in ("instanceView", "provisioningState"):
            props.pop(key, None)
        for c in props["containers"]:
            c["properties"].pop("instanceView", None)
        for key in ("ip", "fqdn"):
            props.get("ipAddress", {}).pop(key, None)
        return {"location": arm["location"], "properties": props}

    def stop(self, keep=False):
        marker = self.dir
        super().stop(keep)
        # Containers are started with PR_SET_PDEATHSIG, so they die with the sim; make sure
        # (by PID, found through our own state dir in their command lines).
        for pid in pids_mentioning(marker):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def pids_mentioning(marker):
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if marker.encode() in f.read():
                    found.append(int(entry))
        except OSError:
            pass
    return found


def azure_section(endpoints, auth=None, ca=True, request_timeout="5s"):
    """The `azure:` section (as lines) of a frankenetesd config against the sim described by
    `endpoints` (endpoints.json). armBaseUrl is both resourceManager and authority, in the same
    spelling (the ARM client refuses nextLink/operation URLs on another host). `auth` replaces
    the client-secret auth; `request_timeout` None leaves the daemon's default."""
    arm = endpoints["armBaseUrl"]
    if auth is None:
        auth = {"method": "clientSecret", "clientId": endpoints["clientId"],
                "clientSecretFile": endpoints["clientSecretFile"]}
    lines = [
        "azure:",
        "  cloud:",
        f"    resourceManager: {arm}",
        f"    authority: {arm}",
        f"    scope: {ARM_SCOPE}",
        f'  subscriptionId: "{endpoints["subscriptionId"]}"',
        f'  tenantId: "{endpoints["tenantId"]}"',
        "  auth:",
        *[f"    {k}: {json.dumps(v)}" for k, v in auth.items()],
    ]
    if request_timeout:
        lines.append(f"  requestTimeout: {request_timeout}")
    if ca:
        lines.append(f"  caFile: {json.dumps(endpoints['caFile'])}")
    return lines


def daemon_config(endpoints, *, members=tuple(MEMBERS), poll="1s", get_healthy="1s",
                  get_unhealthy="500ms", probe_period="500ms", probe_timeout="400ms",
                  failure_threshold=2, backoff_initial="1s", backoff_max="1m", reset_after="10m",
                  budget=100, dry_run=False, ca=True, auth=None, specs=None, probes=None,
                  action_timeout="60s", admin_token_file=None, extra=""):
    """YAML for frankenetesd against the sim described by `endpoints` (endpoints.json).

    `auth` replaces the auth section (azure_section); `specs` maps member → spec file; `probes` maps member → probe overrides;
    `admin_token_file` turns the admin API on; `extra` is YAML appended as is (more top-level
    sections).
    """
    lines = azure_section(endpoints, auth=auth, ca=ca)
    lines += ["clusters:", "  - name: sim", f"    resourceGroup: {RESOURCE_GROUP}", "    members:"]
    for name in members:
        role, deps, url = MEMBERS[name]
        deps = [d for d in deps if d in members]
        probe = {"url": url, "period": probe_period, "timeout": probe_timeout,
                 "failureThreshold": failure_threshold}
        probe.update((probes or {}).get(name, {}))
        lines += [f"      - name: {name}", f"        role: {role}", f"        containerGroup: {name}",
                  f"        dependsOn: {json.dumps(deps)}",
                  "        probe: {" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in probe.items()) + "}"]
        if specs and name in specs:
            lines.append(f"        spec: {{file: {json.dumps(specs[name])}}}")
    lines += [
        "policy:",
        f"  pollInterval: {poll}",
        f"  getInterval: {{healthy: {get_healthy}, unhealthy: {get_unhealthy}}}",
        f"  backoff: {{initial: {backoff_initial}, max: {backoff_max}, resetAfter: {reset_after}}}",
        f"  budget: {{maxActionsPerHour: {budget}}}",
        f"  actionTimeout: {action_timeout}",
        f"  dryRun: {'true' if dry_run else 'false'}",
        "server:",
        '  listen: "127.0.0.1:0"',
        *([f"  adminTokenFile: {json.dumps(admin_token_file)}"] if admin_token_file else []),
        "log:",
        "  level: info",
        "  format: text",
    ]
    return "\n".join(lines) + "\n" + extra


class HealDaemon(Daemon):
    """daemon_harness.Daemon with metric helpers that understand label sets.

    It drains the NOTIFY_SOCKET in the background: the daemon sends a STATUS datagram after
    every pass, and sd_notify blocks (stalling the admin server) once the receiver's queue
    (net.unix.max_dgram_qlen, 10 by default) is full, which systemd never lets happen.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._draining = threading.Event()
        self._drainer = threading.Thread(target=self._drain, daemon=True)
        self._drainer.start()

    def _drain(self):
        while not self._draining.wait(0.05):
            try:
                self.notify.poll()
            except OSError:
                return

    def stop(self):
        self._draining.set()
        self._drainer.join(5)
        super().stop()

    def samples(self):
        status, _, body = self.get("/metrics")
        if status != 200:
            raise AssertionError(f"/metrics answered {status}")
        return parse_metrics(body)

    def metric(self, name, **labels):
        """Sum of the series of `name` whose labels include `labels`; None without any."""
        values = [v for n, l, v in self.samples()
                  if n == name and all(l.get(k) == v2 for k, v2 in labels.items())]
        return sum(values) if values else None

    def actions(self, **labels):
        """{(member, action, result): count} of frankenetes_remediation_actions_total > 0."""
        out = {}
        for n, l, v in self.samples():
            if n == "frankenetes_remediation_actions_total" and v > 0 and \
                    all(l.get(k) == v2 for k, v2 in labels.items()):
                out[(l["member"], l["action"], l["result"])] = int(v)
        return out

    def ready_status(self):
        return self.get("/readyz?verbose")


class HealTestCase(unittest.TestCase):
    """Starts sim + daemon per test; a hard deadline per test (SIGALRM in the main thread)."""

    DEADLINE = 150  # seconds per test, cleanup included

    def setUp(self):
        if not os.path.exists("/usr/bin/etcd"):
            self.skipTest("process mode runs the real /usr/bin/etcd (Debian package etcd-server)")

        def expired(signo, frame):
            raise TimeoutError(f"{self.id()} exceeded its hard deadline of {self.DEADLINE}s")

        previous = signal.signal(signal.SIGALRM, expired)
        signal.alarm(self.DEADLINE)
        self.addCleanup(signal.signal, signal.SIGALRM, previous)
        self.addCleanup(signal.alarm, 0)
        self.tmp = tempfile.TemporaryDirectory(prefix="fk-heal-")
        self.addCleanup(self.tmp.cleanup)
        self.started_at = time.monotonic()

    def start_sim(self, time_scale=0.1, extra_args=(), edit_scenario=None):
        sim = Sim(time_scale, extra_args, edit_scenario)
        self.addCleanup(sim.stop)
        self.wait_groups_running(sim)
        return sim

    def wait_groups_running(self, sim, names=tuple(MEMBERS), timeout=30):
        def running():
            for name in names:
                g = sim.group(name)
                if not g or g["state"] != "Running" or g["provisioningState"] != "Succeeded":
                    return False
            return True
        wait_until(running, timeout, f"groups {names} Running in the sim")

    def start_daemon(self, sim, extra_args=(), env=None, wait_healthy=True, **config):
        members = config.get("members", tuple(MEMBERS))
        daemon = HealDaemon(daemon_config(sim.endpoints, **config), extra_args=extra_args, env=env)
        self.addCleanup(daemon.stop)
        self.addCleanup(self.dump_on_failure, daemon, sim)  # runs first (cleanups are LIFO)
        daemon.wait_ready(timeout=20)
        if wait_healthy:
            self.wait_healthy(daemon, members, timeout=30)
            self.wait_grace_over(daemon)
        return daemon

    def wait_grace_over(self, daemon, timeout=30):
        """A daemon without remembered history acts only after its start-up grace (2 polls):
        faults meant to be healed at once start after it (the operations check says when)."""
        def over():
            status, _, body = daemon.get("/readyz?verbose")
            return "start-up grace" not in body
        wait_until(over, timeout, "the daemon's start-up grace to end")

    def wait_healthy(self, daemon, members, timeout=30):
        def healthy():
            return all(daemon.metric("frankenetes_member_up", member=m) == 1 for m in members)
        wait_until(healthy, timeout, f"members {list(members)} up in the daemon's /metrics")

    def wait_metric(self, daemon, name, predicate, timeout, **labels):
        def check():
            value = daemon.metric(name, **labels)
            return value is not None and predicate(value)
        wait_until(check, timeout, f"{name}{labels} to satisfy the condition")
        return daemon.metric(name, **labels)

    def dump_on_failure(self, daemon, sim):
        # unittest has no public "did this test fail" hook; _outcome is stable since 3.4 and
        # only used to decide whether to print the logs.
        outcome = getattr(self, "_outcome", None)
        errors = getattr(getattr(outcome, "result", None), "errors", []) + \
            getattr(getattr(outcome, "result", None), "failures", [])
        if any(test is self for test, _ in errors) or os.environ.get("FK_HEAL_VERBOSE"):
            print(f"\n--- daemon log ({self.id()}) ---\n" + daemon.log()[-20000:])
            try:
                with open(sim.log.name) as f:
                    print(f"--- sim log ---\n" + f.read()[-8000:])
            except OSError:
                pass

    def report(self, **numbers):
        """Measured numbers, printed so the ctest log carries them."""
        text = ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in numbers.items())
        print(f"\n  [{self._testMethodName}] {text}", flush=True)


class Rebreaker(threading.Thread):
    """Keeps a member broken: whenever its group runs without an injected crash (after a
    restart, stop+start or recreate by the daemon), it crash-loops the container again."""

    def __init__(self, sim, group, container):
        super().__init__(daemon=True)
        self.sim, self.group, self.container = sim, group, container
        self.halt = threading.Event()
        self.breaks = 0

    def run(self):
        while not self.halt.wait(0.05):
            try:
                g = self.sim.group(self.group)
                if not g or g["provisioningState"] != "Succeeded" or g["state"] != "Running":
                    continue
                c = next(c for c in g["containers"] if c["name"] == self.container)
                if not c["crash"]["always"]:
                    self.sim.act("crash", group=self.group, container=self.container,
                                 always=True, exitCode=1)
                    self.breaks += 1
            except Exception:  # the sim is going away at the end of the test
                continue

    def stop(self):
        self.halt.set()
        self.join(5)


def entries_between(entries, start, end):
    return [e for e in entries if start <= parse_time(e["time"]) < end]


def https_context(cafile):
    return ssl.create_default_context(cafile=cafile)


def fetch_token(endpoints, scope=ARM_SCOPE):
    """A token from the sim's Entra endpoint with the client secret (for the static method)."""
    with open(endpoints["clientSecretFile"]) as f:
        secret = f.read().strip()
    data = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": endpoints["clientId"],
                                   "client_secret": secret, "scope": scope}).encode()
    req = urllib.request.Request(endpoints["tokenEndpoint"], data=data, method="POST")
    with urllib.request.urlopen(req, timeout=10, context=https_context(endpoints["caFile"])) as r:
        return json.loads(r.read())["access_token"]


def run_once(config_text, directory, env=None, timeout=60):
    """frankenetesd --once with `config_text`; (returncode, output)."""
    path = os.path.join(directory, "once.yaml")
    with open(path, "w") as f:
        f.write(config_text)
    environment = dict(os.environ)
    for key in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE",
                "AZURE_AUTHORITY_HOST", "IDENTITY_ENDPOINT", "MSI_ENDPOINT"):
        environment.pop(key, None)
    environment["STATE_DIRECTORY"] = os.path.join(directory, "once-state")
    environment.update(env or {})
    result = subprocess.run([FRANKENETESD, "--once", "--config", path], capture_output=True, text=True,
                            timeout=timeout, env=environment)
    return result.returncode, result.stdout + result.stderr
