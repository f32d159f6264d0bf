"""Starts frankenetes-sim for the SDK conformance suites and gives them a credential.

Run with /usr/bin/python3 (Debian's python3-azure). Exit code 77 means "skipped" (ctest
SKIP_RETURN_CODE) when the SDK is not installed.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

SKIP = 77


def require(module):
    try:
        __import__(module)
    except ImportError:
        print(f"SKIP: {module} is not installed (apt-get install python3-azure python3-msal)")
        sys.exit(SKIP)


class SimCredential:
    """A TokenCredential that gets real tokens from the sim's Entra v2.0 endpoint."""

    def __init__(self, endpoints):
        self.endpoints = endpoints
        with open(endpoints["clientSecretFile"]) as f:
            self.secret = f.read().strip()
        self.calls = 0

    def get_token(self, *scopes, **kwargs):
        import requests
        from azure.core.credentials import AccessToken
        self.calls += 1
        r = requests.post(self.endpoints["tokenEndpoint"], data={
            "grant_type": "client_credentials",
            "client_id": self.endpoints["clientId"],
            "client_secret": self.secret,
            "scope": scopes[0],
        }, verify=self.endpoints["caFile"], timeout=10)
        r.raise_for_status()
        body = r.json()
        return AccessToken(body["access_token"], int(time.time()) + int(body["expires_in"]))


class Sim:
    def __init__(self, binary, scenario_yaml, extra_args=()):
        # "--ip-pool auto": the sim takes a /16 no other running sim holds, so sims started
        # side by side (ctest -j) never hand out the same group IP. Any free ports, the DNS
        # server's too (a scenario's dns.server.listen names the demo's fixed port).
        self.dir = tempfile.mkdtemp(prefix="fk-sim-conformance-")
        scenario = os.path.join(self.dir, "scenario.yaml")
        with open(scenario, "w") as f:
            f.write(scenario_yaml)
        self.state = os.path.join(self.dir, "state")
        self.log = open(os.path.join(self.dir, "sim.log"), "w")
        self.proc = subprocess.Popen(
            [binary, "--scenario", scenario, "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0",
             "--dns-listen", "127.0.0.1:0", "--state-dir", self.state, "--ip-pool", "auto", *extra_args],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 15
        path = os.path.join(self.state, "endpoints.json")
        while not os.path.exists(path):
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                raise RuntimeError("frankenetes-sim did not start:\n" + open(self.log.name).read())
            time.sleep(0.05)
        with open(path) as f:
            self.endpoints = json.load(f)

    def control(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.endpoints["controlUrl"] + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read() or b"null")

    def stop(self, keep=False):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        if keep:
            print("sim log:\n" + open(self.log.name).read())
        shutil.rmtree(self.dir, ignore_errors=True)


def eventually(fn, timeout=10.0, interval=0.1):
    deadline = time.time() + timeout
    while True:
        value = fn()
        if value or time.time() > deadline:
            return value
        time.sleep(interval)
