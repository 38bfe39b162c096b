// `portable serve`: load every plugin under the data folder, then serve the
// REST API until SIGINT/SIGTERM. Data layout: `<dataDir>/plugins/portable/`
// (plugins), `<dataDir>/etc/` (operator configs), `<dataDir>/logs/`.

import { join, resolve } from "node:path";
import { Registry } from "../registry.js";
import { createRestServer } from "../rest/server.js";

export interface ServeOptions {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly token?: string | undefined;
}

export function dataLayout(dataDir: string) {
  const root = resolve(dataDir);
  return {
    pluginsDir: join(root, "plugins", "portable"),
    etcDir: join(root, "etc"),
    logDir: join(root, "logs"),
  };
}

export async function serve(opts: ServeOptions): Promise<void> {
  const registry = new Registry(dataLayout(opts.dataDir));
  const report = await registry.loadAll();
  for (const { name, error } of [...report.failed, ...report.runtimeErrors]) {
    process.stderr.write(`portable: plugin ${name} not loaded: [${error.code}] ${error.message}\n`);
  }
  for (const name of report.skipped) {
    process.stderr.write(`portable: ${name} skipped: a portable plugin must be a folder\n`);
  }
  const server = await createRestServer(registry, undefined, {
    host: opts.host,
    port: opts.port,
    token: opts.token,
  });
  process.stdout.write(
    `portable: ${report.loaded.length} plugin(s) loaded; listening on ${server.url}\n`,
  );
  await new Promise<void>((done) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      done();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await server.close();
}
