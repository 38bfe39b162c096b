#!/usr/bin/env bash
# Installs the real peers the test pipeline talks to, so that a clean clone on a
# fresh machine needs nothing installed by hand:
#   - .venv/ : Python venv with the eKuiper Python SDK (PyPI `ekuiper`) and pynng (libnng)
#   - nngcat : Debian's nng-utils (a further libnng peer), when apt is usable
#   - redis-server : Debian's redis-server, the host state store's Redis backend
#     (the tests start their own server on a free port; the service is not used)
# Idempotent: a second run only checks. Versions are pinned in scripts/requirements-peers.txt.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
req="$root/scripts/requirements-peers.txt"
python="${PYTHON:-python3}"

stamp="$venv/.installed-$(sha256sum "$req" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "setup-peers: creating Python venv in .venv (ekuiper SDK, pynng)"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  touch "$stamp"
fi

if ! command -v nngcat >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup-peers: installing nng-utils (nngcat)"
    (apt-get install -y -qq nng-utils >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq nng-utils >/dev/null 2>&1; }) \
      || echo "setup-peers: could not install nng-utils" >&2
  fi
fi
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup-peers: installing redis-server"
    (apt-get install -y -qq redis-server >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq redis-server >/dev/null 2>&1; }) \
      || echo "setup-peers: could not install redis-server" >&2
  fi
fi
echo "setup-peers: ok ($("$venv/bin/python" -c 'import pynng, ekuiper; print("pynng", pynng.__version__)' 2>/dev/null || echo 'python peers missing'))"
