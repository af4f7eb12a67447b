/**
 * A least-recently-used cache on a Map, whose iteration order is insertion
 * order: a hit moves the key to the end, and the first key is the oldest.
 */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  /** The cached value, or the one `make` computes and caches. */
  get(key: K, make: (key: K) => V): V {
    const found = this.map.get(key);
    if (found !== undefined || this.map.has(key)) {
      this.map.delete(key);
      this.map.set(key, found as V);
      return found as V;
    }
    const value = make(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
    return value;
  }

  get size(): number {
    return this.map.size;
  }
}
