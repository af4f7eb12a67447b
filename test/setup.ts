// Runs once before the suite: builds what the tests serve and start (the
// tracker bundle, the servers in dist/), says which optional suites run and
// why the others skip, and fails early when CI requires a suite this
// machine lacks.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { loadTestSettings } from '../core/config.js';

export default async function setup(): Promise<void> {
  const settings = loadTestSettings();
  // Always, not only when missing: a stale bundle would test yesterday's code.
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });

  if (settings.postgresUrl === undefined) {
    if (settings.requirePostgres) throw new Error('REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not');
    console.log('PostgreSQL suite: skipped: TEST_DATABASE_URL is not set (see README, "Tests")');
  } else {
    const client = new pg.Client({ connectionString: settings.postgresUrl });
    try {
      await client.connect();
      const { rows } = await client.query<{ server_version: string }>('show server_version');
      console.log(`PostgreSQL suite: on, server ${rows[0]?.server_version}`);
    } catch (error) {
      throw new Error(`TEST_DATABASE_URL is set but PostgreSQL cannot be reached: ${(error as Error).message}`);
    } finally {
      await client.end().catch(() => {});
    }
  }

  if (existsSync(settings.chromiumPath)) {
    console.log(`Browser suite: on, ${settings.chromiumPath}`);
  } else if (settings.requireBrowser) {
    throw new Error(`REQUIRE_BROWSER is set but there is no Chromium at ${settings.chromiumPath}`);
  } else {
    console.log(`Browser suite: skipped: no Chromium at ${settings.chromiumPath} (apt-get install chromium)`);
  }
}
