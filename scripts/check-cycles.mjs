#!/usr/bin/env node
// `npm run check:cycles` (part of `npm test`): proves the workspace has no import cycles.
// 1. Package level: no cycle among the workspace packages, counting both what each
//    package.json declares and what its files import (an undeclared import of another
//    workspace package is an error of its own: it hides a dependency).
// 2. Module level: inside each package, no circle of relative imports between its
//    TypeScript/JavaScript files, type-only imports included (a circle through types is
//    still two files that cannot be read apart).
// Imports are read with the TypeScript compiler's own pre-processor (static, re-export,
// side-effect and dynamic `import()`), so nothing is guessed from regexes.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ts = createRequire(import.meta.url)("typescript");
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SKIP_DIRS = new Set(["node_modules", "dist", "build", ".turbo", ".venv", "coverage"]);
const CODE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
const DEP_FIELDS = ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"];

/** The workspace packages: name -> { dir, json }, from the root package.json's globs ("dir" or "dir/*"). */
function workspaces() {
  const globs = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).workspaces ?? [];
  const dirs = globs.flatMap((g) => {
    if (!g.endsWith("/*")) return [join(root, g)];
    const base = join(root, g.slice(0, -2));
    return existsSync(base) ? readdirSync(base).map((d) => join(base, d)) : [];
  });
  const out = new Map();
  for (const dir of dirs) {
    const file = join(dir, "package.json");
    if (!existsSync(file)) continue;
    const json = JSON.parse(readFileSync(file, "utf8"));
    out.set(json.name, { dir, json });
  }
  return out;
}

/** Every code file of a package, skipping build outputs, dependencies and nested packages. */
function codeFiles(dir, top = dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (SKIP_DIRS.has(entry.name)) continue;
      if (path !== top && existsSync(join(path, "package.json"))) continue;
      out.push(...codeFiles(path, top));
    } else if (CODE.test(entry.name) && !entry.name.endsWith(".d.ts")) {
      out.push(path);
    }
  }
  return out;
}

const importsOf = (file) =>
  ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles.map((f) => f.fileName);

/** The file a relative specifier names (`./x.js` is `./x.ts` in TypeScript sources). */
function resolveRelative(from, spec) {
  const base = resolve(dirname(from), spec);
  const stem = base.replace(/\.(js|mjs|cjs|jsx)$/, "");
  const candidates = [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, `${stem}.cts`];
  candidates.push(...["index.ts", "index.js"].map((i) => join(base, i)));
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** One cycle (a path that ends where it starts) per strongly connected component of `graph`. */
export function cyclesOf(graph) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) !== idx.get(v)) return;
    const scc = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1 || graph.get(v)?.has(v)) found.push(shortestLoop(graph, new Set(scc), v));
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

/** The shortest path from `start` back to itself inside one component: the cycle to show. */
function shortestLoop(graph, scc, start) {
  const prev = new Map();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const w of graph.get(v) ?? []) {
      if (!scc.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(prev.get(path[0]));
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

function main() {
  const pkgs = workspaces();
  const names = [...pkgs.keys()].sort((a, b) => b.length - a.length);
  const workspaceOf = (spec) => names.find((n) => spec === n || spec.startsWith(`${n}/`));
  const problems = [];
  const pkgGraph = new Map();
  let modules = 0;
  for (const [name, { dir, json }] of pkgs) {
    const declared = new Set(DEP_FIELDS.flatMap((f) => Object.keys(json[f] ?? {})));
    const edges = new Set([...declared].filter((d) => pkgs.has(d)));
    const modGraph = new Map();
    for (const file of codeFiles(dir)) {
      const local = new Set();
      for (const spec of importsOf(file)) {
        if (spec.startsWith(".")) {
          const target = resolveRelative(file, spec);
          if (target?.startsWith(dir)) local.add(target);
          continue;
        }
        const dep = workspaceOf(spec);
        if (dep === undefined || dep === name) continue;
        edges.add(dep);
        if (!declared.has(dep)) {
          problems.push(`${relative(root, file)} imports ${spec}, not declared in ${name}`);
        }
      }
      modGraph.set(file, local);
    }
    modules += modGraph.size;
    pkgGraph.set(name, edges);
    for (const cycle of cyclesOf(modGraph)) {
      problems.push(`module cycle in ${name}: ${cycle.map((f) => relative(root, f)).join(" -> ")}`);
    }
  }
  for (const cycle of cyclesOf(pkgGraph)) problems.push(`package cycle: ${cycle.join(" -> ")}`);
  if (problems.length > 0) {
    for (const p of problems) console.error(`check-cycles: ${p}`);
    process.exit(1);
  }
  console.log(`check-cycles: no cycles (${pkgs.size} packages, ${modules} modules)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
