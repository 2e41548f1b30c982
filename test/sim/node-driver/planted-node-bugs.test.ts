/**
 * The node driver's checks have teeth: three node-layer bugs planted as test-only RaftNode
 * subclasses (test/planted/node-bugs.ts) are each caught within a bounded sweep of seeds, and the
 * production node on the catching seed stays clean, so what is caught is the bug.
 */
import { describe, expect, it } from 'vitest';
import { runNodeSeed, type NodeRunResult } from '../../../cluster/sim/node-driver/run.js';
import type { MakeSimNode } from '../../../cluster/sim/node-driver/node-api.js';
import { FAULT_KINDS } from '../../../cluster/sim/node-driver/faults.js';
import { PLANTED_NODE_BUGS } from '../../planted/node-bugs.js';

const MAX_SEEDS = 100;

/** A write the client was told about is gone, or a read missed one. */
const LOST_WRITE =
  /^(leader-completeness|state-machine-safety|log-matching|client|linearizability|leader-read|replica-divergence)$/;

function run(
  seed: number,
  makeNode?: MakeSimNode,
  skipFaults?: readonly string[],
): Promise<NodeRunResult> {
  return runNodeSeed({ seed, nodes: 3, makeNode, skipFaults });
}

async function firstCaught(
  makeNode: MakeSimNode,
  kinds: RegExp,
  skipFaults?: readonly string[],
  maxSeeds = MAX_SEEDS,
): Promise<{ seed: number; result: NodeRunResult } | undefined> {
  for (let seed = 1; seed <= maxSeeds; seed++) {
    const result = await run(seed, makeNode, skipFaults);
    if (result.violations.some((v) => kinds.test(v.kind))) return { seed, result };
  }
  return undefined;
}

async function expectRealNodeClean(seed: number, skipFaults?: readonly string[]): Promise<void> {
  const result = await run(seed, undefined, skipFaults);
  expect(result.violations, `the production node on seed ${seed}`).toEqual([]);
}

describe(`planted node-layer bugs are caught within a bounded sweep of seeds`, () => {
  it('acknowledging entries before they are durable', async () => {
    const caught = await firstCaught(PLANTED_NODE_BUGS['ack-before-durable'], LOST_WRITE);
    expect(caught, 'ack-before-durable not caught').toBeDefined();
    await expectRealNodeClean(caught!.seed);
  });

  it('serving leader reads on an expired lease', async () => {
    // A wider sweep: the stale read needs a cut-off old leader that a client still reads from
    // while the others elect and commit, and which seed produces that moved when followers began
    // campaigning sooner on a link drop (caught at seed 293 since; a seed takes ~60 ms).
    const caught = await firstCaught(
      PLANTED_NODE_BUGS['expired-lease-read'],
      /^leader-read$/,
      undefined,
      4 * MAX_SEEDS,
    );
    expect(caught, 'expired-lease-read not caught').toBeDefined();
    await expectRealNodeClean(caught!.seed);
  });

  it('campaigning as soon as the link to the leader drops, inside its lease', async () => {
    // The network reports a link drop on every crash and partition (cluster/sim/network.ts).
    // Partitions only: the stale read needs the old leader alive and cut off while the others
    // elect and commit within its lease (E/2), which the full fault mix makes rare.
    const onlyPartitions = FAULT_KINDS.filter(
      (f) => !['partition', 'isolateLeader', 'heal'].includes(f),
    );
    const caught = await firstCaught(
      PLANTED_NODE_BUGS['link-drop-ignores-lease'],
      /^leader-read$/,
      onlyPartitions,
    );
    expect(caught, 'link-drop-ignores-lease not caught').toBeDefined();
    await expectRealNodeClean(caught!.seed, onlyPartitions);
  });

  it('answering a write with the entry another leader put at its index', async () => {
    // Overwritten by a no-op: the node throws (no answer); by another write: the wrong answer.
    const caught = await firstCaught(
      PLANTED_NODE_BUGS['answer-overwritten-entry'],
      /^(client|node-exception|linearizability)$/,
    );
    expect(caught, 'answer-overwritten-entry not caught').toBeDefined();
    await expectRealNodeClean(caught!.seed);
  });
});
