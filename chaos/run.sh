#!/usr/bin/env bash
# `npm run chaos`: runs src/cli.ts in a private /tmp when it can (root and
# `unshare`): the reference SDKs put their sockets at fixed paths in /tmp
# (plugin_mirror.ipc, func_echo.ipc), which any other run on the machine
# would collide with. Elsewhere it runs as is: keep the machine quiet then.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [ -z "${PORTABLE_CHAOS_ISOLATED:-}" ] && [ "$(id -u)" = "0" ] && command -v unshare >/dev/null; then
  exec unshare -m --propagation private bash -c \
    'mount -t tmpfs tmpfs /tmp && PORTABLE_CHAOS_ISOLATED=1 exec npx tsx --expose-gc src/cli.ts "$@"' bash "$@"
fi
exec npx tsx --expose-gc src/cli.ts "$@"
