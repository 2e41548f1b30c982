/**
 * One node process: forked from `build/cluster/node/main.js --config nodeN.json` (or
 * RAFTBOARD_NODE_MAIN), started until it says `listening`, asked things over IPC, stopped or
 * killed. Its output and IPC events are kept per start.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ControlReply, NodeToParent } from '../../../cluster/node/control.js';
import { trackChild } from './children.js';
import { ControlChannel, type ControlRequestBody } from './control.js';
import { describeExit, tail } from './diagnostics.js';
import { captureOutput, lineSink, outputClosed } from './output.js';
import { sleep, within } from './poll.js';

/** The repository: the nearest folder above this file with a package.json (from test/ or build/test/). */
const REPO_ROOT = ((): string => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) {
    dir = path.dirname(dir);
  }
  return dir;
})();
const NODE_MAIN =
  process.env.RAFTBOARD_NODE_MAIN ?? path.join(REPO_ROOT, 'build', 'cluster', 'node', 'main.js');

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A node exited (or did not say `listening` in time) while being started. */
export class NodeStartError extends Error {
  constructor(
    readonly nodeId: number,
    readonly exit: ExitInfo | undefined,
    readonly stderr: string,
    why: string,
  ) {
    super(`node ${nodeId} ${why}; its output ends with:\n${tail(stderr, 30)}`);
    this.name = 'NodeStartError';
  }
}

const MAX_EVENTS = 1000;

export class NodeProcess {
  child: ChildProcess | undefined;
  exit: ExitInfo | undefined;
  exited: Promise<ExitInfo> = Promise.resolve({ code: null, signal: null });
  /** Lines of stdout+stderr, one array per start. */
  readonly runs: string[][] = [];
  readonly events: NodeToParent[] = [];
  private readonly control: ControlChannel;

  constructor(
    readonly id: number,
    readonly configPath: string,
    readonly dataDir: string,
  ) {
    this.control = new ControlChannel(id);
  }

  get running(): boolean {
    return this.child !== undefined && this.exit === undefined;
  }

  output(which: 'last' | 'all' = 'last'): string {
    const runs = which === 'all' ? this.runs : this.runs.slice(-1);
    return runs.map((r) => r.join('\n')).join('\n--- restart ---\n');
  }

  /**
   * Forks the node and resolves when it says `listening`; NodeStartError if it exits first.
   * `failpoints` is its RAFTBOARD_FAILPOINTS for this start (never inherited from this process).
   */
  async start(timeoutMs: number, failpoints?: string): Promise<void> {
    if (this.running) throw new Error(`node ${this.id} is already running`);
    if (!fs.existsSync(NODE_MAIN)) {
      throw new Error(
        `${NODE_MAIN} does not exist: build the node program first (npm run build:node)`,
      );
    }
    const lines: string[] = [];
    this.runs.push(lines);
    this.exit = undefined;
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.NODE_OPTIONS;
    delete env.RAFTBOARD_FAILPOINTS;
    if (failpoints !== undefined) env.RAFTBOARD_FAILPOINTS = failpoints;
    const child = fork(NODE_MAIN, ['--config', this.configPath], {
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env,
    });
    this.child = child;
    trackChild(child);
    const push = lineSink(this.id, lines);
    captureOutput(child, push);

    let onListening: (() => void) | undefined;
    child.on('message', (raw: unknown) => {
      const msg = raw as NodeToParent;
      if (typeof msg !== 'object' || msg === null) return;
      if (msg.type === 'reply') {
        this.control.settle(msg);
        return;
      }
      this.events.push(msg);
      if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
      if (msg.type === 'listening') onListening?.();
    });
    // Streams are read to the end before the exit is reported, so stderr is complete.
    const streamsDone = outputClosed(child);
    this.exited = new Promise<ExitInfo>((resolve) => {
      child.once('exit', (code, signal) => {
        const info = { code, signal };
        void Promise.race([streamsDone, sleep(2_000)]).then(() => {
          this.exit = info;
          this.control.failAll(
            (id) => new Error(`node ${this.id} exited (${describeExit(info)}) before reply ${id}`),
          );
          resolve(info);
        });
      });
      child.once('error', (e) => {
        push(`[harness] child process error: ${e.message}`);
      });
    });

    const listening = new Promise<void>((resolve) => {
      onListening = resolve;
    });
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      listening.then(() => 'listening' as const),
      this.exited.then(() => 'exited' as const),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (outcome === 'listening') return;
    if (outcome === 'exited') {
      throw new NodeStartError(
        this.id,
        this.exit,
        this.output(),
        `exited during start-up (${describeExit(this.exit)})`,
      );
    }
    await this.kill('SIGKILL');
    throw new NodeStartError(
      this.id,
      this.exit,
      this.output(),
      `did not send 'listening' within ${timeoutMs} ms`,
    );
  }

  request(body: ControlRequestBody, timeoutMs = 5_000): Promise<ControlReply> {
    const child = this.child;
    if (!child || !this.running || !child.connected) {
      return Promise.reject(new Error(`node ${this.id} is not running`));
    }
    return this.control.send(child, body, timeoutMs);
  }

  async kill(signal: NodeJS.Signals): Promise<ExitInfo> {
    if (!this.running || !this.child) return this.exit ?? { code: null, signal: null };
    this.child.kill(signal);
    return this.exited;
  }

  /** Clean stop through IPC; SIGTERM, then SIGKILL when it takes too long. */
  async stop(timeoutMs = 10_000): Promise<ExitInfo> {
    if (!this.running || !this.child) return this.exit ?? { code: null, signal: null };
    const child = this.child;
    const done = this.exited;
    this.request({ type: 'shutdown' }, timeoutMs).catch(() => undefined);
    if (await within(done, timeoutMs)) return done;
    child.kill('SIGTERM');
    if (await within(done, 5_000)) return done;
    child.kill('SIGKILL');
    return done;
  }
}
