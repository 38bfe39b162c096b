#!/usr/bin/env python3
"""Packs a portable-plugin zip reproducibly (used by the examples' build/pack scripts).

Usage: pack-zip.py OUT ROOT [--exec NAME]... ENTRY...
  ENTRY is `name` (the file ROOT/name, stored as name) or `name=path` (the
  file at path, relative to ROOT, stored as name). Entries are written in the
  order given, with a fixed timestamp (2020-01-01 00:00) and mode 0644, or
  0755 for each entry named by --exec, so the same inputs give the same bytes.
  The zip is written next to OUT and renamed into place.
"""
import os
import sys
import zipfile


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    out, root, rest = argv[0], argv[1], argv[2:]
    executables, entries = set(), []
    while rest:
        arg = rest.pop(0)
        if arg == "--exec":
            if not rest:
                sys.exit("pack-zip: --exec needs an entry name")
            executables.add(rest.pop(0))
        else:
            name, _, path = arg.partition("=")
            entries.append((name, path or name))
    missing = sorted(executables - {name for name, _ in entries})
    if missing:
        sys.exit(f"pack-zip: --exec names no entry: {', '.join(missing)}")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    tmp = out + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for name, path in entries:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            mode = 0o755 if name in executables else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(os.path.join(root, path), "rb") as f:
                z.writestr(info, f.read())
    os.replace(tmp, out)
    print(out)


if __name__ == "__main__":
    main(sys.argv[1:])
