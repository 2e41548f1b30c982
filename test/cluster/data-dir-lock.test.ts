/**
 * One process per data dir (issue 12, hole 8): a node holds an exclusive lock on its data dir
 * for its whole life, taken before WAL recovery touches anything. A second process started with
 * the same config exits non-zero naming the holder's pid, and leaves every file as it was (it
 * used to run recovery repairs under the live node). The lock is freed by the kernel when the
 * holder dies (SIGKILL included), and still held while it is paused (SIGSTOP: the app pauses
 * nodes that way).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configPath } from './harness/config.js';
import { createTasks, useCluster } from './harness/index.js';

const c = useCluster('lock');

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
const NODE_MAIN =
  process.env.RAFTBOARD_NODE_MAIN ?? path.join(REPO_ROOT, 'build', 'cluster', 'node', 'main.js');

/** Every file under a node's data dir (WAL segments, snapshots, hard state, peers.json), by path. */
function filesOf(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.set(path.relative(dir, p), fs.readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

function expectSameFiles(before: Map<string, Buffer>, after: Map<string, Buffer>): void {
  expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
  for (const [name, buf] of before) {
    expect(after.get(name)?.equals(buf), `${name} changed`).toBe(true);
  }
}

/** Runs a second node process on `config` (no IPC: as a person would) until it exits. */
async function runSecond(config: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [NODE_MAIN, '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  // Generous: it should refuse within a second; if it ever starts instead, do not leave it.
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await exited;
  clearTimeout(timer);
  return { code, output };
}

let paused: number | undefined;
afterEach(() => {
  if (paused !== undefined) process.kill(paused, 'SIGCONT');
  paused = undefined;
});

describe('a node holds its data dir for its whole life', () => {
  it('a second process on a live node’s dir exits 1 naming the pid; files untouched', async () => {
    const cl = c();
    await createTasks(cl, cl.ids[0], 5, (i) => ({ title: `before the second process ${i}` }));
    const id = cl.ids[0];
    const pid = cl.pid(id);
    expect(pid).toBeDefined();
    const before = filesOf(cl.dataDir(id));

    const second = await runSecond(configPath(path.dirname(cl.config(id).secretFile), id));
    expect(second.code, second.output).toBe(1);
    expect(second.output).toMatch(new RegExp(`locked by another process \\(pid ${pid}\\)`));
    expect(second.output).toContain(cl.config(id).dataDir);
    expectSameFiles(before, filesOf(cl.dataDir(id)));

    // The first one never noticed.
    expect(cl.isRunning(id)).toBe(true);
    await createTasks(cl, id, 3, (i) => ({ title: `after the second process ${i}` }));
    expect(new Set([...(await cl.checksums()).values()].map((v) => JSON.stringify(v))).size).toBe(
      1,
    );
  });

  it('a paused (SIGSTOP) holder still holds it: refused, naming the pid from its pid file', async () => {
    const cl = c();
    const id = cl.ids[1];
    const pid = cl.pid(id)!;
    process.kill(pid, 'SIGSTOP');
    paused = pid;
    const before = filesOf(cl.dataDir(id));

    const second = await runSecond(configPath(path.dirname(cl.config(id).secretFile), id));
    expect(second.code, second.output).toBe(1);
    expect(second.output).toMatch(
      new RegExp(`locked by another process \\(pid ${pid}, not answering`),
    );
    expectSameFiles(before, filesOf(cl.dataDir(id)));

    process.kill(pid, 'SIGCONT');
    paused = undefined;
    await cl.waitReady();
  });

  it('the lock of a SIGKILLed holder is free again: the node restarts on its dir', async () => {
    const cl = c();
    const id = cl.ids[2];
    const old = cl.pid(id)!;
    await cl.kill(id, 'SIGKILL');
    await cl.start(id);
    const pid = cl.pid(id)!;
    expect(pid).not.toBe(old);
    expect(fs.readFileSync(path.join(cl.dataDir(id), 'lock.pid'), 'utf8').trim()).toBe(`${pid}`);
    await createTasks(cl, id, 3, (i) => ({ title: `after the restart ${i}` }));
    const sums = await cl.checksums();
    expect(sums.size).toBe(cl.ids.length);
    expect(new Set([...sums.values()].map((v) => JSON.stringify(v))).size).toBe(1);
  });
});
