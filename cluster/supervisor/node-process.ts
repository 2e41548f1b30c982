/**
 * One node process as the supervisor runs it: fork with an IPC channel, requests with replies
 * (control.ts), the last lines it printed, and its lifecycle (starting → running ⇄ paused →
 * stopped | crashed). A process that exits on its own is `crashed` and stays down: restarting
 * is the user's decision.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { NodeProcessStatus, ProcessExit } from '../api/control.js';
import type { NodeStatus } from '../api/node.js';
import type { ControlReply, ControlRequest, NodeEvent, NodeToParent } from '../node/control.js';
import { removePidFile, writePidFile } from './pidfile.js';

/** A request without its id (the process numbers them). */
export type ControlRequestBody = ControlRequest extends infer R
  ? R extends { readonly id: number }
    ? Omit<R, 'id'>
    : never
  : never;

export const KEPT_LINES = 50;

/**
 * Flags every node process runs with. V8's young generation grows to 2 × 16 MB semi-spaces under
 * a steady write load; capped at 2 MB, a node's resident size under load fell from ~125 MB to
 * ~100 MB with no measurable loss of writes/s (README, "Failover, cold start and memory").
 */
export const NODE_EXEC_ARGV: readonly string[] = ['--max-semi-space-size=2'];

export interface NodeProcessOptions {
  readonly id: number;
  /** build/cluster/node/main.js */
  readonly nodeMain: string;
  readonly configPath: string;
  readonly pidFile: string;
  /** How to pause: SIGSTOP, or an in-process freeze (default: freeze on Windows only). */
  readonly pauseMode?: 'signal' | 'freeze';
  /** Another runtime (Electron with ELECTRON_RUN_AS_NODE); default this Node. */
  readonly execPath?: string | undefined;
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** V8/Node flags for the node program (default NODE_EXEC_ARGV). */
  readonly execArgv?: readonly string[] | undefined;
  readonly onEvent: (event: NodeEvent) => void;
  readonly onLine: (stream: 'stdout' | 'stderr', line: string) => void;
  readonly onStatusChange: (status: NodeProcessStatus, exit: ProcessExit | undefined) => void;
}

/** The node exited, or did not say `listening` in time, while starting. */
export class NodeStartError extends Error {
  override readonly name: string = 'NodeStartError';
}

interface Pending {
  readonly resolve: (reply: ControlReply) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class NodeProcess {
  private child: ChildProcess | undefined;
  private state: NodeProcessStatus = 'stopped';
  private lastExit: ProcessExit | null = null;
  private readonly lines: string[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextRequestId = 1;
  /** Set before we signal or ask the process to end, so its exit counts as expected. */
  private ending = false;
  private exitedPromise: Promise<ProcessExit> = Promise.resolve({
    code: null,
    signal: null,
    expected: true,
    at: new Date().toISOString(),
  });
  /** The last status the node reported, and when. */
  lastStatus: NodeStatus | undefined;
  lastStatusAt = 0;
  clientUrl: string | undefined;

  constructor(private readonly opts: NodeProcessOptions) {}

  get id(): number {
    return this.opts.id;
  }
  get status(): NodeProcessStatus {
    return this.state;
  }
  get exit(): ProcessExit | null {
    return this.lastExit;
  }
  get pid(): number | null {
    return this.child?.pid ?? null;
  }
  /** Forked and not exited (maybe paused). */
  get alive(): boolean {
    return this.state === 'starting' || this.state === 'running' || this.state === 'paused';
  }
  get recentLines(): readonly string[] {
    return this.lines;
  }
  /** Resolves when the current process exits (at once when none runs). */
  get exited(): Promise<ProcessExit> {
    return this.exitedPromise;
  }

  /** Forks the node and resolves once it is listening; NodeStartError with its last lines if not. */
  start(timeoutMs: number): Promise<void> {
    if (this.alive) return Promise.reject(new Error(`node ${this.id} is already running`));
    const env: NodeJS.ProcessEnv = { ...(this.opts.env ?? process.env) };
    // A test runner's loaders must not leak into the node program.
    delete env.NODE_OPTIONS;
    // Crash points (failpoints.ts) reach a node only when the caller's env sets them, never
    // inherited from the supervisor's own environment.
    if (this.opts.env === undefined) delete env.RAFTBOARD_FAILPOINTS;
    this.ending = false;
    this.lastStatus = undefined;
    this.lastStatusAt = 0;
    const child = fork(this.opts.nodeMain, ['--config', this.opts.configPath], {
      execArgv: [...(this.opts.execArgv ?? NODE_EXEC_ARGV)],
      execPath: this.opts.execPath,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Own process group: Ctrl-C in a terminal reaches the supervisor only, which then stops
      // every node in order instead of all of them dying at once as "crashed".
      detached: process.platform !== 'win32',
    });
    this.child = child;
    if (child.pid !== undefined) writePidFile(this.opts.pidFile, child.pid);
    this.setState('starting', undefined);
    this.capture(child.stdout, 'stdout');
    this.capture(child.stderr, 'stderr');

    const streamsClosed = Promise.all(
      [child.stdout, child.stderr].map(
        (s) => new Promise<void>((resolve) => (s ? s.once('close', () => resolve()) : resolve())),
      ),
    );
    this.exitedPromise = new Promise<ProcessExit>((resolve) => {
      let done = false;
      const finish = (code: number | null, sig: NodeJS.Signals | null): void => {
        if (done) return;
        done = true;
        // Read stderr to its end first: the last line says why a node could not run.
        void Promise.race([streamsClosed, sleep(1_000)]).then(() => {
          const exit: ProcessExit = {
            code,
            signal: sig,
            expected: this.ending,
            at: new Date().toISOString(),
          };
          if (this.child === child) {
            this.child = undefined;
            this.lastExit = exit;
            removePidFile(this.opts.pidFile);
            for (const [, p] of this.pending) {
              clearTimeout(p.timer);
              p.reject(new Error(`node ${this.id} exited`));
            }
            this.pending.clear();
            const graceful = this.ending || (code === 0 && sig === null);
            this.setState(graceful ? 'stopped' : 'crashed', exit);
          }
          resolve(exit);
        });
      };
      child.once('exit', finish);
      child.once('error', (e) => {
        this.pushLine('stderr', `cannot start node ${this.id}: ${e.message}`);
        finish(null, null);
      });
    });
    child.on('message', (raw: unknown) => this.onMessage(raw as NodeToParent));

    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new NodeStartError(
            `node ${this.id} did not start listening within ${timeoutMs} ms; its output ends ` +
              `with:\n${this.tail(15)}`,
          ),
        );
      }, timeoutMs);
      const onMessage = (raw: unknown): void => {
        const m = raw as NodeToParent;
        if (typeof m === 'object' && m !== null && m.type === 'listening') {
          cleanup();
          resolve();
        }
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        child.off('message', onMessage);
      };
      child.on('message', onMessage);
      void this.exitedPromise.then((exit) => {
        if (this.state === 'starting' || this.child === undefined) {
          cleanup();
          reject(
            new NodeStartError(
              `node ${this.id} exited while starting (${describeExit(exit)}); its output ends ` +
                `with:\n${this.tail(15)}`,
            ),
          );
        }
      });
    });
  }

  /** Sends a control request; rejects on timeout or when the process is gone. */
  request(body: ControlRequestBody, timeoutMs = 2_000): Promise<ControlReply> {
    const child = this.child;
    if (child === undefined || !child.connected) {
      return Promise.reject(new Error(`node ${this.id} is not running`));
    }
    const id = this.nextRequestId++;
    return new Promise<ControlReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`node ${this.id} did not answer ${body.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      child.send({ ...body, id } as ControlRequest, (e) => {
        if (e === null) return;
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new Error(`node ${this.id}: cannot send ${body.type}: ${e.message}`));
      });
    });
  }

  /**
   * SIGSTOP: the process freezes mid-whatever, as a stalled machine would. Where signals do not
   * exist (Windows), or with `pauseMode: 'freeze'`, the node freezes its Raft member in process.
   */
  async pause(): Promise<'signal' | 'freeze'> {
    if (this.state !== 'running') throw new Error(`node ${this.id} is ${this.state}, not running`);
    const mode = this.pauseMode();
    if (mode === 'freeze') await this.ask({ type: 'freeze' });
    else this.child?.kill('SIGSTOP');
    this.setState('paused', undefined);
    return mode;
  }

  async resume(): Promise<void> {
    if (this.state !== 'paused') throw new Error(`node ${this.id} is ${this.state}, not paused`);
    if (this.pauseMode() === 'freeze') await this.ask({ type: 'thaw' });
    else this.child?.kill('SIGCONT');
    this.setState('running', undefined);
  }

  private pauseMode(): 'signal' | 'freeze' {
    return this.opts.pauseMode ?? (process.platform === 'win32' ? 'freeze' : 'signal');
  }

  private async ask(body: ControlRequestBody): Promise<void> {
    const r = await this.request(body);
    if (!r.ok) throw new Error(`node ${this.id}: ${body.type} refused: ${r.error}`);
  }

  /** SIGKILL, as a power cut would; resolves when the process is gone. */
  async kill(): Promise<ProcessExit | null> {
    if (!this.alive) return null;
    this.ending = true;
    this.child?.kill('SIGKILL');
    return this.exitedPromise;
  }

  /** Asks the node to stop (it closes its servers, WAL and pool), then SIGKILL after `graceMs`. */
  async stop(graceMs = 5_000): Promise<ProcessExit | null> {
    if (!this.alive) return null;
    this.ending = true;
    const exited = this.exitedPromise;
    if (this.state === 'paused' && this.pauseMode() === 'signal') this.child?.kill('SIGCONT');
    this.request({ type: 'shutdown' }, graceMs).catch(() => this.child?.kill('SIGTERM'));
    const timedOut = await Promise.race([
      exited.then(() => false),
      sleep(graceMs).then(() => true),
    ]);
    if (timedOut) {
      this.pushLine(
        'stderr',
        `(supervisor) node ${this.id} did not stop in ${graceMs} ms: SIGKILL`,
      );
      this.child?.kill('SIGKILL');
    }
    return exited;
  }

  /** The last `n` lines, indented, for error messages. */
  tail(n: number): string {
    const lines = this.lines.slice(-n);
    return lines.length === 0 ? '    (no output)' : lines.map((l) => `    ${l}`).join('\n');
  }

  private onMessage(m: NodeToParent): void {
    if (typeof m !== 'object' || m === null) return;
    if (m.type === 'reply') {
      const p = this.pending.get(m.id);
      if (p === undefined) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.ok && m.status !== undefined) {
        this.lastStatus = m.status;
        this.lastStatusAt = Date.now();
      }
      p.resolve(m);
      return;
    }
    if (m.type === 'listening') {
      this.clientUrl = m.clientUrl;
      if (this.state === 'starting') this.setState('running', undefined);
    }
    this.opts.onEvent(m);
  }

  private capture(stream: NodeJS.ReadableStream | null, name: 'stdout' | 'stderr'): void {
    if (stream === null) return;
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) this.pushLine(name, line);
    });
    stream.on('end', () => {
      if (partial !== '') this.pushLine(name, partial);
      partial = '';
    });
  }

  private pushLine(stream: 'stdout' | 'stderr', line: string): void {
    this.lines.push(stream === 'stdout' ? `[stdout] ${line}` : line);
    if (this.lines.length > KEPT_LINES) this.lines.splice(0, this.lines.length - KEPT_LINES);
    this.opts.onLine(stream, line);
  }

  private setState(state: NodeProcessStatus, exit: ProcessExit | undefined): void {
    if (this.state === state) return;
    this.state = state;
    this.opts.onStatusChange(state, exit);
  }
}

export function describeExit(exit: { code: number | null; signal: string | null }): string {
  if (exit.signal !== null) return `signal ${exit.signal}`;
  if (exit.code !== null) return `exit code ${exit.code}`;
  return 'could not be started';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
