/**
 * Scratch stores for tests and benchmarks: a fresh, migrated SQLite file in
 * a temporary folder, or a fresh schema in a PostgreSQL database, each with
 * the DATABASE_URL another process would use to reach it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrate, openStore, type Store } from './connect.js';

/** A migrated store plus what it takes to throw it away. */
export interface ScratchStore extends Store {
  /** The DATABASE_URL a separate process would use to reach this store. */
  readonly url: string;
  dispose(): Promise<void>;
}

/**
 * Creates a fresh, migrated store: `sqlite` for a new SQLite file, or a
 * postgres:// URL in which to create (and later drop) a schema of its own.
 * `upTo` stops the migrations at the one it names.
 */
export async function createScratchStore(where: 'sqlite' | string, upTo?: string): Promise<ScratchStore> {
  if (where === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'sightline-scratch-'));
    const path = join(dir, 'test.db');
    const store = openStore({ dialect: 'sqlite', path });
    await migrate(store.db, upTo);
    return {
      ...store,
      url: `sqlite:${path}`,
      dispose: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const adminUrl = where;
  const schema = `scratch_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, (client) => client.query(`create schema ${schema}`));
  const store = openStore({ dialect: 'postgres', url: adminUrl }, { searchPath: schema });
  await migrate(store.db, upTo);
  const url = new URL(adminUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    ...store,
    url: url.toString(),
    dispose: async () => {
      await store.close();
      await withClient(adminUrl, (client) => client.query(`drop schema ${schema} cascade`));
    },
  };
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
