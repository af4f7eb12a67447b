import { isbot } from 'isbot';
import { UAParser } from 'ua-parser-js';
import { RecentCache } from './recent.js';

/** What a User-Agent says about the visitor's software and device. */
export interface Agent {
  /** A crawler, a monitor, a script: not a person. */
  readonly bot: boolean;
  readonly browser: string | null;
  /** Major version only: finer versions identify people, not trends. */
  readonly browserVersion: string | null;
  readonly os: string | null;
  readonly device: 'desktop' | 'mobile' | 'tablet';
}

/**
 * User-Agents longer than this are never cached, here or with visitor ids:
 * real ones are a few hundred characters, and a client could send 16 KB ones
 * to fill the collector's memory.
 */
export const LONGEST_CACHED_AGENT = 512;

// No User-Agent, an empty one, or several empty ones joined (", ").
const NOTHING = /^[\s,]*$/;

const parser = new UAParser();
// Parsing is the costliest step of an event, and real traffic repeats a few
// hundred User-Agents.
const cache = new RecentCache<string, Agent>(2000);

/** Describes a User-Agent; no User-Agent at all is taken for a bot. */
export function describeAgent(userAgent: string | undefined): Agent {
  const text = userAgent ?? '';
  return text.length > LONGEST_CACHED_AGENT ? parse(text) : cache.get(text, parse);
}

function parse(userAgent: string): Agent {
  const { browser, os, device } = parser.setUA(userAgent).getResult();
  return Object.freeze({
    bot: NOTHING.test(userAgent) || isbot(userAgent),
    browser: browser.name ?? null,
    browserVersion: browser.major ?? null,
    os: os.name ?? null,
    device: device.type === 'mobile' || device.type === 'wearable' ? 'mobile' : device.type === 'tablet' ? 'tablet' : 'desktop',
  });
}
