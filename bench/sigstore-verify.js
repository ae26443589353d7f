// One offline verification with @sigstore/verify (npm), for bench/verify.sh.
// usage: node sigstore-verify.js TRUSTED_ROOT BUNDLE ARTIFACT IDENTITY ISSUER
'use strict';
const fs = require('fs');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');

const [rootPath, bundlePath, artifactPath, identity, issuer] = process.argv.slice(2);
const trust = toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(rootPath, 'utf8'))));
const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
const entity = toSignedEntity(bundle, fs.readFileSync(artifactPath));
new Verifier(trust).verify(entity, { subjectAlternativeName: identity, extensions: { issuer } });
