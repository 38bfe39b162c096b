// Waiting for a peer that cannot say when it is listening (nngcat).
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { ipcPath } from "./fixtures.js";

/**
 * Resolves once something accepts connections at `url`: the ipc file exists,
 * or a tcp connect succeeds (that probe connection is closed at once, before
 * any SP header; NNG just drops it).
 */
export async function waitListening(url: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (url.startsWith("ipc://")) {
      if (existsSync(ipcPath(url))) return;
    } else {
      const { hostname, port } = new URL(url);
      const up = await new Promise<boolean>((resolve) => {
        const s = connect(Number(port), hostname, () => {
          s.destroy();
          resolve(true);
        });
        s.once("error", () => resolve(false));
      });
      if (up) return;
    }
    await sleep(25);
  }
  throw new Error(`nothing listening at ${url} after ${ms} ms`);
}
