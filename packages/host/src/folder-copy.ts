// Installing from a folder: its tree is copied into the staging folder under
// the same limits and link rules as an archive, so a folder install is never
// a way around them.

import { chmod, copyFile, lstat, mkdir, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";
import { HostError } from "./errors.js";
import { type PendingLink, placeSymlinks } from "./safe-links.js";
import type { ExtractLimits } from "./unzip.js";

function limitError(message: string, path: string): HostError {
  return new HostError("PORTABLE_E_ZIP_LIMIT", message, { path });
}

/** Copies the tree at `src` into the existing, empty `dest`. */
export async function copyFolder(src: string, dest: string, limits: ExtractLimits): Promise<void> {
  const links: PendingLink[] = [];
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
      const to = join(dest, key);
      const info = await lstat(from);
      if (info.isSymbolicLink()) {
        links.push({ key, target: await readlink(from) });
      } else if (info.isDirectory()) {
        await mkdir(to);
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
          throw limitError(`folder exceeds ${limits.maxTotalBytes} bytes in total`, key);
        }
        await copyFile(from, to);
        await chmod(to, (info.mode & 0o777) | 0o600);
      } else {
        throw new HostError("PORTABLE_E_ZIP", `${key} is not a regular file, folder or link`, {
          path: key,
        });
      }
    }
  }

  await walk("");
  await placeSymlinks(dest, links);
}
