"""What the rule checks share: walking the source tree and reporting violations."""

import os
import sys

SOURCE_SUFFIXES = (".h", ".hpp", ".cc", ".cpp")


def sources(root, top):
    """Every C++ source below root/top, in a stable order."""
    for directory, subdirectories, files in os.walk(os.path.join(root, top)):
        subdirectories.sort()
        for name in sorted(files):
            if name.endswith(SOURCE_SUFFIXES):
                yield os.path.join(directory, name)


def run(check, what, usage, tools=0):
    """main() of a check: `check(root, *tool paths)` returns violations; exit 1 when there is
    one. `tools`: how many program paths (a binary, promtool) follow the root argument."""
    if len(sys.argv) != 2 + tools:
        print(usage)
        return 2
    root = os.path.abspath(sys.argv[1])
    if not os.path.isdir(os.path.join(root, "lib")):
        print(f"{root}: no lib/ directory")
        return 2
    problems = check(root, *sys.argv[2:])
    for problem in problems:
        print(problem)
    print(f"{len(problems)} {what}")
    return 1 if problems else 0
