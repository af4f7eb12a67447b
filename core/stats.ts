import { logInfo } from './log.js';

/** Why an event was dropped: a bot, a page on another host, an excluded address. */
export type DropReason = 'bot' | 'host' | 'ip';

/** Every reason, in the order the dashboard lists them. */
export const DROP_REASONS: readonly DropReason[] = ['bot', 'host', 'ip'];

/** The collector's response header that says why an event was dropped (it still gets a 2xx). */
export const DROPPED_HEADER = 'X-Sightline-Dropped';

/**
 * Counts what the collector did, so that the hot path logs nothing per event
 * and an operator still sees a summary line now and then.
 */
export class IngestStats {
  private counts = new Map<string, number>();

  /** Counts one answered collector request under its outcome. */
  record(outcome: string): void {
    this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + 1);
  }

  /** Counts since the last `drain`, and starts again from zero. */
  drain(): Record<string, number> {
    const snapshot = Object.fromEntries(this.counts);
    this.counts.clear();
    return snapshot;
  }

  /**
   * Logs a summary every `everyMs` when anything happened. Returns the
   * function to call at shutdown, which logs the last one.
   */
  startSummary(everyMs: number): () => void {
    const log = () => {
      const counts = this.drain();
      if (Object.keys(counts).length > 0) logInfo('collector summary', counts);
    };
    const timer = setInterval(log, everyMs);
    timer.unref();
    return () => {
      clearInterval(timer);
      log();
    };
  }
}
