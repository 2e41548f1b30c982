/**
 * Turns the cluster's event stream and this window's writes into per-second series over a
 * sliding window, for the Metrics tab. Plain TypeScript (no React, no DOM) so it is tested alone.
 *
 * - Throughput: committed log entries per second, from `commit` events (`to - from`, counted in
 *   the second the supervisor stamped). The supervisor's first commit event after it starts runs
 *   from 0 to whatever the log already held, so an event with `from === 0` only sets a baseline.
 * - Commit latency: the time this window's own writes took from being sent (pending) to being
 *   committed; median and maximum per second. The events carry no per-write timing, so this is
 *   the one honest source of latency the window has.
 * - Elections: `election` events per second, the term (from status snapshots and elections), and
 *   every leader change as a marker.
 *
 * Events are stamped by the supervisor on this machine, so their `at` places them in time even
 * when they arrive late (a reconnect replays the recent ones); replays are skipped by `seq`
 * and stamp.
 */
import type { ClusterEvent } from '../../../cluster/api/control.js';

export const WINDOW_S = 120;
/** The "now" figure of throughput averages this many complete seconds. */
export const RECENT_S = 5;

export interface LeaderChange {
  /** Milliseconds since the epoch. */
  readonly at: number;
  readonly leaderId: number;
  readonly term: number;
  readonly durationMs: number | null;
}

/** Aligned columns, one value per complete second of the window, oldest first (uPlot's shape). */
export interface MetricsSeries {
  /** Each second's start, in seconds since the epoch. */
  readonly t: readonly number[];
  readonly throughput: readonly number[];
  readonly latencyP50: readonly (number | null)[];
  readonly latencyMax: readonly (number | null)[];
  readonly elections: readonly number[];
  readonly term: readonly (number | null)[];
}

export interface MetricsSummary {
  /** Entries per second over the last RECENT_S complete seconds. */
  readonly throughput: number;
  /** Entries committed in the whole window. */
  readonly entries: number;
  /** Writes of this window committed in the window, and their latency. */
  readonly writes: number;
  readonly latencyP50: number | null;
  readonly latencyMax: number | null;
  readonly lastLatency: number | null;
  readonly elections: number;
  readonly term: number | null;
  readonly leaderId: number | null;
  readonly lastChange: LeaderChange | null;
}

export interface MetricsSnapshot {
  /** When it was taken (ms since the epoch). */
  readonly at: number;
  readonly windowS: number;
  readonly series: MetricsSeries;
  readonly leaderChanges: readonly LeaderChange[];
  readonly summary: MetricsSummary;
}

interface Bucket {
  entries: number;
  latencies: number[];
  elections: number;
  term: number | null;
}

/** The q-quantile (0..1) of the values, nearest-rank; null for none. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? null;
}

export class MetricsSampler {
  private readonly buckets = new Map<number, Bucket>();
  private changes: LeaderChange[] = [];
  private lastSeq = 0;
  private lastAt = 0;
  private latestTerm: number | null = null;
  private latestLeader: number | null = null;
  /** The highest term in buckets already dropped, so the term line starts at the window's edge. */
  private prunedTerm: number | null = null;

  constructor(readonly windowS: number = WINDOW_S) {}

  /** Takes events in arrival order; `now` stands in for a missing or unreadable `at`. */
  ingest(events: readonly ClusterEvent[], now: number): void {
    for (const e of events) {
      const parsed = Date.parse(e.at);
      const at = Number.isFinite(parsed) ? parsed : now;
      if (e.type === 'status') {
        // Snapshots are never replayed and carry the live view: always take them.
        this.noteTerm(e.cluster.term, at);
        if (e.cluster.leaderId !== 0) this.latestLeader = e.cluster.leaderId;
        continue;
      }
      if (e.type !== 'commit' && e.type !== 'election') continue;
      // Seen already: a reconnect replays recent events. A lower seq stamped later than anything
      // seen is not a replay but a restarted supervisor counting from 1 again.
      if (e.seq <= this.lastSeq && at <= this.lastAt) continue;
      this.lastSeq = e.seq;
      this.lastAt = Math.max(this.lastAt, at);
      if (e.type === 'commit') {
        if (e.from > 0 && e.to > e.from) this.bucket(at).entries += e.to - e.from;
        this.noteTerm(e.term, at);
      } else {
        this.bucket(at).elections += 1;
        this.noteTerm(e.term, at);
        this.latestLeader = e.leaderId;
        this.changes.push({ at, leaderId: e.leaderId, term: e.term, durationMs: e.durationMs });
      }
    }
    this.prune(now);
  }

  /** One of this window's writes committed at `at`, `ms` after it was sent. */
  recordLatency(ms: number, at: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.bucket(at).latencies.push(ms);
    this.prune(at);
  }

  snapshot(now: number): MetricsSnapshot {
    this.prune(now);
    // Complete seconds only: the current one is still filling and would always look low.
    const last = Math.floor(now / 1000) - 1;
    const first = last - this.windowS + 1;
    const t: number[] = [];
    const throughput: number[] = [];
    const latencyP50: (number | null)[] = [];
    const latencyMax: (number | null)[] = [];
    const elections: number[] = [];
    const term: (number | null)[] = [];
    const allLatencies: number[] = [];
    let lastLatency: number | null = null;
    let carriedTerm = this.prunedTerm;
    let entries = 0;
    let recent = 0;
    let electionCount = 0;
    for (let s = first; s <= last; s++) {
      const b = this.buckets.get(s);
      t.push(s);
      throughput.push(b?.entries ?? 0);
      entries += b?.entries ?? 0;
      if (s > last - RECENT_S) recent += b?.entries ?? 0;
      const lat = b?.latencies ?? [];
      latencyP50.push(quantile(lat, 0.5));
      latencyMax.push(lat.length === 0 ? null : Math.max(...lat));
      allLatencies.push(...lat);
      if (lat.length > 0) lastLatency = lat[lat.length - 1] ?? null;
      elections.push(b?.elections ?? 0);
      electionCount += b?.elections ?? 0;
      if (b?.term != null) carriedTerm = b.term;
      term.push(carriedTerm);
    }
    const from = first * 1000;
    const leaderChanges = this.changes.filter((c) => c.at >= from);
    return {
      at: now,
      windowS: this.windowS,
      series: { t, throughput, latencyP50, latencyMax, elections, term },
      leaderChanges,
      summary: {
        throughput: recent / RECENT_S,
        entries,
        writes: allLatencies.length,
        latencyP50: quantile(allLatencies, 0.5),
        latencyMax: allLatencies.length === 0 ? null : Math.max(...allLatencies),
        lastLatency,
        elections: electionCount,
        term: this.latestTerm,
        leaderId: this.latestLeader,
        lastChange: leaderChanges[leaderChanges.length - 1] ?? null,
      },
    };
  }

  private noteTerm(term: number, at: number): void {
    const b = this.bucket(at);
    // Terms only grow, so the highest seen is the current one.
    b.term = Math.max(b.term ?? 0, term);
    this.latestTerm = Math.max(this.latestTerm ?? 0, term);
  }

  private bucket(at: number): Bucket {
    const s = Math.floor(at / 1000);
    let b = this.buckets.get(s);
    if (b === undefined) {
      b = { entries: 0, latencies: [], elections: 0, term: null };
      this.buckets.set(s, b);
    }
    return b;
  }

  /** Forgets what fell out of the window, so memory stays bounded however long the window runs. */
  private prune(now: number): void {
    const oldest = Math.floor(now / 1000) - this.windowS;
    for (const [s, b] of this.buckets) {
      if (s >= oldest) continue;
      if (b.term !== null) this.prunedTerm = Math.max(this.prunedTerm ?? 0, b.term);
      this.buckets.delete(s);
    }
    if (this.changes.length > 0 && (this.changes[0]?.at ?? 0) < oldest * 1000) {
      this.changes = this.changes.filter((c) => c.at >= oldest * 1000);
    }
  }
}
