// Runs one scenario on every implementation, interleaved: run r samples each
// in turn (rotating who goes first), so a noisy neighbour on a shared
// machine hits all of them alike and per-run ratios to the floor stay
// meaningful (as src/nng/run.ts does). An implementation that fails is
// reported as an error row; the others go on.

/** One measured scenario for one implementation, connected and ready to sample. */
export interface Runner<S> {
  warm(): Promise<void>;
  sample(): Promise<S>;
  close(): Promise<void>;
}

export interface Outcome<S> {
  readonly samples: Map<string, S[]>;
  readonly errors: Map<string, string>;
}

const message = (e: unknown) => (e instanceof Error ? (e.stack ?? e.message) : String(e));

export async function interleaved<S>(
  runs: number,
  setups: ReadonlyMap<string, () => Promise<Runner<S>>>,
): Promise<Outcome<S>> {
  const runners = new Map<string, Runner<S>>();
  const samples = new Map<string, S[]>();
  const errors = new Map<string, string>();
  const fail = async (impl: string, e: unknown) => {
    errors.set(impl, message(e));
    const r = runners.get(impl);
    runners.delete(impl);
    await r?.close().catch(() => undefined);
  };
  try {
    for (const [impl, setup] of setups) {
      try {
        runners.set(impl, await setup());
      } catch (e) {
        await fail(impl, e);
      }
    }
    for (const [impl, r] of [...runners]) await r.warm().catch((e: unknown) => fail(impl, e));
    const order = [...runners.keys()];
    for (let run = 0; run < runs; run++) {
      for (let k = 0; k < order.length; k++) {
        const impl = order[(run + k) % order.length]!;
        const runner = runners.get(impl);
        if (!runner) continue;
        try {
          const s = await runner.sample();
          samples.set(impl, [...(samples.get(impl) ?? []), s]);
        } catch (e) {
          await fail(impl, e);
        }
      }
    }
  } finally {
    for (const r of runners.values()) await r.close().catch(() => undefined);
  }
  for (const impl of errors.keys()) samples.delete(impl);
  return { samples, errors };
}
