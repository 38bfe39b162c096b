// Source configuration as eKuiper resolves it: `default` plus named
// overrides, merged shallowly, the name matched case-insensitively.

import { describe, expect, it } from "vitest";
import { PackageError } from "../src/errors.js";
import { parseConfigSet, resolveConfig } from "../src/symbol-config.js";

const YAML = `
default:
  interval: 1000
  seed: 7
  tls:
    enabled: false
    ca: /etc/ca.pem
fast:
  interval: 10
  tls:
    enabled: true
Empty:
`;

describe("source configuration", () => {
  const set = parseConfigSet(YAML, "sources/random.yaml");

  it("gives the default configuration when no key is named", () => {
    expect(resolveConfig(set)).toEqual({
      props: { interval: 1000, seed: 7, tls: { enabled: false, ca: "/etc/ca.pem" } },
      matched: "default",
    });
  });

  it("overrides the default's top-level keys with the named configuration's (shallow merge)", () => {
    const { props, matched } = resolveConfig(set, "fast");
    expect(matched).toBe("fast");
    // `tls` is replaced whole: `ca` from the default does not survive, as in eKuiper.
    expect(props).toEqual({ interval: 10, seed: 7, tls: { enabled: true } });
  });

  it("matches the configuration name case-insensitively", () => {
    expect(resolveConfig(set, "FAST").matched).toBe("fast");
    expect(resolveConfig(set, "empty")).toMatchObject({
      matched: "Empty",
      props: { interval: 1000 },
    });
  });

  it("falls back to the default alone for an unknown name, saying nothing matched", () => {
    expect(resolveConfig(set, "nope")).toMatchObject({
      matched: undefined,
      props: { interval: 1000 },
    });
  });

  it("returns copies: changing a result does not change the next one", () => {
    const first = resolveConfig(set, "fast").props;
    (first["tls"] as { enabled: boolean }).enabled = false;
    expect(resolveConfig(set, "fast").props["tls"]).toEqual({ enabled: true });
  });

  it("keeps property names as written (no lowercasing)", () => {
    expect(resolveConfig(parseConfigSet("default:\n  sendTimeout: 5\n", "x.yaml")).props).toEqual({
      sendTimeout: 5,
    });
  });

  it("reads YAML 1.2 core: 'on', 'yes' and dates stay strings", () => {
    const props = resolveConfig(
      parseConfigSet("default:\n  a: yes\n  b: on\n  c: 2024-01-01\n", "x.yaml"),
    ).props;
    expect(props).toEqual({ a: "yes", b: "on", c: "2024-01-01" });
  });

  it.each([
    ["invalid YAML", "default: [oops\n", /x.yaml: invalid YAML/],
    ["a duplicate key", "default:\n  a: 1\n  a: 2\n", /invalid YAML: Map keys must be unique/],
    ["a list at the top", "- a\n- b\n", /must be a mapping of configuration names/],
    [
      "a configuration that is not a mapping",
      "default: 5\n",
      /configuration "default" must be a mapping/,
    ],
  ])("refuses %s with PORTABLE_E_CONFIG", (_title, text, message) => {
    const err = (() => {
      try {
        parseConfigSet(text, "x.yaml");
      } catch (e) {
        return e;
      }
    })();
    expect(PackageError.is(err, "PORTABLE_E_CONFIG")).toBe(true);
    expect((err as Error).message).toMatch(message);
  });
});
