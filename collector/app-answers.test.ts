// The collector's answers: refusals, body limits, a failing database, a full
// write queue, CORS, the periodic summary, the Node adapter's headers, and
// its daily chores.

import { type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { PIXEL_PATH } from '../core/paths.js';
import { DROPPED_HEADER } from '../core/stats.js';
import { waitFor } from '../scripts/server.js';
import { beacon, CURL_VISIT, FORM, GOOGLEBOT, IPHONE, nodeEnv, post, useCollector } from '../test/collector.js';
import { CHROME } from '../test/ingest.js';
import { countRows, dialects } from '../test/store.js';
import { NODE_SERVER_OPTIONS, startIngestChores } from './app.js';
import { MAX_BODY } from './parse.js';

describe.each(dialects)('collector on %s', (dialect) => {
  const { store, setup, events } = useCollector(dialect);

  it.each([
    ['bad JSON', '{"s":1,', 400, undefined],
    ['a missing url', JSON.stringify({ ...beacon, u: undefined }), 400, ['u']],
    ['an oversized url', JSON.stringify({ ...beacon, u: `https://example.com/${'a'.repeat(2100)}` }), 400, ['u']],
    ['an oversized event name', JSON.stringify({ ...beacon, n: 'n'.repeat(200) }), 400, ['n']],
    [
      'too many props',
      JSON.stringify({ ...beacon, n: 'x', p: Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, i])) }),
      400,
      ['p'],
    ],
    [
      'a client-set IP, time, country and agent',
      JSON.stringify({ ...beacon, ip: '1.1.1.1', ts: 0, country: 'FR', ua: 'x' }),
      400,
      ['country', 'ip', 'ts', 'ua'],
    ],
    ['an unknown site', JSON.stringify({ ...beacon, s: 999 }), 404, undefined],
    ['a body over the limit', JSON.stringify({ ...beacon, r: 'r'.repeat(MAX_BODY) }), 413, undefined],
  ])('refuses %s and stores nothing', async (_label, body, status, fields) => {
    const { app, ingest } = await setup();
    const res = await app.request('/api/event', post(body), nodeEnv());
    expect(res.status).toBe(status);
    const json = (await res.json()) as { error: string; fields?: Record<string, string> };
    expect(json.error).toEqual(expect.any(String));
    if (fields !== undefined) expect(Object.keys(json.fields ?? {}).sort()).toEqual(fields);
    await ingest.writer.close();
    expect(await countRows(store().db, 'events')).toBe(0);
  });

  it('checks Content-Length before reading the body, as browsers send it', async () => {
    const { app } = await setup();
    const body = JSON.stringify(beacon);
    const ok = await app.request('/api/event', post(body, { 'content-length': String(Buffer.byteLength(body)) }), nodeEnv());
    expect(ok.status).toBe(202);
    const big = await app.request('/api/event', post(body, { 'content-length': String(MAX_BODY + 1) }), nodeEnv());
    expect(big.status).toBe(413);
    const bad = await app.request('/api/event', post(body, { 'content-length': 'lots' }), nodeEnv());
    expect(bad.status).toBe(413);
    expect(await countRows(store().db, 'events')).toBe(1);
  });

  it('answers 503 when the database fails on a lookup, and stores nothing', async () => {
    const { app } = await setup();
    // A real failure, before the site is cached: the table is gone for a moment.
    await sql`alter table sites rename to sites_away`.execute(store().db);
    const res = await app.request('/api/event', post(JSON.stringify(beacon)), nodeEnv());
    await sql`alter table sites_away rename to sites`.execute(store().db);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toEqual({ error: 'The database is unavailable; send the event again.' });
    expect((await app.request('/api/event', post(JSON.stringify(beacon)), nodeEnv())).status).toBe(202);
  });

  it('answers the CORS preflight for any origin', async () => {
    const { app } = await setup();
    const res = await app.request('/api/event', {
      method: 'OPTIONS',
      headers: { origin: 'https://example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it.each([
    ['a stored beacon', '/api/event', post(JSON.stringify(beacon)), 202],
    ['a dropped beacon', '/api/event', post(JSON.stringify(beacon), { 'user-agent': GOOGLEBOT }), 202],
    ['a bad beacon', '/api/event', post('{'), 400],
    ['a beacon too large', '/api/event', post('x', { 'content-length': String(MAX_BODY + 1) }), 413],
    ['a form visit', '/site/1/visit', post(CURL_VISIT, FORM), 201],
    ['a visit to no site', '/site/9/visit', post(CURL_VISIT, FORM), 404],
    ['the pixel', `${PIXEL_PATH}?s=1`, { headers: { referer: 'https://example.com/', 'user-agent': CHROME } }, 200],
  ])('lets any origin read its answer to %s', async (_, path, init, status) => {
    const { app } = await setup();
    const res = await app.request(path, init, nodeEnv());
    expect(res.status).toBe(status);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('counts outcomes for the periodic summary instead of logging each event', async () => {
    const { app, stats } = await setup();
    await app.request('/api/event', post(JSON.stringify(beacon)), nodeEnv());
    await app.request('/api/event', post('{'), nodeEnv());
    expect(stats.drain()).toEqual({ accepted: 1, refused_400: 1 });
    expect(stats.drain()).toEqual({});
  });

  it('answers 503 with Retry-After when the write queue is full, and stores what it acknowledged', async () => {
    const { app } = await setup({ WRITE_QUEUE_LIMIT: '3', WRITE_BATCH_DELAY_MS: '200', WRITE_BATCH_SIZE: '100' });
    // Warm the site and salt caches, so that the next five reach the queue together.
    expect((await app.request('/api/event', post(JSON.stringify(beacon)), nodeEnv())).status).toBe(202);
    const answers = await Promise.all(Array.from({ length: 5 }, () => app.request('/api/event', post(JSON.stringify(beacon)), nodeEnv())));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([202, 202, 202, 503, 503]);
    const busy = answers.find((r) => r.status === 503);
    expect(busy?.headers.get('retry-after')).toBe('1');
    expect(await busy?.json()).toEqual({ error: 'The collector is busy; send the event again.' });
    expect(await countRows(store().db, 'events')).toBe(4);
  });

  it.each([
    ['as the servers make it', NODE_SERVER_OPTIONS],
    ['without joinDuplicateHeaders', {}],
  ])(
    'reads User-Agent, X-Forwarded-For and Content-Length as Hono does when served by the Node adapter, %s',
    async (_label, serverOptions) => {
      const { app } = await setup({ IP_STORAGE: 'full', TRUSTED_PROXIES: '127.0.0.1/32' });
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', serverOptions });
      try {
        await new Promise((resolve) => server.once('listening', resolve));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/event`;
        const send = (body: string, headers: Record<string, string>) => fetch(url, { method: 'POST', body, headers });
        const stored = await send(JSON.stringify(beacon), { 'user-agent': IPHONE, 'x-forwarded-for': '6.6.6.6, 8.8.4.4' });
        expect(stored.status).toBe(202);
        expect(stored.headers.get(DROPPED_HEADER)).toBeNull();
        // fetch always sends a User-Agent: an empty one is no browser.
        const noAgent = await send(JSON.stringify(beacon), { 'user-agent': '' });
        expect(noAgent.headers.get(DROPPED_HEADER)).toBe('bot');
        // Node keeps the first of repeated User-Agents; the filter must see them all.
        const hidden = await new Promise<IncomingMessage>((resolve, reject) => {
          const body = JSON.stringify(beacon);
          // Raw headers, so that both User-Agents go out (then Node adds no Host of its own).
          const headers = ['host', '127.0.0.1', 'user-agent', IPHONE, 'user-agent', GOOGLEBOT, 'content-length', String(body.length)];
          request(url, { method: 'POST', headers }, resolve).on('error', reject).end(body);
        });
        hidden.resume();
        expect(hidden.statusCode).toBe(202);
        expect(hidden.headers[DROPPED_HEADER.toLowerCase()]).toBe('bot');
        const tooLarge = await send('x'.repeat(MAX_BODY + 1), { 'user-agent': IPHONE });
        expect(tooLarge.status).toBe(413);
        expect(tooLarge.headers.get('access-control-allow-origin')).toBe('*');
        expect(await events()).toEqual([
          expect.objectContaining({ browser: 'Mobile Safari', device: 'mobile', ip: '8.8.4.4', country: 'US' }),
        ]);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    },
  );

  it('forgets the addresses it holds in memory once the UTC day has changed, with no event needed', async () => {
    const { app, ingest } = await setup();
    await app.request('/api/event', post(JSON.stringify(beacon)), nodeEnv());
    expect(ingest.visitors.size).toBe(1);
    expect(ingest.geo.size).toBeGreaterThan(0);
    let now = Date.UTC(2026, 10, 26, 23, 59, 50);
    const stop = startIngestChores(ingest, 10, () => now);
    try {
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(ingest.visitors.size).toBe(1);
      now += 20_000;
      await waitFor(
        () => ingest.visitors.size === 0 && ingest.geo.size === 0,
        2_000,
        () => 'the caches were not emptied',
      );
    } finally {
      stop();
    }
    // Stopped, it forgets nothing more.
    await app.request('/api/event', post(JSON.stringify(beacon)), nodeEnv());
    now += 86_400_000;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(ingest.visitors.size).toBe(1);
  });
});
