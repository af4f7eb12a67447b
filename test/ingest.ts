import { createIngest } from '../collector/app.js';
import { Geo } from '../collector/geo.js';
import type { IngestDeps } from '../collector/ingest.js';
import { loadConfig } from '../core/config.js';
import type { Store } from '../core/db/connect.js';

/** A person's browser, as the collector's filters see one. */
export const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';

let geo: Geo | undefined;

/** The pipeline on a test store, with settings from `env` as the config module reads them. */
export function testIngest(store: Store, env: Record<string, string> = {}): IngestDeps {
  // Reading the 8 MB country database once per test file is enough.
  geo ??= new Geo();
  return createIngest(loadConfig({ WRITE_BATCH_DELAY_MS: '1', ...env }).ingest, store, geo);
}
