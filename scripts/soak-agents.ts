// The User-Agents of bench:soak's traffic (soak-traffic.ts): some 5,000
// distinct, real-looking ones, the same in every run.
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

export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
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
  // Drawn in this order: each family takes its numbers from the one generator.
  const all = [...new Set([...desktopAgents(build), ...appleAgents(next), ...androidAgents(next, build)])];
  // Shuffled, so that popularity (the head of the list) is spread over every family.
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [all[i], all[j]] = [all[j] as string, all[i] as string];
  }
  const bots = all.filter((agent) => isbot(agent));
  if (bots.length > 0) throw new Error(`isbot takes ${bots.length} of the soak's User-Agents for bots, such as ${bots[0]}`);
  return all;
}

/** A full browser version for a major one, such as 140.0.7419.85. */
type Build = (major: number) => string;

/** Chrome on Windows, macOS and Linux; Edge; Firefox on each system and on Android. */
function desktopAgents(build: Build): string[] {
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
  return [...chromeDesktop, ...edge, ...firefox];
}

/** Safari on iPhone, iPad and Mac, and Chrome on iPhone, over iOS 15 to 18. */
function appleAgents(next: () => number): string[] {
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
  return [...safari, ...chromeIos];
}

/** Chrome on Android phones (not every version on each), and Samsung Internet on Samsung's. */
function androidAgents(next: () => number, build: Build): string[] {
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
  return [...android, ...samsung];
}
