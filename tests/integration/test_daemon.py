"""The real frankenetesd binary: admin HTTP endpoints, signals, reload, sd_notify."""
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import unittest

from daemon_harness import FRANKENETESD, Daemon, minimal_config, wait_until

SOURCE_DIR = os.environ.get("FRANKENETES_SOURCE_DIR",
                            os.path.join(os.path.dirname(__file__), "..", ".."))


class DaemonTestCase(unittest.TestCase):
    def start(self, config=None, **kw):
        daemon = Daemon(config or minimal_config(), **kw)
        self.addCleanup(daemon.stop)
        return daemon


class AdminEndpoints(DaemonTestCase):
    def setUp(self):
        self.daemon = self.start()
        self.daemon.wait_ready()

    def test_livez_and_readyz(self):
        status, _, body = self.daemon.get("/livez?verbose")
        self.assertEqual(status, 200, body)
        self.assertIn("[+]loop ok", body)
        # The minimal config points at an ARM endpoint where nothing listens: the daemon runs
        # and serves, but is not ready because it cannot observe anything. READY=1 waits at
        # most 5 s for the first pass (a loaded machine can take longer, retries included),
        # and until that pass ends the check says "no observation has completed yet": wait
        # for the pass's own error.
        status, _, body = self.daemon.get("/readyz?verbose")
        self.assertEqual(status, 503, body)
        self.assertIn("[+]config ok", body)
        self.assertIn("[-]observation failed: ", body)
        failed_pass = re.compile(r"\[-\]observation failed: .*127\.0\.0\.1:18443")

        def observation_error():
            status, _, body = self.daemon.get("/readyz?verbose")
            return (status, body) if failed_pass.search(body) else None
        status, body = wait_until(observation_error, 30, "/readyz to report the first pass's error")
        self.assertEqual(status, 503, body)
        self.assertIn("[+]config ok", body)
        self.assertEqual(self.daemon.get("/readyz/config")[0], 200)
        self.assertEqual(self.daemon.get("/readyz/observation")[0], 503)
        self.assertEqual(self.daemon.get("/readyz/nope")[0], 404)

    def test_first_observation_failure_is_in_status(self):
        index = self.daemon.notify.wait_for("READY", "1")
        status = self.daemon.notify.messages[index]["STATUS"]
        self.assertRegex(status, r"serving on 127\.0\.0\.1:\d+; observing 1 member; "
                                 r"(last pass failed|first observation still running)")
        wait_until(lambda: self.daemon.metric(
            'frankenetes_member_state{cluster="test",member="etcd",state="unknown"}') == 1,
                   10, "etcd to be assessed unknown")
        self.assertEqual(self.daemon.metric('frankenetes_member_up{cluster="test",member="etcd"}'), 0)
        wait_until(lambda: "observation.failed" in self.daemon.log(), 10, "observation.failed")

    def test_unknown_path_and_wrong_method(self):
        self.assertEqual(self.daemon.get("/nope")[0], 404)
        status, headers, _ = self.daemon.request("POST", "/metrics")
        self.assertEqual(status, 405)
        self.assertEqual(headers.get("Allow"), "GET, HEAD")

    def test_metrics_pass_promtool_lint(self):
        promtool = shutil.which("promtool")
        if not promtool:
            self.skipTest("promtool not installed (Debian package 'prometheus'); scripts/install-deps installs it")
        status, headers, body = self.daemon.get("/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/plain; version=0.0.4"))
        for name in ("frankenetes_build_info{", "process_resident_memory_bytes ",
                     "process_cpu_seconds_total ", "process_start_time_seconds ",
                     "process_open_fds ", 'frankenetes_config_reload_total{result="failure"} 0'):
            self.assertIn(name, body)
        lint = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True,
                              text=True, timeout=30)
        self.assertEqual((lint.returncode, lint.stdout, lint.stderr), (0, "", ""))

    def test_oversized_header_gets_431_and_daemon_keeps_serving(self):
        status, _, _ = self.daemon.get("/livez", headers={"X-Big": "a" * 8192})
        self.assertEqual(status, 431)
        self.assertEqual(self.daemon.get("/livez")[0], 200)


class Signals(DaemonTestCase):
    def test_sigterm_exits_zero_within_five_seconds_and_notifies_stopping(self):
        daemon = self.start()
        ready = daemon.wait_ready()
        started = time.monotonic()
        daemon.signal(signal.SIGTERM)
        code = daemon.proc.wait(timeout=10)
        elapsed = time.monotonic() - started
        self.assertEqual(code, 0, daemon.log())
        self.assertLess(elapsed, 5.0)
        daemon.notify.wait_for("STOPPING", "1", timeout=1, after=ready)

    def test_sigint_also_stops_cleanly(self):
        daemon = self.start()
        daemon.wait_ready()
        daemon.signal(signal.SIGINT)
        self.assertEqual(daemon.proc.wait(timeout=10), 0)

    def test_sigterm_with_an_open_keepalive_connection(self):
        daemon = self.start()
        daemon.wait_ready()
        idle = socket.create_connection(("127.0.0.1", daemon.port))
        self.addCleanup(idle.close)
        idle.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertIn(b"200", idle.recv(4096))
        started = time.monotonic()
        daemon.signal(signal.SIGTERM)
        self.assertEqual(daemon.proc.wait(timeout=10), 0)
        self.assertLess(time.monotonic() - started, 5.0)

    def test_sighup_with_broken_config_keeps_old_one(self):
        daemon = self.start()
        ready = daemon.wait_ready()
        daemon.write_config(minimal_config().replace("pollInterval", "x") + "policy2: {}\n")
        daemon.signal(signal.SIGHUP)
        wait_until(lambda: daemon.metric('frankenetes_config_reload_total{result="failure"}') == 1,
                   10, "the reload failure to be counted")
        self.assertEqual(daemon.metric('frankenetes_config_reload_total{result="success"}'), 0)
        self.assertEqual(daemon.metric("frankenetes_config_last_reload_successful"), 0)
        self.assertEqual(daemon.get("/readyz/config")[0], 200)
        log = daemon.log()
        self.assertIn("config.reload.failed", log)
        self.assertIn('unknown key \\"policy2\\"', log)
        daemon.notify.wait_for("RELOADING", "1", timeout=5, after=ready)
        self.assertIsNone(daemon.proc.poll(), "the daemon must keep running")

    def test_sighup_with_good_config_applies_it(self):
        daemon = self.start()
        ready = daemon.wait_ready()
        daemon.write_config(minimal_config(port=daemon.port, dry_run="true"))
        daemon.signal(signal.SIGHUP)
        wait_until(lambda: daemon.metric('frankenetes_config_reload_total{result="success"}') == 1,
                   10, "the reload to be counted")
        wait_until(lambda: "config.reload.applied" in daemon.log(), 5, "config.reload.applied")
        self.assertRegex(daemon.log(), r"config.reload.applied .*dry_run=true")
        reloading = daemon.notify.wait_for("RELOADING", "1", timeout=5, after=ready)
        index = daemon.notify.wait_for("READY", "1", timeout=5, after=reloading)
        self.assertIn("(dry run)", daemon.notify.messages[index]["STATUS"])

    def test_a_second_daemon_on_the_same_state_directory_refuses_to_start(self):
        first = self.start()
        first.wait_ready()
        state_dir = os.path.join(first.dir.name, "state")
        self.assertTrue(os.path.exists(os.path.join(state_dir, "lock")))
        path = os.path.join(first.dir.name, "second.yaml")
        with open(path, "w") as f:
            f.write(minimal_config())
        second = subprocess.run([FRANKENETESD, "--config", path], capture_output=True, text=True,
                                timeout=30, env=dict(os.environ, STATE_DIRECTORY=state_dir))
        self.assertEqual(second.returncode, 1, second.stderr)
        self.assertIn(f"state directory {state_dir} is in use by another frankenetesd "
                      f"(pid {first.proc.pid})", second.stderr)

    def test_watchdog_pings_when_requested(self):
        daemon = self.start(env={"WATCHDOG_USEC": "200000"})
        ready = daemon.wait_ready()
        first = daemon.notify.wait_for("WATCHDOG", "1", timeout=2)
        daemon.notify.wait_for("WATCHDOG", "1", timeout=2, after=max(first, ready) + 1)


class CommandLine(unittest.TestCase):
    def run_daemon(self, *args):
        env = dict(os.environ, STATE_DIRECTORY=os.path.join(self.tmp(), "state"))
        return subprocess.run([FRANKENETESD, *args], capture_output=True, text=True, timeout=30,
                              env=env)

    def test_check_config_accepts_the_example(self):
        result = self.run_daemon("--check-config", "--config",
                                 os.path.join(SOURCE_DIR, "config", "example.yaml"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("OK", result.stdout)

    def test_check_config_rejects_with_file_line_col(self):
        with open(os.path.join(self.tmp(), "bad.yaml"), "w") as f:
            f.write(minimal_config().replace("dryRun", "dryRunn"))
            path = f.name
        result = self.run_daemon("--check-config", "--config", path)
        self.assertEqual(result.returncode, 2)
        self.assertRegex(result.stderr, rf"{path}:\d+:\d+: policy: unknown key \"dryRunn\" \(did you mean \"dryRun\"\?\)")

    def test_version_names_commit_and_build_type(self):
        result = self.run_daemon("--version")
        self.assertEqual(result.returncode, 0)
        self.assertRegex(result.stdout, r"^frankenetesd \d+\.\d+\.\d+ \(commit \w+, build \w+\)")

    def test_unknown_argument_is_a_usage_error(self):
        result = self.run_daemon("--bogus")
        self.assertEqual(result.returncode, 2)
        self.assertIn('unknown argument "--bogus"', result.stderr)
        self.assertIn("Usage: frankenetesd", result.stderr)

    def test_listen_address_in_use_fails_clearly(self):
        taken = socket.socket()
        self.addCleanup(taken.close)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        path = os.path.join(self.tmp(), "c.yaml")
        with open(path, "w") as f:
            f.write(minimal_config(port=port))
        result = self.run_daemon("--config", path)
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"127.0.0.1:{port}", result.stderr)
        self.assertIn("in use", result.stderr)

    def tmp(self):
        import tempfile
        d = tempfile.TemporaryDirectory()
        self.addCleanup(d.cleanup)
        return d.name


if __name__ == "__main__":
    unittest.main()
