// Where visits come from and what they do on each site: referrers,
// campaigns, custom events, pages per visit, the daily and weekly curves,
// and each site's paths.
import { type Source, trafficSource } from '../../collector/source.js';
import type { Site } from '../../core/db/schema.js';
import { parsePage } from '../../core/page.js';
import { localHour } from '../../dashboard/reports/zone.js';
import { Picker, type Random, zipf } from './random.js';

const PATHS = 3000;

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
export const CUSTOM = new Picker(
  CUSTOM_EVENTS,
  CUSTOM_EVENTS.map((event) => event.weight),
);

// Page views per visit, 1 to 8: ~45% bounce, then fewer and fewer.
export const PAGE_COUNTS = new Picker([1, 2, 3, 4, 5, 6, 7, 8], [45, 20, 12, 8, 6, 4, 3, 2]);

// Local hours: quiet at night, busy from late morning to the evening.
const LOCAL_HOURS = [
  0.25, 0.18, 0.13, 0.1, 0.1, 0.13, 0.25, 0.45, 0.7, 0.9, 1, 1.05, 1.08, 1.1, 1.1, 1.05, 1, 0.95, 0.9, 0.92, 0.9, 0.75, 0.55, 0.38,
];
// Sunday first, as getUTCDay() counts.
export const WEEKDAYS = [0.68, 1, 1.02, 1, 0.98, 0.92, 0.72];

export const SITE_NAMES = ['news', 'shop', 'docs', 'blog', 'status', 'forum', 'jobs', 'events', 'wiki', 'careers'];
export const ZONES = [
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
export function makePaths(random: Random): string[] {
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

export interface SiteModel {
  site: Site;
  urls: string[];
  referrers: Picker<{ referrer: string; source: Source }>;
  campaigns: Picker<{ query: string; referrer: string | null; source: Source }>;
  /** Weight of each UTC hour of the day, from the local curve. */
  utcHours: number[];
}

export const NO_SOURCE: Source = {
  source: null,
  utm_source: null,
  utm_medium: null,
  utm_campaign: null,
  utm_term: null,
  utm_content: null,
};

export function siteModel(site: Site, paths: readonly string[], end: number): SiteModel {
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
