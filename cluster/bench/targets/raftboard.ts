/**
 * Raftboard as `npm run cluster` runs it: the Supervisor (in this process) with its control API
 * and three node processes, each with its own managed MariaDB (db/provision/tuning.ts), default
 * timers and WAL fsync. Faults are the supervisor's own actions.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { NodeStatus } from '../../api/node.js';
import { startControlServer, type ControlServer } from '../../supervisor/control-api/server.js';
import { Supervisor } from '../../supervisor/supervisor.js';
import { findMariaDbBinaries } from '../../../db/provision/mariadb.js';
import { canUseApt, ensureDebianPackages } from '../../../db/provision/system-packages.js';
import { keepAliveAgent, sendJson, type RequestSpec } from '../load/http.js';
import type { BenchTarget, MemberProgress, ProcessRef } from './target.js';

const PAYLOAD = 'x'.repeat(64);

/** The same ~100-byte body is the value etcd stores (targets/etcd.ts). */
export function writeBody(seq: number): string {
  return JSON.stringify({ title: `bench ${seq}`, description: PAYLOAD });
}

export class RaftboardTarget implements BenchTarget {
  readonly name = 'raftboard' as const;
  readonly members = [1, 2, 3] as const;
  private supervisor: Supervisor | undefined;
  private control: ControlServer | undefined;
  private readonly token = randomBytes(24).toString('base64url');
  private readonly agent = keepAliveAgent(8);
  private readTaskId: string | undefined;
  private urls = new Map<number, string>();

  constructor(
    private readonly dataDir: string,
    private readonly log: (line: string) => void,
  ) {}

  async startFresh(): Promise<void> {
    try {
      findMariaDbBinaries();
    } catch {
      if (!canUseApt())
        throw new Error('MariaDB is not installed (apt-get install mariadb-server)');
      ensureDebianPackages(['mariadb-server'], 'each Raftboard node runs its own MariaDB server');
    }
    fs.rmSync(this.dataDir, { recursive: true, force: true });
    await this.boot(true);
  }

  async startExisting(): Promise<void> {
    await this.boot(false);
  }

  private async boot(fresh: boolean): Promise<void> {
    const s = new Supervisor({
      dataDir: this.dataDir,
      nodes: 3,
      mysqlMode: 'managed',
      fresh,
      token: this.token,
      logLevel: 'warn',
    });
    s.events.subscribe((e) => {
      if (e.type === 'error') this.log(`raftboard: ${e.message}`);
    });
    this.supervisor = s;
    await s.start();
    for (const n of s.status().nodes) this.urls.set(n.id, n.clientUrl);
    this.control = await startControlServer({ supervisor: s, port: 0 });
  }

  async stopAll(): Promise<void> {
    await this.control?.close();
    this.control = undefined;
    await this.supervisor?.shutdown();
    this.supervisor = undefined;
  }

  private sup(): Supervisor {
    if (this.supervisor === undefined) throw new Error('the Raftboard cluster is not running');
    return this.supervisor;
  }

  private url(id: number): string {
    const u = this.urls.get(id);
    if (u === undefined) throw new Error(`no Raftboard node ${id}`);
    return u;
  }

  private auth(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }

  write(to: number, seq: number, idempotent = false): RequestSpec {
    return {
      method: 'POST',
      url: `${this.url(to)}/tasks`,
      body: writeBody(seq),
      headers: idempotent ? { ...this.auth(), 'idempotency-key': `bench-${seq}` } : this.auth(),
    };
  }

  uiWrite(seq: number): RequestSpec {
    if (this.control === undefined) throw new Error('the control API is not running');
    return {
      method: 'POST',
      url: `${this.control.url}/api/tasks`,
      body: writeBody(seq),
      headers: { ...this.auth(), 'idempotency-key': `bench-${seq}` },
    };
  }

  async prepareReads(): Promise<void> {
    const leader = this.sup().status().leaderId || 1;
    const created = await sendJson<{ task: { id: string } }>(this.write(leader, -1), this.agent);
    this.readTaskId = created.task.id;
  }

  read(to: number, mode: 'linearizable' | 'stale'): RequestSpec {
    if (this.readTaskId === undefined) throw new Error('prepareReads first');
    return {
      method: 'GET',
      url: `${this.url(to)}/tasks/${this.readTaskId}?consistency=${mode}`,
      headers: this.auth(),
    };
  }

  async progress(id: number): Promise<MemberProgress | undefined> {
    try {
      const s = await sendJson<NodeStatus>(
        { method: 'GET', url: `${this.url(id)}/status`, headers: this.auth() },
        this.agent,
        1_000,
      );
      return {
        term: s.term,
        leader: s.role === 'leader',
        commit: s.commitIndex,
        applied: s.appliedIndex,
      };
    } catch {
      return undefined;
    }
  }

  async kill(id: number): Promise<void> {
    await this.sup().nodeAction(id, 'kill');
  }

  async stop(id: number): Promise<void> {
    await this.sup().nodeAction(id, 'stop');
  }

  async start(id: number): Promise<void> {
    await this.sup().nodeAction(id, 'start');
  }

  processes(): readonly ProcessRef[] {
    const s = this.supervisor;
    if (s === undefined) return [];
    // The supervisor runs in this process, with the load generator: its figure is an upper bound
    // under load; before the load (idle) it is the supervisor's.
    const out: ProcessRef[] = [{ label: 'supervisor', kind: 'supervisor', pid: process.pid }];
    for (const n of s.status().nodes) {
      if (n.pid !== null && n.status === 'running') {
        out.push({ label: `n${n.id}`, kind: 'node', pid: n.pid });
      }
      const pid = readPid(path.join(s.layout.mysqlDir(n.id), 'm.pid'));
      if (pid !== undefined) out.push({ label: `n${n.id} mysql`, kind: 'mysql', pid });
    }
    return out;
  }

  async destroy(): Promise<void> {
    await this.stopAll();
    this.agent.destroy();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}
