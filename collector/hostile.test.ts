// Thousands of random and hostile requests at every collector route: none
// may get a 5xx or throw, and only requests answered "stored" may store.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PIXEL_PATH } from '../core/paths.js';
import { DROPPED_HEADER, IngestStats } from '../core/stats.js';
import { CHROME, testIngest } from '../test/ingest.js';
import { addSite, countRows, dialects, useTestStore } from '../test/store.js';
import { createCollectorApp } from './app.js';
import { loadTracker } from './tracker.js';

const tracker = loadTracker();

const nasty = fc.constantFrom(
  '',
  '\u0000',
  '\uD800',
  '%00',
  '../../etc/passwd',
  "'; drop table events; --",
  '<script>alert(1)</script>',
  'javascript:alert(1)',
  'https://example.com/',
  'https://evil.example/',
  '1',
  '-1',
  '9007199254740993',
  'NaN',
  'x'.repeat(3000),
  '{"__proto__":{"polluted":1}}',
);
const text = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 30 }), nasty);
const value = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(text, { maxLength: 3 }),
  fc.dictionary(text, text, { maxKeys: 40 }),
);
// Mostly the payload's own keys, so that many bodies get past JSON parsing.
const beaconBody = fc.oneof(
  fc
    .dictionary(fc.oneof(fc.constantFrom('s', 'u', 'r', 'n', 'p', 'e', 'o', 'd', 'ip', 'ts', '__proto__', 'constructor'), text), value, {
      maxKeys: 8,
    })
    .map((o) => JSON.stringify(o)),
  fc
    .record(
      { s: fc.oneof(fc.constant(1), fc.integer(), value), u: fc.oneof(fc.constant('https://example.com/p'), text) },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o)),
  fc.json(),
  text,
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);
const formBody = fc
  .dictionary(fc.oneof(fc.constantFrom('event', 'browser', 'url', 'ip_address', 'date'), text), text, { maxKeys: 7 })
  .map((o) => new URLSearchParams(o).toString());
// What can arrive in an HTTP header: bytes, without line breaks or NUL.
const headerText = text.map((s) =>
  Buffer.from(s, 'utf8')
    .toString('latin1')
    .replace(/[\r\n\0]/g, ''),
);
const headers = fc.record(
  {
    'content-type': fc.constantFrom(
      'text/plain',
      'application/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'image/png',
      '',
    ),
    'user-agent': fc.oneof(fc.constant(CHROME), headerText),
    'x-forwarded-for': headerText,
    referer: fc.oneof(fc.constant('https://example.com/no-js'), headerText),
  },
  { requiredKeys: [] },
);
const request = fc.oneof(
  fc.record({ method: fc.constant('POST'), path: fc.constant('/api/event'), body: beaconBody, headers }),
  fc.record({
    method: fc.constant('POST'),
    path: fc.oneof(
      fc.constant('/site/1/visit'),
      // Lone surrogates become U+FFFD first: encodeURIComponent throws on them.
      text.map((id) => `/site/${encodeURIComponent(Buffer.from(id).toString())}/visit`),
      fc.constantFrom('/site/%ZZ/visit', '/site/%E0%A4%A/visit', '/site/1%00/visit', '/site/01/visit'),
    ),
    body: formBody,
    headers,
  }),
  fc.record({
    method: fc.constant('GET'),
    path: fc.oneof(
      fc.constant(`${PIXEL_PATH}?s=1`),
      text.map((q) => `${PIXEL_PATH}?s=${encodeURIComponent(Buffer.from(q).toString())}`),
    ),
    body: fc.constant(undefined),
    headers,
  }),
  fc.record({
    method: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS'),
    path: fc.constantFrom('/api/event', '/site/1/visit', PIXEL_PATH),
    body: fc.constant(undefined),
    headers,
  }),
);

/** Whether an answer means "stored": the only answers allowed to leave a row. */
function stored(path: string, res: Response): boolean {
  if (res.headers.get(DROPPED_HEADER) !== null) return false;
  return (
    (path === '/api/event' && res.status === 202) ||
    (path.endsWith('/visit') && res.status === 201) ||
    (path.startsWith(PIXEL_PATH) && res.status === 200)
  );
}

describe.each(dialects)('hostile input on %s', (dialect) => {
  const store = useTestStore(dialect);

  it('never gets a 5xx or a throw, and stores only what it answered as stored', async () => {
    await addSite(store().db);
    const ingest = testIngest(store());
    const app = createCollectorApp({ ingest, tracker, stats: new IngestStats() });
    let storedAnswers = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async ({ method, path, body, headers: sent }) => {
        const res = await app.request(
          path,
          { method, body, headers: sent as Record<string, string> },
          { incoming: { socket: { remoteAddress: '8.8.8.8' } } },
        );
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status).toBeLessThan(500);
        if (stored(path, res)) storedAnswers++;
      }),
      { numRuns: dialect === 'sqlite' ? 3000 : 1500 },
    );
    await ingest.writer.close();
    expect(await countRows(store().db, 'events')).toBe(storedAnswers);
    // The generators reach past parsing: some requests were refused for each reason, some stored.
    expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([400, 404]));
    expect(storedAnswers).toBeGreaterThan(0);
  }, 120_000);
});
