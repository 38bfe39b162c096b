#!/usr/bin/env bash
# Builds build/mirror.zip in the portable-plugin package layout:
#   mirror.json  mirror.py  random_source.py  file_sink.py  echo_func.py
#   sources/random.yaml  sources/random.json  sinks/file.json  functions/echo.json
# The zip is reproducible (scripts/pack-zip.py): fixed entry order,
# timestamps and permissions.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"${PYTHON:-python3}" "$here/../../scripts/pack-zip.py" "$here/build/mirror.zip" "$here" \
  --exec mirror.py \
  mirror.json mirror.py random_source.py file_sink.py echo_func.py \
  sources/random.yaml sources/random.json sinks/file.json functions/echo.json
