"""The independent PEP 740 peer: pypi-attestations (PyPI's own library), offline.

    python peer.py verify TRUST_CONFIG IDENTITY ISSUER DIST ATTESTATION
        Parses ATTESTATION with pypi-attestations' model (Attestation.model_validate_json),
        converts it to a Sigstore bundle (Attestation.to_bundle) and runs
        Attestation.verify(policy, Distribution.from_file(DIST), offline=True): signature,
        certificate, log entry, exactly one subject, subject name vs the distribution's file
        name, subject sha256 vs the file, predicate type known to PyPI. Prints the predicate
        type. Attestation.verify only builds the production or staging verifier, so the
        production one is replaced by one over the loopback trusted root.
    python peer.py sign-statement TRUST_CONFIG TOKEN OUT PREDICATE_TYPE NAME=SHA256...
        Signs an arbitrary statement (one subject per NAME=SHA256, hostile names included)
        with sigstore-python and converts it with Attestation.from_bundle: a validly signed
        attestation whose subject a verifier must still refuse.
    python peer.py sign TRUST_CONFIG TOKEN DIST OUT
        Signs DIST as pypi-attestations does (Attestation.sign) against the loopback Sigstore
        and writes the Attestation object to OUT.
"""

import sys
from pathlib import Path

from pypi_attestations import Attestation, Distribution
from sigstore.dsse import DigestSet, StatementBuilder, Subject
from sigstore.models import ClientTrustConfig
from sigstore.oidc import IdentityToken
from sigstore.sign import SigningContext
from sigstore.verify import Verifier, policy


def main() -> int:
    cmd, trust_config = sys.argv[1], ClientTrustConfig.from_json(Path(sys.argv[2]).read_text())
    if cmd == "verify":
        identity, issuer, dist, att = sys.argv[3:7]
        attestation = Attestation.model_validate_json(Path(att).read_bytes())
        attestation.to_bundle()
        verifier = Verifier(trusted_root=trust_config.trusted_root)
        Verifier.production = classmethod(lambda cls, offline=False: verifier)
        predicate_type, _ = attestation.verify(
            policy.Identity(identity=identity, issuer=issuer),
            Distribution.from_file(Path(dist)),
            offline=True,
        )
        print(predicate_type)
        return 0
    if cmd == "sign":
        token, dist, out = sys.argv[3:6]
        ctx = SigningContext.from_trust_config(trust_config)
        with ctx.signer(IdentityToken(token), cache=True) as signer:
            attestation = Attestation.sign(signer, Distribution.from_file(Path(dist)))
        Path(out).write_text(attestation.model_dump_json())
        return 0
    if cmd == "sign-statement":
        token, out, predicate_type, *subjects = sys.argv[3:]
        statement = (
            StatementBuilder()
            .subjects(
                [
                    Subject(name=n, digest=DigestSet(root={"sha256": d}))
                    for n, d in (s.rsplit("=", 1) for s in subjects)
                ]
            )
            .predicate_type(predicate_type)
            .build()
        )
        ctx = SigningContext.from_trust_config(trust_config)
        with ctx.signer(IdentityToken(token), cache=True) as signer:
            bundle = signer.sign_dsse(statement)
        Path(out).write_text(Attestation.from_bundle(bundle).model_dump_json())
        return 0
    print(f"unknown command {cmd}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
