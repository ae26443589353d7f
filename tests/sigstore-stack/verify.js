// An independent verifier: @sigstore/verify (sigstore-js) against a custom trusted root.
// usage: node verify.js TRUSTED_ROOT BUNDLE IDENTITY ISSUER [ARTIFACT]
// ARTIFACT is the signed file for message-signature bundles; DSSE bundles carry their payload.
// Exit 0 when the bundle verifies for the identity and issuer.
'use strict';
const fs = require('fs');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');

const [rootPath, bundlePath, identity, issuer, artifactPath] = process.argv.slice(2);
try {
  const trust = toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(rootPath, 'utf8'))));
  const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
  const artifact = artifactPath ? fs.readFileSync(artifactPath) : undefined;
  const entity = toSignedEntity(bundle, artifact);
  new Verifier(trust).verify(entity, { subjectAlternativeName: identity, extensions: { issuer } });
  console.log(`OK: ${bundlePath}`);
} catch (e) {
  console.error(`FAIL: ${bundlePath}: ${e.message}`);
  process.exit(1);
}
