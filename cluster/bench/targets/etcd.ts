/**
 * A 3-member etcd on loopback for `--compare etcd`: each member with its own data dir, default
 * timers (heartbeat 100 ms, election 1 s) and fsync on (no --unsafe-no-fsync). It is driven
 * through its JSON gateway (`/v3/kv/put`, `/v3/kv/range`), with the same ~100-byte values that
 * Raftboard stores as tasks.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../../../db/provision/mariadb.js';
import { canUseApt, ensureDebianPackages } from '../../../db/provision/system-packages.js';
import { keepAliveAgent, send, sendJson, type RequestSpec } from '../load/http.js';
import { writeBody } from './raftboard.js';
import type { BenchTarget, MemberProgress, ProcessRef } from './target.js';

const READ_KEY = b64('bench/read');

function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Every etcd we started, SIGKILLed if this process exits without stopping them. */
const everyChild = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of everyChild) c.kill('SIGKILL');
});

/** The etcd binary: on PATH or Debian's /usr/bin/etcd; undefined when not installed. */
export function findEtcd(): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v etcd'], { encoding: 'utf8' });
  const onPath = r.status === 0 ? r.stdout.trim() : '';
  if (onPath !== '') return onPath;
  return fs.existsSync('/usr/bin/etcd') ? '/usr/bin/etcd' : undefined;
}

/** Finds etcd, installing Debian's etcd-server (saying so first) when it is missing. */
export function ensureEtcd(say: (line: string) => void): string {
  const found = findEtcd();
  if (found !== undefined) return found;
  if (!canUseApt()) {
    throw new Error(
      '--compare etcd needs etcd 3.4+ on PATH (Debian/Ubuntu: apt-get install etcd-server)',
    );
  }
  say('etcd is not installed: installing etcd-server with apt-get for --compare etcd');
  ensureDebianPackages(['etcd-server'], '--compare etcd runs a 3-member etcd');
  const after = findEtcd();
  if (after === undefined) throw new Error('etcd-server was installed but no etcd binary found');
  return after;
}

interface Member {
  readonly id: number;
  readonly clientPort: number;
  readonly peerPort: number;
  child: ChildProcess | undefined;
  exited: Promise<void>;
}

interface StatusAnswer {
  readonly header: { readonly member_id: string };
  readonly leader: string;
  readonly raftIndex: string;
  readonly raftTerm: string;
  readonly raftAppliedIndex?: string;
}

export class EtcdTarget implements BenchTarget {
  readonly name = 'etcd' as const;
  readonly members = [1, 2, 3] as const;
  private readonly nodes = new Map<number, Member>();
  private readonly agent = keepAliveAgent(8);

  constructor(
    private readonly bin: string,
    private readonly dataDir: string,
  ) {}

  private member(id: number): Member {
    const m = this.nodes.get(id);
    if (m === undefined) throw new Error(`no etcd member ${id}`);
    return m;
  }

  private url(id: number): string {
    return `http://127.0.0.1:${this.member(id).clientPort}`;
  }

  async startFresh(): Promise<void> {
    fs.rmSync(this.dataDir, { recursive: true, force: true });
    fs.mkdirSync(this.dataDir, { recursive: true });
    for (const id of this.members) {
      this.nodes.set(id, {
        id,
        clientPort: await freePort(),
        peerPort: await freePort(),
        child: undefined,
        exited: Promise.resolve(),
      });
    }
    await this.startExisting();
  }

  async startExisting(): Promise<void> {
    await Promise.all(this.members.map((id) => this.start(id)));
    await this.waitReady(60_000);
  }

  /** Ready as Raftboard's supervisor means it: a linearizable read succeeds. */
  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      try {
        const a = await send({ ...this.read(1, 'linearizable') }, this.agent, 2_000);
        if (a.status === 200) return;
        last = `HTTP ${a.status} ${a.text.slice(0, 200)}`;
      } catch (e) {
        last = (e as Error).message;
      }
      await sleep(20);
    }
    throw new Error(`etcd did not serve a read within ${timeoutMs} ms: ${last}`);
  }

  private args(m: Member): string[] {
    const peer = (p: number): string => `http://127.0.0.1:${p}`;
    const cluster = this.members.map((id) => `e${id}=${peer(this.member(id).peerPort)}`).join(',');
    return [
      `--name=e${m.id}`,
      `--data-dir=${path.join(this.dataDir, `e${m.id}`)}`,
      `--listen-client-urls=http://127.0.0.1:${m.clientPort}`,
      `--advertise-client-urls=http://127.0.0.1:${m.clientPort}`,
      `--listen-peer-urls=${peer(m.peerPort)}`,
      `--initial-advertise-peer-urls=${peer(m.peerPort)}`,
      `--initial-cluster=${cluster}`,
      '--initial-cluster-state=new',
      '--initial-cluster-token=raftboard-bench',
      '--logger=zap',
      '--log-level=warn',
      '--log-outputs=stderr',
    ];
  }

  async start(id: number): Promise<void> {
    const m = this.member(id);
    if (m.child !== undefined) throw new Error(`etcd member ${id} is already running`);
    const log = fs.openSync(path.join(this.dataDir, `e${id}.log`), 'a');
    const child = spawn(this.bin, this.args(m), { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    everyChild.add(child);
    m.child = child;
    m.exited = new Promise((resolve) =>
      child.once('exit', () => {
        everyChild.delete(child);
        if (m.child === child) m.child = undefined;
        resolve();
      }),
    );
    // Running once its client port answers (the way a node counts as running once it listens).
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && m.child === child) {
      try {
        await send({ method: 'GET', url: `${this.url(id)}/version` }, this.agent, 1_000);
        return;
      } catch {
        await sleep(20);
      }
    }
    throw new Error(`etcd member ${id} did not listen (see ${this.dataDir}/e${id}.log)`);
  }

  private async signal(id: number, sig: NodeJS.Signals): Promise<void> {
    const m = this.member(id);
    const child = m.child;
    if (child === undefined) return;
    child.kill(sig);
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await m.exited;
    clearTimeout(killTimer);
  }

  kill(id: number): Promise<void> {
    return this.signal(id, 'SIGKILL');
  }

  stop(id: number): Promise<void> {
    return this.signal(id, 'SIGTERM');
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.nodes.keys()].map((id) => this.stop(id)));
  }

  write(to: number, seq: number): RequestSpec {
    return {
      method: 'POST',
      url: `${this.url(to)}/v3/kv/put`,
      body: JSON.stringify({ key: b64(`bench/${seq}`), value: b64(writeBody(seq)) }),
    };
  }

  async prepareReads(): Promise<void> {
    await sendJson(
      {
        method: 'POST',
        url: `${this.url(1)}/v3/kv/put`,
        body: JSON.stringify({ key: READ_KEY, value: b64(writeBody(-1)) }),
      },
      this.agent,
    );
  }

  read(to: number, mode: 'linearizable' | 'stale'): RequestSpec {
    return {
      method: 'POST',
      url: `${this.url(to)}/v3/kv/range`,
      body: JSON.stringify(
        mode === 'stale' ? { key: READ_KEY, serializable: true } : { key: READ_KEY },
      ),
    };
  }

  async progress(id: number): Promise<MemberProgress | undefined> {
    if (this.member(id).child === undefined) return undefined;
    try {
      const s = await sendJson<StatusAnswer>(
        { method: 'POST', url: `${this.url(id)}/v3/maintenance/status`, body: '{}' },
        this.agent,
        1_000,
      );
      return {
        term: Number(s.raftTerm),
        leader: s.leader === s.header.member_id,
        commit: Number(s.raftIndex),
        applied: Number(s.raftAppliedIndex ?? s.raftIndex),
      };
    } catch {
      return undefined;
    }
  }

  processes(): readonly ProcessRef[] {
    const out: ProcessRef[] = [];
    for (const m of this.nodes.values()) {
      if (m.child?.pid !== undefined)
        out.push({ label: `etcd ${m.id}`, kind: 'etcd', pid: m.child.pid });
    }
    return out;
  }

  async destroy(): Promise<void> {
    await this.stopAll();
    this.agent.destroy();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}
