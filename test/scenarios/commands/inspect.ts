/** Looking at the nodes: these print even at log-level none. */
import type { Level } from '../env.js';
import {
  describeEntry,
  describeHardState,
  describeMeta,
  describeState,
  describeStatus,
} from '../format.js';
import type { Handler } from './types.js';

const status: Handler = (env, a) => {
  for (const id of a.ids()) {
    const raw = env.node(id).raw;
    if (!raw) env.print(`${id} is down`, 'always');
    else for (const l of describeStatus(raw.status())) env.print(l, 'always');
  }
};

/** `raft-log ID...`: the node's storage (what survives a crash): HardState, snapshot, entries. */
const raftLog: Handler = (env, a) => {
  const ids = a.ids();
  for (const id of ids) {
    if (ids.length > 1) env.print(`${id}:`, 'always');
    const s = env.node(id).storage;
    env.print(`HardState ${describeHardState(s.getHardState())}`, 'always');
    const snap = s.snapshot().metadata;
    if (snap.index > 0) env.print(`snapshot ${describeMeta(snap)}`, 'always');
    if (s.lastIndex() < s.firstIndex()) {
      env.print(
        `log is empty: first index=${s.firstIndex()}, last index=${s.lastIndex()}`,
        'always',
      );
      continue;
    }
    for (const e of s.entries(s.firstIndex(), s.lastIndex() + 1, Infinity))
      env.print(describeEntry(e), 'always');
  }
};

/** `raft-state`: one line per node. */
const raftState: Handler = (env) => {
  for (const id of env.ids()) {
    const raw = env.node(id).raw;
    env.print(`${id}: ${raw ? describeState(raw.status()) : 'down'}`, 'always');
  }
};

/** `state-machine [ID...]`: what each node's application has applied. */
const stateMachine: Handler = (env, a) => {
  const ids = a.ids();
  for (const id of ids.length > 0 ? ids : env.ids()) {
    const { sm, raw } = env.node(id);
    const line = raw ? `applied=${sm.applied} [${sm.commands().join(' ')}]` : 'down';
    env.print(`${id}: ${line}`, 'always');
  }
};

/** `msg-stats [reset]`: messages delivered (and entry/snapshot bytes) by type since a reset. */
const msgStats: Handler = (env, a) => {
  const reset = a.positional().some((p) => p.vals[0] === 'reset');
  if (!reset) {
    let count = 0;
    let bytes = 0;
    for (const [type, s] of [...env.stats].sort(([x], [y]) => (x < y ? -1 : 1))) {
      env.print(`${type}: ${s.count} msgs, ${s.bytes} bytes`, 'always');
      count += s.count;
      bytes += s.bytes;
    }
    env.print(`total: ${count} msgs, ${bytes} bytes`, 'always');
  }
  env.stats.clear();
};

const LEVELS: readonly Level[] = ['none', 'info', 'debug'];

/** `log-level none|info|debug`: how much process-ready, delivery and ticks print. */
const logLevel: Handler = (env, a) => {
  const [v] = a.positional();
  const level = LEVELS.find((l) => l === v?.vals[0]);
  if (level === undefined) return a.fail('usage: log-level none|info|debug');
  env.level = level;
};

export const inspectCommands: Record<string, Handler> = {
  status,
  'raft-log': raftLog,
  'raft-state': raftState,
  'state-machine': stateMachine,
  'msg-stats': msgStats,
  'log-level': logLevel,
};
