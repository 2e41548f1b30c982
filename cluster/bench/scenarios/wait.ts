/** Polling helpers every scenario shares: who leads, and whether a member has caught up. */
import type { BenchTarget, MemberProgress } from '../targets/target.js';

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function allProgress(
  t: BenchTarget,
): Promise<Map<number, MemberProgress | undefined>> {
  const answers = await Promise.all(t.members.map((id) => t.progress(id)));
  return new Map(t.members.map((id, i) => [id, answers[i]]));
}

/** The member that says it leads in the highest term. */
export async function findLeader(t: BenchTarget, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let best: { id: number; term: number } | undefined;
    for (const [id, p] of await allProgress(t)) {
      if (p?.leader === true && (best === undefined || p.term > best.term)) {
        best = { id, term: p.term };
      }
    }
    if (best !== undefined) return best.id;
    await sleep(20);
  }
  throw new Error(`${t.name}: no leader within ${timeoutMs} ms`);
}

/** The highest term any member reports. */
export async function maxTerm(t: BenchTarget): Promise<number> {
  let term = 0;
  for (const p of (await allProgress(t)).values()) term = Math.max(term, p?.term ?? 0);
  return term;
}

/** Waits until `id` has applied at least `index`; resolves with the time it took. */
export async function waitApplied(
  t: BenchTarget,
  id: number,
  index: number,
  timeoutMs: number,
  pollMs = 10,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: MemberProgress | undefined;
  while (Date.now() < deadline) {
    last = await t.progress(id);
    if (last !== undefined && last.applied >= index) return;
    await sleep(pollMs);
  }
  throw new Error(
    `${t.name} member ${id} did not apply index ${index} within ${timeoutMs} ms ` +
      `(last: ${last === undefined ? 'no answer' : `applied ${last.applied}`})`,
  );
}

/** Every member answers and has applied the leader's commit index. */
export async function waitAllCaughtUp(t: BenchTarget, timeoutMs = 30_000): Promise<number> {
  const leader = await findLeader(t, timeoutMs);
  const lp = await t.progress(leader);
  if (lp === undefined) throw new Error(`${t.name}: the leader ${leader} stopped answering`);
  await Promise.all(t.members.map((id) => waitApplied(t, id, lp.commit, timeoutMs)));
  return leader;
}
