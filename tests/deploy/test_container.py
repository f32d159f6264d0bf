"""deploy/container/Dockerfile, checked without a container engine: its build stage installs what
scripts/install-deps installs for building and configures with a preset of CMakePresets.json
(run here on the build context that .dockerignore leaves), its runtime stage has every library
the daemon links against, runs as a non-root user, stops with SIGTERM, and its HEALTHCHECK asks
/livez of a real daemon.
"""
import fnmatch
import http.server
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import unittest

from deploy_support import (SOURCE_DIR, group, install_deps_groups, library_packages,
                            read_source, require_binary, require_tool, run, source_path)

sys.path.insert(0, source_path("tests", "integration"))
import daemon_harness  # noqa: E402  (the integration tests' way to start the daemon)

HEALTHCHECK_SCRIPT = source_path("deploy", "container", "healthcheck")


def instructions(text):
    """The Dockerfile as [(INSTRUCTION, arguments)], continuation lines joined."""
    result = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        full = pending + stripped
        pending = ""
        keyword, _, arguments = full.partition(" ")
        result.append((keyword.upper(), arguments.strip()))
    return result


def stages(text):
    """[[(INSTRUCTION, arguments)] per FROM]."""
    result = []
    for keyword, arguments in instructions(text):
        if keyword == "FROM":
            result.append([])
        if not result:
            raise AssertionError(f"{keyword} before the first FROM")
        result[-1].append((keyword, arguments))
    return result


def shell_commands(stage):
    """Every `&&`-separated command of the stage's RUN instructions, as argument lists."""
    commands = []
    for keyword, arguments in stage:
        if keyword == "RUN":
            for command in arguments.split("&&"):
                words = shlex.split(command)
                while words and "=" in words[0] and not words[0].startswith("-"):
                    words.pop(0)  # VAR=value prefix
                if words:
                    commands.append(words)
    return commands


def apt_packages(stage):
    packages = []
    for words in shell_commands(stage):
        if words[:2] == ["apt-get", "install"]:
            packages.extend(w for w in words[2:] if not w.startswith("-"))
    return packages


def ignored(relative, patterns):
    """Whether .dockerignore's patterns drop `relative` (or a directory above it) from the
    build context. Supports the subset the file uses: names, globs and a leading **/."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    for pattern in patterns:
        for prefix in prefixes:
            if fnmatch.fnmatchcase(prefix, pattern):
                return True
            if pattern.startswith("**/") and fnmatch.fnmatchcase(prefix.split("/")[-1],
                                                                 pattern[3:]):
                return True
    return False


class Answer503(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class DockerfileTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stages = stages(read_source("deploy", "container", "Dockerfile"))
        cls.build, cls.runtime = cls.stages[0], cls.stages[-1]

    def test_two_stages_on_debian_12_slim(self):
        self.assertEqual(len(self.stages), 2, "expected a build and a runtime stage")
        for stage in self.stages:
            self.assertEqual(stage[0][1].split()[0], "debian:12-slim")

    def test_build_stage_installs_what_install_deps_installs_for_building(self):
        groups = install_deps_groups()
        wanted = group(groups, "toolchain") + group(groups, "libraries")
        installed = apt_packages(self.build)
        missing = sorted(set(wanted) - set(installed))
        extra = sorted(set(installed) - set(wanted))
        self.assertEqual((missing, extra), ([], []),
                         f"Dockerfile build stage vs scripts/install-deps (toolchain, "
                         f"libraries): missing {missing}, not in install-deps {extra}")

    def test_build_stage_uses_existing_presets(self):
        presets = json.loads(read_source("CMakePresets.json"))
        configure = {p["name"] for p in presets["configurePresets"] if not p.get("hidden")}
        build = {p["name"] for p in presets["buildPresets"]}
        used = []
        for words in shell_commands(self.build):
            if words[0] == "cmake" and "--preset" in words:
                name = words[words.index("--preset") + 1]
                used.append(name)
                self.assertIn(name, build if "--build" in words else configure,
                              f"`{' '.join(words)}`: no such preset in CMakePresets.json")
        self.assertEqual(used, ["release", "release"], "configure and build with 'release'")
        # base's binaryDir is ${sourceDir}/build/${presetName}; the runtime stage copies what
        # `cmake --install` of that directory staged.
        installs = [w for w in shell_commands(self.build) if w[:2] == ["cmake", "--install"]]
        self.assertEqual([w[2] for w in installs], ["build/release"])

    def test_build_context_configures(self):
        """The Dockerfile's configure command, run on a copy of what .dockerignore lets into
        the build context: a file the build needs but the context lacks fails here."""
        cmake = require_tool("cmake", "cmake")
        patterns = [line.strip() for line in read_source(".dockerignore").splitlines()
                    if line.strip() and not line.startswith("#")]
        for pattern in patterns:
            self.assertFalse(pattern.startswith("!"), ".dockerignore exceptions ('!') are not "
                             "understood by this test")
        configure = [w for w in shell_commands(self.build)
                     if w[0] == "cmake" and "--preset" in w and "--build" not in w]
        self.assertEqual(len(configure), 1)
        command = [cmake] + [w.replace("${FRANKENETES_GIT_COMMIT}", "test")
                             for w in configure[0][1:]]
        with tempfile.TemporaryDirectory(prefix="docker-context-") as context:
            copied = 0
            for directory, subdirectories, files in os.walk(SOURCE_DIR):
                relative_dir = os.path.relpath(directory, SOURCE_DIR)
                relative_dir = "" if relative_dir == "." else relative_dir + "/"
                subdirectories[:] = [d for d in subdirectories
                                     if not ignored(relative_dir + d, patterns)]
                for name in files:
                    if ignored(relative_dir + name, patterns):
                        continue
                    target = os.path.join(context, relative_dir, name)
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    shutil.copy2(os.path.join(directory, name), target)
                    copied += 1
            self.assertFalse(os.path.exists(os.path.join(context, "build")))
            result = run(command, timeout=120, cwd=context)
            self.assertEqual(result.returncode, 0,
                             f"{' '.join(command)} in the build context ({copied} files) "
                             f"failed:\n{result.stdout}{result.stderr}")

    def test_runtime_stage_has_the_libraries_the_daemon_links(self):
        needed = library_packages(require_binary())
        installed = set(apt_packages(self.runtime))
        self.assertIn("ca-certificates", installed, "Azure's TLS certificates are verified")
        missing = sorted(needed - installed)
        self.assertEqual(missing, [], f"the runtime stage lacks {missing}, which ship libraries "
                         "frankenetesd links against")

    def test_runtime_runs_as_non_root(self):
        users = [arguments for keyword, arguments in self.runtime if keyword == "USER"]
        self.assertTrue(users, "the runtime stage has no USER")
        user = users[-1].split(":")[0]
        self.assertNotIn(user, ("root", "0"))
        # Numeric, so Kubernetes' runAsNonRoot can check it without /etc/passwd.
        self.assertRegex(users[-1], r"^[1-9]\d*:[1-9]\d*$")

    def test_stop_signal_is_sigterm(self):
        self.assertIn(("STOPSIGNAL", "SIGTERM"), self.runtime)

    def test_healthcheck_runs_the_livez_script(self):
        checks = [arguments for keyword, arguments in self.runtime if keyword == "HEALTHCHECK"]
        self.assertEqual(len(checks), 1)
        command = json.loads(checks[0].split(" CMD ", 1)[1])
        self.assertEqual(command, ["/usr/lib/frankenetesd/healthcheck"])
        copies = [a.split() for k, a in self.runtime if k == "COPY"]
        self.assertIn(["deploy/container/healthcheck", command[0]], copies)
        self.assertIn("GET /livez ", read_source("deploy", "container", "healthcheck"))


class HealthcheckScriptTest(unittest.TestCase):
    """deploy/container/healthcheck against a real daemon, a closed port and a 503."""

    def check(self, port):
        bash = require_tool("bash", "bash")
        env = dict(os.environ, FRANKENETES_HEALTH_PORT=str(port))
        try:
            result = subprocess.run([bash, HEALTHCHECK_SCRIPT], env=env, capture_output=True,
                                    text=True, timeout=15)
        except subprocess.TimeoutExpired as e:
            raise AssertionError("the healthcheck did not finish within 15s") from e
        return result.returncode, result.stderr

    def test_healthy_when_livez_answers_200(self):
        require_binary()
        daemon = daemon_harness.Daemon(daemon_harness.minimal_config())
        try:
            daemon.wait_ready()
            code, stderr = self.check(daemon.port)
            self.assertEqual(code, 0, f"healthcheck against a running daemon: {stderr}")
        finally:
            daemon.stop()

    def test_unhealthy_when_nothing_listens(self):
        with socket.socket() as probe:  # a port that was free a moment ago
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        code, stderr = self.check(port)
        self.assertEqual(code, 1)
        self.assertIn("nothing listens", stderr)

    def test_unhealthy_on_503(self):
        server = http.server.HTTPServer(("127.0.0.1", 0), Answer503)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            code, stderr = self.check(server.server_address[1])
        finally:
            server.shutdown()
            server.server_close()
        self.assertEqual(code, 1)
        self.assertIn("503", stderr)


if __name__ == "__main__":
    unittest.main()
