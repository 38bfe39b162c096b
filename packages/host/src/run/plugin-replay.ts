// Replay after a (re)start (PROTOCOL.md §8.2): the remembered start commands
// are sent again to the new process, functions first, then sources, then
// sinks. A start the plugin refuses ends that instance only (its owner is
// told, it is forgotten); any other failure fails the whole launch.

import { HostError } from "../errors.js";
import type { ControlChannel } from "./control-channel.js";
import { type FunctionChannels, FunctionStartError } from "./plugin-functions.js";
import type { PluginState } from "./plugin-state.js";

/** Errors that end a replayed start only, not the whole process (§8.2 step 3). */
const symbolFailure = (err: unknown) => HostError.is(err, "PORTABLE_E_COMMAND");

/** Functions first, then sources, then sinks, each in first-start order (§8.2). */
export async function replay(
  s: PluginState,
  control: ControlChannel,
  funcs: FunctionChannels,
): Promise<void> {
  const entries = s.remembered.inReplayOrder();
  if (entries.length === 0) return;
  s.log.info(`plugin ${s.name}: replaying ${entries.length} start command(s)`);
  for (const entry of entries) {
    if (s.stopping) throw s.stoppedError();
    try {
      if (entry.kind === "function") await funcs.openFunction(entry.symbol, entry.command, control);
      else {
        await control.send(entry.command);
        entry.owner?.replayed?.();
      }
    } catch (err) {
      if (!symbolFailure(err) && !(err instanceof FunctionStartError)) throw err;
      const error = HostError.from(err, "PORTABLE_E_COMMAND", { plugin: s.name });
      s.log.error(
        `plugin ${s.name}: replay of ${entry.kind} ${entry.key} failed: ${error.message}`,
      );
      s.remembered.forget(entry.kind, entry.key);
      entry.owner?.failed(error);
    }
  }
}
