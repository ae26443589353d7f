// Runs the portable attest-kit.wasm (wasm32-wasip1) on Node's built-in WASI, for runners with no
// native binary. No npm dependencies; Node 20 or newer.
//
//   node dist/attest-kit-wasm.mjs dist/attest-kit.wasm attest --subject-path 'dist/*'
//
// Before it runs anything it checks the module's SHA-256 against the SHA256SUMS file beside it.
// The module sees exactly three directories of the host: the workspace ($GITHUB_WORKSPACE, or
// the current directory), the output directory, and $RUNNER_TEMP (where the runner's output and
// summary files live; where a runner puts them elsewhere, their directories); every other path
// fails inside the module. It gets the environment it
// reads (GITHUB_*, RUNNER_*, INPUT_*, SOURCE_DATE_EPOCH) and nothing else: no tokens.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import process from "node:process";

// node:wasi prints an ExperimentalWarning when loaded; it is stable enough for preview1.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  const type = typeof rest[0] === "string" ? rest[0] : rest[0]?.type;
  if (type === "ExperimentalWarning" && String(warning).includes("WASI")) return;
  emitWarning.call(process, warning, ...rest);
};
const { WASI } = await import("node:wasi");

const PASSED_PREFIXES = ["GITHUB_", "RUNNER_", "INPUT_"];
const PASSED_NAMES = ["SOURCE_DATE_EPOCH", "NO_COLOR", "TZ"];

function fail(message) {
  if (process.env.GITHUB_ACTIONS === "true") {
    const escaped = message.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
    process.stdout.write(`::error title=attest-kit::${escaped}\n`);
  } else {
    process.stderr.write(`error: ${message}\n`);
  }
  process.exit(1);
}

// The host path as the module sees it: the same path on POSIX; C:\a\b becomes /c/a/b on Windows.
function toGuest(hostPath) {
  if (sep === "/") return hostPath;
  const m = /^([A-Za-z]):[\\/](.*)$/.exec(hostPath);
  if (!m) return hostPath.replaceAll("\\", "/");
  return `/${m[1].toLowerCase()}/${m[2].replaceAll("\\", "/")}`;
}

function isWithin(child, parent) {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

function checkDigest(wasmPath) {
  const sums = join(dirname(wasmPath), "SHA256SUMS");
  const name = basename(wasmPath);
  const recover =
    "Use a released tag (uses: attest-kit/attest-kit@v1), or rebuild with dist/build.sh, which rewrites dist/SHA256SUMS.";
  let listed;
  try {
    listed = readFileSync(sums, "utf8");
  } catch {
    fail(`refusing to run ${name}: no SHA256SUMS beside it. ${recover}`);
  }
  const expected = listed
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .find(([, file]) => file === name || file === `*${name}`)?.[0];
  if (!expected) fail(`refusing to run ${name}: it is not listed in ${sums}. ${recover}`);
  const bytes = readFileSync(wasmPath);
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (actual !== expected) {
    fail(`refusing to run ${name}: its SHA-256 is ${actual} but SHA256SUMS lists ${expected}. ${recover}`);
  }
  return bytes;
}

// The output directory the command will write to: --output-dir / --output-dir=X, else the input,
// else the default. Inside the workspace it is already reachable (and the module creates it);
// outside, it is created here so that it can be preopened on its own.
function outputDir(args, cwd, workspace) {
  let dir = process.env.INPUT_OUTPUT_DIR || process.env["INPUT_OUTPUT-DIR"] || "attestations";
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--") break;
    if (args[i] === "--output-dir" && i + 1 < args.length) dir = args[i + 1];
    else if (args[i].startsWith("--output-dir=")) dir = args[i].slice("--output-dir=".length);
  }
  const full = resolve(cwd, dir);
  if (isWithin(full, workspace)) return null;
  mkdirSync(full, { recursive: true });
  return realpathSync(full);
}

const [wasmArg, ...args] = process.argv.slice(2);
if (!wasmArg) {
  process.stderr.write("usage: node attest-kit-wasm.mjs ATTEST_KIT_WASM [COMMAND] [ARGS...]\n");
  process.exit(2);
}
const wasmPath = resolve(wasmArg);
const bytes = checkDigest(wasmPath);

const cwd = realpathSync(process.cwd());
const workspace = realpathSync(process.env.GITHUB_WORKSPACE || cwd);
if (!isWithin(cwd, workspace)) {
  fail(`the current directory ${cwd} is outside the workspace ${workspace}`);
}
const dirs = [workspace];
const out = outputDir(args, cwd, workspace);
if (out) dirs.push(out);
if (process.env.RUNNER_TEMP) dirs.push(realpathSync(process.env.RUNNER_TEMP));
// The runner's output and summary files live in RUNNER_TEMP on GitHub; where a runner puts them
// elsewhere (act does), their own directories are opened, not more.
for (const name of ["GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"]) {
  const file = process.env[name];
  if (!file || !isAbsolute(file)) continue;
  let dir;
  try {
    dir = realpathSync(dirname(file));
  } catch {
    continue; // the module reports the missing file itself
  }
  if (!dirs.some((d) => isWithin(dir, d))) dirs.push(dir);
}
const preopens = {};
for (const dir of dirs) preopens[toGuest(dir)] = dir;

const env = {};
for (const [key, value] of Object.entries(process.env)) {
  if (PASSED_PREFIXES.some((p) => key.startsWith(p)) || PASSED_NAMES.includes(key)) {
    // Paths the runner hands over (GITHUB_OUTPUT, RUNNER_TEMP...) in the module's spelling.
    env[key] = isAbsolute(value) ? toGuest(value) : value;
  }
}
// wasi-libc starts in the directory PWD names; relative paths resolve from there.
env.PWD = toGuest(cwd);

const wasi = new WASI({
  version: "preview1",
  args: ["attest-kit", ...args],
  env,
  preopens,
  returnOnExit: true,
});
const module = await WebAssembly.compile(bytes);
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
