// Host-wide memory of connections refused on control channels (one peer per
// channel): when a plugin's own channel never hears from its process while
// another plugin's channel refused a stranger, the plugin probably calls
// itself by that other name, and its status says so.

export interface Refusal {
  /** The plugin whose control channel refused the connection. */
  readonly plugin: string;
  readonly url: string;
  /** Date.now() of the refusal. */
  readonly at: number;
}

const KEEP = 64;

export class ChannelRefusals {
  readonly #entries: Refusal[] = [];

  record(refusal: Refusal): void {
    this.#entries.push(refusal);
    if (this.#entries.length > KEEP) this.#entries.shift();
  }

  /** Refusals on other plugins' channels at or after `since` (Date.now() ms), newest last. */
  since(since: number, except: string): Refusal[] {
    return this.#entries.filter((r) => r.at >= since && r.plugin !== except);
  }
}

/** The plugin name a line of output shows the process dialing (`…/plugin_<name>.ipc`), if any. */
export function dialedName(lines: readonly string[], own: string): string | undefined {
  for (const line of lines) {
    const m = /plugin_([A-Za-z0-9_.-]+?)\.ipc/.exec(line);
    if (m && m[1] !== own) return m[1];
  }
  return undefined;
}
