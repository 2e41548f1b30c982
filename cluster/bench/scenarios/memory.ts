/**
 * Resident memory of every process of a system, from /proc/PID/status (VmRSS). A sampler reads
 * it every second for the whole run, so the report shows the peak next to the value after load.
 */
import fs from 'node:fs';
import type { ProcessMemory } from '../report/results.js';
import type { BenchTarget, ProcessRef } from '../targets/target.js';

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

  sample(): void {
    for (const p of this.target.processes()) {
      const mb = rssMb(p.pid);
      if (mb !== undefined) this.peaks.set(p.label, Math.max(mb, this.peaks.get(p.label) ?? 0));
    }
  }

  /** Every process now, with its peak so far. */
  snapshot(): ProcessMemory[] {
    this.sample();
    const out: ProcessMemory[] = [];
    for (const p of this.target.processes() as ProcessRef[]) {
      const mb = rssMb(p.pid);
      if (mb === undefined) continue;
      out.push({
        label: p.label,
        kind: p.kind,
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
}
