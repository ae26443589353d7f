"""The peer for attest-kit's PEP 440 logic: `packaging` (the PyPA reference implementation)
orders the versions and evaluates the OSV ranges of the PyPI records, following the OSV
schema's "Evaluation" pseudocode independently of attest-kit's code.

stdin:  {"versions": [...], "records": [<OSV record>, ...]}
stdout: {"order": [[i, j, -1|0|1], ...], "affected": {"<version>": ["<id>", ...]}}
"""
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from osv_peer_lib import affects, parse  # noqa: E402


def main():
    data = json.load(sys.stdin)
    versions = data["versions"]
    parsed = [parse(v) for v in versions]
    order = []
    for i, a in enumerate(parsed):
        for j, b in enumerate(parsed):
            if a is not None and b is not None:
                order.append([i, j, (a > b) - (a < b)])
    affected = {}
    for raw, v in zip(versions, parsed):
        if v is None:
            continue
        affected[raw] = sorted(r["id"] for r in data["records"] if affects(r, v, raw))
    json.dump({"order": order, "affected": affected, "invalid": [v for v, p in zip(versions, parsed) if p is None]}, sys.stdout)


main()
