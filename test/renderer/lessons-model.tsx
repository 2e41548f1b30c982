/**
 * A toy cluster for the lesson tests: a FakeApi whose status reacts to the lesson's actions the
 * way Raft would (a frozen or cut-off leader is replaced by a majority's leader of a higher term,
 * which commits its no-op; a returning node follows; writes commit on the connected majority).
 * Not Raft itself: enough to drive every lesson from its first step to its last.
 * (.tsx so the Node tsconfig leaves it to the renderer's.)
 */
import type { ActionResult, ClusterNode, ClusterStatus } from '../../cluster/api/control.js';
import type { WriteResponse } from '../../cluster/api/node.js';
import type { TaskInput } from '../../cluster/api/task.js';
import type { WriteOptions } from '../../renderer/src/api/types.js';
import { FakeApi, makeNode, makeTask, noQuorum } from './fake-api.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class ModelCluster extends FakeApi {
  readonly nodes: Mutable<ClusterNode>[] = [1, 2, 3].map((id) => ({
    ...makeNode(id, {
      role: id === 1 ? 'leader' : 'follower',
      term: 3,
      leaderId: 1,
      commitIndex: 40,
      lastLogIndex: 40,
    }),
  }));
  groups: number[][] = [];
  /** Statuses are pushed here (the window's event stream). */
  readonly listeners = new Set<(s: ClusterStatus) => void>();
  latest: ClusterStatus;
  private readonly keys = new Map<string, WriteResponse>();

  constructor() {
    super();
    this.latest = this.snapshot();
  }

  snapshot(): ClusterStatus {
    const live = this.nodes.filter((n) => n.status === 'running' && n.role === 'leader');
    const top = live.sort((a, b) => b.term - a.term)[0];
    return {
      leaderId: top?.id ?? 0,
      term: Math.max(...this.nodes.map((n) => n.term)),
      nodes: this.nodes.map((n) => ({ ...n })),
      network: { partitions: this.groups.map((g) => [...g]), links: [] },
      slow: 1,
      mysqlMode: 'managed',
    };
  }

  /** Sends the current status to every subscriber, as a status event would. */
  push(): ClusterStatus {
    this.latest = this.snapshot();
    for (const fn of this.listeners) fn(this.latest);
    return this.latest;
  }

  private connected(a: number, b: number): boolean {
    if (this.groups.length === 0) return true;
    return this.groups.some((g) => g.includes(a) && g.includes(b));
  }

  private reach(n: ClusterNode): Mutable<ClusterNode>[] {
    return this.nodes.filter((m) => m.status === 'running' && this.connected(n.id, m.id));
  }

  /** Brings the running nodes to what Raft would reach once the timers have run. */
  settle(): void {
    const running = this.nodes.filter((n) => n.status === 'running');
    const leaders = running.filter((n) => n.role === 'leader').sort((a, b) => b.term - a.term);
    let leader: Mutable<ClusterNode> | undefined = leaders[0];
    if (leader !== undefined && this.reach(leader).length < 2) {
      leader.role = 'follower';
      leader.leaderId = 0;
      leader = undefined;
    }
    for (const old of leaders.slice(1)) old.role = 'follower';
    if (leader === undefined) {
      const candidate = running.find((n) => this.reach(n).length >= 2);
      if (candidate !== undefined) {
        leader = candidate;
        leader.role = 'leader';
        leader.term = Math.max(...this.nodes.map((n) => n.term)) + 1;
        leader.lastLogIndex += 1; // the no-op
        leader.commitIndex = leader.lastLogIndex;
      }
    }
    for (const n of running) {
      if (n === leader) continue;
      if (leader !== undefined && this.connected(n.id, leader.id)) {
        n.role = 'follower';
        n.term = leader.term;
        n.leaderId = leader.id;
        n.lastLogIndex = leader.lastLogIndex;
        n.commitIndex = leader.commitIndex;
      } else {
        n.leaderId = 0;
        if (n.role === 'leader') n.role = 'follower';
      }
    }
  }

  override getCluster(): Promise<ClusterStatus> {
    this.calls.push({ method: 'getCluster', args: [] });
    return Promise.resolve(this.snapshot());
  }

  override nodeAction(id: number, action: string): Promise<ActionResult> {
    this.calls.push({ method: 'nodeAction', args: [id, action] });
    const n = this.nodes.find((x) => x.id === id);
    if (n === undefined) return Promise.reject(new Error(`no node ${id}`));
    if (action === 'pause') n.status = 'paused';
    else if (action === 'resume') n.status = 'running';
    else if (action === 'kill') n.status = 'stopped';
    else if (action === 'start' || action === 'restart') {
      n.status = 'running';
      n.role = 'follower';
    }
    this.settle();
    return Promise.resolve({ ok: true, action, nodeId: id, message: `n${id} ${action}d` });
  }

  override setNetwork(body: { partitions?: number[][] }): Promise<ActionResult> {
    this.calls.push({ method: 'setNetwork', args: [body] });
    this.groups = (body.partitions ?? []).map((g) => [...g]);
    this.settle();
    return Promise.resolve({ ok: true, action: 'network', message: 'network set' });
  }

  override healNetwork(): Promise<ActionResult> {
    this.calls.push({ method: 'healNetwork', args: [] });
    this.groups = [];
    this.settle();
    return Promise.resolve({ ok: true, action: 'heal', message: 'network healed' });
  }

  override createTask(input: TaskInput, o: WriteOptions): Promise<WriteResponse> {
    this.calls.push({ method: 'createTask', args: [input, o] });
    const failure = this.writeFailures.shift();
    if (failure !== undefined) return Promise.reject(failure);
    const seen = this.keys.get(o.idempotencyKey);
    if (seen !== undefined) return Promise.resolve(seen);
    const leader = this.nodes.find((n) => n.status === 'running' && n.role === 'leader');
    if (leader === undefined || this.reach(leader).length < 2) return Promise.reject(noQuorum());
    leader.lastLogIndex += 1;
    leader.commitIndex = leader.lastLogIndex;
    this.settle();
    const r: WriteResponse = {
      task: makeTask(leader.lastLogIndex, { title: input.title }),
      raftIndex: leader.lastLogIndex,
      term: leader.term,
      servedBy: leader.id,
    };
    this.keys.set(o.idempotencyKey, r);
    return Promise.resolve(r);
  }
}
