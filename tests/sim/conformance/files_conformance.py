#!/usr/bin/env python3
"""Azure Files REST conformance of frankenetes-sim, with a Shared Key signer written here from
the Storage REST docs ("Authorize with Shared Key", version 2015-02-21 and later) and nothing
else but the Python standard library: it shares no code with the sim's signer (sim/shared_key.cc)
nor the daemon's (lib/storage).

Usage: files_conformance.py <frankenetes-sim binary>. Exit 0 = pass, 1 = fail.
"""
import base64
import email.utils
import hashlib
import hmac
import http.client
import json
import os
import ssl
import sys
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sim_harness import Sim  # noqa: E402

ACCOUNT = "frankenetes"
KEY = base64.b64encode(b"files-conformance-key-0123456789").decode()
VERSION = "2021-08-06"

SCENARIO = f"""
resourceGroups: [frankenetes]
storageAccounts:
  - {{name: {ACCOUNT}, key: {KEY}}}
containerGroups:
  - name: etcd
    properties:
      osType: Linux
      containers:
        - name: etcd
          properties:
            image: quay.io/coreos/etcd:v3.5.0
            resources: {{requests: {{cpu: 1, memoryInGB: 1.5}}}}
            volumeMounts: [{{name: data, mountPath: /var/lib/etcd}}]
      volumes:
        - name: data
          azureFile: {{shareName: etcd, storageAccountName: {ACCOUNT}}}
"""

STANDARD_HEADERS = ["content-encoding", "content-language", "content-length", "content-md5", "content-type",
                    "date", "if-modified-since", "if-match", "if-none-match", "if-unmodified-since", "range"]


def string_to_sign(method, path, query, headers):
    """StringToSign for the Blob, Queue and File services, version 2015-02-21 and later."""
    h = {k.lower(): v for k, v in headers.items()}
    lines = [method]
    for name in STANDARD_HEADERS:
        value = h.get(name, "")
        if name == "content-length" and value == "0":
            value = ""  # "empty string when the length is zero" since 2015-02-21
        lines.append(value)
    canonical_headers = "".join(
        f"{name}:{' '.join(h[name].split())}\n" for name in sorted(n for n in h if n.startswith("x-ms-")))
    resource = f"/{ACCOUNT}{path}"
    params = {}
    for name, value in query:
        params.setdefault(name.lower(), []).append(value)
    for name in sorted(params):
        resource += f"\n{name}:{','.join(sorted(params[name]))}"
    return "\n".join(lines) + "\n" + canonical_headers + resource


def sign(method, encoded_path, query, headers, key=KEY):
    """The canonicalized resource is "/<account>" + the URL's encoded path; path-style URLs
    (Azurite, the sim) hold the account name again in that path."""
    digest = hmac.new(base64.b64decode(key), string_to_sign(method, encoded_path, query, headers).encode(),
                      hashlib.sha256)
    return f"SharedKey {ACCOUNT}:{base64.b64encode(digest.digest()).decode()}"


class Files:
    def __init__(self, endpoints):
        url = urllib.parse.urlsplit(endpoints["fileBaseUrl"])
        self.host, self.port = url.hostname, url.port
        self.context = ssl.create_default_context(cafile=endpoints["caFile"])

    def call(self, method, path, query=(), headers=None, body=b"", key=KEY, raw_path=None):
        """`path` below the account ("/etcd/a/b"); returns (status, headers, body)."""
        encoded = raw_path or urllib.parse.quote(f"/{ACCOUNT}{path}")
        headers = dict(headers or {})
        headers.setdefault("x-ms-version", VERSION)
        headers.setdefault("x-ms-date", email.utils.formatdate(usegmt=True))
        headers["Content-Length"] = str(len(body))
        headers["Authorization"] = sign(method, encoded, query, headers, key)
        target = encoded + ("?" + urllib.parse.urlencode(list(query)) if query else "")
        conn = http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=10)
        try:
            conn.request(method, target, body=body, headers=headers)
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()


FAILURES = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        FAILURES.append(what)


def expect(result, status, code=None, what=""):
    got_status, headers, body = result
    ok = got_status == status
    if code is not None:
        ok = ok and headers.get("x-ms-error-code") == code and f"<Code>{code}</Code>".encode() in body
    check(ok, f"{what}: {status} {code or ''} (got {got_status} {headers.get('x-ms-error-code', '')})")
    return body


DIR = [("restype", "directory")]
LIST = [("restype", "directory"), ("comp", "list")]
RANGE = [("comp", "range")]


def run(sim):
    files = Files(sim.endpoints)
    share_dir = os.path.join(sim.state, "shares", ACCOUNT, "etcd")
    check(os.path.isdir(share_dir), "the scenario's share exists as a directory before any container runs")
    check(sim.endpoints["storageKeyFiles"] == {ACCOUNT: os.path.join(sim.state, "storage-keys", ACCOUNT)},
          "endpoints.json names the key file")
    with open(sim.endpoints["storageKeyFiles"][ACCOUNT]) as f:
        check(f.read().strip() == KEY, "the key file holds the scenario's key")

    # A directory tree, a file written in two ranges, read back whole and in part.
    expect(files.call("PUT", "/etcd/member", DIR), 201, what="Create Directory")
    expect(files.call("PUT", "/etcd/member/snap", DIR), 201, what="Create Directory (nested)")
    content = os.urandom(6000)
    expect(files.call("PUT", "/etcd/member/snap/db", headers={"x-ms-type": "file",
                                                           "x-ms-content-length": str(len(content))}),
           201, what="Create File")
    expect(files.call("PUT", "/etcd/member/snap/db", RANGE,
                      {"x-ms-write": "update", "x-ms-range": "bytes=0-3999"}, content[:4000]), 201, what="Put Range 1")
    _, headers, _ = files.call("PUT", "/etcd/member/snap/db", RANGE,
                               {"x-ms-write": "update", "Range": f"bytes=4000-{len(content) - 1}",
                                "Content-MD5": base64.b64encode(hashlib.md5(content[4000:]).digest()).decode()},
                               content[4000:])
    check(headers.get("content-md5") == base64.b64encode(hashlib.md5(content[4000:]).digest()).decode(),
          "Put Range with Range and Content-MD5 echoes the MD5")
    with open(os.path.join(share_dir, "member", "snap", "db"), "rb") as f:
        check(f.read() == content, "the file written through the API is in <state>/shares/<account>/<share>/")
    check(expect(files.call("GET", "/etcd/member/snap/db"), 200, what="Get File") == content, "Get File returns it all")
    status, headers, body = files.call("GET", "/etcd/member/snap/db", headers={"x-ms-range": "bytes=10-19"})
    check(status == 206 and body == content[10:20] and headers.get("content-range") == f"bytes 10-19/{len(content)}",
          "Get File with x-ms-range: 206, the range, Content-Range")
    status, headers, _ = files.call("HEAD", "/etcd/member/snap/db")
    check(status == 200 and headers.get("content-length") == str(len(content)) and headers.get("x-ms-type") == "File",
          "Get File Properties: size and type")

    # A file a container wrote is listed next to the API's.
    with open(os.path.join(share_dir, "member", "wal"), "wb") as f:
        f.write(b"x" * 7)
    root = ET.fromstring(expect(files.call("GET", "/etcd/member", LIST), 200, what="List Directories and Files"))
    entries = [(e.tag, e.findtext("Name"), e.findtext("Properties/Content-Length")) for e in root.find("Entries")]
    check(entries == [("Directory", "snap", None), ("File", "wal", "7")], f"listing of member/: {entries}")
    root = ET.fromstring(files.call("GET", "/etcd/member/snap", LIST)[2])
    check(root.findtext("Entries/File/Properties/Content-Length") == str(len(content)), "listed file size")

    # Paging.
    for name in ["p1", "p2", "p3"]:
        files.call("PUT", f"/etcd/member/{name}", headers={"x-ms-type": "file", "x-ms-content-length": "0"})
    names, marker = [], ""
    for _ in range(10):
        query = LIST + [("prefix", "p"), ("maxresults", "2")] + ([("marker", marker)] if marker else [])
        root = ET.fromstring(expect(files.call("GET", "/etcd/member", query), 200, what="List page"))
        names += [e.findtext("Name") for e in root.find("Entries")]
        marker = root.findtext("NextMarker") or ""
        if not marker:
            break
    check(names == ["p1", "p2", "p3"], f"paged listing with prefix: {names}")

    # Error codes.
    expect(files.call("PUT", "/etcd/nope/deeper", DIR), 404, "ParentNotFound", "Create Directory without parent")
    expect(files.call("PUT", "/etcd/member", DIR), 409, "ResourceAlreadyExists", "Create Directory twice")
    expect(files.call("DELETE", "/etcd/member", DIR), 409, "DirectoryNotEmpty", "Delete Directory not empty")
    expect(files.call("DELETE", "/etcd/gone", DIR), 404, "ResourceNotFound", "Delete Directory missing")
    expect(files.call("DELETE", "/etcd/member/gone"), 404, "ResourceNotFound", "Delete File missing")
    expect(files.call("GET", "/etcd/member/gone"), 404, "ResourceNotFound", "Get File missing")
    expect(files.call("PUT", "/noshare/x", DIR), 404, "ShareNotFound", "unknown share")
    expect(files.call("PUT", "/etcd/member/snap/db", RANGE, {"x-ms-write": "update", "x-ms-range": "bytes=5990-6009"},
                      b"z" * 20), 416, "InvalidRange", "Put Range past the end")
    expect(files.call("GET", "/etcd/member/snap/db", key=base64.b64encode(b"wrong key").decode()),
           403, "AuthenticationFailed", "wrong key")
    expect(files.call("GET", "/etcd/member/snap/db", headers={"x-ms-version": "2019-02-02"}),
           400, "InvalidHeaderValue", "old x-ms-version")

    # Paths that would leave the share: raw "..", encoded "..", NUL.
    outside = os.path.join(sim.state, "escaped")
    for raw in [f"/{ACCOUNT}/etcd/../../escaped", f"/{ACCOUNT}/etcd/%2e%2e/%2e%2e/escaped",
                f"/{ACCOUNT}/etcd/member/..%2F..%2F..%2Fescaped", f"/{ACCOUNT}/etcd/a%00b"]:
        expect(files.call("PUT", "", DIR, raw_path=raw), 400, "InvalidResourceName", f"path {raw}")
    check(not os.path.exists(outside), "nothing was created outside the share")

    # Delete everything, bottom up.
    for name in ["snap/db", "wal", "p1", "p2", "p3"]:
        expect(files.call("DELETE", f"/etcd/member/{name}"), 202, what=f"Delete File {name}")
    expect(files.call("DELETE", "/etcd/member/snap", DIR), 202, what="Delete Directory snap")
    expect(files.call("DELETE", "/etcd/member", DIR), 202, what="Delete Directory member")
    check(os.listdir(share_dir) == [], "the share directory is empty again")

    # The request log names every call.
    log = sim.control("GET", "/requests?api=files&operation=putRange")
    check(log["count"] == 3 and all("/etcd/member/snap/db" in e["path"] for e in log["entries"]),
          f"request log has the Put Range calls: {log['count']}")

    # An injected fault fails the next Put Range once.
    files.call("PUT", "/etcd/f", headers={"x-ms-type": "file", "x-ms-content-length": "1"})
    sim.control("POST", "/faults/arm", {"operation": "files.putRange", "status": 500, "count": 1})
    expect(files.call("PUT", "/etcd/f", RANGE, {"x-ms-write": "update", "x-ms-range": "bytes=0-0"}, b"!"),
           500, "InternalServerError", "injected Put Range fault")
    expect(files.call("PUT", "/etcd/f", RANGE, {"x-ms-write": "update", "x-ms-range": "bytes=0-0"}, b"!"),
           201, what="Put Range after the fault")


def main():
    sim = Sim(sys.argv[1], SCENARIO)
    try:
        run(sim)
    except Exception:
        sim.stop(keep=True)
        raise
    sim.stop(keep=bool(FAILURES))
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
