"""A local fake of the OSV query API (POST /v1/query) on 127.0.0.1, serving the vendored
records, so pip-audit (`--osv-url`) can audit offline against the same data as attest-kit.
Which records affect a version is decided by osv_peer.py's `packaging`-based evaluation.
Prints the port, then serves until killed."""
import json
import pathlib
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from osv_peer_lib import affects, parse  # noqa: E402

RECORDS = [json.loads(p.read_text()) for p in sorted(pathlib.Path(sys.argv[1]).glob("*.json"))]


def norm(name):
    import re
    return re.sub(r"[-_.]+", "-", name).lower()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        name = norm(body["package"]["name"])
        raw = body["version"]
        v = parse(raw)
        vulns = [
            r for r in RECORDS
            if v is not None
            and any(norm(a.get("package", {}).get("name", "")) == name for a in r.get("affected", []))
            and affects(r, v, raw)
        ]
        out = json.dumps({"vulns": vulns} if vulns else {}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
