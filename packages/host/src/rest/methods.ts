// Which methods each path of the API serves, learnt from the routes as they
// are registered, so a request with a known path and a wrong method answers
// 405 with `Allow` (and an unknown path 404), both in the API's error shape.

export class RouteTable {
  readonly #routes: { readonly pattern: RegExp; readonly methods: Set<string> }[] = [];

  /** Records route `url` (fastify syntax, `:param` segments) serving `methods` (a GET also HEAD unless `head` is false). */
  add(url: string, methods: string | readonly string[], head = true): void {
    const source = url
      .split("/")
      .map((segment) =>
        segment.startsWith(":") ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
      )
      .join("/");
    const pattern = new RegExp(`^${source}$`);
    let route = this.#routes.find((r) => r.pattern.source === pattern.source);
    if (!route) {
      route = { pattern, methods: new Set() };
      this.#routes.push(route);
    }
    for (const m of typeof methods === "string" ? [methods] : methods) {
      route.methods.add(m.toUpperCase());
      if (m.toUpperCase() === "GET" && head) route.methods.add("HEAD");
    }
  }

  /** The methods served on `path` (query ignored), sorted; empty when no route matches. */
  allowed(url: string): string[] {
    const path = url.split("?")[0] ?? "";
    const methods = new Set<string>();
    for (const r of this.#routes) {
      if (r.pattern.test(path)) for (const m of r.methods) methods.add(m);
    }
    return [...methods].sort();
  }
}
