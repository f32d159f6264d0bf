"""Replicas sharing clusters (issue 13): two frankenetesd on one configuration with four clusters
(one per group of the sim's scenario) and a `coordination` section, per-cluster Blob leases in
Azurite. Each cluster ends with exactly one holder; every mutating ARM call for a cluster comes
from its holder (the sim's request log records the User-Agent, "frankenetesd/<v> replica/<id>");
`kill -9` of one replica moves its clusters to the other within leaseDuration + one renewEvery,
and the survivor heals a fault injected right after; a newcomer gets its share, and a SIGTERM
hands the leases over at once (released, not expired). Storage unreachable for one replica only
(a proxy in front of its Azurite that stops answering): it stops acting before its leases can
have expired, the other takes its clusters after, and heals what breaks there — no overlap in the
request log. Three replicas share thirty clusters (a virtual-mode sim) 10/10/10. A cluster's
history moves with its lease (state/<cluster>.json): the next holder continues the ladder, the
back-off and the budget.

Measured numbers are printed as "[test] key=value" lines.
"""
import json
import os
import re
import signal
import socket
import threading
import time
import unittest
import urllib.parse

import yaml

import azurite
from daemon_harness import wait_until
from sim_cluster import MEMBERS, MUTATING, RESOURCE_GROUP, HealDaemon, HealTestCase, Rebreaker, Sim, \
    azure_section, daemon_config, log_events, parse_log_time, parse_time

CONTAINER = "frankenetes"
LEASE = 15.0   # coordination.leaseDuration, seconds
RENEW = 3.0    # coordination.renewEvery
CLUSTERS = {f"c-{name}": name for name in MEMBERS}  # cluster -> its one member (and group)


def four_clusters(text):
    """daemon_config()'s one cluster `sim` of four members, as four clusters of one member each
    (same resource group; dependsOn dropped, it cannot cross clusters)."""
    lines = text.split("\n")
    start = lines.index("clusters:")
    end = lines.index("policy:")
    members, current = [], None
    for line in lines[start + 1:end]:
        if line.startswith("      - name: "):
            current = [line]
            members.append(current)
        elif current is not None:
            current.append(line)
    out = ["clusters:"]
    for member in members:
        name = member[0].split(": ", 1)[1]
        out += [f"  - name: c-{name}", "    resourceGroup: frankenetes", "    members:"]
        out += [re.sub(r"dependsOn: .*", "dependsOn: []", line) for line in member]
    return "\n".join(lines[:start] + out + lines[end:])


class CuttableProxy:
    """A TCP forwarder on loopback in front of one replica's Azurite: cut() makes storage
    unreachable for that replica alone, the nasty way — connections are accepted and never
    answered, and the ones open are dropped — while the other replica still talks to Azurite."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.cut_off = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.sockets = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _keep(self, sock):
        with self.lock:
            self.sockets.append(sock)

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self._keep(client)
            if self.cut_off.is_set():
                continue  # held open, never answered
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            self._keep(upstream)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source, sink):
        try:
            while not self.cut_off.is_set():
                data = source.recv(65536)
                if not data or self.cut_off.is_set():
                    break
                sink.sendall(data)
        except OSError:
            pass

    def cut(self):
        self.cut_off.set()
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self.sockets.clear()

    def close(self):
        self.cut()
        self.listener.close()


def replica_of(user_agent):
    m = re.search(r"replica/(\S+)", user_agent or "")
    return m.group(1) if m else None


def group_of(path):
    m = re.search(r"/containerGroups/([^/?]+)", path)
    return m.group(1) if m else None


class Coordination(HealTestCase):
    DEADLINE = 115

    def setUp(self):
        super().setUp()
        self.azurite = azurite.start_for(self)
        self.azurite.client(CONTAINER).create()
        self.key_file = os.path.join(self.tmp.name, "storage-key")
        with open(self.key_file, "w") as f:
            f.write(azurite.KEY + "\n")

    def config(self, sim, replica_id=None, endpoint=None, **kwargs):
        extra = (
            self.azurite.storage_section(CONTAINER, self.key_file, endpoint) +
            "etcd:\n"
            "  snapshots: { enabled: false }\n"
            "coordination:\n"
            f"  leaseDuration: {int(LEASE)}s\n"
            f"  renewEvery: {int(RENEW)}s\n")
        if replica_id:
            extra += f"  replicaId: {replica_id}\n"
        # No replicaId: both replicas run the very same file and are <hostname>-<pid>.
        return four_clusters(daemon_config(sim.endpoints, failure_threshold=2, extra=extra, **kwargs))

    def start_replica(self, text, sim):
        daemon = HealDaemon(text)
        self.addCleanup(daemon.stop)
        self.addCleanup(self.dump_on_failure, daemon, sim)
        daemon.wait_ready(timeout=20)  # /readyz holds while the replica holds nothing
        return daemon

    def holdings(self, daemons):
        """{cluster: [replica ids whose frankenetes_cluster_leader is 1]} over live `daemons`."""
        held = {c: [] for c in CLUSTERS}
        for d in daemons:
            for name, labels, value in d.samples():
                if name == "frankenetes_cluster_leader" and value == 1 and labels["cluster"] in held:
                    held[labels["cluster"]].append(labels["replica"])
        return held

    def test_two_replicas_share_four_clusters_and_one_takes_over(self):
        sim = self.start_sim()
        text = self.config(sim)
        a = self.start_replica(text, sim)
        b = self.start_replica(text, sim)
        started = time.monotonic()

        def each_once():
            held = self.holdings([a, b])
            return held if all(len(r) == 1 for r in held.values()) else None
        held = wait_until(each_once, 4 * RENEW + 10, "every cluster held by exactly one replica")
        settled = time.monotonic() - started
        # Each replica's own id (the default, <hostname>-<pid>) from its gauge's labels.
        ids = {}
        for d in (a, b):
            ids[d] = next(l["replica"] for n, l, _ in d.samples() if n == "frankenetes_cluster_leader")
            self.assertTrue(ids[d].endswith(f"-{d.proc.pid}"), ids[d])
        split = {ids[a]: sum(v == [ids[a]] for v in held.values()),
                 ids[b]: sum(v == [ids[b]] for v in held.values())}

        # Faults in every cluster: only its holder may send the restart.
        since = sim.last_seq()
        for cluster, member in CLUSTERS.items():
            if member != "etcd":  # etcd's restart is refused later on (data at risk): keep it out
                sim.act("hang", group=member, container=member)
        healed = {m: False for m in CLUSTERS.values() if m != "etcd"}

        def restarted():
            for e in sim.requests(api="arm", since=since):
                if e["method"] == "POST" and group_of(e["path"]) in healed and \
                        e["path"].split("?")[0].endswith("/restart"):
                    healed[group_of(e["path"])] = True
            return all(healed.values())
        wait_until(restarted, 30, "a restart of every hung member")
        time.sleep(RENEW)  # let any stray call land in the log before it is checked
        still_held = self.holdings([a, b])
        self.assertEqual(still_held, held, "the holdings moved while the faults were healed")
        mutations = [e for e in sim.requests(api="arm") if e["method"] in MUTATING]
        self.assertTrue(mutations)
        for e in mutations:
            cluster = f"c-{group_of(e['path'])}"
            self.assertEqual(replica_of(e["userAgent"]), held[cluster][0],
                             f"{e['method']} {e['path']} by {e['userAgent']}, holder {held[cluster]}")

        # kill -9 the replica that holds more (either when the split is even).
        victim, survivor = (a, b) if split[ids[a]] >= split[ids[b]] else (b, a)
        moving = [c for c, r in held.items() if r == [ids[victim]]]
        os.kill(victim.proc.pid, signal.SIGKILL)
        victim.proc.wait(5)
        killed = time.monotonic()

        def all_four():
            return all(r == [ids[survivor]] for r in self.holdings([survivor]).values())
        wait_until(all_four, LEASE + RENEW + 5, "the survivor holding all four clusters")
        takeover = time.monotonic() - killed
        self.assertLessEqual(takeover, LEASE + RENEW + 1.0,
                             "takeover took longer than leaseDuration + renewEvery (+1 s of polling)")

        # A fault in a cluster that moved: the survivor heals it, continuing the ladder the
        # victim left in state/<cluster>.json (its restart above was rung 0: now stop+start).
        member = next((CLUSTERS[c] for c in moving if CLUSTERS[c] != "etcd"), "scheduler")
        since = sim.last_seq()
        faulted = time.monotonic()
        sim.act("hang", group=member, container=member)

        def survivor_restart():
            for e in sim.requests(api="arm", method="POST", since=since):
                if group_of(e["path"]) == member and \
                        e["path"].split("?")[0].rsplit("/", 1)[-1] in ("restart", "stop"):
                    return e
            return None
        restart = wait_until(survivor_restart, 30, f"the survivor's action on {member}")
        self.assertTrue(restart["path"].split("?")[0].endswith("/stop"),
                        f"the survivor continued the ladder at rung 1 (stop+start): {restart['path']}")
        self.assertEqual(replica_of(restart["userAgent"]), ids[survivor])
        fault_to_restart = time.monotonic() - faulted
        self.wait_healthy(survivor, [member], timeout=30)

        # A newcomer gets its share from the survivor (one release per renewEvery), and a
        # SIGTERM hands the survivor's leases over at once (release_all), not after they expire.
        newcomer = self.start_replica(text, sim)
        joined = time.monotonic()

        def shared():
            held = self.holdings([survivor, newcomer])
            return all(len(r) == 1 for r in held.values()) and \
                sum(r == [ids[survivor]] for r in held.values()) == 2
        wait_until(shared, 8 * RENEW + 10, "the newcomer holding its share of two")
        rebalanced = time.monotonic() - joined
        survivor.signal(signal.SIGTERM)
        terminated = time.monotonic()
        self.assertEqual(survivor.proc.wait(10), 0)
        newcomer_id = next(l["replica"] for n, l, _ in newcomer.samples()
                           if n == "frankenetes_cluster_leader")

        def newcomer_holds_all():
            return all(r == [newcomer_id] for r in self.holdings([newcomer]).values())
        wait_until(newcomer_holds_all, LEASE + RENEW + 5, "the newcomer holding all four")
        handover = time.monotonic() - terminated
        self.assertLess(handover, LEASE - RENEW, "the leases expired instead of being released")
        self.report(settled_s=settled, split=split, takeover_s=takeover,
                    lease_plus_renew_s=LEASE + RENEW, moved=len(moving),
                    fault_to_restart_s=fault_to_restart, newcomer_share_s=rebalanced,
                    sigterm_handover_s=handover)

    # Storage unreachable for one replica only: it stops acting before its leases can have
    # expired (fencing by its own clock), the other takes its clusters after they expire, and
    # the faults injected then are healed by the new holder alone — no overlap in the log.
    def test_a_replica_cut_off_from_storage_stops_before_its_leases_expire(self):
        sim = self.start_sim()
        url = urllib.parse.urlsplit(self.azurite.endpoint)
        proxy = CuttableProxy(url.port)
        self.addCleanup(proxy.close)
        through_proxy = urllib.parse.urlunsplit(
            (url.scheme, f"127.0.0.1:{proxy.port}", url.path, url.query, url.fragment))
        a = self.start_replica(self.config(sim), sim)
        b = self.start_replica(self.config(sim, endpoint=through_proxy), sim)
        wait_until(lambda: self.split([a, b]), 4 * RENEW + 10, "every cluster held by one replica")
        id_a, id_b = self.replica_id(a), self.replica_id(b)
        moving = [c for c, r in self.holdings([a, b]).items() if r == [id_b]]
        self.assertTrue(moving, "B holds nothing to lose")

        proxy.cut()
        cut = time.monotonic()

        def b_stopped():
            # /status and the leader gauge both ask the fencing rule at the moment they are
            # read, while B's lease tick hangs on storage that never answers.
            _, _, body = b.get("/status", timeout=10)
            acting = {c["cluster"] for c in json.loads(body)["coordination"]["clusters"]
                      if c["mayAct"]}
            leading = {c for c, r in self.holdings([b]).items() if r == [id_b]}
            return not acting.intersection(moving) and not leading.intersection(moving)
        wait_until(b_stopped, LEASE + RENEW + 5, "B no longer acting on its clusters",
                   every=0.25)
        stopped = time.monotonic() - cut
        self.assertLess(stopped, LEASE, "B acted on after its leases could have expired")

        def a_holds():
            held = self.holdings([a])
            return all(held[c] == [id_a] for c in moving)
        wait_until(a_holds, 2 * LEASE + RENEW + 5, "A holding B's clusters")
        taken_over = time.monotonic() - cut
        self.assertGreater(taken_over, stopped, "A acted on a cluster B could still act on")

        since = sim.last_seq()
        faulted = [CLUSTERS[c] for c in moving if CLUSTERS[c] != "etcd"]
        for member in faulted:
            sim.act("hang", group=member, container=member)

        def acted():
            groups = {group_of(e["path"]) for e in sim.requests(api="arm", since=since)
                      if e["method"] in MUTATING}
            return all(m in groups for m in faulted)
        if faulted:
            wait_until(acted, 40, "A's actions on the faults in the clusters it took over")
        time.sleep(RENEW)  # let any stray call from B land in the log before it is checked
        for e in sim.requests(api="arm", since=since):
            if e["method"] in MUTATING and f"c-{group_of(e['path'])}" in moving:
                self.assertEqual(replica_of(e["userAgent"]), id_a,
                                 f"{e['method']} {e['path']} by {e['userAgent']} after the cut")
        self.report(moved=len(moving), b_stopped_after_cut_s=stopped,
                    a_took_over_after_cut_s=taken_over, lease_s=LEASE)

    def replica_id(self, daemon):
        return next(l["replica"] for n, l, _ in daemon.samples() if n == "frankenetes_cluster_leader")

    def split(self, daemons):
        """{replica id: clusters held} when every cluster has exactly one holder, else None."""
        held = self.holdings(daemons)
        if not all(len(r) == 1 for r in held.values()):
            return None
        ids = [self.replica_id(d) for d in daemons]
        return {i: sum(r == [i] for r in held.values()) for i in ids}

    # Fair share with three: live replicas sorted by id split four clusters 2/1/1 (the first
    # id takes the extra one); a SIGTERM leaves 2/2 between the other two.
    def test_three_replicas_split_four_clusters_fairly(self):
        sim = self.start_sim()
        text = self.config(sim)
        daemons = [self.start_replica(text, sim) for _ in range(3)]
        started = time.monotonic()
        ids = sorted(self.replica_id(d) for d in daemons)

        def fair():
            split = self.split(daemons)
            return split if split and split[ids[0]] == 2 and \
                split[ids[1]] == 1 and split[ids[2]] == 1 else None
        wait_until(fair, 8 * RENEW + 10, "four clusters split 2/1/1 in replica-id order")
        settled = time.monotonic() - started
        leaving = next(d for d in daemons if self.replica_id(d) == ids[0])
        staying = [d for d in daemons if d is not leaving]
        leaving.signal(signal.SIGTERM)
        self.assertEqual(leaving.proc.wait(10), 0)
        left = time.monotonic()

        def even():
            split = self.split(staying)
            return split if split and sorted(split.values()) == [2, 2] else None
        wait_until(even, LEASE + 4 * RENEW, "the other two holding two each")
        self.report(three_way_settled_s=settled, after_sigterm_even_s=time.monotonic() - left)

    # Thirty clusters among three replicas: every cluster with exactly one holder, and the
    # holdings differ by at most one (10/10/10 by the fair share). Thirty distinct groups need
    # the sim in virtual mode (state only, no processes); the members are not probed.
    def test_three_replicas_share_thirty_clusters_evenly(self):
        groups = [f"g-{i:02d}" for i in range(30)]

        def thirty_groups(text):
            doc = yaml.safe_load(text)
            template = next(g for g in doc["containerGroups"] if g["name"] == "scheduler")
            template["properties"].pop("volumes", None)
            for c in template["properties"]["containers"]:
                c["properties"].pop("volumeMounts", None)
            doc["mode"] = "virtual"
            doc["containerGroups"] = [dict(template, name=g) for g in groups]
            return json.dumps(doc)
        sim = Sim(extra_args=["--mode", "virtual"], edit_scenario=thirty_groups)
        self.addCleanup(sim.stop)
        self.wait_groups_running(sim, groups)
        lines = azure_section(sim.endpoints) + ["clusters:"]
        for g in groups:
            lines += [f"  - name: c-{g}", f"    resourceGroup: {RESOURCE_GROUP}", "    members:",
                      f"      - {{name: m, role: scheduler, containerGroup: {g}}}"]
        lines += ["policy:", "  pollInterval: 2s", "server:", '  listen: "127.0.0.1:0"',
                  "log:", "  level: info", "  format: text"]
        extra = (self.azurite.storage_section(CONTAINER, self.key_file) +
                 "etcd:\n  snapshots: { enabled: false }\n"
                 f"coordination:\n  leaseDuration: {int(LEASE)}s\n  renewEvery: {int(RENEW)}s\n")
        text = "\n".join(lines) + "\n" + extra
        daemons = [self.start_replica(text, sim) for _ in range(3)]
        started = time.monotonic()
        clusters = [f"c-{g}" for g in groups]

        def even():
            held = {c: [] for c in clusters}
            for d in daemons:
                for name, labels, value in d.samples():
                    if name == "frankenetes_cluster_leader" and value == 1:
                        held[labels["cluster"]].append(labels["replica"])
            if not all(len(r) == 1 for r in held.values()):
                return None
            counts = {self.replica_id(d): 0 for d in daemons}
            for r in held.values():
                counts[r[0]] += 1
            return counts if max(counts.values()) - min(counts.values()) <= 1 else None
        counts = wait_until(even, 2 * LEASE + 12 * RENEW, "thirty clusters held evenly by three")
        settled = time.monotonic() - started
        self.assertEqual(sum(counts.values()), 30)
        # Settled means it stays so: no lease moves over two more renew periods.
        time.sleep(2 * RENEW)
        self.assertEqual(even(), counts, "the holdings moved after settling")
        self.report(thirty_clusters_split=sorted(counts.values()), thirty_settled_s=settled)

    def test_ladder_backoff_and_budget_survive_a_hand_over(self):
        """Replica A restarts a crash-looping scheduler (rung 0) and gets SIGTERM while the
        back-off runs; B takes the cluster and continues: its first action is rung 1 (stop+start),
        not before A's back-off ended, and B's budget (2 an hour) counts A's restart, so the
        recreate that would come next is refused for the budget."""
        sim = self.start_sim()
        spec = os.path.join(self.tmp.name, "scheduler.json")
        with open(spec, "w") as f:
            json.dump(sim.arm_spec("scheduler"), f)
        backoff = 4.0
        policy = dict(members=("scheduler",), backoff_initial=f"{int(backoff)}s", budget=2,
                      specs={"scheduler": spec})
        # One cluster; by the exact split "replica-a" (first by id) has a share of one, "replica-b"
        # none, so the cluster stays with A until A goes.
        a = self.start_replica(self.config(sim, "replica-a", **policy), sim)
        wait_until(lambda: a.metric("frankenetes_cluster_leader", cluster="c-scheduler",
                                    replica="replica-a") == 1, 4 * RENEW + 10, "A holding c-scheduler")
        b = self.start_replica(self.config(sim, "replica-b", **policy), sim)
        since = sim.last_seq()
        breaker = Rebreaker(sim, "scheduler", "scheduler")
        breaker.start()
        self.addCleanup(breaker.stop)

        def actions():
            out = []
            for e in sim.requests(api="arm", since=since):
                if e["method"] in MUTATING and group_of(e["path"]) == "scheduler":
                    out.append((e["path"].split("?")[0].rsplit("/", 1)[-1], e["method"],
                                replica_of(e["userAgent"]), parse_time(e["time"])))
            return out
        wait_until(lambda: log_events(a.log(), "remediation.succeeded", member="scheduler"), 30,
                   "A's restart of the crash-looping scheduler")
        a.signal(signal.SIGTERM)
        terminated = time.monotonic()
        self.assertEqual(a.proc.wait(10), 0)
        first = actions()
        self.assertEqual([(kind, who) for kind, _, who, _ in first], [("restart", "replica-a")],
                         "A escalated exactly one rung before the hand-over")

        wait_until(lambda: log_events(b.log(), "coordination.history_merged", cluster="c-scheduler"),
                   LEASE, "B merging A's history of c-scheduler")
        merged = log_events(b.log(), "coordination.history_merged", cluster="c-scheduler")[0]
        handed_over = time.monotonic() - terminated
        self.assertIn(" handed_over=true", merged)
        self.assertIn(" highest_rung=1", merged)
        self.assertIn(" actions_last_hour=1", merged, "A's restart counts in B's budget")

        def b_acted():
            later = [x for x in actions() if x[2] == "replica-b"]
            return later if later else None
        b_first = wait_until(b_acted, 30, "B's first action on the scheduler")[0]
        self.assertEqual(b_first[0], "stop", f"B continued the ladder (rung 1), got {b_first}")
        gap = b_first[3] - first[0][3]
        self.assertGreaterEqual(gap, backoff, "B waited for the back-off A had started")
        # stop+start is the budget's second action of the hour: the recreate (rung 2) after the
        # next back-off is refused, which it would not be had B started with a fresh budget.
        self.wait_metric(b, "frankenetes_remediation_budget_exhausted", lambda v: v == 1,
                         2 * backoff + 20)
        self.assertNotIn("PUT", [method for _, method, _, _ in actions()])
        self.assertEqual([kind for kind, _, _, _ in actions()], ["restart", "stop", "start"])
        _, blob = self.azurite.client(CONTAINER).get("state/c-scheduler.json")
        self.assertEqual(json.loads(blob)["cluster"], "c-scheduler")
        self.report(history_merged_after_sigterm_s=handed_over, restart_to_stop_s=gap,
                    backoff_s=backoff, budget=2)


if __name__ == "__main__":
    unittest.main()
