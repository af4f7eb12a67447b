// Timing the report page and its queries: rounds of every op in turns.
import { percentile } from '../bench-common.js';
import { message } from './options.js';

export interface Op {
  label: string;
  run: () => Promise<unknown>;
}

export interface Timing {
  label: string;
  p50: number;
  p95: number;
  samples: number[];
  /** Timed by its warm-up alone, which took over `slowMs`. */
  slow: boolean;
  /** Why it failed (a query timeout, say): it was not run again. */
  error?: string;
}

/**
 * `rounds` rounds of every op once, in turns, after one warm-up round
 * unless told; an op whose warm-up took over `slowMs` is timed by it alone,
 * and one that throws is not run again.
 */
export async function measure(ops: readonly Op[], rounds: number, warmUp = true, slowMs = Number.POSITIVE_INFINITY): Promise<Timing[]> {
  const samples = ops.map(() => [] as number[]);
  const slow = ops.map(() => false);
  const errors = ops.map((): string | undefined => undefined);
  const time = async (i: number, op: Op): Promise<number | undefined> => {
    const started = performance.now();
    try {
      await op.run();
    } catch (error) {
      errors[i] = message(error);
      return undefined;
    }
    return performance.now() - started;
  };
  if (warmUp) {
    for (const [i, op] of ops.entries()) {
      const took = await time(i, op);
      if (took !== undefined && took > slowMs) {
        slow[i] = true;
        samples[i]?.push(took);
      }
    }
  }
  for (let round = 0; round < rounds; round++) {
    for (const [i, op] of ops.entries()) {
      if (slow[i] || errors[i] !== undefined) continue;
      const took = await time(i, op);
      if (took !== undefined) samples[i]?.push(took);
    }
  }
  return ops.map((op, i) => {
    const error = errors[i];
    return {
      label: op.label,
      p50: error === undefined ? percentile(samples[i] ?? [], 50) : Number.NaN,
      p95: error === undefined ? percentile(samples[i] ?? [], 95) : Number.NaN,
      samples: samples[i] ?? [],
      slow: slow[i] ?? false,
      ...(error === undefined ? {} : { error }),
    };
  });
}

/** Runs `work` with console.log muted: the dashboard logs a line per request. */
export async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = () => {};
  try {
    return await work();
  } finally {
    console.log = log;
  }
}
