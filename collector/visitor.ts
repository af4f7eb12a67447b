import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './db/schema.js';

/** How long a day's salt is kept after it is made. */
export const SALT_LIFETIME_MS = 48 * 3600 * 1000;

/**
 * The daily salts of visitor ids. Each UTC day gets a fresh random salt,
 * stored so that every collector behind a load balancer hashes alike, and
 * deleted 48 hours after it was made: then nobody, us included, can link a
 * visitor across days or test a guessed IP address against stored ids.
 */
export class Salts {
  private current: { day: string; salt: Buffer } | undefined;
  private pending: Promise<Buffer> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Today's salt if this process has it already, else undefined: then ask `today`. */
  peek(): Buffer | undefined {
    const current = this.current;
    return current?.day === utcDay(this.now()) ? current.salt : undefined;
  }

  /** Today's salt, made or fetched once per day per process. */
  async today(): Promise<Buffer> {
    const day = utcDay(this.now());
    if (this.current?.day === day) return this.current.salt;
    // One lookup however many requests arrive while it runs.
    this.pending ??= this.load(day).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async load(day: string): Promise<Buffer> {
    const created = this.now();
    // Racing collectors each offer a salt; the first insert wins and all read it.
    await this.db
      .insertInto('salts')
      .values({ day, salt: randomBytes(32).toString('base64'), created_at: created })
      .onConflict((oc) => oc.column('day').doNothing())
      .execute();
    await this.db
      .deleteFrom('salts')
      .where('created_at', '<', created - SALT_LIFETIME_MS)
      .execute();
    const row = await this.db.selectFrom('salts').select('salt').where('day', '=', day).executeTakeFirstOrThrow();
    const salt = Buffer.from(row.salt, 'base64');
    this.current = { day, salt };
    return salt;
  }
}

/**
 * A visitor id: 48 bits of SHA-256 over the secret salt, then site, IP and
 * User-Agent; a number holds 48 bits exactly. A secret prefix is key enough
 * here (nobody but this process sees a digest it could extend), and costs
 * half an HMAC on the hot path.
 */
export function visitorId(salt: Buffer, siteId: number, ip: string | null, userAgent: string | null): number {
  return createHash('sha256')
    .update(salt)
    .update(`${siteId}\n${ip ?? ''}\n${userAgent ?? ''}`)
    .digest()
    .readUIntBE(0, 6);
}

// Days are cut in UTC. The ISO date is computed once per millisecond of the
// clock: it costs more than the rest of the check.
let lastMs = -1;
let lastDay = '';
function utcDay(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastDay = new Date(ms).toISOString().slice(0, 10);
  }
  return lastDay;
}
