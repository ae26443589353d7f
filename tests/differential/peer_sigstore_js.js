// A long-running @sigstore/verify verifier for tests/differential.rs (the same library calls as
// tests/sigstore-stack/verify.js, loaded once).
// One JSON request per line on stdin:
//   {"id": N, "bundle": "<bundle text>", "artifact": PATH, "identity": SAN, "issuer": URL,
//    "root": PATH}
// one JSON line back: {"id": N, "ok": true} or {"id": N, "ok": false, "error": "..."}.
// usage: node peer_sigstore_js.js NODE_MODULES_DIR
'use strict';
const fs = require('fs');
const path = require('path');
const readline = require('readline');

const modules = path.resolve(process.argv[2]);
const load = (name) => require(path.join(modules, name));
const { Verifier, toSignedEntity, toTrustMaterial } = load('@sigstore/verify');
const { bundleFromJSON } = load('@sigstore/bundle');
const { TrustedRoot } = load('@sigstore/protobuf-specs');

const verifiers = new Map();
function verifier(rootPath) {
  let v = verifiers.get(rootPath);
  if (!v) {
    const root = TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(rootPath, 'utf8')));
    v = new Verifier(toTrustMaterial(root));
    verifiers.set(rootPath, v);
  }
  return v;
}

const artifacts = new Map();
function artifact(p) {
  let a = artifacts.get(p);
  if (!a) {
    a = fs.readFileSync(p);
    artifacts.set(p, a);
  }
  return a;
}

const rl = readline.createInterface({ input: process.stdin, terminal: false });
rl.on('line', (line) => {
  if (!line.trim()) return;
  const req = JSON.parse(line);
  let out;
  try {
    const bundle = bundleFromJSON(JSON.parse(req.bundle));
    const entity = toSignedEntity(bundle, artifact(req.artifact));
    verifier(req.root).verify(entity, {
      subjectAlternativeName: req.identity,
      extensions: { issuer: req.issuer },
    });
    out = { id: req.id, ok: true };
  } catch (e) {
    out = { id: req.id, ok: false, error: `${e && e.name}: ${e && e.message}`.slice(0, 300) };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
});
