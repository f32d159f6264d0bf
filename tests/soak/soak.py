#!/usr/bin/env python3
"""Chaos soak: frankenetesd against a bad day that lasts.

The sim in process mode (real etcd, member stubs, real HTTPS), a real BIND9 holding the members'
A records (RFC 2136 + TSIG), and one frankenetesd. Every 5-20 s (at random, seeded) one fault:
crash loops, hangs, IP changes, deletions, ARM 429 and 5xx bursts, ARM outages, spurious 404s,
the token endpoint down with the tokens revoked, DNS provider errors (BIND stopped for a while,
the TSIG key file wrong for a while), and the daemon killed with SIGKILL and started again on its state directory (in the first half
of the run only, so the second half is one process whose memory and descriptors can be judged).

Invariants, checked from what the soak observes itself (sim control API, direct probes of the
members, dig against BIND) and from the sim's ARM request log, never from what the daemon says:
  healed       every fault is healed within its bound once the platform allows it (after an
               outage window ends, after BIND is back, ...): the member it broke Running,
               answering its health check, its A record at its group's IP (all four members
               for ARM, token, BIND and daemon faults)
  fresh        every mutating container-group call follows a reading of that group (GET, or a
               LIST of its resource group) at most two poll intervals older
  dns          no A record answers an IP no Running group has, while its member's group runs,
               for longer than pollInterval + 5 s, outside platform impairments
  budget       remediation actions (restart, stop, PUT) per cluster in any hour stay within
               policy.budget.maxActionsPerHour
  etcd         every key written to etcd and acknowledged is there at the end
  memory       the last daemon process's RSS grows < 2 MiB from after its warm-up to the end
               (not judged in sanitizer builds: ASan's quarantine grows by design)
  fds          the last daemon process holds no more descriptors at the end than after warm-up
  clean        the daemon exits 0 on SIGTERM at the end, with no sanitizer report in its log
  ladder       the daemon never gives up on a member (faults that break a member are spaced
               so that its ladder resets in between: a give-up means three rungs failed)

Usage: soak.py --minutes M [--seed S] [--out DIR] [--sanitized]
Writes DIR/report.md, DIR/samples.csv (RSS and descriptors over time), DIR/soak.png (with
matplotlib), DIR/daemon.log; exits 1 when an invariant failed. Binaries: $FRANKENETESD,
$FRANKENETES_SIM (as the integration tests).
"""
import argparse
import base64
import csv
import json
import os
import random
import signal
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import bind9  # noqa: E402
from daemon_harness import wait_until  # noqa: E402
from sim_cluster import MEMBERS, RESOURCE_GROUP, HealDaemon, Sim, daemon_config, parse_time  # noqa: E402

POLL_S = 1.0              # policy.pollInterval
BUDGET = 400              # policy.budget.maxActionsPerHour (one cluster)
DNS_GRACE_S = POLL_S + 5  # the dns invariant's bound
WARM_UP_S = 30            # of a daemon process, before its RSS and descriptors count
RESET_AFTER_S = 20        # policy.backoff.resetAfter: healthy this long restarts the ladder
# A member is broken again (crash, hang, deletion) only this long after its last such fault.
# The ladder has three rungs (restart, stop+start, recreate); a member that fails again within
# resetAfter of each climbs them and the daemon gives up on it until a person looks
# (remediation.gave_up) — by design, and not what this soak is about.
MEMBER_COOLDOWN_S = 60
ZONE = "example.test"
STATELESS = ("apiserver", "controller-manager", "scheduler")
CONTAINER_GROUP_PATH = f"/resourceGroups/{RESOURCE_GROUP}/providers/Microsoft.ContainerInstance/containerGroups"


def write_file(path, text):
    """Replaces `path` at once (a reader never sees half a key), mode 0600."""
    tmp = path + ".tmp"
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        f.write(text)
    os.replace(tmp, path)


def record_name(member):
    return f"cp-{member}.{ZONE}"


class Fault:
    """One injected fault: when it began, from when the platform lets it be healed (`allows`),
    and how long healing may take after that (`bound`)."""

    def __init__(self, kind, target, started, allows, bound, impairs=False):
        self.kind, self.target = kind, target
        self.started, self.allows, self.bound = started, allows, bound
        self.impairs = impairs  # the daemon cannot see or fix things until `allows`
        self.healed_at = None

    def deadline(self):
        return self.allows + self.bound


class Soak:
    def __init__(self, minutes, seed, out, sanitized):
        self.seconds = minutes * 60
        self.random = random.Random(seed)
        self.seed = seed
        self.out = out
        self.sanitized = sanitized
        self.faults = []
        self.samples = []        # (t, pid, rss KiB, fds)
        self.world = []          # (t, healthy members, wrong dns records)
        self.dns_wrong_since = {}
        self.dns_violations = []
        self.unexplained = []
        self.requests = []
        self.last_seq = 0
        self.etcd_keys = {}
        self.daemon_down = []    # [start, end] windows
        self.deck = []
        self.first_deck = True
        self.last_broken = {}  # member -> when a fault last broke it
        self.halt = threading.Event()
        self.lock = threading.Lock()
        self.t0 = time.monotonic()

    # --- the world ------------------------------------------------------------------------

    def start(self):
        self.sim = Sim(time_scale=0.1)
        wait_until(lambda: all(self.group_running(m) for m in MEMBERS), 60, "the sim's groups running")
        self.bind = bind9.Bind9(zone=ZONE).start()
        self.state_dir = os.path.join(self.out, "state")
        os.makedirs(self.state_dir, exist_ok=True)
        specs = {}
        for m in STATELESS:  # deletions of these are recreated from their spec
            specs[m] = os.path.join(self.out, f"{m}.json")
            with open(specs[m], "w") as f:
                json.dump(self.sim.arm_spec(m), f)
        tsig = self.tsig_file = os.path.join(self.out, "tsig.key")
        write_file(tsig, self.bind.secret + "\n")
        text = daemon_config(self.sim.endpoints, poll=f"{POLL_S:g}s", get_healthy="2s",
                             get_unhealthy="500ms", probe_period="500ms", probe_timeout="400ms",
                             failure_threshold=2, backoff_initial="1s", backoff_max="10s",
                             reset_after=f"{RESET_AFTER_S}s", budget=BUDGET, specs=specs)
        lines = []
        for line in text.split("\n"):
            lines.append(line)
            if line.startswith("        containerGroup: "):
                member = line.split(": ", 1)[1]
                lines.append(f"        dns: {{provider: bind, name: {record_name(member)}, ttl: 5}}")
        self.config = "\n".join(lines) + (
            "dns:\n"
            "  ownerId: fk-soak\n"
            "  verify: { timeout: 5s, interval: 200ms }\n"
            "  providers:\n"
            "    bind:\n"
            "      type: rfc2136\n"
            f'      server: "{self.bind.address()}"\n'
            f"      zone: {ZONE}\n"
            "      timeout: 2s\n"
            "      tsig: { name: frankenetes, algorithm: hmac-sha256, secretFile: " + json.dumps(tsig) + " }\n")
        self.daemon = None
        self.start_daemon()
        wait_until(self.all_healthy, 120, "every member healthy with its A record at the start")
        self.write_etcd_keys(50)

    def start_daemon(self):
        self.daemon = HealDaemon(self.config, env={"STATE_DIRECTORY": self.state_dir})
        self.daemon.wait_ready(timeout=30)
        self.daemon_started = time.monotonic()

    def stop(self):
        self.halt.set()
        for part in ("daemon", "bind", "sim"):
            thing = getattr(self, part, None)
            if thing is not None:
                try:
                    thing.stop()
                except Exception as e:  # keep stopping the others
                    print(f"stopping {part}: {e}", file=sys.stderr)

    def now(self):
        return time.monotonic() - self.t0

    def group(self, member):
        try:
            return self.sim.group(member)
        except (urllib.error.URLError, OSError):
            return None

    def group_running(self, member):
        g = self.group(member)
        return g is not None and g["state"] == "Running" and g["provisioningState"] == "Succeeded"

    @staticmethod
    def ip_of(g):
        return ((g or {}).get("arm", {}).get("properties", {}).get("ipAddress") or {}).get("ip")

    def observe(self):
        """{member: (running ip or None, health answered, A record answer)}."""
        out = {}
        for m, (_, _, url) in MEMBERS.items():
            g = self.group(m)
            running = g is not None and g["state"] == "Running" and g["provisioningState"] == "Succeeded"
            ip = self.ip_of(g) if running else None
            healthy = False
            if ip:
                try:
                    with urllib.request.urlopen(url.format(ip=ip), timeout=1) as r:
                        healthy = r.status == 200
                except (urllib.error.URLError, OSError):
                    healthy = False
            answer = sorted(l.strip() for l in self.bind.dig(record_name(m)) if l.strip()) \
                if self.bind.proc else None
            out[m] = (ip, healthy, answer)
        return out

    def all_healthy(self, seen=None):
        seen = seen or self.observe()
        return all(ip and healthy and answer == [ip] for ip, healthy, answer in seen.values())

    # --- etcd -----------------------------------------------------------------------------

    def etcd_call(self, path, body):
        g = self.group("etcd")
        ip = self.ip_of(g)
        if not ip:
            raise OSError("etcd has no IP")
        req = urllib.request.Request(f"http://{ip}:2379{path}", data=json.dumps(body).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=2) as r:
            return json.loads(r.read())

    @staticmethod
    def b64(text):
        return base64.b64encode(text.encode()).decode()

    def write_etcd_keys(self, n):
        for _ in range(n):
            key = f"/soak/{len(self.etcd_keys):06d}"
            value = f"v{self.random.random()}"
            try:
                self.etcd_call("/v3/kv/put", {"key": self.b64(key), "value": self.b64(value)})
            except (urllib.error.URLError, OSError, ValueError):
                continue  # not acknowledged: not counted
            self.etcd_keys[key] = value

    def etcd_missing(self):
        reply = self.etcd_call("/v3/kv/range", {"key": self.b64("/soak/"), "range_end": self.b64("/soak0")})
        present = {base64.b64decode(kv["key"]).decode(): base64.b64decode(kv["value"]).decode()
                   for kv in reply.get("kvs", [])}
        return [k for k, v in self.etcd_keys.items() if present.get(k) != v]

    # --- faults ---------------------------------------------------------------------------

    def arm_fault(self, **rule):
        self.sim.act("armFault", **rule)

    def inject(self, second_half):
        """One fault at random; returns the Fault."""
        r = self.random
        t = time.monotonic()
        kind, m = self.next_kind(second_half, t)
        if kind == "crash":
            self.sim.act("crash", group=m, container=m, exitCode=1, times=r.randint(1, 3))
            return Fault(kind, m, t, t, 90)
        if kind == "hang":
            self.sim.act("hang", group=m, container=m)
            return Fault(kind, m, t, t, 60)
        if kind == "changeIp":
            self.sim.act("changeIp", group=m)
            return Fault(kind, m, t, t, 30)
        if kind == "delete":
            self.sim.act("delete", group=m)
            return Fault(kind, m, t, t, 90)
        if kind == "arm429":
            seconds = r.randint(5, 15)
            self.arm_fault(operation="any", status=429, code="TooManyRequests",
                           message="Too many requests (soak)", retryAfterSeconds=2,
                           durationSeconds=seconds)
            return Fault(kind, "arm", t, t + seconds, 30, impairs=True)
        if kind == "arm5xx":
            count = r.randint(3, 12)
            self.arm_fault(operation="any", status=r.choice([500, 502, 503]), count=count)
            return Fault(kind, "arm", t, t, 30, impairs=True)
        if kind == "armOutage":
            seconds = r.randint(10, 30)
            self.arm_fault(operation="any", status=503, code="ServiceUnavailable",
                           durationSeconds=seconds)
            return Fault(kind, "arm", t, t + seconds, 30, impairs=True)
        if kind == "notFound":
            m = r.choice(list(MEMBERS))
            self.sim.act("notFound", group=m, count=r.randint(1, 3), body=r.choice(["arm", "html"]))
            return Fault(kind, m, t, t, 30)
        if kind == "tokenDown":
            seconds = r.randint(10, 20)
            self.arm_fault(operation="token", status=503, code="temporarily_unavailable",
                           durationSeconds=seconds)
            self.sim.act("revokeTokens")
            return Fault(kind, "token", t, t + seconds, 30, impairs=True)
        if kind == "tsigWrong":  # the key file is read at every use: updates are refused (BADSIG)
            seconds = r.randint(5, 15)
            write_file(self.tsig_file, base64.b64encode(os.urandom(32)).decode() + "\n")
            threading.Timer(seconds, self.tsig_back).start()
            return Fault(kind, "bind", t, t + seconds, 30, impairs=True)
        if kind == "bindDown":
            seconds = r.randint(5, 15)
            self.bind.stop_serving()
            threading.Timer(seconds, self.bind_back).start()
            return Fault(kind, "bind", t, t + seconds, 30, impairs=True)
        # daemonKill: SIGKILL, down for a moment, started again on the same state directory.
        os.kill(self.daemon.proc.pid, signal.SIGKILL)
        self.daemon.proc.wait(10)
        with open(os.path.join(self.out, f"daemon-{self.daemon.proc.pid}.log"), "w") as f:
            f.write(self.daemon.log())
        self.daemon.stop()
        down = r.uniform(1, 5)
        time.sleep(down)
        self.start_daemon()
        self.daemon_down.append((t, time.monotonic()))
        return Fault(kind, "daemon", t, time.monotonic(), 60, impairs=True)

    KINDS = ("crash", "hang", "changeIp", "delete", "arm429", "arm5xx", "armOutage", "notFound",
             "tokenDown", "bindDown", "tsigWrong", "daemonKill")

    # Which members a fault that breaks one may pick: etcd is never hung or deleted (a second
    # hang within resetAfter escalates to stop+start, which needs a snapshot, and the soak has
    # no Blob Storage).
    BREAKS = {"crash": tuple(MEMBERS), "hang": STATELESS, "delete": STATELESS}

    def next_kind(self, second_half, now):
        """(kind, member or None). Faults come from a shuffled deck of every kind (crash, hang
        and changeIp twice), so even a short run meets most kinds; the first deck kills the
        daemon early, and no deck does in the second half. A fault that breaks a member waits
        in the deck while every member it could break had one within MEMBER_COOLDOWN_S."""
        while True:
            if not self.deck:
                self.deck = list(self.KINDS) + ["crash", "hang", "changeIp"]
                self.random.shuffle(self.deck)
                if self.first_deck:
                    self.deck.remove("daemonKill")
                    self.deck.insert(self.random.randint(0, 3), "daemonKill")
                    self.first_deck = False
            for i, kind in enumerate(self.deck):
                if second_half and kind == "daemonKill":
                    continue
                if kind in self.BREAKS:
                    ready = [m for m in self.BREAKS[kind]
                             if now - self.last_broken.get(m, float("-inf")) >= MEMBER_COOLDOWN_S]
                    if not ready:
                        continue
                    member = self.random.choice(ready)
                    self.last_broken[member] = now
                elif kind == "changeIp":
                    member = self.random.choice(list(MEMBERS))
                else:
                    member = None
                del self.deck[i]
                return kind, member
            self.deck = []  # only faults that must wait (or daemonKill late): a fresh deck

    def bind_back(self):
        if not self.halt.is_set():
            self.bind.start(keep_port=True)

    def tsig_back(self):
        write_file(self.tsig_file, self.bind.secret + "\n")

    # --- the loops ------------------------------------------------------------------------

    def sample_process(self):
        pid = self.daemon.proc.pid
        try:
            with open(f"/proc/{pid}/status") as f:
                rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
            fds = len(os.listdir(f"/proc/{pid}/fd"))
        except (OSError, StopIteration):
            return
        with self.lock:
            self.samples.append((self.now(), pid, rss, fds))

    def impaired(self, t, grace):
        """Whether monotonic time `t` lies in a platform impairment (+ `grace` after it)."""
        return any(f.impairs and f.started <= t <= f.allows + grace for f in self.faults)

    def check_world(self):
        began = time.monotonic()
        seen = self.observe()
        t = time.monotonic()
        healthy = self.all_healthy(seen)
        running_ips = {ip for ip, _, _ in seen.values() if ip}
        wrong = 0
        for m, (ip, _, answer) in seen.items():
            bad = ip is not None and answer is not None and any(a not in running_ips for a in answer)
            if bad:
                wrong += 1
                since = self.dns_wrong_since.setdefault(m, t)
                if t - since > DNS_GRACE_S and not self.impaired(since, 2 * POLL_S + 5) \
                        and not self.impaired(t, 2 * POLL_S + 5):
                    self.dns_violations.append((round(since - self.t0, 1), round(t - since, 1), m, answer, ip))
                    self.dns_wrong_since[m] = t  # one report per bound exceeded
            else:
                self.dns_wrong_since.pop(m, None)
        well = {m for m, (ip, h, a) in seen.items() if ip and h and a == [ip]}
        with self.lock:
            self.world.append((t - self.t0, len(well), wrong))
            for f in self.faults:
                # A fault that broke one member is healed when that member is well again (its
                # dependents may still wait for it); any other when all four are.
                if f.healed_at is None and began >= f.allows and \
                        (f.target in well if f.target in MEMBERS else healthy):
                    f.healed_at = t
        return healthy

    def fetch_requests(self):
        entries = self.sim.requests(api="arm", since=self.last_seq)
        if entries:
            self.last_seq = max(e["seq"] for e in entries)
            self.requests.extend(entries)

    def run(self):
        end = self.t0 + self.seconds
        half = self.t0 + self.seconds / 2
        next_fault = time.monotonic() + self.random.uniform(5, 20)
        next_sample = 0
        next_fetch = time.monotonic() + 10
        next_key = time.monotonic() + 10
        # Faults stop a little before the end, so the last ones can be seen healed.
        quiet_from = end - 60
        while time.monotonic() < end:
            now = time.monotonic()
            if now >= next_fault and now < quiet_from:
                fault = self.inject(second_half=now >= half)
                with self.lock:
                    self.faults.append(fault)
                print(f"[{self.now():7.1f}s] {fault.kind} {fault.target}", flush=True)
                next_fault = time.monotonic() + self.random.uniform(5, 20)
            if now >= next_sample:
                self.sample_process()
                next_sample = now + 2
            if now >= next_fetch:
                self.fetch_requests()
                next_fetch = now + 10
            if now >= next_key:
                self.write_etcd_keys(1)
                next_key = now + 10
            self.check_world()
            time.sleep(max(0.0, 0.5 - (time.monotonic() - now)))
        # The last faults: wait (bounded) for them to be healed.
        wait_deadline = max([f.deadline() for f in self.faults] + [time.monotonic()])
        while any(f.healed_at is None for f in self.faults) and time.monotonic() < wait_deadline:
            self.check_world()
            time.sleep(0.5)
        self.sample_process()
        self.fetch_requests()

    # --- judgement ------------------------------------------------------------------------

    def judge(self):
        results = []  # (invariant, held, detail)

        late = [f for f in self.faults if f.healed_at is None or f.healed_at > self.extended_deadline(f)]
        results.append(("healed", not late,
                        f"{len(self.faults) - len(late)}/{len(self.faults)} faults healed within bound" +
                        "".join(f"; {f.kind} {f.target} at {f.started - self.t0:.0f}s "
                                f"{'never' if f.healed_at is None else f'after {f.healed_at - f.allows:.0f}s'}"
                                for f in late[:5])))

        stale = self.stale_mutations()
        results.append(("fresh", not stale, f"{self.mutations} mutating calls, each after a reading "
                        f"≤ {2 * POLL_S:g}s old" if not stale else
                        f"{len(stale)} mutating calls on older readings: " + "; ".join(stale[:5])))

        results.append(("dns", not self.dns_violations,
                        f"no record wrong > {DNS_GRACE_S:g}s outside impairments" if not self.dns_violations
                        else "; ".join(f"{m} answered {a} (group at {ip}) from {s}s for {d}s"
                                       for s, d, m, a, ip in self.dns_violations[:5])))

        worst = self.max_actions_per_hour()
        results.append(("budget", worst <= BUDGET,
                        f"at most {worst} actions in any hour (budget {BUDGET})"))

        try:
            missing = self.etcd_missing()
            results.append(("etcd", not missing, f"{len(self.etcd_keys)} keys written, "
                            f"{len(missing)} missing" + (f": {missing[:5]}" if missing else "")))
        except (urllib.error.URLError, OSError, ValueError) as e:
            results.append(("etcd", False, f"could not read etcd at the end: {e}"))

        growth, fd_growth, span = self.process_growth()
        if growth is None:
            results.append(("memory", False, "the last daemon process ran too briefly to judge"))
            results.append(("fds", False, "the last daemon process ran too briefly to judge"))
        else:
            if self.sanitized:
                results.append(("memory", True, f"not judged under sanitizers (grew {growth / 1024:.2f} MiB "
                                f"over {span:.0f}s)"))
            else:
                results.append(("memory", growth < 2048, f"RSS grew {growth / 1024:.2f} MiB over the last "
                                f"{span:.0f}s of the last process (limit 2 MiB)"))
            results.append(("fds", fd_growth <= 0, f"descriptors {fd_growth:+d} over the last {span:.0f}s"))

        self.daemon.signal(signal.SIGTERM)
        try:
            code = self.daemon.proc.wait(30)
        except Exception:
            code = None
        log = self.daemon.log()
        reports = [l for l in log.splitlines() if "ERROR: AddressSanitizer" in l or "runtime error:" in l
                   or "ERROR: LeakSanitizer" in l]
        results.append(("clean", code == 0 and not reports,
                        f"exit {code} on SIGTERM, {len(reports)} sanitizer reports" +
                        (f": {reports[0][:200]}" if reports else "")))
        with open(os.path.join(self.out, "daemon.log"), "w") as f:
            f.write(log)
        gave_up = []
        for name in sorted(os.listdir(self.out)):
            if name.startswith("daemon") and name.endswith(".log"):
                with open(os.path.join(self.out, name)) as f:
                    gave_up += [l for l in f if " remediation.gave_up " in l]
        results.append(("ladder", not gave_up, "the daemon never gave up on a member" if not gave_up
                        else f"{len(gave_up)} give-ups: {gave_up[0][:200].strip()}"))
        return results

    def extended_deadline(self, fault):
        """A fault's deadline, extended by the deadlines of faults that overlapped it while the
        world was still broken (a crash during an ARM outage is healed after the outage)."""
        deadline = fault.deadline()
        for other in self.faults:
            if fault.started <= other.started <= (fault.healed_at or float("inf")):
                deadline = max(deadline, other.deadline())
        return deadline

    def stale_mutations(self):
        """Mutating container-group calls without a reading of that group ≤ 2 intervals old."""
        last_read = {}
        self.mutations = 0
        out = []
        for e in sorted(self.requests, key=lambda e: e["seq"]):
            path = e["path"].split("?")[0]
            if CONTAINER_GROUP_PATH not in path or "frankenetesd/" not in (e.get("userAgent") or ""):
                continue
            rest = path.split(CONTAINER_GROUP_PATH, 1)[1].strip("/")
            t = parse_time(e["time"])
            if e["method"] == "GET":
                if e["status"] not in (200, 404):
                    continue
                if rest == "":           # LIST of the resource group: a reading of every group
                    for m in MEMBERS:
                        last_read[m] = t
                elif "/" not in rest:
                    last_read[rest] = t
                continue
            if e["method"] in ("PUT", "POST", "DELETE", "PATCH"):
                group = rest.split("/")[0]
                self.mutations += 1
                read = last_read.get(group)
                if read is None or t - read > 2 * POLL_S:
                    out.append(f"{e['method']} {rest} at {e['time']} (last read "
                               f"{'never' if read is None else f'{t - read:.1f}s before'})")
        return out

    def max_actions_per_hour(self):
        times = []
        for e in self.requests:
            path = e["path"].split("?")[0]
            if CONTAINER_GROUP_PATH not in path or "frankenetesd/" not in (e.get("userAgent") or ""):
                continue
            rest = path.split(CONTAINER_GROUP_PATH, 1)[1].strip("/")
            if (e["method"] == "POST" and rest.endswith(("/restart", "/stop"))) or \
                    (e["method"] == "PUT" and "/" not in rest):
                times.append(parse_time(e["time"]))
        times.sort()
        worst, j = 0, 0
        for i, t in enumerate(times):
            while times[j] < t - 3600:
                j += 1
            worst = max(worst, i - j + 1)
        return worst

    def process_growth(self):
        """(RSS growth KiB, descriptor growth, seconds) of the last process after its warm-up."""
        pid = self.daemon.proc.pid
        mine = [s for s in self.samples if s[1] == pid]
        if not mine:
            return None, None, 0
        start = mine[0][0] + WARM_UP_S
        after = [s for s in mine if s[0] >= start]
        if len(after) < 10:
            return None, None, 0
        first = after[:5]
        last = after[-5:]
        growth = statistics.median(s[2] for s in last) - statistics.median(s[2] for s in first)
        fd_growth = min(s[3] for s in last) - max(s[3] for s in first)
        return growth, fd_growth, after[-1][0] - after[0][0]

    # --- report ---------------------------------------------------------------------------

    def report(self, results):
        by_kind = {}
        for f in self.faults:
            k = by_kind.setdefault(f.kind, [0, 0, []])
            k[0] += 1
            if f.healed_at is not None:
                k[1] += 1
                k[2].append(max(0.0, f.healed_at - f.allows))
        lines = [f"# Chaos soak: {self.seconds / 60:g} minutes, seed {self.seed}"
                 f"{' (sanitizer build)' if self.sanitized else ''}", "",
                 f"Reproduce with `scripts/soak {self.seconds / 60:g} --seed {self.seed}`; run "
                 f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.", "",
                 "| invariant | held | detail |", "|---|---|---|"]
        lines += [f"| {name} | {'yes' if held else '**no**'} | {detail} |" for name, held, detail in results]
        lines += ["", "| fault | injected | healed | heal p50 s | heal max s |", "|---|---:|---:|---:|---:|"]
        for kind in sorted(by_kind):
            n, healed, times = by_kind[kind]
            p50 = f"{statistics.median(times):.1f}" if times else "-"
            mx = f"{max(times):.1f}" if times else "-"
            lines.append(f"| {kind} | {n} | {healed} | {p50} | {mx} |")
        lines += ["", "Heal time: from when the platform allows it (an outage's end, BIND back, the daemon "
                  "started again; else the injection) to the first observation of the member it broke "
                  "(all four members for ARM, token, BIND and daemon faults) running, healthy and at "
                  "its A record.", ""]
        longest, start = 0.0, None
        for t, well, _ in self.world:
            if well == len(MEMBERS):
                start = None
            else:
                start = t if start is None else start
                longest = max(longest, t - start)
        lines.append(f"Longest stretch with some member not running, healthy and at its record: "
                     f"{longest:.0f} s.")
        rss = [s for s in self.samples]
        if rss:
            lines.append(f"Daemon RSS: min {min(s[2] for s in rss) / 1024:.1f} MiB, max "
                         f"{max(s[2] for s in rss) / 1024:.1f} MiB; descriptors {min(s[3] for s in rss)}.."
                         f"{max(s[3] for s in rss)}; {len(self.requests)} ARM requests from all clients.")
        text = "\n".join(lines) + "\n"
        with open(os.path.join(self.out, "report.md"), "w") as f:
            f.write(text)
        with open(os.path.join(self.out, "samples.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["seconds", "pid", "rss_kib", "fds"])
            w.writerows(self.samples)
        self.plot()
        return text

    def plot(self):
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            print("matplotlib not available: no soak.png (apt-get install python3-matplotlib)")
            return
        fig, (a, b) = plt.subplots(2, 1, figsize=(9, 5), sharex=True)
        for pid in sorted({s[1] for s in self.samples}):
            mine = [s for s in self.samples if s[1] == pid]
            a.plot([s[0] / 60 for s in mine], [s[2] / 1024 for s in mine], label=f"pid {pid}")
            b.plot([s[0] / 60 for s in mine], [s[3] for s in mine])
        for f in self.faults:
            a.axvline((f.started - self.t0) / 60, color="0.85", linewidth=0.5, zorder=0)
        a.set_ylabel("RSS (MiB)")
        b.set_ylabel("open descriptors")
        b.set_xlabel("minutes (grey lines: faults)")
        a.set_title(f"frankenetesd under the chaos soak ({self.seconds / 60:g} min, seed {self.seed})")
        fig.tight_layout()
        fig.savefig(os.path.join(self.out, "soak.png"), dpi=90)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--out", default=None)
    parser.add_argument("--sanitized", action="store_true",
                        help="a sanitizer build: RSS growth is reported, not judged")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else int(time.time())
    out = os.path.abspath(args.out or os.path.join("build", "soak", time.strftime("%Y%m%d-%H%M%S")))
    os.makedirs(out, exist_ok=True)
    soak = Soak(args.minutes, seed, out, args.sanitized)
    try:
        soak.start()
        soak.run()
        results = soak.judge()
        print(soak.report(results))
    finally:
        soak.stop()
    print(f"soak output: {out}")
    return 0 if all(held for _, held, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
