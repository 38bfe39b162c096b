// `portable serve`: load every plugin under the data folder, start their
// processes (eagerly, in the background: there is no rule engine here to
// start them on first use), then serve the REST API until SIGINT/SIGTERM,
// and stop every plugin process on the way out. Data layout:
// `<dataDir>/plugins/portable/` (plugins), `<dataDir>/etc/` (operator
// configs), `<dataDir>/logs/`.

import { PortableHost } from "../host.js";
import { stderrLogger } from "../logger.js";
import { createRestServer } from "../rest/server.js";

export interface ServeOptions {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly token?: string | undefined;
  /** Interpreter for python plugins (default `python`). */
  readonly python?: string | undefined;
  /** Folder of the socket files (default /tmp). */
  readonly socketDir?: string | undefined;
}

export async function serve(opts: ServeOptions): Promise<void> {
  const host = new PortableHost({
    dataDir: opts.dataDir,
    start: "eager",
    logger: stderrLogger(),
    ...(opts.python ? { pythonBin: opts.python } : {}),
    ...(opts.socketDir ? { socketDir: opts.socketDir } : {}),
  });
  const report = await host.load();
  for (const { name, error } of [...report.failed, ...report.runtimeErrors]) {
    process.stderr.write(`portable: plugin ${name} not loaded: [${error.code}] ${error.message}\n`);
  }
  for (const name of report.skipped) {
    process.stderr.write(`portable: ${name} skipped: a portable plugin must be a folder\n`);
  }
  const server = await createRestServer(host.registry, undefined, {
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
  await host.close();
}
