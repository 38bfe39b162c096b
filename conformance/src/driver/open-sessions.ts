// The sessions not torn down yet, so that an interrupted suite (Ctrl-C) can
// still unlink the socket files of every listener it holds.

import { unlinkSync } from "node:fs";

/** A session as this registry sees it: the socket files it listens on now. */
export interface HostPaths {
  hostPaths(): Set<string>;
}

const OPEN = new Set<HostPaths>();

export function trackOpen(session: HostPaths): void {
  OPEN.add(session);
}

export function untrackOpen(session: HostPaths): void {
  OPEN.delete(session);
}

/** Synchronously removes the socket files of every listener the suite still holds. */
export function unlinkHostFilesSync(): void {
  for (const s of OPEN) {
    for (const path of s.hostPaths()) {
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    }
  }
}
