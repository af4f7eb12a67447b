/**
 * Synthetic traffic for the report benchmark and the demo: `generate`
 * writes N events over the last M months for S sites, shaped like real
 * traffic. The first site is the busiest (30% of the events unless told),
 * the others follow a Zipf curve; pages are Zipf-distributed over a few thousand paths;
 * ~30 real User-Agents (parsed by the collector's own parser) give browser,
 * version, OS and device; countries are skewed (regions and cities only
 * when asked, as with a city database); ~40% of visits come direct,
 * the rest from referrer hosts (sources as the collector derives them) and
 * a few utm campaigns. A visitor (a random 48-bit id per day, as the daily
 * salt makes them) makes one visit or a few, each of 1–8 page views minutes
 * apart, with engagement events after most page views and a custom event
 * (some with props) now and then. Days follow an hourly curve in the site's
 * time zone, a weekly one, growth (slow and linear unless told), noise and
 * the odd spike.
 *
 * Rows go in in time order, as the collector would have written them, and
 * only the events table is written: the analytics engine folds them into
 * the visits and the roll-ups afterwards (`runEngine`, then
 * `sumEndedBlocks`), as it folds whatever the collector commits.
 * SQLite: prepared multi-row inserts on the raw better-sqlite3 handle, ~50k
 * rows per transaction. PostgreSQL: inserts of 2,000 rows a statement (as
 * column arrays, unnested), one transaction of 20k rows in flight while the
 * next rows are made, each holding the event writers' fence (horizon.ts)
 * as the collector's do, so that an engine running meanwhile skips none.
 *
 * Deterministic: the same options (seed, counts, shares, growth, curve,
 * cities and `end`) give the same rows.
 */
import type SQLite from 'better-sqlite3';
import { CompiledQuery } from 'kysely';
import { describeAgent } from '../collector/agent.js';
import { type Source, trafficSource } from '../collector/source.js';
import type { Store } from '../core/db/connect.js';
import { fenceEventWrites } from '../core/db/horizon.js';
import { EVENT_COLUMNS, type Site } from '../core/db/schema.js';
import { insertSite } from '../core/db/sites.js';
import { parsePage } from '../core/page.js';
import { DAY_MS, HOUR_MS } from '../core/time.js';
import { localHour } from '../dashboard/reports/zone.js';

export interface GenerateOptions {
  /** How many sites to add (the first is the busiest), or the sites to fill (shared out the same way). */
  readonly sites: number | readonly Site[];
  /** Events in all. */
  readonly events: number;
  /** Months back from `end`. */
  readonly months: number;
  readonly seed: number;
  /** Nothing happens at or after this instant (default: now). */
  readonly end?: number;
  /** Owner of the sites it adds. */
  readonly ownerId?: number | null;
  /** Where progress lines go (default: console.log). */
  readonly log?: (line: string) => void;
  /** The busiest site's share of all events (default 0.3); the others share the rest, Zipf-like. */
  readonly busiestShare?: number;
  /** How much daily traffic grows from the first day to the last (default 0.25: by a quarter). */
  readonly growth?: number;
  /** How it grows: by the same number of events every day (default), or by the same factor. */
  readonly curve?: 'linear' | 'exponential';
  /** Regions and cities for visitors of the larger countries, as a city database gives (default: none). */
  readonly cities?: boolean;
}

export interface GenerateResult {
  readonly sites: Site[];
  /** Events written per site, in the order of `sites`. */
  readonly perSite: number[];
  readonly events: number;
  readonly seconds: number;
  /** The first instant events may have. */
  readonly start: number;
  readonly end: number;
}

// A row is the values of EVENT_COLUMNS, in that order.
type Value = string | number | null;
type Row = Value[];
type Column = (typeof EVENT_COLUMNS)[number];

const MINUTE_MS = 60_000;
const SQLITE_ROWS_PER_INSERT = 100;
const SQLITE_ROWS_PER_TRANSACTION = 50_000;
const PG_ROWS_PER_INSERT = 2000;
const PG_ROWS_PER_TRANSACTION = 20_000;
const PATHS = 3000;

/** sfc32, seeded through splitmix32: small, fast, and good enough for traffic. */
class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** A whole number in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    return Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
  }

  /** A random 48-bit whole number, as visitor ids are. */
  id48(): number {
    return (this.uint32() & 0xffff) * 4294967296 + this.uint32();
  }
}

/** Picks values by weight, in O(log n). */
class Picker<T> {
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(
    private readonly values: readonly T[],
    weights: readonly number[],
  ) {
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    weights.forEach((weight, i) => {
      sum += weight;
      this.cumulative[i] = sum;
    });
    this.total = sum;
  }

  pick(random: Random): T {
    const u = random.next() * this.total;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.cumulative[mid] ?? 0) > u) high = mid;
      else low = mid + 1;
    }
    return this.values[low] as T;
  }
}

const zipf = (n: number, s: number) => Array.from({ length: n }, (_, k) => 1 / (k + 1) ** s);

// ~30 real browsers' User-Agents with a rough share each, parsed as the collector parses them.
const AGENTS: Array<[string, number]> = [
  ...[136, 137, 138, 139, 140].map((v, i): [string, number] => [
    `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`,
    [1, 1.5, 3, 8, 16][i] ?? 1,
  ]),
  ...[137, 138, 139, 140].map((v, i): [string, number] => [
    `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`,
    [0.8, 1.5, 3, 6][i] ?? 1,
  ]),
  ...[138, 139, 140].map((v, i): [string, number] => [
    `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`,
    [0.3, 0.6, 1.2][i] ?? 1,
  ]),
  ...[143, 144, 145].map((v, i): [string, number] => [
    `Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`,
    [0.5, 1, 2][i] ?? 1,
  ]),
  ...[144, 145].map((v, i): [string, number] => [
    `Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`,
    [0.3, 0.6][i] ?? 1,
  ]),
  ...['17.6', '18.4', '18.5'].map((v, i): [string, number] => [
    `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${v} Safari/605.1.15`,
    [0.6, 1.2, 3][i] ?? 1,
  ]),
  ...['17_7', '18_4', '18_5', '18_6'].map((v, i): [string, number] => [
    `Mozilla/5.0 (iPhone; CPU iPhone OS ${v} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${v.replace('_', '.')} Mobile/15E148 Safari/604.1`,
    [2, 3, 6, 9][i] ?? 1,
  ]),
  ...['17_7', '18_5'].map((v, i): [string, number] => [
    `Mozilla/5.0 (iPad; CPU OS ${v} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${v.replace('_', '.')} Mobile/15E148 Safari/604.1`,
    [0.7, 1.5][i] ?? 1,
  ]),
  ...[13, 14, 15].map((v, i): [string, number] => [
    `Mozilla/5.0 (Linux; Android ${v}; Pixel ${v - 5}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36`,
    [3, 5, 7][i] ?? 1,
  ]),
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 Edg/140.0.3485.54', 5],
];

interface Profile {
  browser: string | null;
  browserVersion: string | null;
  os: string | null;
  device: string;
}

const PROFILES = new Picker<Profile>(
  AGENTS.map(([agent]) => {
    const { browser, browserVersion, os, device } = describeAgent(agent);
    return { browser, browserVersion, os, device };
  }),
  AGENTS.map(([, weight]) => weight),
);

const COUNTRY_WEIGHTS: Array<[string | null, number]> = [
  ['US', 28],
  ['DE', 9],
  ['GB', 7],
  ['IN', 6],
  ['FR', 5],
  ['CA', 4],
  ['NL', 3],
  ['BR', 3],
  ['JP', 3],
  ['ES', 2.5],
  ['IT', 2.5],
  ['AU', 2.5],
  ['PL', 2],
  ['SE', 1.5],
  ['CH', 1.2],
  ['MX', 1.2],
  ['RU', 1.2],
  ['CN', 1],
  ['KR', 1],
  ['AT', 1],
  ['BE', 1],
  ['CZ', 0.8],
  ['DK', 0.8],
  ['UA', 0.8],
  ['TR', 0.8],
  ['ID', 0.8],
  ['NO', 0.7],
  ['IE', 0.7],
  ['PT', 0.7],
  ['FI', 0.6],
  ['RO', 0.6],
  ['VN', 0.6],
  ['SG', 0.6],
  ['AR', 0.6],
  ['ZA', 0.5],
  ['NZ', 0.5],
  ['IL', 0.5],
  ['PH', 0.5],
  ['HU', 0.4],
  ['GR', 0.4],
  // The geo database does not know every address.
  [null, 1],
];
const COUNTRIES = new Picker(
  COUNTRY_WEIGHTS.map(([code]) => code),
  COUNTRY_WEIGHTS.map(([, weight]) => weight),
);

interface Place {
  region: string | null;
  city: string | null;
}

// Regions and cities (English names, as the City database gives them) of
// the larger countries, with a rough share each; elsewhere none.
const PLACE_WEIGHTS: Record<string, Array<[string, string, number]>> = {
  US: [
    ['California', 'Los Angeles', 6],
    ['California', 'San Francisco', 5],
    ['New York', 'New York', 7],
    ['Texas', 'Houston', 3],
    ['Texas', 'Austin', 3],
    ['Washington', 'Seattle', 3],
    ['Illinois', 'Chicago', 3],
    ['Massachusetts', 'Boston', 2],
    ['Georgia', 'Atlanta', 1.5],
    ['Colorado', 'Denver', 1],
  ],
  DE: [
    ['Land Berlin', 'Berlin', 5],
    ['Bavaria', 'Munich', 4],
    ['Hamburg', 'Hamburg', 2.5],
    ['Hesse', 'Frankfurt am Main', 2],
    ['North Rhine-Westphalia', 'Cologne', 2],
  ],
  GB: [
    ['England', 'London', 8],
    ['England', 'Manchester', 2],
    ['Scotland', 'Edinburgh', 1],
  ],
  IN: [
    ['Karnataka', 'Bengaluru', 4],
    ['Maharashtra', 'Mumbai', 3],
    ['National Capital Territory of Delhi', 'Delhi', 3],
  ],
  FR: [
    ['Île-de-France', 'Paris', 6],
    ['Auvergne-Rhône-Alpes', 'Lyon', 1.5],
  ],
  CA: [
    ['Ontario', 'Toronto', 4],
    ['Quebec', 'Montreal', 2],
    ['British Columbia', 'Vancouver', 2],
  ],
  NL: [
    ['North Holland', 'Amsterdam', 4],
    ['South Holland', 'Rotterdam', 1.5],
  ],
  BR: [
    ['São Paulo', 'São Paulo', 4],
    ['Rio de Janeiro', 'Rio de Janeiro', 2],
  ],
  JP: [
    ['Tokyo', 'Tokyo', 5],
    ['Osaka', 'Osaka', 2],
  ],
};
const NOWHERE: Place = { region: null, city: null };
const PLACES = new Map(
  Object.entries(PLACE_WEIGHTS).map(([country, places]) => [
    country,
    new Picker<Place>(
      // The database does not place every address to a city.
      [...places.map(([region, city]): Place => ({ region, city })), NOWHERE],
      [...places.map(([, , weight]) => weight), 0.15 * sum(places.map(([, , weight]) => weight))],
    ),
  ]),
);

// Referrers: a few big ones, then a long tail of blogs.
const BIG_REFERRERS: Array<[string, number]> = [
  ['https://www.google.com/', 40],
  ['https://www.bing.com/', 5],
  ['https://duckduckgo.com/', 4],
  ['https://news.ycombinator.com/', 4],
  ['https://www.reddit.com/r/webdev/', 3],
  ['https://t.co/', 3],
  ['https://l.facebook.com/', 2.5],
  ['https://www.linkedin.com/', 2],
  ['https://github.com/', 2],
  ['https://stackoverflow.com/questions', 1.5],
  ['https://search.brave.com/', 1],
  ['https://www.ecosia.org/', 1],
  ['https://www.youtube.com/', 1],
  ['https://dev.to/', 1],
  ['https://medium.com/', 0.8],
  ['https://yandex.ru/', 0.8],
  ['https://lobste.rs/', 0.7],
  ['https://www.google.de/', 0.7],
  ['https://www.google.co.uk/', 0.6],
  ['https://mail.google.com/', 0.5],
];
const TAIL_REFERRERS = 150;
const REFERRER_WEIGHTS: Array<[string, number]> = [
  ...BIG_REFERRERS,
  ...zipf(TAIL_REFERRERS, 1).map((weight, i): [string, number] => [`https://blog${i + 1}.example.org/posts/${i * 7 + 3}`, weight * 3]),
];

const CAMPAIGNS: Array<{ query: string; referrer: string | null; weight: number }> = [
  { query: '?utm_source=newsletter&utm_medium=email&utm_campaign=monthly-digest', referrer: null, weight: 4 },
  { query: '?utm_source=newsletter&utm_medium=email&utm_campaign=launch', referrer: null, weight: 2 },
  { query: '?utm_source=twitter&utm_medium=social&utm_campaign=launch', referrer: 'https://t.co/', weight: 2 },
  {
    query: '?utm_source=google&utm_medium=cpc&utm_campaign=brand&utm_term=web+analytics&utm_content=ad-a',
    referrer: 'https://www.google.com/',
    weight: 3,
  },
  {
    query: '?utm_source=google&utm_medium=cpc&utm_campaign=brand&utm_term=privacy+analytics&utm_content=ad-b',
    referrer: 'https://www.google.com/',
    weight: 2,
  },
  { query: '?utm_source=producthunt&utm_medium=referral&utm_campaign=launch', referrer: 'https://www.producthunt.com/', weight: 1 },
  { query: '?ref=awesome-selfhosted', referrer: 'https://github.com/', weight: 1 },
];

const CUSTOM_EVENTS: Array<{ name: string; props: readonly (string | null)[]; weight: number }> = [
  { name: 'Signup', props: ['{"plan":"free"}', '{"plan":"free"}', '{"plan":"free"}', '{"plan":"pro"}', '{"plan":"team"}'], weight: 3 },
  {
    name: 'File Download',
    props: [
      '{"url":"https://files.example/app-2.4.dmg"}',
      '{"url":"https://files.example/app-2.4.exe"}',
      '{"url":"https://files.example/app-2.4.AppImage"}',
    ],
    weight: 2,
  },
  {
    name: 'Outbound Link: Click',
    props: ['{"url":"https://github.com/example/app"}', '{"url":"https://twitter.com/example"}', '{"url":"https://discord.gg/example"}'],
    weight: 3,
  },
  { name: 'Newsletter', props: [null], weight: 1 },
  { name: 'Play Video', props: ['{"video":"intro","position":"hero"}', '{"video":"tour","position":"docs"}'], weight: 1 },
];
const CUSTOM = new Picker(
  CUSTOM_EVENTS,
  CUSTOM_EVENTS.map((event) => event.weight),
);

// Page views per visit, 1 to 8: ~45% bounce, then fewer and fewer.
const PAGE_COUNTS = new Picker([1, 2, 3, 4, 5, 6, 7, 8], [45, 20, 12, 8, 6, 4, 3, 2]);

// Local hours: quiet at night, busy from late morning to the evening.
const LOCAL_HOURS = [
  0.25, 0.18, 0.13, 0.1, 0.1, 0.13, 0.25, 0.45, 0.7, 0.9, 1, 1.05, 1.08, 1.1, 1.1, 1.05, 1, 0.95, 0.9, 0.92, 0.9, 0.75, 0.55, 0.38,
];
// Sunday first, as getUTCDay() counts.
const WEEKDAYS = [0.68, 1, 1.02, 1, 0.98, 0.92, 0.72];

const SITE_NAMES = ['news', 'shop', 'docs', 'blog', 'status', 'forum', 'jobs', 'events', 'wiki', 'careers'];
const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'UTC',
  'Europe/London',
  'Asia/Tokyo',
  'America/Los_Angeles',
  'Australia/Sydney',
  'Europe/Paris',
  'America/Sao_Paulo',
  'Asia/Kolkata',
];

/** A few thousand paths, most-visited first. */
function makePaths(random: Random): string[] {
  const words = ['analytics', 'privacy', 'guide', 'release', 'setup', 'api', 'team', 'pricing', 'design', 'speed', 'cookies', 'data'];
  const word = () => words[random.int(0, words.length - 1)] ?? 'page';
  const top = ['/', '/pricing', '/blog', '/docs', '/features', '/about', '/login', '/signup', '/changelog', '/contact'];
  const paths = new Set(top);
  while (paths.size < PATHS) {
    const kind = random.next();
    if (kind < 0.45) paths.add(`/blog/${word()}-${word()}-${random.int(1, 999)}`);
    else if (kind < 0.8) paths.add(`/docs/${word()}/${word()}-${random.int(1, 99)}`);
    else if (kind < 0.95) paths.add(`/products/${random.int(1, 5000)}`);
    else paths.add(`/tags/${word()}-${random.int(1, 50)}`);
  }
  return [...paths];
}

interface SiteModel {
  site: Site;
  urls: string[];
  referrers: Picker<{ referrer: string; source: Source }>;
  campaigns: Picker<{ query: string; referrer: string | null; source: Source }>;
  /** Weight of each UTC hour of the day, from the local curve. */
  utcHours: number[];
}

const NO_SOURCE: Source = { source: null, utm_source: null, utm_medium: null, utm_campaign: null, utm_term: null, utm_content: null };

function siteModel(site: Site, paths: readonly string[], end: number): SiteModel {
  const base = site.base_url.replace(/\/+$/, '');
  const offset = (localHour(end, site.timezone) - new Date(end).getUTCHours() + 24) % 24;
  return {
    site,
    urls: paths.map((path) => `${base}${path}`),
    referrers: new Picker(
      REFERRER_WEIGHTS.map(([referrer]) => ({ referrer, source: trafficSource(null, referrer, site.domain) })),
      REFERRER_WEIGHTS.map(([, weight]) => weight),
    ),
    campaigns: new Picker(
      CAMPAIGNS.map(({ query, referrer }) => ({
        query,
        referrer,
        source: trafficSource(parsePage(`${base}/${query}`), referrer, site.domain),
      })),
      CAMPAIGNS.map(({ weight }) => weight),
    ),
    utcHours: Array.from({ length: 24 }, (_, hour) => LOCAL_HOURS[(hour + offset) % 24] ?? 1),
  };
}

/** Writes rows in one transaction; resolves when they are stored. */
interface Sink {
  write(rows: Row[]): Promise<void>;
}

function sqliteSink(sqlite: SQLite.Database): Sink {
  const tuple = `(${EVENT_COLUMNS.map(() => '?').join(', ')})`;
  const prefix = `insert into events (${EVENT_COLUMNS.join(', ')}) values `;
  const many = sqlite.prepare(prefix + Array(SQLITE_ROWS_PER_INSERT).fill(tuple).join(', '));
  const one = sqlite.prepare(prefix + tuple);
  const width = EVENT_COLUMNS.length;
  const values: Value[] = new Array(SQLITE_ROWS_PER_INSERT * width);
  const write = sqlite.transaction((rows: Row[]) => {
    let at = 0;
    for (; at + SQLITE_ROWS_PER_INSERT <= rows.length; at += SQLITE_ROWS_PER_INSERT) {
      let k = 0;
      for (let i = at; i < at + SQLITE_ROWS_PER_INSERT; i++) {
        const row = rows[i] as Row;
        for (let c = 0; c < width; c++) values[k++] = row[c] ?? null;
      }
      many.run(values);
    }
    for (; at < rows.length; at++) one.run(rows[at] as Row);
  });
  return {
    write: async (rows) => {
      write(rows);
    },
  };
}

// The events columns that are bigint; the others are text.
const BIGINT_COLUMNS = new Set(['site_id', 'ts', 'engaged_ms', 'visitor_id']);

function postgresSink(store: Store): Sink {
  // One array per column, unnested: PostgreSQL takes these rows two to three
  // times faster than the same rows as a VALUES list of parameters (measured
  // here: ~45k against ~16k rows/s for 2,000 rows a statement).
  const text = `insert into events (${EVENT_COLUMNS.join(', ')}) select * from unnest(${EVENT_COLUMNS.map(
    (column, i) => `$${i + 1}::${BIGINT_COLUMNS.has(column) ? 'bigint' : 'text'}[]`,
  ).join(', ')})`;
  return {
    write: (rows) =>
      store.db.transaction().execute(async (trx) => {
        await fenceEventWrites(trx);
        for (let at = 0; at < rows.length; at += PG_ROWS_PER_INSERT) {
          const chunk = rows.slice(at, at + PG_ROWS_PER_INSERT);
          const columns = EVENT_COLUMNS.map((_, c) => chunk.map((row) => row[c] ?? null));
          await trx.executeQuery(CompiledQuery.raw(text, columns));
        }
      }),
  };
}

/** Writes synthetic events (see the top of this file); sites it adds are returned too. */
export async function generate(store: Store, options: GenerateOptions): Promise<GenerateResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const random = new Random(options.seed);
  const end = options.end ?? Date.now();
  const endDay = Math.floor(end / DAY_MS);
  const startDate = new Date(endDay * DAY_MS);
  startDate.setUTCMonth(startDate.getUTCMonth() - options.months);
  const start = startDate.getTime();
  const firstDay = start / DAY_MS;
  const dayCount = endDay - firstDay + 1;

  let sites: Site[];
  if (typeof options.sites === 'number') {
    sites = [];
    for (let i = 0; i < options.sites; i++) {
      const name = SITE_NAMES[i] ?? `site${i + 1}`;
      const domain = `${name}.example`;
      sites.push(
        await insertSite(store.db, {
          base_url: `https://${domain}`,
          domain,
          name: `${name[0]?.toUpperCase() ?? ''}${name.slice(1)}`,
          created_at: start,
          owner_id: options.ownerId ?? null,
          timezone: ZONES[i % ZONES.length] ?? 'UTC',
        }),
      );
    }
  } else {
    sites = [...options.sites];
  }
  if (sites.length === 0) throw new Error('generate: no sites');

  // The busiest site has its share of the events, the others a Zipf share of the rest.
  const busiest = options.busiestShare ?? 0.3;
  const growth = options.growth ?? 0.25;
  const exponential = options.curve === 'exponential';
  if (!(busiest > 0 && busiest <= 1)) throw new Error('generate: busiestShare must be above 0 and at most 1');
  if (!(growth > -1)) throw new Error('generate: growth must be above -1 (traffic cannot fall below nothing)');
  const shares =
    sites.length === 1
      ? [1]
      : [
          busiest,
          ...zipf(sites.length, 1)
            .slice(1)
            .map((w, _, all) => ((1 - busiest) * w) / sum(all)),
        ];
  const paths = makePaths(random);
  const models = sites.map((site) => siteModel(site, paths, end));

  // How many events each site has on each day: weekday, growth (a quarter
  // over the whole span, linearly, unless told), noise, the odd spike, the part of the last day
  // that has passed; rounded so that they add up to exactly `events`.
  const weights: number[] = [];
  for (let d = 0; d < dayCount; d++) {
    const dayStart = (firstDay + d) * DAY_MS;
    const weekday = WEEKDAYS[new Date(dayStart).getUTCDay()] ?? 1;
    const along = d / Math.max(1, dayCount - 1);
    const trend = exponential ? (1 + growth) ** along : 1 + growth * along;
    models.forEach((model, s) => {
      const spike = random.next() < 0.01 ? 2 + 2 * random.next() : 1;
      const noise = 0.85 + 0.3 * random.next();
      weights.push((shares[s] ?? 0) * weekday * trend * noise * spike * hoursBefore(model.utcHours, dayStart, end));
    });
  }
  const total = sum(weights);
  const budgets: number[] = [];
  let cumulative = 0;
  let given = 0;
  for (const weight of weights) {
    cumulative += weight;
    const upTo = Math.round((cumulative / total) * options.events);
    budgets.push(upTo - given);
    given = upTo;
  }

  const sink = store.sqlite === undefined ? postgresSink(store) : sqliteSink(store.sqlite);
  const perTransaction = store.sqlite === undefined ? PG_ROWS_PER_TRANSACTION : SQLITE_ROWS_PER_TRANSACTION;
  const perSite = sites.map(() => 0);
  const began = performance.now();
  let written = 0;
  let lastReport = began;
  let pending: Row[] = [];
  let inFlight: Promise<void> | undefined;
  const flush = async () => {
    await inFlight;
    const rows = pending;
    pending = [];
    inFlight = sink.write(rows).then(() => {
      written += rows.length;
      const now = performance.now();
      if (now - lastReport >= 5000) {
        lastReport = now;
        log(
          `synthetic: ${written.toLocaleString('en-US')} of ${options.events.toLocaleString('en-US')} events (${((100 * written) / options.events).toFixed(0)}%), ${Math.round(written / ((now - began) / 1000)).toLocaleString('en-US')} rows/s`,
        );
      }
    });
  };

  for (let d = 0; d < dayCount; d++) {
    const dayStart = (firstDay + d) * DAY_MS;
    const day: Row[] = [];
    models.forEach((model, s) => {
      const budget = budgets[d * models.length + s] ?? 0;
      const made = daysEvents(random, model, dayStart, end, budget, options.cities === true, day);
      perSite[s] = (perSite[s] ?? 0) + made;
    });
    // In time order, as the collector writes them.
    day.sort((a, b) => (a[1] as number) - (b[1] as number));
    for (const row of day) pending.push(row);
    if (pending.length >= perTransaction) await flush();
  }
  if (pending.length > 0) await flush();
  await inFlight;
  const seconds = (performance.now() - began) / 1000;
  log(
    `synthetic: ${written.toLocaleString('en-US')} events for ${sites.length} site(s) over ${dayCount} days in ${seconds.toFixed(1)} s, ${Math.round(written / seconds).toLocaleString('en-US')} rows/s`,
  );
  return { sites, perSite, events: written, seconds, start, end };
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** The share of a day's traffic (by the hourly curve) that falls before `end`. */
function hoursBefore(utcHours: readonly number[], dayStart: number, end: number): number {
  let before = 0;
  utcHours.forEach((weight, hour) => {
    const from = dayStart + hour * HOUR_MS;
    before += weight * Math.min(1, Math.max(0, (end - from) / HOUR_MS));
  });
  return before / sum(utcHours);
}

/** A visit's first instant on this day, by the hourly curve, before `end`. */
function visitStart(random: Random, model: SiteModel, dayStart: number, end: number, available: number): number {
  let u = random.next() * available;
  for (let hour = 0; hour < 24; hour++) {
    const from = dayStart + hour * HOUR_MS;
    const part = Math.min(1, Math.max(0, (end - from) / HOUR_MS));
    const weight = (model.utcHours[hour] ?? 0) * part;
    if (u < weight) return from + Math.floor((u / weight) * part * HOUR_MS);
    u -= weight;
  }
  return Math.min(end - 1, dayStart + DAY_MS - 1);
}

/** Makes one site's events of one day, exactly `budget` of them, into `out`; returns how many. */
function daysEvents(random: Random, model: SiteModel, dayStart: number, end: number, budget: number, cities: boolean, out: Row[]): number {
  let available = 0;
  for (let hour = 0; hour < 24; hour++) {
    available += (model.utcHours[hour] ?? 0) * Math.min(1, Math.max(0, (end - dayStart - hour * HOUR_MS) / HOUR_MS));
  }
  const siteId = model.site.id;
  const pathCount = model.urls.length;
  let made = 0;
  while (made < budget) {
    // One visitor: one id for the day, one browser, one place.
    const visitor = random.id48();
    const profile = PROFILES.pick(random);
    const country = COUNTRIES.pick(random);
    const place = cities && country !== null ? (PLACES.get(country)?.pick(random) ?? NOWHERE) : NOWHERE;
    const ip = `${random.int(1, 223)}.${random.int(0, 255)}.${random.int(0, 255)}.0`;
    const visits = random.next() < 0.1 ? (random.next() < 0.2 ? 3 : 2) : 1;
    let t = visitStart(random, model, dayStart, end, available);
    const push = (
      ts: number,
      name: string,
      url: string,
      referrer: string | null,
      props: string | null,
      engaged: number | null,
      from: Source,
    ) => {
      if (ts >= end || made >= budget) return;
      const event: Record<Column, Value> = {
        site_id: siteId,
        ts,
        name,
        url,
        referrer,
        props,
        engaged_ms: engaged,
        browser: profile.browser,
        browser_version: profile.browserVersion,
        os: profile.os,
        device: profile.device,
        country,
        region: place.region,
        city: place.city,
        source: from.source,
        utm_source: from.utm_source,
        utm_medium: from.utm_medium,
        utm_campaign: from.utm_campaign,
        utm_term: from.utm_term,
        utm_content: from.utm_content,
        visitor_id: visitor,
        ip,
      };
      out.push(EVENT_COLUMNS.map((column) => event[column]));
      made++;
    };
    for (let v = 0; v < visits && made < budget; v++) {
      if (v > 0) {
        // A later visit the same day, after a break of 40 minutes to a few hours.
        t += (40 + random.int(0, 300)) * MINUTE_MS;
        if (t >= end || t >= dayStart + DAY_MS) break;
      }
      // Where the visit came from: ~40% direct, most of the rest a referrer, a few campaigns.
      const kind = random.next();
      let entryQuery = '';
      let referrer: string | null = null;
      let source = NO_SOURCE;
      if (kind >= 0.4 && kind < 0.93) {
        const from = model.referrers.pick(random);
        referrer = from.referrer;
        source = from.source;
      } else if (kind >= 0.93) {
        const campaign = model.campaigns.pick(random);
        entryQuery = campaign.query;
        referrer = campaign.referrer;
        source = campaign.source;
      }
      const pages = PAGE_COUNTS.pick(random);
      const customAt = random.next() < 0.05 ? random.int(0, pages - 1) : -1;
      let previous: string | null = null;
      for (let p = 0; p < pages; p++) {
        const url = (model.urls[zipfIndex(random, pathCount)] ?? '/') + (p === 0 ? entryQuery : '');
        const pageSource = p === 0 ? source : NO_SOURCE;
        const pageReferrer = p === 0 ? referrer : previous;
        push(t, 'pageview', url, pageReferrer, null, null, pageSource);
        // Time on the page: a minute or so, from seconds to a quarter of an hour.
        const dwell = Math.round(Math.min(15 * MINUTE_MS, Math.max(2000, Math.exp(Math.log(50_000) + random.normal()))));
        if (p === customAt) {
          const custom = CUSTOM.pick(random);
          const props = custom.props[random.int(0, custom.props.length - 1)] ?? null;
          push(t + Math.floor(dwell / 2), custom.name, url, pageReferrer, props, null, pageSource);
        }
        if (random.next() < 0.65) {
          push(t + dwell, 'engagement', url, pageReferrer, null, Math.round(dwell * (0.4 + 0.6 * random.next())), pageSource);
        }
        previous = url;
        t += dwell + random.int(300, 5000);
      }
    }
  }
  return made;
}

// A Zipf(1)-like rank over n paths: density 1/x over [1, n + 1), inverted.
function zipfIndex(random: Random, n: number): number {
  const rank = Math.floor(Math.exp(random.next() * Math.log(n + 1))) - 1;
  return Math.min(n - 1, Math.max(0, rank));
}
