/** What every scenario gets: the system, the run's settings, a log line and unique write ids. */
import type { BenchTarget } from '../targets/target.js';

export interface Settings {
  /** Concurrent clients for the write rows. */
  readonly clients: readonly number[];
  readonly writeSeconds: number;
  readonly readSeconds: number;
  readonly readClients: number;
  readonly steadySeconds: number;
  readonly steadyClients: number;
  readonly catchupEntries: number;
  readonly failoverTrials: number;
}

export interface Context {
  readonly target: BenchTarget;
  readonly settings: Settings;
  readonly say: (line: string) => void;
  /** A fresh sequence number for a write (keys stay unique across scenarios). */
  readonly seq: () => number;
}
