import { describe, expect, it } from 'vitest';
import { HttpError } from '../core/errors.js';
import { parseBeacon, parseDay, parsePixel, parseVisitForm } from './parse.js';

const page = { s: 1, u: 'https://example.com/a?b=c' };
const view = { site: 1, name: 'pageview', url: page.u, referrer: null, props: null, engagedMs: null };

function fieldErrors(run: () => unknown): Record<string, string> | string {
  try {
    run();
  } catch (error) {
    if (error instanceof HttpError) return error.fields ?? error.message;
    throw error;
  }
  throw new Error('expected the input to be refused');
}

const parse = (body: unknown) => parseBeacon(JSON.stringify(body));

describe('parseBeacon', () => {
  it.each([
    ['a page view', { ...page, r: 'https://search.example/' }, { ...view, referrer: 'https://search.example/' }],
    ['a page view with an empty referrer', { ...page, r: '' }, view],
    [
      'a custom event with props',
      { ...page, n: 'Signup', p: { plan: 'pro', seats: 3, trial: false } },
      { ...view, name: 'Signup', props: '{"plan":"pro","seats":3,"trial":false}' },
    ],
    ['a custom event without props', { ...page, n: 'Signup' }, { ...view, name: 'Signup' }],
    ['engagement', { ...page, e: 12_345 }, { ...view, name: 'engagement', engagedMs: 12_345 }],
    [
      'an outbound click',
      { ...page, o: 'https://other.example/x' },
      { ...view, name: 'Outbound Link', props: '{"url":"https://other.example/x"}' },
    ],
    [
      'a download click',
      { ...page, d: 'https://example.com/f.pdf' },
      { ...view, name: 'File Download', props: '{"url":"https://example.com/f.pdf"}' },
    ],
  ])('accepts %s', (_label, body, expected) => {
    const { page: parsed, ...rest } = parse(body);
    expect(rest).toEqual(expected);
    expect(parsed).toEqual({ hostname: 'example.com', query: 'b=c' });
  });

  it.each([
    ['not JSON', '{s:1', 'The body is not valid JSON.'],
    ['an array', '[1,2]', 'The body must be a JSON object.'],
    ['null', 'null', 'The body must be a JSON object.'],
    ['a string', '"pageview"', 'The body must be a JSON object.'],
  ])('refuses %s', (_label, body, message) => {
    expect(fieldErrors(() => parseBeacon(body))).toBe(message);
  });

  it.each([
    ['site missing', { u: page.u }, ['s']],
    ['site as text', { ...page, s: '1' }, ['s']],
    ['site zero', { ...page, s: 0 }, ['s']],
    ['site fractional', { ...page, s: 1.5 }, ['s']],
    ['url missing', { s: 1 }, ['u']],
    ['url relative', { ...page, u: '/a' }, ['u']],
    ['url javascript:', { ...page, u: 'javascript:alert(1)' }, ['u']],
    ['url too long', { ...page, u: `https://e.com/${'x'.repeat(2048)}` }, ['u']],
    ['referrer a number', { ...page, r: 5 }, ['r']],
    ['a NUL in the referrer', { ...page, r: 'a\u0000b' }, ['r']],
    ['an empty event name', { ...page, n: '' }, ['n']],
    ['an event name too long', { ...page, n: 'x'.repeat(121) }, ['n']],
    ['a reserved event name', { ...page, n: 'pageview' }, ['n']],
    ['props without an event name', { ...page, p: { a: 1 } }, ['p']],
    ['props that are a list', { ...page, n: 'x', p: [1] }, ['p']],
    ['too many props', { ...page, n: 'x', p: Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, i])) }, ['p']],
    ['a prop name too long', { ...page, n: 'x', p: { ['k'.repeat(41)]: 1 } }, ['p']],
    ['a prop value too long', { ...page, n: 'x', p: { k: 'v'.repeat(201) } }, ['p']],
    ['a nested prop value', { ...page, n: 'x', p: { k: { deep: 1 } } }, ['p']],
    ['engagement of zero', { ...page, e: 0 }, ['e']],
    ['engagement over a day', { ...page, e: 86_400_001 }, ['e']],
    ['engagement as text', { ...page, e: '100' }, ['e']],
    ['an outbound link that is not http', { ...page, o: 'mailto:a@b.c' }, ['o']],
    ['two kinds at once', { ...page, n: 'x', e: 5 }, ['e']],
    ['client-set ip', { ...page, ip: '1.2.3.4' }, ['ip']],
    ['client-set time and agent', { ...page, ts: 1, ua: 'x' }, ['ts', 'ua']],
    // A computed key makes an own property, as JSON.parse does, not a prototype.
    ['a field named __proto__', { ...page, ['__proto__']: 1 }, ['__proto__']],
    ['everything wrong at once', { s: -1, u: 'nope', r: [], n: 7 }, ['s', 'u', 'r', 'n']],
  ])('refuses %s, naming every bad field', (_label, input, fields) => {
    const errors = fieldErrors(() => parse(input));
    expect(Object.keys(errors).sort()).toEqual([...fields].sort());
  });
});

describe('parsePixel', () => {
  it('takes the site from ?s and the page from the Referer header', () => {
    const { page: parsed, ...rest } = parsePixel('4', 'https://example.com/no-js');
    expect(rest).toEqual({ site: 4, url: 'https://example.com/no-js' });
    expect(parsed.hostname).toBe('example.com');
  });

  it.each([
    ['no site', undefined, 'https://example.com/', ['s']],
    ['a site that is not a number', 'x', 'https://example.com/', ['s']],
    ['no Referer', '1', undefined, ['referer']],
    ['a Referer that is not http(s)', '1', 'android-app://x', ['referer']],
  ])('refuses %s', (_label, site, referer, fields) => {
    expect(Object.keys(fieldErrors(() => parsePixel(site, referer))).sort()).toEqual(fields);
  });
});

describe('parseVisitForm', () => {
  const visit = { event: 'BashVisit', browser: 'cURL', url: '/', ip_address: '1.2.3.4', date: '2013-11-09' };
  const NOW = Date.UTC(2026, 11, 2, 6, 0);

  it('accepts the curl visit', () => {
    expect(parseVisitForm(visit, NOW)).toEqual({ name: 'BashVisit', url: '/', browser: 'cURL', ip: '1.2.3.4', ts: Date.UTC(2013, 10, 9) });
  });

  it('leaves optional fields empty', () => {
    expect(parseVisitForm({ event: 'x', url: '/', date: '2020-01-01' }, NOW)).toMatchObject({ browser: null, ip: null });
  });

  it.each([
    ['a bad date', { ...visit, date: '09/11/2013' }, ['date']],
    ['a day that does not exist', { ...visit, date: '2013-02-30' }, ['date']],
    ['no date', { ...visit, date: undefined }, ['date']],
    ['a bad IP address', { ...visit, ip_address: '1.2.3' }, ['ip_address']],
    ['a NUL in the browser', { ...visit, browser: 'cu\u0000rl' }, ['browser']],
    ['a file for a field', { ...visit, url: new Blob(['x']) }, ['url']],
    ['nothing at all', {}, ['event', 'url', 'date']],
    ['a date two days ahead', { ...visit, date: '2026-12-04' }, ['date']],
    ['a date far in the future', { ...visit, date: '2999-12-31' }, ['date']],
  ])('refuses %s', (_label, form, fields) => {
    const errors = fieldErrors(() => parseVisitForm(form, NOW));
    expect(Object.keys(errors).sort()).toEqual([...fields].sort());
  });
});

it.each(['2026-12-02', '2026-12-03'])('parseVisitForm accepts %s on 2026-12-02: somewhere it is already that day', (date) => {
  expect(parseVisitForm({ event: 'x', url: '/', date }, Date.UTC(2026, 11, 2, 6, 0)).ts).toBe(Date.parse(`${date}T00:00:00Z`));
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
