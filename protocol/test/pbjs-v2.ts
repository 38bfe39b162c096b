// protobufjs loading portable_v2.proto itself (google/protobuf types from
// protobufjs' own copies): an independent reader and writer that the v2 codec
// tests compare our generated and direct codecs against.
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";

const schemas = fileURLToPath(new URL("../schemas/", import.meta.url));
const require = createRequire(import.meta.url);
const protobufDir = dirname(require.resolve("protobufjs/package.json"));

export const pbjsV2Root = new protobuf.Root();
pbjsV2Root.resolvePath = (origin, target) =>
  target.startsWith("google/protobuf/")
    ? join(protobufDir, target)
    : resolve(origin ? dirname(origin) : schemas, target);
pbjsV2Root.loadSync(join(schemas, "portable_v2.proto"));
