import { describe, expect, it } from "vitest";
import { IPC_PATH_MAX_BYTES, parseUrl } from "./url.js";

describe("URL parsing", () => {
  it("maps ipc:///abs/path to the absolute path and ipc://rel to a relative one", () => {
    expect(parseUrl("ipc:///tmp/x.ipc", "listen")).toMatchObject({ path: "/tmp/x.ipc" });
    expect(parseUrl("ipc://x.ipc", "dial")).toMatchObject({ path: "x.ipc" });
  });

  it("refuses an ipc path longer than sun_path allows, saying why", () => {
    const long = `ipc:///tmp/${"a".repeat(IPC_PATH_MAX_BYTES)}`;
    expect(() => parseUrl(long, "listen")).toThrowError(
      expect.objectContaining({
        code: "PORTABLE_E_BAD_URL",
        message: expect.stringMatching(/limited to/),
      }),
    );
    const fits = `ipc:///${"a".repeat(IPC_PATH_MAX_BYTES - 1)}`;
    expect(() => parseUrl(fits, "listen")).not.toThrow();
  });

  it("parses tcp hosts: IPv4, bracketed IPv6, names, and * or empty for all interfaces", () => {
    expect(parseUrl("tcp://127.0.0.1:5555", "dial")).toMatchObject({
      host: "127.0.0.1",
      port: 5555,
    });
    expect(parseUrl("tcp://[::1]:80", "dial")).toMatchObject({ host: "::1", port: 80 });
    expect(parseUrl("tcp://localhost:1", "dial")).toMatchObject({ host: "localhost", port: 1 });
    expect(parseUrl("tcp://*:0", "listen")).toMatchObject({ host: undefined, port: 0 });
    expect(parseUrl("tcp://:7", "listen")).toMatchObject({ host: undefined, port: 7 });
  });

  it("refuses malformed URLs with PORTABLE_E_BAD_URL", () => {
    for (const url of [
      "inproc://x",
      "tcp://127.0.0.1",
      "tcp://127.0.0.1:99999",
      "tcp://::1:80",
      "tcp://[::1:80",
      "ipc://",
      "nonsense",
    ]) {
      expect(() => parseUrl(url, "listen"), url).toThrowError(
        expect.objectContaining({ code: "PORTABLE_E_BAD_URL", url }),
      );
    }
  });

  it("refuses to dial a wildcard host or port 0", () => {
    expect(() => parseUrl("tcp://*:5555", "dial")).toThrowError(/needs a host/);
    expect(() => parseUrl("tcp://127.0.0.1:0", "dial")).toThrowError(/port other than 0/);
  });
});
