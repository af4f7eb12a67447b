/**
 * Test helper: a fresh, migrated store for every test, on every dialect that
 * this machine has. SQLite always; PostgreSQL when TEST_DATABASE_URL is set.
 */
import type { Kysely } from 'kysely';
import { afterEach, beforeEach } from 'vitest';
import { ConfigError, loadTestSettings } from '../core/config.js';
import type { Dialect } from '../core/db/dialect.js';
import type { Database, Site } from '../core/db/schema.js';
import { createScratchStore, type ScratchStore } from '../core/db/scratch.js';
import { insertSite } from '../core/db/sites.js';

const settings = loadTestSettings();
if (settings.requirePostgres && settings.postgresUrl === undefined) {
  throw new ConfigError('REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not');
}

/** The dialects to run each database test on. */
export const dialects: readonly Dialect[] = settings.postgresUrl === undefined ? ['sqlite'] : ['sqlite', 'postgres'];

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

/** A migrated store plus what it takes to throw it away. */
export type TestStore = ScratchStore;

/**
 * Creates a fresh, migrated store: a new SQLite file, or a new PostgreSQL
 * schema in TEST_DATABASE_URL. `upTo` stops the migrations at the one it names.
 */
export function createTestStore(dialect: Dialect, upTo?: string): Promise<TestStore> {
  const url = settings.postgresUrl;
  if (dialect === 'sqlite') return createScratchStore('sqlite', upTo);
  if (url === undefined) throw new ConfigError('TEST_DATABASE_URL is not set');
  return createScratchStore(url, upTo);
}

/** Adds a site for example.com (or as overridden) and returns it. */
export function addSite(db: Kysely<Database>, overrides: Partial<Parameters<typeof insertSite>[1]> = {}): Promise<Site> {
  return insertSite(db, { base_url: 'https://example.com', domain: 'example.com', name: 'Example', created_at: 0, ...overrides });
}

/** How many rows a table has. */
export async function countRows(db: Kysely<Database>, table: keyof Database): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
