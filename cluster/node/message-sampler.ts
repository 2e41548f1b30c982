/**
 * Samples the Raft messages this node sends, for the control room's live message flow. Every
 * vote, snapshot and append that carries entries is kept (up to a cap per flush); heartbeats and
 * empty appends, which dominate an idle cluster, are kept once per link per flush. Batches go
 * to the parent every `flushMs`, so tracing never costs one IPC message per Raft message.
 */
import type { Message } from '../raft/index.js';
import type { SampledMessage } from './control.js';
import { systemClock, type Clock, type TimerHandle } from './clock.js';

const MAX_PER_FLUSH = 200;

export class MessageSampler {
  private batch: SampledMessage[] = [];
  private dropped = 0;
  private readonly routine = new Set<string>();
  private readonly timer: TimerHandle;

  constructor(
    flushMs: number,
    private readonly flushTo: (messages: readonly SampledMessage[], dropped: number) => void,
    private readonly clock: Clock = systemClock,
  ) {
    this.timer = clock.setInterval(() => this.flush(), flushMs);
    this.timer.unref();
  }

  record(m: Message): void {
    const routine =
      m.type === 'heartbeat' ||
      m.type === 'heartbeatResp' ||
      (m.type === 'app' && (m.entries?.length ?? 0) === 0) ||
      m.type === 'appResp';
    if (routine) {
      const key = `${m.type}:${m.to}`;
      if (this.routine.has(key)) return;
      this.routine.add(key);
    }
    if (this.batch.length >= MAX_PER_FLUSH) {
      this.dropped++;
      return;
    }
    const s: SampledMessage = { from: m.from, to: m.to, kind: m.type, term: m.term };
    const entries = m.entries?.length ?? 0;
    this.batch.push(entries > 0 ? { ...s, entries } : s);
  }

  private flush(): void {
    this.routine.clear();
    if (this.batch.length === 0 && this.dropped === 0) return;
    const batch = this.batch;
    const dropped = this.dropped;
    this.batch = [];
    this.dropped = 0;
    this.flushTo(batch, dropped);
  }

  stop(): void {
    this.clock.clearTimer(this.timer);
  }
}
