// The mirror plugin: its name and symbols.

import { definePlugin } from "@portable-plugins/sdk";
import { echo } from "./echo-func.js";
import { FileSink } from "./file-sink.js";
import { RandomSource } from "./random-source.js";

export const mirror = definePlugin({
  name: "mirror",
  sources: { random: () => new RandomSource() },
  sinks: { file: () => new FileSink() },
  functions: { echo: () => echo },
});
