/**
 * A small, bounded load generator for tests: keeps `concurrency` requests in
 * flight until stopped (or `maxMs` pass), and counts how each one ended.
 * Only for addresses on this machine.
 */

/** What came back, by status code; `failed` counts requests that got no answer. */
export interface LoadCounts {
  readonly statuses: Record<number, number>;
  readonly failed: number;
  readonly sent: number;
}

/** A running load. */
export interface Load {
  /** Counts so far. */
  counts(): LoadCounts;
  /** Stops sending and waits for the requests in flight to end. */
  stop(): Promise<LoadCounts>;
}

/** Starts posting `body(i)` to `url`. */
export function startLoad(
  url: string,
  body: (i: number) => string,
  { concurrency = 16, maxMs = 60_000, headers = {} as Record<string, string> } = {},
): Load {
  const statuses: Record<number, number> = {};
  let failed = 0;
  let sent = 0;
  let running = true;
  const deadline = Date.now() + maxMs;
  const worker = async () => {
    while (running && Date.now() < deadline) {
      const i = sent++;
      try {
        const res = await fetch(url, { method: 'POST', body: body(i), headers: { 'content-type': 'text/plain', ...headers } });
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      } catch {
        failed++;
        // A server that is down answers at once; do not spin.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  const counts = () => ({ statuses: { ...statuses }, failed, sent });
  return {
    counts,
    stop: async () => {
      running = false;
      await Promise.all(workers);
      return counts();
    },
  };
}
