/**
 * The nemesis: one fault at a time, through the real Supervisor, for a few seconds each, then
 * healed. Kinds (`--nemesis`):
 * - `partition`: a random minority cut off, or the leader alone (half of the time each);
 * - `partition-leader`: always the leader alone (the sharpest test of stale leadership);
 * - `pause`: SIGSTOP one node (the leader half of the time), then SIGCONT;
 * - `kill`: SIGKILL one node (the leader half of the time), then start it again;
 * - `mysql`: stop one follower's MySQL server, then start it again;
 * - `mysql-freeze`: freeze one node's MySQL server (SIGSTOP: connections stay open, nothing
 *   answers; the leader half of the time) for 5–10 s, then resume it (issue 12: the node must
 *   notice a stalled database and keep the cluster writing);
 * - `link`: lossy, slow links (10–40 % loss, 5–100 ms delay) around two nodes.
 * Kinds come round in a shuffled order, so every kind asked for occurs in a short run too.
 */
import type { SimRng } from '../../sim/rng.js';
import type { Supervisor } from '../../supervisor/supervisor.js';

export const NEMESIS_KINDS = [
  'partition',
  'partition-leader',
  'pause',
  'kill',
  'mysql',
  'mysql-freeze',
  'link',
] as const;
export type NemesisKind = (typeof NEMESIS_KINDS)[number];
/**
 * What `--nemesis` means when not given: everything of issue 6 §2. `mysql-freeze` is asked for
 * by name: each one lasts 5–10 s, and in the default 60 s it would crowd out the others (a run
 * of every kind then injected 8 faults instead of at least 10).
 */
export const DEFAULT_KINDS: readonly NemesisKind[] = [
  'partition',
  'pause',
  'kill',
  'mysql',
  'link',
];

/** One fault, as the report and the timeline show it (times in the history's clock). */
export interface FaultRecord {
  readonly kind: NemesisKind;
  readonly detail: string;
  readonly nodes: readonly number[];
  readonly start: number;
  end: number | null;
  /** False when the supervisor refused or failed to inject it (then nothing was done). */
  ok: boolean;
  error?: string;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface NemesisOptions {
  readonly supervisor: Supervisor;
  readonly kinds: readonly NemesisKind[];
  readonly rng: SimRng;
  /** The history's clock, so faults and operations share one timeline. */
  readonly now: () => number;
  /** How long each fault lasts (ms, inclusive range; default 1.5–3.5 s). */
  readonly faultMs?: readonly [number, number];
  /** Quiet time between faults (ms; default 0.5–1.5 s). */
  readonly gapMs?: readonly [number, number];
  /**
   * How long a `mysql-freeze` lasts (ms; default 5–10 s): longer than the other faults, so the
   * node has to notice the stall rather than ride it out.
   */
  readonly freezeMs?: readonly [number, number];
  readonly log?: (line: string) => void;
}

export class Nemesis {
  readonly faults: FaultRecord[] = [];
  private order: NemesisKind[] = [];
  private stopping = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly o: NemesisOptions) {}

  start(): void {
    // `--nemesis none`: clients only (a baseline).
    if (this.o.kinds.length === 0) return;
    this.loop = this.run();
  }

  /** Stops after the current fault (healed) and resolves. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
  }

  private nextKind(): NemesisKind {
    if (this.order.length === 0) this.order = this.o.rng.shuffle(this.o.kinds);
    return this.order.pop() as NemesisKind;
  }

  private async run(): Promise<void> {
    const [fLo, fHi] = this.o.faultMs ?? [1_500, 3_500];
    const [gLo, gHi] = this.o.gapMs ?? [500, 1_500];
    const [zLo, zHi] = this.o.freezeMs ?? [5_000, 10_000];
    while (!this.stopping) {
      const kind = this.nextKind();
      await this.one(
        kind,
        kind === 'mysql-freeze' ? this.o.rng.range(zLo, zHi) : this.o.rng.range(fLo, fHi),
      );
      if (this.stopping) break;
      await sleep(this.o.rng.range(gLo, gHi));
    }
  }

  private ids(): number[] {
    return this.o.supervisor.memberIds;
  }

  private leaderOr(pick: () => number): number {
    const leader = this.o.supervisor.status().leaderId;
    return leader !== 0 && this.o.rng.chance(0.5) ? leader : pick();
  }

  private async one(kind: NemesisKind, ms: number): Promise<void> {
    const s = this.o.supervisor;
    const rng = this.o.rng;
    const ids = this.ids();
    let nodes: number[] = [];
    let detail = '';
    let inject: () => Promise<unknown>;
    let heal: () => Promise<unknown>;
    switch (kind) {
      case 'partition':
      case 'partition-leader': {
        const leader = s.status().leaderId;
        const alone = kind === 'partition-leader' || rng.chance(0.5);
        if (alone && leader !== 0) {
          nodes = [leader];
          detail = `leader n${leader} alone`;
        } else {
          nodes = rng.shuffle(ids).slice(0, Math.max(1, Math.floor((ids.length - 1) / 2)));
          detail = `minority {${nodes.join(',')}} cut off`;
        }
        const rest = ids.filter((id) => !nodes.includes(id));
        inject = () => s.setNetwork({ partitions: [nodes, rest] });
        heal = () => s.heal();
        break;
      }
      case 'pause': {
        const id = this.leaderOr(() => rng.pick(ids));
        nodes = [id];
        detail = `n${id} paused${id === s.status().leaderId ? ' (leader)' : ''}`;
        inject = () => s.nodeAction(id, 'pause');
        heal = () => s.nodeAction(id, 'resume');
        break;
      }
      case 'kill': {
        const id = this.leaderOr(() => rng.pick(ids));
        nodes = [id];
        detail = `n${id} killed${id === s.status().leaderId ? ' (leader)' : ''}, then restarted`;
        inject = () => s.nodeAction(id, 'kill');
        heal = () => s.nodeAction(id, 'start');
        break;
      }
      case 'mysql': {
        const leader = s.status().leaderId;
        const followers = ids.filter((id) => id !== leader);
        const id = rng.pick(followers.length > 0 ? followers : ids);
        nodes = [id];
        detail = `n${id}'s MySQL stopped`;
        inject = () => s.mysqlAction(id, 'stop');
        heal = () => s.mysqlAction(id, 'start');
        break;
      }
      case 'mysql-freeze': {
        const id = this.leaderOr(() => rng.pick(ids));
        nodes = [id];
        detail = `n${id}'s MySQL frozen${id === s.status().leaderId ? ' (leader)' : ''}`;
        inject = () => s.mysqlAction(id, 'pause');
        heal = () => s.mysqlAction(id, 'resume');
        break;
      }
      case 'link': {
        nodes = rng.shuffle(ids).slice(0, 2);
        const dropPct = rng.range(10, 40);
        const drop = dropPct / 100;
        const delayMs = rng.range(5, 100);
        const links = nodes.flatMap((a) =>
          ids
            .filter((b) => b !== a)
            .flatMap((b) => [
              { from: a, to: b, drop, delayMs },
              { from: b, to: a, drop, delayMs },
            ]),
        );
        // One entry per directed pair.
        const unique = [...new Map(links.map((l) => [`${l.from}>${l.to}`, l])).values()];
        detail = `links around n${nodes.join(', n')}: ${dropPct}% loss, ${delayMs} ms delay`;
        inject = () => s.setNetwork({ links: unique });
        heal = () => s.heal();
        break;
      }
    }
    const record: FaultRecord = { kind, detail, nodes, start: this.o.now(), end: null, ok: true };
    this.faults.push(record);
    this.o.log?.(`fault: ${detail}`);
    try {
      await inject();
    } catch (e) {
      record.ok = false;
      record.error = (e as Error).message;
      record.end = this.o.now();
      this.o.log?.(`fault not injected: ${record.error}`);
      return;
    }
    await sleep(ms);
    try {
      await heal();
    } catch (e) {
      record.error = `healing: ${(e as Error).message}`;
      this.o.log?.(`heal failed: ${record.error}`);
    }
    record.end = this.o.now();
  }
}
