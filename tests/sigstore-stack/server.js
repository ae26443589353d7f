#!/usr/bin/env node
// A loopback Sigstore for attest-kit's tests: Fulcio, Rekor v1, an RFC 3161 TSA and a GitHub
// Actions-style OIDC token endpoint, on one 127.0.0.1 port. Never a public service.
//
// The request handlers and key material come from @sigstore/mock; this file puts them behind
// a real HTTP server and makes them behave like the real services where the mock does not:
// - Fulcio takes the token from the body or an `Authorization: Bearer` header, verifies it
//   (our own OIDC key, audience `sigstore`, expiry), accepts a CSR as base64 of its PEM, and
//   issues the certificate for GitHub's SAN (https://github.com/<job_workflow_ref>).
// - Rekor v1 stores entries in Rekor's canonical form: hashedrekord keeps only the canonical
//   fields with the certificate re-encoded as Go's PEM (64-column lines, LF); dsse entries
//   become {envelopeHash, payloadHash, signatures[{signature, verifier}]}; intoto v0.0.1 and
//   v0.0.2 entries (slsa-github-generator's) keep what Rekor keeps of each, after checking the
//   DSSE signature.
// - The TSA parses binary RFC 3161 requests, echoes the nonce, and emits whole-second times.
//
// Usage: node server.js --dir DIR [--port N]
// Writes DIR/trusted_root.json, DIR/signing_config.json, DIR/trust_config.json (for
// sigstore-python's --trust-config) and DIR/stack.json, then prints one JSON line:
// {"url": "...", "tokenUrl": "...", "requestToken": "..."}.
//
// Rekor v1 also answers searches as the real one does: POST /api/v1/index/retrieve
// ({"hash": "sha256:<hex>"} → 80-hex entry ids: tree id + leaf hash; hashedrekord entries by
// their digest, intoto entries by envelope hash, payload hash and statement subjects) and
// GET /api/v1/log/entries/<64- or 80-hex id> (→ {"<id>": entry}), for verifiers that find the
// log entry of a detached .sig/.crt pair.
// With --exit-with-stdin the server exits when its standard input closes (its parent died).
//
// Test hooks (POST /__control, JSON body), each consumed by the next matching requests:
//   {"fail": {"fulcio": [503], "rekor": [500], "tsa": [429]}}  answer with these statuses
//                                     ("rekor-search" for the two search endpoints)
//   {"badProof": {"rekor": 1}}                                 corrupt the inclusion proof
//   {"hang": {"rekor": 1}}                                     never answer (timeouts)
//   {"tamperEntry": {"rekor-search": 1}}   serve a fetched entry with its integratedTime moved
//                                          (its signed entry timestamp no longer matches)
//   {"unchecked": {"rekor": 1}}            log the next intoto entry without checking its DSSE
//                                          signature (a careless log: the verifier must catch it)
//   {"index": {"sha256:<hex>": ["<id>"]}}  also answer searches for this key with these entry
//                                          ids (the index is not authenticated; kept until reset)
//   {"claims": {"repository": "o/r", "ref": "refs/tags/v1", ...}}  the Actions token's claims
//                                  for the run being faked (kept until changed; default: attest-kit/demo)
// The same JSON can be given at start with --control JSON.
// GET /__stats returns how many requests each service received.

'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');

const asn1js = require('asn1js');
const pkijs = require('pkijs');
const jose = require('jose');
const canonicalize = require('canonicalize');
const mock = require('@sigstore/mock');

const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
const VALID_FROM = '2020-01-01T00:00:00Z';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const b64 = (buf) => Buffer.from(buf).toString('base64');
const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest();
const spki = (key) => key.export({ format: 'der', type: 'spki' });

// Go's pem.EncodeToMemory: 64-column base64 lines, LF endings.
function goPem(der, type = 'CERTIFICATE') {
  const lines = b64(der).match(/.{1,64}/g) || [];
  return `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`;
}
function pemToDer(pem) {
  return Buffer.from(
    pem.replace(/-----(BEGIN|END) [^-]+-----/g, '').replace(/\s+/g, ''),
    'base64'
  );
}
const canonicalPemB64 = (pemB64) =>
  b64(goPem(pemToDer(Buffer.from(pemB64, 'base64').toString('utf8'))));

async function main() {
  const dir = arg('dir');
  if (!dir) throw new Error('--dir is required');
  fs.mkdirSync(dir, { recursive: true });
  const requestToken = crypto.randomBytes(16).toString('hex');

  const caKey = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ctKey = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const tlogKey = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const tlogV2Key = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const tsaKey = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const oidcKey = await jose.generateKeyPair('ES256');

  const server = http.createServer();
  await new Promise((resolve) => server.listen(Number(arg('port', '0')), '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;

  const ctlog = await mock.initializeCTLog(ctKey);
  const ca = await mock.initializeCA(caKey, ctlog);
  const fulcio = mock.fulcioHandler(ca, { subjectClaim: 'sub' });
  const tlog = await mock.initializeTLog(url, tlogKey);
  const rekor = mock.rekorHandler(tlog);
  const tsa = await mock.initializeTSA(tsaKey);
  // Whole seconds, like real TSAs (and what strict DER GeneralizedTime parsers expect).
  tsa.getCurrentTime = () => new Date(Math.floor(Date.now() / 1000) * 1000);
  // Echo the request's nonce exactly, whatever its size.
  const baseTstInfo = Object.getPrototypeOf(tsa).tstInfo;
  tsa.tstInfo = function (req) {
    const info = baseTstInfo.call(this, { ...req, nonce: 0 });
    if (req.nonceInteger) info.nonce = req.nonceInteger;
    else delete info.nonce;
    return info;
  };

  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [transparencyLog(url, tlogKey.publicKey), transparencyLog(`${url}/v2log`, tlogV2Key.publicKey)],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
        uri: url,
        certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] },
        validFor: { start: VALID_FROM },
      },
    ],
    ctlogs: [transparencyLog(url, ctKey.publicKey)],
    timestampAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'tsa' },
        uri: `${url}/api/v1/timestamp`,
        certChain: {
          certificates: [{ rawBytes: b64(tsa.intCertificate) }, { rawBytes: b64(tsa.rootCertificate) }],
        },
        validFor: { start: VALID_FROM },
      },
    ],
  };
  const service = (u) => ({
    url: u,
    majorApiVersion: 1,
    validFor: { start: VALID_FROM },
    operator: 'loopback.test',
  });
  const signingConfig = {
    mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
    caUrls: [service(url)],
    oidcUrls: [service(url)],
    rekorTlogUrls: [service(url)],
    tsaUrls: [service(`${url}/api/v1/timestamp`)],
    rekorTlogConfig: { selector: 'ANY' },
    tsaConfig: { selector: 'ANY' },
  };
  const write = (name, value) =>
    fs.writeFileSync(path.join(dir, name), JSON.stringify(value, null, 2) + '\n');
  write('trusted_root.json', trustedRoot);
  write('signing_config.json', signingConfig);
  // The same services with the Rekor v2 log (served under /v2log, its own base URL).
  write('signing_config_v2.json', {
    ...signingConfig,
    rekorTlogUrls: [{ ...service(`${url}/v2log`), majorApiVersion: 2 }],
  });
  write('trust_config.json', {
    mediaType: 'application/vnd.dev.sigstore.clienttrustconfig.v0.1+json',
    trustedRoot,
    signingConfig,
  });

  const state = { fail: {}, badProof: {}, hang: {}, tamperEntry: {}, unchecked: {}, index: {}, stats: {}, claims: {} };
  if (arg('control')) await control(Buffer.from(arg('control')));
  const take = (table, svc) => {
    const q = table[svc];
    if (Array.isArray(q) && q.length) return q.shift();
    if (typeof q === 'number' && q > 0) {
      table[svc] = q - 1;
      return true;
    }
    return undefined;
  };

  async function mintToken(audience, extra = {}) {
    const now = Math.floor(Date.now() / 1000);
    const repo = 'attest-kit/demo';
    const ref = 'refs/heads/main';
    const sha = '0123456789abcdef0123456789abcdef01234567';
    const workflowRef = `${repo}/.github/workflows/release.yml@${ref}`;
    return new jose.SignJWT({
      sub: `repo:${repo}:ref:${ref}`,
      repository: repo,
      repository_owner: 'attest-kit',
      repository_id: '123456',
      repository_owner_id: '654321',
      repository_visibility: 'public',
      ref,
      sha,
      workflow: 'release',
      workflow_ref: workflowRef,
      workflow_sha: sha,
      job_workflow_ref: workflowRef,
      job_workflow_sha: sha,
      event_name: 'push',
      run_id: '42',
      run_attempt: '1',
      runner_environment: 'github-hosted',
      ...state.claims,
      ...extra,
    })
      .setProtectedHeader({ alg: 'ES256', kid: 'loopback' })
      .setIssuer(GITHUB_ISSUER)
      .setAudience(audience)
      .setIssuedAt(now)
      .setNotBefore(now - 5)
      .setExpirationTime(now + 600)
      .sign(oidcKey.privateKey);
  }

  async function handleFulcio(req, body) {
    const json = JSON.parse(body.toString('utf8'));
    let token = json.credentials && json.credentials.oidcIdentityToken;
    const auth = req.headers.authorization || '';
    if (!token && /^bearer /i.test(auth)) token = auth.slice(7).trim();
    if (!token) return reply(401, 'no OIDC token (body credentials or Authorization: Bearer)');
    let claims;
    try {
      ({ payload: claims } = await jose.jwtVerify(token, oidcKey.publicKey, {
        issuer: GITHUB_ISSUER,
        audience: 'sigstore',
      }));
    } catch (e) {
      return reply(401, `invalid OIDC token: ${e.message}`);
    }
    // Real Fulcio uses the job workflow's URL as a GitHub token's SAN.
    const san = `https://github.com/${claims.job_workflow_ref}`;
    const forMock = await new jose.SignJWT({ ...claims, sub: san })
      .setProtectedHeader({ alg: 'ES256' })
      .sign(oidcKey.privateKey);
    const request = { credentials: { oidcIdentityToken: forMock } };
    if (json.publicKeyRequest) request.publicKeyRequest = json.publicKeyRequest;
    if (json.certificateSigningRequest) {
      const csr = json.certificateSigningRequest;
      request.certificateSigningRequest = csr.includes('-----BEGIN')
        ? csr
        : Buffer.from(csr, 'base64').toString('utf8');
    }
    return fulcio.fn(JSON.stringify(request));
  }

  function canonicalRekorEntry(proposed) {
    if (proposed.kind === 'hashedrekord') {
      const s = proposed.spec;
      return {
        apiVersion: proposed.apiVersion,
        kind: 'hashedrekord',
        spec: {
          data: { hash: { algorithm: s.data.hash.algorithm, value: s.data.hash.value } },
          signature: {
            content: s.signature.content,
            publicKey: { content: canonicalPemB64(s.signature.publicKey.content) },
          },
        },
      };
    }
    if (proposed.kind === 'dsse') {
      const content = proposed.spec.proposedContent;
      const envelope = JSON.parse(content.envelope);
      const verifiers = content.verifiers.map(canonicalPemB64);
      return {
        apiVersion: proposed.apiVersion,
        kind: 'dsse',
        spec: {
          envelopeHash: { algorithm: 'sha256', value: sha256(Buffer.from(content.envelope)).toString('hex') },
          payloadHash: {
            algorithm: 'sha256',
            value: sha256(Buffer.from(envelope.payload, 'base64')).toString('hex'),
          },
          signatures: envelope.signatures.map((sig) => ({ signature: sig.sig, verifier: verifiers[0] })),
        },
      };
    }
    if (proposed.kind === 'intoto' && proposed.apiVersion === '0.0.1') return canonicalIntotoV001(proposed.spec);
    if (proposed.kind === 'intoto' && proposed.apiVersion === '0.0.2') return canonicalIntotoV002(proposed.spec);
    throw new Error(`unsupported entry kind ${proposed.kind} ${proposed.apiVersion}`);
  }

  // intoto v0.0.1 (what cosign's TLogUploadInTotoAttestation, and so slsa-github-generator,
  // uploads): the envelope as a string and the certificate; Rekor checks the DSSE signature
  // and logs only the envelope's hash, the payload's hash and the certificate.
  function canonicalIntotoV001(spec) {
    const text = spec.content.envelope;
    const envelope = JSON.parse(text);
    const pem = Buffer.from(spec.publicKey, 'base64').toString('utf8');
    if (!take(state.unchecked, 'rekor')) {
      for (const sig of envelope.signatures) verifyDsse(envelope.payloadType, envelope.payload, sig.sig, pem);
    }
    return {
      apiVersion: '0.0.1',
      kind: 'intoto',
      spec: {
        content: {
          hash: { algorithm: 'sha256', value: sha256(Buffer.from(text)).toString('hex') },
          payloadHash: { algorithm: 'sha256', value: sha256(Buffer.from(envelope.payload, 'base64')).toString('hex') },
        },
        publicKey: canonicalPemB64(spec.publicKey),
      },
    };
  }

  // intoto v0.0.2: the envelope with payload and signatures base64-encoded once more, each
  // signature with its verifier, and the client's hashes; the payload is not logged.
  function canonicalIntotoV002(spec) {
    const c = spec.content;
    const e = c.envelope;
    const payloadB64 = Buffer.from(e.payload, 'base64').toString('utf8');
    const payloadHash = sha256(Buffer.from(payloadB64, 'base64')).toString('hex');
    if (c.payloadHash.value !== payloadHash) throw new Error('payloadHash does not match the payload');
    const checked = !take(state.unchecked, 'rekor');
    for (const sig of checked ? e.signatures : []) {
      const pem = Buffer.from(sig.publicKey, 'base64').toString('utf8');
      verifyDsse(e.payloadType, payloadB64, Buffer.from(sig.sig, 'base64').toString('utf8'), pem);
    }
    return {
      apiVersion: '0.0.2',
      kind: 'intoto',
      spec: {
        content: {
          envelope: {
            payloadType: e.payloadType,
            signatures: e.signatures.map((s) => ({
              ...(s.keyid ? { keyid: s.keyid } : {}),
              sig: s.sig,
              publicKey: canonicalPemB64(s.publicKey),
            })),
          },
          hash: { algorithm: c.hash.algorithm, value: c.hash.value },
          payloadHash: { algorithm: 'sha256', value: payloadHash },
        },
      },
    };
  }

  // DSSE v1 PAE signature check, as Rekor does before logging an intoto entry.
  function verifyDsse(payloadType, payloadB64, sigB64, certPem) {
    const body = Buffer.from(payloadB64, 'base64');
    const pae = Buffer.concat([
      Buffer.from(`DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${body.length} `),
      body,
    ]);
    const key = new crypto.X509Certificate(certPem).publicKey;
    if (!crypto.verify('sha256', pae, key, Buffer.from(sigB64, 'base64'))) {
      throw new Error('intoto: the DSSE signature does not verify with the certificate');
    }
  }

  // Rekor's index keys for an intoto entry: the envelope hash, the payload hash and the
  // statement's subject digests (both versions).
  function intotoIndexKeys(entry, proposed) {
    const c = entry.spec.content;
    const keys = [`${c.hash.algorithm}:${c.hash.value}`, `${c.payloadHash.algorithm}:${c.payloadHash.value}`];
    try {
      const e = proposed.apiVersion === '0.0.1' ? JSON.parse(proposed.spec.content.envelope) : proposed.spec.content.envelope;
      const payloadB64 = proposed.apiVersion === '0.0.1' ? e.payload : Buffer.from(e.payload, 'base64').toString('utf8');
      const statement = JSON.parse(Buffer.from(payloadB64, 'base64').toString('utf8'));
      for (const s of statement.subject || []) {
        for (const [alg, hex] of Object.entries(s.digest || {})) keys.push(`${alg}:${hex}`);
      }
    } catch (_) {
      // not an in-toto statement: only the hashes
    }
    return keys.map((k) => k.toLowerCase());
  }

  // Stored v1 entries by leaf hash (Rekor's entry UUID), and the search index by hash.
  const rekorTreeId = crypto.randomBytes(8).toString('hex');
  const rekorEntries = new Map();
  const rekorIndex = new Map();
  async function handleRekor(body) {
    const proposed = JSON.parse(body.toString('utf8'));
    const entry = canonicalRekorEntry(proposed);
    const res = await rekor.fn(canonicalize(entry));
    if (res.statusCode !== 201) return res;
    const doc = JSON.parse(res.response);
    const out = {};
    for (const e of Object.values(doc)) {
      if (take(state.badProof, 'rekor')) {
        e.verification.inclusionProof.rootHash = sha256(Buffer.from('not the root')).toString('hex');
      }
      const uuid = sha256(Buffer.concat([Buffer.from([0]), Buffer.from(e.body, 'base64')])).toString('hex');
      rekorEntries.set(uuid, e);
      const keys =
        entry.kind === 'hashedrekord'
          ? [`${entry.spec.data.hash.algorithm}:${entry.spec.data.hash.value}`.toLowerCase()]
          : entry.kind === 'intoto'
            ? intotoIndexKeys(entry, proposed)
            : [];
      for (const key of new Set(keys)) rekorIndex.set(key, [...(rekorIndex.get(key) || []), rekorTreeId + uuid]);
      out[rekorTreeId + uuid] = e;
    }
    return { ...res, response: JSON.stringify(out) };
  }

  // Rekor's SearchIndex: by hash only (the public-key and email searches are not served).
  async function handleRekorSearch(body) {
    const q = JSON.parse(body.toString('utf8') || '{}');
    if (typeof q.hash !== 'string') return rekorError(422, 'only a hash search is supported');
    const m = /^(?:(sha256|sha512|sha1):)?([0-9a-fA-F]+)$/.exec(q.hash);
    if (!m) return rekorError(422, `invalid hash ${q.hash}`);
    const key = `${m[1] || 'sha256'}:${m[2]}`.toLowerCase();
    return json(200, [...(rekorIndex.get(key) || []), ...(state.index[key] || [])]);
  }
  async function handleRekorGet(id) {
    const uuid = id.length === 80 ? id.slice(16) : id;
    const e = /^[0-9a-f]{64}$/.test(uuid) ? rekorEntries.get(uuid) : undefined;
    if (!e) return rekorError(404, `no entry ${id}`);
    const served = take(state.tamperEntry, 'rekor-search') ? { ...e, integratedTime: e.integratedTime + 1 } : e;
    return json(200, { [rekorTreeId + uuid]: served });
  }
  const rekorError = (code, message) => json(code, { code, message });

  // Rekor v2: an append-only RFC 6962 Merkle tree, C2SP signed checkpoints, hashedrekord
  // v0.0.2 entries in canonical form, no integrated time (the TSA gives the signing time).
  const v2Leaves = [];
  // The checkpoint's origin names the log: a part of its base URL, as with the real logs.
  const v2Origin = `${new URL(url).host}/v2log`;
  const v2LogId = sha256(spki(tlogV2Key.publicKey));
  async function handleRekorV2(body) {
    const req = JSON.parse(body.toString('utf8'));
    const r = req.hashedRekordRequestV002;
    if (!r) return reply(400, 'only hashedRekordRequestV002 is supported');
    const entry = {
      apiVersion: '0.0.2',
      kind: 'hashedrekord',
      spec: {
        hashedRekordV002: {
          data: { algorithm: 'SHA2_256', digest: r.digest },
          signature: { content: r.signature.content, verifier: r.signature.verifier },
        },
      },
    };
    const canonical = Buffer.from(canonicalize(entry));
    const index = v2Leaves.length;
    v2Leaves.push(leafHash(canonical));
    const size = v2Leaves.length;
    let root = treeHash(v2Leaves, 0, size);
    const proof = inclusionPath(index, 0, size);
    if (take(state.badProof, 'rekor')) root = sha256(Buffer.from('not the root'));
    const note = [v2Origin, `${size}`, b64(root), ''].join('\n');
    const sig = crypto.sign('sha256', Buffer.from(note), tlogV2Key.privateKey);
    const checkpoint = `${note}\n\u2014 ${v2Origin} ${b64(Buffer.concat([v2LogId.subarray(0, 4), sig]))}\n`;
    return json(201, {
      logIndex: `${index}`,
      logId: { keyId: b64(v2LogId) },
      kindVersion: { kind: 'hashedrekord', version: '0.0.2' },
      inclusionProof: {
        logIndex: `${index}`,
        rootHash: b64(root),
        treeSize: `${size}`,
        hashes: proof.map(b64),
        checkpoint: { envelope: checkpoint },
      },
      canonicalizedBody: b64(canonical),
    });
  }
  const leafHash = (data) => sha256(Buffer.concat([Buffer.from([0]), data]));
  const nodeHash = (l, r) => sha256(Buffer.concat([Buffer.from([1]), l, r]));
  const split = (n) => 2 ** Math.floor(Math.log2(n - 1));
  function treeHash(leaves, start, end) {
    const n = end - start;
    if (n === 1) return leaves[start];
    const k = split(n);
    return nodeHash(treeHash(leaves, start, start + k), treeHash(leaves, start + k, end));
  }
  // RFC 6962 PATH(m, D[start:end]), leaf to root.
  function inclusionPath(m, start, end) {
    const n = end - start;
    if (n <= 1) return [];
    const k = split(n);
    return m < k
      ? [...inclusionPath(m, start, start + k), treeHash(v2Leaves, start + k, end)]
      : [...inclusionPath(m - k, start + k, end), treeHash(v2Leaves, start, start + k)];
  }

  async function handleTsa(body) {
    const req = pkijs.TimeStampReq.fromBER(new Uint8Array(body).buffer);
    const imprint = req.messageImprint;
    const der = await tsa.timestamp({
      artifactHash: Buffer.from(imprint.hashedMessage.valueBlock.valueHexView),
      hashAlgorithmOID: imprint.hashAlgorithm.algorithmId,
      nonce: 0,
      nonceInteger: req.nonce,
      policyOID: req.reqPolicy || '1.3.6.1.4.1.57264.2',
      certReq: req.certReq || false,
    });
    return tsaReply(der);
  }
  const tsaReply = (der) => ({
    statusCode: 200,
    response: der,
    contentType: 'application/timestamp-reply',
  });

  server.on('request', (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const u = new URL(req.url, url);
      const routes = {
        'POST /api/v2/signingCert': ['fulcio', () => handleFulcio(req, body)],
        'POST /api/v1/log/entries': ['rekor', () => handleRekor(body)],
        'POST /v2log/api/v2/log/entries': ['rekor', () => handleRekorV2(body)],
        'POST /api/v1/index/retrieve': ['rekor-search', () => handleRekorSearch(body)],
        'POST /api/v1/timestamp': ['tsa', () => handleTsa(body)],
        'GET /token': ['oidc', () => handleToken(req, u)],
        'POST /__control': ['control', () => control(body)],
        'GET /__stats': ['control', async () => json(200, state.stats)],
      };
      let route = routes[`${req.method} ${u.pathname}`];
      const get = /^\/api\/v1\/log\/entries\/([0-9a-fA-F]+)$/.exec(u.pathname);
      if (!route && req.method === 'GET' && get) route = ['rekor-search', () => handleRekorGet(get[1])];
      let result;
      try {
        if (!route) {
          result = reply(404, 'not found');
        } else {
          const [svc, fn] = route;
          state.stats[svc] = (state.stats[svc] || 0) + 1;
          if (take(state.hang, svc)) return; // never answer
          const status = take(state.fail, svc);
          result = typeof status === 'number' ? reply(status, `injected ${status} from ${svc}`) : await fn();
        }
      } catch (e) {
        result = reply(400, e.message);
      }
      const payload = Buffer.from(result.response);
      res.writeHead(result.statusCode, {
        'Content-Type': result.contentType || 'text/plain',
        'Content-Length': payload.length,
      });
      res.end(payload);
    });
  });

  async function handleToken(req, u) {
    const auth = req.headers.authorization || '';
    if (auth.replace(/^bearer /i, '') !== requestToken) return reply(401, 'bad request token');
    return json(200, { value: await mintToken(u.searchParams.get('audience') || 'sigstore') });
  }

  async function control(body) {
    const c = JSON.parse(body.toString('utf8') || '{}');
    for (const k of ['fail', 'badProof', 'hang', 'tamperEntry', 'unchecked', 'index', 'claims']) Object.assign(state[k], c[k] || {});
    if (c.reset) {
      Object.assign(state, { fail: {}, badProof: {}, hang: {}, tamperEntry: {}, unchecked: {}, index: {}, stats: {}, claims: {} });
    }
    return json(200, { ok: true });
  }

  const info = {
    url,
    tokenUrl: `${url}/token`,
    requestToken,
    identity: 'https://github.com/attest-kit/demo/.github/workflows/release.yml@refs/heads/main',
    issuer: GITHUB_ISSUER,
    // A token for tools that take one directly (sigstore-python --identity-token).
    token: await mintToken('sigstore'),
  };
  write('stack.json', info);
  if (process.argv.includes('--exit-with-stdin')) {
    process.stdin.on('end', () => process.exit(0));
    process.stdin.on('error', () => process.exit(0));
    process.stdin.resume();
  }
  process.stdout.write(JSON.stringify(info) + '\n');
}

function transparencyLog(url, publicKey) {
  const der = spki(publicKey);
  return {
    baseUrl: url,
    hashAlgorithm: 'SHA2_256',
    publicKey: {
      rawBytes: b64(der),
      keyDetails: 'PKIX_ECDSA_P256_SHA_256',
      validFor: { start: VALID_FROM },
    },
    logId: { keyId: b64(sha256(der)) },
  };
}

const reply = (statusCode, response) => ({ statusCode, response });
const json = (statusCode, value) => ({
  statusCode,
  response: JSON.stringify(value),
  contentType: 'application/json',
});

main().catch((e) => {
  process.stderr.write(`sigstore-stack: ${e.stack || e}\n`);
  process.exit(1);
});
