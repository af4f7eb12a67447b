import { describe, expect, it } from 'vitest';
import { loadConfig, loadTestSettings } from './config.js';

describe('loadConfig', () => {
  it('has defaults that serve on 8787 with SQLite under ./data', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      port: 8787,
      host: undefined,
      database: { dialect: 'sqlite', path: './data/sightline.db' },
      publicUrl: undefined,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    [{ DATABASE_URL: 'sqlite:/tmp/x.db' }, { dialect: 'sqlite', path: '/tmp/x.db' }],
    [{ DATABASE_URL: 'sqlite:///tmp/x.db' }, { dialect: 'sqlite', path: '/tmp/x.db' }],
    [{ DATABASE_URL: 'postgres://u:p@localhost/db' }, { dialect: 'postgres', url: 'postgres://u:p@localhost/db' }],
    [{ DATABASE_URL: 'postgresql://localhost/db' }, { dialect: 'postgres', url: 'postgresql://localhost/db' }],
  ])('reads DATABASE_URL %j', (env, database) => {
    expect(loadConfig(env).database).toEqual(database);
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ PORT: '0' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ DATABASE_URL: 'mysql://secret@host/db' }, /^DATABASE_URL must start with sqlite: or postgres:\/\/$/],
    [{ DATABASE_URL: 'sqlite:' }, /DATABASE_URL/],
    [{ PUBLIC_URL: 'ftp://example.com' }, /PUBLIC_URL/],
    [{ PUBLIC_URL: 'example.com' }, /PUBLIC_URL/],
  ])('refuses %j with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
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
