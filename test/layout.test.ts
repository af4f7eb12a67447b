// The folders' rules, checked over the real import graph: the collector and
// the dashboard share only core/, core/ depends on neither, and the source
// has no import cycles.
import { describe, expect, it } from 'vitest';
import { type Boundary, crossings, cycles, type ImportGraph, readImportGraph } from './imports.js';

const isTest = (path: string) => /\.test\.tsx?$/.test(path) || path.startsWith('test/');

const BOUNDARIES: readonly Boundary[] = [
  { from: /^collector\//, to: /^(dashboard|server)\//, why: 'the collector shares only core/ with the dashboard' },
  { from: /^dashboard\//, to: /^collector\//, why: 'the dashboard shares only core/ with the collector' },
  {
    from: /^core\/(?!.*\.test\.ts$)/,
    to: /^(collector|dashboard|server|test|scripts)\//,
    why: 'core/ serves both servers and depends on neither',
  },
  { from: /^snippet\//, to: /^(?!snippet\/)/, why: 'the tracker is bundled alone' },
  {
    from: /^(core|collector|dashboard|server|snippet)\/(?!.*\.test\.tsx?$)/,
    to: /^(test|scripts)\//,
    why: 'source does not import test or tool code',
  },
];

describe('the import graph', () => {
  const graph = readImportGraph(process.cwd(), ['core', 'collector', 'dashboard', 'server', 'snippet', 'test', 'scripts', 'browser']);

  it('was read: every folder has modules with imports', () => {
    for (const folder of ['core/', 'collector/', 'dashboard/', 'server/', 'snippet/']) {
      expect(
        [...graph.keys()].some((path) => path.startsWith(folder) && (graph.get(path)?.length ?? 0) > 0),
        folder,
      ).toBe(true);
    }
  });

  it('crosses no boundary between the folders', () => {
    expect(crossings(graph, BOUNDARIES)).toEqual([]);
  });

  it('has no import cycles in the source', () => {
    expect(cycles(graph, (path) => !isTest(path))).toEqual([]);
  });
});

describe('the checks themselves', () => {
  const sample: ImportGraph = new Map([
    ['dashboard/page.tsx', ['collector/app.ts', 'core/log.ts']],
    ['collector/app.ts', ['core/log.ts', 'dashboard/page.ts']],
    ['core/log.ts', ['core/time.ts']],
    ['core/time.ts', ['core/log.ts']],
    ['core/time.test.ts', ['test/store.ts']],
  ]);

  it('name each crossing import, and let core tests use test support', () => {
    expect(crossings(sample, BOUNDARIES)).toEqual([
      'dashboard/page.tsx → collector/app.ts (the dashboard shares only core/ with the collector)',
      'collector/app.ts → dashboard/page.tsx (the collector shares only core/ with the dashboard)',
    ]);
  });

  it('find a cycle', () => {
    expect(cycles(sample, (path) => path.startsWith('core/'))).toEqual([['core/log.ts', 'core/time.ts']]);
  });
});
