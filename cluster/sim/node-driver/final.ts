/**
 * The end of a node-driver run, once the faults are healed: liveness (a leader, every running
 * replica caught up), durability (no acknowledged write missing on a running replica; every
 * running replica's database has the same checksum), a final linearizable read through every
 * running node, and the whole history through the linearizability checker of cluster/verify.
 */
import { attributeCreates, checkHistory, splitListRead, type Op } from '../../verify/index.js';
import type { NodeClients } from './clients.js';
import type { NodeSimCluster } from './cluster.js';
import type { Membership } from './membership.js';

/** How long (virtual) the healed cluster gets to elect and catch everyone up. */
const SETTLE_BUDGET_MS = 30_000;
/** Linearizability check budget (real time) per run. */
const CHECK_TIMEOUT_MS = 20_000;
const EXPLANATION_LINES = 30;

export interface FinalReport {
  /** Operations in the checked history. */
  readonly ops: number;
  /** The checker ran out of time (not a violation, but nothing was proven). */
  readonly unknown: boolean;
}

/** Runs events until `done()` or virtual time `until`; whether `done()` held. */
async function runWhile(c: NodeSimCluster, done: () => boolean, until: number): Promise<boolean> {
  while (c.checks.ok && !done()) {
    const next = c.agenda.nextAt();
    if (next === undefined || next > until) return done();
    await c.step();
  }
  return done();
}

/** A leader, and every running member (learners too) applied all it committed, MySQL up. */
function caughtUp(c: NodeSimCluster): boolean {
  const l = c.leader();
  if (l?.node === undefined) return false;
  const commit = l.node.commitIndex();
  if (commit < c.checks.maxAckedIndex) return false;
  const st = l.node.status();
  const conf = new Set([...st.voters, ...st.learners]);
  return c
    .up()
    .filter((m) => conf.has(m.id))
    .every((m) => m.node!.status().mysql.status === 'up' && m.node!.appliedIndex() >= commit);
}

export async function finalPhase(
  c: NodeSimCluster,
  clients: NodeClients,
  membership: Membership | undefined,
): Promise<FinalReport> {
  const ms = c.opts.knobs.requestTimeoutMs;
  // Operations and a membership change in flight finish (or give up) first.
  const idle = (): boolean => !clients.busy && membership?.busy !== true;
  await runWhile(c, idle, c.now + 12 * ms + 5_000);
  if (!c.checks.ok) return { ops: 0, unknown: false };
  const voters = c.currentVoters();
  const runnable = voters.filter((id) => c.members.get(id)?.state === 'up').length;
  if (runnable <= voters.length / 2) {
    // Refused disks took the quorum (the scheduler avoids it, but a bit flip found late can):
    // no leader is owed. What was recorded must still be linearizable.
    c.note(
      `--- no quorum can run (${runnable} of voters ${voters.join(',')}): no liveness owed ---`,
    );
    return checkLinearizable(c, clients);
  }
  const healedAt = Math.max(c.now, c.network.inFlightUntil());
  if (!(await runWhile(c, () => caughtUp(c), healedAt + SETTLE_BUDGET_MS))) {
    const l = c.leader();
    const live = c.live();
    const up = c.up();
    c.checks.fail(
      'liveness',
      `healed at t=${healedAt}ms; ${SETTLE_BUDGET_MS}ms later ` +
        (l === undefined
          ? `there is no leader (${up.length} of ${live.length} machines running)`
          : `leader n${l.id} (commit ${l.node!.commitIndex()}) has not caught up every running ` +
            `member: ${up.map((m) => `n${m.id}@${m.node!.appliedIndex()}`).join(' ')}`),
    );
    return { ops: 0, unknown: false };
  }
  const unapplied = c.checks.unappliedAcks();
  if (unapplied.length > 0) {
    c.checks.fail('client', `acknowledged, applied by no store: ${unapplied.join(', ')}`);
    return { ops: 0, unknown: false };
  }
  c.note('--- caught up: final reads ---');
  const st = c.leader()!.node!.status();
  const conf = new Set([...st.voters, ...st.learners]);
  for (const m of c.up().filter((x) => conf.has(x.id))) {
    if (!m.isUp) continue;
    const deadline = c.now + 5 * ms + 5_000;
    let answered: boolean | undefined;
    void clients.finalRead(m, deadline).then((ok) => (answered = ok));
    await runWhile(c, () => answered !== undefined, deadline + ms + 1_000);
    if (answered !== true && c.checks.ok) {
      c.checks.fail('liveness', `the final linearizable read through n${m.id} was not answered`);
    }
  }
  if (!c.checks.ok) return { ops: 0, unknown: false };
  await sameChecksums(c, conf);
  if (!c.checks.ok) return { ops: 0, unknown: false };
  return checkLinearizable(c, clients);
}

/** Every running replica at the same applied index: its database's own checksum agrees. */
async function sameChecksums(c: NodeSimCluster, conf: ReadonlySet<number>): Promise<void> {
  const seen = new Map<number, { checksum: string; id: number }>();
  for (const m of c.up().filter((x) => conf.has(x.id))) {
    const s = await m.store.checksum();
    const had = seen.get(s.appliedIndex);
    if (had === undefined) seen.set(s.appliedIndex, { checksum: s.checksum, id: m.id });
    else if (had.checksum !== s.checksum) {
      c.checks.fail(
        'replica-divergence',
        `n${m.id} and n${had.id} are both at ${s.appliedIndex} with different checksums`,
      );
      return;
    }
  }
}

/**
 * The history as the checker reads it. A create whose answer was lost gets its task's id from
 * the log (the stores' answer to the entry that carried its key): a recorder on a real cluster
 * can only guess it from reads (attributeCreates), which misses tasks never read at version 1.
 */
function history(c: NodeSimCluster, clients: NodeClients, withLeaderReads: boolean): Op[] {
  const ops: Op[] = clients.writes.map((op) => {
    const key = clients.unansweredCreates.get(op);
    const id = key === undefined ? undefined : c.checks.createdByKey.get(key);
    return op.f === 'create' && id !== undefined ? { ...op, taskId: id } : op;
  });
  const lists = withLeaderReads ? [...clients.lists, ...clients.leaderLists] : clients.lists;
  for (const l of lists) ops.push(...splitListRead(l, clients.knownIds).reads);
  return attributeCreates(ops);
}

function checkLinearizable(c: NodeSimCluster, clients: NodeClients): FinalReport {
  const ops = history(c, clients, false);
  const r = checkHistory(ops, { timeoutMs: CHECK_TIMEOUT_MS });
  if (r.ok === 'unknown') {
    c.note(`linearizability: unknown (${r.reason})`);
    return { ops: ops.length, unknown: true };
  }
  if (!r.ok) {
    const why = r.explanation.split('\n').slice(0, EXPLANATION_LINES).join('\n  ');
    c.checks.fail('linearizability', `task ${r.taskId} cannot be ordered:\n  ${why}`);
    return { ops: ops.length, unknown: false };
  }
  if (clients.leaderLists.length > 0) {
    const withLease = checkHistory(history(c, clients, true), { timeoutMs: CHECK_TIMEOUT_MS });
    if (withLease.ok === false) {
      const why = withLease.explanation.split('\n').slice(0, EXPLANATION_LINES).join('\n  ');
      c.checks.fail('leader-read', `a leader-lease read is not linearizable:\n  ${why}`);
    }
  }
  return { ops: ops.length, unknown: false };
}
