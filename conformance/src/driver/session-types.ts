// The vocabulary of a case's host (driver/session.ts): what a step asks to
// start, what came back for a command or a call, and what the session
// remembers of each started symbol (for its stop and the replay, §8).

import type { Control, JsonObject, Meta, SymbolKind } from "@portable-plugins/protocol";
import type { LaunchCommand } from "./plugin-process.js";
import type { SinkChannel } from "./sink-channel.js";
import type { SourceChannel } from "./source-channel.js";
import type { Timeouts } from "./timeouts.js";
import type { Transcript } from "./transcript.js";

export interface StartSpec {
  readonly kind: SymbolKind;
  readonly symbol: string;
  /** Label of the instance in later steps; for functions, the symbol. */
  readonly as: string;
  readonly config?: JsonObject | undefined;
  readonly dataSource?: string | undefined;
  /** Where the data source goes: `dataSource` (spec), `datasource` (Python SDK), `config`. */
  readonly dataSourceKey?: "dataSource" | "datasource" | "config" | undefined;
  readonly meta?: Partial<Meta> | undefined;
  /** Leave `meta` out of the Control (a 1.x host's function start, §9.3.2 Q37). */
  readonly withoutMeta?: boolean | undefined;
}

/** What came back for a command or a call. */
export interface Outcome {
  /** The answer (reply) text, when one came. */
  readonly answer?: string;
  /** The answer's bytes (a version-2 body is binary, §12.2). */
  readonly raw?: Buffer;
  /** Why none came: no answer in time, the process exited, ... */
  readonly failure?: string;
  readonly keepalives: number;
}

export interface Instance {
  readonly kind: SymbolKind;
  readonly symbol: string;
  readonly label: string;
  readonly control: Control;
  readonly command: Buffer;
  readonly source?: SourceChannel;
  readonly sink?: SinkChannel;
  running: boolean;
}

export interface SessionOptions {
  readonly plugin: string;
  readonly launch: LaunchCommand;
  readonly ruleId: string;
  readonly timeouts: Timeouts;
  readonly transcript: Transcript;
}
