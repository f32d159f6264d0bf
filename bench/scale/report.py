"""bench/scale results: the acceptance checks of issue 12, the Markdown table (with the
machine it ran on) and the PNG plot. Pure functions of the measured runs, except the machine
description (/proc, git) and the files written."""
import datetime
import math
import os
import platform
import subprocess

import world
from dns_repoint import percentile

READ_BUDGET_PER_S = 25.0      # ARM's refill per principal, subscription and region
RSS_LIMIT_MIB = {1: 15.0, 1000: 64.0}
CPU_LIMIT_S_PER_MIN = 1.2     # 2 % of one core
METRICS_LIMIT_S = 0.100
BASELINE_N500_READS = 200.0   # what the issue expects of the baseline at N = 500


def latency_stats(faults, kind):
    """(p50, p99, corrected, missed) of one kind; a missed fault is an infinite latency."""
    values = [f.latency if not f.missed and f.latency is not None else math.inf
              for f in faults if f.kind == kind]
    if not values:
        return None, None, 0, 0
    missed = sum(1 for v in values if v == math.inf)
    return percentile(values, 50), percentile(values, 99), len(values) - missed, missed


def machine():
    def first(path, key):
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith(key):
                        return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "?"
    mem_kib = first("/proc/meminfo", "MemTotal").split()[0]
    return {
        "cpu": first("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count(),
        "ram_gib": round(int(mem_kib) / 1024 / 1024, 1) if mem_kib.isdigit() else "?",
        "kernel": platform.release(),
    }


def git_commit(root):
    try:
        out = subprocess.run(["git", "-C", root, "describe", "--always", "--dirty"], capture_output=True,
                             text=True, timeout=10)
        return out.stdout.strip() or "?"
    except OSError:
        return "?"


def build_type(binary):
    """CMAKE_BUILD_TYPE from the CMakeCache.txt of the build tree that holds `binary`."""
    d = os.path.dirname(os.path.abspath(binary))
    while d != os.path.dirname(d):
        cache = os.path.join(d, "CMakeCache.txt")
        if os.path.exists(cache):
            with open(cache) as f:
                for line in f:
                    if line.startswith("CMAKE_BUILD_TYPE:"):
                        return line.split("=", 1)[1].strip() or "?"
            return "?"
        d = os.path.dirname(d)
    return "?"


def function_order(binary, order_file):
    """How many of the functions daemon/frankenetesd.order lists the binary defines (the
    release build lays them out together; a stale list, after renames, lays out fewer):
    "1651 of 1651 listed functions", or None when there is no list or no nm."""
    try:
        with open(order_file) as f:
            listed = {line.strip() for line in f if line.strip() and not line.startswith("#")}
        out = subprocess.run(["nm", "--defined-only", "--format=just-symbols", binary],
                             capture_output=True, text=True, timeout=60, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = len(listed & set(out.split()))
    return f"{found} of {len(listed)} listed functions"


# ---- acceptance ---------------------------------------------------------------------------

class Check:
    def __init__(self, name, ok, detail):
        self.name, self.ok, self.detail = name, ok, detail  # ok: True, False or None (not measured)

    def line(self):
        verdict = {True: "PASS", False: "FAIL", None: "SKIP"}[self.ok]
        return f"{verdict}  {self.name}: {self.detail}"


def checks(runs, poll_s):
    """The issue's acceptance items over `runs` ({(layout, n, system): result})."""
    out = []
    layouts = sorted({k[0] for k in runs})
    for layout in layouts:
        d = {n: r for (l, n, s), r in runs.items() if l == layout and s == "daemon"}
        b = {n: r for (l, n, s), r in runs.items() if l == layout and s == "baseline"}
        tag = f"[{layout}] "

        def reads(r):
            return r["steady"]["arm_reads_per_s"]

        def reads_detail(r):
            dns = r["steady"]["dns_reads_per_min"] / 60
            return f"{reads(r):.2f}/s ({dns:.2f}/s of them Azure DNS)"

        if 500 in d:
            out.append(Check(tag + "N=500 steady reads < 12.5/s", reads(d[500]) < READ_BUDGET_PER_S / 2,
                             reads_detail(d[500])))
        else:
            out.append(Check(tag + "N=500 steady reads < 12.5/s", None, "N=500 not run"))
        if 500 in b:
            v = reads(b[500])
            out.append(Check(tag + "N=500 baseline needs ~200 reads/s", 0.75 * BASELINE_N500_READS <= v <= 1.25 * BASELINE_N500_READS,
                             f"{v:.1f}/s (demand, throttle raised)"))
        if 1000 in d:
            r = d[1000]
            throttled = r["steady"]["throttled"] + r["faults"]["throttled"]
            out.append(Check(tag + "N=1000 steady reads <= 25/s and no 429",
                             reads(r) <= READ_BUDGET_PER_S and throttled == 0,
                             f"{reads_detail(r)}, {throttled} x 429"))
        else:
            out.append(Check(tag + "N=1000 steady reads <= 25/s and no 429", None, "N=1000 not run"))
        for n in sorted(d):
            r = d[n]
            bounds = {"crash": poll_s + 2, "ip": poll_s + 2, "hang": world.hang_target_s()}
            parts, ok = [], True
            for kind, bound in bounds.items():
                lat = r["latency"].get(kind)
                if not lat or lat["p99"] is None:
                    parts.append(f"{kind} not measured")
                    ok = None if ok is not False else ok
                    continue
                good = lat["p99"] <= bound
                ok = ok and good if ok is not None else ok
                parts.append(f"{kind} p99 {fmt_s(lat['p99'])} (<= {bound:g}s)")
            held = r["faults"]["arm_reads_per_s"] <= READ_BUDGET_PER_S and r["faults"]["throttled"] == 0
            parts.append(f"reads during faults {r['faults']['arm_reads_per_s']:.2f}/s, "
                         f"{r['faults']['throttled']} x 429")
            if ok is not None:
                ok = ok and held
            out.append(Check(tag + f"N={n} fault -> corrective call p99 within target, read budget held", ok,
                             "; ".join(parts)))
        for n, limit in RSS_LIMIT_MIB.items():
            if n in d:
                v = d[n]["peak_rss_mib"]
                out.append(Check(tag + f"N={n} peak RSS <= {limit:g} MiB", v <= limit, f"{v:.1f} MiB"))
        if 1000 in d:
            v = d[1000]["steady"]["cpu_s_per_min"]
            probes = d[1000]["steady"].get("probes_per_s")
            out.append(Check(tag + "N=1000 CPU <= 2 % of one core (1.2 CPU-s/min)", v <= CPU_LIMIT_S_PER_MIN,
                             f"{v:.2f} CPU-s/min" + (f" with {probes:.0f} probes/s" if probes else "")))
            plan = d[1000].get("read_plan")
            if plan:
                v = plan["cpu_s_per_min"]
                out.append(Check(tag + "N=1000 CPU of the read plan alone (probes reloaded away) <= 1.2 CPU-s/min",
                                 v <= CPU_LIMIT_S_PER_MIN, f"{v:.2f} CPU-s/min, {plan['arm_reads_per_s']:.2f} reads/s"))
            m = d[1000].get("metrics")
            if m:
                out.append(Check(tag + "N=1000 /metrics scrape < 100 ms", m["seconds"] < METRICS_LIMIT_S,
                                 f"{m['seconds'] * 1000:.1f} ms, {m['bytes'] / 1024:.0f} KiB"))
    return out


def fmt_s(v):
    if v is None:
        return "-"
    return "missed" if v == math.inf else f"{v:.2f}s"


# ---- Markdown -----------------------------------------------------------------------------

COLUMNS = [
    # header, function of a result -> value, format
    ("members up", lambda r: r.get("members_up"), "{:.0f}"),
    ("ARM reads/min", lambda r: r["steady"]["arm_reads_per_min"], "{:.0f}"),
    ("ARM writes/min", lambda r: r["steady"]["arm_writes_per_min"], "{:.1f}"),
    ("of which DNS reads/min", lambda r: r["steady"]["dns_reads_per_min"], "{:.0f}"),
    ("DNS writes/min", lambda r: r["steady"]["dns_writes_per_min"], "{:.1f}"),
    ("429s", lambda r: r["steady"]["throttled"] + r["faults"]["throttled"], "{:.0f}"),
    ("CPU s/min", lambda r: r["steady"]["cpu_s_per_min"], "{:.2f}"),
    ("CPU s/min without probes", lambda r: (r.get("read_plan") or {}).get("cpu_s_per_min"), "{:.2f}"),
    ("peak RSS MiB", lambda r: r["peak_rss_mib"], "{:.1f}"),
    ("/metrics ms", lambda r: r["metrics"]["seconds"] * 1000 if r.get("metrics") else None, "{:.1f}"),
    ("/metrics KiB", lambda r: r["metrics"]["bytes"] / 1024 if r.get("metrics") else None, "{:.0f}"),
    ("crash p50/p99 s", lambda r: _pair(r, "crash"), "{}"),
    ("hang p50/p99 s", lambda r: _pair(r, "hang"), "{}"),
    ("IP p50/p99 s", lambda r: _pair(r, "ip"), "{}"),
    ("missed", lambda r: sum(v["missed"] for v in r["latency"].values()), "{:.0f}"),
    ("extra actions", lambda r: r["extra_actions"], "{:.0f}"),
    ("reads/s during faults", lambda r: r["faults"]["arm_reads_per_s"], "{:.2f}"),
]


def _p(kind, which):
    return lambda r: (r["latency"].get(kind) or {}).get(which)


# Figures whose daemon/baseline ratio is reported: the numeric columns, latencies one by one.
RATIO_COLUMNS = [c for c in COLUMNS if c[0] not in ("members up", "crash p50/p99 s", "hang p50/p99 s", "IP p50/p99 s")] + [
    (f"{kind} {which}", _p(kind, which), "{:.2f}") for kind in ("crash", "hang", "ip") for which in ("p50", "p99")]


def _pair(r, kind):
    lat = r["latency"].get(kind)
    if not lat or lat["p50"] is None:
        return "-"
    return f"{fmt_s(lat['p50']).rstrip('s')} / {fmt_s(lat['p99']).rstrip('s')}"


def _cell(fn, fmt, r):
    try:
        v = fn(r)
    except (KeyError, TypeError):
        return "-"
    if v is None:
        return "-"
    return fmt.format(v)


def markdown(runs, meta, checks_list):
    lines = [f"# bench/scale: {meta['date']}", "",
             f"Machine: {meta['machine']['cpu']}, {meta['machine']['cores']} cores, "
             f"{meta['machine']['ram_gib']} GiB RAM, Linux {meta['machine']['kernel']}. "
             f"Build: {meta['build_type']} (`{meta['daemon']}`), commit {meta['commit']}"
             + (f"; function order (scripts/function-order): {meta['function_order']}" if meta.get("function_order") else "")
             + ". "
             f"pollInterval {meta['poll_s']:g}s; "
             + (f"a probe per member every {world.PROBE_PERIOD_S:g}s ({world.PROBE_TIMEOUT_S:g}s timeout, "
                f"failureThreshold {world.PROBE_FAILURE_THRESHOLD}); " if meta.get("probes", True)
                else "no probes (--probes off: the read plan alone, no hang faults); ")
             + f"steady window {meta['window_s']:g}s; "
             f"{meta['faults_per_kind']} faults per kind; wall time {meta['wall_s'] / 60:.1f} min"
             + (f" (plus the runs of {', '.join(meta['included'])}, measured before)" if meta.get("included") else "")
             + ".", "",
             "Steady state unless noted; 429s and latencies over the whole run. DNS calls are ARM "
             "calls too (counted in both). Latency: fault injected -> corrective call in the sim's "
             "request log (crash loop and hang: the group's restart; IP change: the A record's PUT).", ""]
    header = ["layout", "N", "groups", "system"] + [c[0] for c in COLUMNS]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    for (layout, n, system) in sorted(runs, key=lambda k: (k[0], k[1], k[2] != "daemon")):
        r = runs[(layout, n, system)]
        row = [layout, str(n), str(4 * n), system] + [_cell(fn, fmt, r) for _, fn, fmt in COLUMNS]
        lines.append("| " + " | ".join(row) + " |")
    ratio_rows = []
    for (layout, n, system), r in sorted(runs.items()):
        if system != "daemon" or (layout, n, "baseline") not in runs:
            continue
        b = runs[(layout, n, "baseline")]
        cells = []
        for _, fn, _ in RATIO_COLUMNS:
            try:
                dv, bv = fn(r), fn(b)
            except (KeyError, TypeError):
                dv = bv = None
            if dv is None or bv is None:
                cells.append("-")
            elif bv == 0 or math.isinf(bv) or math.isinf(dv):
                cells.append("n/a")
            else:
                cells.append(f"{dv / bv:.3g}x")
        ratio_rows.append("| " + " | ".join([layout, str(n)] + cells) + " |")
    if ratio_rows:
        lines += ["", "Daemon / baseline:", ""]
        header = ["layout", "N"] + [c[0] for c in RATIO_COLUMNS]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * len(header))
        lines += ratio_rows
    thread_rows = cpu_by_thread_lines(runs)
    if thread_rows:
        lines += ["", "Daemon CPU by thread, steady state (CPU-s/min; threads named in the daemon):", ""]
        lines += thread_rows
    lines += ["", "Acceptance (issue 12):", "", "```"] + [c.line() for c in checks_list] + ["```", ""]
    return "\n".join(lines)


def cpu_by_thread_lines(runs):
    """One line per daemon run that recorded it: its threads by CPU, largest first."""
    out = []
    for (layout, n, system), r in sorted(runs.items()):
        by_thread = r.get("steady", {}).get("cpu_by_thread") if system == "daemon" else None
        if not by_thread:
            continue
        kernel = r["steady"].get("cpu_kernel_by_thread", {})
        shown = sorted(((v, k) for k, v in by_thread.items() if v >= 0.005), reverse=True)
        rest = len(by_thread) - len(shown)
        text = ", ".join(f"{k} {v:.2f}" + (f" (kernel {kernel[k]:.2f})" if k in kernel else "")
                         for v, k in shown) or "all below 0.005"
        if rest and shown:
            text += f" (the other {rest} below 0.005)"
        plan_threads = (r.get("read_plan") or {}).get("cpu_by_thread")
        if plan_threads:
            shown_plan = sorted(((v, k) for k, v in plan_threads.items() if v >= 0.005), reverse=True)
            text += "; without probes: " + (", ".join(f"{k} {v:.2f}" for v, k in shown_plan) or "all below 0.005")
        probes = r["steady"].get("probes_per_s")
        if probes:
            rate = f"{probes:.0f}" if probes >= 10 else f"{probes:.2f}"
            text += (f"; {rate} probes/s, {r['steady']['cpu_s_per_min'] / 60 / probes * 1e6:.0f} µs "
                     "of the daemon's CPU (all threads) per probe")
        out.append(f"- {layout} N={n}: {text}")
    return out


def plot(runs, path, poll_s):
    """cost (reads/min) and latency p99 against N, both systems, one line per layout."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (cost, lat) = plt.subplots(1, 2, figsize=(12, 4.8))
    series = sorted({(l, s) for (l, _, s) in runs})
    for layout, system in series:
        ns = sorted(n for (l, n, s) in runs if l == layout and s == system)
        style = "-o" if system == "daemon" else "--s"
        cost.plot(ns, [runs[(layout, n, system)]["steady"]["arm_reads_per_min"] for n in ns], style,
                  label=f"{system} ({layout})")
        for kind, color, marker in (("crash", "C0", "o"), ("hang", "C1", "^"), ("ip", "C2", "s")):
            ys = []
            for n in ns:
                p99 = (runs[(layout, n, system)]["latency"].get(kind) or {}).get("p99")
                ys.append(p99 if p99 is not None and p99 != math.inf else float("nan"))
            lat.plot(ns, ys, ("-" if system == "daemon" else "--") + marker, color=color,
                     label=f"{system} {kind} ({layout})")
    cost.axhline(READ_BUDGET_PER_S * 60, color="red", linewidth=0.8, label="ARM read refill (25/s)")
    # A log axis needs a range: a run of one N (a quick check) plots on linear axes.
    all_ns = sorted({n for (_, n, _) in runs})
    if len(all_ns) > 1:
        cost.set_xscale("log")
        lat.set_xscale("log")
    cost.set_xticks(all_ns, [str(n) for n in all_ns])
    lat.set_xticks(all_ns, [str(n) for n in all_ns])
    if any(r["steady"]["arm_reads_per_min"] > 0 for r in runs.values()):
        cost.set_yscale("log")
    cost.set_xlabel("clusters N (x4 container groups)")
    cost.set_ylabel("ARM reads per minute (steady state)")
    cost.set_title("Cost")
    cost.legend(fontsize=8)
    lat.axhline(poll_s + 2, color="C0", linewidth=0.8, linestyle=":", label="crash/IP target")
    lat.axhline(world.hang_target_s(), color="C1", linewidth=0.8, linestyle=":", label="hang target")
    lat.set_xlabel("clusters N (x4 container groups)")
    lat.set_ylabel("fault -> corrective call, p99 (s)")
    lat.set_title("Latency")
    lat.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def today():
    return datetime.date.today().isoformat()
