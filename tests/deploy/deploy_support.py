"""What the deploy checks share: the source tree and the tools they run.

Environment (set by tests/deploy/CMakeLists.txt): FRANKENETES_SOURCE_DIR, FRANKENETESD (the
built daemon), FRANKENETES_BUILD_DIR.
"""
import os
import shutil
import subprocess

SOURCE_DIR = os.environ.get("FRANKENETES_SOURCE_DIR",
                            os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
FRANKENETESD = os.environ.get("FRANKENETESD", "")

def source_path(*parts):
    return os.path.join(SOURCE_DIR, *parts)


def read_source(*parts):
    with open(source_path(*parts), encoding="utf-8") as f:
        return f.read()


def require_tool(name, debian_package):
    """The tool's path; a missing tool is a failure, since scripts/install-deps installs it."""
    path = shutil.which(name)
    if path is None:
        raise AssertionError(f"{name} not found: install Debian's {debian_package} package "
                             "(scripts/install-deps does)")
    return path


def run(args, timeout=60, **kwargs):
    """Runs a command to completion; output as text. Fails on a timeout, not on an exit code."""
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kwargs)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"{' '.join(args)} did not finish within {timeout}s") from e


def require_binary():
    if not FRANKENETESD or not os.access(FRANKENETESD, os.X_OK):
        raise AssertionError(f"FRANKENETESD={FRANKENETESD!r} is not the built frankenetesd")
    return FRANKENETESD
