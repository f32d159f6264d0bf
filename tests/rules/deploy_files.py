"""What the checks of deploy/ and docs/ share: the shipped alert rules and Grafana dashboard,
the metric names and selectors their PromQL uses, and Markdown headings as GitHub anchors.

Used by check_alert_rules.py and check_grafana_dashboard.py here, and by
tests/integration/test_observability.py, which compares the names with a running daemon's
/metrics. Needs PyYAML (Debian python3-yaml).
"""

import glob
import json
import os
import re

import yaml

# Where every runbook_url points: the runbook page on GitHub, one section per alert.
RUNBOOK_BASE = "https://github.com/frankenetes/frankenetesd/blob/main/docs/runbooks.md#"
RUNBOOKS = os.path.join("docs", "runbooks.md")
DASHBOARD = os.path.join("deploy", "grafana", "frankenetes.json")
PROMETHEUS_DIR = os.path.join("deploy", "prometheus")

# Series Prometheus makes itself for every target; the daemon does not export them.
SCRAPE_METRICS = {"up"}
# Labels a scrape adds to every series.
TARGET_LABELS = {"job", "instance"}


def load_yaml(path):
    with open(path) as f:
        return yaml.safe_load(f)


def rule_files(root):
    """deploy/prometheus/*.yml holding rule groups (not the tests, not the scrape config)."""
    found = []
    for path in sorted(glob.glob(os.path.join(root, PROMETHEUS_DIR, "*.yml"))):
        document = load_yaml(path)
        if isinstance(document, dict) and "groups" in document:
            found.append(path)
    return found


def rule_test_files(root):
    return sorted(glob.glob(os.path.join(root, PROMETHEUS_DIR, "*.test.yml")))


def rules(root):
    """(file, rule) for every rule (alerting and recording) of every rule file."""
    out = []
    for path in rule_files(root):
        for group in load_yaml(path)["groups"]:
            for rule in group.get("rules", []):
                out.append((path, rule))
    return out


def load_dashboard(root):
    with open(os.path.join(root, DASHBOARD)) as f:
        return json.load(f)


def dashboard_panels(dashboard):
    """Every panel, rows' nested panels included."""
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def dashboard_queries(dashboard):
    """(where, PromQL) of every panel target and every query variable, variables substituted
    with values that keep the PromQL valid."""
    out = []
    for panel in dashboard_panels(dashboard):
        for target in panel.get("targets", []):
            if target.get("expr"):
                out.append((f"panel {panel.get('title')!r} {target.get('refId')}",
                            substitute_variables(target["expr"])))
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") != "query":
            continue
        query = variable.get("query")
        if isinstance(query, dict):
            query = query.get("query")
        expr, _ = split_label_values(substitute_variables(query or ""))
        if expr:
            out.append((f"variable {variable.get('name')!r}", expr))
    return out


def substitute_variables(expr):
    """Grafana's $__rate_interval and friends become durations, other $var / ${var} a regex
    (they only appear in label matchers and ranges)."""
    expr = re.sub(r"\$__(rate_interval|interval|range)\b|\$\{__(rate_interval|interval|range)\}",
                  "5m", expr)
    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)", ".*", expr)


def split_label_values(query):
    """A Grafana `label_values(selector, label)` query as (selector, label); other queries as
    (query, None); `label_values(label)` has no selector."""
    match = re.fullmatch(r"\s*label_values\((.*),\s*([a-zA-Z_]\w*)\s*\)\s*", query, re.S)
    if match:
        return match.group(1), match.group(2)
    if re.fullmatch(r"\s*label_values\(\s*[a-zA-Z_]\w*\s*\)\s*", query):
        return "", None
    return query, None


# --- PromQL, just enough to find metric names ---------------------------------------------
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
# Label lists of aggregations and vector matching: `by (a, b)`, `on(a)`, `group_left(c)`.
_LABEL_LIST = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_TOKEN = re.compile(r"[0-9][0-9a-zA-Z_.]*|[a-zA-Z_:][a-zA-Z0-9_:]*|\{[^}]*\}|\[[^\]]*\]|\S")
_KEYWORDS = {"and", "or", "unless", "bool", "offset", "atan2", "inf", "nan",
             "by", "without", "on", "ignoring", "group_left", "group_right"}
_SELECTOR = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?")
_MATCHER_LABEL = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)")


def _without_strings(expr):
    return _STRING.sub('""', expr)


def selectors(expr):
    """[(metric name, [label names in its matchers])] of every vector selector in `expr`.
    An identifier is a metric name unless it is a keyword, a function (followed by "(") or
    in a label list (`by (…)`); numbers and durations are not identifiers."""
    text = _LABEL_LIST.sub(" ", _without_strings(expr))
    tokens = [m.group(0) for m in _TOKEN.finditer(text)]
    out = []
    for i, token in enumerate(tokens):
        if not re.fullmatch(r"[a-zA-Z_:][a-zA-Z0-9_:]*", token) or token in _KEYWORDS:
            continue
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if following == "(":
            continue  # a function or an aggregation
        labels = []
        if following.startswith("{"):
            labels = _MATCHER_LABEL.findall(following)
        out.append((token, labels))
    return out


def metric_names(expr):
    return {name for name, _ in selectors(expr)}


def family_of(name, types):
    """The family a sample name belongs to, given {family: TYPE}: histogram and summary
    samples carry _bucket/_sum/_count suffixes."""
    if name in types:
        return name
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[: -len(suffix)] if name.endswith(suffix) else None
        if base and types.get(base) in ("histogram", "summary"):
            if suffix == "_bucket" and types[base] != "histogram":
                return None
            return base
    return None


# --- Markdown ------------------------------------------------------------------------------
def github_anchor(heading):
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*]", "", heading.strip()).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def markdown_sections(text):
    """{anchor: section text} for every heading (## or deeper) outside code blocks."""
    sections = {}
    current = None
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        match = None if fenced else re.match(r"(#{1,6})\s+(.*)", line)
        if match:
            current = github_anchor(match.group(2))
            sections.setdefault(current, "")
            continue
        if current is not None:
            sections[current] += line + "\n"
    return sections
