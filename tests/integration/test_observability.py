"""What deploy/ promises about metrics, checked against a running daemon: every metric the
Grafana dashboard (deploy/grafana/frankenetes.json) and the alert rules (deploy/prometheus)
query exists in frankenetesd's /metrics — declared (# HELP, # TYPE) and with a series — and
every label their selectors match on is a label of that family.

The daemon runs against frankenetes-sim in process mode (real etcd, member stubs) with the
sim's Azure DNS zone and authoritative DNS server, and Azurite for etcd snapshots, so that the
families that exist only once something happened have happened: DNS records are created and
verified, a snapshot is taken, and a deleted group is recreated from its spec (an action, a
skip, a persisted operation). Metric names are read from the PromQL with
tests/rules/deploy_files.py; histogram samples (_bucket, _sum, _count) belong to their family.
The whole scrape also passes `promtool check metrics`.
"""
import json
import os
import shutil
import subprocess
import sys
import unittest

import yaml

import azurite
from daemon_harness import wait_until
from sim_cluster import (MEMBERS, RESOURCE_GROUP, HealDaemon, HealTestCase, SOURCE_DIR,
                         daemon_config, log_events)

sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "rules"))
import deploy_files  # noqa: E402  (tests/rules/deploy_files.py)

CONTAINER = "frankenetes"
ZONE = "example.com"  # config/sim-cluster.yaml's Azure DNS zone, in the groups' resource group


def parse_exposition(text):
    """(types {family: type}, helps {family}, labels {sample name: set of label names})."""
    types, helps, labels = {}, set(), {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            types[name] = kind.strip()
        elif line.startswith("# HELP "):
            helps.add(line.split(" ", 3)[2])
        elif line and not line.startswith("#"):
            name = line.split("{", 1)[0].split(" ", 1)[0]
            names = set()
            if "{" in line:
                body = line.split("{", 1)[1].rsplit("}", 1)[0]
                names = {pair.split("=", 1)[0].strip() for pair in split_labels(body)}
            labels.setdefault(name, set()).update(names)
    return types, helps, labels


def split_labels(body):
    """`a="x",b="y,z"` -> ['a="x"', 'b="y,z"'] (commas inside quoted values stay)."""
    out, current, quoted, escaped = [], "", False, False
    for ch in body:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            out.append(current)
            current = ""
            continue
        current += ch
    if current.strip():
        out.append(current)
    return out


def queried():
    """[(where, PromQL)] of the dashboard and of every rule; [(where, label)] of the
    dashboard's label_values() variables."""
    dashboard = deploy_files.load_dashboard(SOURCE_DIR)
    queries = deploy_files.dashboard_queries(dashboard)
    for path, rule in deploy_files.rules(SOURCE_DIR):
        name = rule.get("alert") or rule.get("record")
        queries.append((f"{os.path.basename(path)} {name}", str(rule["expr"])))
    variable_labels = []
    for variable in dashboard.get("templating", {}).get("list", []):
        query = variable.get("query")
        query = query.get("query") if isinstance(query, dict) else query
        if variable.get("type") == "query" and query:
            expr, label = deploy_files.split_label_values(deploy_files.substitute_variables(query))
            if expr and label:
                variable_labels.append((f"variable {variable['name']!r}", expr, label))
    return queries, variable_labels


class Observability(HealTestCase):
    DEADLINE = 240

    def setUp(self):
        super().setUp()
        self.azurite = azurite.start_for(self)
        self.key_file = os.path.join(self.tmp.name, "storage-key")
        with open(self.key_file, "w") as f:
            f.write(azurite.KEY + "\n")

    def start_observed_daemon(self, sim):
        spec = os.path.join(self.tmp.name, "scheduler.json")
        with open(spec, "w") as f:
            json.dump(sim.arm_spec("scheduler"), f)
        extra = yaml.safe_dump({
            "dns": {"ownerId": "fk-observability",
                    "verify": {"nameservers": [sim.endpoints["dnsAddress"]], "timeout": "5s",
                               "interval": "100ms"},
                    "providers": {"azure": {"type": "azureDns", "resourceGroup": RESOURCE_GROUP,
                                            "zone": ZONE}}},
            "storage": {"account": azurite.ACCOUNT, "container": CONTAINER,
                        "endpoint": self.azurite.endpoint, "keyFile": self.key_file},
            "etcd": {"snapshots": {"interval": "24h", "timeout": "2m"}},
        }, sort_keys=False)
        config = yaml.safe_load(daemon_config(sim.endpoints, specs={"scheduler": spec}, extra=extra))
        for member in config["clusters"][0]["members"]:
            member["dns"] = {"provider": "azure", "name": f"{member['name']}.{ZONE}", "ttl": 60}
        daemon = HealDaemon(yaml.safe_dump(config, sort_keys=False))
        self.addCleanup(daemon.stop)
        self.addCleanup(self.dump_on_failure, daemon, sim)
        daemon.wait_ready(timeout=20)
        self.wait_healthy(daemon, list(MEMBERS), timeout=30)
        self.wait_grace_over(daemon)
        return daemon

    def test_every_metric_in_dashboard_and_rules_exists(self):
        queries, variable_labels = queried()
        used = {}  # metric name -> [where]
        for where, expr in queries:
            for name in deploy_files.metric_names(expr):
                used.setdefault(name, []).append(where)
        self.assertGreater(len(used), 20, "too few metric names found in the dashboard and rules")

        sim = self.start_sim()
        daemon = self.start_observed_daemon(sim)
        # Things that make the families of events exist: a snapshot, DNS names created and
        # verified, and a group deleted behind the daemon's back, recreated from its spec.
        wait_until(lambda: log_events(daemon.log(), "etcd.snapshot.taken", member="etcd"), 60,
                   "the first etcd snapshot")
        wait_until(lambda: all(daemon.metric("frankenetes_dns_record_in_sync", member=m) == 1
                               for m in MEMBERS), 60, "every DNS name in sync")
        sim.control("DELETE", f"/groups/{RESOURCE_GROUP}/scheduler")
        self.wait_metric(daemon, "frankenetes_remediation_actions_total", lambda v: v >= 1, 60,
                         member="scheduler", action="recreate", result="succeeded")

        def missing_now():
            _, _, body = daemon.get("/metrics")
            types, _, _ = parse_exposition(body)
            return sorted(n for n in used if n not in deploy_files.SCRAPE_METRICS
                          and not deploy_files.family_of(n, types))
        # Counters are incremented by the pass after the event: give it a few.
        try:
            wait_until(lambda: not missing_now(), 20, "every queried family in /metrics")
        except AssertionError:
            pass  # reported below, with where each missing name is used

        status, headers, body = daemon.get("/metrics")
        self.assertEqual(status, 200)
        types, helps, labels = parse_exposition(body)
        problems = []
        for name, where in sorted(used.items()):
            if name in deploy_files.SCRAPE_METRICS:
                continue
            family = deploy_files.family_of(name, types)
            if not family:
                problems.append(f"{name} (used by {', '.join(sorted(set(where)))}) is not in /metrics")
            elif family not in helps:
                problems.append(f"{family} has no # HELP line")
            elif name not in labels:
                problems.append(f"{name} is declared but has no series")
        for where, expr in queries:
            for name, matched in deploy_files.selectors(expr):
                if name in deploy_files.SCRAPE_METRICS or name not in labels:
                    continue
                for label in matched:
                    if label not in labels[name] | deploy_files.TARGET_LABELS:
                        problems.append(f"{where}: {name} has no label {label!r} "
                                        f"(it has {sorted(labels[name])})")
        for where, expr, label in variable_labels:
            for name in deploy_files.metric_names(expr):
                if name in labels and label not in labels[name] | deploy_files.TARGET_LABELS:
                    problems.append(f"{where}: label_values of {name} by {label!r}, a label it does not have")
        self.assertEqual(problems, [], "\n".join(problems))

        exported = {deploy_files.family_of(n, types) for n in labels} - {None}
        unused = sorted(f for f in exported if f.startswith("frankenetes_") and
                        not any(deploy_files.family_of(n, types) == f for n in used))
        self.report(metric_names_used=len(used), families_exported=len(exported),
                    not_on_dashboard_or_rules=" ".join(unused) or "none")

        promtool = shutil.which("promtool")
        if promtool:
            lint = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True,
                                  text=True, timeout=30)
            self.assertEqual((lint.returncode, lint.stdout, lint.stderr), (0, "", ""),
                             "promtool check metrics on the full scrape")


if __name__ == "__main__":
    unittest.main()
