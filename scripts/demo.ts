/**
 * npm run demo: fills the database that DATABASE_URL names with a demo
 * account (demo@example.com, a new random password, printed) that owns one
 * site, "Demo" (https://demo.example), with ~200k synthetic events over the
 * last 3 months (scripts/synthetic.ts), folded into visits and roll-ups by
 * the analytics engine. Refuses when the account already exists.
 *
 *   DATABASE_URL=sqlite:/tmp/demo.db npm run demo
 */
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../core/config.js';
import { findUserByEmail } from '../core/db/accounts.js';
import { migrate, openStore } from '../core/db/connect.js';
import { insertSite } from '../core/db/sites.js';
import { runEngine } from '../dashboard/reports/engine.js';
import { sumEndedBlocks } from '../dashboard/reports/rollup-job.js';
import { createAccount } from '../dashboard/users.js';
import { generate } from './synthetic.js';

const EMAIL = 'demo@example.com';
const EVENTS = 200_000;
const MONTHS = 3;

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`demo: ${error.message}`);
  process.exit(1);
}
const where = config.database.dialect === 'sqlite' ? `sqlite:${config.database.path}` : 'the PostgreSQL database in DATABASE_URL';
const store = openStore(config.database);
try {
  await migrate(store.db);
  if ((await findUserByEmail(store.db, EMAIL)) !== undefined) {
    console.error(`demo: ${where} already has an account ${EMAIL}: nothing done`);
    process.exitCode = 1;
  } else {
    const password = randomBytes(12).toString('base64url');
    const user = await createAccount(store.db, { email: EMAIL, name: 'Demo', password });
    if (user === undefined) throw new Error(`demo: ${EMAIL} was registered meanwhile`);
    const site = await insertSite(store.db, {
      base_url: 'https://demo.example',
      domain: 'demo.example',
      name: 'Demo',
      created_at: Date.now(),
      owner_id: user.id,
    });
    console.log(`demo: account ${EMAIL} and site ${site.id} "Demo" (https://demo.example) in ${where}`);
    await generate(store, { sites: [site], events: EVENTS, months: MONTHS, seed: 1 });
    // The engine folds the events into visits and roll-ups now, not in the
    // server's first minutes; it folds every committed event, of any site.
    const started = performance.now();
    const { folded } = await runEngine(store);
    const blocks = await sumEndedBlocks(store);
    console.log(
      `demo: the engine folded ${folded.toLocaleString('en-US')} events and summed ${blocks} blocks of days in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const listen = config.host ?? '';
    const host = listen === '' || listen === '0.0.0.0' || listen === '::' ? 'localhost' : listen.includes(':') ? `[${listen}]` : listen;
    console.log(
      [
        '',
        `Start the server on the same database (DATABASE_URL as now): npm start`,
        `then open http://${host}:${config.port}/login and sign in as`,
        `  email:    ${EMAIL}`,
        `  password: ${password}`,
        `The report is at http://${host}:${config.port}/site/${site.id}`,
      ].join('\n'),
    );
  }
} finally {
  await store.close();
}
