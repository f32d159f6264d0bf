#!/usr/bin/env python3
"""The alert rules in deploy/prometheus and their runbooks in docs/runbooks.md agree.

Every alert has `for:`, a severity (critical or warning), a summary, a description and a
runbook_url into docs/runbooks.md (absolute, under deploy_files.RUNBOOK_BASE) whose anchor is a
heading there, and that section names the alert. Every alert is exercised by a promtool test
at least once where it must fire and once where it must not, and every rule file is loaded by
a test. Event names (`remediation.gave_up`) the runbooks and docs/operations.md mention exist
in lib/ or daemon/, and every frankenetes_* metric they mention is declared in lib/status.

Usage: check_alert_rules.py <source root>
"""

import os
import re
import sys

import deploy_files
from source_tree import run, sources

SEVERITIES = {"critical", "warning"}
DOCS_WITH_EVENTS = (deploy_files.RUNBOOKS, os.path.join("docs", "operations.md"))
# Log event names start with one of these (lib/log/event.h: stable dotted names).
EVENT_PREFIXES = {"azure", "config", "daemon", "dns", "etcd", "http", "internal", "member",
                  "observation", "probe", "remediation", "state", "storage", "systemd"}
FILE_SUFFIXES = (".json", ".yaml", ".yml", ".md", ".db", ".pem", ".service", ".conf", ".key")


def read(root, relative):
    with open(os.path.join(root, relative)) as f:
        return f.read()


def check_alerts(root, sections):
    problems = []
    names = {}
    for path, rule in deploy_files.rules(root):
        name = rule.get("alert")
        if not name:
            continue
        where = f"{os.path.relpath(path, root)}: {name}"
        if name in names:
            problems.append(f"{where}: defined twice")
        names[name] = rule
        if "for" not in rule:
            problems.append(f"{where}: no `for:`")
        severity = rule.get("labels", {}).get("severity")
        if severity not in SEVERITIES:
            problems.append(f"{where}: severity {severity!r}, expected one of {sorted(SEVERITIES)}")
        annotations = rule.get("annotations", {})
        for key in ("summary", "description", "runbook_url"):
            if not str(annotations.get(key, "")).strip():
                problems.append(f"{where}: no {key} annotation")
        url = annotations.get("runbook_url", "")
        if not url.startswith(deploy_files.RUNBOOK_BASE):
            problems.append(f"{where}: runbook_url {url!r} does not start with {deploy_files.RUNBOOK_BASE}")
            continue
        anchor = url[len(deploy_files.RUNBOOK_BASE):]
        if anchor not in sections:
            problems.append(f"{where}: runbook_url anchor #{anchor} is no heading of {deploy_files.RUNBOOKS}")
        elif f"`{name}`" not in sections[anchor]:
            problems.append(f"{where}: section #{anchor} of {deploy_files.RUNBOOKS} does not name `{name}`")
    if not names:
        problems.append(f"{deploy_files.PROMETHEUS_DIR}: no alerting rules found")
    return names, problems


def check_tests(root, alerts):
    problems = []
    fires, quiet, loaded = set(), set(), set()
    for path in deploy_files.rule_test_files(root):
        document = deploy_files.load_yaml(path)
        for rule_file in document.get("rule_files", []):
            loaded.add(os.path.normpath(os.path.join(os.path.dirname(path), rule_file)))
        for test in document.get("tests", []):
            for case in test.get("alert_rule_test", []):
                name = case.get("alertname")
                if name not in alerts:
                    problems.append(f"{os.path.relpath(path, root)}: tests unknown alert {name!r}")
                (fires if case.get("exp_alerts") else quiet).add(name)
    for name in sorted(alerts):
        if name not in fires:
            problems.append(f"{name}: no promtool test where it fires")
        if name not in quiet:
            problems.append(f"{name}: no promtool test where it must not fire")
    for path in deploy_files.rule_files(root):
        if os.path.normpath(path) not in loaded:
            problems.append(f"{os.path.relpath(path, root)}: no *.test.yml loads it")
    return problems


def string_literals(root):
    found = set()
    for top in ("lib", "daemon"):
        for path in sources(root, top):
            with open(path) as f:
                found.update(re.findall(r'"([^"\\\n]*)"', f.read()))
    return found


def declared_metrics(root):
    found = set()
    for name in ("metrics.cc", "process_collector.cc"):
        with open(os.path.join(root, "lib", "status", name)) as f:
            found.update(re.findall(r'"((?:frankenetes|process)_[a-z0-9_]+)"', f.read()))
    return found


def code_spans(markdown):
    """The contents of fenced code blocks and of inline `code` (on one line)."""
    spans = set(re.findall(r"^```[^\n]*\n(.*?)^```", markdown, re.M | re.S))
    prose = re.sub(r"^```[^\n]*\n.*?^```", "", markdown, flags=re.M | re.S)
    return spans | set(re.findall(r"`([^`\n]+)`", prose))


def check_mentions(root):
    """Event and metric names in the runbooks and the operations guide exist in the code."""
    problems = []
    literals = string_literals(root)
    metrics = declared_metrics(root)
    config_keys = set(re.findall(r"^\| `([^`]+)` \|", read(root, os.path.join("docs", "configuration.md")), re.M))
    for relative in DOCS_WITH_EVENTS:
        text = read(root, relative)
        for code in sorted(code_spans(text)):
            for word in re.split(r"[\s=(){},'\"|:;]+", code):
                if word.startswith("frankenetes_"):
                    word = re.match(r"frankenetes_[a-z0-9_]*", word).group(0)
                    base = re.sub(r"_(bucket|sum|count)$", "", word)
                    if word not in metrics and base not in metrics:
                        problems.append(f"{relative}: metric {word} is not declared in lib/status")
                elif (re.fullmatch(r"[a-z_]+(?:\.[a-z_]+)+", word)
                      and word.split(".")[0] in EVENT_PREFIXES and not word.endswith(FILE_SUFFIXES)
                      and word not in literals and word not in config_keys):
                    problems.append(f"{relative}: event {word} is not logged anywhere in lib/ or daemon/")
    return problems


def check(root):
    sections = deploy_files.markdown_sections(read(root, deploy_files.RUNBOOKS))
    alerts, problems = check_alerts(root, sections)
    problems += check_tests(root, alerts)
    problems += check_mentions(root)
    return problems


if __name__ == "__main__":
    sys.exit(run(check, "problem(s) with alert rules and runbooks",
                 "usage: check_alert_rules.py <source root>"))
