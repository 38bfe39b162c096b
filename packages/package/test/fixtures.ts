// Test fixtures of the package format, shared with the host's tests: a tiny
// fake plugin (a shell script as its executable), zips built with yazl (and
// patched byte-wise into malicious ones), and temporary folders removed after
// each test.

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach } from "vitest";
import yazl from "yazl";

const made: string[] = [];

/** A fresh temporary folder, removed after the test. */
export async function tempDir(prefix = "host-test-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

afterEach(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

export type Files = Record<string, string | Buffer>;

export interface FakePluginOptions {
  readonly name?: string;
  readonly sources?: string[];
  readonly sinks?: string[];
  readonly functions?: string[];
  readonly version?: string;
  readonly language?: string;
  readonly executable?: string;
  /** Extra or replacing files. */
  readonly files?: Files;
  /** Files to leave out (e.g. "sources/random.yaml"). */
  readonly omit?: string[];
}

/** The files of a fake plugin `name` (default "mirror"). */
export function fakePlugin(opts: FakePluginOptions = {}): Files {
  const name = opts.name ?? "mirror";
  const sources = opts.sources ?? ["random"];
  const executable = opts.executable ?? "bin/mirror";
  const manifest = {
    version: opts.version ?? "v1.0.0",
    language: opts.language ?? "go",
    executable,
    sources,
    sinks: opts.sinks ?? ["file"],
    functions: opts.functions ?? ["echo"],
  };
  const files: Files = {
    [`${name}.json`]: JSON.stringify(manifest),
    [executable]: "#!/bin/sh\necho fake plugin\n",
  };
  for (const s of sources) {
    files[`sources/${s}.yaml`] =
      "default:\n  interval: 1000\n  deduplicate: 0\next:\n  interval: 100\n";
    files[`sources/${s}.json`] = JSON.stringify({
      about: { trial: false },
      properties: { default: [] },
    });
  }
  Object.assign(files, opts.files ?? {});
  for (const f of opts.omit ?? []) delete files[f];
  return files;
}

/** The manifest text of plugin "mirror" (one source, one function, no sink) with `fields` over it. */
export function manifestWith(fields: Record<string, unknown>): string {
  return JSON.stringify({
    version: "v1",
    language: "go",
    executable: "bin/mirror",
    sources: ["random"],
    sinks: [],
    functions: ["echo"],
    ...fields,
  });
}

/** Writes `files` under `dir`. */
export async function writeFolder(dir: string, files: Files): Promise<string> {
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), content);
  }
  return dir;
}

export interface ZipOptions {
  /** Unix modes by entry name. */
  readonly modes?: Record<string, number>;
  /** Symlink entries: name -> target. */
  readonly symlinks?: Record<string, string>;
}

/** A zip of `files`, built by yazl (no executable bits unless given in `modes`). */
export function buildZip(files: Files, opts: ZipOptions = {}): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) {
    const mode = opts.modes?.[name];
    zip.addBuffer(Buffer.from(content), name, mode === undefined ? {} : { mode });
  }
  for (const [name, target] of Object.entries(opts.symlinks ?? {})) {
    zip.addBuffer(Buffer.from(target), name, { mode: 0o120777 });
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on("data", (c: Buffer) => chunks.push(c));
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on("error", reject);
  });
}

/** Writes a zip of `files` to `<dir>/<fileName>` and returns its path. */
export async function writeZip(
  dir: string,
  fileName: string,
  files: Files,
  opts?: ZipOptions,
): Promise<string> {
  const path = join(dir, fileName);
  await writeFile(path, await buildZip(files, opts));
  return path;
}

/** Replaces every occurrence of an entry name (same length) in local and central headers. */
export function renameEntry(zip: Buffer, from: string, to: string): Buffer {
  if (from.length !== to.length) throw new Error("renameEntry needs names of equal length");
  const text = zip.toString("latin1");
  if (!text.includes(from)) throw new Error(`entry ${from} not in zip`);
  return Buffer.from(text.split(from).join(to), "latin1");
}

/** Sets the uncompressed size an entry declares (central directory and local header). */
export function patchDeclaredSize(zip: Buffer, entry: string, size: number): Buffer {
  const out = Buffer.from(zip);
  for (let i = 0; i + 46 <= out.length; i++) {
    if (out.readUInt32LE(i) !== 0x02014b50) continue;
    const nameLength = out.readUInt16LE(i + 28);
    const name = out.toString("latin1", i + 46, i + 46 + nameLength);
    if (name !== entry) continue;
    out.writeUInt32LE(size, i + 24);
    const local = out.readUInt32LE(i + 42);
    out.writeUInt32LE(size, local + 22);
  }
  return out;
}
