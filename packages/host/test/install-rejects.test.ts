// Every way an install can be refused: each yields its own HostError code and
// leaves the registry and the file system exactly as they were.

import { access, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import { HostError, type HostErrorCode } from "../src/errors.js";
import { Registry } from "../src/install/registry.js";
import {
  buildZip,
  type Files,
  fakePlugin,
  manifestWith,
  patchDeclaredSize,
  renameEntry,
  serveFiles,
  snapshot,
  tempDir,
  writeFolder,
  writeZip,
} from "./helpers.js";

const MiB = 1024 * 1024;

interface Case {
  readonly title: string;
  readonly code: HostErrorCode;
  readonly message?: RegExp;
  readonly name?: string;
  /** Where to install from; `root` is the test's scratch folder. */
  readonly from: (root: string) => Promise<string>;
  /** Extra checks on the error. */
  readonly check?: (err: HostError, root: string) => Promise<void> | void;
}

/** A malicious entry name, smuggled past yazl as a same-length harmless one. */
async function zipWithEntry(
  root: string,
  malicious: string,
  files: Files = fakePlugin(),
): Promise<string> {
  const placeholder = malicious.replace(/^\//, "x").replace(/\.\./g, "xx").replace(/\\/g, "_");
  const zip = await buildZip({ ...files, [placeholder]: "pwned" });
  const path = join(root, "evil.zip");
  await writeFile(path, renameEntry(zip, placeholder, malicious));
  return path;
}

const zipOf = (files: Files, opts?: Parameters<typeof writeZip>[3]) => (root: string) =>
  writeZip(root, "mirror.zip", files, opts);

const notCreated = (rel: string) => async (_err: HostError, root: string) => {
  await expect(access(join(root, rel))).rejects.toThrow();
};

const cases: Case[] = [
  {
    title: "an absolute entry path",
    code: "PORTABLE_E_ZIP",
    message: /absolute path/,
    from: (root) => zipWithEntry(root, "/tmp/abs-evil.txt"),
  },
  {
    title: "an entry escaping with '..'",
    code: "PORTABLE_E_ZIP",
    message: /invalid relative path|escapes/,
    from: (root) => zipWithEntry(root, "../../evil.txt"),
    check: notCreated("evil.txt"),
  },
  {
    title: "a backslash trick ('..\\..\\evil.txt')",
    code: "PORTABLE_E_ZIP",
    message: /invalid characters|backslash/,
    from: (root) => zipWithEntry(root, "..\\..\\evil.txt"),
  },
  {
    title: "a symlink pointing outside the package",
    code: "PORTABLE_E_ZIP",
    message: /symlink data\/link points outside/,
    from: zipOf(fakePlugin(), { symlinks: { "data/link": "../../../../etc" } }),
  },
  {
    title: "a symlink with an absolute target",
    code: "PORTABLE_E_ZIP",
    message: /symlink data\/abs points outside the package \(\/etc\/passwd\)/,
    from: zipOf(fakePlugin(), { symlinks: { "data/abs": "/etc/passwd" } }),
  },
  {
    title: "a folder holding a symlink that leaves it",
    code: "PORTABLE_E_ZIP",
    message: /symlink escape points outside/,
    from: async (root) => {
      const dir = await writeFolder(join(root, "folder"), fakePlugin());
      await symlink("../../..", join(dir, "escape"));
      return dir;
    },
  },
  {
    title: "a folder over the entry limit",
    code: "PORTABLE_E_ZIP_LIMIT",
    message: /folder has more than 20 entries/,
    from: (root) =>
      writeFolder(
        join(root, "folder"),
        fakePlugin({
          files: Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`data/f${i}`, "x"])),
        }),
      ),
  },
  {
    title: "a chain of symlinks that escapes although each target looks inside",
    code: "PORTABLE_E_ZIP",
    message: /resolves outside|does not resolve inside/,
    from: zipOf(fakePlugin(), { symlinks: { "a/b/up": "../..", hop: "a/b/up/.." } }),
  },
  {
    title: "a zip bomb by declared size",
    code: "PORTABLE_E_ZIP_LIMIT",
    message: /declares 2097152 bytes/,
    from: zipOf(fakePlugin({ files: { "data/zeros": Buffer.alloc(2 * MiB) } })),
  },
  {
    title: "a zip bomb by actual size (entry lies about its size)",
    code: "PORTABLE_E_ZIP_LIMIT",
    message: /larger than its declared size|exceeds/,
    from: async (root) => {
      const zip = await buildZip(fakePlugin({ files: { "data/zeros": Buffer.alloc(2 * MiB) } }));
      const path = join(root, "bomb.zip");
      await writeFile(path, patchDeclaredSize(zip, "data/zeros", 100));
      return path;
    },
  },
  {
    title: "entries over the total size limit",
    code: "PORTABLE_E_ZIP_LIMIT",
    message: /in total/,
    from: zipOf(
      fakePlugin({
        files: { "data/a": Buffer.alloc(0.9 * MiB), "data/b": Buffer.alloc(0.9 * MiB) },
      }),
    ),
  },
  {
    title: "too many entries",
    code: "PORTABLE_E_ZIP_LIMIT",
    message: /entries, more than 20/,
    from: zipOf(
      fakePlugin({
        files: Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`data/f${i}`, "x"])),
      }),
    ),
  },
  {
    title: "duplicate entry names",
    code: "PORTABLE_E_ZIP",
    message: /duplicate entry sources\/random.yaml/,
    from: async (root) => {
      const zip = await buildZip({ ...fakePlugin(), "sources/RANDOM.yaml": "default: {}\n" });
      const path = join(root, "dup.zip");
      await writeFile(path, renameEntry(zip, "sources/RANDOM.yaml", "sources/random.yaml"));
      return path;
    },
  },
  {
    title: "a file and a folder of the same name",
    code: "PORTABLE_E_ZIP",
    message: /lies under bin\/mirror/,
    from: zipOf({ ...fakePlugin(), "bin/mirror/x": "y" }),
  },
  {
    title: "a corrupt archive",
    code: "PORTABLE_E_ZIP",
    message: /corrupt or unreadable/,
    from: async (root) => {
      const zip = await buildZip(fakePlugin());
      const path = join(root, "corrupt.zip");
      await writeFile(path, zip.subarray(0, zip.length - 30));
      return path;
    },
  },
  {
    title: "a missing manifest",
    code: "PORTABLE_E_MANIFEST",
    message: /missing manifest mirror.json$/,
    from: zipOf(fakePlugin({ omit: ["mirror.json"] })),
  },
  {
    title: "a manifest whose file name is not the plugin name",
    code: "PORTABLE_E_MANIFEST",
    message:
      /missing manifest mirror.json \(found other.json: the manifest's file name must equal the plugin name\)/,
    from: zipOf(fakePlugin({ name: "other" })),
  },
  {
    title: "a manifest that is not JSON",
    code: "PORTABLE_E_MANIFEST",
    message: /invalid manifest mirror.json: PluginManifest: not JSON/,
    from: zipOf(fakePlugin({ files: { "mirror.json": "{oops" } })),
  },
  {
    title: "a manifest field of the wrong type, naming the field",
    code: "PORTABLE_E_MANIFEST",
    message: /field "sources\[0\]"/,
    from: zipOf(fakePlugin({ files: { "mirror.json": manifestWith({ sources: [42] }) } })),
    check: (err) => expect(err.field).toBe("sources[0]"),
  },
  {
    title: "a manifest naming another plugin",
    code: "PORTABLE_E_MANIFEST",
    message: /expect name 'mirror' but got 'other'/,
    from: zipOf(fakePlugin({ files: { "mirror.json": manifestWith({ name: "other" }) } })),
  },
  {
    title: "an unsupported language",
    code: "PORTABLE_E_MANIFEST",
    message: /language 'java' is not supported/,
    from: zipOf(fakePlugin({ language: "java" })),
  },
  {
    title: "a manifest without symbols",
    code: "PORTABLE_E_MANIFEST",
    message: /at least one source, sink or function/,
    from: zipOf(fakePlugin({ sources: [], sinks: [], functions: [] })),
  },
  {
    title: "a function name that is not an identifier",
    code: "PORTABLE_E_MANIFEST",
    message: /function name "bad-name" is not an identifier/,
    from: zipOf(fakePlugin({ functions: ["bad-name"] })),
  },
  {
    title: "a sink name with a slash",
    code: "PORTABLE_E_MANIFEST",
    message: /sink name "a\/b" is not valid/,
    from: zipOf(fakePlugin({ sinks: ["a/b"] })),
  },
  {
    title: "an executable path escaping the package",
    code: "PORTABLE_E_MANIFEST",
    message: /executable "..\/mirror"/,
    from: zipOf(
      fakePlugin({ files: { "mirror.json": manifestWith({ executable: "../mirror" }) } }),
    ),
  },
  {
    title: "a missing executable",
    code: "PORTABLE_E_MISSING_FILE",
    message: /executable bin\/mirror named by the manifest is not in the package/,
    from: zipOf(fakePlugin({ omit: ["bin/mirror"] })),
  },
  {
    title: "a source without its sources/<name>.yaml",
    code: "PORTABLE_E_MISSING_FILE",
    message: /missing sources\/random.yaml, required for source random/,
    from: zipOf(fakePlugin({ omit: ["sources/random.yaml"] })),
  },
  {
    title: "a source configuration that is not valid YAML",
    code: "PORTABLE_E_CONFIG",
    message: /sources\/random.yaml: invalid YAML/,
    from: zipOf(fakePlugin({ files: { "sources/random.yaml": "default: [unclosed\n" } })),
  },
  {
    title: "a symbol description that is not JSON",
    code: "PORTABLE_E_CONFIG",
    message: /sinks\/file.json: invalid JSON/,
    from: zipOf(fakePlugin({ files: { "sinks/file.json": "{nope" } })),
  },
  {
    title: "a source name another plugin already provides",
    code: "PORTABLE_E_CONFLICT",
    message: /source base_src is already provided by plugin base/,
    from: zipOf(fakePlugin({ sources: ["base_src"] })),
  },
  {
    title: "a function name another plugin defines (shared /tmp/func_<name>.ipc)",
    code: "PORTABLE_E_FUNCTION_COLLISION",
    message:
      /function shared_fn is already defined by plugin base; both would serve it on \/tmp\/func_shared_fn.ipc/,
    from: zipOf(fakePlugin({ functions: ["shared_fn"] })),
  },
  {
    title: "an install.sh that fails (output kept in the error)",
    code: "PORTABLE_E_INSTALL_SCRIPT",
    message: /install.sh exited with code 3; output:\nfetching deps\nno network/,
    from: zipOf(
      fakePlugin({ files: { "install.sh": "echo fetching deps\necho no network >&2\nexit 3\n" } }),
    ),
    check: (err) => expect(err.output).toContain("no network"),
  },
  {
    title: "an install.sh that does not finish in time",
    code: "PORTABLE_E_INSTALL_SCRIPT",
    message: /timed out after 500 ms/,
    from: zipOf(fakePlugin({ files: { "install.sh": "sleep 30\n" } })),
  },
  {
    title: "an unsafe plugin name",
    code: "PORTABLE_E_NAME",
    name: "../escape",
    from: zipOf(fakePlugin()),
  },
  {
    title: "a plugin name too long for /tmp/plugin_<name>.ipc",
    code: "PORTABLE_E_NAME",
    name: "p".repeat(92),
    message: /must stay under 108 bytes/,
    from: zipOf(fakePlugin()),
  },
  {
    title: "a plugin name already installed",
    code: "PORTABLE_E_CONFLICT",
    name: "base",
    message: /portable plugin base already exists/,
    from: zipOf(fakePlugin({ name: "base" })),
  },
  {
    title: "a URL that answers 404",
    code: "PORTABLE_E_DOWNLOAD",
    message: /fail to download file http:\/\/127.0.0.1:\d+\/missing.zip: HTTP 404/,
    from: async () => `${http.url}/missing.zip`,
  },
  {
    title: "a file:// URL to nothing",
    code: "PORTABLE_E_DOWNLOAD",
    message: /cannot read package/,
    from: async (root) => pathToFileURL(join(root, "nothing.zip")).href,
  },
];

let http: Awaited<ReturnType<typeof serveFiles>>;

describe("install refuses", () => {
  let root: string;
  let pluginsDir: string;
  let registry: Registry;

  beforeEach(async () => {
    root = await tempDir();
    pluginsDir = join(root, "data", "plugins");
    registry = new Registry({
      pluginsDir,
      limits: { maxEntryBytes: MiB, maxTotalBytes: 1.5 * MiB, maxEntries: 20 },
      installScriptTimeoutMs: 500,
    });
    const base = await writeFolder(
      join(root, "base"),
      fakePlugin({
        name: "base",
        sources: ["base_src"],
        sinks: ["base_sink"],
        functions: ["shared_fn"],
      }),
    );
    await registry.install("base", base);
    http = await serveFiles({});
    return () => http.close();
  });

  for (const c of cases) {
    it(`${c.title}: ${c.code}, nothing changed`, async () => {
      const before = await snapshot(root);
      const listed = registry.list();
      const from = await c.from(root);
      const afterSetup = await snapshot(root);
      const err = await registry.install(c.name ?? "mirror", from).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(HostError.is(err), String(err)).toBe(true);
      const hostError = err as HostError;
      expect(hostError.code).toBe(c.code);
      if (c.message) expect(hostError.message).toMatch(c.message);
      await c.check?.(hostError, root);
      expect(await snapshot(root)).toEqual(afterSetup);
      expect(before.every((line) => afterSetup.includes(line))).toBe(true);
      expect(registry.list()).toEqual(listed);
      expect(registry.find("mirror")).toBeUndefined();
    });
  }
});
