#!/usr/bin/env bash
# Builds the Go mirror twice and packs each build as a portable-plugin zip:
#   build/mirror       + build/mirror.zip       against the newest SDK (go.mod)
#   build/mirror-2023  + build/mirror-2023.zip  against the 2023 SDK eKuiper's
#                                               own example pins (go.2023.mod)
# Each zip holds mirror.json, the executable `mirror` (0755) and
# sources/random.yaml, sources/random.json, sinks/file.json, functions/echo.json,
# with fixed timestamps (scripts/pack-zip.py). The binaries are static
# (CGO_ENABLED=0) and built with -trimpath and without VCS stamps, so the same
# sources and toolchain give the same bytes. `build.sh vet` runs go vet
# against both SDKs instead.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=../../scripts/go-env.sh
command -v go >/dev/null 2>&1 || {
  echo "go-mirror: the Go toolchain (go >= 1.25, see go.mod) is not on PATH" >&2
  exit 1
}
source "$root/scripts/go-env.sh"
export CGO_ENABLED=0
cd "$here"
if [ "${1:-}" = "vet" ]; then # `npm test`: go vet against both SDKs
  go vet .
  go vet -modfile=go.2023.mod .
  exit 0
fi
mkdir -p build
flags=(-trimpath -buildvcs=false -ldflags=-buildid=)
go build "${flags[@]}" -o build/mirror .
go build "${flags[@]}" -modfile=go.2023.mod -o build/mirror-2023 .
meta=(mirror.json sources/random.yaml sources/random.json sinks/file.json functions/echo.json)
pack() {
  "${PYTHON:-python3}" "$root/scripts/pack-zip.py" "build/$1.zip" "$here" \
    --exec mirror mirror.json "mirror=build/$1" "${meta[@]:1}"
}
pack mirror
pack mirror-2023
