// Reading a subject the way a host installs a package (the package format
// module the host uses): a zip or folder becomes a checked private copy with
// its install.sh run and its sources' default configuration read; a package
// the host would refuse is a harness error naming the host's code; and the
// command line is the host's, conda included.

import { execFileSync } from "node:child_process";
import { access, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pluginCommand } from "@portable-plugins/package";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConformanceError } from "../src/errors.js";
import { launchCommand } from "../src/subject/launch.js";
import { loadSubject } from "../src/subject/load.js";
import { REPO } from "./paths.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "conformance-subject-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const MANIFEST = {
  version: "v1",
  language: "go",
  executable: "bin/tiny",
  sources: ["tick"],
  sinks: [],
  functions: ["echo"],
};

/** A plugin folder `tiny` with `extra` files (name -> content). */
async function tinyFolder(name: string, extra: Record<string, string> = {}): Promise<string> {
  const dir = join(root, name);
  const files: Record<string, string> = {
    "tiny.json": JSON.stringify(MANIFEST),
    "bin/tiny": "#!/bin/sh\nexit 0\n",
    "sources/tick.yaml": "default:\n  interval: 5\nfast:\n  interval: 1\n",
    ...extra,
  };
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(join(dir, rel, ".."), { recursive: true });
    await writeFile(join(dir, rel), content);
  }
  return dir;
}

describe("loadSubject", () => {
  it("installs a zip into a private copy: executable bit restored, source defaults read", async () => {
    const dir = await tinyFolder("zipped");
    const zip = join(root, "tiny.zip");
    const entries = ["tiny.json", "bin/tiny", "sources/tick.yaml"];
    execFileSync("python3", [join(REPO, "scripts/pack-zip.py"), zip, dir, ...entries]);
    const subject = await loadSubject(zip);
    try {
      expect(subject).toMatchObject({ name: "tiny", label: zip, language: "go" });
      expect(subject.executablePath).toBe(join(subject.dir, "bin/tiny"));
      expect(subject.dir.startsWith(dir)).toBe(false);
      expect((await stat(subject.executablePath)).mode & 0o111).toBe(0o111);
      expect(subject.sourceDefaults).toEqual({ tick: { interval: 5 } });
    } finally {
      await subject.dispose();
    }
    await expect(access(subject.dir)).rejects.toThrow();
  });

  it("runs the package's install.sh in the copy, not in the user's folder", async () => {
    const dir = await tinyFolder("scripted", {
      "install.sh": 'echo "installed $PORTABLE_PLUGIN_NAME" > marker.txt\n',
    });
    const subject = await loadSubject(dir);
    try {
      expect(await readFile(join(subject.dir, "marker.txt"), "utf8")).toBe("installed tiny\n");
      await expect(access(join(dir, "marker.txt"))).rejects.toThrow();
    } finally {
      await subject.dispose();
    }
  });

  it("refuses a package the host would refuse, with the host's reason and code", async () => {
    const dir = await tinyFolder("rusty", {
      "tiny.json": JSON.stringify({ ...MANIFEST, language: "rust" }),
    });
    const err = await loadSubject(dir).catch((e: unknown) => e);
    expect(ConformanceError.is(err, "PORTABLE_E_CONF_SUBJECT")).toBe(true);
    expect((err as Error).message).toMatch(
      /not a valid plugin package: plugin tiny: invalid manifest tiny.json: language 'rust' is not supported .*\(PORTABLE_E_MANIFEST\)$/,
    );
  });

  it("refuses a source without its configuration file (PORTABLE_E_MISSING_FILE)", async () => {
    const dir = await tinyFolder("unconfigured");
    await rm(join(dir, "sources/tick.yaml"));
    await expect(loadSubject(dir)).rejects.toThrow(
      /missing sources\/tick.yaml, required for source tick \(PORTABLE_E_MISSING_FILE\)/,
    );
  });
});

describe("launchCommand", () => {
  it("starts a conda plugin with the package format's command line, as the host does", async () => {
    const dir = await tinyFolder("conda", {
      "tiny.json": JSON.stringify({
        ...MANIFEST,
        language: "python",
        executable: "main.py",
        virtualEnvType: "conda",
        env: "ml",
      }),
      "main.py": "print('hi')\n",
    });
    const subject = await loadSubject(dir);
    try {
      // The command line itself is the package format's (packages/package, launch.test.ts);
      // the subject's part: the manifest's conda fields read, the suite's interpreters passed.
      const command = launchCommand(subject, { python: "py3", node: "node" });
      expect(command).toEqual(
        pluginCommand(subject, { pythonBin: "py3", nodeBin: "node", condaBin: "conda" }),
      );
      expect(command.file).toBe("conda");
      expect(command.args.slice(0, 3)).toEqual(["run", "-n", "ml"]);
    } finally {
      await subject.dispose();
    }
  });
});
