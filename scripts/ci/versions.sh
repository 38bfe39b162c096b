# Exact versions of what the CI pipeline installs for itself (sourced by
# .ci/run and scripts/packaging/fresh-folder.sh). Node lines beside the
# machine's own: the LTS lines, from the npm registry's `node` package.
NODE_EXTRA_VERSIONS="22.23.3 24.21.0"
# The local registry of the packaging check; it needs Node 22 or newer.
VERDACCIO_VERSION=6.10.4
VERDACCIO_NODE_VERSION=22.23.3
