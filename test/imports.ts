/**
 * The project's import graph, read from the source: which module imports
 * which. The layout test (layout.test.ts) holds it to the folders' rules.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/** Module path (from the project's root) → the project modules it imports. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** Every .ts and .tsx file under `folders` (from `root`), with the relative imports each makes, resolved to files. */
export function readImportGraph(root: string, folders: readonly string[]): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const folder of folders) {
    for (const file of sourceFiles(join(root, folder))) {
      const path = relative(root, file);
      const targets = [...readFileSync(file, 'utf8').matchAll(SPECIFIER)].map((m) => resolveModule(path, m[1] ?? ''));
      graph.set(path, [...new Set(targets)]);
    }
  }
  return graph;
}

function* sourceFiles(folder: string): Generator<string> {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name === 'fixtures') continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield path;
  }
}

/** `./x.js` seen from `from` → the source file it names (ESM specifiers name the built .js). */
function resolveModule(from: string, specifier: string): string {
  const path = normalize(join(dirname(from), specifier));
  return path.replace(/\.js$/, '.ts');
}

/** A rule: modules matching `from` must not import modules matching `to`. */
export interface Boundary {
  readonly from: RegExp;
  readonly to: RegExp;
  readonly why: string;
}

/** Every import that crosses a boundary, as "a → b (why)". */
export function crossings(graph: ImportGraph, boundaries: readonly Boundary[]): string[] {
  const found: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const target = graph.has(to) ? to : to.replace(/\.ts$/, '.tsx');
      for (const rule of boundaries) {
        if (rule.from.test(from) && rule.to.test(target)) found.push(`${from} → ${target} (${rule.why})`);
      }
    }
  }
  return found;
}

/** The import cycles among the modules that `include` admits, each as its modules in order. */
export function cycles(graph: ImportGraph, include: (path: string) => boolean): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const raw of graph.get(node) ?? []) {
      const next = graph.has(raw) ? raw : raw.replace(/\.ts$/, '.tsx');
      if (!include(next) || !graph.has(next)) continue;
      const seen = state.get(next);
      if (seen === 'open') found.push(stack.slice(stack.indexOf(next)));
      else if (seen === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (include(node) && !state.has(node)) visit(node);
  return found;
}
