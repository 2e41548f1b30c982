/**
 * The search's cache of explored (linearized set, state) pairs. The set is a bitset with a
 * Zobrist hash kept up to date on every toggle (XOR of a random word per operation), so a lookup
 * costs O(1) instead of hashing n/16 characters; a hit is confirmed by comparing the bitsets, so
 * a hash collision can never make the checker skip a branch and report a false anomaly.
 *
 * Operations are indexed in call order, so a placed set is nearly a prefix: all ones up to the
 * oldest pending operation, then a few scattered bits. Only that tail is stored, which keeps a
 * 10,000-operation search from copying (and collecting) a kilobyte per explored configuration.
 */
import { SimRng } from '../sim/rng.js';

export class Memo {
  private readonly words: Uint32Array;
  private readonly zLo: Uint32Array;
  private readonly zHi: Uint32Array;
  private lo = 0;
  private hi = 0;
  private readonly table = new Map<number, Entry[]>();
  /** words[0, full) are all ones; words[top, end) all zeros (kept exact by `normalize`). */
  private full = 0;
  private top = 0;

  constructor(n: number) {
    this.words = new Uint32Array(Math.ceil(n / 32));
    // A fixed seed: runs are reproducible, and the hash only needs to spread, not to be secret.
    const rng = new SimRng(0x5eed, 'memo');
    this.zLo = Uint32Array.from({ length: n }, () => rng.next());
    this.zHi = Uint32Array.from({ length: n }, () => rng.next());
  }

  /** Adds or removes operation `i` from the current set. */
  toggle(i: number): void {
    const w = i >>> 5;
    this.words[w] ^= 1 << (i & 31);
    if (w < this.full) this.full = w;
    if (w >= this.top) this.top = w + 1;
    this.lo ^= this.zLo[i];
    this.hi ^= this.zHi[i];
  }

  /** Whether operation `i` is in the current set. */
  has(i: number): boolean {
    return (this.words[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  /** Records (current set, state); false if that pair was recorded before. */
  add(state: number): boolean {
    // 52 bits of key: exact as a double, so the Map compares numbers, not strings.
    const lo = (this.lo ^ Math.imul(state, 0x9e3779b1)) >>> 0;
    const hi = (this.hi ^ Math.imul(state, 0x85ebca6b)) & 0xfffff;
    const key = hi * 0x100000000 + lo;
    this.normalize();
    const bucket = this.table.get(key);
    if (bucket !== undefined) {
      for (const e of bucket) if (e.state === state && this.same(e)) return false;
    }
    const entry = { state, full: this.full, tail: this.words.slice(this.full, this.top) };
    if (bucket === undefined) this.table.set(key, [entry]);
    else bucket.push(entry);
    return true;
  }

  private normalize(): void {
    const { words } = this;
    while (this.full < words.length && words[this.full] === 0xffffffff) this.full++;
    if (this.top < this.full) this.top = this.full;
    while (this.top > this.full && words[this.top - 1] === 0) this.top--;
  }

  private same(e: Entry): boolean {
    if (e.full !== this.full || e.tail.length !== this.top - this.full) return false;
    for (let i = 0; i < e.tail.length; i++)
      if (e.tail[i] !== this.words[this.full + i]) return false;
    return true;
  }
}

interface Entry {
  readonly state: number;
  readonly full: number;
  readonly tail: Uint32Array;
}
