#!/usr/bin/env bash
# Runs every workspace's test suite and the repository tests again under other
# Node.js versions (default: NODE_EXTRA_VERSIONS of scripts/ci/versions.sh),
# after the packages were built once with the machine's Node. Each version runs
# in its own mount namespace where native addons (nanomsg) rebuilt for its ABI
# are bound over the machine's.
#   --serial (what .ci/run uses, after `npm test`): one version after another,
#     in the machine's /tmp and working tree, like `npm test` itself.
#   default: all versions at once, each also with a private /tmp (the reference
#     SDKs use fixed socket paths there) and a copy-on-write view of the tree
#     (overlayfs). Faster, but a run beside it that writes into the tree (such
#     as `npm test`) changes the overlay's lower layer under it, and the
#     conformance suite's own private /tmp cannot see a tree under /tmp
#     through it: use it only alone, with the tree outside /tmp.
# The suites named in NODE_MATRIX_ONE_VERSION (versions.sh) run under the version
# given there only, when the versions come from versions.sh.
# Prints each package's duration per version; exits non-zero if any suite failed.
# Needs root (unshare, mount). Usage: scripts/ci/node-matrix.sh [--serial] [VERSION...]
set -euo pipefail
# A failure inside $(...) stops the script too.
shopt -s inherit_errexit
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=versions.sh
source "$root/scripts/ci/versions.sh"
serial=0
if [ "${1:-}" = --serial ]; then serial=1; shift; fi
read -r -a versions <<<"${*:-$NODE_EXTRA_VERSIONS}"
work="$(mktemp -d "${TMPDIR:-/tmp}/portable-matrix.XXXXXX")"
pids=()
stages=()
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  # Only empty mount points are left in a stage folder once its namespace is gone.
  for s in "${stages[@]}"; do rmdir "$s"/* "$s" 2>/dev/null || true; done
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
# Packages with a compiled addon (build/Release/*.node) directly under node_modules.
mapfile -t addons < <(cd "$root" && find node_modules -mindepth 4 -maxdepth 5 -name '*.node' |
  grep -E '^node_modules/(@[^/]+/)?[^/.][^/]*/build/Release/[^/]+\.node$' |
  sed -E 's#/build/Release/[^/]+$##' | sort -u)

# Installs Node $1 and builds the addons for it; prints "bin-dir mounts...".
prepare() {
  local v="$1" bin dir out mounts=""
  bin="$(bash "$root/scripts/ci/node-bin.sh" "$v")"
  dir="$(dirname "$(readlink -f "$bin")")"
  for pkg in "${addons[@]}"; do
    out="$root/node_modules/.portable-ci/node-$v/${pkg#node_modules/}"
    if [ ! -f "$out/.built" ]; then
      rm -rf "$out" && mkdir -p "$(dirname "$out")" && cp -r "$root/$pkg" "$out" && rm -rf "$out/build"
      (cd "$out" && PATH="$dir:$PATH" node "$gyp" rebuild --nodedir="$dir/.." -j 2 >"$work/gyp-$v.log" 2>&1) ||
        { echo "node-matrix: building $pkg for Node $v failed:" >&2; tail -n 20 "$work/gyp-$v.log" >&2; exit 1; }
      touch "$out/.built"
    fi
    mounts+=" $out/build/Release:$root/$pkg/build/Release"
  done
  echo "$dir$mounts"
}

# The body run inside the namespace: $1 bin dir, $2 version, rest mounts.
inner='set -euo pipefail
dir="$1"; v="$2"; shift 2
if [ "$ISOLATE" = 1 ]; then
# Keep the repository, shared/ beside it and the log folder in sight when they
# live under /tmp, which gets a fresh tmpfs.
stage="$STAGE"
keep=("$ROOT" "$LOGS")
[ -d "$ROOT/../shared" ] && keep+=("$(cd "$ROOT/../shared" && pwd)")
for i in "${!keep[@]}"; do mkdir -p "$stage/$i" && mount --bind "${keep[$i]}" "$stage/$i"; done
mount -t tmpfs tmpfs /tmp
for i in "${!keep[@]}"; do mkdir -p "${keep[$i]}" && mount --bind "$stage/$i" "${keep[$i]}"; done
[ -z "${TMPDIR:-}" ] || mkdir -p "$TMPDIR"
mkdir -p /tmp/.ov/upper /tmp/.ov/work
mount -t overlay overlay -o "lowerdir=$ROOT,upperdir=/tmp/.ov/upper,workdir=/tmp/.ov/work" "$ROOT"
fi
for m in "$@"; do mount --bind "${m%%:*}" "${m#*:}"; done
export PATH="$dir:$PATH"
cd "$ROOT"
[ "$(node --version)" = "v$v" ] || { echo "node is $(node --version), not v$v" >&2; exit 1; }
status=0
# Every workspace with a test script, then the repository tests (scripts/test) as "repo".
for ws in $(npm query ".workspace:attr(scripts, [test])" | node -e "for (const p of JSON.parse(require(\"node:fs\").readFileSync(0, \"utf8\"))) console.log(p.location)") repo; do
  only=""
  for pair in $ONE_VERSION; do [ "${pair%%=*}" = "$ws" ] && only="${pair#*=}"; done
  if [ -n "$only" ] && [ "$only" != "$v" ]; then
    echo "node-matrix: [v$v] $ws: runs under Node $only only (NODE_MATRIX_ONE_VERSION)"
    continue
  fi
  start=$SECONDS
  if [ "$ws" = repo ]; then cmd=(npm run --silent test:repo); dir=.; else cmd=(npm run --silent test); dir="$ws"; fi
  if (cd "$dir" && "${cmd[@]}") >"$LOGS/$ws.log" 2>&1; then r=ok; else r=FAILED; status=1; fi
  echo "$ws $((SECONDS - start)) $r" >>"$LOGS/times"
  echo "node-matrix: [v$v] $ws: $r in $((SECONDS - start)) s"
done
exit $status'

# With versions given on the command line, every suite runs under each of them.
one_version="$([ $# -eq 0 ] && echo "${NODE_MATRIX_ONE_VERSION:-}" || true)"
started=$SECONDS
# Install and build first, so that the suites start together and no compiler
# runs beside them.
declare -A prepared
for v in "${versions[@]}"; do prepared[$v]="$(prepare "$v")"; done
for v in "${versions[@]}"; do
  read -r -a prep <<<"${prepared[$v]}"
  mkdir -p "$work/$v"
  # Each log folder name is the workspace's path with / kept: make them.
  (cd "$root" && npm query ".workspace" | node -e 'for (const p of JSON.parse(require("node:fs").readFileSync(0,"utf8"))) console.log(p.location)') |
    while read -r ws; do mkdir -p "$work/$v/$(dirname "$ws")"; done
  echo "node-matrix: [$((SECONDS - started))s] Node $v: running every workspace's tests"
  stage="$(mktemp -d /run/portable-matrix.XXXXXX)"
  stages+=("$stage")
  ROOT="$root" LOGS="$work/$v" STAGE="$stage" ISOLATE=$((1 - serial)) ONE_VERSION="$one_version" CI="${CI:-}" setsid unshare -m --propagation private \
    bash -c "$inner" inner "${prep[0]}" "$v" "${prep[@]:1}" >"$work/$v.out" 2>&1 &
  pids+=("$!")
  if [ "$serial" = 1 ]; then
    wait "$!" && echo 0 >"$work/$v.rc" || echo 1 >"$work/$v.rc"
  fi
done

status=0
for i in "${!versions[@]}"; do
  v="${versions[$i]}"
  if [ "$serial" = 0 ]; then wait "${pids[$i]}" && echo 0 >"$work/$v.rc" || echo 1 >"$work/$v.rc"; fi
  [ "$(cat "$work/$v.rc")" = 0 ] || status=1
  cat "$work/$v.out"
  if grep -q FAILED "$work/$v/times" 2>/dev/null || [ ! -s "$work/$v/times" ]; then
    for f in $(awk '$3 == "FAILED" { print $1 }' "$work/$v/times" 2>/dev/null); do
      echo "--- Node $v, $f (last lines)"
      tail -n 60 "$work/$v/$f.log"
    done
  fi
done
pids=()
# The vitest summaries, for .ci/run's count: one line per package and version.
for v in "${versions[@]}"; do
  for f in "$work/$v"/*.log "$work/$v"/*/*.log; do
    [ -f "$f" ] || continue
    sed -E 's/\x1b\[[0-9;]*m//g' "$f" | grep -E '^ +Tests +' | sed "s#^#node-matrix: [v$v] ${f#"$work/$v/"}: #" || true
  done
done
echo "node-matrix: per-package test time in seconds ($([ "$serial" = 1 ] && echo "one version after another" || echo "all versions at once"): ${versions[*]})"
for v in "${versions[@]}"; do
  echo "  Node $v: $(awk '{ printf "%s %ss%s, ", $1, $2, ($3 == "ok" ? "" : " FAILED"); t += $2 } END { printf "total %d s", t }' "$work/$v/times" 2>/dev/null)"
done
echo "node-matrix: wall time $((SECONDS - started)) s; $([ $status = 0 ] && echo ok || echo FAILED)"
exit "$status"
