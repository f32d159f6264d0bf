#!/usr/bin/python3
"""Drives frankenetes-sim's Azure DNS API with Microsoft's Python SDK (Debian python3-azure).

Starts the simulator on free loopback ports with a scenario holding one Azure DNS zone, then
uses DnsManagementClient over HTTPS (trusting the sim's CA) for record-set create, get,
update (PATCH), list, delete, and the two etag conflicts (If-Match stale, If-None-Match: *),
each of which must surface as HttpResponseError with status 412. The record is also checked
over real DNS with dig when it is installed.

Usage: sdk_conformance_test.py --sim PATH/TO/frankenetes-sim
Exit 0 = pass, 1 = fail, 77 = skipped (SDK not installed), for ctest's SKIP_RETURN_CODE.
"""

import argparse
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

try:
    from azure.core.credentials import AccessToken
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
    from azure.mgmt.dns import DnsManagementClient
    from azure.mgmt.dns.models import ARecord, RecordSet
except ImportError as e:  # run with /usr/bin/python3: a pyenv python3 does not see python3-azure
    print(f"SKIP: azure SDK not importable ({e}); install python3-azure", file=sys.stderr)
    sys.exit(77)

SUBSCRIPTION = "00000000-0000-0000-0000-0000000000aa"
RESOURCE_GROUP = "dns-rg"
ZONE = "example.com"

SCENARIO = f"""
subscriptionId: {SUBSCRIPTION}
tenantId: 00000000-0000-0000-0000-0000000000bb
resourceGroups: [{RESOURCE_GROUP}]
credentials: {{ clientId: sdk-test, clientSecret: sdk-test-secret }}
dns:
  azureDns:
    zones:
      - resourceGroup: {RESOURCE_GROUP}
        name: {ZONE}
        recordSets:
          - {{ name: cp-etcd, type: A, ttl: 60, records: [127.0.0.5] }}
"""


class SimToken:
    """A TokenCredential that gets tokens from the sim's Entra endpoint (client_credentials)."""

    def __init__(self, endpoints, ssl_context):
        self.endpoints = endpoints
        self.ssl_context = ssl_context
        with open(endpoints["clientSecretFile"]) as f:
            self.secret = f.read().strip()

    def get_token(self, *scopes, **kwargs):
        form = urllib.parse.urlencode({
            "grant_type": "client_credentials",
            "client_id": self.endpoints["clientId"],
            "client_secret": self.secret,
            "scope": scopes[0] if scopes else "https://management.azure.com/.default",
        }).encode()
        with urllib.request.urlopen(self.endpoints["tokenEndpoint"], data=form,
                                    context=self.ssl_context, timeout=10) as r:
            body = json.load(r)
        return AccessToken(body["access_token"], int(time.time()) + int(body["expires_in"]))


def start_sim(sim, state_dir):
    scenario = os.path.join(state_dir, "scenario.yaml")
    with open(scenario, "w") as f:
        f.write(SCENARIO)
    log = open(os.path.join(state_dir, "sim.log"), "w")
    proc = subprocess.Popen(
        [sim, "--scenario", scenario, "--state-dir", state_dir, "--listen", "127.0.0.1:0",
         "--control", "127.0.0.1:0", "--dns-listen", "127.0.0.1:0"],
        stdout=log, stderr=subprocess.STDOUT)
    endpoints_file = os.path.join(state_dir, "endpoints.json")
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"frankenetes-sim exited with {proc.returncode}; see {log.name}")
        if os.path.exists(endpoints_file):
            with open(endpoints_file) as f:
                return proc, json.load(f)
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("frankenetes-sim did not write endpoints.json within 30 s")


def expect_status(status, fn):
    try:
        fn()
    except HttpResponseError as e:
        assert e.status_code == status, f"expected HTTP {status}, got {e.status_code}: {e}"
        return e
    raise AssertionError(f"expected HTTP {status}, call succeeded")


def run(endpoints):
    ssl_context = ssl.create_default_context(cafile=endpoints["caFile"])
    client = DnsManagementClient(SimToken(endpoints, ssl_context), endpoints["subscriptionId"],
                                 base_url=endpoints["armBaseUrl"],
                                 connection_verify=endpoints["caFile"])
    rs = client.record_sets

    existing = rs.get(RESOURCE_GROUP, ZONE, "cp-etcd", "A")
    assert existing.a_records[0].ipv4_address == "127.0.0.5", existing
    assert existing.fqdn.rstrip(".") == "cp-etcd.example.com", existing.fqdn

    created = rs.create_or_update(RESOURCE_GROUP, ZONE, "cp-apiserver", "A",
                                  RecordSet(ttl=60, a_records=[ARecord(ipv4_address="127.0.0.6")]),
                                  if_none_match="*")
    assert created.etag and created.ttl == 60, created
    assert created.type == "Microsoft.Network/dnsZones/A", created.type

    got = rs.get(RESOURCE_GROUP, ZONE, "cp-apiserver", "A")
    assert got.etag == created.etag and got.a_records[0].ipv4_address == "127.0.0.6"

    updated = rs.create_or_update(RESOURCE_GROUP, ZONE, "cp-apiserver", "A",
                                  RecordSet(ttl=30, a_records=[ARecord(ipv4_address="127.0.0.7")]),
                                  if_match=got.etag)
    assert updated.etag != got.etag and updated.a_records[0].ipv4_address == "127.0.0.7"

    patched = rs.update(RESOURCE_GROUP, ZONE, "cp-apiserver", "A",
                        RecordSet(metadata={"owner": "frankenetes"}), if_match=updated.etag)
    assert patched.metadata == {"owner": "frankenetes"}, patched.metadata
    assert patched.a_records[0].ipv4_address == "127.0.0.7"

    # Etag conflicts: a stale If-Match and a create-only on an existing set both give 412.
    stale = expect_status(412, lambda: rs.create_or_update(
        RESOURCE_GROUP, ZONE, "cp-apiserver", "A",
        RecordSet(ttl=60, a_records=[ARecord(ipv4_address="127.0.0.8")]), if_match=got.etag))
    assert "PreconditionFailed" in str(stale), str(stale)
    expect_status(412, lambda: rs.create_or_update(
        RESOURCE_GROUP, ZONE, "cp-apiserver", "A",
        RecordSet(ttl=60, a_records=[ARecord(ipv4_address="127.0.0.8")]), if_none_match="*"))
    expect_status(412, lambda: rs.delete(RESOURCE_GROUP, ZONE, "cp-apiserver", "A",
                                         if_match=got.etag))

    names = sorted(r.name for r in rs.list_by_type(RESOURCE_GROUP, ZONE, "A", top=1))
    assert names == ["cp-apiserver", "cp-etcd"], names  # two pages of one, via nextLink

    if shutil.which("dig") and endpoints.get("dnsAddress"):
        host, port = endpoints["dnsAddress"].rsplit(":", 1)
        answer = subprocess.run(["dig", f"@{host}", "-p", port, "+short", "+time=2", "+tries=1",
                                 "cp-apiserver.example.com", "A"],
                                capture_output=True, text=True, timeout=10).stdout.strip()
        assert answer == "127.0.0.7", f"dig answered {answer!r}"

    rs.delete(RESOURCE_GROUP, ZONE, "cp-apiserver", "A", if_match=patched.etag)
    try:
        rs.get(RESOURCE_GROUP, ZONE, "cp-apiserver", "A")
        raise AssertionError("record set still there after delete")
    except ResourceNotFoundError:
        pass
    rs.delete(RESOURCE_GROUP, ZONE, "cp-apiserver", "A")  # 204: absent is fine


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sim", required=True)
    args = parser.parse_args()
    state_dir = tempfile.mkdtemp(prefix="fk-dns-sdk-")
    proc = None
    try:
        proc, endpoints = start_sim(args.sim, state_dir)
        run(endpoints)
        print("PASS: DnsManagementClient record-set conformance")
        return 0
    except Exception as e:  # report, keep the state dir for the log
        print(f"FAIL: {type(e).__name__}: {e} (state dir {state_dir})", file=sys.stderr)
        log = os.path.join(state_dir, "sim.log")
        if os.path.exists(log):
            with open(log) as f:
                sys.stderr.write(f.read()[-4000:])
        proc_to_stop, proc = proc, None
        if proc_to_stop:
            proc_to_stop.send_signal(signal.SIGTERM)
            proc_to_stop.wait(timeout=10)
        return 1
    finally:
        if proc:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            shutil.rmtree(state_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
