// Builds what `npm start` serves: the tracker bundle, then the two server
// entry points. Prints the tracker's size and fails when it is over budget.
import { mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

/** Gzip budget of the tracker, in bytes (gzip -9 of the served file). */
const TRACKER_BUDGET = 1024;

const snippet = await esbuild.build({
  entryPoints: ['snippet/src/main.ts'],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2017'],
  tsconfig: 'snippet/tsconfig.json',
  write: false,
  legalComments: 'none',
});
const code = snippet.outputFiles[0]?.text ?? '';
const raw = Buffer.byteLength(code);
const gzip = gzipSync(code, { level: 9 }).length;
mkdirSync('snippet/dist', { recursive: true });
writeFileSync('snippet/dist/sightline.js', code);
console.log(`tracker: snippet/dist/sightline.js ${raw} B raw, ${gzip} B gzip -9 (budget ${TRACKER_BUDGET} B)`);
if (gzip > TRACKER_BUDGET) {
  console.error(`tracker: over budget by ${gzip - TRACKER_BUDGET} B`);
  process.exit(1);
}

await esbuild.build({
  entryPoints: { sightline: 'dashboard/main.ts', collector: 'collector/main.ts' },
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
console.log('server: dist/sightline.js, dist/collector.js');
