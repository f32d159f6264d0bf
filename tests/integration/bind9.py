"""A real BIND9 `named` for integration tests: the Python twin of tests/support/bind9_server.h.

Primary for one dynamic zone on a free loopback port, TSIG keys made by tsig-keygen, everything
in a temporary directory removed by stop(). named runs in the foreground (-g, one worker) and
is stopped by its PID only (SIGTERM, SIGKILL after 5 s).
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time


def find_program(name):
    for d in ("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"):
        path = os.path.join(d, name)
        if os.access(path, os.X_OK):
            return path
    return None


def unavailable_reason():
    missing = [p for p in ("named", "tsig-keygen", "dig") if not find_program(p)]
    if not missing:
        return ""
    return "BIND9 not installed (missing " + ", ".join(missing) + ")"


def free_port():
    for _ in range(20):
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                udp.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
            finally:
                udp.close()
        finally:
            tcp.close()
    raise RuntimeError("no free loopback port")


def dig(server, port, name, rtype="A"):
    """`dig +short` lines (sorted) for name/type at server:port; [] when none or on error."""
    out = subprocess.run(
        ["dig", f"@{server}", "-p", str(port), name, rtype, "+short", "+time=1", "+tries=1"],
        capture_output=True, text=True, timeout=5).stdout
    lines = [l.strip() for l in out.splitlines() if l.strip() and not l.startswith(";")]
    return sorted(lines)


class Bind9:
    def __init__(self, zone="example.test", records=()):
        self.zone = zone
        self.records = list(records)
        self.dir = tempfile.mkdtemp(prefix="fk-bind9-")
        self.proc = None
        self.port = 0
        self.key_name = "frankenetes"
        self.algorithm = "hmac-sha256"
        self.secret = self._keygen()

    def _keygen(self):
        text = subprocess.run([find_program("tsig-keygen"), "-a", self.algorithm, self.key_name],
                              capture_output=True, text=True, timeout=10).stdout
        m = re.search(r'secret "([^"]+)"', text)
        if not m:
            raise RuntimeError("tsig-keygen failed: " + text)
        return m.group(1)

    def _write(self):
        d = self.dir
        with open(os.path.join(d, "named.conf"), "w") as f:
            f.write(f"""key "{self.key_name}" {{ algorithm {self.algorithm}; secret "{self.secret}"; }};
options {{
  directory "{d}";
  pid-file "{d}/named.pid";
  session-keyfile "{d}/session.key";
  managed-keys-directory "{d}";
  listen-on port {self.port} {{ 127.0.0.1; }};
  listen-on-v6 {{ none; }};
  recursion no;
  notify no;
  allow-query {{ 127.0.0.0/8; }};
  dnssec-validation no;
}};
controls {{ }};
zone "{self.zone}" {{
  type primary;
  file "{d}/zone.db";
  journal "{d}/zone.db.jnl";
  update-policy {{ grant {self.key_name} zonesub ANY; }};
}};
""")
        with open(os.path.join(d, "zone.db"), "w") as f:
            f.write(f"$ORIGIN {self.zone}.\n$TTL 60\n@ IN SOA ns1 hostmaster ( 1 60 60 3600 60 )\n"
                    "  IN NS ns1\nns1 IN A 127.0.0.1\n")
            for line in self.records:
                f.write(line + "\n")

    def start(self, timeout=15, keep_port=False):
        """Starts named on a free port, or on the port it had (`keep_port`: a restart that keeps
        the zone and its journal, as a server coming back after maintenance)."""
        for _ in range(5):
            if not (keep_port and self.port):
                self.port = free_port()
                self._write()  # a restart keeps named.conf, the zone file and its journal
            self.log = open(os.path.join(self.dir, "named.log"), "a")
            self.proc = subprocess.Popen(
                [find_program("named"), "-g", "-n", "1", "-c", os.path.join(self.dir, "named.conf")],
                stdout=self.log, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.proc.poll() is None:
                if any("hostmaster" in l for l in dig("127.0.0.1", self.port, self.zone, "SOA")):
                    return self
                time.sleep(0.05)
            self._stop_process()
        raise RuntimeError("named did not start: " + open(os.path.join(self.dir, "named.log")).read())

    def address(self):
        return f"127.0.0.1:{self.port}"

    def dig(self, name, rtype="A"):
        return dig("127.0.0.1", self.port, name, rtype)

    def nsupdate(self, commands):
        script = f"server 127.0.0.1 {self.port}\nzone {self.zone}\n{commands}\nsend\n"
        return subprocess.run(["nsupdate", "-y", f"{self.algorithm}:{self.key_name}:{self.secret}"],
                              input=script, text=True, capture_output=True, timeout=10).returncode

    def _stop_process(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc:
            self.log.close()
        self.proc = None

    def stop_serving(self):
        """Stops named but keeps its files (start(keep_port=True) brings it back)."""
        self._stop_process()

    def stop(self):
        self._stop_process()
        shutil.rmtree(self.dir, ignore_errors=True)
