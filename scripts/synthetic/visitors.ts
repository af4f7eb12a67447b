// Who visits: browsers (real User-Agents, parsed as the collector parses
// them), countries, and the regions and cities of the larger countries.
import { describeAgent } from '../../collector/agent.js';
import { Picker, sum } from './random.js';

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

export interface Profile {
  browser: string | null;
  browserVersion: string | null;
  os: string | null;
  device: string;
}

export const PROFILES = new Picker<Profile>(
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
export const COUNTRIES = new Picker(
  COUNTRY_WEIGHTS.map(([code]) => code),
  COUNTRY_WEIGHTS.map(([, weight]) => weight),
);

export interface Place {
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
export const NOWHERE: Place = { region: null, city: null };
export const PLACES = new Map(
  Object.entries(PLACE_WEIGHTS).map(([country, places]) => [
    country,
    new Picker<Place>(
      // The database does not place every address to a city.
      [...places.map(([region, city]): Place => ({ region, city })), NOWHERE],
      [...places.map(([, , weight]) => weight), 0.15 * sum(places.map(([, , weight]) => weight))],
    ),
  ]),
);
