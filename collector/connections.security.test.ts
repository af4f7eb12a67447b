// Security findings on connections, reproduced against the built collector
// as a real process: a client that disconnected mid-body was logged as a
// server error with its stack and counted as refused_500; slow clients
// were held for Node's 300 s default; connections had no ceiling.
import { connect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.js';
import { createScratchStore, type ScratchStore } from '../core/db/scratch.js';
import { type RunningServer, startServer, waitFor } from '../scripts/server.js';

const BEACON = JSON.stringify({ s: 1, u: 'https://example.com/' });
const AGENT = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

/** A raw connection to the server, and a promise of when the server closes it. */
async function open(origin: string): Promise<{ socket: Socket; closed: Promise<number>; answer: () => string }> {
  const { hostname, port } = new URL(origin);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const opened = Date.now();
  let answer = '';
  socket.on('data', (chunk) => {
    answer += chunk;
  });
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - opened)));
  return { socket, closed, answer: () => answer };
}

async function beacon(origin: string): Promise<number> {
  const res = await fetch(`${origin}/api/event`, { method: 'POST', body: BEACON, headers: { 'user-agent': AGENT } });
  return res.status;
}

describe('connections to the collector', () => {
  let store: ScratchStore;
  let server: RunningServer | undefined;
  beforeEach(async () => {
    store = await createScratchStore('sqlite');
    await store.db
      .insertInto('sites')
      .values({ base_url: 'https://example.com', domain: 'example.com', name: 'Example', created_at: 0 })
      .execute();
  });
  afterEach(async () => {
    await server?.stop('SIGKILL');
    server = undefined;
    await store.dispose();
  });

  it('counts a client that disconnects mid-body as aborted, with no server error in the logs', async () => {
    server = await startServer(store.url, 'dist/collector.js');
    const { socket } = await open(server.origin);
    socket.write('POST /api/event HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n{"s":1,');
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.destroy();
    // The server goes on serving.
    expect(await beacon(server.origin)).toBe(202);
    const output = server.output;
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    server = undefined;
    const summary = output()
      .split('\n')
      .find((line) => line.includes('"collector summary"'));
    expect(JSON.parse(summary ?? '{}')).toMatchObject({ aborted: 1, accepted: 1 });
    expect(output()).not.toContain('refused_500');
    expect(output()).not.toContain('"level":"error"');
  });

  it('closes a connection whose headers do not arrive in HEADERS_TIMEOUT_SECONDS', async () => {
    server = await startServer(store.url, 'dist/collector.js', { HEADERS_TIMEOUT_SECONDS: '1', REQUEST_TIMEOUT_SECONDS: '2' });
    const { socket, closed, answer } = await open(server.origin);
    socket.write('POST /api/event HTTP/1.1\r\nHost: localhost\r\n');
    expect(await closed).toBeLessThan(4000);
    expect(answer()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes a connection whose body trickles in past REQUEST_TIMEOUT_SECONDS', async () => {
    server = await startServer(store.url, 'dist/collector.js', { HEADERS_TIMEOUT_SECONDS: '1', REQUEST_TIMEOUT_SECONDS: '2' });
    const { socket, closed } = await open(server.origin);
    socket.write('POST /api/event HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n');
    const trickle = setInterval(() => socket.writable && socket.write(' '), 300);
    try {
      expect(await closed).toBeLessThan(5000);
    } finally {
      clearInterval(trickle);
    }
    expect(await beacon(server.origin)).toBe(202);
  });

  it('closes connections past MAX_CONNECTIONS at once, and serves again when they go', async () => {
    server = await startServer(store.url, 'dist/collector.js', { MAX_CONNECTIONS: '3' });
    const held = await Promise.all([1, 2, 3].map(() => open(server?.origin ?? '')));
    const extra = await open(server.origin);
    expect(await extra.closed).toBeLessThan(2000);
    for (const connection of held) connection.socket.destroy();
    await waitFor(
      async () => (await beacon(server?.origin ?? '').catch(() => 0)) === 202,
      5000,
      () => 'the server did not serve again',
    );
  });

  it.each([
    ['HEADERS_TIMEOUT_SECONDS', '0'],
    ['REQUEST_TIMEOUT_SECONDS', 'soon'],
    ['MAX_CONNECTIONS', '-1'],
  ])('refuses %s=%s at start, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});
