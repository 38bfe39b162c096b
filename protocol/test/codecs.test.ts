import { describe, expect, it } from "vitest";
import {
  Command,
  Control,
  dataSourceOf,
  decodeAnswer,
  decodeFunctionCall,
  decodeSinkAckWithWarnings,
  decodeSourceItemWithWarnings,
  encodeAnswer,
  encodeFunctionCall,
  encodeSinkAck,
  encodeSourceData,
  FuncReply,
  PluginManifest,
  ProtocolError,
  startsLikeHandshake,
} from "../src/index.js";

describe("Command", () => {
  it("puts the Control's JSON inside a JSON string, keys in wire order, empty fields omitted", () => {
    const bytes = Command.encode({
      cmd: "start",
      arg: {
        symbolName: "random",
        meta: { ruleId: "r1", opId: "op1", instanceId: 0 },
        pluginType: "source",
        config: {},
      },
    });
    expect(bytes.toString()).toBe(
      '{"cmd":"start","arg":"{\\"symbolName\\":\\"random\\",\\"meta\\":{\\"ruleId\\":\\"r1\\",\\"opId\\":\\"op1\\",\\"instanceId\\":0},\\"pluginType\\":\\"source\\"}"}',
    );
    expect(Command.decode(bytes).arg.meta).toEqual({ ruleId: "r1", opId: "op1", instanceId: 0 });
  });

  it("names the nested field that is wrong, with the outer message kind", () => {
    const bad =
      '{"cmd":"start","arg":"{\\"symbolName\\":\\"x\\",\\"pluginType\\":\\"sink\\",\\"meta\\":{\\"instanceId\\":true}}"}';
    expect(() => Command.decode(bad)).toThrowError(
      /Command\.arg\.meta\.instanceId: expected an integer, got boolean true/,
    );
  });
});

describe("Control", () => {
  it("accepts the Python SDK spelling `datasource` with a warning", () => {
    const d = Control.decodeWithWarnings(
      '{"symbolName":"s","pluginType":"source","datasource":"topic/a"}',
    );
    expect(d.value.dataSource).toBe("topic/a");
    expect(d.warnings).toEqual([{ code: "datasource-alias", field: "dataSource" }]);
  });

  it("matches keys case-insensitively as Go does, with a warning", () => {
    const d = Control.decodeWithWarnings('{"SymbolName":"s","plugintype":"func"}');
    expect(d.value).toEqual({ symbolName: "s", pluginType: "func" });
    expect(d.warnings.map((w) => w.code)).toEqual(["key-case", "key-case"]);
  });

  it("ignores unknown keys and treats null as absent, as Go does", () => {
    expect(
      Control.decode('{"symbolName":"s","pluginType":"sink","future":1,"dataSource":null}'),
    ).toEqual({
      symbolName: "s",
      pluginType: "sink",
    });
  });

  it("finds a data source given inside config (eKuiper 2.x)", () => {
    const warnings: never[] = [];
    const c = Control.decode(
      '{"symbolName":"s","pluginType":"source","config":{"datasource":"t"}}',
    );
    expect(dataSourceOf(c, warnings)).toBe("t");
    expect(warnings).toEqual([{ code: "datasource-in-config", field: "config.datasource" }]);
  });
});

describe("answers", () => {
  it("never lets an error text start with h, be empty or read as ok", () => {
    expect(encodeAnswer({ ok: false, error: "handler crashed" }).toString()).toBe(
      "error: handler crashed",
    );
    expect(encodeAnswer({ ok: false, error: "" }).toString()).toBe("error: ");
    expect(encodeAnswer({ ok: false, error: "ok" }).toString()).toBe("error: ok");
    expect(startsLikeHandshake(encodeAnswer({ ok: false, error: "h" }))).toBe(false);
    expect(decodeAnswer("symbol not found")).toEqual({ ok: false, error: "symbol not found" });
  });

  it("refuses a handshake in place of an answer", () => {
    expect(() => decodeAnswer("handshake")).toThrowError(ProtocolError);
  });
});

describe("function calls", () => {
  it("appends the function context as a JSON string to Exec's arguments, and takes it off again", () => {
    const ctx = { ruleId: "r", opId: "op", instanceId: 1, funcId: 2 };
    const bytes = encodeFunctionCall({ func: "Exec", args: [1, "a"], context: ctx });
    expect(bytes.toString()).toBe(
      '{"func":"Exec","arg":[1,"a","{\\"ruleId\\":\\"r\\",\\"opId\\":\\"op\\",\\"instanceId\\":1,\\"funcId\\":2}"]}',
    );
    expect(decodeFunctionCall(bytes)).toEqual({ func: "Exec", args: [1, "a"], context: ctx });
  });

  it("sends IsAggregate with a null argument", () => {
    expect(encodeFunctionCall({ func: "IsAggregate" }).toString()).toBe(
      '{"func":"IsAggregate","arg":null}',
    );
  });

  it("writes a reply's null result explicitly, as Go does", () => {
    expect(FuncReply.encodeToString({ state: true, result: null })).toBe(
      '{"state":true,"result":null}',
    );
  });
});

describe("source items", () => {
  it("decodes the Go SDK's error-in-a-string with a warning", () => {
    const d = decodeSourceItemWithWarnings(JSON.stringify(JSON.stringify({ error: "boom" })));
    expect(d.value).toEqual({ type: "error", error: "boom" });
    expect(d.warnings.map((w) => w.code)).toEqual(["error-as-string"]);
  });

  it("writes data with null meta", () => {
    expect(encodeSourceData({ b: 2, a: 1 }).toString()).toBe(
      '{"message":{"a":1,"b":2},"meta":null}',
    );
  });
});

describe("sink acks", () => {
  it('is {} for success and accepts {"error":""} as success with a warning', () => {
    expect(encodeSinkAck({ ok: true }).toString()).toBe("{}");
    expect(encodeSinkAck({ ok: false, error: "disk full" }).toString()).toBe(
      '{"error":"disk full"}',
    );
    const d = decodeSinkAckWithWarnings('{"error":""}');
    expect(d.value).toEqual({ ok: true });
    expect(d.warnings.map((w) => w.code)).toEqual(["ack-empty-error"]);
  });
});

describe("manifest", () => {
  it("defaults absent symbol lists to empty and keeps optional fields absent", () => {
    expect(
      PluginManifest.decode(
        '{"version":"v1","language":"go","executable":"m","sources":["random"]}',
      ),
    ).toEqual({
      version: "v1",
      language: "go",
      executable: "m",
      sources: ["random"],
      sinks: [],
      functions: [],
    });
  });
});
