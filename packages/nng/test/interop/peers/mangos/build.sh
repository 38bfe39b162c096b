#!/usr/bin/env bash
# Builds the mangos interop peer into build/mangos-peer (git-ignored). Run by
# the nng package's vitest globalSetup; also usable by hand. mangos comes from
# the Go module proxy by the exact version go.mod pins (go.sum checks it).
set -euo pipefail
if ! command -v go >/dev/null 2>&1; then
  echo "go is not on PATH (Go >= 1.21 builds the mangos peer)" >&2
  exit 127
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../../../.." && pwd)"
# shellcheck source=/dev/null
source "$root/scripts/go-env.sh"
cd "$here"
go build -trimpath -o build/mangos-peer .
