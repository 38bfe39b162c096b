#!/usr/bin/env bash
# Builds the Go bench plugin (bench/plugins/go, eKuiper's Go SDK at the
# version its go.mod pins), the Go cold-start floor (an empty Go program) and
# the bench's Go host (bench/peers/go-host) into bench/.build/go/, which git
# ignores. Run by the bench itself before it measures (src/plugins.ts); also
# `npm run build:go` in bench/.
# Usage: bash bench/scripts/build-go.sh   (from any folder)
set -euo pipefail
bench="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v go >/dev/null || { echo "build-go.sh: no \`go\` on PATH (Go 1.25 or newer is needed)" >&2; exit 127; }
# shellcheck source=../../scripts/go-env.sh
source "$bench/../scripts/go-env.sh"
out="$bench/.build/go"
mkdir -p "$out"
cd "$bench/plugins/go"
go build -o "$out/benchgo" .
go build -o "$out/exit0" ./exit0
# The bench's minimal Go host (mangos, pinned in its own go.mod): the "Go
# host" rows of the Exec scenario drive the plugin above with it.
cd "$bench/peers/go-host"
go build -o "$out/go-host" .
