// Security findings on the database file, reproduced with the built
// collector as a process: after `rm sightline.db*` it kept answering 202
// while every event went to a deleted file, and logged nothing; unusable
// DATABASE_URL paths gave a bare stack, or spun forever under /proc.
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createScratchStore, type ScratchStore } from '../core/db/scratch.js';
import { freePort, type RunningServer, startServer } from '../scripts/server.js';

const AGENT = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the built collector with DATABASE_URL until it exits; its exit code, output and time taken. */
async function startWith(databaseUrl: string): Promise<{ code: number | null; output: string; ms: number }> {
  const port = String(await freePort());
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['dist/collector.js'], {
      env: { DATABASE_URL: databaseUrl, PORT: port },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15_000,
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('exit', (code) => resolve({ code, output, ms: Date.now() - started }));
  });
}

describe('the SQLite file under a running collector', () => {
  let store: ScratchStore | undefined;
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop('SIGKILL');
    server = undefined;
    await store?.dispose();
    store = undefined;
  });

  it('refuses events with 503 once the file is deleted, logs it once, and keeps answering', async () => {
    store = await createScratchStore('sqlite');
    await store.db
      .insertInto('sites')
      .values({ base_url: 'https://example.com', domain: 'example.com', name: 'Example', created_at: 0 })
      .execute();
    const path = store.url.slice('sqlite:'.length);
    server = await startServer(store.url, 'dist/collector.js');
    const answers: Array<{ at: number; status: number }> = [];
    let deletedAt = Number.POSITIVE_INFINITY;
    const started = Date.now();
    while (Date.now() - started < 4000) {
      if (Date.now() - started > 1000 && deletedAt === Number.POSITIVE_INFINITY) {
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
        deletedAt = Date.now();
      }
      const at = Date.now();
      const res = await fetch(`${server.origin}/api/event`, {
        method: 'POST',
        body: JSON.stringify({ s: 1, u: 'https://example.com/' }),
        headers: { 'user-agent': AGENT },
      });
      answers.push({ at, status: res.status });
      await sleep(50);
    }
    expect(answers.filter((a) => a.at < deletedAt).every((a) => a.status === 202)).toBe(true);
    const after = answers.filter((a) => a.at > deletedAt);
    expect(after.length).toBeGreaterThan(20);
    expect(after.map((a) => a.status)).toEqual(after.map(() => 503));
    const errors = server
      .output()
      .split('\n')
      .filter((line) => line.includes('"level":"error"'));
    expect(errors, errors.slice(0, 3).join('\n')).toHaveLength(1);
    expect(errors[0]).toContain('was deleted while the server ran');
  });
});

describe('an unusable DATABASE_URL at start', () => {
  const file = join(tmpdir(), `sightline-not-a-directory-${process.pid}`);
  afterEach(() => rmSync(file, { force: true }));

  it.each([
    ['a path under /proc', () => 'sqlite:/proc/sightline/x/y.db', 'a directory on its path cannot be made there'],
    [
      'a parent that is a file',
      () => {
        writeFileSync(file, 'x');
        return `sqlite:${file}/y.db`;
      },
      'SQLite cannot open or create the file there',
    ],
    ['a PostgreSQL server that is not there', () => 'postgres://sightline:secret@127.0.0.1:1/sightline', 'nothing answers at that address'],
  ])('exits 1 within seconds, saying in one line what is wrong with DATABASE_URL: %s', async (_label, url, reason) => {
    const { code, output, ms } = await startWith(url());
    expect(code).toBe(1);
    expect(ms).toBeLessThan(5000);
    const lines = output.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('DATABASE_URL=');
    expect(lines[0]).toContain(reason);
    expect(output).not.toContain('secret');
    expect(output).not.toContain('    at ');
  });
});
