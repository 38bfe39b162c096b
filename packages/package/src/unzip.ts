// Safe extraction of a plugin package into an empty staging folder. The whole
// central directory is checked before a byte is written (escaping paths,
// duplicates, declared sizes per entry and in total, entry count), then every
// entry is checked again while streaming (actual sizes: zip bombs); symlinks
// are created last and must resolve inside the folder.

import { createWriteStream } from "node:fs";
import { chmod, mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import yauzl, { type Entry, type ZipFile } from "yauzl";
import { PackageError } from "./errors.js";
import { type PendingLink, placeSymlinks } from "./safe-links.js";

export interface ExtractLimits {
  /** Largest uncompressed size of one entry, declared or actual. */
  readonly maxEntryBytes: number;
  /** Largest uncompressed size of all entries together, declared or actual. */
  readonly maxTotalBytes: number;
  /** Most entries (files, folders, links) in one archive. */
  readonly maxEntries: number;
}

export const DEFAULT_LIMITS: ExtractLimits = {
  maxEntryBytes: 256 * 1024 * 1024,
  maxTotalBytes: 512 * 1024 * 1024,
  maxEntries: 10_000,
};

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
/** `versionMadeBy` host systems whose external attributes hold a Unix mode. */
const UNIX_HOSTS = new Set([3 /* Unix */, 19 /* OS X */]);
const MAX_LINK_TARGET_BYTES = 4096;

/**
 * The entry's path split into safe segments, or a reason it is unsafe.
 * `.` segments are dropped; `..`, empty segments, absolute paths, drive
 * letters, backslashes and NUL are refused.
 */
export function safeEntrySegments(name: string): string[] | string {
  if (name.includes("\\")) return "backslash in entry name";
  if (name.includes("\0")) return "NUL in entry name";
  if (name.startsWith("/") || /^[A-Za-z]:/.test(name)) return "absolute path";
  const trimmed = name.endsWith("/") ? name.slice(0, -1) : name;
  const segments: string[] = [];
  for (const segment of trimmed.split("/")) {
    if (segment === "..") return "path escapes the package ('..')";
    if (segment === "") return "empty path segment";
    if (segment !== ".") segments.push(segment);
  }
  if (segments.length === 0) return "empty entry name";
  return segments;
}

function zipError(message: string, path?: string, cause?: unknown): PackageError {
  return new PackageError("PORTABLE_E_ZIP", message, {
    ...(path === undefined ? {} : { path }),
    ...(cause === undefined ? {} : { cause }),
  });
}

function limitError(message: string, path?: string): PackageError {
  return new PackageError("PORTABLE_E_ZIP_LIMIT", message, path === undefined ? {} : { path });
}

/** Maps yauzl's own errors (raised while reading the central directory or a stream). */
function fromYauzl(err: unknown, path?: string): PackageError {
  if (err instanceof PackageError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  if (typeof (err as NodeJS.ErrnoException).syscall === "string") {
    // The file system failed (disk full, permissions), not the archive.
    return new PackageError("PORTABLE_E_INSTALL", `cannot unpack ${path ?? "archive"}: ${detail}`, {
      ...(path === undefined ? {} : { path }),
      cause: err,
    });
  }
  if (/too many bytes in the stream/.test(detail)) {
    return limitError(`entry is larger than its declared size (zip bomb?): ${detail}`, path);
  }
  if (/absolute path|invalid relative path|invalid characters in fileName/.test(detail)) {
    return zipError(`unsafe entry name: ${detail}`, path, err);
  }
  return zipError(`corrupt or unreadable zip archive: ${detail}`, path, err);
}

/** Counts bytes through the stream and fails once a limit is passed. */
class ByteLimit extends Transform {
  constructor(
    private readonly entry: string,
    private readonly limits: ExtractLimits,
    private readonly totals: { bytes: number },
  ) {
    super();
  }
  private written = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.written += chunk.length;
    this.totals.bytes += chunk.length;
    if (this.written > this.limits.maxEntryBytes) {
      done(
        limitError(`entry ${this.entry} exceeds ${this.limits.maxEntryBytes} bytes`, this.entry),
      );
    } else if (this.totals.bytes > this.limits.maxTotalBytes) {
      done(limitError(`archive exceeds ${this.limits.maxTotalBytes} bytes in total`, this.entry));
    } else {
      done(null, chunk);
    }
  }
}

interface Tracker {
  readonly files: Set<string>;
  readonly dirs: Set<string>;
}

/** Refuses duplicates and file/folder clashes (`a` as a file and `a/b`). */
function claim(tracker: Tracker, segments: string[], isDir: boolean, name: string): string {
  for (let i = 1; i < segments.length; i++) {
    const prefix = segments.slice(0, i).join("/");
    if (tracker.files.has(prefix)) {
      throw zipError(`entry ${name} lies under ${prefix}, which is a file or link`, name);
    }
    tracker.dirs.add(prefix);
  }
  const key = segments.join("/");
  if (tracker.files.has(key) || (!isDir && tracker.dirs.has(key))) {
    throw zipError(`duplicate entry ${key} in archive`, name);
  }
  (isDir ? tracker.dirs : tracker.files).add(key);
  return key;
}

function unixMode(entry: Entry): number | undefined {
  if (!UNIX_HOSTS.has(entry.versionMadeBy >>> 8)) return undefined;
  const mode = entry.externalFileAttributes >>> 16;
  return mode === 0 ? undefined : mode;
}

async function readSmall(zip: ZipFile, entry: Entry, name: string): Promise<string> {
  if (entry.uncompressedSize > MAX_LINK_TARGET_BYTES) {
    throw zipError(`symlink ${name} has an oversized target`, name);
  }
  const stream = await zip.openReadStreamPromise(entry);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

interface Planned {
  readonly entry: Entry;
  readonly key: string;
  readonly segments: string[];
  readonly kind: "dir" | "link" | "file";
  /** Mode of a file: permission bits only, never setuid, setgid or sticky. */
  readonly mode: number;
}

/** Checks one central-directory entry against the rules and limits, writing nothing. */
function checkEntry(
  entry: Entry,
  tracker: Tracker,
  limits: ExtractLimits,
  declared: { bytes: number },
): Planned {
  const segments = safeEntrySegments(entry.fileName);
  if (typeof segments === "string") {
    throw zipError(`unsafe entry ${JSON.stringify(entry.fileName)}: ${segments}`, entry.fileName);
  }
  const mode = unixMode(entry);
  const isLink = mode !== undefined && (mode & S_IFMT) === S_IFLNK;
  const isDir = entry.fileName.endsWith("/") || (mode !== undefined && (mode & S_IFMT) === S_IFDIR);
  const key = claim(tracker, segments, isDir, entry.fileName);
  if (isDir) return { entry, key, segments, kind: "dir", mode: 0o755 };
  if (entry.isEncrypted()) throw zipError(`entry ${key} is encrypted`, key);
  if (!entry.canDecodeFileData()) {
    throw zipError(
      `entry ${key} uses unsupported compression method ${entry.compressionMethod}`,
      key,
    );
  }
  if (entry.uncompressedSize > limits.maxEntryBytes) {
    throw limitError(
      `entry ${key} declares ${entry.uncompressedSize} bytes, more than ${limits.maxEntryBytes}`,
      key,
    );
  }
  declared.bytes += entry.uncompressedSize;
  if (declared.bytes > limits.maxTotalBytes) {
    throw limitError(
      `archive declares ${declared.bytes}+ bytes in total, more than ${limits.maxTotalBytes}`,
      key,
    );
  }
  if (isLink) return { entry, key, segments, kind: "link", mode: 0 };
  const fileMode = mode === undefined ? 0o644 : (mode & 0o777) | 0o600;
  return { entry, key, segments, kind: "file", mode: fileMode };
}

/**
 * Extracts `zipPath` into `destDir` (which must exist and be empty). On error
 * the caller removes `destDir`; nothing is ever written outside it.
 */
export async function extractZip(
  zipPath: string,
  destDir: string,
  limits: ExtractLimits = DEFAULT_LIMITS,
): Promise<void> {
  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(zipPath, {
      autoClose: false,
      lazyEntries: true,
      decodeStrings: true,
      validateEntrySizes: true,
      // Backslashes stay in the name (and are refused) instead of becoming '/'.
      strictFileNames: true,
    });
  } catch (err) {
    throw fromYauzl(err, zipPath);
  }
  const links: PendingLink[] = [];
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw limitError(`archive has ${zip.entryCount} entries, more than ${limits.maxEntries}`);
    }
    let current: string | undefined;
    try {
      const plan: Planned[] = [];
      const tracker: Tracker = { files: new Set(), dirs: new Set() };
      const declared = { bytes: 0 };
      // Pass 1: the central directory only; nothing is written.
      for await (const entry of zip.eachEntry()) {
        current = entry.fileName;
        plan.push(checkEntry(entry, tracker, limits, declared));
      }
      // Pass 2: write, counting actual bytes.
      const totals = { bytes: 0 };
      for (const item of plan) {
        const { entry, key, segments } = item;
        current = entry.fileName;
        const abs = resolve(destDir, ...segments);
        if (item.kind === "dir") {
          await mkdir(abs, { recursive: true });
        } else if (item.kind === "link") {
          links.push({ key, target: await readSmall(zip, entry, key) });
        } else {
          await mkdir(resolve(abs, ".."), { recursive: true });
          const source = await zip.openReadStreamPromise(entry);
          await pipeline(
            source,
            new ByteLimit(key, limits, totals),
            createWriteStream(abs, { flags: "wx", mode: item.mode }),
          );
          // The umask may have cleared bits the archive asked for.
          await chmod(abs, item.mode);
        }
      }
    } catch (err) {
      throw fromYauzl(err, current);
    }
    await placeSymlinks(destDir, links);
  } finally {
    zip.close();
  }
}
