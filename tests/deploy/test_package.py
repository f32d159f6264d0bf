"""The Debian package: `cpack -G DEB` in the build directory (cmake/packaging.cmake), then its
contents (`dpkg-deb -c`), control fields (`dpkg-deb -f`) and maintainer scripts, and the
extracted binary run against the extracted example configuration. The package is built into a
temporary directory; the build directory's binary is packaged as it is (stripped).
"""
import os
import re
import subprocess
import tempfile
import unittest

from deploy_support import (library_packages, package_names, read_source, require_binary,
                            require_tool, run, source_path)

BUILD_DIR = os.environ.get("FRANKENETES_BUILD_DIR", "")
DOC = "usr/share/doc/frankenetesd"
DATA = "usr/share/frankenetesd"


def repository_files(directory, keep=lambda name: True):
    """Files below a source directory, relative to it; empty when it does not exist."""
    root = source_path(directory)
    found = []
    for current, _, files in os.walk(root):
        for name in files:
            if keep(name):
                found.append(os.path.relpath(os.path.join(current, name), root))
    return sorted(found)


class DebianPackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cpack = os.environ.get("CPACK") or require_tool("cpack", "cmake")
        cls.dpkg_deb = require_tool("dpkg-deb", "dpkg")
        require_tool("dpkg-shlibdeps", "dpkg-dev")
        config = os.path.join(BUILD_DIR, "CPackConfig.cmake")
        if not os.path.isfile(config):
            raise AssertionError(f"no {config}: FRANKENETES_BUILD_DIR must be a configured build")
        cls.tmp = tempfile.TemporaryDirectory(prefix="frankenetesd-deb-")
        result = run([cpack, "-G", "DEB", "--config", config, "-B", cls.tmp.name], timeout=240)
        if result.returncode != 0:
            raise AssertionError(f"cpack failed:\n{result.stdout}{result.stderr}")
        debs = [n for n in os.listdir(cls.tmp.name) if n.endswith(".deb")]
        if len(debs) != 1:
            raise AssertionError(f"cpack wrote {debs}, expected one .deb")
        cls.deb = os.path.join(cls.tmp.name, debs[0])
        listing = run([cls.dpkg_deb, "-c", cls.deb]).stdout
        # "-rwxr-xr-x root/root 123 2026-01-01 00:00 ./usr/bin/frankenetesd"
        cls.contents = {}
        for line in listing.splitlines():
            fields = line.split(None, 5)
            cls.contents[fields[5].removeprefix("./").split(" -> ")[0].rstrip("/")] = fields[0]
        cls.root = os.path.join(cls.tmp.name, "root")
        extracted = run(["dpkg", "-x", cls.deb, cls.root])
        if extracted.returncode != 0:
            raise AssertionError(f"dpkg -x failed: {extracted.stderr}")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def field(self, name):
        return run([self.dpkg_deb, "-f", self.deb, name]).stdout.strip()

    def files(self):
        return {path for path, mode in self.contents.items() if not mode.startswith("d")}

    def test_contains_binary_unit_config_rules_and_docs(self):
        expected = {
            "usr/bin/frankenetesd",
            "lib/systemd/system/frankenetesd.service",
            f"{DOC}/examples/frankenetesd.yaml",
            f"{DOC}/README.md",
        }
        expected |= {f"{DOC}/examples/groups/{f}" for f in repository_files("config/groups")}
        rules = repository_files("deploy/prometheus", lambda n: not n.endswith(".test.yml"))
        self.assertTrue(rules, "deploy/prometheus has no rule files")
        expected |= {f"{DATA}/prometheus/{f}" for f in rules}
        expected |= {f"{DATA}/grafana/{f}" for f in repository_files("deploy/grafana")}
        expected |= {f"{DOC}/{f}" for f in repository_files("docs")}
        missing = sorted(expected - self.files())
        self.assertEqual(missing, [], f"not in the package: {missing}")
        self.assertTrue(self.contents["usr/bin/frankenetesd"].startswith("-rwxr-xr-x"))

    def test_contains_no_development_tools(self):
        unwanted = sorted(p for p in self.files()
                          if re.search(r"frankenetes-sim|/tests?/|bench|\.a$|\.h$|\.test\.yml$|"
                                       r"^usr/include|^usr/lib/.*\.so", p))
        self.assertEqual(unwanted, [])

    def test_control_fields(self):
        version = re.search(r"project\(frankenetes VERSION (\S+)", read_source("CMakeLists.txt"))
        self.assertEqual(self.field("Package"), "frankenetesd")
        self.assertEqual(self.field("Version"), version.group(1))
        architecture = run(["dpkg", "--print-architecture"]).stdout.strip()
        self.assertEqual(self.field("Architecture"), architecture)
        self.assertTrue(self.field("Maintainer"))
        depends = {re.sub(r"\s*\(.*\)", "", d).strip()
                   for d in re.split(r"[,|]", self.field("Depends"))}
        self.assertIn("ca-certificates", depends)
        missing = sorted(p for p in library_packages(require_binary())
                         if not package_names(p) & depends)
        self.assertEqual(missing, [], f"Depends lacks {missing}: {self.field('Depends')}")

    def test_maintainer_scripts(self):
        info = run([self.dpkg_deb, "-I", self.deb]).stdout
        for script in ("postinst", "prerm", "postrm"):
            self.assertRegex(info, rf"\b{script}\b", f"no {script} in the package")

    def test_extracted_files_work(self):
        binary = os.path.join(self.root, "usr", "bin", "frankenetesd")
        version = subprocess.run([binary, "--version"], capture_output=True, text=True,
                                 timeout=30)
        self.assertEqual(version.returncode, 0, version.stderr)
        self.assertRegex(version.stdout, r"^frankenetesd \d+\.\d+\.\d+ ")
        # The example configuration, with its groups/ spec files beside it, as shipped.
        example = os.path.join(self.root, DOC, "examples", "frankenetesd.yaml")
        check = subprocess.run([binary, "--check-config", "--config", example],
                               capture_output=True, text=True, timeout=30)
        self.assertEqual(check.returncode, 0, f"--check-config on the shipped example:\n"
                         f"{check.stdout}{check.stderr}")
        with open(os.path.join(self.root, "lib/systemd/system/frankenetesd.service")) as f:
            self.assertEqual(f.read(), read_source("deploy", "systemd", "frankenetesd.service"))


if __name__ == "__main__":
    unittest.main()
