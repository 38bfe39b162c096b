// Unix-domain socket files: binding over a stale file left by a crashed process, never over a
// live one, and applying the requested permissions before the first connection is served.
import { chmodSync, lstatSync, unlinkSync } from "node:fs";
import { connect, type Server } from "node:net";
import { NngError } from "./errors.js";
import { errnoOf, mapOsError } from "./os-errors.js";

function listenOnce(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once("error", onError);
    server.listen({ path }, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

/** True when something accepts connections at `path` right now. */
function isLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect({ path });
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    // ECONNREFUSED: a file nobody listens on (stale). ENOENT: it vanished meanwhile.
    probe.once("error", () => resolve(false));
  });
}

/**
 * Binds `server` to the ipc `path` the way NNG and mangos do: on EADDRINUSE, probe the file;
 * refused means stale, so unlink it (only if it is a socket) and bind again; accepted means a
 * live peer owns it, which is PORTABLE_E_ADDR_IN_USE. Then chmod to `mode`.
 */
export async function listenIpc(
  server: Server,
  path: string,
  url: string,
  mode: number,
  socket: string,
): Promise<void> {
  const inUse = (why: string) =>
    new NngError("PORTABLE_E_ADDR_IN_USE", `cannot listen on ${url}: ${path} ${why}`, {
      url,
      socket,
    });
  try {
    await listenOnce(server, path);
  } catch (err) {
    if (errnoOf(err) !== "EADDRINUSE" || process.platform === "win32") {
      throw mapOsError(err, "listen", url, socket);
    }
    if (await isLive(path)) throw inUse("is in use by a live listener");
    try {
      if (!lstatSync(path).isSocket()) throw inUse("exists and is not a socket");
      unlinkSync(path);
    } catch (statErr) {
      if (statErr instanceof NngError) throw statErr;
      if (errnoOf(statErr) !== "ENOENT") throw mapOsError(statErr, "listen", url, socket);
    }
    try {
      await listenOnce(server, path);
    } catch (retryErr) {
      throw mapOsError(retryErr, "listen", url, socket);
    }
  }
  if (process.platform !== "win32") {
    // Synchronously, in the listen callback: Node serves no connection before this returns.
    try {
      chmodSync(path, mode);
    } catch (err) {
      server.close();
      throw mapOsError(err, "listen", url, socket);
    }
  }
}
