#!/usr/bin/env bash
# Builds build/mirror.zip in the portable-plugin package layout:
#   mirror.json  mirror.py  random_source.py  file_sink.py  echo_func.py
#   sources/random.yaml  sources/random.json  sinks/file.json  functions/echo.json
# The zip is reproducible: fixed entry order, timestamps and permissions.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/build/mirror.zip"
python="${PYTHON:-python3}"
mkdir -p "$here/build"
"$python" - "$here" "$out" <<'PY'
import os, sys, zipfile
root, out = sys.argv[1], sys.argv[2]
files = [
    "mirror.json", "mirror.py", "random_source.py", "file_sink.py", "echo_func.py",
    "sources/random.yaml", "sources/random.json", "sinks/file.json", "functions/echo.json",
]
tmp = out + ".tmp"
with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
    for name in files:
        info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
        mode = 0o755 if name == "mirror.py" else 0o644
        info.external_attr = (0o100000 | mode) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(os.path.join(root, name), "rb") as f:
            z.writestr(info, f.read())
os.replace(tmp, out)
print(out)
PY
