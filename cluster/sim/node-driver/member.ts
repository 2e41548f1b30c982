/**
 * One simulated machine: a disk and a task database that outlive the node process, and the
 * process itself (a production RaftNode), started, crashed and restarted by the driver.
 *
 * A process dies the way a real one does: a crash abandons it mid-flight (no clean stop, its
 * timers die with its ScopedClock, its messages stop, its database calls never answer), and an
 * exception thrown out of its code (a failed fsync) kills it as an uncaught exception would.
 * An armed failpoint (failpoints.ts) that fires cuts the machine's power right there and throws
 * a FailpointCrash, which everything here treats as that death, not as an exception.
 */
import type { NodeId } from '../../raft/index.js';
import type { TaskStore } from '../../../db/task-store.js';
import type { Logger } from '../../node/log.js';
import type { NodeEvent } from '../../node/control.js';
import { ArmedFailpoints, type FailpointName, type Failpoints } from '../../node/failpoints.js';
import { SimRng } from '../rng.js';
import { FailpointCrash, isFailpointCrash } from './failpoints.js';
import { ScopedClock, type AgendaClock } from './agenda.js';
import { nodeConfig, type Knobs, type MemberSpec } from './config.js';
import type { SimNodeDb, SimNodeDisk } from './io.js';
import type { MakeSimNode, SimNodeApi } from './node-api.js';
import { ObservedLogStore, type LogObserver } from './observed-log.js';
import { GatedTaskStore } from './gated-store.js';
import { idOfClientUrl, SimTransport, type SimSwitch } from './transport.js';

export type MemberState =
  | 'down'
  | 'up'
  /** Refused to start (a damaged log, a database of another node): must never serve. */
  | 'refused'
  /** Removed from the cluster and shut down for good. */
  | 'removed';

/** Why a process ended. */
export type Death =
  | { readonly kind: 'crash' }
  | { readonly kind: 'error'; readonly error: unknown }
  | { readonly kind: 'fatal'; readonly error: Error };

export interface MemberEnv {
  readonly seed: number;
  readonly knobs: Knobs;
  readonly agenda: AgendaClock;
  readonly sw: SimSwitch;
  readonly log: (id: NodeId, level: string, msg: string) => void;
  readonly emit: (e: NodeEvent) => void;
  readonly logObserver: (id: NodeId) => LogObserver;
  readonly onStart: (id: NodeId, applied: number) => void;
  readonly onDeath: (member: SimMember, death: Death) => void;
  /** An armed failpoint fired in the member's process: its machine must lose power now. */
  readonly onFailpoint: (member: SimMember, name: FailpointName) => void;
  readonly peerMySqlUp: (from: NodeId, to: NodeId) => boolean;
  readonly makeNode: MakeSimNode;
}

export class SimMember {
  state: MemberState = 'down';
  /** Process starts so far. */
  incarnation = 0;
  node: SimNodeApi | undefined;
  /** Every process this machine ran (the last one is `node` while it is up). */
  readonly nodes: SimNodeApi[] = [];
  /** The running process's log (what it has written). */
  log: ObservedLogStore | undefined;
  frozen = false;
  /** Bit flips injected and not yet found by an open. */
  latentCorruption = false;
  /** Why it refused to start, if it did. */
  refusal: string | undefined;
  private scope: ScopedClock | undefined;
  private transport: SimTransport | undefined;
  private gate: GatedTaskStore | undefined;
  /** The running process's failpoints (a restarted process starts with none armed). */
  private armed: ArmedFailpoints | undefined;

  constructor(
    readonly id: NodeId,
    readonly spec: MemberSpec,
    readonly disk: SimNodeDisk,
    readonly db: SimNodeDb,
    private readonly env: MemberEnv,
  ) {}

  get isUp(): boolean {
    return this.state === 'up' && this.node !== undefined;
  }

  /** The database itself, for the checks. */
  get store(): TaskStore {
    return this.db.store;
  }

  /** Starts a process over the disk and database (after a crash: the machine rebooted). */
  async start(peers: readonly NodeId[]): Promise<void> {
    if (this.state === 'up' || this.state === 'removed') return;
    this.incarnation++;
    const inc = this.incarnation;
    const id = this.id;
    const { env } = this;
    const scope = new ScopedClock(env.agenda, (error) => this.die({ kind: 'error', error }));
    const armed = new ArmedFailpoints((name) => {
      env.onFailpoint(this, name);
      throw new FailpointCrash(name, id);
    });
    this.armed = armed;
    // Only this process's own hits count (a dead one's promise chains may still pass a point).
    const failpoints: Failpoints = {
      hit: (name) => {
        if (this.armed === armed && this.state === 'up' && this.incarnation === inc)
          armed.hit(name);
      },
      isArmed: (name) => armed.isArmed(name),
    };
    this.scope = scope;
    const spec: MemberSpec = { ...this.spec, peers };
    const config = nodeConfig(env.seed, spec, env.knobs);
    const logger: Logger = {
      debug: (m) => env.log(id, 'debug', m),
      info: (m) => env.log(id, 'info', m),
      warn: (m) => env.log(id, 'warn', m),
      error: (m) => env.log(id, 'error', m),
    };
    let storage;
    try {
      storage = this.disk.open({ voters: [...spec.bootstrapVoters], learners: [] }, failpoints);
    } catch (e) {
      scope.kill();
      this.state = 'refused';
      this.refusal = (e as Error).message;
      env.log(id, 'error', `refused to start: ${(e as Error).name}: ${(e as Error).message}`);
      return;
    }
    this.latentCorruption = false;
    const alive = (): boolean => scope.isAlive && this.incarnation === inc;
    const gate = new GatedTaskStore(alive);
    this.gate = gate;
    env.onStart(id, (await this.db.store.appliedIndex()).index);
    const log = new ObservedLogStore(storage, env.logObserver(id), alive);
    this.log = log;
    const node = env.makeNode({
      config,
      log: logger,
      storage: log,
      transport: (handlers) => {
        const t = new SimTransport(id, env.sw, handlers, (fn) => scope.guard(fn));
        this.transport = t;
        return t;
      },
      // Answers reach the process only while it lives (statements it sent may still run).
      openStore: async (opts) => gate.wrap(await this.db.open(opts)),
      identity: { clusterId: config.clusterId ?? `sim-${env.seed}`, nodeId: id },
      clock: scope,
      random: new SimRng(env.seed, `n${id}.${inc}`),
      emit: (e) => {
        if (alive()) env.emit(e);
      },
      onFatal: (error) => {
        if (alive()) this.die({ kind: 'fatal', error });
      },
      peerMySqlUp: (url) => Promise.resolve(env.peerMySqlUp(id, idOfClientUrl(url))),
      failpoints,
    });
    this.nodes.push(node);
    this.node = node;
    this.state = 'up';
    try {
      await node.run();
    } catch (error) {
      this.die({ kind: 'error', error });
    }
  }

  /**
   * Arms failpoint `name` of the running process to fire at its `at`-th hit from now; false
   * when no process runs.
   */
  armFailpoint(name: FailpointName, at: number): boolean {
    if (!this.isUp || this.armed === undefined) return false;
    this.armed.arm(name, at);
    return true;
  }

  /** Every armed point of the running process is disarmed. */
  disarmFailpoints(): void {
    this.armed = undefined;
  }

  /** The process ends now, mid-flight. */
  die(death: Death): void {
    if (this.state !== 'up') return;
    // A failpoint's crash already took the machine down; its throw ends here as that death.
    if (death.kind === 'error' && isFailpointCrash(death.error)) return;
    this.armed = undefined;
    this.scope?.kill();
    this.gate?.kill();
    // fsyncs in flight die with the process.
    this.disk.kill();
    void this.transport?.close();
    this.transport = undefined;
    this.node = undefined;
    this.log = undefined;
    this.frozen = false;
    this.state = 'down';
    this.env.onDeath(this, death);
  }

  /** Power loss: the process dies and the disk and database lose what was not durable. */
  crash(): void {
    this.die({ kind: 'crash' });
    this.disk.crash();
    void this.db.crash();
  }

  /** The process alone dies (kill -9): disk and database keep everything. */
  kill(): void {
    this.die({ kind: 'crash' });
  }

  /** Removed from the cluster: shut down for good (its data is thrown away). */
  remove(): void {
    this.die({ kind: 'crash' });
    this.state = 'removed';
  }
}
