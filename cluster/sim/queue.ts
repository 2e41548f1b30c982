/**
 * The simulator's agenda: everything that will happen (a message arriving, a node's clock
 * ticking, a client acting, a fault) is an event at a simulated time. A binary min-heap keyed by
 * (time, seq): `seq` is the order in which events were scheduled, so two events at the same
 * millisecond always run in the same order and a seed replays exactly.
 */
export interface SimEvent {
  readonly time: number;
  readonly seq: number;
  readonly run: () => void;
}

export class EventQueue {
  private heap: SimEvent[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(time: number, run: () => void): void {
    const ev: SimEvent = { time, seq: this.seq++, run };
    const h = this.heap;
    h.push(ev);
    // Sift up.
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(ev, h[parent])) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = ev;
  }

  /** The earliest event without removing it. */
  peek(): SimEvent | undefined {
    return this.heap[0];
  }

  pop(): SimEvent | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      // Sift the last element down from the root.
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const child = r < h.length && before(h[r], h[l]) ? r : l;
        if (!before(h[child], last)) break;
        h[i] = h[child];
        i = child;
      }
      h[i] = last;
    }
    return top;
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
