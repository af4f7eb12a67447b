import { serve } from '@hono/node-server';
import { type Config, ConfigError, loadConfig } from './config.js';
import { migrate, openStore, type Store } from './db/connect.js';
import { logError, logInfo } from './log.js';

type Fetch = Parameters<typeof serve>[0]['fetch'];

/**
 * Start-up shared by both entry points: read settings, open and migrate the
 * store, listen, and shut down cleanly on SIGTERM or SIGINT.
 */
export async function runServer(
  name: string,
  buildApp: (config: Config, store: Store) => { fetch: Fetch } | Promise<{ fetch: Fetch }>,
): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${name}: ${error.message}\n`);
    process.exit(1);
  }
  const store = openStore(config.database);
  await migrate(store.db);
  const app = await buildApp(config, store);
  const server = serve({ fetch: app.fetch, port: config.port, ...(config.host ? { hostname: config.host } : {}) }, (info) => {
    logInfo(`${name} listening`, { url: `http://localhost:${info.port}`, database: config.database.dialect });
  });
  server.on('error', (error) => {
    logError(`${name} could not listen`, error);
    process.exit(1);
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logInfo(`${name} stopping`, { signal });
    server.close(async () => {
      await store.close();
      process.exit(0);
    });
    // Keep-alive connections would hold close() open forever.
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
