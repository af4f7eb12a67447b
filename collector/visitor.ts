import { hash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../core/db/schema.js';
import { logError } from '../core/log.js';
import { DAY_MS, utcDay } from '../core/time.js';
import { LONGEST_CACHED_AGENT } from './agent.js';

/**
 * The daily salts of visitor ids. Each UTC day gets a fresh random salt,
 * stored so that every collector behind a load balancer hashes alike. A
 * day's salt is deleted once the day after it has ended (checked every
 * minute): at most 48 hours after it was made. Then nobody, us included, can
 * link a visitor across days or test a guessed IP address against stored ids.
 */
export class Salts {
  private current: { day: string; salt: string } | undefined;
  private pending: { day: string; salt: Promise<string> } | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Today's salt if this process has it already, else undefined: then ask `today`. */
  peek(): string | undefined {
    const current = this.current;
    return current?.day === utcDay(this.now()) ? current.salt : undefined;
  }

  /** Today's salt, made or fetched once per day per process. */
  async today(): Promise<string> {
    const day = utcDay(this.now());
    if (this.current?.day === day) return this.current.salt;
    // One lookup however many requests arrive while it runs, and never
    // yesterday's lookup for a request of today.
    if (this.pending?.day !== day) {
      const salt = this.load(day).finally(() => {
        if (this.pending?.salt === salt) this.pending = undefined;
      });
      this.pending = { day, salt };
    }
    return this.pending.salt;
  }

  /** Deletes the salts of days before yesterday. */
  async purge(): Promise<void> {
    await this.db
      .deleteFrom('salts')
      .where('day', '<', utcDay(this.now() - DAY_MS))
      .execute();
  }

  /** Purges every `everyMs` (a minute by default); returns the function that stops it. */
  startPurging(everyMs = 60_000): () => void {
    const timer = setInterval(() => {
      this.purge().catch((error) => logError('could not delete old salts', error));
    }, everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  private async load(day: string): Promise<string> {
    // Racing collectors each offer a salt; the first insert wins and all read it.
    await this.db
      .insertInto('salts')
      .values({ day, salt: randomBytes(32).toString('base64'), created_at: this.now() })
      .onConflict((oc) => oc.column('day').doNothing())
      .execute();
    const row = await this.db.selectFrom('salts').select('salt').where('day', '=', day).executeTakeFirstOrThrow();
    const salt = row.salt;
    this.current = { day, salt };
    await this.purge();
    return salt;
  }
}

/**
 * A visitor id: 48 bits of SHA-256 over the secret salt (its stored base64
 * text: 256 random bits all the same), then site, IP and User-Agent; a
 * number holds 48 bits exactly. A secret prefix is key enough here (nobody
 * but this process sees a digest it could extend), and the one-shot hash
 * costs a third of an HMAC on the hot path.
 */
export function visitorId(salt: string, siteId: number, ip: string | null, userAgent: string | null): number {
  return hash('sha256', `${salt}\n${siteId}\n${ip ?? ''}\n${userAgent ?? ''}`, 'buffer').readUIntBE(0, 6);
}

/**
 * Today's visitor ids, remembered: a visitor's page view is usually followed
 * by its engagement event, and a lookup costs a tenth of the hash. The cache
 * belongs to one salt: it is emptied when an event comes with a new salt, and
 * by `forget` (see startIngestChores) when the day ends without one. It holds
 * at most `capacity` visitors (then it starts again from empty), and none
 * with an overlong User-Agent. Visitors are grouped by User-Agent: the
 * User-Agent string was just looked up by the agent cache, which leaves its
 * hash computed, so the lookup here hashes only the short rest of the key.
 */
export class VisitorIds {
  private salt = '';
  private byAgent = new Map<string, Map<string, number>>();
  private count = 0;

  constructor(private readonly capacity = 40_000) {}

  /** The same number as `visitorId` with the same arguments. */
  get(salt: string, siteId: number, ip: string | null, userAgent: string | null): number {
    if (salt !== this.salt || this.count >= this.capacity) {
      this.salt = salt;
      this.forget();
    }
    const agent = userAgent ?? '';
    if (agent.length > LONGEST_CACHED_AGENT) return visitorId(salt, siteId, ip, userAgent);
    let visitors = this.byAgent.get(agent);
    if (visitors === undefined) {
      visitors = new Map();
      this.byAgent.set(agent, visitors);
    }
    const key = `${siteId}\n${ip ?? ''}`;
    let id = visitors.get(key);
    if (id === undefined) {
      id = visitorId(salt, siteId, ip, userAgent);
      visitors.set(key, id);
      this.count++;
    }
    return id;
  }

  /** Forgets every visitor. */
  forget(): void {
    this.byAgent = new Map();
    this.count = 0;
  }

  /** How many visitors it remembers. */
  get size(): number {
    return this.count;
  }
}
