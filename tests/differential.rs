//! Differential testing of `attest-kit verify` against two independent Sigstore verifiers,
//! sigstore-python 4.5.1 (ATTEST_KIT_PEER_VENV) and @sigstore/verify
//! (tests/sigstore-stack/node_modules), on mutants of the vendored valid and invalid bundles.
//!
//! The generator (seeded, deterministic) flips bits in signatures, certificates, proofs,
//! checkpoints, SETs and payloads, deletes, duplicates (raw JSON text: a key written twice) and
//! swaps fields between bundles, combines one-of fields, relabels the mediaType and re-encodes
//! bundles harmlessly. Each peer is one long-running worker process (tests/differential/),
//! asked one JSON line per mutant; attest-kit runs through its real CLI, many bundles per
//! process (`--bundle-path DIR/*.json --format json`), each result row mapped back by path.
//!
//! It fails on a *false accept*: attest-kit accepts a mutant that a peer which accepts the
//! unmutated bundle rejects, unless the mutation kind is on tests/differential/allow-list.txt
//! for that peer. Crashes (an exit code other than 0 or 1, a panic, a bundle without a result
//! row) always fail. False rejects (attest-kit rejects what both peers accept) are counted.
//!
//! ATTEST_KIT_DIFF_N mutants (default 300), seed ATTEST_KIT_DIFF_SEED (default fixed);
//! ATTEST_KIT_DIFF_REPORT names a file for the summary and every finding (bench/differential.sh).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use serde_json::{Value, json};

const DEFAULT_IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const ISSUER: &str = "https://token.actions.githubusercontent.com";
const JS_ID: &str =
    "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main";
const REUSABLE_ID: &str = "https://github.com/github/artifact-attestations-workflows/.github/workflows/attest.yml@09b495c3f12c7881b3cc17209a327792065c1a1d";
const DEFAULT_SEED: u64 = 0x5167_5354_0017;
/// Bundles per attest-kit process: a crash costs a re-run of one chunk, one by one.
const CHUNK: usize = 250;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

// ---------------------------------------------------------------------------------------------
// A JSON tree that keeps key order and repeated keys, so that mutants can hold both.

#[derive(Clone, Debug, PartialEq)]
enum J {
    Null,
    Bool(bool),
    /// The number's text, as written.
    Num(String),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.s.get(self.i) == Some(&c)).then(|| self.i += 1)
    }
    fn value(&mut self) -> Option<J> {
        self.ws();
        match *self.s.get(self.i)? {
            b'{' => {
                self.i += 1;
                let mut members = Vec::new();
                if self.eat(b'}').is_some() {
                    return Some(J::Obj(members));
                }
                loop {
                    self.ws();
                    let J::Str(k) = self.value()? else {
                        return None;
                    };
                    self.eat(b':')?;
                    members.push((k, self.value()?));
                    if self.eat(b',').is_none() {
                        self.eat(b'}')?;
                        return Some(J::Obj(members));
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                if self.eat(b']').is_some() {
                    return Some(J::Arr(items));
                }
                loop {
                    items.push(self.value()?);
                    if self.eat(b',').is_none() {
                        self.eat(b']')?;
                        return Some(J::Arr(items));
                    }
                }
            }
            b'"' => {
                let start = self.i;
                self.i += 1;
                while *self.s.get(self.i)? != b'"' {
                    self.i += if self.s[self.i] == b'\\' { 2 } else { 1 };
                }
                self.i += 1;
                let text = std::str::from_utf8(&self.s[start..self.i]).ok()?;
                serde_json::from_str::<String>(text).ok().map(J::Str)
            }
            b't' if self.s[self.i..].starts_with(b"true") => {
                self.i += 4;
                Some(J::Bool(true))
            }
            b'f' if self.s[self.i..].starts_with(b"false") => {
                self.i += 5;
                Some(J::Bool(false))
            }
            b'n' if self.s[self.i..].starts_with(b"null") => {
                self.i += 4;
                Some(J::Null)
            }
            _ => {
                let start = self.i;
                while self.i < self.s.len()
                    && matches!(
                        self.s[self.i],
                        b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'
                    )
                {
                    self.i += 1;
                }
                (self.i > start)
                    .then(|| String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
                    .map(J::Num)
            }
        }
    }
}

fn parse(text: &str) -> Option<J> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    let v = p.value()?;
    p.ws();
    (p.i == p.s.len()).then_some(v)
}

#[derive(Clone, Copy, PartialEq)]
enum Escape {
    /// Only what JSON requires.
    Minimal,
    /// Every character of every string as `\uXXXX`.
    All,
    /// Every character of every key as `\uXXXX`.
    Keys,
    /// A pseudo-random third of the characters, from this seed.
    Some(u64),
}

#[derive(Clone, Copy)]
struct Style {
    indent: Option<&'static str>,
    newline: &'static str,
    /// Text after `:` and `,` in compact output.
    space: &'static str,
    escape: Escape,
}

const PRETTY: Style = Style {
    indent: Some("  "),
    newline: "\n",
    space: "",
    escape: Escape::Minimal,
};

fn write_str(out: &mut String, s: &str, escape: Escape, rng: &mut Rng) {
    out.push('"');
    for c in s.chars() {
        let all = match escape {
            Escape::All | Escape::Keys => true,
            Escape::Some(_) => rng.below(3) == 0,
            Escape::Minimal => false,
        };
        match c {
            '"' if !all => out.push_str("\\\""),
            '\\' if !all => out.push_str("\\\\"),
            c if all || (c as u32) < 0x20 => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn serialize(v: &J, style: Style) -> String {
    let seed = match style.escape {
        Escape::Some(s) => s,
        _ => 0,
    };
    let mut rng = Rng(seed);
    let mut out = String::new();
    ser(v, style, 0, &mut out, &mut rng);
    out
}

fn ser(v: &J, st: Style, depth: usize, out: &mut String, rng: &mut Rng) {
    let value_escape = if st.escape == Escape::Keys {
        Escape::Minimal
    } else {
        st.escape
    };
    let nl = |out: &mut String, d: usize| {
        if let Some(ind) = st.indent {
            out.push_str(st.newline);
            for _ in 0..d {
                out.push_str(ind);
            }
        }
    };
    match v {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Num(n) => out.push_str(n),
        J::Str(s) => write_str(out, s, value_escape, rng),
        J::Arr(items) => {
            out.push('[');
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                    out.push_str(st.space);
                }
                nl(out, depth + 1);
                ser(item, st, depth + 1, out, rng);
            }
            if !items.is_empty() {
                nl(out, depth);
            }
            out.push(']');
        }
        J::Obj(members) => {
            out.push('{');
            for (k, (key, item)) in members.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                    out.push_str(st.space);
                }
                nl(out, depth + 1);
                write_str(out, key, st.escape, rng);
                out.push(':');
                out.push_str(if st.indent.is_some() { " " } else { st.space });
                ser(item, st, depth + 1, out, rng);
            }
            if !members.is_empty() {
                nl(out, depth);
            }
            out.push('}');
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Step {
    Key(String),
    Idx(usize),
}

type JPath = Vec<Step>;
/// An object's members, in order, repeated keys kept.
type Members = Vec<(String, J)>;

fn show(path: &[Step]) -> String {
    let mut s = String::new();
    for step in path {
        match step {
            Step::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Step::Idx(i) => {
                let _ = write!(s, "[{i}]");
            }
        }
    }
    if s.is_empty() { "(root)".into() } else { s }
}

fn get<'a>(v: &'a J, path: &[Step]) -> Option<&'a J> {
    let Some((first, rest)) = path.split_first() else {
        return Some(v);
    };
    match (v, first) {
        (J::Obj(m), Step::Key(k)) => m
            .iter()
            .find(|(mk, _)| mk == k)
            .and_then(|(_, x)| get(x, rest)),
        (J::Arr(a), Step::Idx(i)) => a.get(*i).and_then(|x| get(x, rest)),
        _ => None,
    }
}

fn get_mut<'a>(v: &'a mut J, path: &[Step]) -> Option<&'a mut J> {
    let Some((first, rest)) = path.split_first() else {
        return Some(v);
    };
    match (v, first) {
        (J::Obj(m), Step::Key(k)) => m
            .iter_mut()
            .find(|(mk, _)| mk == k)
            .and_then(|(_, x)| get_mut(x, rest)),
        (J::Arr(a), Step::Idx(i)) => a.get_mut(*i).and_then(|x| get_mut(x, rest)),
        _ => None,
    }
}

/// Every path in the tree, parents before children.
fn paths(v: &J, prefix: &mut JPath, out: &mut Vec<JPath>) {
    out.push(prefix.clone());
    match v {
        J::Obj(m) => {
            for (k, x) in m {
                prefix.push(Step::Key(k.clone()));
                paths(x, prefix, out);
                prefix.pop();
            }
        }
        J::Arr(a) => {
            for (i, x) in a.iter().enumerate() {
                prefix.push(Step::Idx(i));
                paths(x, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn all_paths(v: &J) -> Vec<JPath> {
    let mut out = Vec::new();
    paths(v, &mut Vec::new(), &mut out);
    out
}

fn last_key(path: &[Step]) -> Option<&str> {
    path.iter().rev().find_map(|s| match s {
        Step::Key(k) => Some(k.as_str()),
        Step::Idx(_) => None,
    })
}

/// Applies `f` to every object in the tree.
fn each_object(v: &mut J, f: &mut dyn FnMut(&mut Members)) {
    match v {
        J::Obj(m) => {
            f(m);
            for (_, x) in m.iter_mut() {
                each_object(x, f);
            }
        }
        J::Arr(a) => {
            for x in a {
                each_object(x, f);
            }
        }
        _ => {}
    }
}

fn snake(k: &str) -> String {
    let mut s = String::new();
    for c in k.chars() {
        if c.is_ascii_uppercase() {
            s.push('_');
            s.push(c.to_ascii_lowercase());
        } else {
            s.push(c);
        }
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness (splitmix64).

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            items.get(self.below(items.len()))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The cases: every vendored bundle with what verifies it (as tests/conformance.rs reads them).

struct Case {
    name: String,
    text: String,
    tree: J,
    artifact: PathBuf,
    identity: String,
    issuer: String,
    key: Option<PathBuf>,
    trusted_root: Option<PathBuf>,
}

fn read_trimmed(p: &Path) -> Option<String> {
    std::fs::read_to_string(p).ok().map(|s| s.trim().to_owned())
}

fn cases() -> Vec<Case> {
    let conf = root().join("tests/fixtures/sigstore-conformance");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&conf)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.join("bundle.sigstore.json").is_file())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    let mut out = Vec::new();
    let mut add = |name: String, bundle: PathBuf, artifact, identity, issuer, key, trusted_root| {
        let text = std::fs::read_to_string(&bundle).unwrap_or_default();
        // A bundle that is not JSON (bundle-malformed-json_fail) has nothing to mutate.
        if let Some(tree) = parse(&text) {
            out.push(Case {
                name,
                text,
                tree,
                artifact,
                identity,
                issuer,
                key,
                trusted_root,
            });
        }
    };
    for d in dirs {
        let name = d
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let artifact = if d.join("artifact").is_file() {
            d.join("artifact")
        } else {
            conf.join("a.txt")
        };
        add(
            name,
            d.join("bundle.sigstore.json"),
            artifact,
            read_trimmed(&d.join("identity")).unwrap_or(DEFAULT_IDENTITY.into()),
            read_trimmed(&d.join("issuer")).unwrap_or(ISSUER.into()),
            Some(d.join("key.pub")).filter(|p| p.is_file()),
            Some(d.join("trusted_root.json")).filter(|p| p.is_file()),
        );
    }
    let gh = root().join("tests/fixtures/gh-attestations");
    for (bundle, artifact, identity) in [
        (
            "sigstore-js-2.1.0-bundle.json",
            "sigstore-js-2.1.0.tgz",
            JS_ID,
        ),
        (
            "sigstore-js-2.1.0-bundle-v0.1.json",
            "sigstore-js-2.1.0.tgz",
            JS_ID,
        ),
        (
            "reusable-workflow-attestation.sigstore.json",
            "reusable-workflow-artifact",
            REUSABLE_ID,
        ),
        (
            "sigstoreBundle-invalid-signature.json",
            "sigstore-js-2.1.0.tgz",
            JS_ID,
        ),
    ] {
        add(
            format!("gh:{bundle}"),
            gh.join(bundle),
            gh.join(artifact),
            identity.into(),
            ISSUER.into(),
            None,
            None,
        );
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Mutants.

struct Mutant {
    case: usize,
    /// The mutation kind (the allow-list and the breakdown key on it).
    kind: &'static str,
    /// What was mutated, where.
    desc: String,
    text: String,
}

/// The flip kind for a base64 (or checkpoint) field, by its name.
fn flip_kind(path: &[Step]) -> Option<&'static str> {
    let key = last_key(path)?;
    let under = |k: &str| path.iter().any(|s| *s == Step::Key(k.into()));
    Some(match key {
        "signature" if under("messageSignature") => "flip-signature",
        "sig" => "flip-signature",
        "rawBytes" => "flip-certificate",
        "hashes" | "rootHash" => "flip-proof",
        "envelope" if under("checkpoint") => "flip-checkpoint",
        "signedEntryTimestamp" => "flip-set",
        "payload" => "flip-payload",
        "digest" if under("messageDigest") => "flip-payload",
        "canonicalizedBody" => "flip-body",
        "keyId" => "flip-logid",
        "signedTimestamp" => "flip-timestamp",
        _ => return None,
    })
}

const INT64_FIELDS: [&str; 4] = [
    "logIndex",
    "integratedTime",
    "treeSize",
    "checkpointTimestamp",
];

const MEDIA_TYPES: [&str; 8] = [
    "application/vnd.dev.sigstore.bundle+json;version=0.1",
    "application/vnd.dev.sigstore.bundle+json;version=0.2",
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
    "application/vnd.dev.sigstore.bundle.v0.3+json",
    "application/vnd.dev.sigstore.bundle+json;version=0.4",
    "application/vnd.dev.sigstore.bundle+json",
    "application/json",
    "",
];

/// Kinds and their weights: attacks first, then harmless re-encodings.
const KINDS: [(&str, usize); 20] = [
    ("flip", 14),
    ("tamper-number", 4),
    ("delete", 10),
    ("duplicate-same", 5),
    ("duplicate-other", 10),
    ("swap", 8),
    ("oneof-content", 6),
    ("oneof-material", 6),
    ("mediatype-relabel", 5),
    ("mediatype-missing", 3),
    ("mediatype-unknown", 3),
    ("reencode-whitespace", 3),
    ("reencode-keyorder", 3),
    ("reencode-unicode", 3),
    ("reencode-base64-unpadded", 3),
    ("reencode-protonames", 3),
    ("reencode-protonames-some", 2),
    ("reencode-int64-numbers", 2),
    ("duplicate-in-original-text", 3),
    ("swap-whole-entry", 4),
];

fn pick_kind(rng: &mut Rng) -> &'static str {
    let total: usize = KINDS.iter().map(|(_, w)| w).sum();
    let mut r = rng.below(total);
    for (k, w) in KINDS {
        if r < w {
            return k;
        }
        r -= w;
    }
    KINDS[0].0
}

fn flip_base64(s: &str, rng: &mut Rng) -> Option<(String, String)> {
    let bytes = STANDARD
        .decode(s)
        .or_else(|_| STANDARD_NO_PAD.decode(s))
        .ok()
        .filter(|b| !b.is_empty())?;
    let mut b = bytes;
    let at = rng.below(b.len());
    let bit = rng.below(8);
    b[at] ^= 1 << bit;
    Some((STANDARD.encode(&b), format!("bit {bit} of byte {at}")))
}

fn flip_text(s: &str, rng: &mut Rng) -> Option<(String, String)> {
    let spots: Vec<usize> = s
        .char_indices()
        .filter(|(_, c)| c.is_ascii_alphanumeric())
        .map(|(i, _)| i)
        .collect();
    let at = *rng.pick(&spots)?;
    let mut b = s.as_bytes().to_vec();
    b[at] ^= 1;
    Some((
        String::from_utf8(b).ok()?,
        format!("bit 0 of character {at}"),
    ))
}

/// One DER element at `i`: (tag, start of contents, end).
fn der_at(b: &[u8], i: usize) -> Option<(u8, usize, usize)> {
    let tag = *b.get(i)?;
    let first = *b.get(i + 1)? as usize;
    let (len, hdr) = if first < 0x80 {
        (first, 2)
    } else {
        let n = first & 0x7f;
        let mut len = 0usize;
        for k in 0..n {
            len = (len << 8) | *b.get(i + 2 + k)? as usize;
        }
        (len, 2 + n)
    };
    let end = i.checked_add(hdr)?.checked_add(len)?;
    (end <= b.len()).then_some((tag, i + hdr, end))
}

/// The children of the constructed element whose contents run from `start` to `end`.
fn der_children(b: &[u8], start: usize, end: usize) -> Vec<(u8, usize, usize, usize)> {
    let mut out = Vec::new();
    let mut i = start;
    while i < end {
        let Some((tag, body, next)) = der_at(b, i) else {
            break;
        };
        out.push((tag, i, body, next));
        i = next;
    }
    out
}

/// Which part of an RFC 3161 TimeStampResp byte `at` lies in: the signed TSTInfo, the
/// embedded certificates (not covered by the signature), the signer info, or the rest.
fn token_part(b: &[u8], at: usize) -> &'static str {
    let part = || -> Option<&'static str> {
        let (_, body, end) = der_at(b, 0)?;
        let resp = der_children(b, body, end);
        let &(_, _, ci_body, ci_end) = resp.get(1)?;
        let content_info = der_children(b, ci_body, ci_end);
        let &(_, _, explicit_body, explicit_end) = content_info.get(1)?;
        let (_, sd_body, sd_end) =
            der_at(b, explicit_body).filter(|_| explicit_end > explicit_body)?;
        for (tag, start, _, next) in der_children(b, sd_body, sd_end) {
            if (start..next).contains(&at) {
                return Some(match tag {
                    0x30 => "the signed TSTInfo",
                    0xa0 => "the token's embedded certificates",
                    0xa1 => "the token's CRLs",
                    0x31 if start > sd_body + 3 => "the signer info",
                    _ => "the SignedData header",
                });
            }
        }
        Some("the response header")
    };
    part().unwrap_or("an unparsed token")
}

/// Which part of a checkpoint (a signed note) character `at` lies in.
fn checkpoint_part(s: &str, at: usize) -> &'static str {
    let mut offset = 0;
    let mut in_signatures = false;
    for (n, line) in s.split('\n').enumerate() {
        let end = offset + line.len();
        if line.is_empty() {
            in_signatures = true;
        } else if (offset..=end).contains(&at) {
            if in_signatures {
                let name_end = line
                    .char_indices()
                    .filter(|(_, c)| *c == ' ')
                    .nth(1)
                    .map_or(line.len(), |(i, _)| i);
                return if at - offset < name_end {
                    "a signature line's signer name"
                } else {
                    "a signature line's key hint and signature"
                };
            }
            return match n {
                0 => "the origin line",
                1 => "the tree-size line",
                2 => "the root-hash line",
                _ => "an extension line",
            };
        }
        offset = end + 1;
    }
    "the note"
}

/// The values other cases hold under the same key name, different from `mine`.
fn others_by_key<'a>(cases: &'a [Case], me: usize, key: &str, mine: &J) -> Vec<(usize, &'a J)> {
    let mut out = Vec::new();
    for (ci, c) in cases.iter().enumerate() {
        if ci == me {
            continue;
        }
        for p in all_paths(&c.tree) {
            if last_key(&p) == Some(key)
                && p.last() == Some(&Step::Key(key.into()))
                && let Some(v) = get(&c.tree, &p)
                && v != mine
            {
                out.push((ci, v));
            }
        }
    }
    out
}

fn parent_obj<'a>(tree: &'a mut J, path: &[Step]) -> Option<(&'a mut Vec<(String, J)>, String)> {
    let (last, parent) = path.split_last()?;
    let Step::Key(k) = last else { return None };
    match get_mut(tree, parent)? {
        J::Obj(m) => Some((m, k.clone())),
        _ => None,
    }
}

fn member_paths(tree: &J) -> Vec<JPath> {
    all_paths(tree)
        .into_iter()
        .filter(|p| matches!(p.last(), Some(Step::Key(_))))
        .collect()
}

/// One mutant of `cases[ci]` of kind `kind`, or None where the kind does not apply.
/// Replaces the value at `p` in `t` (case `ci`'s tree) by another case's different value there;
/// returns that case's index.
fn take_from_another(
    cases: &[Case],
    ci: usize,
    t: &mut J,
    p: &[Step],
    rng: &mut Rng,
) -> Option<usize> {
    let mine = get(t, p)?.clone();
    let others: Vec<(usize, J)> = cases
        .iter()
        .enumerate()
        .filter(|(oc, _)| *oc != ci)
        .filter_map(|(oc, c)| {
            get(&c.tree, p)
                .filter(|v| **v != mine)
                .map(|v| (oc, v.clone()))
        })
        .collect();
    let (oc, v) = rng.pick(&others)?.clone();
    *get_mut(t, p)? = v;
    Some(oc)
}

fn mutate(cases: &[Case], ci: usize, kind: &'static str, rng: &mut Rng) -> Option<Mutant> {
    let case = &cases[ci];
    let mut t = case.tree.clone();
    let mut style = PRETTY;
    let (kind, desc): (&'static str, String) = match kind {
        "flip" => {
            // The field kind first, then one field of it: each kind gets its share, however
            // many proof hashes a bundle holds.
            let spots: Vec<(JPath, &'static str)> = all_paths(&t)
                .into_iter()
                .filter(|p| matches!(get(&t, p), Some(J::Str(_))))
                .filter_map(|p| flip_kind(&p).map(|k| (p, k)))
                .collect();
            let mut kinds: Vec<&'static str> = spots.iter().map(|(_, k)| *k).collect();
            kinds.sort_unstable();
            kinds.dedup();
            let k = *rng.pick(&kinds)?;
            let of_kind: Vec<JPath> = spots
                .iter()
                .filter(|(_, sk)| *sk == k)
                .map(|(p, _)| p.clone())
                .collect();
            let p = rng.pick(&of_kind)?.clone();
            let Some(J::Str(s)) = get(&t, &p) else {
                return None;
            };
            let (new, how) = if k == "flip-checkpoint" {
                let (new, how) = flip_text(s, rng)?;
                let at = how.rsplit(' ').next()?.parse().ok()?;
                let part = checkpoint_part(s, at);
                (new, format!("{how} ({part})"))
            } else {
                let (new, how) = flip_base64(s, rng)?;
                if k == "flip-timestamp" {
                    let der = STANDARD.decode(s).ok()?;
                    let at = how.rsplit(' ').next()?.parse().ok()?;
                    (new, format!("{how} ({})", token_part(&der, at)))
                } else {
                    (new, how)
                }
            };
            *get_mut(&mut t, &p)? = J::Str(new);
            (k, format!("{how} in {}", show(&p)))
        }
        "tamper-number" => {
            let spots: Vec<JPath> = all_paths(&t)
                .into_iter()
                .filter(|p| last_key(p).is_some_and(|k| INT64_FIELDS.contains(&k)))
                .filter(|p| matches!(p.last(), Some(Step::Key(_))))
                .collect();
            let p = rng.pick(&spots)?.clone();
            let v = get_mut(&mut t, &p)?;
            let n: i64 = match v {
                J::Str(s) | J::Num(s) => s.parse().ok()?,
                _ => return None,
            };
            let new = match rng.below(4) {
                0 => n + 1,
                1 => n - 1,
                2 => 0,
                _ => n.saturating_mul(2),
            };
            *v = J::Str(new.to_string());
            (kind, format!("{} {n} -> {new}", show(&p)))
        }
        "delete" => {
            let spots = member_paths(&t);
            let p = rng.pick(&spots)?.clone();
            let (m, k) = parent_obj(&mut t, &p)?;
            m.retain(|(mk, _)| *mk != k);
            (kind, format!("deleted {}", show(&p)))
        }
        "duplicate-same" | "duplicate-other" => {
            let spots = member_paths(&t);
            let p = rng.pick(&spots)?.clone();
            let mine = get(&t, &p)?.clone();
            let key = last_key(&p)?.to_owned();
            let (value, from) = if kind == "duplicate-same" {
                (mine.clone(), "the same value".to_owned())
            } else {
                let others = others_by_key(cases, ci, &key, &mine);
                let (oc, v) = rng.pick(&others)?;
                ((*v).clone(), format!("the value from {}", cases[*oc].name))
            };
            let (m, k) = parent_obj(&mut t, &p)?;
            let pos = m.iter().position(|(mk, _)| *mk == k)?;
            let (at, where_) = if rng.below(2) == 0 {
                (pos + 1, "after")
            } else {
                (pos, "before")
            };
            m.insert(at, (k, value));
            (
                kind,
                format!("{} repeated {where_} itself with {from}", show(&p)),
            )
        }
        "swap" => {
            let spots = member_paths(&t);
            let p = rng.pick(&spots)?.clone();
            let oc = take_from_another(cases, ci, &mut t, &p, rng)?;
            (kind, format!("{} taken from {}", show(&p), cases[oc].name))
        }
        "swap-whole-entry" => {
            let targets = ["verificationMaterial", "messageSignature", "dsseEnvelope"];
            let key = *rng.pick(&targets)?;
            let p = vec![Step::Key(key.into())];
            let oc = take_from_another(cases, ci, &mut t, &p, rng)?;
            ("swap", format!("{key} taken whole from {}", cases[oc].name))
        }
        "oneof-content" => {
            let J::Obj(m) = &t else { return None };
            let has = |k: &str| m.iter().any(|(mk, _)| mk == k);
            let add = if has("dsseEnvelope") {
                "messageSignature"
            } else if has("messageSignature") {
                "dsseEnvelope"
            } else {
                return None;
            };
            let others: Vec<(usize, J)> = cases
                .iter()
                .enumerate()
                .filter_map(|(oc, c)| {
                    get(&c.tree, &[Step::Key(add.into())]).map(|v| (oc, v.clone()))
                })
                .collect();
            let (oc, v) = rng.pick(&others)?.clone();
            let J::Obj(m) = &mut t else { return None };
            let (at, where_) = if rng.below(2) == 0 {
                (m.len(), "last")
            } else {
                (1.min(m.len()), "second")
            };
            m.insert(at, (add.to_owned(), v));
            (
                kind,
                format!("{add} from {} added {where_}", cases[oc].name),
            )
        }
        "oneof-material" => {
            let vm = [Step::Key("verificationMaterial".into())];
            let J::Obj(m) = get(&t, &vm)? else {
                return None;
            };
            let choices = ["certificate", "x509CertificateChain", "publicKey"];
            let absent: Vec<&str> = choices
                .iter()
                .copied()
                .filter(|c| !m.iter().any(|(k, _)| k == c))
                .collect();
            if absent.len() == choices.len() {
                return None;
            }
            let add = *rng.pick(&absent)?;
            let others: Vec<(usize, J)> = cases
                .iter()
                .enumerate()
                .filter_map(|(oc, c)| {
                    get(&c.tree, &[vm[0].clone(), Step::Key(add.into())]).map(|v| (oc, v.clone()))
                })
                .collect();
            let (oc, v) = rng.pick(&others)?.clone();
            let J::Obj(m) = get_mut(&mut t, &vm)? else {
                return None;
            };
            let (at, where_) = if rng.below(2) == 0 {
                (m.len(), "last")
            } else {
                (0, "first")
            };
            m.insert(at, (add.to_owned(), v));
            (
                kind,
                format!(
                    "verificationMaterial.{add} from {} added {where_}",
                    cases[oc].name
                ),
            )
        }
        "mediatype-relabel" | "mediatype-unknown" => {
            let J::Obj(m) = &mut t else { return None };
            let known = &MEDIA_TYPES[..4];
            let unknown = &MEDIA_TYPES[4..];
            let new = *rng.pick(if kind == "mediatype-relabel" {
                known
            } else {
                unknown
            })?;
            let slot = m.iter_mut().find(|(k, _)| k == "mediaType")?;
            if slot.1 == J::Str(new.into()) {
                return None;
            }
            slot.1 = J::Str(new.into());
            (kind, format!("mediaType set to {new:?}"))
        }
        "mediatype-missing" => {
            let J::Obj(m) = &mut t else { return None };
            let before = m.len();
            m.retain(|(k, _)| k != "mediaType");
            if m.len() == before {
                return None;
            }
            (kind, "mediaType deleted".into())
        }
        "reencode-whitespace" => {
            let (s, what) = match rng.below(4) {
                0 => (
                    Style {
                        indent: None,
                        newline: "",
                        space: "",
                        escape: Escape::Minimal,
                    },
                    "compact",
                ),
                1 => (
                    Style {
                        indent: Some("\t"),
                        newline: "\r\n",
                        space: "",
                        escape: Escape::Minimal,
                    },
                    "tabs and CRLF",
                ),
                2 => (
                    Style {
                        indent: None,
                        newline: "",
                        space: " \t ",
                        escape: Escape::Minimal,
                    },
                    "spaces and tabs between tokens",
                ),
                _ => (
                    Style {
                        indent: Some("        "),
                        newline: "\n\n",
                        space: "",
                        escape: Escape::Minimal,
                    },
                    "blank lines, 8-space indent",
                ),
            };
            style = s;
            (kind, format!("whole bundle re-indented: {what}"))
        }
        "reencode-keyorder" => {
            let how = rng.below(3);
            let mut local = Rng(rng.next());
            each_object(&mut t, &mut |m| match how {
                0 => m.reverse(),
                1 => m.sort_by(|a, b| a.0.cmp(&b.0)),
                _ => {
                    for i in (1..m.len()).rev() {
                        m.swap(i, local.below(i + 1));
                    }
                }
            });
            (
                kind,
                format!(
                    "keys of every object {}",
                    ["reversed", "sorted", "shuffled"][how]
                ),
            )
        }
        "reencode-unicode" => {
            let (e, what) = match rng.below(3) {
                0 => (Escape::All, "every character of every string"),
                1 => (Escape::Keys, "every character of every key"),
                _ => (Escape::Some(rng.next()), "a third of all characters"),
            };
            style.escape = e;
            (kind, format!("\\uXXXX escapes for {what}"))
        }
        "reencode-base64-unpadded" => {
            let mut n = 0;
            for p in all_paths(&t) {
                if flip_kind(&p).is_some_and(|k| k != "flip-checkpoint")
                    && let Some(J::Str(s)) = get_mut(&mut t, &p)
                    && s.ends_with('=')
                {
                    *s = s.trim_end_matches('=').to_owned();
                    n += 1;
                }
            }
            if n == 0 {
                return None;
            }
            (kind, format!("padding removed from {n} base64 fields"))
        }
        "reencode-protonames" | "reencode-protonames-some" => {
            let all = kind == "reencode-protonames";
            let mut local = Rng(rng.next());
            let mut n = 0;
            each_object(&mut t, &mut |m| {
                for (k, _) in m.iter_mut() {
                    let s = snake(k);
                    if s != *k && (all || local.below(2) == 0) {
                        *k = s;
                        n += 1;
                    }
                }
            });
            if n == 0 {
                return None;
            }
            (
                kind,
                format!("{n} keys in proto field-name form (snake_case)"),
            )
        }
        "reencode-int64-numbers" => {
            let mut n = 0;
            for p in all_paths(&t) {
                if last_key(&p).is_some_and(|k| INT64_FIELDS.contains(&k))
                    && matches!(p.last(), Some(Step::Key(_)))
                    && let Some(v) = get_mut(&mut t, &p)
                    && let J::Str(s) = v
                    && s.parse::<i64>().is_ok()
                {
                    *v = J::Num(s.clone());
                    n += 1;
                }
            }
            if n == 0 {
                return None;
            }
            (kind, format!("{n} int64 fields written as JSON numbers"))
        }
        "duplicate-in-original-text" => {
            // The key repeated in the original text itself, byte for byte, so the rest of
            // the file keeps its exact bytes: `"mediaType": X,` written twice.
            let keys = [
                "\"mediaType\"",
                "\"dsseEnvelope\"",
                "\"messageSignature\"",
                "\"verificationMaterial\"",
            ];
            let key = *rng.pick(&keys)?;
            let text = &case.text;
            let start = text.find(key)?;
            let J::Obj(m) = &case.tree else { return None };
            let name = key.trim_matches('"');
            let (_, value) = m.iter().find(|(k, _)| k == name)?;
            let other = others_by_key(cases, ci, name, value);
            let (oc, v) = rng.pick(&other)?;
            let inserted = format!("{key}: {},\n  ", serialize(v, PRETTY));
            let mut out = text.clone();
            let (at, where_) = if rng.below(2) == 0 {
                (start, "before")
            } else {
                // After the member: find its end by re-serializing is fragile; put it at the
                // end of the object instead, before the last `}`.
                (text.rfind('}')?, "at the end of the object, after")
            };
            if where_ == "before" {
                out.insert_str(at, &inserted);
            } else {
                let tail = format!(",\n  {key}: {}\n", serialize(v, PRETTY));
                let trimmed_end = out[..at].trim_end().len();
                out.replace_range(trimmed_end..at, &tail);
            }
            return Some(Mutant {
                case: ci,
                kind: "duplicate-in-original-text",
                desc: format!(
                    "{}: duplicate-in-original-text: {name} from {} written {where_} the original",
                    case.name, cases[*oc].name
                ),
                text: out,
            });
        }
        _ => return None,
    };
    let text = serialize(&t, style);
    (parse(&text).is_some() || kind.starts_with("reencode")).then(|| Mutant {
        case: ci,
        kind,
        desc: format!("{}: {kind}: {desc}", case.name),
        text,
    })
}

fn generate(cases: &[Case], seed: u64, n: usize) -> Vec<Mutant> {
    let mut rng = Rng(seed);
    let mut out = Vec::with_capacity(n);
    let mut misses = 0usize;
    while out.len() < n && misses < n * 50 + 1000 {
        let ci = rng.below(cases.len());
        let kind = pick_kind(&mut rng);
        match mutate(cases, ci, kind, &mut rng) {
            Some(m) if m.text != cases[ci].text => out.push(m),
            _ => misses += 1,
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The peers: long-running workers, one JSON line in, one out.

#[derive(Clone, Debug, PartialEq)]
enum Verdict {
    Accept,
    Reject(String),
    /// The peer cannot check this case (sigstore-python and a managed key, say).
    NotApplicable,
}

struct Worker {
    name: &'static str,
    program: PathBuf,
    args: Vec<String>,
    child: Option<(Child, ChildStdin, BufReader<ChildStdout>)>,
    /// The trusted root for cases without their own (None: the peer's embedded one).
    default_root: Option<PathBuf>,
}

impl Worker {
    fn start(&mut self) -> Result<(), String> {
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!(
                    "couldn't start the {} worker {:?}: {e}",
                    self.name, self.program
                )
            })?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        self.child = Some((child, stdin, stdout));
        Ok(())
    }

    fn stop(&mut self) {
        if let Some((mut child, stdin, _)) = self.child.take() {
            drop(stdin);
            if child.try_wait().ok().flatten().is_none() {
                let _ = child.kill();
            }
            let _ = child.wait();
        }
    }

    fn ask(&mut self, id: usize, case: &Case, bundle: &str) -> Verdict {
        if case.key.is_some() {
            return Verdict::NotApplicable;
        }
        let root = case
            .trusted_root
            .clone()
            .or_else(|| self.default_root.clone());
        let req = json!({
            "id": id,
            "bundle": bundle,
            "artifact": case.artifact,
            "identity": case.identity,
            "issuer": case.issuer,
            "root": root,
        });
        for _attempt in 0..2 {
            if self.child.is_none() && self.start().is_err() {
                break;
            }
            let Some((_, stdin, stdout)) = self.child.as_mut() else {
                break;
            };
            let mut line = String::new();
            let sent = writeln!(stdin, "{req}").and_then(|()| stdin.flush());
            if sent.is_ok()
                && stdout.read_line(&mut line).is_ok_and(|n| n > 0)
                && let Ok(v) = serde_json::from_str::<Value>(&line)
                && v["id"] == json!(id)
            {
                return if v["ok"] == json!(true) {
                    Verdict::Accept
                } else {
                    Verdict::Reject(one_line(v["error"].as_str().unwrap_or_default()))
                };
            }
            // The worker died or answered out of turn: a fresh one gets the mutant again.
            self.stop();
        }
        Verdict::Reject(format!("the {} worker died on this bundle", self.name))
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The peers that run here, each skipped only where its skip variable says so.
fn peers() -> Vec<Worker> {
    let mut out = Vec::new();
    let dir = root().join("tests/differential");
    if std::env::var_os("ATTEST_KIT_SKIP_PY_PEERS").is_some() {
        eprintln!(
            "note: ATTEST_KIT_SKIP_PY_PEERS is set: differential run without sigstore-python"
        );
    } else {
        let venv = std::env::var_os("ATTEST_KIT_PEER_VENV")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| root().join(".venv-peer"));
        let python = venv.join("bin/python");
        assert!(
            python.is_file(),
            "no sigstore-python peer at {}: create it (python3 -m venv .venv-peer && .venv-peer/bin/pip install sigstore==4.5.1) and set ATTEST_KIT_PEER_VENV, or set ATTEST_KIT_SKIP_PY_PEERS=1",
            python.display()
        );
        out.push(Worker {
            name: "sigstore-python",
            program: python,
            args: vec![dir.join("peer_python.py").display().to_string()],
            child: None,
            default_root: None,
        });
    }
    if std::env::var("ATTEST_KIT_SKIP_SIGSTORE_STACK").as_deref() == Ok("1") {
        eprintln!(
            "note: ATTEST_KIT_SKIP_SIGSTORE_STACK=1: differential run without @sigstore/verify"
        );
    } else {
        let modules = root().join("tests/sigstore-stack/node_modules");
        assert!(
            modules.join("@sigstore/verify").is_dir(),
            "tests/sigstore-stack/node_modules is missing: run `npm ci` there (scripts/test.sh does), or set ATTEST_KIT_SKIP_SIGSTORE_STACK=1"
        );
        out.push(Worker {
            name: "sigstore-js",
            program: PathBuf::from("node"),
            args: vec![
                dir.join("peer_sigstore_js.js").display().to_string(),
                modules.display().to_string(),
            ],
            child: None,
            // @sigstore/verify embeds no root: the public-good one, as the GitHub CLI ships it.
            default_root: Some(root().join("tests/fixtures/gh-attestations/trusted_root.json")),
        });
    }
    out
}

/// A peer's error, multi-line in pydantic's case, as one line.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------------------------
// attest-kit itself, through the CLI, many bundles per process.

#[derive(Clone, Debug, PartialEq)]
enum Ours {
    Accept,
    Reject(String),
    Crash(String),
}

fn cli(case: &Case, bundle_pattern: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_attest-kit"));
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k.starts_with("GITHUB_") || k.starts_with("INPUT_") || k.starts_with("RUNNER_") {
            c.env_remove(k);
        }
    }
    c.arg("verify")
        .arg(&case.artifact)
        .args(["--bundle-path", bundle_pattern]);
    match &case.key {
        Some(k) => {
            c.arg("--key").arg(k);
        }
        None => {
            c.args(["--certificate-identity", &case.identity])
                .args(["--certificate-oidc-issuer", &case.issuer]);
        }
    }
    if let Some(r) = &case.trusted_root {
        c.arg("--trusted-root").arg(r);
    }
    c.args(["--offline", "--format", "json"]);
    c
}

/// Runs one process over every `*.json` in `dir` and maps the rows back to the file names
/// (`m<index>.json`, `#N` for the Nth bundle of a multi-bundle file). Err: the process crashed.
fn run_dir(case: &Case, dir: &Path, indices: &[usize]) -> Result<HashMap<usize, Ours>, String> {
    let pattern = format!("{}/*.json", dir.display());
    let out = cli(case, &pattern)
        .output()
        .map_err(|e| format!("couldn't run attest-kit: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code();
    if !matches!(code, Some(0 | 1)) || stderr.contains("panicked") {
        return Err(format!(
            "exit {code:?}: {}",
            stderr.lines().last().unwrap_or_default()
        ));
    }
    // Exit 1 with one line and no report: the case's inputs (its trusted root or key) are
    // refused before any bundle is read, so every bundle of the run is rejected.
    if code == Some(1) && out.stdout.is_empty() && stderr.trim().lines().count() == 1 {
        let why = stderr.trim().to_owned();
        return Ok(indices
            .iter()
            .map(|i| (*i, Ours::Reject(why.clone())))
            .collect());
    }
    let report: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("exit {code:?} without a JSON report ({e}): {stderr}"))?;
    let mut rows: HashMap<usize, Ours> = HashMap::new();
    for r in report["results"].as_array().into_iter().flatten() {
        let bundle = r["bundle"].as_str().unwrap_or_default();
        let file = bundle.rsplit('/').next().unwrap_or_default();
        let file = file.split('#').next().unwrap_or_default();
        let Some(idx) = file
            .strip_prefix('m')
            .and_then(|f| f.strip_suffix(".json"))
            .and_then(|n| n.parse::<usize>().ok())
        else {
            return Err(format!("a result row names no mutant: {bundle}"));
        };
        let row = if r["failure"].is_null() {
            Ours::Accept
        } else {
            Ours::Reject(format!(
                "{}: {}",
                r["failure"]["check"].as_str().unwrap_or_default(),
                r["failure"]["reason"].as_str().unwrap_or_default()
            ))
        };
        // Several bundles in one file: accepted only if every one is.
        let slot = rows.entry(idx).or_insert(Ours::Accept);
        if *slot == Ours::Accept {
            *slot = row;
        }
    }
    Ok(rows)
}

/// attest-kit's verdict on each of `items` (index, case, text), in chunks of one process each.
fn attest_kit(cases: &[Case], items: &[(usize, usize, &str)], work: &Path) -> HashMap<usize, Ours> {
    let mut by_case: BTreeMap<usize, Vec<(usize, &str)>> = BTreeMap::new();
    for (idx, ci, text) in items {
        by_case.entry(*ci).or_default().push((*idx, text));
    }
    let mut verdicts = HashMap::new();
    let mut n = 0;
    for (ci, list) in by_case {
        for chunk in list.chunks(CHUNK) {
            n += 1;
            let dir = work.join(format!("chunk{n}"));
            std::fs::create_dir_all(&dir).expect("chunk dir");
            for (idx, text) in chunk {
                std::fs::write(dir.join(format!("m{idx}.json")), text).expect("write mutant");
            }
            let indices: Vec<usize> = chunk.iter().map(|(i, _)| *i).collect();
            let got = match run_dir(&cases[ci], &dir, &indices) {
                Ok(rows) => rows,
                // A crash in the chunk: each mutant alone names the one(s) that crash.
                Err(_) => {
                    let mut rows = HashMap::new();
                    for (idx, text) in chunk {
                        let one = work.join(format!("single{idx}"));
                        std::fs::create_dir_all(&one).expect("dir");
                        std::fs::write(one.join(format!("m{idx}.json")), text).expect("write");
                        match run_dir(&cases[ci], &one, &[*idx]) {
                            Ok(r) => rows.extend(r),
                            Err(e) => {
                                rows.insert(*idx, Ours::Crash(e));
                            }
                        }
                    }
                    rows
                }
            };
            for (idx, _) in chunk {
                let v = got
                    .get(idx)
                    .cloned()
                    .unwrap_or_else(|| Ours::Crash("no result row for this bundle".into()));
                verdicts.insert(*idx, v);
            }
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    verdicts
}

// ---------------------------------------------------------------------------------------------
// The allow-list and the run.

/// One allow-list entry: a mutation kind, a peer and (optionally) text the mutant's
/// description must contain.
struct Allowed {
    kind: String,
    peer: String,
    matching: String,
}

impl Allowed {
    /// TEXT must occur in the description; a trailing `$` makes it the description's end.
    fn matches(&self, m: &Mutant, peer: &str) -> bool {
        let text_ok = match self.matching.strip_suffix('$') {
            Some(end) => m.desc.ends_with(end),
            None => m.desc.contains(&self.matching),
        };
        self.kind == m.kind && self.peer == peer && text_ok
    }
}

/// tests/differential/allow-list.txt: `KIND PEER [TEXT]  # why` (`#` starts a comment).
fn allow_list() -> Vec<Allowed> {
    let text = std::fs::read_to_string(root().join("tests/differential/allow-list.txt"))
        .expect("tests/differential/allow-list.txt");
    text.lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .filter(|l| !l.is_empty())
        .filter_map(|l| {
            let mut w = l.splitn(3, char::is_whitespace);
            Some(Allowed {
                kind: w.next()?.to_owned(),
                peer: w.next()?.trim().to_owned(),
                matching: w.next().unwrap_or_default().trim().to_owned(),
            })
        })
        .collect()
}

#[derive(Default)]
struct Tally {
    mutants: usize,
    false_accepts: usize,
    allowed: usize,
    false_rejects: usize,
    crashes: usize,
}

struct Outcome {
    summary: String,
    details: String,
    unexplained: Vec<String>,
    crashes: Vec<String>,
}

fn run(n: usize, seed: u64) -> Option<Outcome> {
    let started = Instant::now();
    let mut workers = peers();
    if workers.is_empty() {
        eprintln!("note: both peers are skipped here: no differential run");
        return None;
    }
    let cases = cases();
    assert!(cases.len() >= 40, "only {} cases found", cases.len());
    let mutants = generate(&cases, seed, n);
    assert_eq!(mutants.len(), n, "the generator made too few mutants");
    let work = tempfile::tempdir().expect("temp dir");

    // Originals first (index = mutant count + case index), then every mutant.
    let base = mutants.len();
    let mut items: Vec<(usize, usize, &str)> = mutants
        .iter()
        .enumerate()
        .map(|(i, m)| (i, m.case, m.text.as_str()))
        .collect();
    items.extend(
        cases
            .iter()
            .enumerate()
            .map(|(ci, c)| (base + ci, ci, c.text.as_str())),
    );

    let (ours, peer_verdicts) = std::thread::scope(|s| {
        let peer_threads: Vec<_> = workers
            .iter_mut()
            .map(|w| {
                let items = &items;
                let cases = &cases;
                s.spawn(move || {
                    let v: Vec<Verdict> = items
                        .iter()
                        .map(|(idx, ci, text)| w.ask(*idx, &cases[*ci], text))
                        .collect();
                    w.stop();
                    (w.name, v)
                })
            })
            .collect();
        let ours = attest_kit(&cases, &items, work.path());
        let peers: Vec<(&'static str, Vec<Verdict>)> = peer_threads
            .into_iter()
            .map(|t| t.join().expect("peer thread"))
            .collect();
        (ours, peers)
    });

    let allowed = allow_list();
    let mut by_kind: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut total = Tally::default();
    let mut details = String::new();
    let mut unexplained = Vec::new();
    let mut crashes = Vec::new();
    for (i, m) in mutants.iter().enumerate() {
        let t = by_kind.entry(m.kind).or_default();
        t.mutants += 1;
        total.mutants += 1;
        let our = ours
            .get(&i)
            .cloned()
            .unwrap_or(Ours::Crash("no verdict".into()));
        if let Ours::Crash(e) = &our {
            t.crashes += 1;
            total.crashes += 1;
            crashes.push(format!("{}: {e}", m.desc));
            let _ = writeln!(details, "crash: {}: {e}", m.desc);
            continue;
        }
        let mut applicable = 0;
        let mut accepting = 0;
        let mut false_accept_by: Vec<(&str, String, bool)> = Vec::new();
        for (name, verdicts) in &peer_verdicts {
            let original = &verdicts[base + m.case];
            let theirs = &verdicts[i];
            if *theirs == Verdict::NotApplicable {
                continue;
            }
            applicable += 1;
            if *theirs == Verdict::Accept {
                accepting += 1;
            }
            if our == Ours::Accept
                && *original == Verdict::Accept
                && let Verdict::Reject(why) = theirs
            {
                let ok = allowed.iter().any(|a| a.matches(m, name));
                false_accept_by.push((name, why.clone(), ok));
            }
        }
        if !false_accept_by.is_empty() {
            let explained = false_accept_by.iter().all(|(_, _, ok)| *ok);
            let line = format!(
                "{}: {} ({})",
                if explained {
                    "allowed false accept"
                } else {
                    "FALSE ACCEPT"
                },
                m.desc,
                false_accept_by
                    .iter()
                    .map(|(p, why, _)| format!("{p} rejects: {why}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            let _ = writeln!(details, "{line}");
            if explained {
                t.allowed += 1;
                total.allowed += 1;
            } else {
                t.false_accepts += 1;
                total.false_accepts += 1;
                unexplained.push(line);
            }
        }
        if let Ours::Reject(why) = &our
            && applicable == peer_verdicts.len()
            && peer_verdicts.len() == 2
            && accepting == 2
        {
            t.false_rejects += 1;
            total.false_rejects += 1;
            let _ = writeln!(details, "false reject: {}: attest-kit: {why}", m.desc);
        }
    }
    let mut summary = format!(
        "mutants={} false_accepts={} false_rejects={} crashes={}\n",
        total.mutants, total.false_accepts, total.false_rejects, total.crashes
    );
    for (k, t) in &by_kind {
        let _ = writeln!(
            summary,
            "  {k:<26} mutants={:<6} false_accepts={:<5} allowed={:<5} false_rejects={:<5} crashes={}",
            t.mutants, t.false_accepts, t.allowed, t.false_rejects, t.crashes
        );
    }
    let _ = writeln!(
        summary,
        "  seed={seed:#x} peers={} allowed_false_accepts={} time={:.1}s",
        peer_verdicts
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(","),
        total.allowed,
        started.elapsed().as_secs_f64()
    );
    // The originals, as each verifier sees them: the baseline every mutant is judged against.
    let _ = writeln!(details, "\nbaseline (unmutated):");
    for (ci, c) in cases.iter().enumerate() {
        let ours = ours
            .get(&(base + ci))
            .cloned()
            .unwrap_or(Ours::Crash("none".into()));
        let peers: Vec<String> = peer_verdicts
            .iter()
            .map(|(n, v)| format!("{n}={}", short(&v[base + ci])))
            .collect();
        let _ = writeln!(
            details,
            "  {}: attest-kit={} {}",
            c.name,
            match ours {
                Ours::Accept => "accept",
                Ours::Reject(_) => "reject",
                Ours::Crash(_) => "CRASH",
            },
            peers.join(" ")
        );
    }
    Some(Outcome {
        summary,
        details,
        unexplained,
        crashes,
    })
}

fn short(v: &Verdict) -> &'static str {
    match v {
        Verdict::Accept => "accept",
        Verdict::Reject(_) => "reject",
        Verdict::NotApplicable => "n/a",
    }
}

fn env_num(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.trim();
    match v.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => v.parse().ok(),
    }
}

/// A few hundred mutants with a fixed seed (CI); bench/differential.sh runs 20,000 and more.
#[test]
fn attest_kit_accepts_no_mutant_a_peer_rejects() {
    let n = env_num("ATTEST_KIT_DIFF_N").map_or(400, |n| n as usize);
    let seed = env_num("ATTEST_KIT_DIFF_SEED").unwrap_or(DEFAULT_SEED);
    let Some(o) = run(n, seed) else { return };
    eprint!("{}", o.summary);
    if let Some(p) = std::env::var_os("ATTEST_KIT_DIFF_REPORT") {
        std::fs::write(&p, format!("{}\n{}", o.summary, o.details)).expect("write the report");
    }
    let show = |v: &[String]| v.iter().take(40).cloned().collect::<Vec<_>>().join("\n");
    assert!(
        o.crashes.is_empty(),
        "{} crashes:\n{}",
        o.crashes.len(),
        show(&o.crashes)
    );
    assert!(
        o.unexplained.is_empty(),
        "{} false accepts (attest-kit accepts, a peer that accepts the original rejects):\n{}",
        o.unexplained.len(),
        show(&o.unexplained)
    );
}

/// Batching maps back exactly: a sample of mutants, each in a process of its own, gets the
/// verdict it got among hundreds.
#[test]
fn one_process_per_bundle_gives_the_batched_verdicts() {
    let cases = cases();
    let mutants = generate(&cases, 11, 240);
    let work = tempfile::tempdir().expect("temp dir");
    let items: Vec<(usize, usize, &str)> = mutants
        .iter()
        .enumerate()
        .map(|(i, m)| (i, m.case, m.text.as_str()))
        .collect();
    let batched = attest_kit(&cases, &items, work.path());
    let mut accepted = 0;
    for (i, m) in mutants.iter().enumerate().step_by(8) {
        let one = work.path().join(format!("alone{i}"));
        std::fs::create_dir_all(&one).expect("dir");
        std::fs::write(one.join(format!("m{i}.json")), &m.text).expect("write");
        let alone = run_dir(&cases[m.case], &one, &[i]).expect("no crash");
        assert_eq!(alone.get(&i), batched.get(&i), "{}", m.desc);
        accepted += usize::from(alone.get(&i) == Some(&Ours::Accept));
    }
    assert!(accepted > 0, "the sample holds no accepted mutant");
}

/// The generator itself: deterministic, every mutant described, duplicates really in the text.
#[test]
fn the_generator_is_deterministic_and_writes_repeated_keys() {
    let cases = cases();
    let a = generate(&cases, 7, 400);
    let b = generate(&cases, 7, 400);
    assert_eq!(a.len(), 400);
    assert!(
        a.iter()
            .zip(&b)
            .all(|(x, y)| x.text == y.text && x.desc == y.desc)
    );
    assert!(
        a.iter()
            .all(|m| !m.desc.is_empty() && !m.desc.contains('\n'))
    );
    let dup = a
        .iter()
        .find(|m| m.kind == "duplicate-same")
        .expect("a duplicate-same mutant");
    // serde_json keeps one of two equal keys: the text is longer than its re-serialization.
    let once: Value = serde_json::from_str(&dup.text).expect("still JSON");
    assert!(serde_json::to_string_pretty(&once).expect("json").len() < dup.text.len());
    // Flip descriptions name the part of a checkpoint or RFC 3161 token they hit.
    let note = "log\n5\nAAAA\n\n\u{2014} log abcd1234\n";
    assert_eq!(checkpoint_part(note, 0), "the origin line");
    assert_eq!(checkpoint_part(note, 4), "the tree-size line");
    let sig_line = note.find('\u{2014}').expect("dash");
    assert_eq!(
        checkpoint_part(note, sig_line + 4),
        "a signature line's signer name"
    );
    assert_eq!(
        checkpoint_part(note, note.len() - 3),
        "a signature line's key hint and signature"
    );
    let conf = root().join("tests/fixtures/sigstore-conformance");
    let text = std::fs::read_to_string(
        conf.join("rekor2-timestamp-with-embedded-cert/bundle.sigstore.json"),
    )
    .expect("fixture");
    let v: Value = serde_json::from_str(&text).expect("json");
    let token = STANDARD
        .decode(
            v["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0]
                ["signedTimestamp"]
                .as_str()
                .expect("token"),
        )
        .expect("base64");
    assert_eq!(token_part(&token, 270), "the token's embedded certificates");
    assert_eq!(token_part(&token, 100), "the signed TSTInfo");
    assert_eq!(token_part(&token, token.len() - 10), "the signer info");
    // A harmless re-encoding reads back to the same tree.
    let re = a
        .iter()
        .find(|m| m.kind == "reencode-unicode")
        .expect("a re-encoded mutant");
    let x: Value = serde_json::from_str(&re.text).expect("json");
    let y: Value = serde_json::from_str(&cases[re.case].text).expect("json");
    assert_eq!(x, y);
}
