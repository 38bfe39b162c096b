// `portable serve`: lock the data folder, listen, then load every plugin under
// it and start their processes (eagerly, in the background: there is no rule
// engine here to start them on first use), serve the REST API until
// SIGINT/SIGTERM, and on the way out end running install scripts and stop
// every plugin process. A folder in use or a busy port fails before anything
// starts. Data layout: `<dataDir>/plugins/portable/` (plugins),
// `<dataDir>/etc/` (operator configs), `<dataDir>/logs/`.

import { PortableHost } from "../host.js";
import { stderrLogger } from "../logger.js";
import { createRestServer, type RestServer } from "../rest/server.js";

export interface ServeOptions {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly token?: string | undefined;
  /** Host names served besides loopback ones when there is no token. */
  readonly allowedHosts?: readonly string[] | undefined;
  /** install.sh time limit, ms. */
  readonly installTimeoutMs?: number | undefined;
  /** Interpreter for python plugins (default `python`). */
  readonly python?: string | undefined;
  /** Folder of the socket files (default /tmp). */
  readonly socketDir?: string | undefined;
}

export async function serve(opts: ServeOptions): Promise<void> {
  // Listen for signals first: a SIGTERM while plugins start still stops them.
  let stop!: () => void;
  const stopped = new Promise<void>((done) => {
    stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      done();
    };
  });
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const host = new PortableHost({
    dataDir: opts.dataDir,
    start: "eager",
    logger: stderrLogger(),
    ...(opts.python ? { pythonBin: opts.python } : {}),
    ...(opts.socketDir ? { socketDir: opts.socketDir } : {}),
    ...(opts.installTimeoutMs
      ? { registry: { installScriptTimeoutMs: opts.installTimeoutMs } }
      : {}),
  });
  let server: RestServer;
  try {
    // Nothing is started before the folder is ours and the port is bound.
    await host.lock();
    server = await createRestServer(host.registry, undefined, {
      host: opts.host,
      port: opts.port,
      token: opts.token,
      allowedHosts: opts.allowedHosts,
      symbols: host,
    });
  } catch (err) {
    stop();
    await host.close();
    throw err;
  }
  const report = await host.load();
  for (const { name, error } of [...report.failed, ...report.runtimeErrors]) {
    process.stderr.write(`portable: plugin ${name} not loaded: [${error.code}] ${error.message}\n`);
  }
  for (const name of report.skipped) {
    process.stderr.write(`portable: ${name} skipped: a portable plugin must be a folder\n`);
  }
  process.stdout.write(
    `portable: ${report.loaded.length} plugin(s) loaded; listening on ${server.url}\n`,
  );
  await stopped;
  // End install scripts and downloads first: their requests then answer at once.
  host.registry.close();
  await server.close();
  await host.close();
}
