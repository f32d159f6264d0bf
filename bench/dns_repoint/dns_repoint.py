#!/usr/bin/env python3
"""bench/dns_repoint: IP change -> authoritative answer, per DNS provider.

A benchmark, not a test: starts frankenetes-sim (ARM, Azure DNS, Cloudflare, its authoritative
DNS server) and a real BIND9 (RFC 2136 + TSIG) on loopback, runs frankenetesd against each
provider in turn, moves the container group to a new IP N times (sim control API) and measures
the time until `dig` against the provider's authoritative server answers the new IP. Prints
p50/p90/p99/max per provider.

  FRANKENETESD=build/x/daemon/frankenetesd FRANKENETES_SIM=build/x/sim/frankenetes-sim \
    bench/dns_repoint/dns_repoint.py [--changes 20] [--providers azure,cloudflare,bind]

The daemon polls ARM every 2 s (policy.pollInterval), so the numbers are dominated by when in
the poll cycle the change lands (sampled uniformly): expect a spread over [0, 2 s] plus the
GET cadence and the DNS round trips.
"""
import argparse
import os
import random
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "tests", "sim", "conformance"))

import bind9  # noqa: E402
import test_dns  # noqa: E402
from daemon_harness import Daemon, wait_until  # noqa: E402
from sim_harness import Sim  # noqa: E402

NAMES = {"azure": "etcd.example.com", "cloudflare": "etcd.example.org", "bind": "etcd.example.test"}


def percentile(values, p):
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def run_provider(provider, changes, tmp):
    sim = Sim(test_dns.SIM, test_dns.SCENARIO % {"cf_token": test_dns.CF_TOKEN},
              ["--dns-listen", "127.0.0.1:0", "--mode", "virtual"])
    bind = None
    daemon = None
    stop_drain = None
    try:
        with open(os.path.join(tmp, "cf-token"), "w") as f:
            f.write(test_dns.CF_TOKEN + "\n")
        kw = {}
        if provider == "bind":
            bind = bind9.Bind9().start()
            key = os.path.join(tmp, "tsig.key")
            with open(key, "w") as f:
                f.write(bind.secret + "\n")
            kw = dict(bind_address=bind.address(), tsig=key, verify=bind.address())
            server = ("127.0.0.1", bind.port)
        else:
            host, port = sim.endpoints["dnsAddress"].rsplit(":", 1)
            server = (host, int(port))
        name = NAMES[provider]
        daemon = Daemon(test_dns.daemon_config(sim.endpoints, provider, name, tmp, **kw))
        daemon.wait_ready(timeout=15)
        stop_drain = test_dns.drain_notify(daemon)
        answer = lambda: bind9.dig(server[0], server[1], name)  # noqa: E731
        ip = sim.control("GET", "/groups/frankenetes/etcd")["ip"]
        wait_until(lambda: answer() == [ip], 20, f"{provider}: initial record")
        samples = []
        for i in range(changes):
            ip = sim.control("POST", "/groups/frankenetes/etcd/ip", {})["ip"]
            start = time.monotonic()
            wait_until(lambda: answer() == [ip], 30, f"{provider}: change {i}")
            samples.append(time.monotonic() - start)
            # Land the next change at a random point of the poll cycle, so the samples cover
            # every phase instead of locking onto one.
            time.sleep(random.uniform(0, test_dns.POLL_S))
        return samples
    finally:
        if stop_drain:
            stop_drain()
        if daemon:
            daemon.stop()
        if bind:
            bind.stop()
        sim.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--providers", default="azure,cloudflare,bind")
    args = parser.parse_args()
    results = {}
    import tempfile
    import shutil
    for provider in args.providers.split(","):
        if provider == "bind" and bind9.unavailable_reason():
            print(f"skipping bind: {bind9.unavailable_reason()}", file=sys.stderr)
            continue
        tmp = tempfile.mkdtemp(prefix="fk-bench-dns-")
        try:
            results[provider] = run_provider(provider, args.changes, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nIP change -> authoritative answer (pollInterval {test_dns.POLL_S}s, "
          f"{args.changes} changes each)")
    print(f"{'provider':<12}{'n':>4}{'p50 s':>9}{'p90 s':>9}{'p99 s':>9}{'max s':>9}")
    for provider, s in results.items():
        print(f"{provider:<12}{len(s):>4}{percentile(s, 50):>9.2f}{percentile(s, 90):>9.2f}"
              f"{percentile(s, 99):>9.2f}{max(s):>9.2f}")


if __name__ == "__main__":
    main()
