#!/usr/bin/env python3
"""A loopback fake of the GitHub REST API for attest-kit's tests (127.0.0.1 only).

Two listeners, like GitHub: the API host and a separate uploads/objects host. Releases are
read from disk: DIR/releases/OWNER/REPO/TAG/* are the assets of release TAG. Response shapes
follow GitHub's REST documentation (releases, release assets, attestations); pagination uses
`Link` headers, errors carry `message` and `documentation_url`, rate limits use
`Retry-After` / `x-ratelimit-*`.

Releases can also be created with POST /repos/OWNER/REPO/releases (GitHub's "Create a release").

Control (on the API host, tests only):
  POST /__faults  {"fail5xx": N, "rate429": SECONDS, "ratelimit_reset_in": SECONDS,
                   "truncate": ASSET, "truncate_count": N, "oversize": ASSET}
  GET  /__stats   request counts, and whether a token ever reached the objects host

Usage: server.py --dir DIR [--token TOKEN] [--max-per-page N]
Prints one JSON line: {"api": URL, "uploads": URL}.
"""

import argparse
import base64
import hashlib
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlparse

LOCK = threading.Lock()
STATE = {
    "faults": {},
    "stats": {"api": 0, "objects": 0, "token_on_objects": False, "downloads": 0,
              "attestation_posts": 0, "uploads": 0, "max_concurrent_downloads": 0},
    "attestations": [],  # {"id", "repo", "owner", "digests", "bundle"}
    "release_meta": {},  # (owner, repo, tag) -> what POST .../releases set: name, body, target_commitish
    "in_flight": 0,
}
ARGS = None
API = None
UPLOADS = None
DOCS = "https://docs.github.com/rest"


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def release_dir(owner, repo, tag):
    return os.path.join(ARGS.dir, "releases", owner, repo, tag)


def list_releases(owner, repo):
    base = os.path.join(ARGS.dir, "releases", owner, repo)
    return sorted(os.listdir(base)) if os.path.isdir(base) else []


def release_id(owner, repo, tag):
    return 1000 + list_releases(owner, repo).index(tag)


def asset_json(owner, repo, tag, index, name):
    path = os.path.join(release_dir(owner, repo, tag), name)
    size = os.path.getsize(path)
    faults = STATE["faults"]
    if faults.get("oversize") == name:
        size = max(0, size - 7)  # the release declares less than it serves
    aid = release_id(owner, repo, tag) * 1000 + index
    return {
        "url": f"{API}/repos/{owner}/{repo}/releases/assets/{aid}",
        "browser_download_url": f"https://github.com/{owner}/{repo}/releases/download/{tag}/{quote(name)}",
        "id": aid,
        "node_id": f"RA_{aid}",
        "name": name,
        "label": "",
        "state": "uploaded",
        "content_type": "application/octet-stream",
        "size": size,
        "digest": None,
        "download_count": 0,
        "created_at": "2025-01-01T00:00:00Z",
        "updated_at": "2025-01-01T00:00:00Z",
        "uploader": {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"},
    }


def asset_names(owner, repo, tag):
    return sorted(os.listdir(release_dir(owner, repo, tag)))


def release_json(owner, repo, tag):
    rid = release_id(owner, repo, tag)
    names = asset_names(owner, repo, tag)
    meta = STATE["release_meta"].get((owner, repo, tag), {})
    return {
        "url": f"{API}/repos/{owner}/{repo}/releases/{rid}",
        "html_url": f"https://github.com/{owner}/{repo}/releases/tag/{tag}",
        "assets_url": f"{API}/repos/{owner}/{repo}/releases/{rid}/assets",
        "upload_url": f"{UPLOADS}/repos/{owner}/{repo}/releases/{rid}/assets{{?name,label}}",
        "tarball_url": f"{API}/repos/{owner}/{repo}/tarball/{tag}",
        "zipball_url": f"{API}/repos/{owner}/{repo}/zipball/{tag}",
        "id": rid,
        "node_id": f"RE_{rid}",
        "tag_name": tag,
        "target_commitish": meta.get("target_commitish", "main"),
        "name": meta.get("name", tag),
        "body": meta.get("body", ""),
        "draft": meta.get("draft", False),
        "prerelease": meta.get("prerelease", False),
        "immutable": False,
        "created_at": "2025-01-01T00:00:00Z",
        "published_at": "2025-01-01T00:00:00Z",
        "author": {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"},
        "assets": [asset_json(owner, repo, tag, i, n) for i, n in enumerate(names)],
    }


def find_release_by_id(rid):
    base = os.path.join(ARGS.dir, "releases")
    if not os.path.isdir(base):
        return None
    for owner in os.listdir(base):
        for repo in os.listdir(os.path.join(base, owner)):
            for tag in list_releases(owner, repo):
                if release_id(owner, repo, tag) == rid:
                    return owner, repo, tag
    return None


def statement_digests(bundle):
    try:
        payload = base64.b64decode(bundle["dsseEnvelope"]["payload"])
        st = json.loads(payload)
        return [f"sha256:{s['digest']['sha256']}" for s in st.get("subject", []) if "sha256" in s.get("digest", {})]
    except Exception:
        pass
    try:
        d = bundle["messageSignature"]["messageDigest"]
        return ["sha256:" + base64.b64decode(d["digest"]).hex()]
    except Exception:
        return []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    objects = False

    def handle(self):
        # A client that exits with idle keep-alive connections resets them: not an error.
        try:
            super().handle()
        except (ConnectionResetError, BrokenPipeError):
            pass

    def log_message(self, fmt, *args):
        if os.environ.get("FAKE_GITHUB_LOG"):
            sys.stderr.write("fake-github: " + fmt % args + "\n")

    def send_json(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-GitHub-Api-Version-Selected", "2022-11-28")
        self.send_header("x-ratelimit-limit", "5000")
        self.send_header("x-ratelimit-remaining", "4999")
        self.send_header("x-ratelimit-reset", str(int(time.time()) + 3600))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, message, doc=""):
        self.send_json(status, {"message": message, "documentation_url": f"{DOCS}{doc}", "status": str(status)})

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def authorized(self):
        if not ARGS.token:
            return True
        return self.headers.get("Authorization") == f"Bearer {ARGS.token}"

    def faults(self):
        """Injected faults on API requests; True when a response was sent."""
        with LOCK:
            f = STATE["faults"]
            if f.get("fail5xx", 0) > 0:
                f["fail5xx"] -= 1
                fail = True
            else:
                fail = False
            r429 = None if fail else f.pop("rate429", None)
            reset_in = None if fail or r429 is not None else f.pop("ratelimit_reset_in", None)
        if fail:
            self.error(502, "Server Error")
            return True
        if r429 is not None:
            self.send_json(429, {"message": "You have exceeded a secondary rate limit.",
                                 "documentation_url": f"{DOCS}/overview/rate-limits-for-the-rest-api"},
                           {"Retry-After": str(r429)})
            return True
        if reset_in is not None:
            data = json.dumps({"message": "API rate limit exceeded for installation ID 1.",
                               "documentation_url": f"{DOCS}/overview/rate-limits-for-the-rest-api"}).encode()
            self.send_response(403)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-ratelimit-limit", "5000")
            self.send_header("x-ratelimit-remaining", "0")
            self.send_header("x-ratelimit-reset", str(int(time.time()) + reset_in))
            self.end_headers()
            self.wfile.write(data)
            return True
        return False

    def paginate(self, items, query, wrap=None):
        per_page = min(int(query.get("per_page", ["30"])[0]), 100, ARGS.max_per_page)
        page = int(query.get("page", ["1"])[0])
        start = (page - 1) * per_page
        chunk = items[start:start + per_page]
        links = []
        base = f"{API}{urlparse(self.path).path}"
        last = max(1, (len(items) + per_page - 1) // per_page)
        if page < last:
            links.append(f'<{base}?per_page={per_page}&page={page + 1}>; rel="next"')
            links.append(f'<{base}?per_page={per_page}&page={last}>; rel="last"')
        if page > 1:
            links.append(f'<{base}?per_page={per_page}&page=1>; rel="first"')
            links.append(f'<{base}?per_page={per_page}&page={page - 1}>; rel="prev"')
        headers = {"Link": ", ".join(links)} if links else {}
        self.send_json(200, wrap(chunk) if wrap else chunk, headers)

    # ---- objects host: asset bytes and uploads ----
    def objects_get(self):
        with LOCK:
            STATE["stats"]["objects"] += 1
            if self.headers.get("Authorization"):
                STATE["stats"]["token_on_objects"] = True
        b = re.fullmatch(r"/attestation-bundles/(\d+)", urlparse(self.path).path)
        if b:
            with LOCK:
                rows = [a for a in STATE["attestations"] if a["id"] == int(b.group(1))]
            if not rows:
                return self.error(404, "Not Found")
            data = snappy_block(json.dumps(rows[0]["bundle"]).encode())
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        m = re.fullmatch(r"/download/([^/]+)/([^/]+)/([^/]+)/([^/?]+)", urlparse(self.path).path)
        if not m:
            return self.error(404, "Not Found")
        owner, repo, tag, name = (unquote(x) for x in m.groups())
        path = os.path.join(release_dir(owner, repo, tag), name)
        if not os.path.isfile(path):
            return self.error(404, "Not Found")
        with open(path, "rb") as f:
            data = f.read()
        with LOCK:
            STATE["stats"]["downloads"] += 1
            STATE["in_flight"] += 1
            STATE["stats"]["max_concurrent_downloads"] = max(
                STATE["stats"]["max_concurrent_downloads"], STATE["in_flight"])
            f = STATE["faults"]
            truncate = f.get("truncate") == name and f.get("truncate_count", 1) > 0
            if truncate:
                f["truncate_count"] = f.get("truncate_count", 1) - 1
        try:
            delay = ARGS.download_delay_ms / 1000.0
            if delay:
                time.sleep(delay)
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if truncate:
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(data)
        finally:
            with LOCK:
                STATE["in_flight"] -= 1

    def objects_post(self):
        with LOCK:
            STATE["stats"]["objects"] += 1
        # Read the body before any early answer, or it would be parsed as the next request.
        data = self.body()
        if not self.authorized():
            return self.error(401, "Bad credentials")
        if ARGS.readonly_token:
            return self.error(403, "Resource not accessible by integration")
        u = urlparse(self.path)
        m = re.fullmatch(r"/repos/([^/]+)/([^/]+)/releases/(\d+)/assets", u.path)
        name = parse_qs(u.query).get("name", [None])[0]
        if not m or not name:
            return self.error(404, "Not Found")
        found = find_release_by_id(int(m.group(3)))
        if not found:
            return self.error(404, "Not Found")
        owner, repo, tag = found
        path = os.path.join(release_dir(owner, repo, tag), name)
        if os.path.exists(path):
            return self.send_json(422, {"message": "Validation Failed", "errors": [
                {"resource": "ReleaseAsset", "code": "already_exists", "field": "name"}],
                "documentation_url": f"{DOCS}/releases/assets#upload-a-release-asset", "status": "422"})
        with open(path, "wb") as f:
            f.write(data)
        with LOCK:
            STATE["stats"]["uploads"] += 1
        names = asset_names(owner, repo, tag)
        self.send_json(201, asset_json(owner, repo, tag, names.index(name), name))

    # ---- API host ----
    def do_GET(self):
        if self.objects:
            return self.objects_get()
        u = urlparse(self.path)
        if u.path == "/__stats":
            with LOCK:
                return self.send_json(200, STATE["stats"])
        with LOCK:
            STATE["stats"]["api"] += 1
        if not self.authorized():
            return self.error(401, "Bad credentials", "")
        if self.faults():
            return
        q = parse_qs(u.query)
        p = u.path
        m = re.fullmatch(r"/repos/([^/]+)/([^/]+)/releases/tags/(.+)", p)
        if m:
            owner, repo, tag = m.group(1), m.group(2), unquote(m.group(3))
            if tag not in list_releases(owner, repo):
                return self.error(404, "Not Found", "/releases/releases#get-a-release-by-tag-name")
            return self.send_json(200, release_json(owner, repo, tag))
        m = re.fullmatch(r"/repos/([^/]+)/([^/]+)/releases/(\d+)/assets", p)
        if m:
            found = find_release_by_id(int(m.group(3)))
            if not found:
                return self.error(404, "Not Found")
            owner, repo, tag = found
            names = asset_names(owner, repo, tag)
            return self.paginate([asset_json(owner, repo, tag, i, n) for i, n in enumerate(names)], q)
        m = re.fullmatch(r"/repos/([^/]+)/([^/]+)/releases/assets/(\d+)", p)
        if m:
            aid = int(m.group(3))
            found = find_release_by_id(aid // 1000)
            if not found:
                return self.error(404, "Not Found")
            owner, repo, tag = found
            names = asset_names(owner, repo, tag)
            idx = aid % 1000
            if idx >= len(names):
                return self.error(404, "Not Found")
            if "application/octet-stream" not in (self.headers.get("Accept") or ""):
                return self.send_json(200, asset_json(owner, repo, tag, idx, names[idx]))
            # Like GitHub: a redirect to the objects host, which must not get the token.
            loc = f"{UPLOADS}/download/{quote(owner)}/{quote(repo)}/{quote(tag)}/{quote(names[idx])}"
            self.send_response(302)
            self.send_header("Location", loc)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        m = re.fullmatch(r"/(repos/([^/]+)/([^/]+)|orgs/([^/]+)|users/([^/]+))/attestations/(sha256:[0-9a-f]{64})", p)
        if m:
            digest = m.group(6)
            with LOCK:
                rows = [a for a in STATE["attestations"] if digest in a["digests"] and (
                    (m.group(2) and a["owner"] == m.group(2) and a["repo"] == m.group(3))
                    or (m.group(4) and a["owner"] == m.group(4))
                    or (m.group(5) and a["owner"] == m.group(5)))]
            # --bundle-urls (or the fault {"bundle_urls": true}): as GitHub now answers, the
            # bundle left out and named by a signed blob-storage URL on another host,
            # snappy-compressed.
            items = [{"bundle": None, "repository_id": 123456,
                      "bundle_url": f"{UPLOADS}/attestation-bundles/{a['id']}?sig=blobsig"}
                     if ARGS.bundle_urls or STATE["faults"].get("bundle_urls") else
                     {"bundle": a["bundle"], "repository_id": 123456, "bundle_url": None}
                     for a in rows]
            if not items:
                return self.error(404, "Not Found", "/repos/attestations#list-attestations")
            return self.paginate(items, q, wrap=lambda c: {"attestations": c})
        self.error(404, "Not Found")

    def do_POST(self):
        if self.objects:
            return self.objects_post()
        u = urlparse(self.path)
        if u.path == "/__faults":
            with LOCK:
                STATE["faults"].update(json.loads(self.body() or b"{}"))
            return self.send_json(200, STATE["faults"])
        with LOCK:
            STATE["stats"]["api"] += 1
        body = self.body()
        if not self.authorized():
            return self.error(401, "Bad credentials")
        if self.faults():
            return
        m = re.fullmatch(r"/repos/([^/]+)/([^/]+)/releases", u.path)
        if m:
            return self.create_release(m.group(1), m.group(2), body)
        m = re.fullmatch(r"/repos/([^/]+)/([^/]+)/attestations", u.path)
        if m:
            if ARGS.readonly_token:
                return self.error(403, "Resource not accessible by integration",
                                  "/repos/attestations#create-an-attestation")
            try:
                bundle = json.loads(body)["bundle"]
            except Exception:
                return self.send_json(422, {"message": "Validation Failed", "status": "422"})
            if not isinstance(bundle, dict) or "mediaType" not in bundle:
                return self.send_json(422, {"message": "Validation Failed", "status": "422"})
            with LOCK:
                aid = len(STATE["attestations"]) + 1
                STATE["attestations"].append({"id": aid, "owner": m.group(1), "repo": m.group(2),
                                              "digests": statement_digests(bundle), "bundle": bundle})
                STATE["stats"]["attestation_posts"] += 1
            return self.send_json(201, {"id": aid})
        self.error(404, "Not Found")

    def create_release(self, owner, repo, body):
        """POST /repos/{owner}/{repo}/releases: 201 with the release (and a Location header);
        422 when the tag already has a release or tag_name is missing, as GitHub answers."""
        doc = "/releases/releases#create-a-release"
        if ARGS.readonly_token:
            return self.error(403, "Resource not accessible by integration", doc)
        try:
            req = json.loads(body or b"{}")
        except ValueError:
            return self.error(400, "Problems parsing JSON", doc)
        tag = req.get("tag_name") if isinstance(req, dict) else None
        if not isinstance(tag, str) or not tag or "/" in tag or tag in (".", ".."):
            return self.send_json(422, {"message": "Validation Failed", "errors": [
                {"resource": "Release", "code": "missing_field", "field": "tag_name"}],
                "documentation_url": f"{DOCS}{doc}", "status": "422"})
        with LOCK:
            if tag in list_releases(owner, repo):
                return self.send_json(422, {"message": "Validation Failed", "errors": [
                    {"resource": "Release", "code": "already_exists", "field": "tag_name"}],
                    "documentation_url": f"{DOCS}{doc}", "status": "422"})
            os.makedirs(release_dir(owner, repo, tag))
            STATE["release_meta"][(owner, repo, tag)] = {
                k: req[k] for k in ("name", "body", "target_commitish", "draft", "prerelease") if k in req}
            STATE["stats"]["releases_created"] = STATE["stats"].get("releases_created", 0) + 1
            rel = release_json(owner, repo, tag)
        self.send_json(201, rel, {"Location": rel["url"]})

    def do_DELETE(self):
        with LOCK:
            STATE["stats"]["api"] += 1
        if self.objects or not self.authorized():
            return self.error(401, "Bad credentials")
        if ARGS.readonly_token:
            return self.error(403, "Resource not accessible by integration")
        m = re.fullmatch(r"/repos/([^/]+)/([^/]+)/releases/assets/(\d+)", urlparse(self.path).path)
        if not m:
            return self.error(404, "Not Found")
        aid = int(m.group(3))
        found = find_release_by_id(aid // 1000)
        names = asset_names(*found) if found else []
        if not found or aid % 1000 >= len(names):
            return self.error(404, "Not Found")
        os.remove(os.path.join(release_dir(*found), names[aid % 1000]))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()


class ObjectsHandler(Handler):
    objects = True


def snappy_block(data):
    """Snappy's block format (what the bundle URLs serve), as literals only: the length as a
    varint, then literal elements of at most 65536 bytes (tag 61: a 2-byte length - 1)."""
    out = bytearray()
    n = len(data)
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            break
    for i in range(0, len(data), 65536):
        chunk = data[i:i + 65536]
        out.append(61 << 2)
        out += (len(chunk) - 1).to_bytes(2, "little")
        out += chunk
    return bytes(out)


def main():
    global ARGS, API, UPLOADS
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--token")
    ap.add_argument("--readonly-token", action="store_true")
    ap.add_argument("--max-per-page", type=int, default=100)
    ap.add_argument("--download-delay-ms", type=int, default=0)
    ap.add_argument("--bundle-urls", action="store_true")
    ARGS = ap.parse_args()
    api = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    up = ThreadingHTTPServer(("127.0.0.1", 0), ObjectsHandler)
    api.daemon_threads = up.daemon_threads = True
    API = f"http://127.0.0.1:{api.server_address[1]}"
    UPLOADS = f"http://127.0.0.1:{up.server_address[1]}"
    threading.Thread(target=up.serve_forever, daemon=True).start()
    print(json.dumps({"api": API, "uploads": UPLOADS}), flush=True)
    try:
        api.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
