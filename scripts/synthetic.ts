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
 * How they are written, on SQLite and on PostgreSQL: synthetic/writer.ts.
 * Who visits: synthetic/visitors.ts; what visits do on each site:
 * synthetic/sites.ts; one site's day of events: synthetic/days.ts.
 *
 * Deterministic: the same options (seed, counts, shares, growth, curve,
 * cities and `end`) give the same rows.
 */
import type { Store } from '../core/db/connect.js';
import type { Site } from '../core/db/schema.js';
import { insertSite } from '../core/db/sites.js';
import { DAY_MS } from '../core/time.js';
import { daysEvents, hoursBefore } from './synthetic/days.js';
import { Random, sum, zipf } from './synthetic/random.js';
import { makePaths, SITE_NAMES, type SiteModel, siteModel, WEEKDAYS, ZONES } from './synthetic/sites.js';
import { type Row, RowWriter } from './synthetic/writer.js';

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

  const sites =
    typeof options.sites === 'number' ? await addSites(store, options.sites, start, options.ownerId ?? null) : [...options.sites];
  if (sites.length === 0) throw new Error('generate: no sites');

  const busiest = options.busiestShare ?? 0.3;
  const growth = options.growth ?? 0.25;
  if (!(busiest > 0 && busiest <= 1)) throw new Error('generate: busiestShare must be above 0 and at most 1');
  if (!(growth > -1)) throw new Error('generate: growth must be above -1 (traffic cannot fall below nothing)');
  const paths = makePaths(random);
  const models = sites.map((site) => siteModel(site, paths, end));
  const budgets = dayBudgets(random, models, {
    shares: siteShares(sites.length, busiest),
    firstDay,
    dayCount,
    end,
    growth,
    exponential: options.curve === 'exponential',
    events: options.events,
  });

  const writer = new RowWriter(store, options.events, log);
  const perSite = sites.map(() => 0);
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
    await writer.add(day);
  }
  const seconds = await writer.finish();
  const written = writer.written;
  log(
    `synthetic: ${written.toLocaleString('en-US')} events for ${sites.length} site(s) over ${dayCount} days in ${seconds.toFixed(1)} s, ${Math.round(written / seconds).toLocaleString('en-US')} rows/s`,
  );
  return { sites, perSite, events: written, seconds, start, end };
}

/** Adds `count` sites, named after SITE_NAMES, each in its own time zone. */
async function addSites(store: Store, count: number, createdAt: number, ownerId: number | null): Promise<Site[]> {
  const sites: Site[] = [];
  for (let i = 0; i < count; i++) {
    const name = SITE_NAMES[i] ?? `site${i + 1}`;
    const domain = `${name}.example`;
    sites.push(
      await insertSite(store.db, {
        base_url: `https://${domain}`,
        domain,
        name: `${name[0]?.toUpperCase() ?? ''}${name.slice(1)}`,
        created_at: createdAt,
        owner_id: ownerId,
        timezone: ZONES[i % ZONES.length] ?? 'UTC',
      }),
    );
  }
  return sites;
}

/** Each site's share of the events: the busiest its own, the others a Zipf share of the rest. */
function siteShares(count: number, busiest: number): number[] {
  if (count === 1) return [1];
  return [
    busiest,
    ...zipf(count, 1)
      .slice(1)
      .map((w, _, all) => ((1 - busiest) * w) / sum(all)),
  ];
}

interface Span {
  readonly shares: readonly number[];
  readonly firstDay: number;
  readonly dayCount: number;
  readonly end: number;
  readonly growth: number;
  readonly exponential: boolean;
  readonly events: number;
}

/**
 * How many events each site has on each day (day by day, site by site):
 * weekday, growth (a quarter over the whole span, linearly, unless told),
 * noise, the odd spike, the part of the last day that has passed; rounded
 * so that they add up to exactly `events`.
 */
function dayBudgets(random: Random, models: readonly SiteModel[], span: Span): number[] {
  const weights: number[] = [];
  for (let d = 0; d < span.dayCount; d++) {
    const dayStart = (span.firstDay + d) * DAY_MS;
    const weekday = WEEKDAYS[new Date(dayStart).getUTCDay()] ?? 1;
    const along = d / Math.max(1, span.dayCount - 1);
    const trend = span.exponential ? (1 + span.growth) ** along : 1 + span.growth * along;
    models.forEach((model, s) => {
      const spike = random.next() < 0.01 ? 2 + 2 * random.next() : 1;
      const noise = 0.85 + 0.3 * random.next();
      weights.push((span.shares[s] ?? 0) * weekday * trend * noise * spike * hoursBefore(model.utcHours, dayStart, span.end));
    });
  }
  const total = sum(weights);
  const budgets: number[] = [];
  let cumulative = 0;
  let given = 0;
  for (const weight of weights) {
    cumulative += weight;
    const upTo = Math.round((cumulative / total) * span.events);
    budgets.push(upTo - given);
    given = upTo;
  }
  return budgets;
}
