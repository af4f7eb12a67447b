import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openStore, type Store } from './connect.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function open(backgroundCheckpoints: boolean): Promise<{ store: Store; path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-checkpoints-'));
  dirs.push(dir);
  const path = join(dir, 'test.db');
  const store = openStore({ dialect: 'sqlite', path }, { backgroundCheckpoints });
  await migrate(store.db);
  return { store, path };
}

/** About 400 KB of events: a hundred pages, well under any checkpoint threshold of the writer. */
function writeEvents(store: Store): void {
  const sqlite = store.sqlite;
  if (sqlite === undefined) throw new Error('not SQLite');
  sqlite.prepare("insert into sites (base_url, domain, name, created_at) values ('https://example.com', 'example.com', 'E', 0)").run();
  const insert = sqlite.prepare('insert into events (site_id, ts, name, url) values (1, ?, ?, ?)');
  sqlite.transaction(() => {
    for (let i = 0; i < 2000; i++) insert.run(i, 'pageview', `https://example.com/${'x'.repeat(150)}/${i}`);
  })();
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}

describe('background checkpoints', () => {
  // Without the thread nothing copies the pages: the writer's own
  // checkpoint waits for a thousand pages or more.
  it.each([
    ['copy committed pages into the database file, while the writer does not', true, 5_000],
    ['are what copies them: without the thread, the file stays as it was', false, 500],
  ])('%s', async (_label, background, waitMs) => {
    const { store, path } = await open(background);
    const before = statSync(path).size;
    writeEvents(store);
    expect(await waitFor(() => statSync(path).size > before + 300_000, waitMs)).toBe(background);
    await store.close();
  });

  it('stop when the store closes, and the last connection removes the WAL', async () => {
    const { store, path } = await open(true);
    writeEvents(store);
    expect(existsSync(`${path}-wal`)).toBe(true);
    await store.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
  });
});
