/**
 * Runs the headless CLI (`node build/cluster/supervisor/cli.js`) as a child process, the way a
 * user does, and talks to its control API. Every CLI started here is SIGKILLed when the test
 * process exits, and `processesOf(dataDir)` finds any node or mariadbd left on a data dir.
 *
 * The build must be current: `npm test` builds first; when running vitest directly, run
 * `npm run build:node` before. RAFTBOARD_CLI_ECHO=1 echoes the CLI's output to stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterNode, ClusterStatus } from '../../cluster/api/control.js';

// From the source (vitest) or from its compiled copy under build/ (the benchmarks).
const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(
  HERE,
  '..',
  '..',
  ...(path.basename(path.resolve(HERE, '..', '..')) === 'build' ? ['..'] : []),
);
export const CLI = path.join(REPO_ROOT, 'build', 'cluster', 'supervisor', 'cli.js');
const ECHO = process.env.RAFTBOARD_CLI_ECHO === '1';

export const READY_LINE = /^Raftboard ready: (http:\/\/127\.0\.0\.1:(\d+))\/\?token=(\S+)$/;

const everyCli = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of everyCli) c.kill('SIGKILL');
});

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `check` returns a truthy value; a throw counts as "not yet". */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = 'never checked';
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (e) {
      last = e instanceof Error ? e.message : e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)}`,
      );
    }
    await sleep(100);
  }
}

export interface ApiAnswer<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export class RunningCli {
  readonly lines: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  base = '';
  token = '';

  constructor(readonly child: ChildProcess) {
    everyCli.add(child);
    const collect = (stream: NodeJS.ReadableStream | null, into: string[]): void => {
      if (stream === null) return;
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const p of parts) {
          into.push(p);
          if (ECHO) process.stderr.write(`[cli] ${p}\n`);
        }
      });
    };
    collect(child.stdout, this.lines);
    collect(child.stderr, this.stderr);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        everyCli.delete(child);
        resolve({ code, signal });
      });
    });
  }

  output(): string {
    return [...this.lines, ...this.stderr.map((l) => `[stderr] ${l}`)].join('\n');
  }

  /** Resolves with the ready line's URL parts; rejects (with the output) when the CLI exits first. */
  async ready(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let done = false;
    void this.exited.then(() => (done = true));
    while (Date.now() < deadline) {
      const line = this.lines.find((l) => READY_LINE.test(l));
      if (line !== undefined) {
        const m = READY_LINE.exec(line) as RegExpExecArray;
        this.base = m[1];
        this.token = decodeURIComponent(m[3]);
        return;
      }
      if (done) throw new Error(`the CLI exited before the ready line:\n${this.output()}`);
      await sleep(50);
    }
    throw new Error(`no ready line within ${timeoutMs} ms:\n${this.output()}`);
  }

  async api<T = unknown>(
    method: string,
    urlPath: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiAnswer<T>> {
    const res = await fetch(`${this.base}${urlPath}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  async cluster(): Promise<ClusterStatus> {
    const r = await this.api<ClusterStatus>('GET', '/api/cluster');
    if (r.status !== 200)
      throw new Error(`GET /api/cluster: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** A leader that a majority of the members follows, in a view where writes are expected. */
  async leader(timeoutMs = 20_000, not?: number): Promise<ClusterNode> {
    return waitFor(
      async () => {
        const c = await this.cluster();
        const l = c.nodes.find((n) => n.id === c.leaderId);
        if (l === undefined || l.id === not) return undefined;
        return l;
      },
      timeoutMs,
      not === undefined ? 'a leader' : `a leader other than n${not}`,
    );
  }

  /** POST /api/tasks until it succeeds (503s while an election runs are retried). */
  async write(title: string, timeoutMs = 20_000): Promise<{ raftIndex: number; servedBy: number }> {
    return waitFor(
      async () => {
        const r = await this.api<{ raftIndex: number; servedBy: number }>(
          'POST',
          '/api/tasks',
          {
            title,
          },
          { 'idempotency-key': `w-${Buffer.from(title).toString('hex').slice(0, 100)}` },
        );
        if (r.status === 201 || r.status === 200) return r.body;
        throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
      },
      timeoutMs,
      `the write "${title}"`,
    );
  }

  /** A node's own client API (docs/contract.md §4), with the same token. */
  async node<T = unknown>(n: ClusterNode, urlPath: string): Promise<ApiAnswer<T>> {
    const res = await fetch(`${n.clientUrl}${urlPath}`, {
      headers: { authorization: `Bearer ${this.token}` },
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, body: (await res.json()) as T, headers: res.headers };
  }

  /**
   * Waits until every running member reports the same applied index, at least the leader's
   * commit index, and returns their checksums by node id.
   */
  async checksums(timeoutMs = 20_000): Promise<Map<number, string>> {
    return waitFor(
      async () => {
        const c = await this.cluster();
        const leader = c.nodes.find((n) => n.id === c.leaderId);
        if (leader === undefined) return undefined;
        const out = new Map<number, string>();
        const applied = new Set<number>();
        for (const n of c.nodes.filter((m) => m.status === 'running')) {
          const r = await this.node<{ appliedIndex: number; checksum: string }>(n, '/checksum');
          if (r.status !== 200 || r.body.appliedIndex < leader.commitIndex) return undefined;
          applied.add(r.body.appliedIndex);
          out.set(n.id, r.body.checksum);
        }
        return applied.size === 1 ? out : undefined;
      },
      timeoutMs,
      'every running node at one applied index',
    );
  }

  /** Sends `signal` and waits for the CLI to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000) {
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): RunningCli {
  if (!fs.existsSync(CLI)) {
    throw new Error(`${CLI} does not exist: build first (npm run build:node)`);
  }
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.NODE_OPTIONS;
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv,
  });
  return new RunningCli(child);
}

/** Live processes whose command line mentions `dir` (nodes: their config; mariadbd: its datadir). */
export function processesOf(dir: string): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    let cmd: string;
    try {
      cmd = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ');
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') continue;
    } catch {
      continue;
    }
    if (cmd.includes(dir) && !cmd.includes('vitest')) out.push({ pid, cmd });
  }
  return out;
}

/** SIGKILLs whatever is left on `dir` (a failed test must not leave servers behind). */
export function killAllOf(dir: string): void {
  for (const p of processesOf(dir)) {
    try {
      process.kill(p.pid, 'SIGCONT');
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** A raw request with any Host header (fetch does not let a test forge Host). */
export function rawRequest(
  base: string,
  urlPath: string,
  headers: Record<string, string>,
): Promise<number> {
  const url = new URL(urlPath, base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: 'GET',
        headers,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
