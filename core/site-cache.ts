import type { Kysely } from 'kysely';
import { type AddressList, parseAddressList } from './cidr.js';
import type { Database } from './db/schema.js';
import { findSite } from './db/sites.js';

/** What the collector needs to know of a site, ready to use. */
export interface SiteRules {
  readonly id: number;
  readonly domain: string;
  readonly allowAnyHost: boolean;
  readonly excludedIps: AddressList;
}

/**
 * Sites as the collector sees them, kept for `ttlMs` so that an event costs
 * no query. Unknown ids are remembered too, for a shorter time, and
 * concurrent lookups of one id share one query, so that a burst of junk for
 * one id costs one query. Another collector sees a change within `ttlMs`;
 * this process sees it at once through `forget`.
 */
export class SiteCache {
  private readonly entries = new Map<number, { rules: SiteRules | null; until: number }>();
  private readonly loading = new Map<number, Promise<SiteRules | null>>();
  // Bumped by `forget`, so that a lookup that started before a change does
  // not cache what it read.
  private generation = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached rules of a known site, or undefined: then ask `get`. */
  peek(id: number): SiteRules | undefined {
    const cached = this.entries.get(id);
    return cached !== undefined && cached.until > this.now() ? (cached.rules ?? undefined) : undefined;
  }

  /** The site's rules, or null when there is no such site. Throws when the database fails. */
  get(id: number): Promise<SiteRules | null> {
    const cached = this.entries.get(id);
    if (cached !== undefined && cached.until > this.now()) return Promise.resolve(cached.rules);
    let loading = this.loading.get(id);
    if (loading === undefined) {
      const started = this.load(id, this.generation).finally(() => {
        if (this.loading.get(id) === started) this.loading.delete(id);
      });
      loading = started;
      this.loading.set(id, loading);
    }
    return loading;
  }

  private async load(id: number, generation: number): Promise<SiteRules | null> {
    const site = await findSite(this.db, id);
    const rules =
      site === undefined
        ? null
        : {
            id: site.id,
            domain: site.domain,
            allowAnyHost: site.allow_any_host === 1,
            // Saved through the dashboard, which checks each entry.
            excludedIps: parseAddressList(site.excluded_ips).list,
          };
    if (generation !== this.generation) return rules;
    // Bound the memory that random ids can take.
    if (this.entries.size > 100_000) this.entries.clear();
    this.entries.set(id, { rules, until: this.now() + (rules === null ? Math.min(this.ttlMs, 2000) : this.ttlMs) });
    return rules;
  }

  /** Drops a site from the cache after its settings changed. */
  forget(id: number): void {
    this.generation++;
    this.entries.delete(id);
    this.loading.delete(id);
  }
}
