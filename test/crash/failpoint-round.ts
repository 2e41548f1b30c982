/**
 * The failpoint part of a crash round: one node is made to crash exactly at a named point
 * (cluster/node/failpoints.ts) while the writers run, before the rest of the cluster is
 * SIGKILLed. Rounds take the points in turn (CRASH_PLAN), so a short CI run reaches the WAL and
 * vote points first; a `null` slot is a plain SIGKILL-everything round.
 *
 * Most points are armed with the `failpoint` control message on a random node and reached by
 * the writes. `vote-after-persist` is armed on a follower that is then handed the leadership (it
 * campaigns at once). `snapshot-install` needs a node behind the leader's compacted log: a
 * follower is SIGKILLed, the others write past its log, and it is started again with
 * RAFTBOARD_FAILPOINTS=snapshot-install, so it dies installing the leader's snapshot.
 */
import type { FailpointName } from '../../cluster/node/failpoints.js';
import type { SimRng } from '../../cluster/sim/rng.js';
import { sleep, type Cluster } from '../cluster/harness/index.js';
import { within } from '../cluster/harness/poll.js';

/** The crash cluster's log settings: snapshots (and compaction) happen every few rounds' writes. */
export const CRASH_SNAPSHOT_ENTRIES = 100;
export const CRASH_CATCH_UP_ENTRIES = 50;

/** Round r crashes at CRASH_PLAN[(r - 1) % length]; null: SIGKILL only. */
export const CRASH_PLAN: readonly (FailpointName | null)[] = [
  'wal-after-sync',
  'vote-after-persist',
  'wal-before-write',
  'apply-mid-batch',
  'wal-after-write',
  'snapshot-before-compact',
  null,
  'snapshot-install',
];

/** How long an armed point may take to be reached before the round goes on without it. */
const HIT_WITHIN_MS = 4_000;
/** How long the writes may take to leave a killed follower behind the compacted log. */
const BEHIND_WITHIN_MS = 10_000;

export interface FailpointCrash {
  readonly name: FailpointName;
  readonly node: number;
  /** The node died by SIGKILL at the point (its last line says so). */
  readonly hit: boolean;
  /** From arming to the death (or to giving up). */
  readonly ms: number;
}

export function planFor(round: number): FailpointName | null {
  return CRASH_PLAN[(round - 1) % CRASH_PLAN.length];
}

/** Arms `name` on a node chosen for it, provokes it, and waits for the crash (or gives up). */
export async function crashAtFailpoint(
  cl: Cluster,
  name: FailpointName,
  rng: SimRng,
): Promise<FailpointCrash> {
  const leader = await cl.leader(10_000);
  const followers = cl.live().filter((id) => id !== leader);
  let t0 = Date.now();
  let node: number;
  if (name === 'vote-after-persist') {
    node = rng.pick(followers);
    await cl.armFailpoint(node, name);
    await cl.transferLeadership(leader, node);
  } else if (name === 'snapshot-install') {
    node = rng.pick(followers);
    await startBehind(cl, leader, node);
    t0 = Date.now();
  } else {
    node = rng.pick(cl.live());
    await cl.armFailpoint(node, name);
  }
  const exited = await within(cl.exited(node), Math.max(0, HIT_WITHIN_MS - (Date.now() - t0)));
  const last = cl.nodeStderr(node).trimEnd().split('\n').pop() ?? '';
  const hit =
    exited &&
    (await cl.exited(node)).signal === 'SIGKILL' &&
    last.includes(`failpoint ${name} hit`);
  return { name, node, hit, ms: Date.now() - t0 };
}

/**
 * SIGKILLs `node`, waits until the leader's log is compacted past it, and starts it again armed
 * at `snapshot-install`. A start that dies before `listening` is fine: the caller looks at the
 * exit.
 */
async function startBehind(cl: Cluster, leader: number, node: number): Promise<void> {
  const last = (await cl.ipcStatus(node)).lastLogIndex;
  await cl.kill(node, 'SIGKILL');
  const deadline = Date.now() + BEHIND_WITHIN_MS;
  while (Date.now() < deadline) {
    const st = await cl.ipcStatus(leader).catch(() => undefined);
    if (st && st.snapshotIndex - CRASH_CATCH_UP_ENTRIES > last + 1) break;
    await sleep(100);
  }
  await cl.start(node, { failpoints: 'snapshot-install' }).catch(() => undefined);
}

export function describeFailpoint(f: FailpointCrash | undefined): string {
  if (f === undefined) return 'no failpoint';
  return f.hit
    ? `failpoint ${f.name} on n${f.node} hit after ${f.ms} ms`
    : `failpoint ${f.name} on n${f.node} not reached in ${f.ms} ms`;
}
