#!/usr/bin/env python3
"""Include rules: dependencies point downward, and the pure libraries stay pure.

- lib/core, lib/model, lib/config and lib/plan decide; they never include Asio, Beast, spdlog
  or prometheus, nor a header of lib/http, lib/azure, lib/dns, lib/storage or lib/reconcile (the
  adapters that talk to the world).
- sim/ (frankenetes-sim, a stand-in for Azure) shares only lib/core and lib/http with the
  daemon, so the simulator never agrees with the daemon merely because they share a codec.

Usage: check_includes.py <source dir>. Prints every violation as file:line and exits 1 when
there is one; ctest runs it as rules.includes.
"""

import os
import re
import sys

from source_tree import run, sources

PURE_LIBRARIES = ["core", "model", "config", "plan"]
ADAPTER_LIBRARIES = ["http", "azure", "dns", "storage", "reconcile"]
# Third-party headers that do I/O, logging or metrics, by include-path prefix.
IMPURE_PREFIXES = ["boost/asio", "boost/beast", "asio.hpp", "asio/", "spdlog/", "prometheus/"]
SIM_MAY_USE = ["core", "http"]

# Known violations, each with the reason it is tolerated for now. Keep this empty.
ALLOWED: set[tuple[str, str]] = set()

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def includes(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            match = INCLUDE.match(line)
            if match:
                yield number, match.group(1) == '"', match.group(2)


def lib_library(root, including_file, header):
    """The lib/ library a quoted include names ("http" for "http/client.h"), else None.

    Resolved the way the compiler would: next to the including file first, then from lib/
    (every library's include root), then from the source root ("lib/http/client.h")."""
    lib = os.path.join(root, "lib")
    for base in (os.path.dirname(including_file), lib, root):
        candidate = os.path.normpath(os.path.join(base, header))
        if os.path.exists(candidate):
            rel = os.path.relpath(candidate, lib)
            if rel.startswith(".."):
                return None
            return rel.split(os.sep)[0]
    # A header that does not exist (yet): judge it by its first component.
    first = header.split("/")[0]
    return first if os.path.isdir(os.path.join(lib, first)) else None


def check(root):
    problems = []
    for library in PURE_LIBRARIES:
        for path in sources(root, os.path.join("lib", library)):
            rel = os.path.relpath(path, root)
            for number, quoted, header in includes(path):
                if (rel, header) in ALLOWED:
                    continue
                if any(header.startswith(p) for p in IMPURE_PREFIXES):
                    problems.append(f"{rel}:{number}: pure lib/{library} includes <{header}>")
                    continue
                used = lib_library(root, path, header) if quoted else None
                if used in ADAPTER_LIBRARIES:
                    problems.append(
                        f'{rel}:{number}: pure lib/{library} includes "{header}" (lib/{used})')
    for path in sources(root, "sim"):
        rel = os.path.relpath(path, root)
        for number, quoted, header in includes(path):
            if not quoted or (rel, header) in ALLOWED:
                continue
            used = lib_library(root, path, header)
            if used is not None and used not in SIM_MAY_USE:
                problems.append(f'{rel}:{number}: sim includes "{header}" (lib/{used}); '
                                f"sim may use only lib/{' and lib/'.join(SIM_MAY_USE)}")
    return problems


if __name__ == "__main__":
    sys.exit(run(check, "include rule violation(s)", __doc__))
