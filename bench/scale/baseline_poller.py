#!/usr/bin/python3
"""The poller users would write instead of frankenetesd: a loop over Microsoft's Python SDK
(Debian python3-azure) that GETs every container group each interval, restarts the ones in a
bad state, probes each group over HTTP and re-points its DNS A record when its IP moved.
bench/scale runs it against frankenetes-sim as the baseline of issue 12.

usage: /usr/bin/python3 bench/scale/baseline_poller.py --endpoints STATE/endpoints.json \
           --groups groups.json [--interval 10] [--threads 8] [--probe-timeout 2] \
           [--probe-failures 3] [--cooldown 5]

Run it with /usr/bin/python3: a pyenv python3 on PATH does not see python3-azure.

--groups: a JSON list, one object per container group (every key but the first two optional):
  {"resourceGroup": "rg-0", "name": "c0-etcd",
   "dnsZone": "example.com", "dnsZoneResourceGroup": "dns-rg", "recordName": "c0-etcd",
   "probeUrl": "http://127.0.0.1:PORT/health/{ip}"}
  "{ip}" in probeUrl is replaced by the group's IP from the last GET (the sim's --health-listen
  endpoint); without probeUrl the group is not probed, without dnsZone/recordName no DNS.
--endpoints: the sim's endpoints.json (ARM URL, token authority, tenant, client id, secret
  file, CA file).

Every interval (rounds start every --interval seconds; a round that takes longer starts the
next one at once and says so on stderr), a pool of --threads workers, one task per group:
  1. GET the group (with its instance view).
  2. Restart it (POST restart, not waiting for the operation: polling it would cost reads) when
     the group state is not Running, or a container is Waiting in CrashLoopBackOff, or a
     container's restartCount rose by 3 or more since it was first seen (that sighting is
     forgotten after 10 minutes), or its probe failed --probe-failures times in a row (a
     probe: GET probeUrl with --probe-timeout, 2xx/3xx = pass; a hung container never answers,
     which is how hangs are seen). After a restart the group is left alone for --cooldown
     seconds (it is Pending while it restarts) and its counters start again.
  3. If the group has an IP and it differs from the A record's (read once at start, then the
     value last written), write the record with record_sets.create_or_update (TTL 60).

stdout: one JSON line per action, {"t": unix seconds, "action": "restart"|"dns", "group":
"rg/name", ...}; on SIGTERM or SIGINT one {"summary": {...}} line (rounds, calls, errors, CPU
seconds, peak RSS), then exit 0. stderr: errors and overruns.

It talks to the sim only: ClientSecretCredential gets the sim's authority with instance
discovery off (no login.microsoftonline.com), nothing uses IMDS, and confine_to_loopback()
refuses to resolve any name outside 127.0.0.0/8 and ::1 (counted in the summary as
blockedHosts), so a stray call fails loudly instead of leaving the machine.
"""
import argparse
import concurrent.futures
import inspect
import ipaddress
import json
import os
import resource
import signal
import socket
import sys
import threading
import time

RESTART_RISE = 3                 # restartCount rise that means a crash loop ...
RESTART_WINDOW = 10 * 60         # ... within this many seconds of the first sighting
DNS_TTL = 60


def confine_to_loopback(blocked):
    """Makes every name resolution that yields no loopback address fail (and be counted)."""
    original = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        results = original(host, *args, **kwargs)
        loopback = [r for r in results if ipaddress.ip_address(r[4][0].split("%")[0]).is_loopback]
        if not loopback:
            blocked.add(str(host))
            print(json.dumps({"t": time.time(), "error": f"refused to reach non-loopback host {host}"}),
                  file=sys.stderr, flush=True)
            raise socket.gaierror(socket.EAI_NONAME, f"baseline_poller: {host} is not loopback")
        return loopback

    socket.getaddrinfo = getaddrinfo


class GroupWatch:
    """What the poller remembers about one group between rounds. Only the group's own task
    touches it, and a group has one task per round, so no lock."""

    def __init__(self, spec):
        self.rg = spec["resourceGroup"]
        self.name = spec["name"]
        self.key = f"{self.rg}/{self.name}"
        self.probe_url = spec.get("probeUrl")
        self.dns = None
        if spec.get("dnsZone") and spec.get("recordName"):
            self.dns = (spec.get("dnsZoneResourceGroup") or self.rg, spec["dnsZone"], spec["recordName"])
        self.dns_ip = None             # the A record's value as last read or written
        self.first_seen = {}           # container → (unix seconds, restartCount)
        self.probe_failures = 0
        self.quiet_until = 0.0         # after a restart


def restart_reason(watch, group, now, probe, probe_failures):
    """Why `group` (an SDK ContainerGroup with its instance view) needs a restart, or None.
    `probe()` is called only when nothing else is wrong; it returns True when the probe passed;
    `probe_failures` failures in a row mean a restart."""
    state = group.instance_view.state if group.instance_view else None
    if state != "Running":
        return f"group state {state}"
    for c in group.containers or []:
        iv = c.instance_view
        if iv is None:
            continue
        current = iv.current_state
        if current and current.state == "Waiting" and (current.detail_status or "").startswith("CrashLoopBackOff"):
            return f"container {c.name} {current.detail_status}"
        if iv.restart_count is not None:
            seen = watch.first_seen.get(c.name)
            if seen is None or now - seen[0] > RESTART_WINDOW or iv.restart_count < seen[1]:
                watch.first_seen[c.name] = (now, iv.restart_count)
            elif iv.restart_count - seen[1] >= RESTART_RISE:
                return f"container {c.name} restartCount {seen[1]} -> {iv.restart_count}"
    if watch.probe_url and group.ip_address and group.ip_address.ip:
        if probe():
            watch.probe_failures = 0
        else:
            watch.probe_failures += 1
            if watch.probe_failures >= probe_failures:
                return f"probe failed {watch.probe_failures} times"
    return None


class Poller:
    def __init__(self, args, endpoints, specs, blocked):
        import requests
        from azure.core.pipeline.transport import RequestsTransport
        from azure.identity import ClientSecretCredential
        from azure.mgmt.containerinstance import ContainerInstanceManagementClient
        from azure.mgmt.dns import DnsManagementClient

        self.args = args
        self.blocked = blocked
        self.watches = [GroupWatch(s) for s in specs]
        self.lock = threading.Lock()
        self.stats = {"rounds": 0, "overruns": 0, "gets": 0, "getErrors": 0, "probes": 0, "probeFailures": 0,
                      "restarts": 0, "restartErrors": 0, "dnsReads": 0, "dnsWrites": 0, "dnsErrors": 0,
                      "roundSecondsMax": 0.0, "roundSecondsTotal": 0.0}
        ca = endpoints["caFile"]
        with open(endpoints["clientSecretFile"]) as f:
            secret = f.read().strip()
        # Instance discovery would ask login.microsoftonline.com about the authority; the
        # keyword was renamed between azure-identity releases.
        from azure.identity._internal.msal_credentials import MsalCredential
        params = inspect.signature(MsalCredential.__init__).parameters
        discovery = ({"disable_instance_discovery": True} if "disable_instance_discovery" in params
                     else {"instance_discovery": False})
        self.credential = ClientSecretCredential(endpoints["tenantId"], endpoints["clientId"], secret,
                                                 authority=endpoints["authority"], connection_verify=ca,
                                                 **discovery)
        # One HTTP connection pool as large as the worker pool (requests' default of 10 would
        # drop connections, and pay TLS handshakes, with more threads).
        session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=max(10, args.threads))
        session.mount("https://", adapter)
        def transport():
            return RequestsTransport(session=session, session_owner=False, connection_verify=ca,
                                     connection_timeout=5, read_timeout=15)
        sub = endpoints["subscriptionId"]
        base = endpoints["armBaseUrl"]
        self.aci = ContainerInstanceManagementClient(self.credential, sub, base_url=base, transport=transport())
        self.dns = DnsManagementClient(self.credential, sub, base_url=base, transport=transport())
        self.local = threading.local()  # a keep-alive probe session per worker
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=args.threads)
        self.stop = threading.Event()

    def emit(self, record):
        record = {"t": round(time.time(), 3), **record}
        with self.lock:
            print(json.dumps(record), flush=True)

    def count(self, key, n=1):
        with self.lock:
            self.stats[key] += n

    def read_dns(self):
        from azure.core.exceptions import ResourceNotFoundError

        def read(watch):
            try:
                rs = self.dns.record_sets.get(*watch.dns, "A")
                watch.dns_ip = rs.a_records[0].ipv4_address if rs.a_records else None
            except ResourceNotFoundError:
                watch.dns_ip = None
            except Exception as e:  # noqa: BLE001 (reported; the first round writes the record)
                self.count("dnsErrors")
                print(json.dumps({"t": time.time(), "error": f"read A {watch.dns}: {e}"}), file=sys.stderr)
            self.count("dnsReads")
        list(self.pool.map(read, [w for w in self.watches if w.dns]))

    def probe(self, url):
        import requests
        session = getattr(self.local, "session", None)
        if session is None:
            session = self.local.session = requests.Session()
        self.count("probes")
        try:
            ok = session.get(url, timeout=self.args.probe_timeout).status_code < 400
        except requests.RequestException:
            ok = False
        if not ok:
            self.count("probeFailures")
        return ok

    def check(self, watch):
        if self.stop.is_set():
            return
        now = time.time()
        try:
            group = self.aci.container_groups.get(watch.rg, watch.name)
            self.count("gets")
        except Exception as e:  # noqa: BLE001 (a failed GET is reported and retried next round)
            self.count("getErrors")
            print(json.dumps({"t": now, "error": f"GET {watch.key}: {e}"[:500]}), file=sys.stderr)
            return
        ip = group.ip_address.ip if group.ip_address else None
        if now >= watch.quiet_until:
            reason = restart_reason(watch, group, now,
                                    lambda: self.probe(watch.probe_url.replace("{ip}", ip or "")),
                                    self.args.probe_failures)
            if reason:
                self.restart(watch, reason)
        if watch.dns and ip and ip != watch.dns_ip:
            self.write_dns(watch, ip)

    def restart(self, watch, reason):
        try:
            self.aci.container_groups.begin_restart(watch.rg, watch.name, polling=False)
        except Exception as e:  # noqa: BLE001
            self.count("restartErrors")
            print(json.dumps({"t": time.time(), "error": f"restart {watch.key}: {e}"[:500]}), file=sys.stderr)
            return
        self.count("restarts")
        watch.quiet_until = time.time() + self.args.cooldown
        watch.probe_failures = 0
        watch.first_seen.clear()
        self.emit({"action": "restart", "group": watch.key, "reason": reason})

    def write_dns(self, watch, ip):
        from azure.mgmt.dns.models import ARecord, RecordSet
        zone_rg, zone, record = watch.dns
        try:
            self.dns.record_sets.create_or_update(zone_rg, zone, record, "A",
                                                  RecordSet(ttl=DNS_TTL, a_records=[ARecord(ipv4_address=ip)]))
        except Exception as e:  # noqa: BLE001 (the cache keeps the old value: retried next round)
            self.count("dnsErrors")
            print(json.dumps({"t": time.time(), "error": f"write A {record}.{zone}: {e}"[:500]}), file=sys.stderr)
            return
        self.count("dnsWrites")
        old, watch.dns_ip = watch.dns_ip, ip
        self.emit({"action": "dns", "group": watch.key, "record": f"{record}.{zone}", "old": old, "ip": ip})

    def run(self):
        self.read_dns()
        next_round = time.monotonic()
        while not self.stop.is_set():
            started = time.monotonic()
            futures = [self.pool.submit(self.check, w) for w in self.watches]
            for f in futures:
                f.result()
            took = time.monotonic() - started
            with self.lock:
                self.stats["rounds"] += 1
                self.stats["roundSecondsTotal"] += took
                self.stats["roundSecondsMax"] = max(self.stats["roundSecondsMax"], took)
            next_round += self.args.interval
            if time.monotonic() > next_round:
                self.count("overruns")
                print(json.dumps({"t": time.time(), "warning": f"round took {took:.2f}s > interval"}),
                      file=sys.stderr, flush=True)
                next_round = time.monotonic()
            self.stop.wait(max(0.0, next_round - time.monotonic()))

    def summary(self):
        usage = resource.getrusage(resource.RUSAGE_SELF)
        with self.lock:
            s = dict(self.stats)
        s["groups"] = len(self.watches)
        s["roundSecondsMean"] = s["roundSecondsTotal"] / s["rounds"] if s["rounds"] else 0.0
        s["cpuSeconds"] = round(usage.ru_utime + usage.ru_stime, 3)
        s["peakRssKiB"] = usage.ru_maxrss
        s["blockedHosts"] = sorted(self.blocked)
        return s


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--endpoints", required=True, help="the sim's endpoints.json")
    p.add_argument("--groups", required=True, help="JSON list of groups (see the module docstring)")
    p.add_argument("--interval", type=float, default=10.0, help="seconds between rounds (default 10)")
    p.add_argument("--threads", type=int, default=8, help="concurrent GETs (default 8)")
    p.add_argument("--probe-timeout", type=float, default=2.0, help="seconds (default 2)")
    p.add_argument("--probe-failures", type=int, default=3, help="consecutive failures → restart (default 3)")
    p.add_argument("--cooldown", type=float, default=5.0, help="seconds a restarted group is left alone (default 5)")
    args = p.parse_args(argv)
    if args.interval <= 0 or args.threads < 1 or args.probe_failures < 1:
        p.error("--interval must be > 0, --threads and --probe-failures >= 1")
    return args


def main(argv):
    args = parse_args(argv)
    blocked = set()
    confine_to_loopback(blocked)
    with open(args.endpoints) as f:
        endpoints = json.load(f)
    with open(args.groups) as f:
        specs = json.load(f)
    for i, s in enumerate(specs):
        if not isinstance(s, dict) or not s.get("resourceGroup") or not s.get("name"):
            print(f"baseline_poller: --groups entry {i}: needs resourceGroup and name", file=sys.stderr)
            return 2
    try:
        poller = Poller(args, endpoints, specs, blocked)
    except ImportError as e:
        print(f"baseline_poller: {e} (run with /usr/bin/python3 and Debian's python3-azure)", file=sys.stderr)
        return 2

    def on_signal(signum, frame):
        poller.stop.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    runner = threading.Thread(target=poller.run, name="rounds", daemon=True)
    runner.start()
    # The main thread only waits, so signals are handled at once, even mid-round.
    while runner.is_alive() and not poller.stop.is_set():
        poller.stop.wait(0.5)
    poller.stop.set()
    runner.join(timeout=args.probe_timeout + 5)
    poller.pool.shutdown(wait=False, cancel_futures=True)
    print(json.dumps({"summary": poller.summary()}), flush=True)
    # Not waiting for calls still in flight (the SDK's retries could take minutes once the sim
    # is gone): the summary is out, nothing else is owed.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
