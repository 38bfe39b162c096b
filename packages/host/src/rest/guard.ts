// Browser defences of the REST API. Without a token the API trusts whoever
// reaches loopback, so a web page must not reach it: a `Host` header that is
// not a loopback name (or one the operator allowed) is refused, which defeats
// DNS rebinding; and a browser request that changes state from another site
// (Origin / Sec-Fetch-Site) is refused with or without a token.

import { isLoopbackHost } from "./auth.js";

/** Methods that change state: refused when a browser sends them cross-site. */
export const UNSAFE_METHODS = new Set(["POST", "PUT", "DELETE", "PATCH"]);

/** The host name of a `Host` header (`name`, `name:port`, `[v6]:port`), lower-cased. */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    return end < 0 ? h : h.slice(0, end + 1);
  }
  const colon = h.indexOf(":");
  return (colon < 0 ? h : h.slice(0, colon)).replace(/\.$/, "");
}

/**
 * Why a `Host` header is refused when there is no token, or undefined when
 * it is a loopback name or one of `allowed`. A request without `Host`
 * (HTTP/1.0) comes from no browser and is accepted.
 */
export function refuseHost(header: string | undefined, allowed: ReadonlySet<string>) {
  if (header === undefined) return undefined;
  const name = hostName(header);
  if (isLoopbackHost(name) || allowed.has(name)) return undefined;
  return (
    `host name ${JSON.stringify(name)} is not allowed: without a token only loopback names ` +
    "(localhost, 127.0.0.1, [::1]) and the configured ones are served (DNS-rebinding defence)"
  );
}

/**
 * Why a state-changing request is refused as cross-site, or undefined. A
 * browser says where a request comes from with `Sec-Fetch-Site` (only
 * `same-origin` and `none`, a user's own navigation, pass) and `Origin`
 * (must be this server's own origin). Programs (curl, the CLI) send neither.
 */
export function refuseCrossSite(
  method: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
): string | undefined {
  if (!UNSAFE_METHODS.has(method.toUpperCase())) return undefined;
  const site = one(headers["sec-fetch-site"])?.trim().toLowerCase();
  if (site !== undefined && site !== "same-origin" && site !== "none") {
    return `cross-site ${method} refused (Sec-Fetch-Site: ${site})`;
  }
  const origin = one(headers["origin"]);
  if (origin === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return `cross-site ${method} refused (Origin: ${JSON.stringify(origin)})`;
  }
  const host = one(headers["host"])?.trim().toLowerCase();
  if (url.host.toLowerCase() !== host || !/^https?:$/.test(url.protocol)) {
    return `cross-site ${method} refused (Origin ${origin} is not this server)`;
  }
  return undefined;
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
