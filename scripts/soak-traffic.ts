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
import { range } from './soak-agents.js';

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

/**
 * The script past its tables: visitors in flight, each request the next
 * beacon of one of them (`init` seeds Lua's generator from wrk's argument).
 */
const VISITORS_LUA = `-- Visitors in the middle of a visit at any moment; each request is the next
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
`;

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
${VISITORS_LUA}`,
  );
  return file;
}
