// `portable debug <plugin>`: the debug server (PROTOCOL.md §7.3) until
// SIGINT/SIGTERM. Output of started symbols goes to stdout, one line each;
// what the server does goes to stderr. Exits 1 when the plugin does not
// handshake within the timeout.

import { readFile } from "node:fs/promises";
import { DEFAULT_SOCKET_DIR, PluginManifest } from "@portable-plugins/protocol";
import { DebugServer } from "../debug/debug-server.js";
import { type DebugSamples, parseSamples } from "../debug/samples.js";
import { HostError } from "../errors.js";
import { stderrLogger } from "../logger.js";

export interface DebugCliOptions {
  readonly plugin: string;
  readonly manifest?: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly socketDir: string;
  readonly handshakeTimeoutMs: number;
  readonly sample?: string | undefined;
  readonly intervalMs: number;
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new HostError(
      "PORTABLE_E_BAD_REQUEST",
      `cannot read ${what} ${path}: ${(err as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HostError(
      "PORTABLE_E_BAD_REQUEST",
      `${what} ${path} is not JSON: ${(err as Error).message}`,
    );
  }
}

async function readManifest(path: string): Promise<PluginManifest> {
  const json = await readJson(path, "manifest");
  try {
    return PluginManifest.fromJson(json);
  } catch (err) {
    throw new HostError("PORTABLE_E_MANIFEST", `manifest ${path}: ${(err as Error).message}`);
  }
}

const say = (text: string): void => void process.stderr.write(`portable debug: ${text}\n`);

export async function debug(o: DebugCliOptions): Promise<void> {
  const manifest = o.manifest === undefined ? undefined : await readManifest(o.manifest);
  const samples: DebugSamples | undefined =
    o.sample === undefined
      ? undefined
      : parseSamples(await readJson(o.sample, "sample file"), o.sample);
  const server = await DebugServer.start({
    plugin: o.plugin,
    host: o.host,
    port: o.port,
    socketDir: o.socketDir,
    handshakeTimeoutMs: o.handshakeTimeoutMs,
    intervalMs: o.intervalMs,
    logger: stderrLogger(),
    ...(manifest ? { manifest } : {}),
    ...(samples ? { samples } : {}),
  });
  const hint =
    o.socketDir === DEFAULT_SOCKET_DIR ? "" : ` with PORTABLE_SOCKET_DIR=${o.socketDir} (our SDK)`;
  say(
    `waiting up to ${o.handshakeTimeoutMs} ms for plugin ${o.plugin} on ${server.controlUrl}: ` +
      `start it by hand now${hint}, with the argument '{"sendTimeout":1000}'`,
  );
  say(`serving POST /symbol/start and POST /symbol/stop on ${server.url}`);
  let failed = false;
  let interrupted = false;
  await new Promise<void>((done) => {
    const stop = () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      done();
    };
    const onSignal = () => {
      interrupted = true;
      stop();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    server.handshake.then(
      () => say(`plugin ${o.plugin} connected`),
      (err: unknown) => {
        if (interrupted) return; // our own close ended the wait
        say((err as Error).message);
        failed = true;
        stop();
      },
    );
  });
  await server.close();
  if (failed) process.exitCode = 1;
}
