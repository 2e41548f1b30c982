/**
 * One phase of snapshot-memory.bench.ts, run in its own process so that its peak RSS (getrusage
 * maxrss) is its own. Prints one JSON line: the phase, peak RSS, peak heap (sampled every 5 ms,
 * and at the end), time. `v3`: the whole-document snapshot (`snapshot`/`restore`, a string);
 * `v4`: the paged file (`snapshotToFile`/`restoreFromFile`).
 *
 * Usage: node snapshot-memory-phase.js <v3|v4> <baseline|snapshot|restore> <mysql url> <database> <file>
 */
import { open, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { TaskStateMachine } from '../../db/statemachine.js';

export interface PhaseResult {
  readonly phase: string;
  readonly peakRssMb: number;
  readonly peakHeapMb: number;
  /** Buffers and other memory outside the V8 heap (process.memoryUsage().external). */
  readonly peakExternalMb: number;
  readonly ms: number;
}

const MB = 1024 * 1024;

export async function runPhase(
  mode: 'v3' | 'v4',
  phase: string,
  url: string,
  database: string,
  file: string,
): Promise<PhaseResult> {
  let peakHeap = 0;
  let peakExternal = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakExternal = Math.max(peakExternal, m.external);
  };
  const timer = setInterval(sample, 5);
  const target = phase === 'restore' ? `${database}_restored` : database;
  const sm = await TaskStateMachine.open(url, { database: target });
  const started = performance.now();
  try {
    if (phase === 'snapshot' && mode === 'v4') {
      await sm.snapshotToFile(file);
    } else if (phase === 'restore' && mode === 'v4') {
      const handle = await open(file, 'r');
      const head = Buffer.alloc(200);
      await handle.read(head, 0, head.length, 0).finally(() => handle.close());
      const first = head.toString('utf8');
      const [index, term] = /"index":(\d+),"term":(\d+)/.exec(first)?.slice(1).map(Number) ?? [];
      await sm.restoreFromFile(index ?? 0, term ?? 0, file);
    } else if (phase === 'snapshot') {
      const snap = await sm.snapshot();
      sample();
      // As the WAL writes it: the string's bytes, then fsync (disk-storage.ts).
      await writeFile(file, `${snap.index} ${snap.term}\n${snap.data}`, { flush: true });
    } else if (phase === 'restore') {
      const text = await readFile(file, 'utf8');
      const newline = text.indexOf('\n');
      const [index, term] = text.slice(0, newline).split(' ').map(Number);
      const data = text.slice(newline + 1);
      sample();
      await sm.restore(index ?? 0, term ?? 0, data);
    } else {
      await sm.appliedIndex();
    }
    sample();
  } finally {
    clearInterval(timer);
    await sm.close();
  }
  return {
    phase,
    peakRssMb: (process.resourceUsage().maxRSS * 1024) / MB,
    peakHeapMb: peakHeap / MB,
    peakExternalMb: peakExternal / MB,
    ms: performance.now() - started,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [mode = '', phase = '', url = '', database = '', file = ''] = process.argv.slice(2);
  runPhase(mode === 'v4' ? 'v4' : 'v3', phase, url, database, file).then(
    (r) => console.log(JSON.stringify(r)),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
