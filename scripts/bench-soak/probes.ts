// Watching the server under load: finding its pid among this process's
// children, and probes that sample it until stopped.
import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { ENTRY, sleep } from './options.js';

/** The processes this one started and that still run (from every thread: Node spawns from the main one, but to be sure). */
export function childPids(): Set<number> {
  const pids = new Set<number>();
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    let text = '';
    try {
      text = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const pid of text.split(/\s+/)) if (pid !== '') pids.add(Number(pid));
  }
  return pids;
}

/**
 * The server's pid. startProcess spawns taskset, which sets the affinity and
 * execs node in the same process: the new child whose executable is now
 * node and whose command line names the entry point is the server itself.
 */
export function serverPid(before: ReadonlySet<number>): number {
  const node = realpathSync(process.execPath);
  for (const pid of childPids()) {
    if (before.has(pid)) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (realpathSync(readlinkSync(`/proc/${pid}/exe`)) === node && cmdline.includes(ENTRY)) return pid;
    } catch {
      // It ended between the listing and the reading: not ours to measure.
    }
  }
  throw new Error(`bench:soak: found no node process running ${ENTRY} among this process's children`);
}

/** A repeating probe, run until stopped, whose results carry when they were taken. */
export class Sampler<T> {
  readonly samples: Array<{ at: number; value: T }> = [];
  private running = true;
  private readonly done: Promise<void>;

  constructor(everyMs: number, take: () => Promise<T | undefined>) {
    this.done = (async () => {
      while (this.running) {
        const at = performance.now();
        const value = await take();
        if (value !== undefined) this.samples.push({ at, value });
        await sleep(Math.max(0, everyMs - (performance.now() - at)));
      }
    })();
  }

  /** Stops after the probe in flight, if any. */
  stop(): Promise<void> {
    this.running = false;
    return this.done;
  }

  between(from: number, to: number): T[] {
    return this.samples.filter((s) => s.at >= from && s.at < to).map((s) => s.value);
  }
}
