import type { Entry } from '../raft/index.js';

/**
 * The application each simulated node runs: it keeps no table of commands, only a running hash
 * chain over every applied entry (index, term, type, data). Two nodes at the same applied index
 * with the same hash applied the same sequence of entries, so comparing replicas or checking
 * that an acknowledged command survived is O(1), and a snapshot is a few dozen bytes.
 * A handful of recent commands ride along in the snapshot so it has some body to split into
 * InstallSnapshot chunks when the chunk size is small.
 */
export class StateMachine {
  /** The last applied index. */
  index = 0;
  hash = 0;
  /** Non-empty normal entries applied (client commands), the value a read returns. */
  commands = 0;
  private recent: string[] = [];

  /** Applies the next entry and returns the new hash. The caller checks contiguity. */
  apply(e: Entry): number {
    this.index = e.index;
    this.hash = chainHash(this.hash, e);
    if (e.type === 'normal' && e.data !== '') {
      this.commands++;
      this.recent.push(e.data);
      if (this.recent.length > 8) this.recent.shift();
    }
    return this.hash;
  }

  snapshotData(): string {
    return JSON.stringify({ i: this.index, h: this.hash, n: this.commands, recent: this.recent });
  }

  /** Rebuilds from snapshot data (empty data: the initial, empty state at index 0). */
  static restore(data: string): StateMachine {
    const sm = new StateMachine();
    if (data === '') return sm;
    const o = JSON.parse(data) as { i: number; h: number; n: number; recent: string[] };
    sm.index = o.i;
    sm.hash = o.h;
    sm.commands = o.n;
    sm.recent = o.recent;
    return sm;
  }
}

/**
 * A 53-bit hash of (previous hash, entry): two 32-bit multiplicative lanes (cyrb53's mixing),
 * so an accidental match between different histories is out of reach of any sweep.
 */
export function chainHash(prev: number, e: Entry): number {
  let h1 = 0xdeadbeef ^ (prev >>> 0);
  let h2 = 0x41c6ce57 ^ Math.floor(prev / 4294967296);
  const mix = (x: number): void => {
    h1 = Math.imul(h1 ^ x, 2654435761);
    h2 = Math.imul(h2 ^ x, 1597334677);
  };
  mix(e.index);
  mix(e.term);
  mix(e.type === 'conf' ? 1 : 0);
  mix(e.data.length);
  for (let i = 0; i < e.data.length; i++) mix(e.data.charCodeAt(i));
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
