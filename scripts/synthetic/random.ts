// Deterministic randomness for the synthetic traffic: one seeded generator
// draws everything, so the same options give the same rows.

/** sfc32, seeded through splitmix32: small, fast, and good enough for traffic. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** A whole number in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    return Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
  }

  /** A random 48-bit whole number, as visitor ids are. */
  id48(): number {
    return (this.uint32() & 0xffff) * 4294967296 + this.uint32();
  }
}

/** Picks values by weight, in O(log n). */
export class Picker<T> {
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(
    private readonly values: readonly T[],
    weights: readonly number[],
  ) {
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    weights.forEach((weight, i) => {
      sum += weight;
      this.cumulative[i] = sum;
    });
    this.total = sum;
  }

  pick(random: Random): T {
    const u = random.next() * this.total;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.cumulative[mid] ?? 0) > u) high = mid;
      else low = mid + 1;
    }
    return this.values[low] as T;
  }
}

export const zipf = (n: number, s: number) => Array.from({ length: n }, (_, k) => 1 / (k + 1) ** s);

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

// A Zipf(1)-like rank over n paths: density 1/x over [1, n + 1), inverted.
export function zipfIndex(random: Random, n: number): number {
  const rank = Math.floor(Math.exp(random.next() * Math.log(n + 1))) - 1;
  return Math.min(n - 1, Math.max(0, rank));
}
