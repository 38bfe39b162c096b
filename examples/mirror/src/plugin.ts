// The mirror plugin: its name and symbols, checked against the types
// portable-gen generated from its description files (src/gen/types.ts).

import { definePlugin } from "@portable-plugins/sdk";
import { echo } from "./echo-func.js";
import { FileSink } from "./file-sink.js";
import type { MirrorTypes } from "./gen/types.js";
import { RandomSource } from "./random-source.js";

export const mirror = definePlugin<MirrorTypes>({
  name: "mirror",
  sources: { random: () => new RandomSource() },
  sinks: { file: () => new FileSink() },
  functions: { echo: () => echo },
});
