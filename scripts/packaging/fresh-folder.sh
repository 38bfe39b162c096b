#!/usr/bin/env bash
# Packaging as users get it: starts a local registry (verdaccio, exact pinned
# version, installed here), publishes every publishable workspace package to
# it (discovered with `npm query`, not listed by hand), then, in an empty
# folder outside the repository, installs them from there and runs the three
# commands a user runs: `npx portable-pack` on a fresh minimal plugin and on a
# copy of the TypeScript mirror, `npx portable-conformance` on the packed
# mirror, and `npx portable serve` with an install through its REST API.
# Everything it starts is stopped on exit, failure included; the failing step
# is named. Needs the packages built (`npm run build`). Set KEEP=1 to keep the
# work folder for a look.
set -euo pipefail
# A failure inside $(...) stops the script too.
shopt -s inherit_errexit
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../ci/versions.sh
source "$root/scripts/ci/versions.sh"
# verdaccio-audit asks for node-fetch's `cjs` dist-tag, which not every registry
# serves; 2.7.0 is the version that tag names.
NODE_FETCH_CJS=2.7.0
cache="${PORTABLE_CI_CACHE:-$root/.cache/ci}"
work="$(mktemp -d "${TMPDIR:-/tmp}/portable-fresh.XXXXXX")"
step="set-up"
pids=()
started=$SECONDS

free_port() {
  node -e 'const s=require("node:net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
# Starts "$@" in its own process group (setsid) with output to log file $1.
start_group() {
  local log="$1"
  shift
  setsid "$@" >"$log" 2>&1 &
  pids+=("$!")
  last_pid=$!
}
# True while process group $1 has a process that is not a zombie (an exited
# child not yet reaped still answers kill -0).
group_alive() {
  ps -eo pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}
stop_group() {
  local pid="$1"
  group_alive "$pid" || return 0
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 50); do group_alive "$pid" || return 0; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do stop_group "$pid"; done
  if [ "$rc" -ne 0 ]; then
    echo "packaging: FAILED at step '$step' (exit $rc); logs:" >&2
    for f in "$work"/*.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 40 "$f" >&2; }; done
  fi
  if [ "${KEEP:-}" = 1 ]; then echo "packaging: kept $work"; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
set -E
trap 'echo "packaging: failed: $BASH_COMMAND (line $LINENO)" >&2' ERR
trap 'exit 130' INT TERM
begin() {
  step="$1"
  echo "packaging: [$((SECONDS - started))s] $step"
}
# Waits until curl gets an answer from URL $1 (at most $2 tenths of a second)
# while the process group $3 lives.
wait_http() {
  for _ in $(seq "$2"); do
    curl -sf -o /dev/null "$1" && return 0
    group_alive "$3" || { echo "the server of $1 exited" >&2; return 1; }
    sleep 0.1
  done
  echo "no answer from $1" >&2
  return 1
}

begin "install verdaccio $VERDACCIO_VERSION"
vdir="$cache/verdaccio-$VERDACCIO_VERSION"
if [ ! -x "$vdir/node_modules/.bin/verdaccio" ]; then
  rm -rf "$vdir" && mkdir -p "$vdir"
  printf '{"private":true,"dependencies":{"verdaccio":"%s"},"overrides":{"node-fetch":"%s"}}\n' \
    "$VERDACCIO_VERSION" "$NODE_FETCH_CJS" >"$vdir/package.json"
  (cd "$vdir" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi

vnode="$(bash "$root/scripts/ci/node-bin.sh" "$VERDACCIO_NODE_VERSION")"

begin "start verdaccio"
port="$(free_port)"
registry="http://127.0.0.1:$port/"
cat >"$work/verdaccio.yaml" <<EOF
storage: $work/storage
auth:
  htpasswd:
    file: $work/htpasswd
uplinks: {}
packages:
  "@portable-plugins/*":
    access: \$all
    publish: \$authenticated
log: { type: stdout, format: pretty, level: warn }
EOF
start_group "$work/verdaccio.log" "$vnode" "$vdir/node_modules/verdaccio/bin/verdaccio" \
  --config "$work/verdaccio.yaml" --listen "127.0.0.1:$port"
wait_http "${registry}-/ping" 300 "$last_pid"
token="$(curl -sf -X PUT -H 'content-type: application/json' \
  -d '{"name":"ci","password":"ci-password"}' "${registry}-/user/org.couchdb.user:ci" |
  node -e 'console.log(JSON.parse(require("node:fs").readFileSync(0,"utf8")).token)')"
# Only our scope comes from the local registry; everything else from the usual one.
export NPM_CONFIG_USERCONFIG="$work/npmrc"
printf '@portable-plugins:registry=%s\n//127.0.0.1:%s/:_authToken=%s\n' "$registry" "$port" "$token" \
  >"$NPM_CONFIG_USERCONFIG"

begin "publish every publishable workspace package"
mapfile -t packages < <(cd "$root" && npm query .workspace |
  node -e 'for (const p of JSON.parse(require("node:fs").readFileSync(0,"utf8")))
    if (!p.private) console.log(`${p.name}@${p.version} ${p.location}`)')
[ "${#packages[@]}" -gt 0 ] || { echo "no publishable workspace package" >&2; exit 1; }
for entry in "${packages[@]}"; do
  step="publish ${entry% *}"
  (cd "$root/${entry#* }" && npm publish --registry "$registry" --access public --loglevel=error \
    >>"$work/publish.log" 2>&1)
  echo "packaging:   published ${entry% *}"
done

begin "install the published packages in an empty folder"
app="$work/app"
mkdir -p "$app"
cd "$app"
npm init -y >/dev/null
names=()
for entry in "${packages[@]}"; do names+=("${entry% *}"); done
npm install --no-audit --no-fund --prefer-online --loglevel=error "${names[@]}" >"$work/install.log" 2>&1
# What was installed is what the local registry serves (same integrity), not
# a copy of the repository or of another registry.
for entry in "${packages[@]}"; do
  spec="${entry% *}"
  name="${spec%@*}"
  want="$(npm view "$spec" dist.integrity --registry "$registry")"
  got="$(node -e 'console.log(require("./package-lock.json").packages["node_modules/"+process.argv[1]]?.integrity ?? "")' "$name")"
  [ -n "$want" ] && [ "$got" = "$want" ] || { echo "$name: installed '$got', the local registry serves '$want'" >&2; exit 1; }
done

begin "npx portable-pack on a fresh one-function plugin"
mkdir -p upper/src
cat >upper/upper.json <<'EOF'
{ "version": "v1.0.0", "language": "nodejs", "executable": "main.js", "functions": ["upper"] }
EOF
cat >upper/src/main.ts <<'EOF'
import { definePlugin, startPlugin } from "@portable-plugins/sdk";

const upper = definePlugin({
  name: "upper",
  functions: {
    upper: () => ({
      validate: () => {},
      exec: (args: unknown[]) => String(args[0]).toUpperCase(),
      isAggregate: () => false,
    }),
  },
});
startPlugin(upper).catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
EOF
npx --no-install portable-pack --dir upper --entry src/main.ts --out "$app/upper.zip" >"$work/pack-upper.log" 2>&1
test -s "$app/upper.zip"

begin "npx portable-pack on a copy of the TypeScript mirror"
mkdir -p mirror
for f in src mirror.json sources sinks functions; do cp -r "$root/examples/mirror/$f" mirror/; done
npx --no-install portable-pack --dir mirror --entry src/main.ts --out "$app/mirror.zip" >"$work/pack-mirror.log" 2>&1

begin "npx portable-conformance on the packed mirror"
conf="$app/node_modules/@portable-plugins/conformance"
npx --no-install portable-conformance mirror.zip --profile "$conf/profiles/mirror.yaml" --versions 1,2 \
  --known-failures "$conf/known-failures/ts-sdk.txt" --json "$work/conformance.json" \
  >"$work/conformance.log" 2>&1 || { tail -n 30 "$work/conformance.log" >&2; exit 1; }
tail -n 3 "$work/conformance.log"

begin "npx portable serve, install through REST, stop"
sport="$(free_port)"
api="http://127.0.0.1:$sport"
start_group "$work/serve.log" npx --no-install portable serve --port "$sport" --data-dir "$work/data"
serve_pid=$last_pid
wait_http "$api/ping" 300 "$serve_pid"
curl -sf -X POST -H 'content-type: application/json' \
  -d "{\"name\":\"upper\",\"file\":\"file://$app/upper.zip\"}" "$api/plugins/portables" >/dev/null
curl -sf "$api/plugins/portables" | grep -q '"upper"' || { echo "upper is not listed" >&2; exit 1; }
npx --no-install portable --server "$api" list >"$work/list.log" 2>&1
grep -q upper "$work/list.log" || { echo "portable list does not show upper" >&2; exit 1; }
# Stop the server process itself (npx does not pass SIGTERM on), as a service
# manager would; npx, the server and its plugin must all be gone after it.
server="$(ps -eo pgid=,pid=,args= | awk -v g="$serve_pid" '$1 == g && /bin\/portable serve/ { print $2 }')"
[ -n "$server" ] || { echo "no portable serve process under npx" >&2; exit 1; }
kill -TERM $server
for _ in $(seq 100); do group_alive "$serve_pid" || break; sleep 0.1; done
if group_alive "$serve_pid"; then
  ps -eo pgid=,pid=,stat=,args= | awk -v g="$serve_pid" '$1 == g' >&2
  echo "portable serve or its plugin still runs 10 s after SIGTERM" >&2
  exit 1
fi
serve_status=0
wait "$serve_pid" || serve_status=$?
echo "packaging:   portable serve stopped on SIGTERM (exit status $serve_status)"

step="done"
echo "packaging: ok in $((SECONDS - started))s (${#packages[@]} packages: ${names[*]})"
