// Runs a TypeScript script of ours: esbuild bundles it (our code only;
// packages stay external) into a file under node_modules/.cache, where Node
// resolves packages as from the project, and imports it.
// Usage: node scripts/run-ts.mjs scripts/NAME.ts [args…]
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs scripts/NAME.ts [args…]');
  process.exit(2);
}
mkdirSync('node_modules/.cache', { recursive: true });
const dir = mkdtempSync(join('node_modules', '.cache', 'sightline-run-'));
const outfile = join(dir, 'script.mjs');
await esbuild.build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: ['node20'],
  packages: 'external',
  tsconfig: 'scripts/tsconfig.json',
  logLevel: 'warning',
});
process.argv = [process.argv[0] ?? 'node', resolve(entry), ...rest];
try {
  await import(pathToFileURL(resolve(outfile)).href);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
