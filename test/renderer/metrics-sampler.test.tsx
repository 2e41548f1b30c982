// The metrics series logic, without React or a DOM: events in, per-second columns and the summary
// sentences out. (A .tsx file so the renderer's tsconfig checks it.)
import { describe, expect, it } from 'vitest';
import type { ClusterEvent } from '../../cluster/api/control.js';
import { ApiRequestError } from '../../renderer/src/api/errors.js';
import { MetricsSampler, quantile, RECENT_S } from '../../renderer/src/metrics/sampler.js';
import { createMetricsStore, watchWriteLatency } from '../../renderer/src/metrics/store.js';
import {
  clockText,
  electionsText,
  latencyText,
  throughputText,
} from '../../renderer/src/metrics/summary.js';
import { createTasksStore } from '../../renderer/src/store/tasks.js';
import { FakeApi, makeCluster } from './fake-api.js';

/** A whole second, so bucket edges are easy to reason about. */
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
let seq = 0;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function commit(at: number, from: number, to: number, term = 2): ClusterEvent {
  return { type: 'commit', seq: ++seq, at: iso(at), leaderId: 1, term, from, to };
}

function election(at: number, leaderId: number, term: number, durationMs: number | null) {
  const e: ClusterEvent = { type: 'election', seq: ++seq, at: iso(at), leaderId, term, durationMs };
  return e;
}

describe('metrics sampler', () => {
  it('counts committed entries per second, skipping the supervisor’s baseline commit', () => {
    const m = new MetricsSampler(60);
    m.ingest(
      [
        commit(T0 + 100, 0, 500), // the log as the supervisor first saw it: not throughput
        commit(T0 + 200, 500, 503),
        commit(T0 + 900, 503, 504),
        commit(T0 + 1500, 504, 510),
      ],
      T0 + 1600,
    );
    const snap = m.snapshot(T0 + 2000); // complete seconds up to T0+1s
    const { t, throughput } = snap.series;
    expect(t).toHaveLength(60);
    expect(t[t.length - 1]).toBe(T0 / 1000 + 1);
    expect(throughput.slice(-2)).toEqual([4, 6]);
    expect(throughput.slice(0, -2).every((x) => x === 0)).toBe(true);
    expect(snap.summary.entries).toBe(10);
    expect(snap.summary.throughput).toBeCloseTo(10 / RECENT_S);
    expect(throughputText(snap)).toBe(
      `2 entries/s committed (average of the last ${RECENT_S} s); 10 entries committed in the last 1 min.`,
    );
  });

  it('leaves out the second still filling, and forgets what slid out of the window', () => {
    const m = new MetricsSampler(10);
    m.ingest([commit(T0 + 500, 1, 4)], T0 + 500);
    expect(m.snapshot(T0 + 900).summary.entries).toBe(0); // its second is not over yet
    expect(m.snapshot(T0 + 1000).summary.entries).toBe(3);
    expect(m.snapshot(T0 + 10_999).summary.entries).toBe(3);
    expect(m.snapshot(T0 + 11_000).summary.entries).toBe(0);
    expect(m.snapshot(T0 + 11_000).series.throughput.every((x) => x === 0)).toBe(true);
  });

  it('skips events replayed after a reconnect (same seq), and places late ones by their stamp', () => {
    const m = new MetricsSampler(60);
    const first = [commit(T0 + 100, 10, 12), election(T0 + 200, 2, 5, 300)];
    m.ingest(first, T0 + 300);
    m.ingest([...first, commit(T0 + 2100, 12, 15)], T0 + 5000); // replay, then one missed
    const snap = m.snapshot(T0 + 6000);
    expect(snap.summary.entries).toBe(5);
    expect(snap.summary.elections).toBe(1);
    const at = (s: number): number => snap.series.t.indexOf(T0 / 1000 + s);
    expect(snap.series.throughput[at(0)]).toBe(2);
    expect(snap.series.throughput[at(2)]).toBe(3);
  });

  it('counts again from a restarted supervisor, whose seq starts over', () => {
    const m = new MetricsSampler(60);
    m.ingest([commit(T0 + 100, 10, 12)], T0 + 200);
    const restarted: ClusterEvent = {
      type: 'commit',
      seq: 1,
      at: iso(T0 + 3100),
      leaderId: 2,
      term: 3,
      from: 12,
      to: 20,
    };
    m.ingest([restarted], T0 + 3200);
    m.ingest([restarted], T0 + 3300); // and its replay is still skipped
    expect(m.snapshot(T0 + 5000).summary.entries).toBe(10);
  });

  it('marks elections and carries the term forward, from elections and status snapshots', () => {
    const m = new MetricsSampler(30);
    const status: ClusterEvent = {
      type: 'status',
      seq: 0,
      at: iso(T0 + 100),
      cluster: makeCluster({ term: 3, leaderId: 1 }),
    };
    m.ingest([status], T0 + 100);
    m.ingest([election(T0 + 4200, 2, 4, 850), commit(T0 + 4300, 20, 21, 4)], T0 + 4300);
    const snap = m.snapshot(T0 + 8000);
    const { t, term, elections } = snap.series;
    const at = (s: number): number => t.indexOf(T0 / 1000 + s);
    expect(term[at(0) - 1]).toBeNull(); // before anything was known
    expect(term[at(0)]).toBe(3);
    expect(term[at(3)]).toBe(3);
    expect(term[at(4)]).toBe(4);
    expect(term[at(7)]).toBe(4);
    expect(elections[at(4)]).toBe(1);
    expect(elections.reduce((a, b) => a + b, 0)).toBe(1);
    expect(snap.leaderChanges).toEqual([{ at: T0 + 4200, leaderId: 2, term: 4, durationMs: 850 }]);
    expect(snap.summary).toMatchObject({ term: 4, leaderId: 2, elections: 1 });
    expect(electionsText(snap)).toBe(
      `Term 4, leader node 2. 1 election in the last 30 s; the last: node 2 became leader of term 4 at ${clockText(T0 + 4200)} after 850 ms without a leader.`,
    );

    // Once the election slides out, the term line still starts at the term it left.
    const later = m.snapshot(T0 + 40_000);
    expect(later.leaderChanges).toEqual([]);
    expect(later.series.term.every((x) => x === 4)).toBe(true);
    expect(electionsText(later)).toBe('Term 4, leader node 2. 0 elections in the last 30 s.');
  });

  it('gives each second the median and max latency of the writes committed in it', () => {
    const m = new MetricsSampler(60);
    for (const ms of [30, 10, 20, 400]) m.recordLatency(ms, T0 + 200);
    m.recordLatency(15, T0 + 1200);
    m.recordLatency(-1, T0 + 1200); // a clock step backwards: not a latency
    const snap = m.snapshot(T0 + 2000);
    expect(snap.series.latencyP50.slice(-2)).toEqual([20, 15]);
    expect(snap.series.latencyMax.slice(-2)).toEqual([400, 15]);
    expect(snap.series.latencyP50[0]).toBeNull();
    expect(snap.summary).toMatchObject({ writes: 5, latencyP50: 20, latencyMax: 400 });
    expect(snap.summary.lastLatency).toBe(15);
    expect(latencyText(snap)).toBe(
      'Median 20 ms, max 400 ms from sent to committed, over 5 writes from this window in the last 1 min; the last took 15 ms.',
    );
    expect(latencyText(new MetricsSampler(60).snapshot(T0))).toMatch(/^No write from this window/);
  });

  it('quantile is nearest-rank', () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([5], 0.5)).toBe(5);
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4, 5], 1)).toBe(5);
  });
});

describe('write latency from the tasks slice', () => {
  it('times each change from pending to committed, and none that failed', async () => {
    let now = T0;
    const api = new FakeApi();
    const tasks = createTasksStore({
      api,
      clock: clockAt(() => now),
      retry: { baseMs: 5, maxMs: 5 },
    });
    const seen: number[] = [];
    const stop = watchWriteLatency(
      tasks,
      (ms) => seen.push(ms),
      () => now,
    );

    api.holding = true;
    tasks.getState().createTask({ title: 'Timed' });
    now += 250;
    api.release();
    await until(() => tasks.getState().changes[0]?.state.phase === 'committed');
    expect(seen).toEqual([250]);

    api.holding = false;
    api.writeFailures.push(new ApiRequestError(400, 'invalid_input', 'title: too long'));
    tasks.getState().createTask({ title: 'Refused' });
    await until(
      () => tasks.getState().changes[1]?.state.phase === 'failed',
      () => JSON.stringify(tasks.getState().changes),
    );
    expect(seen).toEqual([250]);
    stop();
  });

  it('feeds the metrics store, whose snapshot is rebuilt on tick', () => {
    let now = T0 + 100;
    const store = createMetricsStore({ now: () => now, windowS: 60 });
    store.getState().recordLatency(42);
    store.getState().ingest([commit(T0 + 200, 7, 9)]);
    expect(store.getState().snapshot.summary.entries).toBe(0);
    now = T0 + 1000;
    store.getState().tick();
    expect(store.getState().snapshot.summary).toMatchObject({ entries: 2, writes: 1 });
  });
});

function clockAt(now: () => number) {
  return {
    now,
    setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
    clearTimeout: (h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>),
  };
}

async function until(cond: () => boolean, state?: () => string): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!cond()) throw new Error(`condition not met: ${state?.() ?? ''}`);
}
