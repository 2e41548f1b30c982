/**
 * Resident memory of every process of a system, from /proc/PID/status (VmRSS). A sampler reads
 * it every second for the whole run, so the report shows the idle value (after the start, before
 * any load) and the peak next to the value after load, per process and for the whole system.
 *
 * VmRSS counts the pages of the program file each process maps (mariadbd's code, ~24 MB) once
 * per process although the three servers share them; the sums are therefore upper bounds.
 */
import fs from 'node:fs';
import type { ProcessMemory } from '../report/results.js';
import type { BenchTarget } from '../targets/target.js';

/** VmRSS in MB, or undefined when the process is gone (or this is not Linux). */
export function rssMb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? undefined : Number(m[1]) / 1024;
  } catch {
    return undefined;
  }
}

export class MemorySampler {
  private readonly peaks = new Map<string, number>();
  private readonly idle = new Map<string, number>();
  private peakTotal = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly target: BenchTarget) {}

  start(everyMs = 1_000): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads every process once; returns this sample's values by label. */
  sample(): Map<string, number> {
    const now = new Map<string, number>();
    for (const p of this.target.processes()) {
      const mb = rssMb(p.pid);
      if (mb === undefined) continue;
      now.set(p.label, mb);
      this.peaks.set(p.label, Math.max(mb, this.peaks.get(p.label) ?? 0));
    }
    let total = 0;
    for (const mb of now.values()) total += mb;
    this.peakTotal = Math.max(this.peakTotal, total);
    return now;
  }

  /** Records the idle values (call once, after the start and before any load); their sum. */
  markIdle(): number {
    let total = 0;
    for (const [label, mb] of this.sample()) {
      this.idle.set(label, mb);
      total += mb;
    }
    return total;
  }

  /** Every process now, with its idle value and its peak so far. */
  snapshot(): ProcessMemory[] {
    const now = this.sample();
    const out: ProcessMemory[] = [];
    for (const p of this.target.processes()) {
      const mb = now.get(p.label);
      if (mb === undefined) continue;
      const idle = this.idle.get(p.label);
      out.push({
        label: p.label,
        kind: p.kind,
        ...(idle === undefined ? {} : { idleRssMb: idle }),
        rssMb: mb,
        peakRssMb: this.peaks.get(p.label) ?? mb,
      });
    }
    return out;
  }

  /** The peak of each process seen so far. */
  peakOf(label: string): number | undefined {
    return this.peaks.get(label);
  }

  /** The highest sum of one sample so far. */
  peakTotalMb(): number {
    return this.peakTotal;
  }
}
