/**
 * A cache of recently used values, in two generations: keys go into the
 * newer map; when it holds `capacity` keys it becomes the older one, and the
 * previous older map is dropped. A key found in the older map moves to the
 * newer. So a key used within the last `capacity` new keys is kept, at most
 * 2 × `capacity` are held, and a hit costs one Map lookup: a strict LRU
 * moves the key on every hit, which costs several times more on the
 * collector's hot path.
 */
export class RecentCache<K, V> {
  private newer = new Map<K, V>();
  private older = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  /** The cached value, or the one `make` computes and caches. */
  get(key: K, make: (key: K) => V): V {
    const found = this.newer.get(key);
    if (found !== undefined || this.newer.has(key)) return found as V;
    const value = this.older.has(key) ? (this.older.get(key) as V) : make(key);
    if (this.newer.size >= this.capacity) {
      this.older = this.newer;
      this.newer = new Map();
    }
    this.newer.set(key, value);
    return value;
  }

  /** Forgets every key. */
  clear(): void {
    this.newer = new Map();
    this.older = new Map();
  }

  /** How many keys it holds. */
  get size(): number {
    return this.newer.size + this.older.size;
  }
}
