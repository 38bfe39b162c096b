# Exact versions of what the CI pipeline installs for itself (sourced by
# .ci/run and scripts/packaging/fresh-folder.sh). Node lines beside the
# machine's own: the LTS lines, from the npm registry's `node` package.
NODE_EXTRA_VERSIONS="22.23.3 24.21.0"
# The slowest suites run under one of those versions each, not under every one, to keep
# .ci/run near 30 minutes; every other suite runs under each ("<workspace>=<version>").
# All of them run under the machine's Node in `npm test` too.
NODE_MATRIX_ONE_VERSION="packages/host=22.23.3 chaos=22.23.3 conformance=24.21.0"
# The local registry of the packaging check; it needs Node 22 or newer.
VERDACCIO_VERSION=6.10.4
VERDACCIO_NODE_VERSION=22.23.3
