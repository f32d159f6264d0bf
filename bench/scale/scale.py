#!/usr/bin/env python3
"""bench/scale: what frankenetesd costs and how fast it heals with N clusters, against the
poller a user would write (bench/scale/baseline_poller.py), in the same simulated world.

For each N: frankenetes-sim in virtual mode with N clusters x 4 container groups (etcd,
apiserver, controller-manager, scheduler; layout "own": a resource group per cluster, "rg10":
10 resource groups), an Azure DNS zone with an A record per member, and a probe per member at
the sim's health listener. Each system in turn: start it, wait until it is steady (the
daemon: also until its rolling resync of healthy groups has begun, half of
getInterval.healthy after start), measure a steady-state window (ARM reads/writes per minute
from the sim's request log, DNS calls among them, 429s, CPU seconds per minute (the daemon's also by thread) and peak RSS
from /proc, /metrics scrape time and size), then inject faults (crash loop, hang, IP change; --faults of each) and time each to its
corrective call, and (the daemon) reload it without its probes to measure what the read plan
alone costs. Writes bench/results/scale-<date>.md and .png and prints the acceptance
checks of issue 12; exit status 1 when one fails (0 with --report-only), 2 on errors.

  cmake --preset release && cmake --build --preset release --target frankenetesd frankenetes-sim
  /usr/bin/python3 bench/scale/scale.py                       # N 1,10,100,500,1000, both systems
  /usr/bin/python3 bench/scale/scale.py --n 1,10 --window 30 --faults 5 --systems daemon

--short (ctest bench.scale_short, scripts/test): N=10, daemon only, any build, < 60 s: reads
per group per poll interval over whole poll cycles, failing when more than 20 % above
bench/scale/short_reference.json (rewrite it with --short --update-reference).
"""
import argparse
import json
import os
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
for sub in (("tests", "integration"), ("tests", "sim", "conformance"), ("bench", "dns_repoint")):
    sys.path.insert(0, os.path.join(ROOT, *sub))

import report  # noqa: E402
import world  # noqa: E402
from faults import KINDS, FaultRunner  # noqa: E402
from measure import ControlClient, Counts, ProcessStats, RequestTally, entry_time, is_arm, short_figures  # noqa: E402
from sim_harness import Sim  # noqa: E402
from systems import BaselineSystem, DaemonSystem, wait_window  # noqa: E402

REFERENCE = os.path.join(HERE, "short_reference.json")
SHORT_TOLERANCE = 0.20
# dns.resyncInterval of the short run: the default (5 min) would re-read 0, 1 or 2 of its 8
# members within the 30 s window, a count too small to compare; every 15 s, 16 of them are.
SHORT_DNS_RESYNC_S = 15
UNLIMITED = {"burst": 1e9, "refillPerSecond": 1e9, "tokens": 1e9}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def default_binary(env, *path):
    return os.environ.get(env) or os.path.join(ROOT, "build", "release", *path)


def sim_has_health_listener(sim_binary):
    import subprocess
    out = subprocess.run([sim_binary, "--help"], capture_output=True, text=True, timeout=30)
    return "--health-listen" in out.stdout + out.stderr


class World:
    """One sim with N clusters, DNS records seeded to the groups' IPs."""

    def __init__(self, sim_binary, n, layout, probes):
        args = ["--mode", "virtual"] + (["--health-listen", "127.0.0.1:0"] if probes else [])
        self.sim = Sim(sim_binary, world.scenario(n, layout), args)
        try:
            self.control = ControlClient(self.sim.endpoints["controlUrl"])
            self._seed_dns()
        except BaseException:
            self.sim.stop()
            raise

    def _seed_dns(self):
        for g in self.control.call("GET", "/groups"):
            cluster, member = g["name"].split("-", 1)
            i = int(cluster[1:])
            self.control.call("POST", "/dns/records", {"name": world.fqdn(i, member), "type": "A",
                                                        "values": [g["ip"]], "ttl": world.DNS_TTL})
            self.control.call("POST", "/dns/records", {"name": "_frankenetes." + world.fqdn(i, member), "type": "TXT",
                                                        "values": [world.registry_txt(i, member)], "ttl": world.DNS_TTL})

    def unthrottle(self):
        self.control.call("PUT", "/throttle", {"reads": UNLIMITED, "writes": UNLIMITED, "deletes": UNLIMITED})

    def stop(self):
        self.control.close()
        self.sim.stop()


def rates(counts, seconds, cpu_s=None):
    out = counts.as_dict()
    minutes = seconds / 60.0
    out.update(seconds=seconds,
               arm_reads_per_min=counts.arm_reads / minutes, arm_writes_per_min=counts.arm_writes / minutes,
               dns_reads_per_min=counts.dns_reads / minutes, dns_writes_per_min=counts.dns_writes / minutes,
               arm_reads_per_s=counts.arm_reads / seconds)
    if cpu_s is not None:
        out["cpu_s_per_min"] = cpu_s / minutes
    return out


def ready_timeout(args, n):
    """Seconds to wait for every member to be up. Each of the 4N groups needs one GET, and the
    daemon spends at most its default budget (750 reads/min, LISTs first) on them: at N=1000
    that alone is 320 s and more with the LIST pages, so a fixed 300 s measured a daemon
    still starting (3210 of 4000 members up)."""
    if args.ready_timeout is not None:
        return args.ready_timeout
    return max(300.0, 2 * 4 * n / (750 / 60))


def run_one(system, n, layout, args, probes):
    """Everything measured for one system at one N: a dict (see report.COLUMNS)."""
    t0 = time.monotonic()
    w = World(args.sim, n, layout, probes)
    try:
        if system.name == "baseline":
            w.unthrottle()  # its demand, not what the subscription would grant
        tally = RequestTally(w.control)
        if system.name == "daemon":
            system.start(w.sim.endpoints, world.daemon_config(w.sim.endpoints, n, layout, args.poll, probes=probes))
        else:
            system.start(w.sim.endpoints, world.baseline_groups(w.sim.endpoints, n, layout, probes=probes))
        try:
            system.wait_steady(n, tally, timeout=ready_timeout(args, n), strict=False)
            log(f"  {system.name} steady after {time.monotonic() - t0:.0f}s; settling {args.settle:g}s")
            wait_window(tally, args.settle, system.alive)
            if system.name == "daemon" and args.resync_wait:
                # Until the rolling resync of healthy groups has begun (world.py).
                left = t0 + world.GET_INTERVAL_HEALTHY_S / 2 + args.poll - time.monotonic()
                if left > 0:
                    log(f"  waiting {left:.0f}s more for the rolling resync to begin")
                    wait_window(tally, left, system.alive)
            proc = ProcessStats(system.pid)
            tally.open("steady")
            threads0, kernel0 = proc.cpu_seconds_by_thread(), proc.cpu_seconds_by_thread(kernel_only=True)
            probes0 = system.probes_done()
            cpu0, start = proc.cpu_seconds(), time.monotonic()
            wait_window(tally, args.window, system.alive)
            steady = tally.close("steady")
            cpu1, seconds = proc.cpu_seconds(), time.monotonic() - start
            threads1, kernel1 = proc.cpu_seconds_by_thread(), proc.cpu_seconds_by_thread(kernel_only=True)
            probes1 = system.probes_done()
            result = {"steady": rates(steady, seconds, cpu1 - cpu0)}
            # Where the CPU goes, by thread name, in CPU-s/min (threads alive at both ends), and
            # how much of it is the kernel's.
            result["steady"]["cpu_by_thread"] = per_minute(threads0, threads1, seconds)
            result["steady"]["cpu_kernel_by_thread"] = per_minute(kernel0, kernel1, seconds)
            if probes0 is not None and probes1 is not None:
                result["steady"]["probes_per_s"] = (probes1 - probes0) / seconds
            up = system.members_up()
            if up and up[0] < 4 * n:
                log(f"  only {up[0]} of {4 * n} members up at the end of the steady window")
            metrics = system.metrics()
            result["metrics"] = {"seconds": metrics[0], "bytes": metrics[1]} if metrics else None
            result["members_up"] = up[0] if up else None
            log(f"  steady: {steady.arm_reads / seconds:.2f} reads/s ({steady.dns_reads / seconds:.2f} DNS), "
                f"{(cpu1 - cpu0) / seconds * 60:.2f} CPU-s/min, {steady.throttled} x 429")
            kinds = [k for k in KINDS if probes or k != "hang"]
            result["latency"], result["faults"], result["extra_actions"], result["fault_detail"] = run_faults(
                system, w, tally, n, layout, args, kinds)
            result["peak_rss_mib"] = proc.peak_rss_mib()
            if system.name == "daemon" and probes and args.read_plan_window > 0:
                result["read_plan"] = measure_read_plan(system, w, tally, proc, n, layout, args)
        except BaseException:
            log(f"--- {system.name} log tail ---\n{system.log_tail()}")
            raise
        finally:
            system.stop()
    finally:
        w.stop()
    # The baseline's own account (rounds, rounds longer than the interval, errors).
    result["summary"] = getattr(system, "summary", None)
    result["wall_s"] = time.monotonic() - t0
    return result


def per_minute(before, after, seconds):
    """CPU-s/min per thread name between two cpu_seconds_by_thread() readings (threads alive
    at both)."""
    return {name: (after[name] - before[name]) / seconds * 60 for name in sorted(after) if name in before}


def measure_read_plan(system, w, tally, proc, n, layout, args):
    """The daemon's CPU without its probes: the same daemon reloaded (SIGHUP) with the probes
    taken out of its configuration, after the faults, over --read-plan-window. What watching
    ARM costs apart from probing the members (a probe per member every 5 s is about a thousand
    HTTP exchanges a second at N = 1000, and its cost grows with the probe rate, not N's reads)."""
    system.reload(world.daemon_config(w.sim.endpoints, n, layout, args.poll, probes=False))
    # Probes in flight at the reload end within their timeout; a period more, so that a probe
    # still scheduled would have run (and failed the check below).
    wait_window(tally, world.PROBE_TIMEOUT_S + world.PROBE_PERIOD_S, system.alive)
    probes0 = system.probes_done()
    tally.open("read_plan")
    threads0 = proc.cpu_seconds_by_thread()
    cpu0, start = proc.cpu_seconds(), time.monotonic()
    wait_window(tally, args.read_plan_window, system.alive)
    counts = tally.close("read_plan")
    cpu1, seconds = proc.cpu_seconds(), time.monotonic() - start
    threads1 = proc.cpu_seconds_by_thread()
    probed = system.probes_done() - probes0
    if probed:
        raise AssertionError(f"{probed:g} probes after the reload that removed them")
    out = rates(counts, seconds, cpu1 - cpu0)
    out["cpu_by_thread"] = per_minute(threads0, threads1, seconds)
    log(f"  read plan alone (probes reloaded away): {out['arm_reads_per_s']:.2f} reads/s, "
        f"{out['cpu_s_per_min']:.2f} CPU-s/min")
    return out


def run_faults(system, w, tally, n, layout, args, kinds):
    if args.faults <= 0:
        return {}, rates(Counts(), 1.0), 0, []
    deadline = {"crash": max(60.0, 4 * (args.poll + 2)), "ip": max(60.0, 4 * (args.poll + 2)),
                "hang": max(60.0, 4 * world.hang_target_s())}
    # The daemon's view decides when a cluster may be broken again only where clusters are
    # reused (N below the number of faults); scraping /metrics costs the daemon CPU.
    total = args.faults * len(kinds)
    settled = system.settled if n < total else None
    runner = FaultRunner(w.control, tally, n, layout, args.faults, args.fault_spacing, deadline,
                         member_cooldown_s=world.RESET_AFTER_S + args.poll,
                         phase_s=max(args.poll, world.PROBE_PERIOD_S), settled=settled,
                         explain=system.explain, log=log)
    runner.pending = [k for k in runner.pending if k in kinds]
    tally.open("faults")
    start = time.monotonic()
    done = runner.run(timeout_s=args.fault_timeout)
    counts = tally.close("faults")
    seconds = time.monotonic() - start
    latency = {}
    for kind in kinds:
        p50, p99, ok, missed = report.latency_stats(done, kind)
        latency[kind] = {"p50": p50, "p99": p99, "corrected": ok, "missed": missed,
                         "samples": sorted(round(f.latency, 3) for f in done if f.kind == kind and f.latency is not None)}
    extra = runner.unmatched_mutations()
    # DNS writes that are not a fault's A record (the ownership TXT next to it, re-verification)
    # are bookkeeping, not actions: count container-group mutations only.
    extra_actions = sum(1 for e in extra if e["api"] == "arm")
    log(f"  faults: {len(done)} in {seconds:.0f}s; " + ", ".join(
        f"{k} p50 {report.fmt_s(v['p50'])} p99 {report.fmt_s(v['p99'])}" for k, v in latency.items())
        + f"; {extra_actions} extra actions")
    return latency, rates(counts, seconds), extra_actions, [f.as_dict() for f in done]


# ---- --short ------------------------------------------------------------------------------

def measure_short(args):
    """Reads per group per poll interval over `args.intervals` whole poll cycles (a cycle starts
    with the first LIST after a pause of more than half an interval), daemon only."""
    n, layout, poll = args.short_n, "own", args.short_poll
    probes = sim_has_health_listener(args.sim)
    deadline = time.monotonic() + args.short_budget
    w = World(args.sim, n, layout, probes)
    system = DaemonSystem(args.daemon)
    try:
        tally = RequestTally(w.control)
        system.start(w.sim.endpoints, world.daemon_config(w.sim.endpoints, n, layout, poll, probes=probes,
                                                          dns_resync_s=SHORT_DNS_RESYNC_S))
        system.wait_steady(n, tally, timeout=max(1.0, deadline - time.monotonic()), grace=False)
        tally.pull()
        entries, cycle_starts = [], []

        def on_entry(e):
            entries.append(e)
            if is_arm(e) and e["operation"] == "list":
                t = entry_time(e)
                if not cycle_starts or t - last_list[0] > poll / 2:
                    cycle_starts.append(t)
                last_list[0] = t
        last_list = [0.0]
        tally.listeners.append(on_entry)
        # The first cycle seen may have started before we listened: skip it.
        needed = args.intervals + 2
        while len(cycle_starts) < needed:
            if time.monotonic() > deadline:
                raise TimeoutError(f"--short: only {len(cycle_starts)} of {needed} poll cycles within "
                                   f"{args.short_budget:g}s (is the machine that loaded?)")
            if not system.alive():
                raise RuntimeError("frankenetesd exited")
            tally.pull()
            time.sleep(0.2)
        begin, end = cycle_starts[1], cycle_starts[1 + args.intervals]
        throttled = sum(1 for e in entries if is_arm(e) and e["status"] == 429)
        figures = short_figures(entries, begin, end, 4 * n, args.intervals)
        return {"n": n, "layout": layout, "pollIntervalSeconds": poll, "intervals": args.intervals,
                "dnsResyncSeconds": SHORT_DNS_RESYNC_S, "probes": probes, **figures, "throttled": throttled,
                "cycleSeconds": round((end - begin) / args.intervals, 3)}
    except BaseException:
        log(f"--- daemon log tail ---\n{system.log_tail()}")
        raise
    finally:
        system.stop()
        w.stop()


def run_short(args):
    t0 = time.monotonic()
    got = measure_short(args)
    got["seconds"] = round(time.monotonic() - t0, 1)
    print(json.dumps(got, indent=2))
    if args.update_reference:
        got["measuredWith"] = {"date": report.today(), "commit": report.git_commit(ROOT),
                               "build": report.build_type(args.daemon)}
        with open(REFERENCE, "w") as f:
            json.dump(got, f, indent=2)
            f.write("\n")
        print(f"wrote {os.path.relpath(REFERENCE, ROOT)}")
        return 0
    with open(REFERENCE) as f:
        ref = json.load(f)
    for key in ("n", "layout", "pollIntervalSeconds", "intervals", "dnsResyncSeconds"):
        if ref.get(key) != got[key]:
            print(f"FAIL  the reference was measured with {key}={ref[key]}, this run {got[key]}: "
                  f"rewrite it with --short --update-reference")
            return 1
    limit = ref["readsPerGroupPerInterval"] * (1 + SHORT_TOLERANCE)
    ok = got["readsPerGroupPerInterval"] <= limit and got["throttled"] == 0
    print(f"{'PASS' if ok else 'FAIL'}  reads per group per poll interval {got['readsPerGroupPerInterval']:.3f} "
          f"(reference {ref['readsPerGroupPerInterval']:.3f}, limit {limit:.3f}; {got['throttled']} x 429) "
          f"in {got['seconds']:.0f}s")
    if got["readsPerGroupPerInterval"] < ref["readsPerGroupPerInterval"] * (1 - SHORT_TOLERANCE):
        print("note: well below the reference; if the read plan improved, commit a new one "
              "(--short --update-reference)")
    return 0 if ok else 1


# ---- the full run -------------------------------------------------------------------------

def run_full(args):
    t0 = time.monotonic()
    probes = args.probes == "on" and sim_has_health_listener(args.sim)
    if not probes and args.probes == "on":
        log("frankenetes-sim has no --health-listen: no probes, no hang faults")
    systems = args.systems.split(",")
    runs = {}
    for path in args.include:
        with open(path) as f:
            for key, result in json.load(f).items():
                layout, n, system = key.split("/")
                runs[(layout, int(n), system)] = result
    for layout in args.layouts.split(","):
        for n in [int(x) for x in args.n.split(",") if x.strip()]:
            for name in systems:
                log(f"[{layout}] N={n} ({4 * n} groups): {name}")
                if (layout, n, name) in runs:
                    del runs[(layout, n, name)]  # measured again: this run's figures win
                system = DaemonSystem(args.daemon) if name == "daemon" else BaselineSystem(args.poll, args.baseline_threads)
                runs[(layout, n, name)] = run_one(system, n, layout, args, probes)
                write_raw(args, runs)
    wall = time.monotonic() - t0
    meta = {"date": report.today(), "machine": report.machine(), "commit": report.git_commit(ROOT),
            "build_type": report.build_type(args.daemon), "daemon": os.path.relpath(args.daemon, ROOT),
            "function_order": report.function_order(args.daemon, os.path.join(ROOT, "daemon", "frankenetesd.order")),
            "poll_s": args.poll, "probes": probes, "window_s": args.window, "faults_per_kind": args.faults, "wall_s": wall,
            "included": [os.path.relpath(p, ROOT) for p in args.include]}
    results = report.checks(runs, args.poll)
    text = report.markdown(runs, meta, results)
    os.makedirs(args.out, exist_ok=True)
    md = os.path.join(args.out, f"scale-{meta['date']}.md")
    with open(md, "w") as f:
        f.write(text)
    png = md[:-3] + ".png"
    try:
        report.plot(runs, png, args.poll)
    except ImportError as e:
        log(f"no plot ({e}): run with /usr/bin/python3 (Debian's python3-matplotlib)")
        png = None
    print(text)
    print(f"wrote {md}" + (f" and {png}" if png else "") + f" in {wall / 60:.1f} min")
    failed = [c for c in results if c.ok is False]
    return 0 if not failed or args.report_only else 1


def write_raw(args, runs):
    """Every measured number (and each fault's latency) as JSON next to the table, rewritten
    after each run so a long run that fails late keeps what it measured."""
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, f"scale-{report.today()}.json")
    with open(path, "w") as f:
        json.dump({f"{l}/{n}/{s}": r for (l, n, s), r in runs.items()}, f, indent=1, default=str)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("--daemon", default=default_binary("FRANKENETESD", "daemon", "frankenetesd"))
    p.add_argument("--sim", default=default_binary("FRANKENETES_SIM", "sim", "frankenetes-sim"))
    p.add_argument("--n", default="1,10,100,500,1000",
                   help="cluster counts (4 groups each); '' with --include: report those runs only")
    p.add_argument("--layouts", default="own", help="own (a resource group per cluster), rg10 (10 resource groups)")
    p.add_argument("--systems", default="daemon,baseline")
    p.add_argument("--poll", type=float, default=10.0, help="policy.pollInterval (and the baseline's), seconds")
    p.add_argument("--window", type=float, default=120.0, help="steady-state window, seconds")
    p.add_argument("--no-resync-wait", dest="resync_wait", action="store_false",
                   help="start the daemon's steady window before its rolling resync begins")
    p.add_argument("--settle", type=float, default=30.0, help="wait after the system is steady, seconds")
    p.add_argument("--probes", choices=("on", "off"), default="on",
                   help="a probe per member (off: what the read plan alone costs; no hang faults)")
    p.add_argument("--read-plan-window", type=float, default=60.0,
                   help="after the faults, the daemon's CPU without probes (reloaded away) over "
                        "this many seconds; 0: not measured")
    p.add_argument("--faults", type=int, default=20, help="faults of each kind per N (0: none)")
    p.add_argument("--fault-spacing", type=float, default=2.0, help="mean seconds between injections")
    p.add_argument("--fault-timeout", type=float, default=3600.0, help="deadline of one N's fault phase, seconds")
    p.add_argument("--ready-timeout", type=float, default=None,
                   help="wait at most this long for every member to be up, then measure anyway "
                        "(default: 300 s, or twice the time 4N first GETs take within the "
                        "daemon's default read budget when that is longer)")
    p.add_argument("--baseline-threads", type=int, default=8, help="baseline_poller.py --threads")
    p.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    p.add_argument("--include", action="append", default=[], metavar="JSON",
                   help="runs measured before (the .json of an earlier run), reported with this one's")
    p.add_argument("--report-only", action="store_true", help="exit 0 even when an acceptance check fails")
    p.add_argument("--short", action="store_true", help="the short variant (see below)")
    p.add_argument("--short-n", type=int, default=2)
    p.add_argument("--short-poll", type=float, default=3.0)
    p.add_argument("--intervals", type=int, default=10, help="--short: poll cycles measured")
    p.add_argument("--short-budget", type=float, default=55.0, help="--short: deadline, seconds")
    p.add_argument("--update-reference", action="store_true")
    args = p.parse_args(argv)
    for layout in args.layouts.split(","):
        if layout not in world.LAYOUTS:
            p.error(f"unknown layout {layout!r}")
    for s in args.systems.split(","):
        if s not in ("daemon", "baseline"):
            p.error(f"unknown system {s!r}")
    for b in (args.daemon, args.sim):
        if not os.access(b, os.X_OK):
            p.error(f"{b} is not an executable (build it, or pass --daemon/--sim)")
    return args


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    # SIGTERM (ctest's timeout, timeout(1)) unwinds like Ctrl-C: the finally blocks stop the
    # sim, the daemon and the baseline, and remove their temp dirs.
    signal.signal(signal.SIGTERM, lambda signo, frame: sys.exit(128 + signo))
    try:
        return run_short(args) if args.short else run_full(args)
    except (RuntimeError, TimeoutError, AssertionError, OSError) as e:
        log(f"error: {e}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
