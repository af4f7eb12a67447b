/** Helpers for tests of the collector's pipeline; no test double in sight. */
import type { Kysely } from 'kysely';
import { createIngest } from './app.js';
import { loadConfig } from './config.js';
import type { Store } from './db/connect.js';
import type { Database, Site } from './db/schema.js';
import { insertSite } from './db/sites.js';
import { Geo } from './geo.js';
import type { IngestDeps } from './ingest.js';

/** A person's browser, as the collector's filters see one. */
export const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';

let geo: Geo | undefined;

/** The pipeline on a test store, with settings from `env` as the config module reads them. */
export function testIngest(store: Store, env: Record<string, string> = {}): IngestDeps {
  // Reading the 8 MB country database once per test file is enough.
  geo ??= new Geo();
  return createIngest(loadConfig({ WRITE_BATCH_DELAY_MS: '1', ...env }).ingest, store, geo);
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
