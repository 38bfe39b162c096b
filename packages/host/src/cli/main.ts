#!/usr/bin/env node
// The `portable` command. `serve` runs the host and `debug` the debug server
// (debug.ts); every other command is a client of the REST API (`--server`,
// default http://127.0.0.1:9081), so a running supervisor sees each change;
// `exec` and `tail` (try.ts) try symbols through it. Errors that have a fix
// print it on a `fix:` line.
// Exit codes: 0 ok, 1 refused by the server, 2 usage, 3 server unreachable.

import { readFileSync, statSync } from "node:fs";
import { basename, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { DEFAULT_SOCKET_DIR } from "@portable-plugins/protocol";
import { Command, CommanderError } from "commander";
import { DEBUG_HANDSHAKE_TIMEOUT_MS, DEBUG_PORT } from "../debug/debug-server.js";
import { HostError } from "../errors.js";
import { DEFAULT_INSTALL_SCRIPT_TIMEOUT_MS } from "../install/package-format.js";
import { type ClientOptions, RequestFailed, request, ServerUnreachable } from "./client.js";
import { debug } from "./debug.js";
import { serve } from "./serve.js";
import { addTryCommands } from "./try.js";

const DEFAULT_SERVER = "http://127.0.0.1:9081";

interface GlobalOptions {
  server: string;
  token?: string;
  tokenFile?: string;
}

const program = new Command("portable")
  .description("Install, inspect and serve portable plugins (eKuiper-compatible)")
  .option(
    "--server <url>",
    "REST server of the host",
    process.env["PORTABLE_SERVER"] ?? DEFAULT_SERVER,
  )
  .option(
    "--token <token>",
    "bearer token, sent to the server or required by `serve`; visible to every user in `ps`: prefer PORTABLE_TOKEN or --token-file",
  )
  .option(
    "--token-file <file>",
    "read the bearer token from a file (first line; or PORTABLE_TOKEN_FILE): the safe way",
  )
  .addHelpText(
    "after",
    `
Token: a token given as --token shows in the process list (ps) of every
user. Use the environment variable PORTABLE_TOKEN or a file readable only by
you (--token-file, or PORTABLE_TOKEN_FILE). Order: --token, --token-file,
PORTABLE_TOKEN, PORTABLE_TOKEN_FILE.`,
  )
  .showHelpAfterError()
  .exitOverride();

/** The token from --token, --token-file, PORTABLE_TOKEN or PORTABLE_TOKEN_FILE (in that order). */
function token(warnIfShared = false): string | undefined {
  const g = program.opts<GlobalOptions>();
  if (g.token !== undefined && g.tokenFile !== undefined) {
    throw new HostError("PORTABLE_E_BAD_REQUEST", "give --token or --token-file, not both");
  }
  if (g.token !== undefined) return g.token;
  const file =
    g.tokenFile ?? (process.env["PORTABLE_TOKEN"] ? undefined : process.env["PORTABLE_TOKEN_FILE"]);
  if (file === undefined) return process.env["PORTABLE_TOKEN"] || undefined;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
    if (warnIfShared && (statSync(file).mode & 0o077) !== 0) {
      process.stderr.write(
        `portable: warning: token file ${file} is readable by other users (chmod 600 it)\n`,
      );
    }
  } catch (err) {
    throw new HostError(
      "PORTABLE_E_BAD_REQUEST",
      `cannot read token file ${file}: ${(err as Error).message}`,
    );
  }
  const first = text.split(/\r?\n/, 1)[0]?.trim() ?? "";
  if (first === "") throw new HostError("PORTABLE_E_BAD_REQUEST", `token file ${file} is empty`);
  return first;
}

function client(): ClientOptions {
  return { server: program.opts<GlobalOptions>().server, token: token() };
}

const out = (text: string): void => {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
};

/** A path becomes a file:// URL: the server reads it (CLI and server share the machine). */
function packageUrl(from: string): string {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(from)) return from;
  return pathToFileURL(resolve(from)).href;
}

function defaultName(from: string): string {
  const last = basename(from.replace(/[/\\]+$/, "").replace(/[?#].*$/, ""));
  return last.replace(/\.zip$/i, "");
}

program
  .command("serve")
  .description(
    "load and start the plugins under --data-dir and serve the REST API (one host per data folder)",
  )
  .option("--port <port>", "port", "9081")
  .option("--host <host>", "address to listen on (non-loopback requires a token)", "127.0.0.1")
  .option(
    "--allow-host <name>",
    "without a token, also serve this Host name besides localhost, 127.0.0.1 and [::1] (repeatable; or PORTABLE_ALLOWED_HOSTS, comma-separated)",
    (value: string, previous: string[]) => [...previous, value],
    (process.env["PORTABLE_ALLOWED_HOSTS"] ?? "")
      .split(",")
      .map((h) => h.trim())
      .filter((h) => h !== ""),
  )
  .option(
    "--install-timeout <ms>",
    "time limit of a package's install.sh; its process group is killed after it (or PORTABLE_INSTALL_TIMEOUT)",
    process.env["PORTABLE_INSTALL_TIMEOUT"] ?? String(DEFAULT_INSTALL_SCRIPT_TIMEOUT_MS),
  )
  .option(
    "--data-dir <dir>",
    "data folder (plugins/portable, etc, logs)",
    process.env["PORTABLE_DATA_DIR"] ?? "data",
  )
  .option(
    "--python <bin>",
    "interpreter for python plugins (or PORTABLE_PYTHON)",
    process.env["PORTABLE_PYTHON"] ?? "python",
  )
  .option(
    "--socket-dir <dir>",
    "folder of the socket files (or PORTABLE_SOCKET_DIR); the reference SDKs only know /tmp",
    process.env["PORTABLE_SOCKET_DIR"] ?? DEFAULT_SOCKET_DIR,
  )
  .action(
    async (o: {
      port: string;
      host: string;
      allowHost: string[];
      installTimeout: string;
      dataDir: string;
      python: string;
      socketDir: string;
    }) => {
      // The global token options are the token the server requires.
      await serve({
        dataDir: o.dataDir,
        host: o.host,
        port: integer("port", o.port, 0, 65535),
        token: token(true),
        allowedHosts: o.allowHost,
        installTimeoutMs: integer("install timeout", o.installTimeout, 1),
        python: o.python,
        socketDir: o.socketDir,
      });
    },
  );

program
  .command("install")
  .description("install a plugin from a zip, a folder, or a file:// / http(s):// URL")
  .argument("<source>", "zip path, folder, or URL")
  .option("--name <name>", "plugin name (default: the file or folder name without .zip)")
  .action(async (source: string, o: { name?: string }) => {
    const name = o.name ?? defaultName(source);
    try {
      const body = { name, file: packageUrl(source) };
      out((await request(client(), "POST", "/plugins/portables", body)).text);
    } catch (err) {
      // A name taken from the file name (upper-1.0.zip): say how to give one.
      if (err instanceof RequestFailed && err.code === "PORTABLE_E_NAME" && o.name === undefined) {
        const plain = name.replace(/[-_.]?v?\d+(\.\d+)*$/i, "").replace(/[^A-Za-z0-9_-]/g, "");
        err.hint = `the name ${JSON.stringify(name)} comes from ${basename(source)}; give the plugin's name with --name, e.g. portable install ${source} --name ${plain || "<name>"}`;
      }
      throw err;
    }
  });

program
  .command("update")
  .description("replace an installed plugin's files with a new package")
  .argument("<name>", "plugin name")
  .argument("<source>", "zip path, folder, or URL")
  .action(async (name: string, source: string) => {
    const path = `/plugins/portables/${encodeURIComponent(name)}`;
    out((await request(client(), "PUT", path, { name, file: packageUrl(source) })).text);
  });

program
  .command("list")
  .description("list installed plugins")
  .option("--json", "print the server's JSON")
  .action(async (o: { json?: boolean }) => {
    const { text } = await request(client(), "GET", "/plugins/portables");
    if (o.json) {
      out(text);
      return;
    }
    const plugins = JSON.parse(text) as { name: string; version: string; language: string }[];
    for (const p of plugins) out(`${p.name}\t${p.version || "-"}\t${p.language}`);
  });

program
  .command("describe")
  .description("show a plugin's manifest (name, version, language, executable, symbols)")
  .argument("<name>", "plugin name")
  .action(async (name: string) => {
    const { text } = await request(
      client(),
      "GET",
      `/plugins/portables/${encodeURIComponent(name)}`,
    );
    out(JSON.stringify(JSON.parse(text), null, 2));
  });

program
  .command("status")
  .description("show a plugin's process status (refCount, status, errMsg, pid)")
  .argument("<name>", "plugin name")
  .action(async (name: string) => {
    const path = `/plugins/portables/${encodeURIComponent(name)}/status`;
    out(JSON.stringify(JSON.parse((await request(client(), "GET", path)).text), null, 2));
  });

program
  .command("remove")
  .description("stop and uninstall a plugin")
  .argument("<name>", "plugin name")
  .action(async (name: string) => {
    out((await request(client(), "DELETE", `/plugins/portables/${encodeURIComponent(name)}`)).text);
  });

program
  .command("debug")
  .description(
    "debug server: wait for a plugin started by hand, then drive its symbols with POST /symbol/start and /symbol/stop",
  )
  .argument("<plugin>", "plugin name (its control channel is <socket-dir>/plugin_<name>.ipc)")
  .option(
    "--manifest <file>",
    "the plugin's <name>.json: starts of symbols it does not list are refused",
  )
  .option("--port <port>", "port of the debug API (0: any free port)", String(DEBUG_PORT))
  .option("--host <host>", "loopback address to listen on", "127.0.0.1")
  .option(
    "--socket-dir <dir>",
    "folder of the socket files (or PORTABLE_SOCKET_DIR); the reference SDKs only know /tmp",
    process.env["PORTABLE_SOCKET_DIR"] ?? DEFAULT_SOCKET_DIR,
  )
  .option(
    "--handshake-timeout <ms>",
    "how long to wait for the plugin",
    String(DEBUG_HANDSHAKE_TIMEOUT_MS),
  )
  .option(
    "--sample <file>",
    'JSON: {"rows": [...] for sinks, "args": [[...], ...] for functions}, or an array of rows',
  )
  .option("--interval <ms>", "between two sink messages or function calls", "1000")
  .action(
    async (
      plugin: string,
      o: {
        manifest?: string;
        port: string;
        host: string;
        socketDir: string;
        handshakeTimeout: string;
        sample?: string;
        interval: string;
      },
    ) => {
      await debug({
        plugin,
        manifest: o.manifest,
        host: o.host,
        port: integer("port", o.port, 0, 65535),
        socketDir: o.socketDir,
        handshakeTimeoutMs: integer("handshake timeout", o.handshakeTimeout, 1),
        sample: o.sample,
        intervalMs: integer("interval", o.interval, 1),
      });
    },
  );

addTryCommands(program, { client, out });

/** A whole number within bounds, or a usage error. */
function integer(what: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
    throw new HostError("PORTABLE_E_BAD_REQUEST", `invalid ${what} ${text}`);
  }
  return n;
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof RequestFailed) {
    const fix = err.hint ? `\n  fix: ${err.hint}` : "";
    process.stderr.write(`portable: ${err.message}${err.code ? ` [${err.code}]` : ""}${fix}\n`);
    process.exitCode = 1;
  } else if (err instanceof ServerUnreachable) {
    process.stderr.write(`portable: ${err.message}\n  fix: ${err.hint}\n`);
    process.exitCode = 3;
  } else if (HostError.is(err)) {
    process.stderr.write(`portable: ${err.message} [${err.code}]\n`);
    process.exitCode = err.code === "PORTABLE_E_BAD_REQUEST" ? 2 : 1;
  } else {
    process.stderr.write(`portable: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
}
