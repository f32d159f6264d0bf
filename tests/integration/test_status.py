"""Operating it: the status page in a real browser, and the admin API, against frankenetes-sim in
process mode and the real frankenetesd.

test_01 loads / in headless Chromium (Debian's `chromium`, offline: loopback only, a throwaway
profile) while the sim keeps a member crash-looping, reads the DOM the browser built and saves
screenshots (desktop and phone width) under $FRANKENETES_ARTIFACTS_DIR (the build directory's
artifacts/ when run by ctest). test_02 drives the admin API: 401s, pause (nothing reaches ARM
for the paused member while it crash-loops, across a daemon restart), resume.
"""
import html.parser
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from daemon_harness import wait_until
from sim_cluster import MUTATING, HealTestCase, log_events

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = os.environ.get("FRANKENETES_ARTIFACTS_DIR") or os.path.join(tempfile.gettempdir(),
                                                                        "frankenetes-artifacts")
TOKEN = "it-is-a-test-token-0123456789abcdef"


def mutations_of(entries, group):
    """(method, operation) of the mutating ARM requests on one container group."""
    return [(e["method"], e["operation"]) for e in entries
            if e["method"] in MUTATING and f"/containerGroups/{group}" in e["path"].split("?")[0]]


class MemberRow(html.parser.HTMLParser):
    """The texts of the classed elements inside <tr id=...> of one member, from a DOM dump."""

    def __init__(self, row_id):
        super().__init__()
        self.row_id = row_id
        self.found = False
        self.attrs = {}
        self.texts = {}  # class -> [text]
        self._depth = 0  # open elements inside the row (0: outside)
        self._classes = []  # the class of each open element inside the row

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._depth == 0:
            if tag == "tr" and attrs.get("id") == self.row_id:
                self.found, self.attrs, self._depth = True, attrs, 1
            return
        self._depth += 1
        self._classes.append(attrs.get("class", ""))

    def handle_endtag(self, tag):
        if self._depth == 0:
            return
        self._depth -= 1
        if self._classes:
            self._classes.pop()

    def handle_data(self, data):
        if self._depth and self._classes and self._classes[-1]:
            for cls in self._classes[-1].split():
                self.texts.setdefault(cls, []).append(data.strip())


class Browser:
    """Headless Chromium on loopback: no name resolves and no address but 127.0.0.1 is reached,
    so nothing phones home."""

    def __init__(self, directory):
        self.profile = os.path.join(directory, "chromium-profile")

    def run(self, *args, timeout=60):
        command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--no-default-browser-check", "--disable-background-networking",
                   "--disable-component-update", "--disable-sync", "--disable-extensions",
                   "--disable-default-apps",
                   # Every name and address fails but the daemon's (the rule covers IP literals).
                   "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                   f"--user-data-dir={self.profile}", *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise AssertionError(f"chromium exited {result.returncode}: {result.stderr[-2000:]}")
        return result.stdout

    def dom(self, url):
        dom = self.run("--dump-dom", url)
        if "<html" not in dom:
            raise AssertionError(f"chromium loaded nothing from {url}")
        return dom

    def screenshot(self, url, path, width, height):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if os.path.exists(path):
            os.remove(path)
        self.run(f"--screenshot={path}", f"--window-size={width},{height}",
                 "--hide-scrollbars", url)
        with open(path, "rb") as f:
            png = f.read()
        if not png.startswith(b"\x89PNG\r\n\x1a\n") or len(png) < 10000:
            raise AssertionError(f"{path}: not a screenshot ({len(png)} bytes)")
        return len(png)


class StatusTestCase(HealTestCase):
    def status(self, daemon):
        code, _, body = daemon.get("/status")
        self.assertEqual(code, 200)
        return json.loads(body)

    def member(self, daemon, name):
        doc = self.status(daemon)
        return next(m for c in doc["clusters"] for m in c["members"] if m["name"] == name)

    def admin(self, daemon, path, token=TOKEN):
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        code, headers, body = daemon.request("POST", path, headers=headers)
        return code, {k.lower(): v for k, v in headers.items()}, body


class Status(StatusTestCase):
    # The acceptance: during a sim-injected crash loop, the page a browser renders shows the
    # broken member, the action the daemon took (restart) and why it is not doing more (the
    # back-off after the restart).
    def test_01_status_page_in_a_browser_during_a_crash_loop(self):
        if not CHROMIUM:
            self.skipTest("needs Debian's chromium (scripts/install-deps)")
        sim = self.start_sim()
        daemon = self.start_daemon(sim, backoff_initial="60s")
        sim.act("crash", group="scheduler", container="scheduler", always=True, exitCode=1)

        def restarted_and_backing_off():
            m = self.member(daemon, "scheduler")
            action, skip = m["lastAction"] or {}, m["skip"] or {}
            return (m["health"] == "unhealthy" and action.get("kind") == "restart" and
                    action.get("result") == "succeeded" and skip.get("reason") == "backoff") and m
        seen = wait_until(restarted_and_backing_off, 60, "a restart of the scheduler, then its back-off")

        browser = Browser(self.tmp.name)
        url = f"http://127.0.0.1:{daemon.port}/"

        def rendered():
            row = MemberRow("member-sim-scheduler")
            row.feed(browser.dom(url))
            ok = (row.found and row.attrs.get("data-health") == "unhealthy" and
                  "restart" in row.texts.get("action-kind", []) and
                  "backoff" in row.texts.get("skip-reason", []))
            return ok and row
        row = wait_until(rendered, 60, "the browser's DOM to show the scheduler restarted and backing off")
        self.assertIn("scheduler", row.texts.get("member-name", []))
        dom = browser.dom(url)
        self.assertIn('<meta name="viewport" content="width=device-width, initial-scale=1">', dom)
        self.assertNotIn("<script", dom)
        healthy = MemberRow("member-sim-etcd")
        healthy.feed(dom)
        self.assertEqual(healthy.attrs.get("data-health"), "healthy")

        desktop = os.path.join(ARTIFACTS, "status-page.png")
        phone = os.path.join(ARTIFACTS, "status-page-phone.png")
        sizes = (browser.screenshot(url, desktop, 1400, 1400),
                 browser.screenshot(url, phone, 390, 2400))
        print(f"\n  status page screenshots: {desktop} ({sizes[0]} bytes), {phone} ({sizes[1]} bytes)",
              flush=True)
        self.report(member="scheduler", action=seen["lastAction"]["kind"],
                    skip=seen["skip"]["reason"], backoff_left_s=seen["ladder"]["backoffLeftSeconds"])


class Admin(StatusTestCase):
    DEADLINE = 240  # two daemons and a resume

    def start_admin_daemon(self, sim, env, **config):
        return self.start_daemon(sim, env=env, admin_token_file=self.token_file,
                                 backoff_initial="1s", **config)

    def skipped_paused(self, daemon, member):
        return daemon.metric("frankenetes_actions_skipped_total", member=member, reason="paused") or 0

    def test_02_admin_api_pause_survives_a_restart_and_resume_resumes(self):
        sim = self.start_sim()
        self.token_file = os.path.join(self.tmp.name, "admin-token")
        with open(self.token_file, "w") as f:
            f.write(TOKEN + "\n")
        env = {"STATE_DIRECTORY": os.path.join(self.tmp.name, "state")}
        daemon = self.start_admin_daemon(sim, env)

        # Without a token and with a wrong one: 401 and the RFC 6750 challenge, nothing done.
        code, headers, _ = self.admin(daemon, "/admin/members/sim/scheduler/pause", token=None)
        self.assertEqual(code, 401)
        self.assertEqual(headers["www-authenticate"], 'Bearer realm="frankenetesd"')
        code, headers, _ = self.admin(daemon, "/admin/members/sim/scheduler/pause", token="wrong-" + TOKEN)
        self.assertEqual(code, 401)
        self.assertIn('error="invalid_token"', headers["www-authenticate"])
        self.assertFalse(self.member(daemon, "scheduler")["paused"])
        self.assertEqual(self.admin(daemon, "/admin/members/sim/nope/pause")[0], 404)
        self.assertEqual(self.admin(daemon, "/admin/reconcile")[0], 202)

        # Pause, then break the member for good.
        code, _, body = self.admin(daemon, "/admin/members/sim/scheduler/pause")
        self.assertEqual((code, json.loads(body)["ok"]), (200, True), body)
        since = sim.last_seq()
        sim.act("crash", group="scheduler", container="scheduler", always=True, exitCode=1)
        before = self.skipped_paused(daemon, "scheduler")
        # Ten plans that saw it unhealthy and skipped it as paused: time enough for a restart.
        self.wait_metric(daemon, "frankenetes_actions_skipped_total", lambda v: v >= before + 10, 60,
                         member="scheduler", reason="paused")
        self.assertEqual(mutations_of(sim.requests(api="arm", since=since), "scheduler"), [])
        m = self.member(daemon, "scheduler")
        self.assertEqual((m["paused"], m["health"], m["skip"]["reason"]), (True, "unhealthy", "paused"))
        self.assertEqual(daemon.metric("frankenetes_member_paused", member="scheduler"), 1)
        self.assertEqual(daemon.metric("frankenetes_member_paused", member="etcd"), 0)
        paused_events = [e for e in self.status(daemon)["events"]
                         if e["kind"] == "admin" and e["what"] == "paused"]
        self.assertTrue(paused_events and paused_events[0]["detail"].startswith("by 127.0.0.1:"))
        self.assertTrue(log_events(daemon.log(), "admin.member.paused", member="scheduler"))
        self.assertTrue(log_events(daemon.log(), "admin.auth.failed", reason='"wrong token"'))
        self.assertNotIn(TOKEN, daemon.log())
        _, _, page = daemon.get("/")
        self.assertNotIn(TOKEN, page)

        paused_plans = self.skipped_paused(daemon, "scheduler") - before
        # A restart on the same state directory: still paused, still hands off.
        daemon.signal(15)
        daemon.proc.wait(10)
        second = self.start_admin_daemon(sim, env, wait_healthy=False)
        self.wait_metric(second, "frankenetes_member_paused", lambda v: v == 1, 20, member="scheduler")
        self.wait_metric(second, "frankenetes_actions_skipped_total", lambda v: v >= 5, 60,
                         member="scheduler", reason="paused")
        self.assertTrue(self.member(second, "scheduler")["paused"])
        self.assertEqual(mutations_of(sim.requests(api="arm", since=since), "scheduler"), [])

        # Resume: the next plan acts.
        resumed = sim.last_seq()
        code, _, body = self.admin(second, "/admin/members/sim/scheduler/resume")
        self.assertEqual(code, 200, body)
        first_action = wait_until(lambda: mutations_of(sim.requests(api="arm", since=resumed), "scheduler"),
                                  30, "an action on the scheduler after the resume")
        self.assertEqual(first_action[0], ("POST", "restart"))
        self.assertEqual(second.metric("frankenetes_member_paused", member="scheduler"), 0)
        self.assertFalse(self.member(second, "scheduler")["paused"])
        self.report(paused_plans=int(paused_plans + self.skipped_paused(second, "scheduler")),
                    mutations_while_paused=0, after_resume=first_action[0][1])


if __name__ == "__main__":
    unittest.main()
