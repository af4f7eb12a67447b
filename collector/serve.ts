import { serve } from '@hono/node-server';
import { type Config, ConfigError, linkOrigin, loadConfig } from '../core/config.js';
import { migrate, openStore, type Store } from '../core/db/connect.js';
import { logError, logInfo, logWarn } from '../core/log.js';
import { NODE_SERVER_OPTIONS } from './app.js';

type Fetch = Parameters<typeof serve>[0]['fetch'];

/** What an entry point serves, and what it must finish before the store closes. */
export interface Built {
  readonly app: { fetch: Fetch };
  /** Writes whatever still waits; called once no request is left. */
  readonly close: () => Promise<void>;
}

/** How long in-flight requests get to finish on shutdown before their connections are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Start-up shared by both entry points: read settings, open and migrate the
 * store, listen, and shut down cleanly on SIGTERM or SIGINT.
 */
export async function runServer(name: string, build: (config: Config, store: Store) => Built): Promise<void> {
  const { config, store } = await openOrExit(name);
  const built = build(config, store);
  const state = { stopping: false };
  // Once stopping, every answer closes its connection, so that keep-alive
  // clients move on and the server can finish.
  const fetch: Fetch = (request, env) => (state.stopping ? closing(built.app.fetch(request, env)) : built.app.fetch(request, env));
  const server = listen(name, config, fetch);

  const stop = async (signal: string) => {
    if (state.stopping) return;
    state.stopping = true;
    logInfo(`${name} stopping`, { signal });
    // Stop accepting; requests in flight still get their answer, and each
    // waits for its batch to commit.
    const closed = new Promise((resolve) => server.close(resolve));
    if ('closeIdleConnections' in server) server.closeIdleConnections();
    const cut = setTimeout(() => 'closeAllConnections' in server && server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    try {
      await closed;
      clearTimeout(cut);
      await built.close();
      await store.close();
      logInfo(`${name} stopped`);
      process.exit(0);
    } catch (error) {
      logError(`${name} could not stop cleanly`, error);
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/** The settings and the migrated store; exits with one line on stderr when either cannot be had. */
async function openOrExit(name: string): Promise<{ config: Config; store: Store }> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${name}: ${error.message}\n`);
    process.exit(1);
  }
  try {
    const store = openStore(config.database, { backgroundCheckpoints: true });
    await migrate(store.db);
    return { config, store };
  } catch (error) {
    process.stderr.write(`${name}: ${databaseProblem(config, error)}\n`);
    process.exit(1);
  }
}

/** The same answer, with `Connection: close`. */
async function closing(answer: Promise<unknown> | unknown): Promise<Response> {
  const response = (await answer) as Response;
  const closed = new Response(response.body, response);
  closed.headers.set('Connection', 'close');
  return closed;
}

/** Listens with the connection limits of the settings; exits when it cannot. */
function listen(name: string, config: Config, fetch: Fetch): ReturnType<typeof serve> {
  const { headersTimeoutMs, requestTimeoutMs, maxConnections } = config.connections;
  const serverOptions = {
    ...NODE_SERVER_OPTIONS,
    headersTimeout: headersTimeoutMs,
    // Node requires requestTimeout ≥ headersTimeout (0 turns it off).
    requestTimeout: Math.max(requestTimeoutMs, headersTimeoutMs),
    // How often Node looks for connections past those limits (30 s by default, as long as the limits).
    connectionsCheckingInterval: Math.min(1000, headersTimeoutMs),
  };
  const options = { fetch, port: config.port, serverOptions, ...(config.host ? { hostname: config.host } : {}) };
  const server = serve(options, (info) => {
    logInfo(`${name} listening`, { url: `http://localhost:${info.port}`, database: config.database.dialect });
    if (config.publicUrl === undefined) {
      logWarn('PUBLIC_URL is not set: the install snippet and share links point at the listen address', { url: linkOrigin(config) });
    }
  });
  server.maxConnections = maxConnections;
  server.on('error', (error) => {
    logError(`${name} could not listen`, error);
    process.exit(1);
  });
  return server;
}

/** One line on why the store could not be opened, naming DATABASE_URL and never its password. */
function databaseProblem(config: Config, error: unknown): string {
  const { database } = config;
  const where = database.dialect === 'sqlite' ? `sqlite:${database.path}` : database.url.replace(/\/\/[^@/]*@/, '//…@');

  const reasons: Record<string, string> = {
    ENOENT: 'a directory on its path cannot be made there',
    ENOTDIR: 'a parent on its path is a file, not a directory',
    EACCES: 'this user may not write there',
    EPERM: 'this user may not write there',
    EROFS: 'the file system is read-only',
    SQLITE_CANTOPEN: 'SQLite cannot open or create the file there',
    SQLITE_READONLY: 'the file is read-only',
    SQLITE_NOTADB: 'the file is not a SQLite database',
    ECONNREFUSED: 'nothing answers at that address',
    ENOTFOUND: 'the host name does not resolve',
  };
  // A failed migration wraps the database's own error.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : '';
  const detail = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
  return `DATABASE_URL=${where} cannot be used: ${reasons[code] ?? detail}`;
}
