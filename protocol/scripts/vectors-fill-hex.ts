// For hand-written vector cases: fills in `hex` from `text` where `hex` is
// missing, so a case can be written as readable text. `npm run vectors:fill`.

import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../vectors/", import.meta.url));
for (const dir of readdirSync(root)) {
  if (!statSync(join(root, dir)).isDirectory()) continue;
  for (const f of readdirSync(join(root, dir)).filter((n) => n.endsWith(".json"))) {
    const path = join(root, dir, f);
    const file = JSON.parse(readFileSync(path, "utf8")) as {
      cases: { text?: string; hex?: string }[];
    };
    let changed = 0;
    file.cases = file.cases.map((c) => {
      if (c.hex !== undefined || c.text === undefined) return c;
      changed++;
      const { text, ...rest } = c;
      return { ...rest, hex: Buffer.from(text, "utf8").toString("hex"), text };
    });
    if (changed) {
      writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
      console.log(`${dir}/${f}: filled ${changed} case(s)`);
    }
  }
}
