/**
 * The visitor-days this engine folded lately, kept in memory per store so
 * that the next chunk need not read them again.
 */
import type { Store } from '../../core/db/connect.js';
import type { StoredVisit, VisitState } from '../../core/db/visits.js';

/**
 * The visitor-days this engine folded lately, as it committed them: most
 * events continue a visit that the chunk before touched, and reading it
 * again costs more than folding. Valid only at the position and version it
 * was committed at; anything else (another engine, a reset, a failed
 * commit) empties it.
 */
export class RecentVisitorDays {
  private readonly entries = new Map<string, { visits: StoredVisit[]; dropped: boolean }>();
  position = -1;
  version = -1;

  constructor(private readonly capacity: number) {}

  get(key: string): { visits: StoredVisit[]; dropped: boolean } | undefined {
    return this.entries.get(key);
  }

  clear(): void {
    this.entries.clear();
    this.position = -1;
  }

  /** Remembers a plan's visitor-days (each one's visits) once it is written, the latest last (the first to go are the oldest). */
  committed(visitorDays: ReadonlyMap<string, VisitState[]>, position: number): void {
    for (const [key, visits] of visitorDays) {
      this.entries.delete(key);
      // Only engagement so far, all of it dropped: the visitor-day has folded events but no visits.
      this.entries.set(key, { visits: visits as StoredVisit[], dropped: visits.length === 0 });
    }
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(key);
    }
    this.position = position;
  }
}

const recentByStore = new WeakMap<Store, RecentVisitorDays>();
// Visitor-days remembered: about the visitors of the last few minutes of a busy site.
const RECENT_VISITOR_DAYS = 10_000;

/** The store's visitor-days folded lately, emptied unless they are of this position and version. */
export function recentFor(store: Store, state: { position: number; version: number }): RecentVisitorDays {
  let recent = recentByStore.get(store);
  if (recent === undefined) {
    recent = new RecentVisitorDays(RECENT_VISITOR_DAYS);
    recentByStore.set(store, recent);
  }
  if (recent.position !== state.position || recent.version !== state.version) {
    recent.clear();
    recent.position = state.position;
    recent.version = state.version;
  }
  return recent;
}
