"""Starts the real frankenetesd binary on loopback for integration tests.

A test gets a running daemon with its own temp dir, config file, NOTIFY_SOCKET listener and
log file. The port is chosen by the daemon (listen 127.0.0.1:0) and learned from the
sd_notify STATUS line, so there is no race for a free port and no log scraping. Every wait
has a deadline; nothing sleeps and hopes.
"""
import http.client
import os
import re
import signal
import socket
import subprocess
import tempfile
import time

FRANKENETESD = os.environ.get("FRANKENETESD", "frankenetesd")

MINIMAL_CONFIG = """\
azure:
  cloud:
    resourceManager: https://127.0.0.1:18443
    authority: https://127.0.0.1:18443
  subscriptionId: 00000000-0000-0000-0000-000000000001
  auth:
    method: static
    tokenFile: token
clusters:
  - name: test
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
policy:
  dryRun: {dry_run}
server:
  listen: "127.0.0.1:{port}"
log:
  level: info
  format: {log_format}
"""


def minimal_config(port=0, dry_run="false", log_format="text"):
    return MINIMAL_CONFIG.format(port=port, dry_run=dry_run, log_format=log_format)


def wait_until(predicate, timeout, what, every=0.02):
    """Calls `predicate` every `every` seconds until it returns a true value (returned), or
    raises AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


class NotifyListener:
    """An AF_UNIX datagram socket standing in for systemd's NOTIFY_SOCKET."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.05)
        self.messages = []  # one dict per datagram

    def poll(self):
        while True:
            try:
                data = self.sock.recv(65536)
            except (socket.timeout, BlockingIOError):
                return
            fields = {}
            for line in data.decode().splitlines():
                key, _, value = line.partition("=")
                fields[key] = value
            self.messages.append(fields)

    def wait_for(self, key, value=None, timeout=10, after=0):
        """Waits for a datagram (index >= after) carrying key (=value); returns its index."""

        def found():
            self.poll()
            for i, m in enumerate(self.messages[after:], start=after):
                if key in m and (value is None or m[key] == value):
                    return i + 1  # +1 so index 0 is truthy
            return None

        return wait_until(found, timeout, f"sd_notify {key}={value or '*'}") - 1

    def close(self):
        self.sock.close()


class Daemon:
    def __init__(self, config_text, extra_args=(), env=None):
        self.dir = tempfile.TemporaryDirectory(prefix="frankenetesd-test-")
        self.config_path = os.path.join(self.dir.name, "frankenetesd.yaml")
        with open(os.path.join(self.dir.name, "token"), "w") as f:
            f.write("static-test-token\n")
        self.write_config(config_text)
        self.notify = NotifyListener(os.path.join(self.dir.name, "notify.sock"))
        self.log_path = os.path.join(self.dir.name, "daemon.log")
        self.log_file = open(self.log_path, "w")
        # Each daemon keeps its history in its own directory unless a test shares one (restarts).
        environment = dict(os.environ, NOTIFY_SOCKET=self.notify.path,
                           STATE_DIRECTORY=os.path.join(self.dir.name, "state"))
        environment.update(env or {})
        self.proc = subprocess.Popen(
            [FRANKENETESD, "--config", self.config_path, *extra_args],
            stdout=self.log_file, stderr=subprocess.STDOUT, env=environment)
        self.port = None

    def write_config(self, text):
        tmp = self.config_path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, self.config_path)

    def wait_ready(self, timeout=10):
        index = self.notify.wait_for("READY", "1", timeout)
        status = self.notify.messages[index].get("STATUS", "")
        match = re.search(r"serving on [^:]+:(\d+)", status)
        if not match:
            raise AssertionError(f"READY=1 without a port in STATUS: {status!r}")
        self.port = int(match.group(1))
        return index

    def request(self, method, path, headers=None, timeout=5):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read().decode()
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def signal(self, signo):
        self.proc.send_signal(signo)

    def log(self):
        self.log_file.flush()
        with open(self.log_path) as f:
            return f.read()

    def metric(self, name_with_labels):
        _, _, body = self.get("/metrics")
        for line in body.splitlines():
            if line.startswith(name_with_labels + " "):
                return float(line.split()[-1])
        return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.log_file.close()
        self.notify.close()
        self.dir.cleanup()
