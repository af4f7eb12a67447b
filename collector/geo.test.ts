import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeMmdb } from '../scripts/mmdb-writer.js';
import { Geo } from './geo.js';

const countryOnly = new Geo();

describe('Geo with the bundled country database', () => {
  it.each([
    ['8.8.8.8', 'US'],
    ['1.1.1.1', 'AU'],
    ['2a00:1450::1', expect.stringMatching(/^[A-Z]{2}$/)],
    ['10.1.2.3', null],
    ['127.0.0.1', null],
    ['not an address', null],
  ])('places %s in %s', (ip, country) => {
    expect(countryOnly.locate(ip)).toEqual({ country, region: null, city: null });
  });

  it('answers the same from memory as from the database, and forgets when told', () => {
    const geo = new Geo();
    const fromDatabase = ['8.8.8.8', '1.1.1.1', 'not an address'].map((ip) => [ip, geo.locate(ip)] as const);
    expect(geo.size).toBe(3);
    for (const [ip, place] of fromDatabase) expect(geo.locate(ip)).toBe(place);
    expect(fromDatabase.map(([, place]) => place.country)).toEqual(['US', 'AU', null]);
    geo.forget();
    expect(geo.size).toBe(0);
    expect(geo.locate('8.8.8.8')).toEqual({ country: 'US', region: null, city: null });
  });

  it('places nothing without an address', () => {
    expect(countryOnly.locate(null)).toEqual({ country: null, region: null, city: null });
  });
});

describe('Geo with a City database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-geo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    [
      "MaxMind's layout",
      {
        country: { iso_code: 'FR' },
        subdivisions: [{ iso_code: 'IDF', names: { en: 'Île-de-France' } }],
        city: { names: { en: 'Paris' } },
      },
      { country: 'FR', region: 'Île-de-France', city: 'Paris' },
    ],
    [
      "ip-location-db's flat layout",
      { country_code: 'JP', state1: 'Tokyo', city: 'Shibuya' },
      { country: 'JP', region: 'Tokyo', city: 'Shibuya' },
    ],
  ])('reads region and city in %s', (_label, record, place) => {
    const file = join(dir, `${place.country}.mmdb`);
    writeFileSync(file, writeMmdb({ '198.51.100.0/24': record }));
    const geo = new Geo(file);
    expect(geo.locate('198.51.100.77')).toEqual(place);
    // Not in the City database: the country database still answers.
    expect(geo.locate('8.8.8.8')).toEqual({ country: 'US', region: null, city: null });
  });
});
