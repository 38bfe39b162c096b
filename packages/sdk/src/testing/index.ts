// @portable-plugins/sdk/testing: what a plugin's own tests need. Fake
// contexts to call a symbol directly, an in-process test host that drives a
// plugin definition over the real wire, and the waiting helpers every test
// suite of this repository shares.

export {
  type CapturedLogger,
  captureLogger,
  type EmittedTuple,
  type FakeContext,
  type FakeContextOptions,
  type FakeFunctionContext,
  type FakeSourceContext,
  type FakeSourceContextOptions,
  fakeContext,
  fakeFunctionContext,
  fakeSinkData,
  fakeSourceContext,
  type LogEntry,
  type RunSourceOptions,
  runSource,
} from "./contexts.js";
export {
  ControlHost,
  functionListener,
  meta,
  sinkSockets,
  socketDir,
  sourceListener,
  TestHost,
  type TestHostOptions,
  uniqueName,
} from "./test-host.js";
export { fileText, nextWithin, pidAlive, pidRunning, waitFor, waitForFile } from "./wait.js";
