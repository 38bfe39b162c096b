# Sourced by every script that builds Go code (examples/go-mirror, the mangos
# interop peer, the Go bench plugin). eKuiper's Go SDK is not served by the
# public Go module proxy on every machine; when a module-proxy folder
# `shared/goproxy` sits beside the repository (as on this project's machines
# and CI), it is put first in GOPROXY for that one module. Everything else
# comes from the normal proxy, by the exact versions the go.mod files pin.
# Usage: source scripts/go-env.sh   (from any folder; bash)
_go_env_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_go_env_proxy="$(cd "$_go_env_root/.." && pwd)/shared/goproxy"
if [ -d "$_go_env_proxy" ]; then
  GOPROXY="file://$_go_env_proxy,$(go env GOPROXY)"
  export GOPROXY
  export GONOSUMDB="${GONOSUMDB:+$GONOSUMDB,}github.com/lf-edge/ekuiper/sdk/go"
fi
export GOFLAGS="${GOFLAGS:-} -mod=readonly"
unset _go_env_root _go_env_proxy
