// Test helpers: the package format's fixtures (a tiny fake plugin, zips built
// with yazl and patched byte-wise into malicious ones, temporary folders),
// snapshots of a folder tree to prove that a refused install changed nothing,
// a file server, and waits for a file to be written and for a process to end.

import { createHash } from "node:crypto";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { join } from "node:path";

export {
  buildZip,
  type FakePluginOptions,
  type Files,
  fakePlugin,
  patchDeclaredSize,
  renameEntry,
  tempDir,
  writeFolder,
  writeZip,
  type ZipOptions,
} from "../../package/test/fixtures.js";

/** Every path under `dir` with its type, mode and content hash: equal snapshots = unchanged tree. */
export async function snapshot(dir: string): Promise<string[]> {
  const lines: string[] = [];
  async function walk(rel: string): Promise<void> {
    let names: string[];
    try {
      names = await readdir(join(dir, rel));
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const key = rel ? `${rel}/${name}` : name;
      const info = await lstat(join(dir, key));
      if (info.isSymbolicLink()) lines.push(`${key} -> ${await readlink(join(dir, key))}`);
      else if (info.isDirectory()) {
        lines.push(`${key}/`);
        await walk(key);
      } else {
        const hash = createHash("sha256")
          .update(await readFile(join(dir, key)))
          .digest("hex")
          .slice(0, 12);
        lines.push(`${key} ${(info.mode & 0o777).toString(8)} ${hash}`);
      }
    }
  }
  await walk("");
  return lines;
}

/** Serves `routes` (path -> body or status) on 127.0.0.1; returns the base URL and the server. */
export async function serveFiles(
  routes: Record<string, Buffer | number>,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const body = routes[req.url ?? ""];
    if (body === undefined || typeof body === "number") {
      res.statusCode = typeof body === "number" ? body : 404;
      res.end("nope");
      return;
    }
    res.setHeader("content-type", "application/zip");
    res.end(body);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** The trimmed text of file `path` once it has some, failing after `ms`. */
export async function waitForFile(path: string, ms = 10_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const text = await readFile(path, "utf8").catch(() => undefined);
    if (text?.trim()) return text.trim();
    if (Date.now() > end) throw new Error(`${path} did not appear in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Whether `pid` runs (a zombie waiting for its reaper counts as gone), waiting up to 2 s for it to end. */
export async function running(pid: number): Promise<boolean> {
  const end = Date.now() + 2000;
  for (;;) {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    if (stat === "" || state === "Z") return false;
    if (Date.now() > end) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
}
