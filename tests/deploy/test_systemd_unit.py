"""deploy/systemd/frankenetesd.service: systemd accepts it, it is hardened (exposure at most
2.0 by `systemd-analyze security --offline=true`), and the hardening leaves the daemon what it
needs. systemd-analyze (Debian's systemd package) reads the unit offline; nothing is started.
"""
import os
import re
import tempfile
import unittest

from deploy_support import read_source, require_binary, require_tool, run, source_path

UNIT = source_path("deploy", "systemd", "frankenetesd.service")
INSTALLED_BINARY = "/usr/bin/frankenetesd"  # where the package puts it (cmake/packaging.cmake)
MAX_EXPOSURE = 2.0


def service_settings(text):
    """[Service] as {key: [values in order]}."""
    settings = {}
    section = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
        elif section == "[Service]":
            key, _, value = line.partition("=")
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


class SystemdUnitTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.analyze = require_tool("systemd-analyze", "systemd")
        cls.text = read_source("deploy", "systemd", "frankenetesd.service")
        cls.service = service_settings(cls.text)

    def test_verify_reports_nothing(self):
        # verify checks that every Exec*= program exists, so it reads a copy that runs the built
        # binary instead of the installed one.
        binary = require_binary()
        self.assertIn(INSTALLED_BINARY, self.text)
        with tempfile.TemporaryDirectory(prefix="unit-verify-") as directory:
            copy = os.path.join(directory, "frankenetesd.service")
            with open(copy, "w", encoding="utf-8") as f:
                f.write(self.text.replace(INSTALLED_BINARY, binary))
            result = run([self.analyze, "verify", copy])
        output = result.stdout + result.stderr
        # Problems of units it pulls in (network-online.target, ...) are the host's, not ours.
        ours = [line for line in output.splitlines() if "frankenetesd" in line]
        self.assertEqual(result.returncode, 0, f"systemd-analyze verify failed:\n{output}")
        self.assertEqual(ours, [], "systemd-analyze verify complains about the unit:\n" +
                         "\n".join(ours))

    def test_exposure_is_at_most_2_0(self):
        result = run([self.analyze, "security", "--offline=true", "--no-pager",
                      f"--threshold={int(MAX_EXPOSURE * 10)}", UNIT])
        match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)
        self.assertIsNotNone(match, "no overall exposure level in:\n" + result.stdout +
                             result.stderr)
        exposure = float(match.group(1))
        print(f"systemd-analyze security: overall exposure {exposure}")
        open_items = [line for line in result.stdout.splitlines() if line.startswith("✗")]
        self.assertLessEqual(exposure, MAX_EXPOSURE,
                             f"exposure {exposure} > {MAX_EXPOSURE}; not hardened:\n" +
                             "\n".join(open_items))
        self.assertEqual(result.returncode, 0,
                         "systemd-analyze security --threshold disagrees:\n" + result.stderr)

    def test_hardening_leaves_the_daemon_what_it_needs(self):
        s = self.service

        def one(key):
            values = s.get(key, [])
            return values[-1] if values else None

        # sd_notify: READY=1 after the first observation, WATCHDOG=1 from the loop, over an
        # AF_UNIX datagram socket; only the main process may talk to systemd.
        self.assertEqual(one("Type"), "notify")
        self.assertEqual(one("NotifyAccess"), "main")
        self.assertRegex(one("WatchdogSec") or "", r"^[1-9]\d*(s|min)?$")
        families = " ".join(s.get("RestrictAddressFamilies", [])).split()
        for family in ("AF_UNIX", "AF_INET", "AF_INET6"):
            self.assertIn(family, families, "sd_notify needs AF_UNIX; Azure, DNS and the "
                          "HTTP server need AF_INET and AF_INET6")
        # Azure's and the DNS providers' addresses are neither fixed nor few.
        self.assertNotIn(one("PrivateNetwork"), ("yes", "true", "on", "1"))
        self.assertNotIn("IPAddressDeny", s, "egress to Azure must not be filtered by address")
        # process_start_time_seconds needs btime from /proc/stat, which ProcSubset=pid hides.
        self.assertNotEqual(one("ProcSubset"), "pid")
        # The `az` credential is a child process: fork/exec must stay allowed.
        allowed = [v for v in s.get("SystemCallFilter", []) if not v.startswith("~")]
        denied = " ".join(v[1:] for v in s.get("SystemCallFilter", [])
                          if v.startswith("~")).split()
        self.assertIn("@system-service", " ".join(allowed).split())
        for needed in ("@process", "@signal", "@network-io", "@file-system", "@io-event",
                       "@timer", "@basic-io", "@ipc"):
            self.assertNotIn(needed, denied)
        # History and pending operations live in $STATE_DIRECTORY.
        self.assertEqual(one("StateDirectory"), "frankenetes")
        self.assertTrue(one("ExecStart").startswith(INSTALLED_BINARY + " "))

    def test_credentials_are_optional(self):
        # An absolute LoadCredential= path that is missing stops the service from starting; a
        # credential name (looked up in /etc/credstore, /run/credstore) is skipped when absent.
        credentials = self.service.get("LoadCredential", [])
        self.assertTrue(credentials, "no LoadCredential= for the secrets")
        for value in credentials:
            name, _, source = value.partition(":")
            self.assertNotIn("/", source or name, f"LoadCredential={value}: not a name")
        # systemd 252 gives them to the first ExecStartPre= only (systemd issue 27275); the
        # --check-config there reads the configuration that refers to them.
        self.assertLessEqual(len(self.service.get("ExecStartPre", [])), 1)


if __name__ == "__main__":
    unittest.main()
