/** Starting, crashing and restarting nodes; snapshots and log compaction. */
import type { Args } from '../args.js';
import type { Env, NodeConfig } from '../env.js';
import { describeConf, describeState } from '../format.js';
import type { Handler } from './types.js';

function nodeConfig(a: Args): Partial<NodeConfig> {
  const c: { -readonly [K in keyof NodeConfig]?: NodeConfig[K] } = {};
  const num = (key: string, set: (n: number) => void): void => {
    const v = a.int(key);
    if (v !== undefined) set(v);
  };
  num('election', (n) => (c.electionTick = n));
  num('heartbeat', (n) => (c.heartbeatTick = n));
  num('max-entries', (n) => (c.maxEntriesPerMsg = n));
  num('max-bytes', (n) => (c.maxBytesPerMsg = n));
  num('max-inflight', (n) => (c.maxInflightMsgs = n));
  num('snap-chunk', (n) => (c.snapshotChunkSize = n));
  const pv = a.bool('prevote');
  if (pv !== undefined) c.preVote = pv;
  const cq = a.bool('checkquorum');
  if (cq !== undefined) c.checkQuorum = cq;
  return c;
}

/** `add-nodes N [voters=(..)] [learners=(..)] [seed=S] [election=10 heartbeat=1 ...]` */
const addNodes: Handler = (env, a) => {
  const [n] = a.ids();
  if (n === undefined) return a.fail('how many nodes?');
  const first = (env.ids().at(-1) ?? 0) + 1;
  const fresh = Array.from({ length: n }, (_, i) => first + i);
  const toIds = (v: string[] | undefined): number[] | undefined => v?.map((x) => a.toInt(x));
  const learners = toIds(a.list('learners')) ?? [];
  const voters = toIds(a.list('voters')) ?? fresh.filter((id) => !learners.includes(id));
  const seed = a.int('seed');
  if (seed !== undefined) env.seed = seed;
  const config = nodeConfig(a);
  for (const id of fresh) {
    const node = env.addNode(id, { voters, learners }, config);
    const s = node.raw!.status();
    env.print(`${id}: ${describeState(s)} ${describeConf(s.conf)}`);
  }
};

/** `crash ID`: the process dies; its storage (the disk) survives, its memory does not. */
const crash: Handler = (env, a) => {
  for (const id of a.ids()) {
    env.crash(id);
    env.print(`INFO ${id} crashed`);
  }
};

/** `restart ID`: a new RawNode over the same storage; the state machine reloads the snapshot. */
const restart: Handler = (env, a) => {
  for (const id of a.ids()) {
    const node = env.node(id);
    if (node.raw) return a.fail(`node ${id} is running; crash it first`);
    env.start(node);
    const s = node.raw!.status();
    env.print(`INFO ${id} restarted: ${describeState(s)}`);
    env.print(
      `  Applied:${s.applied} Log:${s.firstIndex}..${s.lastIndex} Snapshot:${s.snapshotIndex}`,
    );
  }
};

function compactAt(env: Env, a: Args, id: number, index: number): void {
  const node = env.node(id);
  if (index > node.sm.applied) return a.fail(`node ${id} applied only up to ${node.sm.applied}`);
  const snap = node.storage.createSnapshot(index, node.sm.confAt(index), node.sm.dataAt(index));
  node.storage.compact(index);
  const s = node.storage;
  env.print(
    `${id}: snapshot ${snap.metadata.term}/${snap.metadata.index} Data:${JSON.stringify(snap.data)}; log now ${s.firstIndex()}..${s.lastIndex()}`,
  );
}

/** `compact ID INDEX`: snapshot the application at INDEX (≤ applied), drop the log up to it. */
const compact: Handler = (env, a) => {
  const [id, index] = a.ids();
  if (index === undefined) return a.fail('usage: compact ID INDEX');
  compactAt(env, a, id, index);
};

/** `snapshot ID...`: snapshot at each node's applied index and compact there. */
const snapshot: Handler = (env, a) => {
  for (const id of a.ids()) compactAt(env, a, id, env.node(id).sm.applied);
};

export const nodeCommands: Record<string, Handler> = {
  'add-nodes': addNodes,
  crash,
  restart,
  compact,
  snapshot,
};
