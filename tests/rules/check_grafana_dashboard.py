#!/usr/bin/env python3
"""deploy/grafana/frankenetes.json is a dashboard Grafana imports as shipped.

Checked: valid JSON with a uid, a title and schemaVersion 36 or later; a `datasource`
variable (type datasource, Prometheus) that every panel and target uses, so the dashboard
works with any data source name; `cluster` and `member` query variables; every `$variable`
used is defined; panel ids are unique and panels stay inside the 24-column grid without
overlapping; every panel has a title and a description (the (i) an on-call person hovers);
the panels the issue asks for exist (a state timeline among them); and every PromQL query
parses: promtool checks them as recording rules. Whether the metrics they name exist is
tests/integration/test_observability.py's job.

Usage: check_grafana_dashboard.py <source root> <promtool>
"""

import os
import re
import subprocess
import sys
import tempfile

import yaml

import deploy_files
from source_tree import run

DATASOURCE_UID = "${datasource}"
REQUIRED_VARIABLES = ("datasource", "cluster", "member")
# (what the issue asks for, a metric family one of the panels must query)
REQUIRED_PANELS = (
    ("member state timeline", "frankenetes_member_state"),
    ("restarts", "frankenetes_member_restarts_observed_total"),
    ("actions", "frankenetes_remediation_actions_total"),
    ("skips", "frankenetes_actions_skipped_total"),
    ("DNS sync", "frankenetes_dns_record_in_sync"),
    ("ARM requests", "frankenetes_arm_requests_total"),
    ("ARM read budget", "frankenetes_arm_ratelimit_remaining_reads"),
    ("probe latency", "frankenetes_probe_duration_seconds_bucket"),
    ("etcd snapshot age", "frankenetes_etcd_snapshot_age_seconds"),
)


def check_layout(dashboard):
    problems = []
    ids = set()
    cells = {}
    for panel in deploy_files.dashboard_panels(dashboard):
        title = panel.get("title", "")
        where = f"panel {title!r}"
        if panel.get("id") in ids:
            problems.append(f"{where}: id {panel.get('id')} is used twice")
        ids.add(panel.get("id"))
        grid = panel.get("gridPos", {})
        x, y, w, h = (grid.get(k, -1) for k in ("x", "y", "w", "h"))
        if min(x, y, w, h) < 0 or x + w > 24:
            problems.append(f"{where}: gridPos {grid} is outside the 24-column grid")
            continue
        for column in range(x, x + w):
            for row in range(y, y + h):
                if (column, row) in cells:
                    problems.append(f"{where}: overlaps panel {cells[(column, row)]!r}")
                    break
                cells[(column, row)] = title
            else:
                continue
            break
        if panel.get("type") == "row":
            continue
        if not title or not panel.get("description"):
            problems.append(f"{where}: needs a title and a description")
        if panel.get("datasource", {}).get("uid") != DATASOURCE_UID:
            problems.append(f"{where}: datasource is not {DATASOURCE_UID}")
        if not panel.get("targets"):
            problems.append(f"{where}: no query")
        for target in panel.get("targets", []):
            if target.get("datasource", {}).get("uid") != DATASOURCE_UID:
                problems.append(f"{where} {target.get('refId')}: datasource is not {DATASOURCE_UID}")
    return problems


def check_variables(dashboard, text):
    problems = []
    variables = {v.get("name"): v for v in dashboard.get("templating", {}).get("list", [])}
    for name in REQUIRED_VARIABLES:
        if name not in variables:
            problems.append(f"no template variable {name!r}")
    source = variables.get("datasource", {})
    if source and (source.get("type") != "datasource" or source.get("query") != "prometheus"):
        problems.append("variable 'datasource' must be of type datasource with query prometheus")
    for name in ("cluster", "member"):
        if name in variables and variables[name].get("type") != "query":
            problems.append(f"variable {name!r} must be a query variable")
    for used in sorted(set(re.findall(r"\$\{?(\w+)", text))):
        if not used.startswith("__") and used not in variables:
            problems.append(f"${used} is used but no template variable defines it")
    return problems


def check_required_panels(dashboard):
    problems = []
    queried = {}
    for panel in deploy_files.dashboard_panels(dashboard):
        for target in panel.get("targets", []):
            for name in deploy_files.metric_names(deploy_files.substitute_variables(target.get("expr", ""))):
                queried.setdefault(name, []).append(panel.get("type"))
    for what, metric in REQUIRED_PANELS:
        if metric not in queried:
            problems.append(f"no panel shows {what} ({metric})")
    if "state-timeline" not in queried.get("frankenetes_member_state", []):
        problems.append("the member state is not shown as a state-timeline panel")
    return problems


def check_promql(dashboard, promtool):
    """Every query as a recording rule; promtool reports the ones that do not parse."""
    queries = deploy_files.dashboard_queries(dashboard)
    rules = [{"record": f"dashboard:query_{i}", "expr": expr} for i, (_, expr) in enumerate(queries)]
    with tempfile.NamedTemporaryFile("w", suffix=".yml", prefix="fk-dashboard-") as f:
        yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}, f)
        f.flush()
        result = subprocess.run([promtool, "check", "rules", f.name], capture_output=True,
                                text=True, timeout=60)
    if result.returncode == 0:
        return []
    problems = [f"promtool check rules on the dashboard's queries failed:\n{result.stdout}{result.stderr}"]
    for i, (where, expr) in enumerate(queries):
        if f'"dashboard:query_{i}"' in result.stdout + result.stderr:
            problems.append(f"{where}: {expr}")
    return problems


def check(root, promtool):
    with open(os.path.join(root, deploy_files.DASHBOARD)) as f:
        text = f.read()
    try:
        dashboard = deploy_files.load_dashboard(root)
    except ValueError as e:
        return [f"{deploy_files.DASHBOARD}: not JSON: {e}"]
    problems = []
    if not dashboard.get("uid") or not dashboard.get("title"):
        problems.append("the dashboard needs a uid and a title")
    if not isinstance(dashboard.get("schemaVersion"), int) or dashboard["schemaVersion"] < 36:
        problems.append(f"schemaVersion {dashboard.get('schemaVersion')!r}: expected 36 or later")
    problems += check_layout(dashboard)
    problems += check_variables(dashboard, text)
    problems += check_required_panels(dashboard)
    problems += check_promql(dashboard, promtool)
    return problems


if __name__ == "__main__":
    sys.exit(run(check, "problem(s) with the Grafana dashboard",
                 "usage: check_grafana_dashboard.py <source root> <promtool>", tools=1))
