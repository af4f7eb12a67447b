/**
 * The one place that reads the environment. Every setting is parsed and
 * checked here at start-up, so a bad value stops the process with a message
 * naming the variable instead of failing later, mid-request.
 */

/** Where events and sites are stored. */
export type DatabaseSetting =
  | { readonly dialect: 'sqlite'; readonly path: string }
  | { readonly dialect: 'postgres'; readonly url: string };

/** Every server setting, validated and frozen. */
export interface Config {
  readonly port: number;
  /** Interface to listen on; undefined means all of them. */
  readonly host: string | undefined;
  readonly database: DatabaseSetting;
  /** Public origin used in the install snippet, when behind a proxy. */
  readonly publicUrl: string | undefined;
}

/** Settings that only the test suite reads. */
export interface TestSettings {
  /** A PostgreSQL database that tests may create and drop schemas in. */
  readonly postgresUrl: string | undefined;
  /** Fail instead of skipping when PostgreSQL is not configured (CI). */
  readonly requirePostgres: boolean;
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
  return Object.freeze({
    port: parsePort(env.PORT),
    host: nonEmpty(env.HOST),
    database: parseDatabaseUrl('DATABASE_URL', nonEmpty(env.DATABASE_URL) ?? DEFAULT_DATABASE),
    publicUrl: parsePublicUrl(env.PUBLIC_URL),
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

function parsePort(value: string | undefined): number {
  const text = nonEmpty(value);
  if (text === undefined) return 8787;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new ConfigError(`PORT must be a whole number from 1 to 65535, not "${text}"`);
  }
  return port;
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
