#!/usr/bin/env node
// The program the host starts: `main.js '<PortableConfig JSON>'`.

import { startPlugin } from "@portable-plugins/sdk";
import { mirror } from "./plugin.js";

startPlugin(mirror).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
