/**
 * The invariants have teeth: three classic Raft bugs, each planted in a test-only variant (a
 * subclass of the core or of the simulator's node driver — never a flag in the core), are each
 * caught by a sweep of at most 1,000 seeds. The same seeds with the real core stay clean, so
 * what is caught is the bug and nothing else.
 */
import { describe, expect, it } from 'vitest';
import { runSeed, type FuzzOptions, type FuzzResult } from '../../cluster/sim/fuzz.js';
import { oldTermCommitNode, voteWithoutLogCheckNode } from '../planted/buggy-cores.js';
import { sendBeforePersistDriver } from '../planted/send-before-persist.js';

const MAX_SEEDS = 1000;
const NODES = 5;
/** Safety violations (not a liveness timeout, not a crash of the simulator itself). */
const SAFETY =
  /^(election-safety|log-matching|leader-completeness|state-machine-safety|durability|client|commit-monotonic)$/;
/** What an overwritten "committed" entry shows up as. */
const LOST_COMMIT = /^(leader-completeness|state-machine-safety|durability|client)$/;

type Variant = Pick<FuzzOptions, 'makeNode' | 'driver'>;

/**
 * The first seed in 1..MAX_SEEDS whose run reports a violation of one of `kinds`, with that run.
 * A bug may also show up as a liveness failure first; only a safety catch counts here.
 */
function firstCaught(
  variant: Variant,
  kinds: RegExp,
): { seed: number; result: FuzzResult } | undefined {
  for (let seed = 1; seed <= MAX_SEEDS; seed++) {
    const result = runSeed({ seed, nodes: NODES, ...variant });
    if (result.violations.some((v) => kinds.test(v.kind))) return { seed, result };
  }
  return undefined;
}

function expectRealCoreClean(seed: number): void {
  const result = runSeed({ seed, nodes: NODES });
  expect(result.violations, `the real core on seed ${seed}`).toEqual([]);
}

describe('planted bugs are caught within 1,000 seeds', () => {
  it('committing an entry of an earlier term by counting replicas (Figure 8)', () => {
    const caught = firstCaught({ makeNode: oldTermCommitNode }, LOST_COMMIT);
    expect(caught, 'old-term commit bug not caught').toBeDefined();
    // An entry "committed" that way is later overwritten: a later leader lacks it, or two
    // nodes apply different commands at its index, or an acknowledged command vanishes.
    expect(caught!.result.violations.map((v) => v.kind)).toContainEqual(
      expect.stringMatching(LOST_COMMIT),
    );
    expectRealCoreClean(caught!.seed);
  });

  it('granting a vote without the log up-to-date check (§5.4.1)', () => {
    const caught = firstCaught({ makeNode: voteWithoutLogCheckNode }, LOST_COMMIT);
    expect(caught, 'vote-without-log-check bug not caught').toBeDefined();
    expect(caught!.result.violations.map((v) => v.kind)).toContainEqual(
      expect.stringMatching(LOST_COMMIT),
    );
    expectRealCoreClean(caught!.seed);
  });

  it('answering before the vote is persisted (messages sent before the Ready is on disk)', () => {
    const caught = firstCaught({ driver: sendBeforePersistDriver }, SAFETY);
    expect(caught, 'send-before-persist bug not caught').toBeDefined();
    // A forgotten vote gives two leaders in one term; a forgotten ack loses a committed entry.
    expect(caught!.result.violations.map((v) => v.kind)).toContainEqual(
      expect.stringMatching(SAFETY),
    );
    expectRealCoreClean(caught!.seed);
  });
});
