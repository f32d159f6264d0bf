"""The simulated world of one bench/scale run: N clusters of four container groups in the sim
(virtual mode), one Azure DNS zone with an A record per member, and the frankenetesd config
that watches them. Pure text generation (no processes, no sockets), so the same world can be
handed to the daemon and to the baseline poller.

Names (both layouts):
  cluster i (0-based)     c0000, c0001, …           the config's cluster name
  container group         c0001-etcd, c0001-apiserver, c0001-controller-manager, c0001-scheduler
  container               the member's name (etcd, apiserver, …)
  resource group          layout "own": rg-c0001 (one per cluster); "rg10": rg-07 (i mod 10)
  DNS record              c0001-etcd.<ZONE>, A, TTL 60, in resource group rg-dns
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

from sim_cluster import azure_section  # noqa: E402

LAYOUTS = ("own", "rg10")
ZONE = "bench.example.com"
DNS_RESOURCE_GROUP = "rg-dns"
DNS_TTL = 60
OWNER_ID = "bench-scale"

# member → (role, dependsOn, port): the four groups of config/sim-cluster.yaml.
MEMBERS = {
    "etcd": ("etcd", [], 2379),
    "apiserver": ("apiserver", ["etcd"], 6445),
    "controller-manager": ("controller-manager", ["apiserver"], 10252),
    "scheduler": ("scheduler", ["apiserver"], 10251),
}

# Probe settings (docs/configuration.md), written out so the acceptance check for hangs
# (period x failureThreshold + 2 s) uses the numbers the daemon runs with. Period and
# threshold are the daemon's defaults; the timeout is Kubernetes' default (1 s), not the
# daemon's (2 s): a hang is seen when the third probe after it times out, i.e. up to
# period x threshold + timeout after it began, so with a 2 s timeout the 2 s of the bound
# would leave nothing for the reaction (p99 landed at 16.4-17.0 s, on the bound by
# construction). On loopback 1 s is ample; across regions keep the default 2 s and expect
# period x threshold + timeout + about a second.
PROBE_PERIOD_S = 5.0
PROBE_TIMEOUT_S = 1.0
PROBE_FAILURE_THRESHOLD = 3

# The daemon's default policy.getInterval.healthy: its rolling resync of healthy groups reads
# none within half of it after their first GET, then runs at (groups / this) GETs per second.
# The steady window starts only once that has begun (scale.py), or it would miss most of the
# daemon's steady cost.
GET_INTERVAL_HEALTHY_S = 300.0

# Policy the bench changes from the defaults, and why:
#   budget.maxActionsPerHour 3600 (default 12): each N injects 40 faults that need an action
#     within the hour; the default budget would skip all but 12 (budget_exhausted).
#   backoff.resetAfter 20s (default 10m): for N < 60 a member is broken again minutes after
#     its last fault; with the default its ladder would escalate (stop/start, recreate) and its
#     back-off delay the action, which is not what is measured. With distinct targets
#     (N >= 60) it changes nothing.
BUDGET_PER_HOUR = 3600
RESET_AFTER_S = 20


def cluster_name(i):
    return f"c{i:04d}"


def resource_group(i, layout):
    if layout == "own":
        return f"rg-{cluster_name(i)}"
    if layout == "rg10":
        return f"rg-{i % 10:02d}"
    raise ValueError(f"unknown layout {layout!r} (one of {', '.join(LAYOUTS)})")


def resource_groups(n, layout):
    if layout == "own":
        return [resource_group(i, layout) for i in range(n)]
    return [resource_group(i, layout) for i in range(min(n, 10))]


def group_name(i, member):
    return f"{cluster_name(i)}-{member}"


def record_name(i, member):
    """The member's A record, relative to ZONE."""
    return group_name(i, member)


def fqdn(i, member):
    return f"{record_name(i, member)}.{ZONE}"


def registry_txt(i, member):
    """The ownership TXT the daemon writes next to a record it created (lib/plan/dns_registry.h):
    seeded so the daemon finds every record in sync instead of creating 2 x 4N sets through a
    write budget of 10/s."""
    return (f"heritage=frankenetes,frankenetes/owner={OWNER_ID},"
            f"frankenetes/cluster={cluster_name(i)},frankenetes/member={member}")


def group_body(member):
    role, _, port = MEMBERS[member]
    return {
        "osType": "Linux",
        "restartPolicy": "Always",
        "containers": [{
            "name": member,
            "properties": {
                "image": "registry.example/frankenetes/" + role + ":bench",
                "ports": [{"port": port}],
                "resources": {"requests": {"cpu": 1, "memoryInGB": 1.5}},
            },
        }],
        "ipAddress": {"type": "Public", "ports": [{"port": port, "protocol": "TCP"}]},
    }


def scenario(n, layout):
    """The sim scenario (JSON, which YAML reads as is): virtual mode, N x 4 groups, the DNS zone
    (empty: records are seeded through the control API once the sim has handed out IPs)."""
    groups = []
    for i in range(n):
        for member in MEMBERS:
            groups.append({"resourceGroup": resource_group(i, layout), "name": group_name(i, member),
                           "properties": group_body(member)})
    doc = {
        "mode": "virtual",
        "resourceGroups": resource_groups(n, layout) + [DNS_RESOURCE_GROUP],
        "containerGroups": groups,
        "dns": {"azureDns": {"zones": [{"resourceGroup": DNS_RESOURCE_GROUP, "name": ZONE}]}},
    }
    return json.dumps(doc, separators=(",", ":")) + "\n"


def daemon_config(endpoints, n, layout, poll_interval_s, probes=True, dns_resync_s=None):
    """frankenetesd's YAML: default policy except pollInterval and the two keys above; a probe
    per member at the sim's health listener (`healthUrl`) when `probes`; dns.resyncInterval
    when `dns_resync_s` (else the default)."""
    health = endpoints.get("healthUrl", "")
    lines = azure_section(endpoints, request_timeout=None)
    lines.append("clusters:")
    for i in range(n):
        lines += [f"  - name: {cluster_name(i)}", f"    resourceGroup: {resource_group(i, layout)}",
                  "    members:"]
        for member, (role, deps, _) in MEMBERS.items():
            entry = {"name": member, "role": role, "containerGroup": group_name(i, member),
                     "dependsOn": deps,
                     "dns": {"provider": "azure", "name": fqdn(i, member), "ttl": DNS_TTL}}
            if probes:
                entry["probe"] = {"url": f"{health}/health/{{ip}}",
                                  "period": f"{PROBE_PERIOD_S:g}s",
                                  "timeout": f"{PROBE_TIMEOUT_S:g}s",
                                  "failureThreshold": PROBE_FAILURE_THRESHOLD}
            lines.append(f"      - {json.dumps(entry)}")
    lines += [
        "dns:",
        f"  ownerId: {OWNER_ID}",
        *([f"  resyncInterval: {dns_resync_s:g}s"] if dns_resync_s else []),
        f'  verify: {{nameservers: ["{endpoints["dnsAddress"]}"]}}',
        "  providers:",
        f"    azure: {{type: azureDns, resourceGroup: {DNS_RESOURCE_GROUP}, zone: {ZONE}}}",
        "policy:",
        f"  pollInterval: {poll_interval_s:g}s",
        f"  backoff: {{resetAfter: {RESET_AFTER_S}s}}",
        f"  budget: {{maxActionsPerHour: {BUDGET_PER_HOUR}}}",
        "server:",
        '  listen: "127.0.0.1:0"',
        "log:",
        "  level: info",
        "  format: text",
    ]
    return "\n".join(lines) + "\n"


def baseline_groups(endpoints, n, layout, probes=True):
    """baseline_poller.py's --groups: the same groups, records and probes as the daemon's."""
    health = endpoints.get("healthUrl", "")
    out = []
    for i in range(n):
        for member in MEMBERS:
            g = {"resourceGroup": resource_group(i, layout), "name": group_name(i, member),
                 "dnsZone": ZONE, "dnsZoneResourceGroup": DNS_RESOURCE_GROUP,
                 "recordName": record_name(i, member)}
            if probes:
                g["probeUrl"] = f"{health}/health/{{ip}}"
            out.append(g)
    return out


def hang_target_s():
    """The acceptance bound for hang -> restart: probe period x failureThreshold + 2 s."""
    return PROBE_PERIOD_S * PROBE_FAILURE_THRESHOLD + 2.0
