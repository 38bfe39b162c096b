// A function's start and stop on the host's side: the host listens (REP) on
// the function's channel before the start and, on `ok`, waits for the
// plugin's first request on it. The channel is the symbol's, not the
// instance's: it outlives the stop, since a function keeps running (§5.3.3).

import { functionChannelUrl } from "@portable-plugins/protocol";
import { listenHostEnd, symbolEndText } from "../host-listen.js";
import { RepChannel } from "../rep-channel.js";
import type { KindDriver } from "./kind-driver.js";

export const functionDriver: KindDriver = {
  async open(host, spec) {
    const known = host.functions.get(spec.symbol);
    const live = known && !known.closed ? known : undefined;
    let fn = live;
    if (!fn) {
      fn = new RepChannel(
        functionChannelUrl(spec.symbol),
        `function:${spec.symbol}`,
        host.transcript,
      );
      await listenHostEnd(fn, fn.url, symbolEndText(fn.url));
      host.functions.set(spec.symbol, fn);
    }
    const opened = fn;
    return {
      async discard() {
        if (live) return;
        await opened.close();
        host.functions.delete(spec.symbol);
      },
      async settle() {
        return live ? undefined : host.awaitFunction(opened);
      },
    };
  },
  async close() {
    // The host keeps the function's channel: the function keeps running (§5.3.3).
  },
  runsAfterStop: true,
  async replayed(host, inst) {
    const fn = host.functions.get(inst.symbol);
    return fn ? host.awaitFunction(fn) : undefined;
  },
};
