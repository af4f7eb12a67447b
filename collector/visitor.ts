import { createHmac, randomBytes } from 'node:crypto';
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

  /** Today's salt, made or fetched once per day per process. */
  async today(): Promise<Buffer> {
    const day = new Date(this.now()).toISOString().slice(0, 10);
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

/** A visitor id: 48 bits of HMAC-SHA256(salt, site, IP, User-Agent); a number fits them exactly. */
export function visitorId(salt: Buffer, siteId: number, ip: string | null, userAgent: string | null): number {
  return createHmac('sha256', salt)
    .update(`${siteId}\n${ip ?? ''}\n${userAgent ?? ''}`)
    .digest()
    .readUIntBE(0, 6);
}
