// Symlinks of a package (from an archive or a copied folder), placed after
// every regular file is written so no write can go through one, then resolved
// for real: a link, or a chain of links, that leaves the package is refused.

import { mkdir, readlink, realpath, rm, symlink } from "node:fs/promises";
import { posix, resolve, sep } from "node:path";
import { PackageError } from "./errors.js";

export interface PendingLink {
  /** The link's path inside the package, '/'-separated. */
  readonly key: string;
  /** The link's target as stored. */
  readonly target: string;
}

function zipError(message: string, path: string): PackageError {
  return new PackageError("PORTABLE_E_ZIP", message, { path });
}

function inside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root + sep);
}

/** Creates the links in `destDir`, then refuses any that resolves outside it. */
export async function placeSymlinks(destDir: string, links: readonly PendingLink[]): Promise<void> {
  if (links.length === 0) return;
  const root = await realpath(destDir);
  for (const { key, target } of links) {
    if (target === "" || target.includes("\0"))
      throw zipError(`symlink ${key} has an empty target`, key);
    if (posix.isAbsolute(target) || /^[A-Za-z]:/.test(target) || target.includes("\\")) {
      throw zipError(`symlink ${key} points outside the package (${target})`, key);
    }
    const joined = posix.normalize(posix.join(posix.dirname(key), target));
    if (joined === ".." || joined.startsWith("../")) {
      throw zipError(`symlink ${key} points outside the package (${target})`, key);
    }
    await mkdir(resolve(destDir, key, ".."), { recursive: true });
    await symlink(target, resolve(destDir, key));
  }
  // A chain of links can escape even when each target looks inside: resolve them all.
  for (const { key } of links) {
    const abs = resolve(destDir, key);
    let real: string;
    try {
      real = await realpath(abs);
    } catch {
      throw zipError(
        `symlink ${key} -> ${await readlink(abs)} does not resolve inside the package`,
        key,
      );
    }
    if (!inside(root, real)) {
      await rm(abs, { force: true });
      throw zipError(`symlink ${key} resolves outside the package (${real})`, key);
    }
  }
}
