// Who may call the REST API: anyone on loopback by default; a bearer token,
// compared in constant time, when one is set. Listening beyond loopback
// without a token is refused at start.

import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost") return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  if (h === "::1") return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  return mapped !== null && mapped[1]!.startsWith("127.");
}

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/** Whether an Authorization header carries `Bearer <token>`; constant time in the token. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? "");
  const given = match ? match[1]!.trim() : "";
  // Hash both sides so lengths are equal and timing says nothing about the token.
  return timingSafeEqual(digest(given), digest(token)) && given.length > 0;
}
