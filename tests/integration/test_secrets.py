"""Secret hygiene (issue 14): no secret the daemon holds ever comes out of it.

Every secret is a distinctive canary string: the Entra client secret (the sim's), the Cloudflare
API token (the sim's Cloudflare), the RFC 2136 TSIG key (a real BIND9's), the Blob Storage
account key (Azurite's well-known key, the one it accepts), the admin token, and a `secureValue`
in the scheduler's spec file, which the daemon PUTs when it recreates the group. The daemon logs
at trace level. It is driven through the paths that use the secrets and through their error
paths:
  1. the working daemon (its admin token file readable by others, which it warns about at
     load): tokens, a Cloudflare record, a TSIG-signed update in BIND, an etcd
     snapshot in Azurite, the scheduler deleted behind its back and recreated from its spec,
     admin calls without a token, with a near miss of the token, with another secret, with the
     right one;
  2. a daemon whose Cloudflare token, TSIG key and storage key are all wrong (401/403 from the
     sim's Cloudflare, BIND refusing the update, 403 from Azurite);
  3. `--once` with a wrong client secret (the sim's token endpoint answers 401), logging JSON;
  4. `--check-config` on a file with secrets written inline, where they are not allowed.
No canary (nor its base64 form, nor a key's decoded bytes in hex) may appear in the daemon's
stdout/stderr, in any body of /, /status, /status.json, /metrics, /readyz, /livez (plain and
?verbose), or in any admin API answer.
"""
import base64
import json
import os
import signal
import subprocess
import unittest

import yaml

import azurite
import bind9
from daemon_harness import FRANKENETESD, wait_until
from sim_cluster import (MEMBERS, RESOURCE_GROUP, HealDaemon, HealTestCase,
                         daemon_config, log_events, run_once)

ENTRA_SECRET = "fk-canary-entra-client-secret-Q7v2"
CLOUDFLARE_TOKEN = "fk-canary-cloudflare-token-Z9p4"
TSIG_KEY = base64.b64encode(b"fk-canary-tsig-key-material-M3k8").decode()
STORAGE_KEY = azurite.KEY
ADMIN_TOKEN = "fk-canary-admin-token-L5w1Xc"
SECURE_VALUE = "fk-canary-secure-value-R2d6"
# The wrong ones, for the error paths.
WRONG_ENTRA_SECRET = "fk-canary-wrong-client-secret-B8n3"
WRONG_CLOUDFLARE_TOKEN = "fk-canary-wrong-cloudflare-token-H4t9"
WRONG_TSIG_KEY = base64.b64encode(b"fk-canary-wrong-tsig-key-J6y1aaa").decode()
WRONG_STORAGE_KEY = base64.b64encode(b"fk-canary-wrong-storage-key-V0q5").decode()
INLINE_SECRET = "fk-canary-inline-secret-K1m7"

CLOUDFLARE_ZONE = "example.org"
BIND_ZONE = "example.test"
ENDPOINTS = ("/", "/status", "/status.json", "/metrics", "/readyz", "/readyz?verbose",
             "/livez", "/livez?verbose")


def forms(secret):
    """The spellings under which `secret` could leak: itself; for a base64 key its decoded
    bytes (where printable) and their hex; for any other its base64."""
    out = {secret}
    try:
        raw = base64.b64decode(secret, validate=True)
        out.add(raw.hex())
        if raw.isascii() and raw.decode().isprintable():
            out.add(raw.decode())
    except ValueError:
        out.add(base64.b64encode(secret.encode()).decode())
    return out


CANARIES = {name: forms(value) for name, value in {
    "Entra client secret": ENTRA_SECRET, "Cloudflare token": CLOUDFLARE_TOKEN,
    "TSIG key": TSIG_KEY, "storage account key": STORAGE_KEY, "admin token": ADMIN_TOKEN,
    "secureValue": SECURE_VALUE, "wrong client secret": WRONG_ENTRA_SECRET,
    "wrong Cloudflare token": WRONG_CLOUDFLARE_TOKEN, "wrong TSIG key": WRONG_TSIG_KEY,
    "wrong storage key": WRONG_STORAGE_KEY, "inline secret": INLINE_SECRET}.items()}


def with_canary_secrets(scenario):
    """config/sim-cluster.yaml with the canary client secret and a Cloudflare account."""
    scenario = scenario.replace("  clientId: frankenetes-demo\n",
                                f"  clientId: frankenetes-demo\n  clientSecret: {ENTRA_SECRET}\n")
    assert ENTRA_SECRET in scenario, "config/sim-cluster.yaml changed: no credentials.clientId"
    return scenario + (f"  cloudflare:\n    accounts:\n      - name: secrets\n"
                       f"        apiToken: {CLOUDFLARE_TOKEN}\n"
                       f"        zones:\n          - name: {CLOUDFLARE_ZONE}\n")


class Secrets(HealTestCase):
    DEADLINE = 300

    def setUp(self):
        super().setUp()
        reason = bind9.unavailable_reason()
        if reason:
            self.skipTest(reason)
        self.azurite = azurite.start_for(self)
        self.bind = bind9.Bind9(zone=BIND_ZONE)
        self.bind.secret = TSIG_KEY  # named.conf is written by start()
        self.bind.start()
        self.addCleanup(self.bind.stop)
        self.seen = []  # (where, text) of everything the daemon said

    def secret_file(self, name, value, mode=0o600):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as f:
            f.write(value + "\n")
        os.chmod(path, mode)
        return path

    def config(self, sim, *, client_secret, cloudflare_token, tsig_key, storage_key, spec):
        auth = {"method": "clientSecret", "clientId": sim.endpoints["clientId"],
                "clientSecretFile": self.secret_file("client-secret", client_secret)}
        text = daemon_config(sim.endpoints, auth=auth, specs={"scheduler": spec},
                             admin_token_file=self.secret_file("admin-token", ADMIN_TOKEN,
                                                               mode=0o644))
        config = yaml.safe_load(text)
        config["log"]["level"] = "trace"
        config["dns"] = {
            "ownerId": "fk-secrets",
            "verify": {"nameservers": [self.bind.address()], "timeout": "2s", "interval": "100ms"},
            "providers": {
                "cf": {"type": "cloudflare", "zoneName": CLOUDFLARE_ZONE,
                       "apiTokenFile": self.secret_file("cf-token", cloudflare_token),
                       "baseUrl": sim.endpoints["armBaseUrl"] + "/client/v4"},
                "bind": {"type": "rfc2136", "server": self.bind.address(), "zone": BIND_ZONE,
                         "timeout": "2s",
                         "tsig": {"name": self.bind.key_name, "algorithm": self.bind.algorithm,
                                  "secretFile": self.secret_file("tsig.key", tsig_key)}}}}
        config["storage"] = {"account": azurite.ACCOUNT, "container": "secrets",
                             "endpoint": self.azurite.endpoint,
                             "keyFile": self.secret_file("storage-key", storage_key)}
        config["etcd"] = {"snapshots": {"interval": "24h", "timeout": "1m"}}
        members = {m["name"]: m for m in config["clusters"][0]["members"]}
        members["etcd"]["dns"] = {"provider": "cf", "name": f"etcd.{CLOUDFLARE_ZONE}", "ttl": 60}
        members["apiserver"]["dns"] = {"provider": "bind", "name": f"apiserver.{BIND_ZONE}",
                                       "ttl": 60}
        return yaml.safe_dump(config, sort_keys=False)

    def start(self, text):
        daemon = HealDaemon(text)
        self.addCleanup(daemon.stop)
        self.addCleanup(self.dump_on_failure, daemon, self.sim)
        daemon.wait_ready(timeout=20)
        return daemon

    def collect_endpoints(self, daemon, label):
        for path in ENDPOINTS:
            code, headers, body = daemon.get(path)
            self.seen.append((f"{label} GET {path} ({code})", json.dumps(headers) + body))

    def admin(self, daemon, label, method, path, token):
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        code, answer_headers, body = daemon.request(method, path, headers=headers)
        self.seen.append((f"{label} {method} {path} ({code})", json.dumps(answer_headers) + body))
        return code

    def stop(self, daemon, label):
        daemon.signal(signal.SIGTERM)
        daemon.proc.wait(timeout=30)
        self.seen.append((f"{label} stdout+stderr", daemon.log()))

    def test_no_secret_comes_out(self):
        self.sim = sim = self.start_sim(edit_scenario=with_canary_secrets)
        spec = sim.arm_spec("scheduler")
        spec["properties"]["containers"][0]["properties"]["environmentVariables"] = [
            {"name": "PLAIN", "value": "visible"},
            {"name": "SCHEDULER_SECRET", "secureValue": SECURE_VALUE}]
        spec_path = os.path.join(self.tmp.name, "scheduler.json")
        with open(spec_path, "w") as f:
            json.dump(spec, f)

        # 1. Everything right: every secret is used. Peers that echo what they were sent: the
        # sim's Cloudflare first answers twice with an error quoting the token, and ARM refuses
        # the first PUT of the recreate quoting the secureValue (as ARM's InvalidRequestContent
        # quotes the body).
        sim.control("POST", "/faults/arm", {
            "operation": "cloudflare", "status": 400, "count": 2,
            "message": f"Invalid request header: Authorization: Bearer {CLOUDFLARE_TOKEN}"})
        good = self.start(self.config(sim, client_secret=ENTRA_SECRET,
                                      cloudflare_token=CLOUDFLARE_TOKEN, tsig_key=TSIG_KEY,
                                      storage_key=STORAGE_KEY, spec=spec_path))
        self.wait_healthy(good, list(MEMBERS), timeout=30)
        # The one secret file others may read is named at load, with its mode.
        warned = log_events(good.log(), "config.secret_file.readable")
        self.assertEqual(len(warned), 1, warned)
        self.assertIn("key=server.adminTokenFile", warned[0])
        self.assertIn("mode=0644", warned[0])
        self.wait_grace_over(good)
        wait_until(lambda: log_events(good.log(), "etcd.snapshot.taken", member="etcd"), 60,
                   "an etcd snapshot in Azurite (storage key)")
        wait_until(lambda: log_events(good.log(), "dns.record.updated", member="etcd"), 60,
                   "the etcd record at the sim's Cloudflare (API token)")
        wait_until(lambda: self.bind.dig(f"apiserver.{BIND_ZONE}"), 60,
                   "the apiserver record in BIND (TSIG-signed update)")
        sim.control("POST", "/faults/arm", {
            "operation": "put", "status": 400, "code": "InvalidRequestContent", "count": 1,
            "message": "The request content was invalid: 'properties.containers[0].properties."
                       f"environmentVariables[1].secureValue' '{SECURE_VALUE}' is not allowed."})
        sim.control("DELETE", f"/groups/{RESOURCE_GROUP}/scheduler")
        self.wait_metric(good, "frankenetes_remediation_actions_total", lambda v: v >= 1, 90,
                         member="scheduler", action="recreate", result="succeeded")
        self.assertTrue(log_events(good.log(), "remediation.recreate.put_failed", member="scheduler"))
        self.assertEqual(len(log_events(good.log(), "dns.read.failed", provider="cf")), 2)
        # The secureValue went through the daemon: the recreated scheduler runs with it.
        wait_until(lambda: any(f"SCHEDULER_SECRET={SECURE_VALUE}".encode() in environ(pid)
                               for pid in os.listdir("/proc") if pid.isdigit()), 30,
                   "the recreated scheduler's process to carry the secureValue")

        self.assertEqual(self.admin(good, "good", "POST", "/admin/reconcile", None), 401)
        self.assertEqual(self.admin(good, "good", "POST", "/admin/reconcile", ADMIN_TOKEN + "x"), 401)
        self.assertEqual(self.admin(good, "good", "POST", "/admin/reconcile", ADMIN_TOKEN[:-1]), 401)
        self.assertEqual(self.admin(good, "good", "POST", "/admin/reconcile", ENTRA_SECRET), 401)
        self.assertEqual(self.admin(good, "good", "GET", "/admin/reconcile", ADMIN_TOKEN), 405)
        self.assertEqual(self.admin(good, "good", "POST", "/admin/members/sim/nope/pause",
                                    ADMIN_TOKEN), 404)
        self.assertEqual(self.admin(good, "good", "POST", "/admin/reconcile", ADMIN_TOKEN), 202)
        wait_until(lambda: log_events(good.log(), "admin.auth.failed"), 10, "admin.auth.failed")
        self.collect_endpoints(good, "good")
        self.stop(good, "good")
        checked = run_check_config(good.config_path)
        self.assertEqual(checked.returncode, 0, checked.stderr)
        self.assertIn("warning: server.adminTokenFile", checked.stderr)
        self.assertIn("(mode 0644); chmod 600 it", checked.stderr)
        self.seen.append(("--check-config of the working daemon's file", checked.stdout + checked.stderr))

        # 2. The Cloudflare token, the TSIG key and the storage key wrong. Without its record
        # in BIND, the daemon has an update to sign.
        self.assertEqual(self.bind.nsupdate(f"update delete apiserver.{BIND_ZONE} A"), 0)
        bad = self.start(self.config(sim, client_secret=ENTRA_SECRET,
                                     cloudflare_token=WRONG_CLOUDFLARE_TOKEN,
                                     tsig_key=WRONG_TSIG_KEY, storage_key=WRONG_STORAGE_KEY,
                                     spec=spec_path))
        self.wait_healthy(bad, list(MEMBERS), timeout=30)
        wait_until(lambda: log_events(bad.log(), "dns.read.failed", provider="cf"), 60,
                   "the sim's Cloudflare refusing the wrong token")
        wait_until(lambda: log_events(bad.log(), "dns.update.failed", member="apiserver"), 60,
                   "BIND refusing the wrong TSIG key")
        wait_until(lambda: any(log_events(bad.log(), e) for e in
                               ("etcd.snapshot.failed", "etcd.snapshot.lookup_failed")), 60,
                   "Azurite refusing the wrong storage key")
        self.collect_endpoints(bad, "bad")
        self.stop(bad, "bad")

        # 3. The token endpoint refusing the client secret.
        once_auth = {"method": "clientSecret", "clientId": sim.endpoints["clientId"],
                     "clientSecretFile": self.secret_file("wrong-client-secret", WRONG_ENTRA_SECRET)}
        once = yaml.safe_load(daemon_config(sim.endpoints, auth=once_auth))
        once["log"] = {"level": "trace", "format": "json"}  # the other format
        code, output = run_once(yaml.safe_dump(once), self.tmp.name)
        self.assertNotEqual(code, 0, output)
        self.assertIn("401", output)
        self.seen.append(("--once with a wrong client secret", output))

        # 4. Secrets written inline, which the configuration refuses.
        inline = yaml.safe_load(daemon_config(sim.endpoints))
        inline["azure"]["auth"] = {"method": "clientSecret", "clientId": "x",
                                   "clientSecret": INLINE_SECRET}
        inline["server"]["adminToken"] = INLINE_SECRET
        path = os.path.join(self.tmp.name, "inline.yaml")
        with open(path, "w") as f:
            yaml.safe_dump(inline, f)
        checked = run_check_config(path)
        self.assertNotEqual(checked.returncode, 0)
        self.assertIn("inline secret not allowed", checked.stdout + checked.stderr)
        self.seen.append(("--check-config with inline secrets", checked.stdout + checked.stderr))

        leaks = [f"{name} ({form!r}) in {where}" for where, text in self.seen
                 for name, spellings in CANARIES.items() for form in spellings if form in text]
        self.assertEqual(leaks, [], "\n".join(leaks))
        self.report(texts_checked=len(self.seen), bytes_checked=sum(len(t) for _, t in self.seen),
                    canaries=len(CANARIES))


def environ(pid):
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            return f.read()
    except OSError:
        return b""


def run_check_config(path):
    return subprocess.run([FRANKENETESD, "--check-config", "--config", path], capture_output=True,
                          text=True, timeout=30)


if __name__ == "__main__":
    unittest.main()
