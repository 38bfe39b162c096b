// Installing from a folder: its tree is measured first (entries, sizes, file
// types) and refused before anything is copied when it breaks a limit; then
// it is copied into the staging folder under the same limits and link rules
// as an archive, so a folder install is never a way around them.

import { chmod, copyFile, lstat, mkdir, readdir, readlink, stat } from "node:fs/promises";
import { join } from "node:path";
import { PackageError } from "./errors.js";
import { type PendingLink, placeSymlinks } from "./safe-links.js";
import type { ExtractLimits } from "./unzip.js";

function limitError(message: string, path: string): PackageError {
  return new PackageError("PORTABLE_E_ZIP_LIMIT", message, { path });
}

type Item =
  | { readonly kind: "dir"; readonly key: string }
  | { readonly kind: "link"; readonly key: string; readonly target: string }
  | { readonly kind: "file"; readonly key: string; readonly mode: number };

/** Walks `src` without copying; throws as soon as the tree breaks a limit. */
async function measure(src: string, limits: ExtractLimits): Promise<Item[]> {
  const items: Item[] = [];
  const state = { entries: 0, bytes: 0 };
  async function walk(rel: string): Promise<void> {
    const names = await readdir(join(src, rel));
    for (const name of names.sort()) {
      const key = rel ? `${rel}/${name}` : name;
      state.entries += 1;
      if (state.entries > limits.maxEntries) {
        throw limitError(`folder has more than ${limits.maxEntries} entries`, key);
      }
      const from = join(src, key);
      const info = await lstat(from);
      if (info.isSymbolicLink()) {
        items.push({ kind: "link", key, target: await readlink(from) });
      } else if (info.isDirectory()) {
        items.push({ kind: "dir", key });
        await walk(key);
      } else if (info.isFile()) {
        if (info.size > limits.maxEntryBytes) {
          throw limitError(
            `file ${key} has ${info.size} bytes, more than ${limits.maxEntryBytes}`,
            key,
          );
        }
        state.bytes += info.size;
        if (state.bytes > limits.maxTotalBytes) {
          throw limitError(`folder holds more than ${limits.maxTotalBytes} bytes in total`, key);
        }
        items.push({ kind: "file", key, mode: (info.mode & 0o777) | 0o600 });
      } else {
        throw new PackageError("PORTABLE_E_ZIP", `${key} is not a regular file, folder or link`, {
          path: key,
        });
      }
    }
  }
  await walk("");
  return items;
}

/** Copies the tree at `src` into the existing, empty `dest`. */
export async function copyFolder(src: string, dest: string, limits: ExtractLimits): Promise<void> {
  const items = await measure(src, limits);
  const links: PendingLink[] = [];
  let bytes = 0;
  for (const item of items) {
    const to = join(dest, item.key);
    if (item.kind === "dir") await mkdir(to);
    else if (item.kind === "link") links.push({ key: item.key, target: item.target });
    else {
      await copyFile(join(src, item.key), to);
      // The folder may have changed since it was measured: count what was copied.
      const { size } = await stat(to);
      bytes += size;
      if (size > limits.maxEntryBytes || bytes > limits.maxTotalBytes) {
        throw limitError(`file ${item.key} grew past the limits while being copied`, item.key);
      }
      await chmod(to, item.mode);
    }
  }
  await placeSymlinks(dest, links);
}
