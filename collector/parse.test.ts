import { describe, expect, it } from 'vitest';
import { HttpError } from './errors.js';
import { parseBeacon, parseDay, parseVisitForm } from './parse.js';

const good = { site: 1, name: 'pageview', url: 'https://example.com/a?b=c', referrer: 'https://search.example/' };

function fieldErrors(run: () => unknown): Record<string, string> | string {
  try {
    run();
  } catch (error) {
    if (error instanceof HttpError) return error.fields ?? error.message;
    throw error;
  }
  throw new Error('expected the input to be refused');
}

describe('parseBeacon', () => {
  it('accepts a complete beacon', () => {
    expect(parseBeacon(JSON.stringify(good))).toEqual(good);
  });

  it('stores an empty referrer as null', () => {
    expect(parseBeacon(JSON.stringify({ ...good, referrer: '' })).referrer).toBeNull();
    const { referrer: _, ...withoutReferrer } = good;
    expect(parseBeacon(JSON.stringify(withoutReferrer)).referrer).toBeNull();
  });

  it.each([
    ['not JSON', '{site:1', 'The body is not valid JSON.'],
    ['an array', '[1,2]', 'The body must be a JSON object.'],
    ['null', 'null', 'The body must be a JSON object.'],
    ['a string', '"pageview"', 'The body must be a JSON object.'],
  ])('refuses %s', (_label, body, message) => {
    expect(fieldErrors(() => parseBeacon(body))).toBe(message);
  });

  it.each([
    ['site missing', { ...good, site: undefined }, ['site']],
    ['site as text', { ...good, site: '1' }, ['site']],
    ['site zero', { ...good, site: 0 }, ['site']],
    ['site fractional', { ...good, site: 1.5 }, ['site']],
    ['name missing', { ...good, name: '' }, ['name']],
    ['name too long', { ...good, name: 'x'.repeat(121) }, ['name']],
    ['url relative', { ...good, url: '/a' }, ['url']],
    ['url javascript:', { ...good, url: 'javascript:alert(1)' }, ['url']],
    ['url too long', { ...good, url: `https://e.com/${'x'.repeat(2048)}` }, ['url']],
    ['referrer a number', { ...good, referrer: 5 }, ['referrer']],
    ['a NUL in the name', { ...good, name: 'a\u0000b' }, ['name']],
    ['client-set ip', { ...good, ip: '1.2.3.4' }, ['ip']],
    ['client-set time and agent', { ...good, ts: 1, browser: 'x' }, ['ts', 'browser']],
    ['everything wrong at once', { site: -1, name: 7, url: 'nope', referrer: [] }, ['site', 'name', 'url', 'referrer']],
  ])('refuses %s, naming every bad field', (_label, input, fields) => {
    const errors = fieldErrors(() => parseBeacon(JSON.stringify(input)));
    expect(Object.keys(errors).sort()).toEqual([...fields].sort());
  });
});

describe('parseVisitForm', () => {
  const seed = { event: 'BashVisit', browser: 'cURL', url: '/', ip_address: '1.2.3.4', date: '2013-11-09' };

  it("accepts the seed's curl visit", () => {
    expect(parseVisitForm(seed)).toEqual({ name: 'BashVisit', url: '/', browser: 'cURL', ip: '1.2.3.4', ts: Date.UTC(2013, 10, 9) });
  });

  it('leaves optional fields empty', () => {
    expect(parseVisitForm({ event: 'x', url: '/', date: '2020-01-01' })).toMatchObject({ browser: null, ip: null });
  });

  it.each([
    ['a bad date', { ...seed, date: '09/11/2013' }, ['date']],
    ['a day that does not exist', { ...seed, date: '2013-02-30' }, ['date']],
    ['no date', { ...seed, date: undefined }, ['date']],
    ['a bad IP address', { ...seed, ip_address: '1.2.3' }, ['ip_address']],
    ['a NUL in the browser', { ...seed, browser: 'cu\u0000rl' }, ['browser']],
    ['a file for a field', { ...seed, url: new Blob(['x']) }, ['url']],
    ['nothing at all', {}, ['event', 'url', 'date']],
  ])('refuses %s', (_label, form, fields) => {
    const errors = fieldErrors(() => parseVisitForm(form));
    expect(Object.keys(errors).sort()).toEqual([...fields].sort());
  });
});

describe('parseDay', () => {
  it.each([
    ['2013-11-09', Date.UTC(2013, 10, 9)],
    ['2024-02-29', Date.UTC(2024, 1, 29)],
    ['2023-02-29', null],
    ['2013-13-01', null],
    ['2013-1-9', null],
    ['', null],
  ])('%j → %s', (text, expected) => {
    expect(parseDay(text)).toBe(expected);
  });
});
