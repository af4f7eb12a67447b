/**
 * The engine's loop, as every server process runs it: whichever process
 * holds the lease folds new events (engine.ts) and sums the ended blocks
 * of days; the others wait to take over. The lease is a row on SQLite and
 * an advisory lock on PostgreSQL. It only spares duplicate work: every
 * chunk checks the engine's position as it commits, so two engines at
 * once would still count each event once.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { DatabaseSetting } from '../../core/config.js';
import type { Store } from '../../core/db/connect.js';
import { replaceBlock, unsummedBlocks } from '../../core/db/rollup-blocks.js';
import { logError, logInfo } from '../../core/log.js';
import { EngineConflict, engineLag, rebuildSite, runEngine } from './engine.js';
import { localDay } from './zone.js';

/** How long a lease lasts unrenewed: a dead holder's successor starts within this and a turn. */
export const LEASE_MS = 20_000;
/** How often the engine looks for new events: reports are at most about this far behind. */
export const TURN_MS = 1_000;

/**
 * Sets a site's time zone: its days are cut anew, so the engine folds its
 * events again. One transaction: a chunk folded in the old zone cannot land
 * after it (engine.ts checks the version it bumps).
 */
export function changeTimezone(store: Store, siteId: number, timezone: string): Promise<void> {
  return rebuildSite(store, siteId, timezone);
}

/**
 * Sums every block of days that has ended in its site's time zone and has
 * no sums yet (see core/db/rollup-blocks.ts), shorter blocks first.
 */
export async function sumEndedBlocks(store: Store, now = Date.now()): Promise<number> {
  const sites = await store.db.selectFrom('sites').select(['id', 'timezone']).execute();
  const { rebuilding } = await engineLag(store);
  const endBefore = new Map(sites.filter((site) => !rebuilding.has(site.id)).map((site) => [site.id, localDay(now, site.timezone)]));
  const due = await unsummedBlocks(store.db, endBefore);
  for (const { siteId, block } of due) await replaceBlock(store, siteId, block);
  return due.length;
}

/** Who holds the engine's lease. */
interface Lease {
  /** Takes or renews the lease; whether this process holds it. */
  hold(): Promise<boolean>;
  release(): Promise<void>;
}

function sqliteLease(store: Store): Lease {
  const holder = randomUUID();
  return {
    hold: async () => {
      const now = Date.now();
      await store.db
        .insertInto('engine_lease')
        .values({ name: 'engine', holder, expires_at: now + LEASE_MS })
        .onConflict((oc) =>
          oc
            .column('name')
            .doUpdateSet({ holder, expires_at: now + LEASE_MS })
            .where((eb) => eb.or([eb('engine_lease.holder', '=', holder), eb('engine_lease.expires_at', '<', now)])),
        )
        .execute();
      const row = await store.db.selectFrom('engine_lease').select('holder').where('name', '=', 'engine').executeTakeFirst();
      return row?.holder === holder;
    },
    release: async () => {
      await store.db.deleteFrom('engine_lease').where('name', '=', 'engine').where('holder', '=', holder).execute();
    },
  };
}

// Any constant: "Engi" in ASCII; with the schema, as installs can share a database.
const ENGINE_LOCK = 0x456e6769;

/** A session-level advisory lock on a connection of its own: it is gone the moment the holder's connection is. */
function postgresLease(url: string): Lease {
  let client: pg.Client | undefined;
  let held = false;
  const drop = () => {
    held = false;
    const old = client;
    client = undefined;
    old?.end().catch(() => undefined);
  };
  return {
    hold: async () => {
      if (held && client !== undefined) return true;
      if (client === undefined) {
        const fresh = new pg.Client({ connectionString: url });
        fresh.on('error', drop);
        client = fresh;
        try {
          await fresh.connect();
        } catch (error) {
          drop();
          throw error;
        }
      }
      const result = await client.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtext(current_schema()), $1) as locked', [
        ENGINE_LOCK,
      ]);
      held = result.rows[0]?.locked === true;
      return held;
    },
    release: async () => {
      // Unlocked explicitly: the next holder must not wait for the server
      // to notice that the connection ended.
      const old = client;
      client = undefined;
      held = false;
      if (old === undefined) return;
      await old.query('select pg_advisory_unlock_all()').catch(() => undefined);
      await old.end().catch(() => undefined);
    },
  };
}

/** The lease for a store opened from `setting`. */
export function leaseFor(setting: DatabaseSetting, store: Store): Lease {
  return setting.dialect === 'postgres' ? postgresLease(setting.url) : sqliteLease(store);
}

/**
 * Runs the engine every `everyMs` while this process holds the lease, and
 * sums ended blocks once an hour and after catching up. `onCaughtUp` is
 * called after each turn that left nothing unfolded. Returns the function
 * that stops it (and waits for the turn in progress).
 */
export function startEngine(store: Store, lease: Lease, everyMs = TURN_MS, onCaughtUp?: () => void): () => Promise<void> {
  let stopped = false;
  let blocksDone = '';
  let catchingUp = false;
  let wake: (() => void) | undefined;
  const loop = async () => {
    while (!stopped) {
      try {
        if (await lease.hold()) {
          // A lease renewed every chunk's worth of work: a long catch-up keeps it.
          let progress = await runEngine(store, 50_000);
          let lastLog = 0;
          let folded = 0;
          while (progress.behind > 0 && !stopped && (await lease.hold())) {
            // Catching up (a new install of an old store, a site folded
            // anew): say how far it is every ten seconds.
            if (Date.now() - lastLog >= 10_000) {
              logInfo('engine catching up', { behind: progress.behind, folded });
              lastLog = Date.now();
            }
            catchingUp = true;
            progress = await runEngine(store, 50_000);
            folded += progress.folded;
          }
          if (catchingUp && progress.behind === 0) {
            logInfo('engine caught up');
            catchingUp = false;
            blocksDone = '';
          }
          const hour = new Date().toISOString().slice(0, 13);
          if (progress.behind === 0 && blocksDone !== hour) {
            await sumEndedBlocks(store);
            blocksDone = hour;
          }
          if (progress.behind === 0) onCaughtUp?.();
        }
      } catch (error) {
        if (!(error instanceof EngineConflict)) logError('the analytics engine failed a turn; it tries again', error);
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, everyMs);
      });
    }
    await lease.release().catch(() => undefined);
  };
  const running = loop();
  return async () => {
    stopped = true;
    wake?.();
    await running;
  };
}
