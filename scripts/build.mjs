// Builds what `npm start` serves: the tracker bundle, then the two server
// entry points. Prints the tracker's size and fails when it is over budget.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { minify } from 'terser';

/** Gzip budget of the tracker in bytes: gzip -9 of the file the collector serves. */
const TRACKER_BUDGET = JSON.parse(readFileSync('snippet/budget.json', 'utf8')).gzipBytes;
const TRACKER_FILE = 'snippet/dist/sightline.js';

const bundled = await esbuild.build({
  entryPoints: ['snippet/src/main.ts'],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  // Type-checking is tsc's job; the IIFE needs no "use strict" prologue.
  tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
  write: false,
  legalComments: 'none',
});
// Terser's repeated passes inline the small modules and find a few percent
// more than esbuild's minifier: the margin between fitting the budget and not.
const minified = await minify(bundled.outputFiles[0]?.text ?? '', {
  ecma: 2020,
  compress: { passes: 3, unsafe: true, unsafe_arrows: true },
  mangle: true,
  format: { comments: false },
});
const code = minified.code ?? '';
const gzip = gzipSync(code, { level: 9 }).length;
mkdirSync('snippet/dist', { recursive: true });
writeFileSync(TRACKER_FILE, code);
console.log(`tracker: ${TRACKER_FILE} ${Buffer.byteLength(code)} B raw, ${gzip} B gzip -9 (budget ${TRACKER_BUDGET} B)`);
if (gzip > TRACKER_BUDGET) {
  console.error(`tracker: over budget by ${gzip - TRACKER_BUDGET} B`);
  process.exit(1);
}

await esbuild.build({
  entryPoints: { sightline: 'server/main.ts', collector: 'collector/main.ts', 'engine-worker': 'dashboard/reports/engine-worker.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: ['node20'],
  packages: 'external',
  tsconfig: 'dashboard/tsconfig.json',
  sourcemap: true,
  logLevel: 'warning',
});
console.log('server: dist/sightline.js, dist/collector.js, dist/engine-worker.js');
