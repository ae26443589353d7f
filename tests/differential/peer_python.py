"""A long-running sigstore-python (4.5.1) verifier for tests/differential.rs.

One JSON request per line on stdin:
  {"id": N, "bundle": "<bundle text>", "artifact": PATH, "identity": SAN, "issuer": URL,
   "root": PATH or null}
one JSON line back on stdout: {"id": N, "ok": true} or {"id": N, "ok": false, "error": "..."}.
It verifies as `python -m sigstore verify identity --offline` does (the same library calls,
DSSE subjects included), with the case's trusted root or the embedded public-good root. The
trusted roots are loaded once per path. Nothing here touches the network.
"""

import hashlib
import json
import sys

from sigstore import dsse
from sigstore.hashes import Hashed
from sigstore.models import Bundle, ClientTrustConfig, TrustedRoot
from sigstore.verify import Verifier, policy
from sigstore_models.common.v1 import HashAlgorithm

_verifiers = {}


def verifier(root):
    v = _verifiers.get(root)
    if v is None:
        if root:
            trusted = TrustedRoot.from_file(root)
        else:
            trusted = ClientTrustConfig.production(offline=True).trusted_root
        v = Verifier(trusted_root=trusted)
        _verifiers[root] = v
    return v


def verify(req):
    v = verifier(req.get("root"))
    with open(req["artifact"], "rb") as f:
        digest = hashlib.sha256(f.read()).digest()
    hashed = Hashed(algorithm=HashAlgorithm.SHA2_256, digest=digest)
    bundle = Bundle.from_json(req["bundle"])
    pol = policy.Identity(identity=req["identity"], issuer=req["issuer"])
    # As sigstore._cli._verify_common: DSSE bundles must name the artifact as a subject.
    if bundle._dsse_envelope:
        type_, payload = v.verify_dsse(bundle=bundle, policy=pol)
        if type_ != dsse.Envelope._TYPE:
            raise ValueError(f"expected JSON payload for DSSE, got {type_}")
        if not dsse.Statement(payload)._matches_digest(hashed):
            raise ValueError("in-toto statement has no subject for the artifact's digest")
    else:
        v.verify_artifact(input_=hashed, bundle=bundle, policy=pol)


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            verify(req)
            out = {"id": req["id"], "ok": True}
        except Exception as e:  # every failure is a rejection, reported with its type
            out = {"id": req["id"], "ok": False, "error": f"{type(e).__name__}: {e}"[:300]}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
