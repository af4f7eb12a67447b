// Security findings on throttling, each reproduced through the app: ten
// wrong passwords from anywhere locked an owner out; one IPv6 /64 gave
// unlimited buckets; sign-ups, current-password checks and unknown API
// keys had no limit, and "already exists" answered faster than a sign-up.
import type { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { testApp } from '../test/app.js';
import { dialects, useTestStore } from '../test/store.js';
import { TestBrowser } from '../test/test-browser.js';

const PASSWORD = 'a long enough password';

describe.each(dialects)('throttling on %s', (dialect) => {
  const store = useTestStore(dialect);

  // No real pauses: the delays are the throttle's, not the test's.
  const app = () => testApp(store(), { sleep: async () => undefined });

  async function owner(server: Hono) {
    const browser = new TestBrowser(server, '203.0.113.50');
    await browser.register('owner@example.com');
    return browser;
  }

  it('never locks an owner out: a stranger’s wrong passwords refuse only the stranger', async () => {
    const server = app();
    await owner(server);
    const stranger = new TestBrowser(server, '198.51.100.9');
    for (let i = 0; i < 12; i++) await stranger.login('owner@example.com', `guess number ${i}`);
    expect((await stranger.login('owner@example.com', PASSWORD)).status).toBe(429);
    expect((await new TestBrowser(server, '192.0.2.44').login('owner@example.com', PASSWORD)).status).toBe(303);
  });

  it('counts an IPv6 /64 as one address', async () => {
    const server = app();
    await owner(server);
    for (let i = 1; i <= 10; i++) await new TestBrowser(server, `2001:db8:1:2::${i.toString(16)}`).login('owner@example.com', `guess ${i}`);
    expect((await new TestBrowser(server, '2001:db8:1:2:ffff::1').login('owner@example.com', PASSWORD)).status).toBe(429);
    expect((await new TestBrowser(server, '2001:db8:1:3::1').login('owner@example.com', PASSWORD)).status).toBe(303);
  });

  it('limits sign-ups from one address to ten an hour', async () => {
    const server = app();
    const from = (i: number) =>
      new TestBrowser(server, '198.51.100.20').post('/register', { email: `user${i}@example.com`, password: PASSWORD });
    for (let i = 0; i < 10; i++) expect((await from(i)).status).toBe(303);
    const refused = await from(10);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(
      (await new TestBrowser(server, '198.51.100.21').post('/register', { email: 'other@example.com', password: PASSWORD })).status,
    ).toBe(303);
  });

  it('takes as long to say an email is taken as to make an account', async () => {
    const server = app();
    await owner(server);
    const timed = async (address: string, email: string) => {
      const started = performance.now();
      const res = await new TestBrowser(server, address).post('/register', { email, password: PASSWORD });
      return { status: res.status, ms: performance.now() - started };
    };
    const made: number[] = [];
    const taken: number[] = [];
    for (let i = 0; i < 3; i++) {
      const fresh = await timed(`192.0.2.${10 + i}`, `new${i}@example.com`);
      const existing = await timed(`192.0.2.${20 + i}`, 'owner@example.com');
      expect([fresh.status, existing.status]).toEqual([303, 409]);
      made.push(fresh.ms);
      taken.push(existing.ms);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[1] ?? 0;
    // Hashing a password dominates both; before, "taken" skipped it and took a twentieth of the time.
    expect(median(taken)).toBeGreaterThan(median(made) / 2);
  });

  it('throttles the current-password check like a login', async () => {
    const server = app();
    const browser = await owner(server);
    for (let i = 0; i < 10; i++) {
      expect((await browser.post('/account/password', { current: `wrong ${i}`, password: 'a new long password' })).status).toBe(400);
    }
    expect((await browser.post('/account/password', { current: PASSWORD, password: 'a new long password' })).status).toBe(429);
  });

  it('refuses an address that sends many unknown API keys, and no one else', async () => {
    const server = app();
    const browser = await owner(server);
    const made = await browser.post('/account/keys', { name: 'Script' });
    const key = /id="new-api-key">(sl_[\w-]{43})</.exec(await made.text())?.[1] ?? '';
    const call = (token: string, address: string) =>
      server.request(
        'http://localhost:8787/api/v1/sites',
        { headers: { authorization: `Bearer ${token}` } },
        { incoming: { socket: { remoteAddress: address } } },
      );
    for (let i = 0; i < 20; i++) expect((await call(`sl_guess${i}`, '198.51.100.30')).status).toBe(401);
    expect((await call(key, '198.51.100.30')).status).toBe(429);
    expect((await call(key, '198.51.100.31')).status).toBe(200);
  });
});
