// The commands of the workspace packages (`portable`, `portable-conformance`,
// `portable-pack`) are linked by `npm ci` in a fresh clone, before anything is
// built: each bin is a committed launcher, and it says what to do when the
// package is not built yet. Workspaces and their bins are discovered, not listed.

import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

interface Workspace {
  name: string;
  location: string;
  bin?: Record<string, string>;
}
const workspaces = JSON.parse(
  execFileSync("npm", ["query", ".workspace"], { cwd: root, encoding: "utf8" }),
) as Workspace[];
const bins = workspaces.flatMap((w) =>
  Object.entries(w.bin ?? {}).map(([command, file]) => ({ pkg: w, command, file })),
);
const scratch = mkdtempSync(join(tmpdir(), "portable-bins-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("workspace commands", () => {
  it("are the four the README names", () => {
    expect(bins.map((b) => b.command).sort()).toEqual([
      "portable",
      "portable-conformance",
      "portable-gen",
      "portable-pack",
    ]);
  });

  describe.each(bins)("$command ($pkg.name)", ({ pkg, command, file }) => {
    const target = join(root, pkg.location, file);

    it("points at a committed file, so npm ci links it before a build", () => {
      const tracked = spawnSync("git", ["ls-files", "--error-unmatch", file], {
        cwd: join(root, pkg.location),
        encoding: "utf8",
      });
      expect(tracked.status, `${pkg.location}/${file} is not committed`).toBe(0);
      expect(realpathSync(join(root, "node_modules/.bin", command))).toBe(realpathSync(target));
    });

    it("names the fix when the package is not built", () => {
      const dir = join(scratch, command);
      execFileSync("mkdir", ["-p", join(dir, dirname(file))]);
      writeFileSync(join(dir, "package.json"), '{"type":"module"}\n');
      copyFileSync(target, join(dir, file));
      const run = spawnSync(process.execPath, [join(dir, file), "--help"], { encoding: "utf8" });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`${command}: ${pkg.name} is not built`);
      expect(run.stderr).toContain("npm run build");
    });

    it("runs through npx once built", () => {
      const run = spawnSync("npx", ["--no-install", command, "--help"], {
        cwd: root,
        encoding: "utf8",
      });
      expect(run.stderr).not.toContain("is not built");
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout + run.stderr).toMatch(/usage/i);
    });
  });
});
