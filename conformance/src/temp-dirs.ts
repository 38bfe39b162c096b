// Temporary folders of the suite (the unpacked subject, each case's
// ${tmpdir}), tracked so that an interrupted run removes them too.

import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const LIVE = new Set<string>();

export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  LIVE.add(dir);
  return dir;
}

export async function removeTempDir(dir: string): Promise<void> {
  LIVE.delete(dir);
  await rm(dir, { recursive: true, force: true }).catch(() => undefined);
}

/** For exit and signal handlers. */
export function removeAllTempDirsSync(): void {
  for (const dir of LIVE) rmSync(dir, { recursive: true, force: true });
  LIVE.clear();
}
