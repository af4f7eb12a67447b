/**
 * The traffic of bench:soak: a wrk Lua script that plays many visitors at
 * once, each with its own public IPv4 address (sent in X-Forwarded-For, for
 * a server that trusts 127.0.0.1 as its proxy) and one of some 5,000
 * distinct, real-looking User-Agents, through a visit of one to eight page
 * views over a few hundred paths, with the engaged-time, outbound, download
 * and custom-event beacons the tracker sends along the way.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isbot } from 'isbot';

/** A small seeded generator, so that every run offers the same User-Agents in the same order. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const ANDROID_MODELS = [
  ...[
    'S911B',
    'S916B',
    'S918B',
    'S921B',
    'S926B',
    'S928B',
    'G991B',
    'G996B',
    'G998B',
    'A546B',
    'A536B',
    'A346B',
    'A256F',
    'A155F',
    'A145F',
    'A057F',
  ].map((m) => `SM-${m}`),
  ...['Pixel 6', 'Pixel 6a', 'Pixel 7', 'Pixel 7a', 'Pixel 8', 'Pixel 8 Pro', 'Pixel 9', 'Pixel 9 Pro XL'],
  ...['moto g54 5G', 'moto g84 5G', 'moto g(60)', 'motorola edge 40'],
  ...['23021RAAEG', '2201117TG', '23129RAA4G', '2312DRA50G', 'M2101K6G'],
  ...['CPH2451', 'CPH2581', 'CPH2413', 'RMX3771', 'V2250', 'V2303'],
  ...['KB2003', 'NE2213', 'LE2123'],
];

/**
 * Some 5,000 distinct User-Agents, most common first: the versions and
 * devices of today's desktop and mobile browsers. The collector caches parsed
 * User-Agents (a few thousand); real traffic has a long tail past that.
 */
export function userAgents(): string[] {
  const next = random(7);
  const build = (major: number) => `${major}.0.${6099 + (major - 120) * 66 + Math.floor(next() * 60)}.${Math.floor(next() * 200)}`;
  const chromeDesktop = range(120, 140).flatMap((v) =>
    range(1, 10).flatMap(() => {
      const version = build(v);
      return [
        `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${version} Safari/537.36`,
        `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${version} Safari/537.36`,
        `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${version} Safari/537.36`,
      ];
    }),
  );
  const edge = range(120, 140).flatMap((v) =>
    range(1, 5).map(
      () =>
        `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36 Edg/${build(v)}`,
    ),
  );
  const firefox = range(115, 145).flatMap((v) => [
    `Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`,
    `Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`,
    `Mozilla/5.0 (X11; Linux x86_64; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`,
    `Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`,
    `Mozilla/5.0 (Android 14; Mobile; rv:${v}.0) Gecko/${v}.0 Firefox/${v}.0`,
  ]);
  const ios = [
    ...range(0, 8).map((m) => `15_${m}`),
    ...range(0, 7).map((m) => `16_${m}`),
    ...range(0, 7).map((m) => `17_${m}`),
    ...range(0, 6).map((m) => `18_${m}`),
  ];
  const safari = ios.flatMap((v) => {
    const dotted = v.replace('_', '.');
    return [
      `Mozilla/5.0 (iPhone; CPU iPhone OS ${v} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${dotted} Mobile/15E148 Safari/604.1`,
      `Mozilla/5.0 (iPad; CPU OS ${v} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${dotted} Mobile/15E148 Safari/604.1`,
      `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${dotted} Safari/605.1.15`,
    ];
  });
  const chromeIos = ios.flatMap((v) =>
    range(126, 140).map(
      (c) =>
        `Mozilla/5.0 (iPhone; CPU iPhone OS ${v} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/${c}.0.${6478 + (c - 126) * 60}.${Math.floor(next() * 150)} Mobile/15E148 Safari/604.1`,
    ),
  );
  const android = ANDROID_MODELS.flatMap((model) =>
    range(10, 15).flatMap((os) =>
      range(124, 140)
        .filter(() => next() < 0.75)
        .map(
          (v) =>
            `Mozilla/5.0 (Linux; Android ${os}; ${model}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${build(v)} Mobile Safari/537.36`,
        ),
    ),
  );
  const samsung = ANDROID_MODELS.filter((m) => m.startsWith('SM-')).flatMap((model) =>
    range(23, 27).map(
      (v) =>
        `Mozilla/5.0 (Linux; Android 14; ${model}) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/${v}.0 Chrome/${110 + (v - 23) * 5}.0.0.0 Mobile Safari/537.36`,
    ),
  );
  const all = [...new Set([...chromeDesktop, ...edge, ...firefox, ...safari, ...chromeIos, ...android, ...samsung])];
  // Shuffled, so that popularity (the head of the list) is spread over every family.
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [all[i], all[j]] = [all[j] as string, all[i] as string];
  }
  const bots = all.filter((agent) => isbot(agent));
  if (bots.length > 0) throw new Error(`isbot takes ${bots.length} of the soak's User-Agents for bots, such as ${bots[0]}`);
  return all;
}

/** A few hundred paths, the most visited first. */
export function pagePaths(): string[] {
  const words = ['analytics', 'privacy', 'self-hosting', 'sqlite', 'postgres', 'cookies', 'gdpr', 'dashboards', 'tracking', 'performance'];
  const topics = [
    'install',
    'configure',
    'upgrade',
    'backup',
    'api',
    'snippet',
    'events',
    'goals',
    'filters',
    'exports',
    'sharing',
    'proxy',
  ];
  return [
    '/',
    '/pricing',
    '/features',
    '/docs',
    '/blog',
    '/about',
    '/signup',
    '/login',
    '/changelog',
    '/contact',
    ...range(0, 149).map((i) => `/blog/${2021 + (i % 5)}/${words[i % words.length]}-${words[(i * 7) % words.length]}-${i}`),
    ...range(0, 199).map((i) => `/docs/${topics[i % topics.length]}/${['overview', 'guide', 'reference', 'faq', 'examples'][i % 5]}-${i}`),
    ...range(0, 39).map(
      (i) => `/integrations/${['wordpress', 'ghost', 'hugo', 'nextjs', 'astro', 'shopify', 'webflow', 'django'][i % 8]}-${i}`,
    ),
    ...range(2, 9).map((i) => `/blog?page=${i}`),
  ];
}

/** Where first page views come from; repeats weigh the common ones. */
const REFERRERS = [
  ...Array<string>(8).fill(''),
  ...Array<string>(5).fill('https://www.google.com/'),
  'https://www.google.de/',
  'https://www.google.co.uk/',
  'https://www.google.fr/',
  'https://www.bing.com/',
  'https://duckduckgo.com/',
  'https://search.brave.com/',
  'https://news.ycombinator.com/',
  'https://news.ycombinator.com/item?id=41234567',
  'https://www.reddit.com/r/selfhosted/comments/1abcde/privacy_first_analytics/',
  'https://old.reddit.com/r/webdev/',
  'https://t.co/x8Yz3kQp1a',
  'https://www.linkedin.com/',
  'https://l.facebook.com/',
  'https://github.com/sightline/sightline',
  'https://lobste.rs/s/abc123/sightline',
  'https://mastodon.social/',
  ...range(1, 40).map((i) => `https://blog${i}.example.org/posts/${i * 37}`),
];

const CAMPAIGNS = [
  '?utm_source=newsletter&utm_medium=email&utm_campaign=autumn-2025',
  '?utm_source=newsletter&utm_medium=email&utm_campaign=launch',
  '?utm_source=twitter&utm_medium=social&utm_campaign=launch',
  '?utm_source=google&utm_medium=cpc&utm_campaign=brand&utm_term=web+analytics',
  '?utm_source=google&utm_medium=cpc&utm_campaign=competitors&utm_content=ad-2',
  '?utm_source=producthunt&utm_medium=referral',
  '?ref=alternativeto',
];

const OUTBOUND = ['https://github.com/sightline/sightline', 'https://twitter.com/sightline', 'https://www.npmjs.com/package/sightline'];
const DOWNLOADS = ['https://example.com/files/sightline-1.4.0.tar.gz', 'https://example.com/files/whitepaper.pdf'];
const CUSTOM = [
  '"n":"Signup","p":{"plan":"free"}',
  '"n":"Signup","p":{"plan":"pro"}',
  '"n":"Newsletter"',
  '"n":"Search","p":{"results":12}',
];

const list = (items: readonly string[]) => `{\n${items.map((item) => `  [==[${item}]==]`).join(',\n')}\n}`;

/**
 * Writes the Lua script into `dir` and returns its path. wrk calls it with
 * one argument, a seed: each window plays visitors of its own.
 */
export function writeTrafficScript(dir: string, siteId: number, agents: readonly string[]): string {
  const file = join(dir, 'soak.lua');
  writeFileSync(
    file,
    `-- Written by scripts/soak-traffic.ts for bench:soak.
local agents = ${list(agents)}
local pages = ${list(pagePaths())}
local referrers = ${list(REFERRERS)}
local campaigns = ${list(CAMPAIGNS)}
local outbound = ${list(OUTBOUND)}
local downloads = ${list(DOWNLOADS)}
local custom = ${list(CUSTOM)}
local SITE = ${siteId}
local ORIGIN = "https://example.com"
-- Visitors in the middle of a visit at any moment; each request is the next
-- beacon of one of them, so their beacons interleave as real ones do.
local ACTIVE = 2000
local active = {}

-- 1..n, most often near 1: a few User-Agents and pages take most traffic.
local function skewed(n, power)
  return math.min(n, math.floor(n * math.random() ^ power) + 1)
end

-- A public IPv4 address: none of the private, loopback, link-local, shared
-- or multicast ranges, which the geo lookup would not place.
local function address()
  local a
  repeat a = math.random(1, 223) until a ~= 10 and a ~= 100 and a ~= 127 and a ~= 169 and a ~= 172 and a ~= 192 and a ~= 198
  return a .. "." .. math.random(0, 255) .. "." .. math.random(0, 255) .. "." .. math.random(1, 254)
end

local function beacon(url, rest)
  return '{"s":' .. SITE .. ',"u":"' .. url .. '"' .. rest .. '}'
end

-- A whole visit's beacons, in the order the tracker would send them.
local function visit()
  local bodies = {}
  local views = 1
  while views < 8 and math.random() < 0.55 do views = views + 1 end
  local previous = referrers[math.random(#referrers)]
  local query = math.random() < 0.12 and campaigns[math.random(#campaigns)] or ""
  for v = 1, views do
    local url = ORIGIN .. pages[skewed(#pages, v == 1 and 2.5 or 1.5)] .. (v == 1 and query or "")
    bodies[#bodies + 1] = beacon(url, ',"r":"' .. previous .. '"')
    local roll = math.random()
    if roll < 0.03 then
      bodies[#bodies + 1] = beacon(url, ',"o":"' .. outbound[math.random(#outbound)] .. '"')
    elseif roll < 0.05 then
      bodies[#bodies + 1] = beacon(url, ',"d":"' .. downloads[math.random(#downloads)] .. '"')
    elseif roll < 0.09 then
      bodies[#bodies + 1] = beacon(url, ',' .. custom[math.random(#custom)])
    end
    if math.random() < 0.7 then
      bodies[#bodies + 1] = beacon(url, ',"e":' .. math.random(1000, 180000))
    end
    previous = url
  end
  return {
    headers = {
      ["Content-Type"] = "text/plain;charset=UTF-8",
      ["User-Agent"] = agents[skewed(#agents, 3)],
      ["X-Forwarded-For"] = address(),
    },
    bodies = bodies,
    next = 1,
  }
end

init = function(args)
  math.randomseed(tonumber(args[1]) or 1)
  for i = 1, ACTIVE do active[i] = visit() end
end

request = function()
  local i = math.random(ACTIVE)
  local visitor = active[i]
  local body = visitor.bodies[visitor.next]
  visitor.next = visitor.next + 1
  if visitor.next > #visitor.bodies then active[i] = visit() end
  return wrk.format("POST", nil, visitor.headers, body)
end
`,
  );
  return file;
}
