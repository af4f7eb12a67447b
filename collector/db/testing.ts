/**
 * Test helper: a fresh, migrated store for every test, on every dialect that
 * this machine has. SQLite always; PostgreSQL when TEST_DATABASE_URL is set.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach } from 'vitest';
import { ConfigError, loadTestSettings } from '../config.js';
import { migrate, openStore, type Store } from './connect.js';
import type { Dialect } from './dialect.js';

const settings = loadTestSettings();
if (settings.requirePostgres && settings.postgresUrl === undefined) {
  throw new ConfigError('REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not');
}

/** The dialects to run each database test on. */
export const dialects: readonly Dialect[] = settings.postgresUrl === undefined ? ['sqlite'] : ['sqlite', 'postgres'];

/** A migrated store plus what it takes to throw it away. */
export interface TestStore extends Store {
  /** The DATABASE_URL a separate process would use to reach this store. */
  readonly url: string;
  dispose(): Promise<void>;
}

/** Creates a fresh, migrated store: a new SQLite file, or a new PostgreSQL schema. */
export async function createTestStore(dialect: Dialect): Promise<TestStore> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'sightline-test-'));
    const path = join(dir, 'test.db');
    const store = openStore({ dialect: 'sqlite', path });
    await migrate(store.db);
    return {
      ...store,
      url: `sqlite:${path}`,
      dispose: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const adminUrl = settings.postgresUrl;
  if (adminUrl === undefined) throw new ConfigError('TEST_DATABASE_URL is not set');
  const schema = `test_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, (client) => client.query(`create schema ${schema}`));
  const store = openStore({ dialect: 'postgres', url: adminUrl }, { searchPath: schema });
  await migrate(store.db);
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

/** Gives each test in the enclosing `describe` its own fresh store. */
export function useTestStore(dialect: Dialect): () => TestStore {
  let current: TestStore | undefined;
  beforeEach(async () => {
    current = await createTestStore(dialect);
  });
  afterEach(async () => {
    await current?.dispose();
    current = undefined;
  });
  return () => {
    if (current === undefined) throw new Error('useTestStore: no store outside a test');
    return current;
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
