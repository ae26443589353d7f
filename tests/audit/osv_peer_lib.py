"""OSV evaluation with `packaging` (shared by osv_peer.py and osv_api.py)."""
from packaging.version import InvalidVersion, Version


def parse(v):
    try:
        return Version(v)
    except InvalidVersion:
        return None


def in_range(v, events):
    limits = [e["limit"] for e in events if "limit" in e]
    if limits and not any(l == "*" or (parse(l) is not None and v < parse(l)) for l in limits):
        return False
    evs = []
    for e in events:
        for kind in ("introduced", "fixed", "last_affected"):
            if kind in e:
                if kind == "introduced" and e[kind] == "0":
                    evs.append((None, kind))
                elif parse(e[kind]) is not None:
                    evs.append((parse(e[kind]), kind))
    evs.sort(key=lambda x: (x[0] is not None, x[0] or Version("0")))
    affected = False
    for ev, kind in evs:
        if kind == "introduced" and (ev is None or v >= ev):
            affected = True
        elif kind == "fixed" and v >= ev:
            affected = False
        elif kind == "last_affected" and v > ev:
            affected = False
    return affected


def affects(rec, v, raw):
    if rec.get("withdrawn"):
        return False
    for a in rec.get("affected", []):
        if a.get("package", {}).get("ecosystem") != "PyPI":
            continue
        if raw in a.get("versions", []) or any(
            parse(x) is not None and parse(x) == v for x in a.get("versions", [])
        ):
            return True
        for r in a.get("ranges", []):
            if r["type"] in ("ECOSYSTEM", "SEMVER") and in_range(v, r["events"]):
                return True
    return False
