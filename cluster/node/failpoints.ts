/**
 * Failpoints (as etcd's gofail in its robustness suite): named places in the node's write path
 * where a test can make the process die, so a crash lands exactly between two steps whose order
 * recovery relies on, rather than wherever a SIGKILL from outside happens to fall.
 *
 * The set is closed (FAILPOINTS). A point is armed by name, with the hit to crash at (the Nth
 * hit counted from arming; default the first). Unarmed points cost one property check per pass.
 * Arming: the env var RAFTBOARD_FAILPOINTS="wal-after-sync@3,vote-after-persist" read by main.ts
 * at start, or the control message `{ type: 'failpoint', name, after }` (control.ts) at runtime.
 * The production action is {@link crashProcess}: SIGKILL of the process itself.
 */
import type { Logger } from './log.js';

/** Every failpoint, with what a crash there tests. */
export const FAILPOINTS = {
  'wal-before-write':
    "A Ready's entries are not written yet: they must simply be missing after the restart " +
    '(nothing of them was acknowledged).',
  'wal-after-write':
    "The entries are written to the segment but not fdatasync'ed: recovery must accept them or " +
    'cut a torn tail; either way nothing acknowledged depends on them (no ack was sent).',
  'wal-after-sync':
    "The entries (and the Ready's hard state) are durable; the Ready's messages (the append " +
    'acknowledgements) are not sent yet: after the restart they are there and may commit.',
  'snapshot-before-compact':
    'The snapshot file is durable, the log is not cut yet (adoptSnapshot not run): recovery ' +
    'must start from the new snapshot and replay the WAL after it without a gap.',
  'apply-mid-batch':
    'The task store committed a batch (its applied index and idempotency sessions moved); the ' +
    'node has not recorded it nor answered its clients. After the restart nothing may be applied ' +
    'twice and a retried write must get its first answer. A batch split into several ' +
    'transactions passes here after each one, so this is also "between two transactions".',
  'apply-after-answer':
    "A batch's answers are decided and sent to the clients; the task store's COMMIT has not " +
    'answered (MySQL: the writes and COMMIT are in flight; the simulator: not applied yet). ' +
    'After the restart the answered writes must be applied (once) and ' +
    'readable everywhere, with the answers the clients got.',
  'snapshot-install':
    "The leader's snapshot is in the WAL (the log replaced); the task store has not restored it " +
    'yet: at the restart the store must be caught up from the snapshot on disk.',
  'vote-after-persist':
    "A new term or vote is durable in the hard state; the Ready's messages (the vote, or the " +
    'campaign) are not sent: after the restart the node must not vote twice in that term.',
} as const;

export type FailpointName = keyof typeof FAILPOINTS;

export const FAILPOINT_NAMES = Object.keys(FAILPOINTS) as FailpointName[];

/** Where the node's code may crash on purpose. */
export interface Failpoints {
  /** Passes `name`; when it is armed and this is the hit it waits for, does not return. */
  hit(name: FailpointName): void;
  /** Whether `name` is armed (a point that needs a turn of its own before its hit asks). */
  isArmed?(name: FailpointName): boolean;
}

/** No point is ever armed. */
export const noFailpoints: Failpoints = { hit: () => undefined };

/** One armed point of a spec: crash at the `at`-th hit (1 = the first). */
export interface FailpointArm {
  readonly name: FailpointName;
  readonly at: number;
}

export class FailpointSpecError extends Error {
  override readonly name = 'FailpointSpecError';
}

export function isFailpointName(name: string): name is FailpointName {
  return Object.prototype.hasOwnProperty.call(FAILPOINTS, name);
}

/** The name, or a FailpointSpecError that lists the known ones. */
export function failpointName(name: string): FailpointName {
  if (isFailpointName(name)) return name;
  throw new FailpointSpecError(
    `unknown failpoint ${JSON.stringify(name)} (known: ${FAILPOINT_NAMES.join(', ')})`,
  );
}

/**
 * Parses `name[@N],name[@N]…` (spaces around items ignored; empty means none). N is the hit
 * to crash at, a positive integer, default 1. Throws FailpointSpecError.
 */
export function parseFailpointSpec(spec: string): FailpointArm[] {
  const out: FailpointArm[] = [];
  for (const raw of spec.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const [name, count, extra] = item.split('@');
    const at = count === undefined ? 1 : Number(count);
    if (extra !== undefined || !/^[1-9][0-9]*$/.test(count ?? '1') || !Number.isSafeInteger(at))
      throw new FailpointSpecError(
        `bad failpoint ${JSON.stringify(item)}: expected name or name@N with N a positive integer`,
      );
    const fp = failpointName(name.trim());
    if (out.some((a) => a.name === fp))
      throw new FailpointSpecError(`failpoint ${fp} is given twice in ${JSON.stringify(spec)}`);
    out.push({ name: fp, at });
  }
  return out;
}

/** Failpoints armed at start or at runtime; `crash` is what a hit that fires does. */
export class ArmedFailpoints implements Failpoints {
  /** Hits still to let through, per armed point. */
  private readonly remaining: Partial<Record<FailpointName, number>> = {};

  constructor(
    private readonly crash: (name: FailpointName) => void,
    arms: readonly FailpointArm[] = [],
  ) {
    for (const a of arms) this.arm(a.name, a.at);
  }

  /** Arms `name` to fire at its `at`-th hit from now (replacing an earlier arming of it). */
  arm(name: FailpointName, at = 1): void {
    if (!Number.isSafeInteger(at) || at < 1)
      throw new FailpointSpecError(`the hit to crash at must be a positive integer, got ${at}`);
    this.remaining[name] = at - 1;
  }

  isArmed(name: FailpointName): boolean {
    return this.remaining[name] !== undefined;
  }

  /** The armed points and the hits each still lets through. */
  armed(): Partial<Record<FailpointName, number>> {
    return { ...this.remaining };
  }

  hit(name: FailpointName): void {
    const left = this.remaining[name];
    if (left === undefined) return;
    if (left > 0) {
      this.remaining[name] = left - 1;
      return;
    }
    delete this.remaining[name];
    this.crash(name);
  }
}

/**
 * The production action: one stderr line, then SIGKILL of this process — an immediate, unclean
 * death (nothing flushed, no exit handler, as a power cut minus the page cache).
 */
export function crashProcess(name: FailpointName, log: Logger): void {
  // The logger writes stderr synchronously (a pipe or a file on Linux): the line is out first.
  log.error(`failpoint ${name} hit: crashing (SIGKILL)`);
  process.kill(process.pid, 'SIGKILL');
}
