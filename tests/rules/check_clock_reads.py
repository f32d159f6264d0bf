#!/usr/bin/env python3
"""Clock discipline: every time read in lib/ goes through core::TimeSource.

Code that needs "now" takes a core::TimeSource (or a time point argument), so tests run on a
FakeTimeSource and never sleep. Only the real TimeSource (lib/core/time_source.h) reads the
clocks. Adapters that wait on the operating system (sockets, poll, a condition variable) hold a
core::RealTimeSource rather than calling a clock themselves.

Flags std::chrono::{system,steady,high_resolution}_clock::now(), the same through an alias
(`Clock::now()`), and the C calls time(nullptr), gettimeofday() and clock_gettime(), outside
comments. Usage: check_clock_reads.py <source dir>; exits 1 on a violation (ctest:
rules.clock_reads).
"""

import os
import re
import sys

from source_tree import run, sources

EXEMPT = {"lib/core/time_source.h"}  # the real TimeSource
CLOCK_READ = re.compile(
    r"\b\w*[Cc]lock\s*::\s*now\s*\("
    r"|\b(?:gettimeofday|clock_gettime)\s*\("
    r"|\btime\s*\(\s*(?:nullptr|NULL|0)\s*\)")


def without_comment(line, in_block):
    """The code part of a line, and whether a /* */ comment is still open after it."""
    code = ""
    i = 0
    while i < len(line):
        if in_block:
            end = line.find("*/", i)
            if end < 0:
                return code, True
            i = end + 2
            in_block = False
        elif line.startswith("//", i):
            break
        elif line.startswith("/*", i):
            in_block = True
            i += 2
        else:
            code += line[i]
            i += 1
    return code, in_block


def check(root):
    problems = []
    for path in sources(root, "lib"):
        rel = os.path.relpath(path, root)
        if rel in EXEMPT:
            continue
        in_block = False
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                code, in_block = without_comment(line, in_block)
                match = CLOCK_READ.search(code)
                if match:
                    call = match.group(0).rstrip("( ") + "()"
                    problems.append(f"{rel}:{number}: reads the clock ({call}); "
                                    "use core::TimeSource")
    return problems


if __name__ == "__main__":
    sys.exit(run(check, "clock read(s) outside core::TimeSource", __doc__))
