/**
 * The application each scenario node runs: an ordered list of commands, plus the membership in
 * force at each applied index (to take a snapshot at an index with the right configuration).
 * Snapshot data is the commands joined by commas, so scenario commands may not contain one.
 */
import type { ConfChange, ConfState, Entry, Snapshot } from '../../cluster/raft/index.js';

interface Applied {
  readonly index: number;
  readonly data: string;
}

export class StateMachine {
  applied = 0;
  private cmds: Applied[] = [];
  /** The configuration in force from `index` on, oldest first. */
  private confs: { index: number; conf: ConfState }[] = [];

  constructor(snap: Snapshot) {
    this.restore(snap);
  }

  /** Replaces the whole state with a snapshot's (a restart, or an install from the leader). */
  restore(snap: Snapshot): void {
    const { index, conf } = snap.metadata;
    this.applied = index;
    this.cmds = decode(snap.data).map((data) => ({ index, data }));
    this.confs = [{ index, conf }];
  }

  apply(e: Entry): void {
    if (e.index !== this.applied + 1) {
      throw new Error(`state machine applies index ${e.index} right after ${this.applied}`);
    }
    this.applied = e.index;
    if (e.type === 'normal' && e.data !== '') this.cmds.push({ index: e.index, data: e.data });
    if (e.type === 'conf') {
      const conf = nextConf(this.confAt(e.index), JSON.parse(e.data) as ConfChange);
      this.confs.push({ index: e.index, conf });
    }
  }

  commands(): string[] {
    return this.cmds.map((c) => c.data);
  }

  confAt(index: number): ConfState {
    let conf = this.confs[0].conf;
    for (const c of this.confs) if (c.index <= index) conf = c.conf;
    return conf;
  }

  /** The snapshot data at `index` (≤ applied). */
  dataAt(index: number): string {
    if (index > this.applied) throw new Error(`cannot snapshot ${index} > applied ${this.applied}`);
    return this.cmds
      .filter((c) => c.index <= index)
      .map((c) => c.data)
      .join(',');
  }
}

function decode(data: string): string[] {
  return data === '' ? [] : data.split(',');
}

/** The same single-server change rules as the core's applyConfChange. */
function nextConf(c: ConfState, cc: ConfChange): ConfState {
  const v = new Set(c.voters);
  const l = new Set(c.learners);
  if (cc.type === 'addLearner' && !v.has(cc.nodeId)) l.add(cc.nodeId);
  if (cc.type === 'promote' && l.delete(cc.nodeId)) v.add(cc.nodeId);
  if (cc.type === 'remove') {
    v.delete(cc.nodeId);
    l.delete(cc.nodeId);
  }
  return { voters: [...v], learners: [...l] };
}
