"""Faults and the time to the call that corrects them, read from the sim's request log.

Three kinds, each injected through the sim's control API and corrected by one kind of call:
  crash  container crash-loops (crash {"always": true})   -> a mutating ARM call on the group
                                                              (the restart POST, normally)
  hang   container hangs (hang {"hung": true}): Running  -> the same
         for ARM, the health listener never answers
  ip     the group moves to a new IP (POST .../ip)         -> the PUT/PATCH of its A record
                                                              (Azure DNS, request log api dns)
Latency = the request-log time of the corrective call - the wall-clock time just before the
injecting control call (the sim stamps its log with the same system clock). A fault not
corrected within its deadline counts as missed (infinite latency: its p99 fails).

Scheduling: one fault at a time per cluster (a dependency's trouble would make the daemon
rightly skip a dependent: dependency_unhealthy), each fault on the least-used free cluster, so
every fault has a cluster of its own while N allows; injections are spread in time (spacing x
U(0.5, 1.5)) so they land at random points of the poll cycle and never all at once. After its
corrective call a fault is cleared; the cluster is free again once the sim shows the group
healthy, the system under test says the cluster is settled, and U(0, phase_s) more has passed
(else, with clusters reused, every fault would follow a passing probe at the same phase); a
member is broken again only after `member_cooldown_s` (the daemon's back-off and ladder reset
after policy resetAfter).
The loop is single-threaded and waits on conditions with deadlines; it never sleeps on hope.
"""
import random
import time
import urllib.parse

import world
from measure import MUTATING, entry_time

KINDS = ("crash", "hang", "ip")


class Fault:
    def as_dict(self):
        c = self.corrective
        return {"kind": self.kind, "group": f"{self.rg}/{self.group}", "injectedAt": round(self.injected_at, 3),
                "latency": None if self.latency is None else round(self.latency, 3), "missed": self.missed,
                "call": f"{c['method']} {c['path'].split('?')[0]} {c['status']}" if c else None,
                "explanation": self.explanation}

    def __init__(self, kind, cluster, member, layout):
        self.kind, self.cluster, self.member = kind, cluster, member
        self.rg = world.resource_group(cluster, layout)
        self.group = world.group_name(cluster, member)
        self.injected_at = None   # wall clock (Unix seconds), just before the control call
        self.corrective = None    # the request-log entry
        self.latency = None       # seconds; None until corrected (or missed)
        self.missed = False
        self.cleared = False
        self.released = False
        self.started = None       # monotonic time of the injection
        self.cleared_at = None    # monotonic time the fault was cleared
        self.explanation = ""     # what the system under test said about a missed fault
        # Lowercase path prefixes that identify the corrective call.
        if kind == "ip":
            self.prefix = f"/providers/microsoft.network/dnszones/{world.ZONE}/a/{world.record_name(cluster, member)}"
        else:
            self.prefix = (f"/resourcegroups/{self.rg}/providers/microsoft.containerinstance/"
                           f"containergroups/{self.group}")

    def control_path(self, suffix=""):
        rg, name = urllib.parse.quote(self.rg), urllib.parse.quote(self.group)
        return f"/groups/{rg}/{name}{suffix}"


def _suffix_ok(path, prefix):
    """`path` is `prefix` itself or an action under it (…/restart), never another group whose
    name merely starts the same (c0001-etcd vs c0001-etcd2)."""
    at = path.find(prefix)
    if at < 0:
        return False
    rest = path[at + len(prefix):]
    return rest == "" or rest.startswith("/")


class FaultRunner:
    def __init__(self, control, tally, n, layout, per_kind, spacing_s, deadline_s, member_cooldown_s,
                 phase_s, settled=None, explain=None, seed=1, log=print):
        """`deadline_s`: kind -> seconds to wait for the corrective call. `phase_s`: a released
        cluster waits U(0, phase_s) more, so that the next fault on it does not land at the same
        point of the poll or probe cycle as the release (which follows a passing probe).
        `settled`: function of a cluster index telling whether the system under test sees it
        healthy again (None: the sim's view is enough)."""
        self.control, self.tally, self.n, self.layout = control, tally, n, layout
        self.spacing_s, self.deadline_s, self.member_cooldown_s = spacing_s, deadline_s, member_cooldown_s
        self.phase_s = phase_s
        self.cluster_free_at = [0.0] * n  # monotonic time
        self.settled = settled
        self.explain = explain  # function (cluster, member) -> text, for a missed fault
        self.rng = random.Random(seed)
        self.log = log
        self.pending = [k for _ in range(per_kind) for k in KINDS]  # interleaved kinds
        self.active = []          # injected, not yet released
        self.done = []
        self.busy = set()         # clusters with an active fault
        self.uses = [0] * n
        self.member_free_at = {}  # (cluster, member) -> monotonic time
        # Where each cluster's member rotation starts: spread, so that faults on distinct
        # clusters hit every role, not etcd each time.
        self.next_member = [c % len(world.MEMBERS) for c in range(n)]
        self.mutations = []       # every successful mutating ARM/DNS call seen meanwhile
        tally.listeners.append(self._on_entry)

    # --- the request log ---------------------------------------------------------------
    def _on_entry(self, entry):
        if entry["method"] in MUTATING and entry["api"] in ("arm", "dns") and 200 <= entry["status"] < 300:
            self.mutations.append(entry)
        for f in self.active:
            if f.corrective is None and not f.missed and _corrects(f, entry):
                f.corrective = entry
                f.latency = entry_time(entry) - f.injected_at

    # --- choosing, injecting, clearing ---------------------------------------------------
    def _pick(self, now):
        free = [c for c in range(self.n) if c not in self.busy and self.cluster_free_at[c] <= now]
        self.rng.shuffle(free)
        free.sort(key=lambda c: self.uses[c])
        members = list(world.MEMBERS)
        for c in free:
            for k in range(len(members)):
                m = members[(self.next_member[c] + k) % len(members)]
                if self.member_free_at.get((c, m), 0) <= now:
                    self.next_member[c] = (self.next_member[c] + k + 1) % len(members)
                    return c, m
        return None

    def _inject(self, f):
        c = f.member  # the container is named after the member (world.group_body)
        f.injected_at = time.time()
        if f.kind == "crash":
            self.control.call("POST", f.control_path(f"/containers/{c}/crash"), {"always": True, "exitCode": 1})
        elif f.kind == "hang":
            self.control.call("POST", f.control_path(f"/containers/{c}/hang"), {"hung": True})
        else:
            self.control.call("POST", f.control_path("/ip"), {})

    def _clear(self, f):
        c = f.member
        if f.kind == "crash":
            self.control.call("DELETE", f.control_path(f"/containers/{c}/crash"))
        elif f.kind == "hang":
            self.control.call("POST", f.control_path(f"/containers/{c}/hang"), {"hung": False})
        f.cleared = True

    def _group_healthy(self, f):
        g = self.control.call("GET", f.control_path())
        return g["state"] == "Running" and g["provisioningState"] == "Succeeded" and all(
            c["state"] == "Running" and not c["hung"] and not c["crash"]["always"] for c in g["containers"])

    # --- the loop ----------------------------------------------------------------------
    def run(self, timeout_s):
        deadline = time.monotonic() + timeout_s
        next_at = time.monotonic()
        while self.pending or self.active:
            now = time.monotonic()
            if now > deadline:
                raise TimeoutError(f"faults not finished after {timeout_s:.0f}s: "
                                   f"{len(self.pending)} pending, {len(self.active)} active")
            self.tally.pull()
            for f in list(self.active):
                self._advance(f, now)
            if self.pending and now >= next_at:
                target = self._pick(now)
                if target:
                    f = Fault(self.pending.pop(0), *target, self.layout)
                    self.busy.add(f.cluster)
                    self.uses[f.cluster] += 1
                    f.started = now
                    self._inject(f)
                    self.active.append(f)
                    next_at = now + self.spacing_s * self.rng.uniform(0.5, 1.5)
            time.sleep(0.1)
        return self.done

    def _advance(self, f, now):
        if f.corrective is None and not f.missed and now - f.started > self.deadline_s[f.kind]:
            f.missed = True
            self.log(f"  missed: {f.kind} on {f.group} (no corrective call in {self.deadline_s[f.kind]:.0f}s)")
            if self.explain:
                f.explanation = self.explain(f.cluster, f.member)
                self.log("    " + f.explanation.replace("\n", "\n    "))
        if (f.corrective is not None or f.missed) and not f.cleared:
            self._clear(f)
            f.cleared_at = now
        if f.cleared and not f.released:
            if f.kind != "ip" and not self._group_healthy(f):
                if now - f.cleared_at > 120:
                    raise TimeoutError(f"{f.group} not healthy in the sim 120s after its {f.kind} was cleared")
                return
            if self.settled is not None and not self.settled(f.cluster):
                if now - f.cleared_at > 180:
                    raise TimeoutError(f"cluster {world.cluster_name(f.cluster)} not settled 180s after a {f.kind}")
                return
            f.released = True
            self.busy.discard(f.cluster)
            self.cluster_free_at[f.cluster] = now + self.rng.uniform(0, self.phase_s)
            self.member_free_at[(f.cluster, f.member)] = now + self.member_cooldown_s
            self.active.remove(f)
            self.done.append(f)

    def unmatched_mutations(self):
        """Successful mutating calls that were not a fault's corrective call: extra actions."""
        matched = {id(f.corrective) for f in self.done if f.corrective is not None}
        return [e for e in self.mutations if id(e) not in matched]


def _corrects(fault, entry):
    if entry["method"] not in MUTATING or not 200 <= entry["status"] < 300:
        return False
    if entry_time(entry) < fault.injected_at:
        return False
    path = entry["path"].lower().split("?", 1)[0]
    if fault.kind == "ip":
        return entry["api"] == "dns" and entry["method"] in ("PUT", "PATCH") and path.endswith(fault.prefix)
    return entry["api"] == "arm" and _suffix_ok(path, fault.prefix)
