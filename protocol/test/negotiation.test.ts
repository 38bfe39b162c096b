// Version negotiation (PROTOCOL.md §10): the offer's reading rules (§10.3
// step 1, every bad-offer example), the plugin's choice (steps 2, 3), the
// PortableConfig a host writes (§10.2) and every row of the host's learning
// table (§10.4), plus the later-handshake rule.

import { describe, expect, it } from "vitest";
import {
  checkLaterHandshake,
  chooseVersion,
  learnVersion,
  PortableConfig,
  portableConfigArgument,
  readVersionOffer,
  SUPPORTED_PROTOCOL_VERSIONS,
} from "../src/index.js";

describe("the offer (§10.2, §10.3 step 1)", () => {
  it("reads a well-formed offer as it is", () => {
    expect(readVersionOffer({ sendTimeout: 1000, protocolVersions: [1, 2] })).toEqual([1, 2]);
    expect(readVersionOffer({ protocolVersions: [3] })).toEqual([3]);
    expect(readVersionOffer(JSON.parse('{"sendTimeout":1000,"protocolVersions":[2,1]}'))).toEqual([
      2, 1,
    ]);
  });

  it("treats every bad offer of §10.3 as absent (version 1), never as an error", () => {
    const bad: unknown[] = [
      [1, 0],
      [1, -1],
      [1, 1.5],
      [1, "2"],
      [1, null],
      [1, 2, 2],
      [1, 1],
      [],
      null,
      "1,2",
      2,
      { 0: 1 },
    ];
    for (const offer of bad) {
      expect(
        readVersionOffer({ sendTimeout: 1000, protocolVersions: offer }),
        JSON.stringify(offer),
      ).toBe(undefined);
      expect(chooseVersion(readVersionOffer({ protocolVersions: offer }))).toEqual({
        ok: true,
        version: 1,
      });
    }
    // absent key, no argument, an argument that is not an object
    for (const config of [{ sendTimeout: 1000 }, undefined, null, [1, 2], "x"]) {
      expect(readVersionOffer(config)).toBeUndefined();
    }
  });
});

describe("the plugin's choice (§10.3 steps 2, 3)", () => {
  it("implements versions 1 and 2", () => {
    expect(SUPPORTED_PROTOCOL_VERSIONS).toEqual([1, 2]);
  });

  it("takes the highest common version", () => {
    expect(chooseVersion([1, 2])).toEqual({ ok: true, version: 2 });
    expect(chooseVersion([1])).toEqual({ ok: true, version: 1 });
    expect(chooseVersion([1, 2, 3, 7])).toEqual({ ok: true, version: 2 });
    expect(chooseVersion([2, 1])).toEqual({ ok: true, version: 2 });
    expect(chooseVersion([1, 2], [1])).toEqual({ ok: true, version: 1 });
    expect(chooseVersion(undefined)).toEqual({ ok: true, version: 1 });
  });

  it("names both sets when there is none", () => {
    expect(chooseVersion([3])).toEqual({
      ok: false,
      offered: [3],
      message: "no common protocol version: host offers [3], plugin speaks [1,2]",
    });
    expect(chooseVersion([2, 3], [1])).toMatchObject({
      ok: false,
      message: "no common protocol version: host offers [2,3], plugin speaks [1]",
    });
  });
});

describe("the PortableConfig a host writes (§3.1, §10.2)", () => {
  it("writes no key for a version-1 host, the key after sendTimeout otherwise", () => {
    expect(portableConfigArgument(1000)).toBe('{"sendTimeout":1000}');
    expect(portableConfigArgument(1000, [1])).toBe('{"sendTimeout":1000}');
    expect(portableConfigArgument(1000, [1, 2])).toBe(
      '{"sendTimeout":1000,"protocolVersions":[1,2]}',
    );
    // the generated codec (which knows only sendTimeout) still reads it
    expect(PortableConfig.decode(portableConfigArgument(500, [1, 2]))).toEqual({
      sendTimeout: 500,
    });
  });

  it("refuses an offer that breaks §10.2", () => {
    for (const offer of [[], [2], [2, 1], [1, 1, 2], [0, 1], [1, 2.5]]) {
      expect(() => portableConfigArgument(1000, offer), JSON.stringify(offer)).toThrow(RangeError);
    }
  });
});

describe("the host learns (§10.4)", () => {
  it("row 1: exactly `handshake` is version 1", () => {
    expect(learnVersion("handshake", [1, 2])).toEqual({
      ok: true,
      version: 1,
      notHandshake: false,
    });
    expect(learnVersion(Buffer.from("handshake"), [1])).toEqual({
      ok: true,
      version: 1,
      notHandshake: false,
    });
  });

  it("row 2: `handshake v=N`, N offered, is version N", () => {
    expect(learnVersion(Buffer.from("handshake v=2"), [1, 2])).toEqual({
      ok: true,
      version: 2,
      notHandshake: false,
    });
    expect(learnVersion("handshake v=10", [1, 10])).toMatchObject({ ok: true, version: 10 });
  });

  it("row 3: N not offered, or a malformed suffix, is a protocol error", () => {
    expect(learnVersion("handshake v=3", [1, 2])).toEqual({
      ok: false,
      announced: "3",
      errMsg: "protocol version 3 not offered",
    });
    expect(learnVersion("handshake v=2", [1])).toMatchObject({
      errMsg: "protocol version 2 not offered",
    });
    const malformed: Array<[string, string]> = [
      ["handshake v=1", "1"],
      ["handshake v=02", "02"],
      ["handshake v=", ""],
      ["handshake v=2a", "2a"],
      ["handshakev=2", "v=2"],
    ];
    for (const [first, announced] of malformed) {
      expect(learnVersion(first, [1, 2]), first).toEqual({
        ok: false,
        announced,
        errMsg: `protocol version ${announced} not offered`,
      });
    }
  });

  it("row 4: anything else is version 1, flagged for the log", () => {
    for (const first of ["hello", "ok", "", "{}", "Handshake v=2"]) {
      expect(learnVersion(first, [1, 2]), first).toEqual({
        ok: true,
        version: 1,
        notHandshake: true,
      });
    }
  });

  it("a later handshake of a different form is a protocol error; other messages are v1 business", () => {
    expect(checkLaterHandshake("handshake", 1)).toBeUndefined();
    expect(checkLaterHandshake("handshake v=2", 2)).toBeUndefined();
    expect(checkLaterHandshake("handshake", 2)).toBe(
      "protocol version changed: handshake v=1 after version 2 was agreed",
    );
    expect(checkLaterHandshake("handshake v=2", 1)).toBe(
      "protocol version changed: handshake v=2 after version 1 was agreed",
    );
    expect(checkLaterHandshake("handshake v=02", 2)).toBe(
      'protocol version changed: handshake "handshake v=02" after version 2 was agreed',
    );
    // a first byte `h` that is no handshake at all stays the v1 first-byte rule's business (§5.2)
    expect(checkLaterHandshake("hello", 2)).toBeUndefined();
    expect(checkLaterHandshake("ok", 2)).toBeUndefined();
  });
});
