"""What the deploy checks share: the source tree, the tools they run, the built binary's
Debian library packages and scripts/install-deps' package groups.

Environment (set by tests/deploy/CMakeLists.txt): FRANKENETES_SOURCE_DIR, FRANKENETESD (the
built daemon), FRANKENETES_BUILD_DIR.
"""
import os
import re
import shutil
import subprocess

SOURCE_DIR = os.environ.get("FRANKENETES_SOURCE_DIR",
                            os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
FRANKENETESD = os.environ.get("FRANKENETESD", "")

# gcc's sanitizer runtimes: linked only by the asan preset's build, never shipped.
SANITIZER_PACKAGES = re.compile(r"^lib(asan|ubsan|lsan|tsan)\d+$")


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


def library_packages(binary):
    """The Debian packages that ship the shared libraries `binary` links directly against
    (DT_NEEDED), without the sanitizer runtimes."""
    readelf = require_tool("readelf", "binutils")
    dynamic = run([readelf, "-d", binary]).stdout
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic)
    if not needed:
        raise AssertionError(f"readelf found no NEEDED entries in {binary}")
    resolved = {}
    for line in run(["ldd", binary]).stdout.splitlines():
        match = re.match(r"\s*(\S+) => (/\S+)", line)
        if match:
            resolved[match.group(1)] = match.group(2)
    packages = set()
    for name in needed:
        if name not in resolved:
            raise AssertionError(f"ldd does not resolve {name}, needed by {binary}")
        package = None
        # dpkg knows a library by the path its package installed (/usr/lib/... or /lib/...).
        for path in {resolved[name], os.path.realpath(resolved[name])}:
            for candidate in (path, re.sub(r"^/usr/lib/", "/lib/", path),
                              re.sub(r"^/lib/", "/usr/lib/", path)):
                answer = run(["dpkg", "-S", candidate])
                if answer.returncode == 0:
                    package = answer.stdout.split(":")[0].strip()
                    break
            if package:
                break
        if package is None:
            raise AssertionError(f"no Debian package ships {resolved[name]} ({name})")
        if not SANITIZER_PACKAGES.match(package):
            packages.add(package)
    return packages


def package_names(package):
    """The package's own name and the virtual ones it provides (libspdlog1.10 provides
    libspdlog1.10-fmt9, which is what dpkg-shlibdeps writes into Depends)."""
    answer = run(["dpkg-query", "-W", "-f=${Provides}", package])
    provided = {re.sub(r"\s*\(.*\)", "", p).strip() for p in answer.stdout.split(",")}
    return {package} | {p for p in provided if p}


def install_deps_groups():
    """scripts/install-deps' `packages=(...)` list, by the comment line above each group:
    {"toolchain": [...], "libraries (DESIGN.md \"Stack\")": [...], ...}."""
    text = read_source("scripts", "install-deps")
    match = re.search(r"^packages=\(\n(.*?)^\)", text, re.S | re.M)
    if not match:
        raise AssertionError("scripts/install-deps has no packages=( ... ) list")
    groups = {}
    current = None
    for line in match.group(1).splitlines():
        line = line.strip()
        if line.startswith("#"):
            current = line.lstrip("# ").strip()
            groups.setdefault(current, [])
        elif line:
            if current is None:
                raise AssertionError("scripts/install-deps: packages before the first comment")
            groups[current].extend(line.split())
    return groups


def group(groups, prefix):
    """The packages of the install-deps group whose comment starts with `prefix`."""
    found = [name for name in groups if name.startswith(prefix)]
    if len(found) != 1:
        raise AssertionError(f"scripts/install-deps: expected one group '# {prefix}...', "
                             f"found {found}")
    return groups[found[0]]
