#!/usr/bin/env bash
# Captures the go-sdk test vectors from eKuiper's real Go SDK (see main.go and
# README.md). Usage: ./capture.sh [output folder]   (default: ../../vectors/go-sdk)
# Sets up the Go module proxy (scripts/go-env.sh) and runs the tool from its folder.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v go >/dev/null 2>&1 || {
  echo "capture-go: the Go toolchain (go >= 1.25) is not on PATH" >&2
  exit 1
}
out="${1:-}"
if [ -n "$out" ]; then out="$(mkdir -p "$out" && cd "$out" && pwd)"; fi
# shellcheck source=../../../scripts/go-env.sh
source "$here/../../../scripts/go-env.sh"
export GOTOOLCHAIN=local
cd "$here"
exec go run . ${out:+"$out"}
