"""Azurite (Microsoft's Azure Storage emulator, pinned in tests/azurite) for the integration tests,
and a small Blob REST client signed with Shared Key — written from the REST documentation on its
own, so it checks the daemon's client instead of agreeing with it by construction.

    azurite = Azurite()                 # azurite-blob on a free loopback port, temp --location
    azurite = start_for(test_case)      # the same, stopped by the test's cleanup (or skipped)
    blobs = azurite.client("frankenetes")
    blobs.put("snapshots/x/y.db", b"...")
    blobs.list("snapshots/")            # [{"name", "size", "metadata", "created"}]
    azurite.stop()
"""
import base64
import datetime
import email.utils
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("FRANKENETES_SOURCE_DIR", os.path.join(HERE, "..", ".."))
AZURITE_BIN = os.path.join(SOURCE_DIR, "tests", "azurite", "node_modules", ".bin", "azurite-blob")

# Azurite's default account and its well-known, public key (documented by Microsoft).
ACCOUNT = "devstoreaccount1"
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
VERSION = "2021-08-06"


def unavailable_reason():
    if not os.path.exists(AZURITE_BIN):
        return f"{AZURITE_BIN} is missing (scripts/install-deps runs npm ci in tests/azurite)"
    if shutil.which("node") is None:
        return "node is not installed (Debian nodejs)"
    return ""


def start_for(test):
    """An Azurite for a unittest case, stopped by its cleanup. Without Azurite installed the
    test is skipped, or fails under CI (where scripts/install-deps has run)."""
    why = unavailable_reason()
    if why:
        if os.environ.get("CI"):
            test.fail(why)
        test.skipTest(why)
    server = Azurite()
    test.addCleanup(server.stop)
    return server


class Azurite:
    def storage_section(self, container, key_file, endpoint=None):
        """The daemon's `storage:` YAML for `container` in this Azurite (or at `endpoint`, a
        proxy in front of it), with the account key in `key_file`."""
        return ("storage:\n"
                f"  account: {ACCOUNT}\n"
                f"  container: {container}\n"
                f"  endpoint: {json.dumps(endpoint or self.endpoint)}\n"
                f"  keyFile: {json.dumps(key_file)}\n")

    def __init__(self, timeout=30):
        self.dir = tempfile.mkdtemp(prefix="fk-azurite-")
        self.log_path = os.path.join(self.dir, "azurite.log")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [AZURITE_BIN, "--blobHost", "127.0.0.1", "--blobPort", "0", "--location",
             os.path.join(self.dir, "data"), "--disableTelemetry", "--silent"],
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            close_fds=True, start_new_session=True)
        self.port = None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"azurite-blob exited: {self.log()}")
            m = re.search(r"listens on http://127\.0\.0\.1:(\d+)", self.log())
            if m:
                self.port = int(m.group(1))
                break
            time.sleep(0.05)
        if self.port is None:
            self.stop()
            raise RuntimeError(f"azurite-blob did not listen within {timeout}s: {self.log()}")

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}/{ACCOUNT}"

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def client(self, container):
        return BlobClient(self.endpoint, container)

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self._log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class BlobClient:
    """Put/Get/List/Delete on one container, Shared Key (string-to-sign of 2015-02-21+)."""

    def __init__(self, endpoint, container):
        self.endpoint = endpoint.rstrip("/")
        self.container = container

    def _request(self, method, blob="", query=None, body=b"", headers=None):
        query = dict(query or {})
        path = f"/{self.container}" + (f"/{urllib.parse.quote(blob)}" if blob else "")
        url = self.endpoint + path + ("?" + urllib.parse.urlencode(query) if query else "")
        h = {"x-ms-date": email.utils.formatdate(usegmt=True), "x-ms-version": VERSION}
        if method == "PUT":  # urllib would add a form Content-Type of its own, unsigned
            h["Content-Type"] = "application/octet-stream"
        h.update(headers or {})
        length = str(len(body)) if body else ""
        canonical_headers = "".join(f"{k}:{v}\n" for k, v in sorted(
            (k.lower(), v) for k, v in h.items() if k.lower().startswith("x-ms-")))
        # Path style: the canonical resource is /<account>/<account>/<container>/<blob>.
        resource = f"/{ACCOUNT}{urllib.parse.urlparse(url).path}"  # path style: /acct/acct/…
        resource += "".join(f"\n{k.lower()}:{v}" for k, v in sorted(query.items()))
        to_sign = "\n".join([method, "", "", length, "", h.get("Content-Type", ""), "", "", "",
                             "", "", ""]) + "\n" + canonical_headers + resource
        signature = base64.b64encode(hmac.new(base64.b64decode(KEY), to_sign.encode(),
                                              hashlib.sha256).digest()).decode()
        h["Authorization"] = f"SharedKey {ACCOUNT}:{signature}"
        request = urllib.request.Request(url, data=body if method == "PUT" else None,
                                         method=method, headers=h)
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def create(self):
        status, _, body = self._request("PUT", query={"restype": "container"})
        if status not in (201, 409):
            raise AssertionError(f"create container: {status} {body[:300]!r}")

    def put(self, name, data, metadata=None):
        headers = {"x-ms-blob-type": "BlockBlob"}
        headers.update({f"x-ms-meta-{k}": v for k, v in (metadata or {}).items()})
        status, _, body = self._request("PUT", name, body=data, headers=headers)
        if status != 201:
            raise AssertionError(f"put {name}: {status} {body[:300]!r}")

    def get(self, name):
        status, headers, body = self._request("GET", name)
        if status != 200:
            raise AssertionError(f"get {name}: {status} {body[:300]!r}")
        return headers, body

    def list(self, prefix=""):
        """[{"name", "size", "metadata", "created"}] of every blob under `prefix`."""
        out, marker = [], None
        while True:
            query = {"restype": "container", "comp": "list", "prefix": prefix,
                     "include": "metadata"}
            if marker:
                query["marker"] = marker
            status, _, body = self._request("GET", query=query)
            if status == 404:
                return out
            if status != 200:
                raise AssertionError(f"list {prefix}: {status} {body[:300]!r}")
            root = ET.fromstring(body)
            for blob in root.iter("Blob"):
                props = blob.find("Properties")
                meta = blob.find("Metadata")
                created = props.findtext("Creation-Time") or props.findtext("Last-Modified")
                out.append({
                    "name": blob.findtext("Name"),
                    "size": int(props.findtext("Content-Length")),
                    "metadata": {m.tag.lower(): m.text for m in meta} if meta is not None else {},
                    "created": email.utils.parsedate_to_datetime(created).timestamp(),
                })
            marker = root.findtext("NextMarker")
            if not marker:
                return out


def snapshot_name(cluster, member, when, revision):
    """The blob name the daemon gives a snapshot (etcd/snapshot_catalog.h), from Unix seconds."""
    stamp = datetime.datetime.fromtimestamp(when, datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"snapshots/{cluster}/{member}/{stamp}-rev{revision}.db"
