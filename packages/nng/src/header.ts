// The SP connection header (sp-tcp-mapping-01 §3, sp-ipc-mapping-01): eight bytes each side
// writes as soon as the stream connects, `00 53 50 00 | u16 BE protocol id | 00 00`. The
// protocol id is (protocol << 4) | role and tells the peer which pattern we speak.
import { NngError } from "./errors.js";

export const HEADER_SIZE = 8;

/** Protocol ids from sp-protocol-ids-01. Listed in full so headers from any peer decode to a name. */
export const PROTOCOL_IDS = {
  pair0: 0x10,
  pair1: 0x11,
  pub: 0x20,
  sub: 0x21,
  req: 0x30,
  rep: 0x31,
  push: 0x50,
  pull: 0x51,
  surveyor: 0x62,
  respondent: 0x63,
  bus: 0x70,
} as const;

export type ProtocolName = keyof typeof PROTOCOL_IDS;

/** The protocols this package implements, and the one peer each accepts. */
export type SocketProtocol = "req" | "rep" | "push" | "pull" | "pair0";

export const PEER_OF: Readonly<Record<SocketProtocol, ProtocolName>> = {
  req: "rep",
  rep: "req",
  push: "pull",
  pull: "push",
  pair0: "pair0",
};

export function protocolName(id: number): string {
  for (const [name, value] of Object.entries(PROTOCOL_IDS)) {
    if (value === id) return name;
  }
  return `unknown(0x${id.toString(16).padStart(4, "0")})`;
}

export function encodeHeader(protocol: ProtocolName): Buffer {
  const header = Buffer.alloc(HEADER_SIZE);
  header[1] = 0x53; // 'S'
  header[2] = 0x50; // 'P'
  header.writeUInt16BE(PROTOCOL_IDS[protocol], 4);
  return header;
}

/**
 * Checks the peer's eight bytes. Bad magic or reserved bytes are a wire error (the peer is not
 * speaking SP at all); a well-formed header for the wrong pattern is a peer-protocol error.
 */
export function checkPeerHeader(header: Buffer, self: SocketProtocol): void {
  if (header.length !== HEADER_SIZE) {
    throw new NngError("PORTABLE_E_PROTOCOL", "SP connection header must be 8 bytes");
  }
  if (header[0] !== 0 || header[1] !== 0x53 || header[2] !== 0x50 || header[3] !== 0) {
    throw new NngError(
      "PORTABLE_E_PROTOCOL",
      `peer did not send an SP connection header (got ${header.toString("hex")}, ` +
        "expected 00535000....0000)",
    );
  }
  if (header[6] !== 0 || header[7] !== 0) {
    throw new NngError(
      "PORTABLE_E_PROTOCOL",
      `SP connection header has non-zero reserved bytes (${header.toString("hex")})`,
    );
  }
  const peer = header.readUInt16BE(4);
  const wanted = PEER_OF[self];
  if (peer !== PROTOCOL_IDS[wanted]) {
    throw new NngError(
      "PORTABLE_E_PEER_PROTOCOL",
      `peer speaks ${protocolName(peer)} (0x${peer.toString(16)}); a ${self} socket needs ` +
        `${wanted} (0x${PROTOCOL_IDS[wanted].toString(16)})`,
    );
  }
}
