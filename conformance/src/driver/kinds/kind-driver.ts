// How a start and a stop of one symbol kind look on the host's side (§5.1):
// the ends the host listens on before the start, what it does once the start
// is answered `ok` (dial the sink, wait for the function's first request),
// what it closes before the stop, and what a replayed start waits for (§8.2).
// source.ts, sink.ts and function.ts implement it, one kind each.

import type { Control } from "@portable-plugins/protocol";
import type { RepChannel } from "../rep-channel.js";
import type { Instance, StartSpec } from "../session-types.js";
import type { SinkChannel } from "../sink-channel.js";
import type { SourceChannel } from "../source-channel.js";
import type { Timeouts } from "../timeouts.js";
import type { Transcript } from "../transcript.js";

/** What a kind needs of the case's host (driver/session.ts). */
export interface SymbolHost {
  readonly transcript: Transcript;
  readonly opts: { readonly timeouts: Timeouts };
  /** Function channels by symbol: a function's channel outlives its stop (§5.3.3). */
  readonly functions: Map<string, RepChannel>;
  /** Waits for a function's first request; the failure text if none came. */
  awaitFunction(fn: RepChannel): Promise<string | undefined>;
}

/** The host's ends of one start. */
export interface StartEnds {
  readonly source?: SourceChannel;
  readonly sink?: SinkChannel;
  /** The start was refused (§9.1: not remembered): close what this start opened. */
  discard(): Promise<void>;
  /** The start was answered `ok`: the host's side after it; a channel's failure text. */
  settle(): Promise<string | undefined>;
}

export interface KindDriver {
  /** Before the start: listen on the host's ends, reusing the live ones of `previous`. */
  open(
    host: SymbolHost,
    spec: StartSpec,
    control: Control,
    previous: Instance | undefined,
  ): Promise<StartEnds>;
  /** Before the stop: the host closes its ends first (§5.1 rule 4). */
  close(inst: Instance): Promise<void>;
  /** Whether the symbol still runs after its stop (a function does, §5.3.3). */
  readonly runsAfterStop: boolean;
  /** After a replayed start was answered `ok` (§8.2): a channel's failure text. */
  replayed(host: SymbolHost, inst: Instance): Promise<string | undefined>;
}
