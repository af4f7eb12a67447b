/**
 * The one place that reads the environment. Every setting is parsed and
 * checked here at start-up, so a bad value stops the process with a message
 * naming the variable instead of failing later, mid-request.
 */

import { existsSync } from 'node:fs';
import { type AddressList, parseAddressList } from './cidr.js';

/** Where events and sites are stored. */
export type DatabaseSetting =
  | {
      readonly dialect: 'sqlite';
      readonly path: string;
      /** `normal` survives a crash of the process; `full` also a crash of the machine. */
      readonly synchronous?: 'normal' | 'full';
    }
  | { readonly dialect: 'postgres'; readonly url: string };

/** How much of a visitor's IP address is stored with an event. */
export type IpStorage = 'none' | 'truncated' | 'full';

/** Settings of the collector's ingest path. */
export interface IngestConfig {
  readonly ipStorage: IpStorage;
  /** Proxies whose X-Forwarded-For is believed; empty when not behind one. */
  readonly trustedProxies: AddressList;
  /** A City MMDB database for region and city; the bundled one gives countries. */
  readonly geoCityDb: string | undefined;
  /** Most events per write batch (one transaction). */
  readonly batchSize: number;
  /** Longest an event waits for company before its batch is written, in milliseconds; 0: the end of this event-loop turn. */
  readonly batchDelayMs: number;
  /** Most events waiting to be written; past it the collector answers 503. */
  readonly queueLimit: number;
  /** How long a collector trusts its copy of a site's settings. */
  readonly siteCacheMs: number;
}

/** Who may open an account from the register page. */
export type Registration = 'open' | 'invite' | 'closed';

/** Settings of the dashboard's accounts. */
export interface AccountsConfig {
  readonly registration: Registration;
  /** Mark cookies Secure on every request, not only those that arrive over HTTPS. */
  readonly secureCookies: boolean;
}

/** Every server setting, validated and frozen. */
export interface Config {
  readonly port: number;
  /** Interface to listen on; undefined means all of them. */
  readonly host: string | undefined;
  readonly database: DatabaseSetting;
  /** Public origin used in the install snippet, when behind a proxy. */
  readonly publicUrl: string | undefined;
  readonly ingest: IngestConfig;
  readonly accounts: AccountsConfig;
  readonly connections: ConnectionsConfig;
}

/** Limits on clients' connections, so that slow or many clients cannot hold the server. */
export interface ConnectionsConfig {
  /** A request's headers must arrive within this. */
  readonly headersTimeoutMs: number;
  /** A whole request (headers and body) must arrive within this. */
  readonly requestTimeoutMs: number;
  /** Open connections at most; more are closed at once. */
  readonly maxConnections: number;
}

/** Settings that only the test suite reads. */
export interface TestSettings {
  /** A PostgreSQL database that tests may create and drop schemas in. */
  readonly postgresUrl: string | undefined;
  /** Fail instead of skipping when PostgreSQL is not configured (CI). */
  readonly requirePostgres: boolean;
  /** `VERSION/NAME` of the local cluster behind postgresUrl, which the outage test may stop and start. */
  readonly postgresCluster: string | undefined;
  /** Fail instead of skipping when Chromium is missing (CI). */
  readonly requireBrowser: boolean;
  readonly chromiumPath: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const DEFAULT_DATABASE = 'sqlite:./data/sightline.db';

/** Thrown for a setting that cannot be used; the message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses server settings from `env` (default: the process environment). */
export function loadConfig(env: Env = process.env): Config {
  const database = parseDatabaseUrl('DATABASE_URL', nonEmpty(env.DATABASE_URL) ?? DEFAULT_DATABASE);
  const publicUrl = parsePublicUrl(env.PUBLIC_URL);
  const synchronous = parseChoice('SQLITE_SYNCHRONOUS', env.SQLITE_SYNCHRONOUS, ['normal', 'full'] as const, 'normal');
  return Object.freeze({
    port: parseWhole('PORT', env.PORT, 8787, 1, 65535),
    connections: Object.freeze({
      headersTimeoutMs: parseWhole('HEADERS_TIMEOUT_SECONDS', env.HEADERS_TIMEOUT_SECONDS, 10, 1, 600) * 1000,
      requestTimeoutMs: parseWhole('REQUEST_TIMEOUT_SECONDS', env.REQUEST_TIMEOUT_SECONDS, 30, 1, 3600) * 1000,
      maxConnections: parseWhole('MAX_CONNECTIONS', env.MAX_CONNECTIONS, 10_000, 1, 1_000_000),
    }),
    host: nonEmpty(env.HOST),
    database: database.dialect === 'sqlite' ? { ...database, synchronous } : database,
    publicUrl,
    ingest: Object.freeze({
      ipStorage: parseChoice('IP_STORAGE', env.IP_STORAGE, ['none', 'truncated', 'full'] as const, 'truncated'),
      trustedProxies: parseTrustedProxies(env.TRUSTED_PROXIES),
      geoCityDb: parseExistingFile('GEOIP_CITY_DB', env.GEOIP_CITY_DB),
      batchSize: parseWhole('WRITE_BATCH_SIZE', env.WRITE_BATCH_SIZE, 500, 1, 5000),
      batchDelayMs: parseWhole('WRITE_BATCH_DELAY_MS', env.WRITE_BATCH_DELAY_MS, 0, 0, 1000),
      queueLimit: parseWhole('WRITE_QUEUE_LIMIT', env.WRITE_QUEUE_LIMIT, 20_000, 1, 10_000_000),
      siteCacheMs: parseWhole('SITE_CACHE_SECONDS', env.SITE_CACHE_SECONDS, 30, 0, 86_400) * 1000,
    }),
    accounts: Object.freeze({
      registration: parseChoice('REGISTRATION', env.REGISTRATION, ['open', 'invite', 'closed'] as const, 'open'),
      // Behind a proxy that ends TLS, requests arrive as plain HTTP: an https PUBLIC_URL says so too.
      secureCookies: parseFlag('SECURE_COOKIES', env.SECURE_COOKIES) || publicUrl?.startsWith('https:') === true,
    }),
  });
}

/** Parses the test-only settings. */
export function loadTestSettings(env: Env = process.env): TestSettings {
  const postgresUrl = nonEmpty(env.TEST_DATABASE_URL);
  if (postgresUrl !== undefined) {
    const parsed = parseDatabaseUrl('TEST_DATABASE_URL', postgresUrl);
    if (parsed.dialect !== 'postgres') {
      throw new ConfigError('TEST_DATABASE_URL must be a postgres:// URL');
    }
  }
  return Object.freeze({
    postgresUrl,
    requirePostgres: parseFlag('REQUIRE_POSTGRES', env.REQUIRE_POSTGRES),
    postgresCluster: parseCluster(env.TEST_POSTGRES_CLUSTER),
    requireBrowser: parseFlag('REQUIRE_BROWSER', env.REQUIRE_BROWSER),
    chromiumPath: nonEmpty(env.CHROMIUM_PATH) ?? '/usr/bin/chromium',
  });
}

/** `sqlite:PATH` or `postgres://…`; anything else is refused. */
export function parseDatabaseUrl(name: string, value: string): DatabaseSetting {
  if (value.startsWith('postgres://') || value.startsWith('postgresql://')) {
    try {
      new URL(value);
    } catch {
      throw new ConfigError(`${name} is not a valid PostgreSQL URL`);
    }
    return { dialect: 'postgres', url: value };
  }
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length).replace(/^\/\//, '');
    if (path === '') throw new ConfigError(`${name}: sqlite: needs a file path, as in sqlite:./data/sightline.db`);
    return { dialect: 'sqlite', path };
  }
  // Never echo the value: it may hold a password.
  throw new ConfigError(`${name} must start with sqlite: or postgres://`);
}

function parseChoice<T extends string>(name: string, value: string | undefined, choices: readonly T[], fallback: T): T {
  const text = nonEmpty(value);
  if (text === undefined) return fallback;
  if (!(choices as readonly string[]).includes(text)) throw new ConfigError(`${name} must be one of ${choices.join(', ')}, not "${text}"`);
  return text as T;
}

function parseWhole(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  const text = nonEmpty(value);
  if (text === undefined) return fallback;
  const number = Number(text);
  if (!/^\d+$/.test(text) || number < min || number > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${text}"`);
  }
  return number;
}

function parseTrustedProxies(value: string | undefined): AddressList {
  const { list, bad } = parseAddressList(value ?? '');
  if (bad.length > 0) throw new ConfigError(`TRUSTED_PROXIES: not an address or CIDR network: ${bad.join(', ')}`);
  return list;
}

function parseExistingFile(name: string, value: string | undefined): string | undefined {
  const path = nonEmpty(value);
  if (path !== undefined && !existsSync(path)) throw new ConfigError(`${name}: no file at ${path}`);
  return path;
}

/**
 * The origin of links that leave the dashboard (the install snippet, share
 * links, invitations): PUBLIC_URL, or else the address this server listens
 * on. Never a request's Host header, which a client chooses.
 */
export function linkOrigin(config: Pick<Config, 'publicUrl' | 'host' | 'port'>): string {
  if (config.publicUrl !== undefined) return config.publicUrl;
  const host = config.host === undefined || config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

function parsePublicUrl(value: string | undefined): string | undefined {
  const text = nonEmpty(value);
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an absolute http(s) URL, not "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`PUBLIC_URL must be an http(s) URL, not "${text}"`);
  }
  return url.origin;
}

function parseCluster(value: string | undefined): string | undefined {
  const text = nonEmpty(value);
  if (text !== undefined && !/^\d+\/[\w-]+$/.test(text))
    throw new ConfigError(`TEST_POSTGRES_CLUSTER must be VERSION/NAME, as in 15/main, not "${text}"`);
  return text;
}

function parseFlag(name: string, value: string | undefined): boolean {
  const text = nonEmpty(value);
  if (text === undefined || text === '0' || text === 'false') return false;
  if (text === '1' || text === 'true') return true;
  throw new ConfigError(`${name} must be 1, 0, true or false, not "${text}"`);
}

function nonEmpty(value: string | undefined): string | undefined {
  const text = value?.trim();
  return text === '' ? undefined : text;
}
