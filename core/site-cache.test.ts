import { describe, expect, it } from 'vitest';
import { addSite, dialects, useTestStore } from '../test/store.js';
import { SiteCache } from './site-cache.js';

describe.each(dialects)('SiteCache on %s', (dialect) => {
  const store = useTestStore(dialect);

  it('reads a site once and serves it until its time is up', async () => {
    let now = 0;
    const { id } = await addSite(store().db, { excluded_ips: '192.0.2.0/24\n198.51.100.7' });
    const cache = new SiteCache(store().db, 30_000, () => now);
    const first = await cache.get(id);
    expect(first).toMatchObject({ id, domain: 'example.com', allowAnyHost: false });
    expect(first?.excludedIps.entries).toEqual(['192.0.2.0/24', '198.51.100.7']);

    await store().db.updateTable('sites').set({ allow_any_host: 1 }).where('id', '=', id).execute();
    now = 29_000;
    expect((await cache.get(id))?.allowAnyHost).toBe(false); // still the cached copy
    now = 31_000;
    expect((await cache.get(id))?.allowAnyHost).toBe(true);
  });

  it('sees a change at once when told to forget the site', async () => {
    const { id } = await addSite(store().db);
    const cache = new SiteCache(store().db, 30_000);
    await cache.get(id);
    await store().db.updateTable('sites').set({ domain: 'example.org' }).where('id', '=', id).execute();
    cache.forget(id);
    expect((await cache.get(id))?.domain).toBe('example.org');
  });

  it('remembers an unknown site for at most two seconds', async () => {
    let now = 0;
    const cache = new SiteCache(store().db, 30_000, () => now);
    expect(await cache.get(1)).toBeNull();
    await addSite(store().db);
    now = 1_000;
    expect(await cache.get(1)).toBeNull();
    now = 2_500;
    expect(await cache.get(1)).not.toBeNull();
  });
});
