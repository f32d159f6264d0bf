#!/usr/bin/env python3
"""docs/configuration.md, config/example.yaml and the parser (lib/config) name the same keys.

The parser is asked, not read: every map of config/example.yaml (commented-out keys included)
gets an unknown key, and `frankenetesd --check-config` answers with the valid keys of each map
("unknown key "zz…" (valid keys: a, b, c)"). Those key paths must equal the keys documented in
docs/configuration.md (the first column of its tables) and the keys config/example.yaml shows.
A second run gives every enum-typed key an invalid value and compares the allowed values the
parser lists with the ones documented. Documented defaults must agree with the table at the top
of lib/config/defaults.h.

Paths are written as in the documentation: list items as `[]` (`clusters[].members[].name`),
DNS provider names as `<name>` (`dns.providers.<name>.zone`).

An example line counts as a commented-out key when it reads `# key: value` (one token) or
`# key:` at the indentation of the map it belongs to; prose comments have spaces in the value.

Usage: check_config_reference.py <source root> <frankenetesd binary>
"""

import os
import re
import subprocess
import sys
import tempfile

import yaml

from source_tree import run

UNKNOWN = "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"  # far from every real key: no "did you mean"
INVALID = "zzzinvalid"
DOC = os.path.join("docs", "configuration.md")
EXAMPLE = os.path.join("config", "example.yaml")
DEFAULTS = os.path.join("lib", "config", "defaults.h")
PROBLEM = re.compile(r"^.*?:\d+:\d+: (?:(\S+): )?(.*)$")


def normalise(path):
    """`clusters[0].members[2].dns` -> `clusters[].members[].dns`, provider names -> <name>."""
    path = re.sub(r"\[\d+\]", "[]", path)
    return re.sub(r"^dns\.providers\.[^.]+", "dns.providers.<name>", path)


def join(parent, key):
    return f"{parent}.{key}" if parent else key


# --- config/example.yaml --------------------------------------------------------------------
def uncomment(text):
    """example.yaml with its commented-out keys made real (duplicates are fine for compose)."""
    pattern = re.compile(r"^(\s*)# (\s*)([a-z][A-Za-z0-9]*):( \S+)?$")
    return "\n".join(pattern.sub(r"\1\2\3:\4", line) for line in text.splitlines()) + "\n"


def node_paths(node, path, out):
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = join(path, key.value)
            out.add(normalise(child))
            node_paths(value, child, out)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            node_paths(item, path + "[]", out)
    return out


def example_keys(text):
    return node_paths(yaml.compose(uncomment(text)), "", set())


# --- docs/configuration.md ------------------------------------------------------------------
def documented(text):
    """{key: (type, default)} from the reference tables."""
    rows = {}
    for line in text.splitlines():
        match = re.match(r"^\| `([^`]+)` \|([^|]*)\|([^|]*)\|", line)
        if match:
            rows[match.group(1)] = (match.group(2).strip(), match.group(3).strip())
    return rows


def documented_values(type_text):
    """The values of an enum type cell "one of `a`, `b`", else None."""
    if not type_text.startswith("one of "):
        return None
    return set(re.findall(r"`([^`]+)`", type_text))


# --- lib/config/defaults.h ------------------------------------------------------------------
def header_defaults(text):
    """{documented key: default} from the comment table at the top of defaults.h."""
    out = {}
    in_table = False
    for line in text.splitlines():
        if re.match(r"//\s+key\s+default", line):
            in_table = True
            continue
        if in_table:
            match = re.match(r"//\s+(\S+)\s+(.+)$", line)
            if not match:
                break
            key, default = match.groups()
            key = re.sub(r"^members\[\]", "clusters[].members[]", key)
            key = re.sub(r"^dns\.providers\.\*\([A-Za-z0-9]+\)", "dns.providers.<name>", key)
            out[key] = re.sub(r"\s*\(.*\)$", "", default).strip()
    return out


def plain(text):
    return re.sub(r"\s+", " ", text.replace("`", "")).strip()


# --- asking the parser ----------------------------------------------------------------------
def check_config(binary, document, directory, name):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        yaml.safe_dump(document, f, sort_keys=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "CLOUDFLARE_"))}
    result = subprocess.run([binary, "--check-config", "--config", path], capture_output=True,
                            text=True, timeout=60, env=env)
    problems = []
    for line in (result.stdout + result.stderr).splitlines():
        match = PROBLEM.match(line)
        if match:
            problems.append((match.group(1) or "", match.group(2)))
    return problems


def inject_unknown_keys(node, path, injected):
    """Adds UNKNOWN to every map, except dns.providers itself (its keys are names)."""
    if isinstance(node, dict):
        if path != "dns.providers":
            node[UNKNOWN] = 1
            injected.add(path)
        for key, value in list(node.items()):
            if key != UNKNOWN:
                inject_unknown_keys(value, join(path, key), injected)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            inject_unknown_keys(item, f"{path}[{i}]", injected)


def set_first(node, parts, value):
    """Sets the documented path `parts` in the first place it exists; False when nowhere."""
    if not parts:
        return False
    head, rest = parts[0], parts[1:]
    if head.endswith("[]"):
        items = node.get(head[:-2]) if isinstance(node, dict) else None
        return any(set_first(item, rest, value) for item in (items or []))
    if head == "<name>":
        return any(set_first(provider, rest, value) for provider in node.values()
                   if isinstance(provider, dict))
    if not isinstance(node, dict) or head not in node:
        return False
    if not rest:
        node[head] = value
        return True
    return set_first(node[head], rest, value)


def check(root, binary):
    problems = []
    with open(os.path.join(root, DOC)) as f:
        doc = documented(f.read())
    with open(os.path.join(root, EXAMPLE)) as f:
        example_text = f.read()
    with open(os.path.join(root, DEFAULTS)) as f:
        defaults = header_defaults(f.read())
    example = example_keys(example_text)

    config = yaml.safe_load(uncomment(example_text))
    # The map form of azure.cloud (the example shows the name form).
    config["azure"]["cloud"] = {"resourceManager": "https://management.example.net",
                                "authority": "https://login.example.net"}
    with tempfile.TemporaryDirectory(prefix="fk-config-reference-") as directory:
        probe = yaml.safe_load(yaml.safe_dump(config))
        injected = set()
        inject_unknown_keys(probe, "", injected)
        answers = check_config(binary, probe, directory, "keys.yaml")
        parser = set()
        answered = set()
        for path, message in answers:
            match = re.fullmatch(rf'unknown key "{UNKNOWN}" \(valid keys: (.*)\)', message)
            if match:
                answered.add(path)
                if path and not path.endswith("]"):
                    parser.add(normalise(path))  # a provider's map: its key is a name
                parser.update(normalise(join(path, key)) for key in match.group(1).split(", "))
        for path in sorted(injected - answered):
            problems.append(f"{EXAMPLE}: the parser reported no unknown key in map {path or '(top level)'}; "
                            "does it read that map?")

        # Enums: every documented "one of" key gets an invalid value.
        enum_doc = {k: documented_values(t) for k, (t, _) in doc.items() if documented_values(t)}
        probe = yaml.safe_load(yaml.safe_dump(config))
        probe["dns"]["providers"]["zz-enum-probe"] = {"type": INVALID}
        for key in sorted(enum_doc):
            if key == "dns.providers.<name>.type":
                continue
            if not set_first(probe, key.split("."), INVALID):
                problems.append(f"{DOC}: {key}: not present in {EXAMPLE}, so its values were not checked")
        parser_values = {}
        for path, message in check_config(binary, probe, directory, "enums.yaml"):
            match = re.fullmatch(rf'invalid value "{INVALID}" \(expected one of: (.*)\)', message)
            if match:
                parser_values[normalise(path)] = set(match.group(1).split(", "))

    for key in sorted(parser - set(doc)):
        problems.append(f"{DOC}: key {key} is accepted by the parser but not documented")
    for key in sorted(set(doc) - parser):
        problems.append(f"{DOC}: key {key} is documented but the parser does not accept it")
    for key in sorted(parser - example):
        problems.append(f"{EXAMPLE}: key {key} is accepted by the parser but not shown (not even commented out)")
    for key in sorted(example - parser):
        problems.append(f"{EXAMPLE}: key {key} is shown but the parser does not accept it")
    for key, values in sorted(enum_doc.items()):
        got = parser_values.get(key)
        if got is None:
            problems.append(f"{DOC}: {key}: the parser did not list its values for an invalid one")
        elif got != values:
            problems.append(f"{DOC}: {key}: documented values {sorted(values)}, the parser accepts {sorted(got)}")
    for key, default in sorted(defaults.items()):
        if key not in doc:
            problems.append(f"{DEFAULTS}: default of {key}, which {DOC} does not document")
        elif plain(default) not in plain(doc[key][1]):
            problems.append(f"{DOC}: {key}: default {doc[key][1]!r} does not say {default!r} ({DEFAULTS})")
    if len(parser) < 50:
        problems.append(f"only {len(parser)} keys learned from the parser; is the output format unchanged?")
    return problems


if __name__ == "__main__":
    sys.exit(run(check, "problem(s) with the configuration reference",
                 "usage: check_config_reference.py <source root> <frankenetesd binary>", tools=1))
