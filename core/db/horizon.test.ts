import { describe, expect, it } from 'vitest';
import { addSite, dialects, useTestStore } from '../../test/store.js';
import { insertEvent } from './events.js';
import { committedHorizon, fenceEventWrites } from './horizon.js';
import type { NewEvent } from './schema.js';

const event: NewEvent = { site_id: 1, ts: 1, name: 'pageview', url: '/', referrer: null, browser: null, ip: null };

describe.each(dialects)('the committed horizon on %s', (dialect) => {
  const store = useTestStore(dialect);

  it('is the largest event id once every write has committed', async () => {
    await addSite(store().db);
    expect(await committedHorizon(store().db)).toBe(0);
    await insertEvent(store().db, event);
    await insertEvent(store().db, event);
    expect(await committedHorizon(store().db)).toBe(2);
  });

  // A transaction that took an id and has not committed yet: a later id that
  // committed first must not move the horizon past it.
  it.runIf(dialect === 'postgres')('waits for a write in flight, so that no id below it is skipped', async () => {
    await addSite(store().db);
    let commit = () => {};
    const committed = new Promise<void>((resolve) => {
      commit = resolve;
    });
    let inserted = () => {};
    const taken = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const slow = store()
      .db.transaction()
      .execute(async (trx) => {
        await fenceEventWrites(trx);
        await trx.insertInto('events').values(event).execute();
        inserted();
        await committed;
      });
    await taken;
    await insertEvent(store().db, event);
    let horizon: number | undefined;
    const asked = committedHorizon(store().db).then((id) => {
      horizon = id;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(horizon).toBeUndefined();
    commit();
    await slow;
    await asked;
    expect(horizon).toBe(2);
  });
});
