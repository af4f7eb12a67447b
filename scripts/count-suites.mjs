// Reads vitest's JSON report and prints how many PostgreSQL and browser tests
// passed; CI fails if either suite ran nothing.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8'));
let passed = 0;
let failed = 0;
let skipped = 0;
let postgres = 0;
let browser = 0;
for (const file of report.testResults) {
  const inBrowserSuite = /[/\\]browser[/\\]/.test(file.name);
  for (const test of file.assertionResults) {
    if (test.status === 'passed') passed++;
    else if (test.status === 'failed') failed++;
    else skipped++;
    if (test.status !== 'passed') continue;
    if (test.ancestorTitles.some((/** @type {string} */ title) => / on postgres$/.test(title))) postgres++;
    if (inBrowserSuite) browser++;
  }
}
console.log(`PostgreSQL tests passed: ${postgres}`);
console.log(`Browser (Chromium) tests passed: ${browser}`);
console.log(`vitest: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (failed > 0 || postgres === 0 || browser === 0) {
  console.error('CI needs every test to pass and both the PostgreSQL and the browser suites to run.');
  process.exit(1);
}
