import { describe, expect, it } from 'vitest';
import { loadConfig, loadTestSettings } from './config.js';

describe('loadConfig', () => {
  it('has defaults that serve on 8787 with SQLite under ./data', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8787,
      host: undefined,
      database: { dialect: 'sqlite', path: './data/sightline.db', synchronous: 'normal' },
      publicUrl: undefined,
      ingest: { ipStorage: 'truncated', geoCityDb: undefined, batchSize: 500, batchDelayMs: 0, queueLimit: 20_000, siteCacheMs: 30_000 },
    });
    expect(config.accounts).toEqual({ registration: 'open', secureCookies: false });
    expect(config.ingest.trustedProxies.entries).toEqual([]);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.ingest)).toBe(true);
  });

  it.each([
    [{ DATABASE_URL: 'sqlite:/tmp/x.db' }, { dialect: 'sqlite', path: '/tmp/x.db', synchronous: 'normal' }],
    [
      { DATABASE_URL: 'sqlite:///tmp/x.db', SQLITE_SYNCHRONOUS: 'full' },
      { dialect: 'sqlite', path: '/tmp/x.db', synchronous: 'full' },
    ],
    [{ DATABASE_URL: 'postgres://u:p@localhost/db' }, { dialect: 'postgres', url: 'postgres://u:p@localhost/db' }],
    [{ DATABASE_URL: 'postgresql://localhost/db' }, { dialect: 'postgres', url: 'postgresql://localhost/db' }],
  ])('reads DATABASE_URL %j', (env, database) => {
    expect(loadConfig(env).database).toEqual(database);
  });

  it.each([
    [{}, { registration: 'open', secureCookies: false }],
    [
      { REGISTRATION: 'invite', SECURE_COOKIES: '1' },
      { registration: 'invite', secureCookies: true },
    ],
    [
      { REGISTRATION: 'closed', PUBLIC_URL: 'https://stats.example.org' },
      { registration: 'closed', secureCookies: true },
    ],
  ])('reads the account settings from %j', (env, accounts) => {
    expect(loadConfig(env).accounts).toEqual(accounts);
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ PORT: '0' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ DATABASE_URL: 'mysql://secret@host/db' }, /^DATABASE_URL must start with sqlite: or postgres:\/\/$/],
    [{ DATABASE_URL: 'sqlite:' }, /DATABASE_URL/],
    [{ PUBLIC_URL: 'ftp://example.com' }, /PUBLIC_URL/],
    [{ PUBLIC_URL: 'example.com' }, /PUBLIC_URL/],
    [{ SQLITE_SYNCHRONOUS: 'off' }, /SQLITE_SYNCHRONOUS/],
    [{ IP_STORAGE: 'hashed' }, /IP_STORAGE must be one of none, truncated, full/],
    [
      { TRUSTED_PROXIES: '10.0.0.0/8, 10.0.0.0/40, proxy.local' },
      /^TRUSTED_PROXIES: not an address or CIDR network: 10.0.0.0\/40, proxy.local$/,
    ],
    [{ GEOIP_CITY_DB: '/no/such/file.mmdb' }, /GEOIP_CITY_DB: no file at \/no\/such\/file.mmdb/],
    [{ WRITE_BATCH_SIZE: '0' }, /WRITE_BATCH_SIZE/],
    [{ WRITE_BATCH_DELAY_MS: '-1' }, /WRITE_BATCH_DELAY_MS/],
    [{ WRITE_QUEUE_LIMIT: 'lots' }, /WRITE_QUEUE_LIMIT/],
    [{ SITE_CACHE_SECONDS: '1.5' }, /SITE_CACHE_SECONDS/],
    [{ REGISTRATION: 'maybe' }, /REGISTRATION must be one of open, invite, closed/],
    [{ SECURE_COOKIES: 'yes' }, /SECURE_COOKIES/],
  ])('refuses %j with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('reads the ingest settings', () => {
    const { ingest } = loadConfig({
      IP_STORAGE: 'none',
      TRUSTED_PROXIES: '10.0.0.0/8 ::1',
      WRITE_BATCH_SIZE: '50',
      SITE_CACHE_SECONDS: '0',
    });
    expect(ingest).toMatchObject({ ipStorage: 'none', batchSize: 50, siteCacheMs: 0 });
    expect(ingest.trustedProxies.entries).toEqual(['10.0.0.0/8', '::1']);
  });

  it('keeps only the origin of PUBLIC_URL', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://stats.example.com/some/path' }).publicUrl).toBe('https://stats.example.com');
  });
});

describe('loadTestSettings', () => {
  it('refuses a TEST_DATABASE_URL that is not PostgreSQL', () => {
    expect(() => loadTestSettings({ TEST_DATABASE_URL: 'sqlite:x' })).toThrow(/TEST_DATABASE_URL/);
  });

  it.each([
    ['1', true],
    ['true', true],
    ['0', false],
    ['', false],
  ])('reads REQUIRE_BROWSER=%j as %s', (value, expected) => {
    expect(loadTestSettings({ REQUIRE_BROWSER: value }).requireBrowser).toBe(expected);
  });

  it('refuses a flag it cannot read', () => {
    expect(() => loadTestSettings({ REQUIRE_POSTGRES: 'yes' })).toThrow(/REQUIRE_POSTGRES/);
  });
});
