// The three mirror plugins a chaos run kills, and how a host gets each: the
// TypeScript mirror packed with portable-pack (as a user ships it), the Go
// mirror's zip built by examples/go-mirror (eKuiper's Go SDK), the Python
// mirror's folder run by the repository's venv (eKuiper's Python SDK).

import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PortableHostOptions } from "@portable-plugins/host";
import { packPlugin } from "@portable-plugins/sdk/pack";

export const MIRRORS = ["ts", "python", "go"] as const;
export type Mirror = (typeof MIRRORS)[number];

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface Subject {
  readonly mirror: Mirror;
  /** What `PortableHost.install` takes: a zip or a plugin folder. */
  readonly from: string;
  /** Host settings this subject needs (interpreters). */
  readonly host: Partial<PortableHostOptions>;
}

function need(path: string, hint: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: ${hint}`);
  return path;
}

/** Locates (or, for the TS mirror, packs into `work`) one mirror plugin. */
export async function subject(mirror: Mirror, work: string): Promise<Subject> {
  switch (mirror) {
    case "ts": {
      const { zip } = await packPlugin({
        dir: join(ROOT, "examples/mirror"),
        entry: "src/main.ts",
        out: join(work, "mirror-ts.zip"),
      });
      // The launcher runs `${PORTABLE_NODE:-node}`: this Node, whatever PATH says.
      return { mirror, from: zip, host: { env: { PORTABLE_NODE: process.execPath } } };
    }
    case "python":
      return {
        mirror,
        from: join(ROOT, "examples/python-mirror"),
        host: {
          pythonBin: need(
            join(ROOT, ".venv/bin/python"),
            "run npm run setup (scripts/setup-peers.sh)",
          ),
        },
      };
    case "go":
      return {
        mirror,
        from: need(
          join(ROOT, "examples/go-mirror/build/mirror.zip"),
          "run npm run build (examples/go-mirror builds it with Go)",
        ),
        host: {},
      };
  }
}
