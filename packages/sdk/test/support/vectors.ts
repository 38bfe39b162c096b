// Reads a case from protocol/vectors, to check the SDK's bytes against the reference's.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const root = join(dirname(require.resolve("@portable-plugins/protocol/package.json")), "vectors");

export function loadVector(
  producer: string,
  kind: string,
  name: string,
): { hex: string; value: unknown } {
  const file = JSON.parse(readFileSync(join(root, producer, `${kind}.json`), "utf8")) as {
    cases: { name: string; hex: string; value: unknown }[];
  };
  const c = file.cases.find((x) => x.name === name);
  if (!c) throw new Error(`no vector ${producer}/${kind}/${name}`);
  return c;
}
