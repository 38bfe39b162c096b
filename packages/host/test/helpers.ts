// Test helpers: the package format's fixtures (a tiny fake plugin, zips built
// with yazl and patched byte-wise into malicious ones, temporary folders),
// snapshots of a folder tree to prove that a refused install changed nothing,
// a file server, and waits for a file to be written and for a process to end.

import { createHash } from "node:crypto";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { pidRunning, waitFor, waitForFile } from "@portable-plugins/sdk/testing";

export {
  buildZip,
  type FakePluginOptions,
  type Files,
  fakePlugin,
  manifestWith,
  patchDeclaredSize,
  renameEntry,
  tempDir,
  writeFolder,
  writeZip,
  type ZipOptions,
} from "../../package/test/fixtures.js";
// The file wait of every test suite, re-exported for this package's tests.
export { waitForFile };

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

/** Whether `pid` runs (a zombie waiting for its reaper counts as gone), waiting up to 2 s for it to end. */
export function running(pid: number): Promise<boolean> {
  return waitFor(`pid ${pid} to end`, async () => !(await pidRunning(pid)), 2000, 20).then(
    () => false,
    () => true,
  );
}
