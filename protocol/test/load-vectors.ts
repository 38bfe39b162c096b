// Reads the vector files (vectors/README.md) for the tests.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const vectorsDir = fileURLToPath(new URL("../vectors/", import.meta.url));

export interface VectorCase {
  name: string;
  description?: string;
  hex: string;
  text?: string;
  value?: unknown;
  reencode?: boolean;
  warnings?: string[];
  /** go-sdk captured cases: the SDK commits that sent exactly these bytes. */
  sdkVersions?: string[];
  error?: { code: string; field: string };
}

export interface VectorFile {
  kind: string;
  producer: string;
  provenance: "captured" | "reproduced";
  how: string;
  cases: VectorCase[];
  path: string;
}

export function loadVectors(dir: string): VectorFile[] {
  const full = join(vectorsDir, dir);
  return readdirSync(full)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ({
      ...(JSON.parse(readFileSync(join(full, f), "utf8")) as Omit<VectorFile, "path">),
      path: `${dir}/${f}`,
    }));
}
