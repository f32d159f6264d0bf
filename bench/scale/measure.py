"""What bench/scale reads: the sim's request log (every ARM and Azure DNS call, with the sim's
timestamps), a process's CPU time and peak RSS from /proc, and /metrics scrape time and size.

The request log is pulled incrementally (GET /requests?since=SEQ) and classified here rather
than counted by filtered queries: one pull sees every entry once, windows are bounded by
sequence numbers (no entry counted twice or lost between two queries), and the log's capacity
(100 000 entries) never drops an entry that was not yet looked at.
"""
import http.client
import json
import os
import statistics
import time
import urllib.parse

from sim_cluster import parse_time

MUTATING = ("PUT", "POST", "PATCH", "DELETE")
CLK_TCK = os.sysconf("SC_CLK_TCK")


class ControlClient:
    """The sim's control API over one kept-alive connection (the pulls and the record seeding
    are thousands of calls). Not thread-safe: one per thread."""

    def __init__(self, control_url, timeout=30):
        parsed = urllib.parse.urlsplit(control_url)
        self.host, self.port, self.timeout = parsed.hostname, parsed.port, timeout
        self.conn = None

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
                resp = self.conn.getresponse()
                payload = resp.read()
            except (http.client.HTTPException, OSError):
                # The server closed the kept-alive connection: once more on a new one.
                self.close()
                if attempt == 2:
                    raise
                continue
            if resp.status >= 400:
                raise RuntimeError(f"control {method} {path}: {resp.status} {payload[:300]!r}")
            return json.loads(payload or b"null")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def is_arm(entry):
    """ARM requests: container groups (api arm) and Azure DNS, which is ARM too (same token,
    same throttling buckets)."""
    return entry["api"] in ("arm", "dns")


def is_read(entry):
    return entry["method"] in ("GET", "HEAD")


class Counts:
    """Request counts of one window."""

    FIELDS = ("arm_reads", "arm_writes", "dns_reads", "dns_writes", "throttled", "lists", "gets",
              "tokens", "other")

    def __init__(self):
        for f in self.FIELDS:
            setattr(self, f, 0)

    def add(self, e):
        if e["api"] == "token":
            self.tokens += 1
            return
        if not is_arm(e):
            self.other += 1
            return
        if e["status"] == 429:
            self.throttled += 1
        read = is_read(e)
        if read:
            self.arm_reads += 1
        else:
            self.arm_writes += 1
        if e["api"] == "dns":
            if read:
                self.dns_reads += 1
            else:
                self.dns_writes += 1
        elif read and e["operation"] == "list":
            self.lists += 1
        elif read and e["operation"] == "get":
            self.gets += 1

    def as_dict(self):
        return {f: getattr(self, f) for f in self.FIELDS}


class RequestTally:
    """Pulls the sim's request log and routes every new entry to the open windows and to the
    listeners (fault matching)."""

    def __init__(self, control):
        self.control = control
        self.last_seq = control.call("GET", "/requests?limit=0")["lastSeq"]
        self.windows = {}    # name -> Counts
        self.listeners = []  # functions of one entry

    def pull(self):
        got = self.control.call("GET", f"/requests?since={self.last_seq}&limit=1000000")
        entries = got["entries"]
        if entries and entries[0]["seq"] != self.last_seq + 1:
            # The log dropped entries we never saw (capacity): the counts would be short.
            raise RuntimeError(f"request log lost entries {self.last_seq + 1}..{entries[0]['seq'] - 1}: pull more often")
        for e in entries:
            for window in self.windows.values():
                window.add(e)
            for listener in self.listeners:
                listener(e)
        if entries:
            self.last_seq = entries[-1]["seq"]
        return entries

    def open(self, name):
        self.pull()
        self.windows[name] = Counts()

    def close(self, name):
        self.pull()
        return self.windows.pop(name)


def entry_time(entry):
    return parse_time(entry["time"])


class ProcessStats:
    """CPU seconds (utime + stime) and peak RSS (VmHWM) of one process, from /proc."""

    def __init__(self, pid):
        self.pid = pid

    @staticmethod
    def _name_and_cpu_seconds(stat_path, kernel_only=False):
        """The command name and utime + stime (kernel_only: stime) in seconds from a
        /proc .../stat file."""
        with open(stat_path) as f:
            # The command (which may hold spaces and parentheses) ends at the last ')'.
            head, rest = f.read().rsplit(")", 1)
        fields = rest.split()
        ticks = int(fields[12]) if kernel_only else int(fields[11]) + int(fields[12])  # fields 14, 15
        return head.split("(", 1)[1], ticks / CLK_TCK

    def cpu_seconds(self):
        return self._name_and_cpu_seconds(f"/proc/{self.pid}/stat")[1]

    def cpu_seconds_by_thread(self, kernel_only=False):
        """CPU seconds per thread name (the daemon names its threads: scheduler, http-io,
        reads, ...; threads of one name summed); kernel_only: the part spent in the kernel
        (system calls: sockets, epoll, futexes). Threads that ended are not counted."""
        out = {}
        try:
            tids = os.listdir(f"/proc/{self.pid}/task")
        except FileNotFoundError:
            return out
        for tid in tids:
            try:
                name, seconds = self._name_and_cpu_seconds(f"/proc/{self.pid}/task/{tid}/stat", kernel_only)
            except (FileNotFoundError, ProcessLookupError):
                continue  # ended since the listing
            out[name] = out.get(name, 0.0) + seconds
        return out

    def status_kib(self, key):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        return None

    def peak_rss_mib(self):
        return self.status_kib("VmHWM") / 1024.0

    def rss_mib(self):
        return self.status_kib("VmRSS") / 1024.0


def scrape_metrics(port, scrapes=7, timeout=10):
    """(median seconds, bytes) of GET /metrics over `scrapes` scrapes, each on a new
    connection as Prometheus would open after an idle period."""
    times, size = [], 0
    for _ in range(scrapes):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        start = time.perf_counter()
        try:
            conn.request("GET", "/metrics")
            resp = conn.getresponse()
            body = resp.read()
        finally:
            conn.close()
        times.append(time.perf_counter() - start)
        if resp.status != 200:
            raise RuntimeError(f"/metrics answered {resp.status}")
        size = len(body)
    return statistics.median(times), size



def short_figures(entries, begin, end, groups, intervals):
    """The --short figure over [begin, end) (`intervals` whole poll cycles): ARM reads (DNS
    included) per group per poll interval, and what they were."""
    breakdown = {"list": 0, "get": 0, "dns": 0, "other": 0}
    for e in entries:
        if not (is_arm(e) and is_read(e) and begin <= entry_time(e) < end):
            continue
        key = "dns" if e["api"] == "dns" else e["operation"] if e["operation"] in ("list", "get") else "other"
        breakdown[key] += 1
    reads = sum(breakdown.values())
    return {"readsPerGroupPerInterval": round(reads / groups / intervals, 4), "reads": reads,
            "breakdown": breakdown}
