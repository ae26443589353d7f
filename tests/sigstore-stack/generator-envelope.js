#!/usr/bin/env node
// Writes a `.intoto.jsonl` the way slsa-github-generator (up to v2.0) does, against the
// loopback Sigstore of server.js (never a public service):
// - a fresh P-256 key, its Fulcio certificate for the stack's Actions token;
// - a SLSA v0.2 provenance statement over the artifacts, filled from the token's claims as
//   the generator fills it from the workflow's context;
// - the statement signed as DSSE (PAE, ECDSA P-256 SHA-256), the certificate's PEM added to
//   the signature (signing/envelope.AddCertToEnvelope), marshalled compactly;
// - those very bytes uploaded to Rekor v1 as an intoto entry (cosign's
//   TLogUploadInTotoAttestation: v0.0.1; `--intoto 0.0.2` for the later kind version);
// - the bytes written to the output file, one line.
//
// Usage: node generator-envelope.js --stack DIR --out FILE [--intoto 0.0.1|0.0.2]
//          [--tamper payload|signature|certificate] ARTIFACT...
// --tamper changes the envelope after signing, before it is uploaded and written: another
// statement (same subjects) in the payload, the signature over another statement, or another key's
// certificate (for the server's `unchecked` hook: a log that does not check what it logs).
// Prints one JSON line: {"out", "envelopeSha256", "uuid", "logIndex"}.

'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const b64 = (buf) => Buffer.from(buf).toString('base64');
const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');

async function post(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${text}`);
  return JSON.parse(text);
}

async function main() {
  const stack = JSON.parse(fs.readFileSync(path.join(arg('stack'), 'stack.json'), 'utf8'));
  const out = arg('out');
  const intoto = arg('intoto', '0.0.1');
  const tamper = arg('tamper', '');
  const valued = new Set(['--stack', '--out', '--intoto', '--tamper']);
  const artifacts = process.argv.slice(2).filter((a, i, all) => !valued.has(a) && !valued.has(all[i - 1]));
  const claims = JSON.parse(Buffer.from(stack.token.split('.')[1], 'base64url').toString('utf8'));

  const fulcio = async (key) => {
    const cert = await post(`${stack.url}/api/v2/signingCert`, {
      credentials: { oidcIdentityToken: stack.token },
      publicKeyRequest: {
        publicKey: { algorithm: 'ECDSA', content: key.publicKey.export({ format: 'pem', type: 'spki' }) },
        proofOfPossession: b64(crypto.sign('sha256', Buffer.from(claims.sub), key.privateKey)),
      },
    });
    return cert.signedCertificateEmbeddedSct.chain.certificates[0];
  };
  const newKey = () => crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key = newKey();
  const certPem = await fulcio(tamper === 'certificate' ? newKey() : key);

  const source = `git+https://github.com/${claims.repository}@${claims.ref}`;
  const statement = {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://slsa.dev/provenance/v0.2',
    subject: artifacts.map((a) => ({ name: path.basename(a), digest: { sha256: sha256(fs.readFileSync(a)) } })),
    predicate: {
      builder: { id: `https://github.com/${claims.job_workflow_ref}` },
      buildType: 'https://github.com/slsa-framework/slsa-github-generator/generic@v1',
      invocation: {
        configSource: {
          uri: source,
          digest: { sha1: claims.sha },
          entryPoint: claims.workflow_ref.split('@')[0].split('/').slice(2).join('/'),
        },
        parameters: {},
        environment: {
          github_event_name: claims.event_name,
          github_run_id: claims.run_id,
          github_run_attempt: claims.run_attempt,
          github_sha1: claims.sha,
          github_ref: claims.ref,
          github_repository_id: claims.repository_id,
        },
      },
      metadata: { buildInvocationID: `${claims.run_id}-${claims.run_attempt}`, completeness: { parameters: true, environment: false, materials: false }, reproducible: false },
      materials: [{ uri: source, digest: { sha1: claims.sha } }],
    },
  };

  const payloadType = 'application/vnd.in-toto+json';
  const pae = (body) => Buffer.concat([Buffer.from(`DSSEv1 ${payloadType.length} ${payloadType} ${body.length} `), body]);
  const signed = Buffer.from(JSON.stringify(statement));
  // Another statement, the same subjects: only the signature can tell.
  const other = () => {
    const s = JSON.parse(signed.toString('utf8'));
    s.predicate.invocation.parameters.injected = 'by whoever changed the file';
    return Buffer.from(JSON.stringify(s));
  };
  const sig = b64(crypto.sign('sha256', pae(tamper === 'signature' ? other() : signed), key.privateKey));
  const payload = tamper === 'payload' ? other() : signed;
  // Go's json.Marshal of envelope.Envelope: this key order, no spaces.
  const text = JSON.stringify({ payloadType, payload: b64(payload), signatures: [{ keyid: '', sig, cert: certPem }] });

  const proposed =
    intoto === '0.0.1'
      ? { apiVersion: '0.0.1', kind: 'intoto', spec: { content: { envelope: text }, publicKey: b64(certPem) } }
      : {
          apiVersion: '0.0.2',
          kind: 'intoto',
          spec: {
            content: {
              envelope: {
                payload: b64(b64(payload)),
                payloadType,
                signatures: [{ keyid: '', sig: b64(sig), publicKey: b64(certPem) }],
              },
              hash: { algorithm: 'sha256', value: sha256(Buffer.from(text)) },
              payloadHash: { algorithm: 'sha256', value: sha256(payload) },
            },
          },
        };
  const logged = await post(`${stack.url}/api/v1/log/entries`, proposed);
  const [uuid] = Object.keys(logged);
  fs.writeFileSync(out, text + '\n');
  process.stdout.write(
    JSON.stringify({ out, envelopeSha256: sha256(Buffer.from(text)), uuid, logIndex: logged[uuid].logIndex }) + '\n'
  );
}

main().catch((e) => {
  process.stderr.write(`generator-envelope: ${e.stack || e}\n`);
  process.exit(1);
});
