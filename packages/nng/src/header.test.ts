import { describe, expect, it } from "vitest";
import { checkPeerHeader, encodeHeader, PROTOCOL_IDS } from "./header.js";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

describe("SP connection header", () => {
  it("is 00 53 50 00, the u16 protocol id, then two zero bytes", () => {
    expect(encodeHeader("req").toString("hex")).toBe("0053500000300000");
    expect(encodeHeader("rep").toString("hex")).toBe("0053500000310000");
    expect(encodeHeader("push").toString("hex")).toBe("0053500000500000");
    expect(encodeHeader("pull").toString("hex")).toBe("0053500000510000");
    expect(encodeHeader("pair0").toString("hex")).toBe("0053500000100000");
  });

  it("accepts the header of the peer protocol", () => {
    expect(() => checkPeerHeader(hex("0053500000310000"), "req")).not.toThrow();
    expect(() => checkPeerHeader(hex("0053500000300000"), "rep")).not.toThrow();
    expect(() => checkPeerHeader(hex("0053500000510000"), "push")).not.toThrow();
    expect(() => checkPeerHeader(hex("0053500000500000"), "pull")).not.toThrow();
    expect(() => checkPeerHeader(hex("0053500000100000"), "pair0")).not.toThrow();
  });

  it("reports a well-formed header of the wrong pattern as a peer-protocol error naming both", () => {
    expect(() => checkPeerHeader(hex("0053500000510000"), "req")).toThrowError(
      expect.objectContaining({
        code: "PORTABLE_E_PEER_PROTOCOL",
        message: expect.stringMatching(/pull.*rep/),
      }),
    );
  });

  it("reports bad magic or non-zero reserved bytes as a wire error", () => {
    for (const bad of ["0053510000310000", "4745542f00310000", "0053500000310001"]) {
      expect(() => checkPeerHeader(hex(bad), "req")).toThrowError(
        expect.objectContaining({ code: "PORTABLE_E_PROTOCOL" }),
      );
    }
  });

  it("knows every protocol id of sp-protocol-ids-01", () => {
    expect(PROTOCOL_IDS).toMatchObject({ pub: 0x20, sub: 0x21, surveyor: 0x62, bus: 0x70 });
  });
});
